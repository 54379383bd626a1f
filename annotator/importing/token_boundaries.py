"""Spans off token boundaries: found in bulk at import, kept exactly, reported as a warning.

A span is on the boundaries when it starts where a stored token starts, ends where one
ends, and neither starts nor ends with whitespace; only then does the spaCy export keep it
as it is (it snaps the others with annotator.tokens.snap and lists each in export.json).
The check runs on a whole batch at once: the batch's documents are laid end to end, so
that one searchsorted over all their tokens answers for all their spans.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from itertools import chain
from operator import itemgetter

import numpy as np

Span = tuple[int, int, str]
_SPACE = re.compile(r"\s")  # the same characters as str.isspace
_REASONS = ("starts inside a token", "ends inside a token", "starts with whitespace", "ends with whitespace")


def off_boundaries(texts: Sequence[str], tokens: Sequence[np.ndarray], spans: Sequence[Sequence[Span]]) -> np.ndarray:
    """A (spans, 4) boolean array, one row per span (documents in order), one column per reason."""
    count = sum(map(len, spans))
    if count == 0:
        return np.zeros((0, len(_REASONS)), dtype=bool)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    bases = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    # Document i's token starts are all < bases[i + 1] and its ends all > bases[i], so an
    # exact match in the concatenated arrays can only be a token of the span's own document.
    all_tokens = np.concatenate(tokens).astype(np.int64) + np.repeat(bases, _counts(tokens))[:, None]
    flat = list(chain.from_iterable(spans))
    offsets = np.repeat(bases, _counts(spans))
    starts = np.fromiter(map(itemgetter(0), flat), dtype=np.int64, count=count) + offsets
    ends = np.fromiter(map(itemgetter(1), flat), dtype=np.int64, count=count) + offsets
    reasons = np.zeros((count, len(_REASONS)), dtype=bool)
    reasons[:, 0] = ~_members(starts, all_tokens[:, 0])
    reasons[:, 1] = ~_members(ends, all_tokens[:, 1])
    points = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype="<u4")
    reasons[:, 2] = _spaces(points[starts])
    reasons[:, 3] = _spaces(points[ends - 1])
    return reasons


def _counts(items: Sequence[Sequence]) -> np.ndarray:
    return np.fromiter(map(len, items), dtype=np.int64, count=len(items))


def _members(values: np.ndarray, sorted_array: np.ndarray) -> np.ndarray:
    padded = np.append(sorted_array, -1)  # searchsorted's "past the end" finds no match
    return padded[np.searchsorted(sorted_array, values)] == values


def _spaces(points: np.ndarray) -> np.ndarray:
    """Which code points are whitespace: one regex scan over them as a string."""
    chars = points.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")
    found = np.zeros(len(points), dtype=bool)
    found[[match.start() for match in _SPACE.finditer(chars)]] = True
    return found


class OffBoundaryReport:
    """Counts spans off token boundaries over an import's batches; keeps the first few examples."""

    def __init__(self, examples: int = 5) -> None:
        self.limit = examples
        self.labels: Counter[str] = Counter()
        self.examples: list[str] = []

    def add(self, where: Sequence[str], texts: Sequence[str], tokens: Sequence[np.ndarray],
            spans: Sequence[Sequence[Span]]) -> None:
        """`where` names each document for the examples (e.g. 'file.jsonl:12 doc-7')."""
        reasons = off_boundaries(texts, tokens, spans)
        off = np.flatnonzero(reasons.any(axis=1))
        if not len(off):
            return
        owner = np.repeat(np.arange(len(spans)), _counts(spans))
        flat = list(chain.from_iterable(spans))
        self.labels.update(flat[i][2] for i in off.tolist())  # only the spans found off, usually few
        for i in off[: self.limit - len(self.examples)].tolist():
            start, end, label = flat[i]
            doc = int(owner[i])
            inside_start, inside_end, space_start, space_end = reasons[i].tolist()
            why = " and ".join(filter(None, (
                _REASONS[2] if space_start else _REASONS[0] if inside_start else "",
                _REASONS[3] if space_end else _REASONS[1] if inside_end else "",
            )))
            self.examples.append(f"{where[doc]}: {label} {start}-{end} {_shortened(texts[doc][start:end])} {why}")

    def warnings(self) -> list[str]:
        total = sum(self.labels.values())
        if not total:
            return []
        labels = ", ".join(f"{label} {n}" for label, n in self.labels.most_common())
        spans = "span is" if total == 1 else "spans are"
        summary = (f"{total} {spans} not on token boundaries ({labels}): stored exactly as given; the spaCy "
                   "export will snap them to whole tokens and list each change in export.json")
        return [summary] + [f"e.g. {example}" for example in self.examples]


def _shortened(text: str, limit: int = 40) -> str:
    if len(text) > limit:
        text = text[: limit // 2 - 1] + "…" + text[-(limit // 2 - 1):]
    return json.dumps(text, ensure_ascii=False)
