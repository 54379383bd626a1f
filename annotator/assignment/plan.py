"""Who gets which document: a pure function of the documents, the annotators, the overlap and
a seed (no database here).

A share `overlap` of the documents goes to `per_doc` annotators each, the rest to one. Every
document goes to the least loaded annotators, so loads stay within one document of each other
(within the longest document's words with `--balance words`); among equally loaded candidates
a shared document goes to the ones who share fewest documents so far, which spreads the overlap
over every pair. Documents are taken in a seeded shuffled order, the shared ones spread evenly
through it, so each annotator's queue mixes them in from the start and pairwise agreement has
data early. Existing loads and pair counts (an earlier run) are where the counting starts, so
a re-run balances the new totals.
"""

from __future__ import annotations

import heapq
import random
from array import array
from collections.abc import Iterator, Sequence
from itertools import combinations

from annotator.errors import UserError


def check_request(annotators: int, overlap: float, per_doc: int) -> None:
    """Refuse settings no plan can meet (before anything is read or written)."""
    if annotators < 1:
        raise UserError("no annotators given; name them with --annotators alice,bob")
    if not 0.0 <= overlap <= 1.0:
        raise UserError(f"--overlap {overlap:g}: a share of the documents, from 0 to 1 (e.g. 0.2)")
    if overlap > 0 and per_doc < 2:
        raise UserError(f"--per-doc {per_doc}: a shared document needs at least 2 annotators (or use --overlap 0)")
    if overlap > 0 and per_doc > annotators:
        raise UserError(f"--per-doc {per_doc} is more than the {annotators} annotators given; "
                        "name more annotators or lower --per-doc")


def overlap_count(documents: int, overlap: float) -> int:
    """How many of `documents` are shared (rounded half up)."""
    return int(documents * overlap + 0.5)


