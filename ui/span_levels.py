"""Nesting levels of overlapping spans, kept up to date one change at a time (no Qt here).

Spans on one level never overlap; level 0 is the outermost. A greedy sweep in
(start, -end, id) order gives each span the lowest free level. The sweep carries state
only across a point that some span crosses, so after a change only the cluster around it
(the spans that overlap it, and those that overlap them, ...) is swept again: before the
cluster nothing changed, and at its end every level is free in the old set and the new.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from operator import attrgetter
from typing import Protocol


class Placed(Protocol):
    id: int
    start: int
    end: int


def nesting_levels(spans: Iterable[Placed]) -> dict[int, int]:
    """Level of each span so that spans on one level never overlap (0 = outermost)."""
    order = sorted(spans, key=attrgetter("id"))  # by (start, -end, id), in three stable C-speed sorts
    order.sort(key=attrgetter("end"), reverse=True)
    order.sort(key=attrgetter("start"))
    return _sweep(order)


def _sweep(order: list[Placed]) -> dict[int, int]:
    ends: list[int] = []  # per level, where its last span ends
    levels = {}
    for span in order:
        for level, end in enumerate(ends):
            if end <= span.start:
                ends[level] = span.end
                break
        else:
            level = len(ends)
            ends.append(span.end)
        levels[span.id] = level
    return levels


def _key(span: Placed) -> tuple[int, int, int]:
    return span.start, -span.end, span.id


class SpanLevels:
    """The shown spans by id, in sweep order, with their levels."""

    def __init__(self, spans: Iterable[Placed] = ()) -> None:
        self.spans: dict[int, Placed] = {span.id: span for span in spans}
        self.levels = nesting_levels(self.spans.values())
        self._keys = sorted(_key(span) for span in self.spans.values())
        # No span is longer: one starting this far before a point cannot reach it. Only ever
        # grows (a bound, not the maximum), so a removal never has to look for the new longest.
        self._longest = max((span.end - span.start for span in self.spans.values()), default=0)

    def update(self, changed: Iterable[Placed] = (), removed_ids: Iterable[int] = ()) -> set[int]:
        """Add or replace `changed`, drop `removed_ids`; return the ids of shown spans whose
        level is new or different (the changed spans themselves included)."""
        touched = []  # (start, end) ranges whose clusters are swept again
        result = set()
        for span_id in removed_ids:
            old = self.spans.pop(span_id, None)
            if old is not None:
                self._drop(old)
                del self.levels[span_id]
                touched.append((old.start, old.end))
        for span in changed:
            old = self.spans.get(span.id)
            result.add(span.id)
            self.spans[span.id] = span
            if old is not None and (old.start, old.end) == (span.start, span.end):
                continue  # a relabel: the level stays
            if old is not None:
                self._drop(old)
                touched.append((old.start, old.end))
            self._keys.insert(bisect_left(self._keys, _key(span)), _key(span))
            self._longest = max(self._longest, span.end - span.start)
            touched.append((span.start, span.end))
        swept_to = None
        for start, end in sorted(touched):
            if swept_to is not None and end <= swept_to:
                continue  # inside a cluster swept already
            first, last = self._cluster(start, end)
            order = [self.spans[key[2]] for key in self._keys[first:last]]
            for span_id, level in _sweep(order).items():
                if self.levels.get(span_id) != level:
                    self.levels[span_id] = level
                    result.add(span_id)
            swept_to = max(-key[1] for key in self._keys[first:last]) if last > first else end
        return result

    def _drop(self, span: Placed) -> None:
        del self._keys[bisect_left(self._keys, _key(span))]

    def _cluster(self, start: int, end: int) -> tuple[int, int]:
        """Indices in sweep order of the spans overlapping [start, end), and of those that overlap
        them, and so on: no span crosses the cluster's first start or its last end."""
        keys = self._keys
        while True:
            first = bisect_left(keys, (start - self._longest + 1,))
            last = bisect_left(keys, (end,))
            reach = [key for key in keys[first:last] if -key[1] > start]
            low = min((key[0] for key in reach), default=start)
            high = max((-key[1] for key in reach), default=end)
            if low >= start and high <= end:
                return bisect_left(keys, (start,)), last
            start, end = min(start, low), max(end, high)


class InTextOrder:
    """Things drawn for spans (e.g. Qt selections), kept in sweep order by bisection, so that
    `items` can be handed on as it is after each change."""

    def __init__(self) -> None:
        self._keys: list[tuple[int, int, int]] = []
        self.items: list = []

    def put(self, span: Placed, item) -> None:
        at = bisect_left(self._keys, _key(span))
        self._keys.insert(at, _key(span))
        self.items.insert(at, item)

    def drop(self, span: Placed) -> None:
        at = bisect_left(self._keys, _key(span))
        del self._keys[at]
        del self.items[at]
