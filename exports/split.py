"""Train/dev split by document.

Deterministic for a seed and a set of documents. Documents are unique by text (the project
deduplicates by sha256), so no text is on both sides. The dev share is rounded, with at least
one document on each side when there are two or more. Before filling dev at random, each label
that occurs in at least two documents gets one of them in dev (rarest label first; the shortest
such document, so that covering labels keeps most of the text for training), so every label is
both trained and evaluated where the data allows; labels that cannot be are returned.

A language with a single document cannot be split so: its passages are split instead
(`split_passages`, the same rule over passages), passages with the same text always on the
same side, so again no text is on both sides. Fewer than MIN_SPLIT_PASSAGES distinct
passages give a dev set whose score means nothing, so such a language is left out instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

MIN_SPLIT_PASSAGES = 10


def split_documents(
    labels_by_document: Mapping[int, set[str]],
    lengths: Mapping[int, int],
    dev_share: float,
    seed: int,
) -> tuple[list[int], list[int], list[str]]:
    """(train ids, dev ids, labels missing from dev or train), ids sorted."""
    ids = sorted(labels_by_document)
    n_dev = _dev_size(len(ids), dev_share)
    order = [ids[i] for i in np.random.default_rng(seed).permutation(len(ids))]
    shortest_first = sorted(order, key=lambda doc: lengths[doc])  # stable: ties keep the seeded order
    dev: list[int] = []
    chosen: set[int] = set()
    counts: dict[str, int] = {}
    for doc in ids:
        for label in labels_by_document[doc]:
            counts[label] = counts.get(label, 0) + 1
    for label in sorted(counts, key=lambda name: (counts[name], name)):
        if len(dev) >= n_dev or counts[label] < 2:
            continue
        if not any(label in labels_by_document[doc] for doc in dev):
            dev.append(next(doc for doc in shortest_first if doc not in chosen and label in labels_by_document[doc]))
            chosen.add(dev[-1])
    dev += [doc for doc in order if doc not in chosen][: n_dev - len(dev)]
    dev_set = set(dev)
    train = [doc for doc in ids if doc not in dev_set]
    in_dev = set().union(*(labels_by_document[doc] for doc in dev_set))
    in_train = set().union(*(labels_by_document[doc] for doc in train))
    missing = sorted(label for label in counts if label not in in_dev or label not in in_train)
    return train, sorted(dev_set), missing


def _dev_size(n: int, share: float) -> int:
    if n < 2 or share <= 0:
        return 0
    return min(max(round(n * share), 1), n - 1)


def split_passages(texts: Sequence[str], labels: Sequence[set[str]], dev_share: float,
                   seed: int) -> tuple[list[int], list[int], list[str]]:
    """(train indices, dev indices, labels missing from dev or train) of one document's passages,
    split like documents; passages of the same text are one unit, so no text is on both sides."""
    units: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        units.setdefault(text, []).append(i)
    members = {group[0]: group for group in units.values()}
    train, dev, missing = split_documents(
        {unit: set().union(*(labels[i] for i in group)) for unit, group in members.items()},
        {unit: sum(len(texts[i]) for i in group) for unit, group in members.items()}, dev_share, seed)
    return sorted(i for unit in train for i in members[unit]), sorted(i for unit in dev for i in members[unit]), missing