def plan(weights: Sequence[int], annotators: int, overlap: float = 0.0, per_doc: int = 2, seed: int = 0,
         loads: Sequence[float] | None = None, shared_loads: Sequence[float] | None = None,
         shared: dict[tuple[int, int], int] | None = None) -> Iterator[tuple[int, tuple[int, ...]]]:
    """(document index, annotator indices) for every document, in queue order.

    `weights` is one number per document (1 each to balance counts, words to balance words);
    `loads` the annotators' existing loads in that unit, `shared_loads` the part of it in
    shared documents, `shared` existing pair counts (i, j) with i < j. The shared documents are
    placed first, balanced among themselves (so every annotator at the same level is free to
    pair with anyone), then the others fill up the least loaded: totals end within one
    document whenever there are enough unshared ones to even out (always on a first run).
    Lazy in what it yields; holds only compact arrays of indices."""
    check_request(annotators, overlap, per_doc)
    n = len(weights)
    rng = random.Random(seed)
    rank = list(range(annotators))
    rng.shuffle(rank)  # first, so that who plays which round-robin part depends on the seed alone
    order = array("q", range(n))
    rng.shuffle(order)
    m = overlap_count(n, overlap)
    # The shared ones, evenly through the order (one byte per document).
    is_shared = bytearray(bool(m) and (step + 1) * m // n > step * m // n for step in range(n))
    shared_weights = array("q", (weights[order[s]] for s in range(n) if is_shared[s]))
    groups = _shared_groups(shared_weights, annotators, per_doc, rank, shared_loads or [0] * annotators, shared)
    totals = list(loads or [0] * annotators)
    for g, weight in zip(range(0, len(groups), per_doc), shared_weights):
        for a in groups[g:g + per_doc]:
            totals[a] += weight
    # (load, step last given a document, seeded rank, index): the least loaded first, then
    # whoever waited longest, so equal loads rotate instead of always favouring one person.
    heap = [(totals[a], -1, rank[a], a) for a in range(annotators)]
    heapq.heapify(heap)
    g = 0
    for step, doc in enumerate(order):
        if is_shared[step]:
            yield doc, tuple(groups[g:g + per_doc])
            g += per_doc
        else:
            load, _, r, a = heap[0]
            heapq.heapreplace(heap, (load + weights[doc], step, r, a))
            yield doc, (a,)


def _shared_groups(weights: Sequence[int], annotators: int, k: int, rank: list[int], start: Sequence[float],
                   shared: dict[tuple[int, int], int] | None) -> array:
    """k annotators for each shared document (flat, k per document): the least loaded in shared
    documents, and among equals those who share fewest with the ones already taken. Pairs
    follow a round-robin tournament instead, which meets every pair once per cycle."""
    if k == 2:
        return _round_robin(len(weights), annotators, rank, sum((shared or {}).values()))
    pairs = [[0] * annotators for _ in range(annotators)]
    for (i, j), count in (shared or {}).items():
        pairs[i][j] = pairs[j][i] = count
    heap = [(start[a], -1, rank[a], a) for a in range(annotators)]
    heapq.heapify(heap)
    groups = array("q")
    for step, weight in enumerate(weights):
        chosen = _least_loaded_sharing_least(heap, k, pairs)
        for a, b in combinations(chosen, 2):
            pairs[a][b] += 1
            pairs[b][a] += 1
        for entry in chosen.values():
            heapq.heappush(heap, (entry[0] + weight, step, entry[2], entry[3]))
        groups.extend(chosen)
    return groups


def _round_robin(documents: int, annotators: int, rank: list[int], done: int) -> array:
    """Pairs for `documents` shared documents from the circle method's rounds (each round meets
    everyone once; an odd team sits one out in turn), continuing after the `done` pairs an
    earlier run used, so re-runs keep every pair's count within about one of the others."""
    players = annotators + annotators % 2  # the last one is "nobody" for an odd team
    schedule = []
    ring = list(range(players - 1))
    for r in range(players - 1):
        turn = ring[r:] + ring[:r]
        for a, b in [(players - 1, turn[0])] + [(turn[i], turn[-i]) for i in range(1, players // 2)]:
            if max(a, b) < annotators:
                schedule.append((a, b))
    by_rank = sorted(range(annotators), key=rank.__getitem__)  # the seed decides who is which player
    groups = array("q")
    for d in range(documents):
        a, b = schedule[(done + d) % len(schedule)]
        groups.extend((by_rank[a], by_rank[b]))
    return groups


def _least_loaded_sharing_least(heap: list, k: int, pairs: list[list[int]]) -> dict[int, tuple]:
    """Take k annotators out of the heap: everyone below the k-th lowest load, then, among those
    at that load, one by one whoever shares fewest documents with the ones taken. The others
    go back into the heap unchanged."""
    popped = [heapq.heappop(heap) for _ in range(k)]
    level = popped[-1][0]
    while heap and heap[0][0] == level:
        popped.append(heapq.heappop(heap))
    chosen = {entry[3]: entry for entry in popped if entry[0] < level}
    pool = [entry for entry in popped if entry[0] == level]
    while len(chosen) < k:
        if not chosen or len(pool) == k - len(chosen):
            best = pool[0]  # heap order: the one who waited longest
        elif len(chosen) == 1:  # the common case (--per-doc 2), kept cheap
            row = pairs[next(iter(chosen))]
            best = min(pool, key=lambda entry: row[entry[3]])
        else:
            best = min(pool, key=lambda entry: sum(pairs[entry[3]][c] for c in chosen))
        pool.remove(best)
        chosen[best[3]] = best
    for entry in pool:
        heapq.heappush(heap, entry)
    return chosen


def pair_counts(assigned: Sequence[Sequence[int]], annotators: int) -> dict[tuple[int, int], int]:
    """Documents each pair (i < j) shares, from per-document annotator lists (for reports and tests)."""
    counts = {pair: 0 for pair in combinations(range(annotators), 2)}
    for group in assigned:
        for a, b in combinations(sorted(group), 2):
            counts[a, b] += 1
    return counts
