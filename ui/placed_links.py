"""The links an article view draws, each with its two spans' ends in Qt positions (no Qt here).

Kept up to date link by link, and re-placed only for the spans a change moved: one new
span or link costs the same whatever else the article holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Protocol


class Link(Protocol):
    id: int
    head: int
    child: int


class PlacedLinks:
    def __init__(self, links: Iterable[Link] = ()) -> None:
        self.links: dict[int, Link] = {}
        self._of: dict[int, set[int]] = {}  # span id -> ids of the links at either end
        # link id -> (link, head start, head end, child start, child end), for links whose spans are shown
        self.placed: dict[int, tuple] = {}
        for link in links:
            self._add(link)

    def update(self, changed: Iterable[Link] = (), removed_ids: Iterable[int] = ()) -> list[Link]:
        """Add or replace `changed`, drop `removed_ids`; return the links to place."""
        changed = list(changed)
        for link_id in [*removed_ids, *(link.id for link in changed)]:
            link = self.links.pop(link_id, None)
            self.placed.pop(link_id, None)
            if link is not None:
                self._of[link.head].discard(link_id)
                self._of[link.child].discard(link_id)
        for link in changed:
            self._add(link)
        return changed

    def touching(self, span_ids: Iterable[int]) -> list[Link]:
        return [self.links[i] for span_id in span_ids for i in self._of.get(span_id, ())]

    def place(self, links: Iterable[Link], spans: Mapping, to_qt: Callable[[list[tuple]], list[list[int]]]) -> None:
        """Place these links (again); one whose spans are not both shown is not drawn. `to_qt`
        turns rows of code-point offsets into Qt positions (the view's one conversion)."""
        shown = []
        for link in links:
            self.placed.pop(link.id, None)
            if link.head in spans and link.child in spans:
                shown.append(link)
        ends = [(spans[l.head].start, spans[l.head].end, spans[l.child].start, spans[l.child].end) for l in shown]
        for link, qt in zip(shown, to_qt(ends)):
            self.placed[link.id] = (link, *qt)

    def _add(self, link: Link) -> None:
        self.links[link.id] = link
        self._of.setdefault(link.head, set()).add(link.id)
        self._of.setdefault(link.child, set()).add(link.id)
