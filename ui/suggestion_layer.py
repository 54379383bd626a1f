"""Suggestions drawn over the article: a dashed outline in the label's colour, no fill, so they
never look like one's own spans (filled backgrounds and underlines); the selected one solid and
thicker; overlapping ones nest (ui/span_levels.py), each level inset, so two on the same words
show as two outlines. The sources' links still to decide on are dashed arcs, stacked among the
links: both ends shown, or one shown and the other taken already (accepting it makes the link
one's own).

An overlay of ui/article_view.py: it paints the suggestions in sight after the spans, with the
view's one offset conversion. After a change only the suggestions that appeared or went are
converted and placed (`update`), as the view does for spans.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from annotator.suggestions.seen import SuggestedLink, Suggestion
from ui import link_arcs
from ui.article_view import ArticleView
from ui.placed_links import PlacedLinks
from ui.span_levels import SpanLevels

OUTLINE = 1.6  # px; the selected suggestion's is thicker and solid
SELECTED = 2.6
NESTED = 2.5  # px inset per nesting level: suggestions on the same words show one inside the other
DEEPEST = 3  # levels below this are drawn at it (a line is not tall enough for more)


class SuggestionLayer:
    def __init__(self, view: ArticleView) -> None:
        self.view = view
        self.shown = True
        self.selected: int | None = None
        self.suggestions: dict[int, Suggestion] = {}
        self._ends: dict[int, tuple[int, int]] = {}  # suggestion id -> Qt positions
        self._levels = SpanLevels()  # overlapping suggestions nest, as spans do
        self._links = PlacedLinks()
        view.overlays.append(self)

    # --- what is drawn ------------------------------------------------------------------
    def set_suggestions(self, suggestions: Iterable[Suggestion], links: Iterable[SuggestedLink],
                        anchors: Mapping[int, Suggestion]) -> None:
        """A new document's suggestions (all of them)."""
        self.suggestions, self._ends, self._levels, self._links = {}, {}, SpanLevels(), PlacedLinks()
        self.selected = None
        self.update(suggestions, (), links, anchors)

    def update(self, added: Iterable[Suggestion], removed_ids: Iterable[int], links: Iterable[SuggestedLink],
               anchors: Mapping[int, Suggestion]) -> None:
        """Add and drop suggestions, converting and placing only those; `links` is every link to
        draw, placed at the ends' suggestions in `anchors` (an end taken already lies where the
        person's span made from it lies)."""
        added, removed_ids = list(added), list(removed_ids)
        self._levels.update(added, removed_ids)
        for suggestion_id in removed_ids:
            self.suggestions.pop(suggestion_id, None)
            self._ends.pop(suggestion_id, None)
        ends = self.view._to_qt_rows([(s.start, s.end) for s in added])
        for suggestion, (start, end) in zip(added, ends):
            self.suggestions[suggestion.id] = suggestion
            self._ends[suggestion.id] = (start, end)
        if self.selected not in self.suggestions:
            self.selected = None
        links = {link.id: link for link in links}
        gone = self._links.links.keys() - links.keys()
        new = [link for link_id, link in links.items() if link_id not in self._links.links]
        self._links.place(self._links.update(new, gone), anchors, self.view._to_qt_rows)
        self.view.viewport().update()

    def set_shown(self, shown: bool) -> None:
        self.shown = shown
        self.view.viewport().update()

    def select(self, suggestion_id: int | None) -> None:
        self.selected = suggestion_id if suggestion_id in self.suggestions else None
        self.view.viewport().update()

    def reveal(self, suggestion_id: int) -> None:
        """Put the caret at the suggestion's start (no text selected) and scroll it to the middle."""
        cursor = self.view.textCursor()
        cursor.setPosition(self._ends[suggestion_id][0])
        self.view.setTextCursor(cursor)
        self.view.center_caret()

    def at(self, position: int) -> int | None:
        """The shortest shown suggestion at a Qt position (a caret: the click's nearest)."""
        hit = [(end - start, i) for i, (start, end) in self._ends.items() if start <= position <= end]
        return min(hit)[1] if hit and self.shown else None

    def pen(self, suggestion: Suggestion) -> QPen:
        """How a suggestion is outlined: dashed in its label's colour (a shade darker, as the
        underlines, so that light colours show on white); the selected one solid and thicker."""
        color = QColor(self.view._colors.get(suggestion.label, QColor("#888888"))).darker(135)
        if suggestion.id == self.selected:
            return QPen(color.darker(140), SELECTED, Qt.PenStyle.SolidLine)
        return QPen(color, OUTLINE, Qt.PenStyle.DashLine)

    def in_sight(self, first: int, last: int) -> list[Suggestion]:
        if not self.shown:
            return []
        return [self.suggestions[i] for i, (start, end) in self._ends.items() if end >= first and start <= last]

    # --- the view's overlay calls -------------------------------------------------------
    def paint(self, painter: QPainter, first: int, last: int) -> None:
        painter.save()
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for suggestion in sorted(self.in_sight(first, last), key=lambda s: (s.id == self.selected, s.id)):
            painter.setPen(self.pen(suggestion))
            for rect in self.outline(suggestion.id):
                painter.drawRect(rect)
        painter.restore()

    def outline(self, suggestion_id: int) -> list[QRectF]:
        """Where a suggestion's outline is drawn (a rectangle per line it covers): nested ones inset."""
        inset = NESTED * min(self._levels.levels.get(suggestion_id, 0), DEEPEST)
        return [rect.adjusted(inset - 1, 1 + inset, 1 - inset, -1 - inset)
                for rect in self.view._rects(*self._ends[suggestion_id])]

    def link_segments(self, first: int, last: int) -> list[link_arcs.Segment]:
        if not self.shown:
            return []
        return self.view.arcs_in_sight(self._links.placed.values(), first, last, self.selected, dashed=True)
