"""The article: read-only plain text with spans and their links drawn over it.

Offsets in and out of this widget are code points; Qt's positions (UTF-16 units,
one per line break, `\r\n` included) are converted here and nowhere else
(`_to_qt` / `_from_qt`, through annotator.qt_positions).
Spans nest in levels: level 0 is a background (ExtraSelections, drawn by Qt),
deeper levels are coloured underlines stacked below the line, painted for the
visible lines only. Links are arcs from head to child (ui/link_arcs.py) in the gap
a 170% line height leaves above each line. It is a QTextEdit, not a QPlainTextEdit,
because only QTextEdit's layout honours a block format's line height. The selected
span gets an outline and its links a stronger arc; hovering shows labels.

`set_document` / `set_spans` draw a whole set; after an edit `update_spans` and `update_links`
redraw only the spans touched, those whose level they moved (ui/span_levels.py) and the
links at their ends (ui/placed_links.py), so one new span costs what one span costs.
Overlays (the suggestions' outlines, ui/suggestion_layer.py) paint after the spans, and their
arcs are stacked with the links.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (QColor, QFont, QPainter, QPen, QTextBlockFormat, QTextCharFormat, QTextCursor,
                           QTextOption)
from PySide6.QtWidgets import QTextEdit, QToolTip

from annotator.qt_positions import QtPositions
from ui import link_arcs
from ui.placed_links import PlacedLinks
from ui.span_levels import InTextOrder, SpanLevels

UNDERLINE = 4  # px per nested level (3 px line, 1 px gap)
LINE_HEIGHT = 170  # percent of the font's line: the gap above each line holds the link arcs


class ShownSpan(NamedTuple):  # a tuple: thousands are built per change, cheaply
    id: int
    label: str
    start: int  # code points
    end: int
    note: str = ""  # extra tooltip line, e.g. its links


class ShownLink(NamedTuple):
    id: int
    head: int  # span ids: the QUOTE or THREAT ...
    child: int  # ... and its SPEAKER
    relation: str


class ArticleView(QTextEdit):
    span_clicked = Signal(int)  # span id, or -1 when a click hit no span
    line_height = LINE_HEIGHT  # percent; a view that draws no links can do with 100

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("article")
        self.setReadOnly(True)
        self.setAcceptRichText(False)
        # Read-only still lets the keyboard move the caret and select (Shift+Ctrl+→).
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setUndoRedoEnabled(False)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setMouseTracking(True)
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF(), 11.5))
        self.setFont(font)
        self.document().setDocumentMargin(16)
        self._top_margin()
        self._positions = QtPositions("")
        self._set_index(SpanLevels())
        # What is drawn, by span id: level 0 as a background, deeper levels underlined (Qt positions).
        self._selections: dict[int, tuple[ShownSpan, QTextEdit.ExtraSelection]] = {}
        self._backgrounds = InTextOrder()  # the same selections in text order, as handed to Qt
        self._underlined: dict[int, tuple[ShownSpan, int, int, int]] = {}
        self._links = PlacedLinks()
        self._formats: dict[str, QTextCharFormat] = {}
        self._colors: dict[str, QColor] = {}
        self.selected_span: int | None = None
        self.linked_spans: set[int] = set()  # drawn with a dashed outline while a span is selected
        self.overlays: list = []  # painted over the spans, with paint() and link_segments() (suggestions)

    # --- the Qt position boundary -----------------------------------------------------
    def _to_qt(self, offset: int) -> int:
        return self._positions.to_qt(offset)

    def _from_qt(self, position: int) -> int:
        return self._positions.from_qt(position)

    def _to_qt_rows(self, rows: list[tuple[int, ...]]) -> list[list[int]]:
        """Rows of code-point offsets -> the same rows in Qt positions, in one step."""
        return self._positions.to_qt_many(rows).tolist() if rows else []

    # --- content ----------------------------------------------------------------------
    def set_colors(self, colors: dict[str, str]) -> None:
        self._colors = {name: QColor(value) for name, value in colors.items()}
        self._formats = {}
        for name, color in self._colors.items():
            fmt = QTextCharFormat()
            fmt.setBackground(color)
            fmt.setForeground(QColor("#000000"))  # label colours are light: black text in both themes
            self._formats[name] = fmt
        if self._spans:
            self._selections, self._backgrounds = {}, InTextOrder()  # new formats: no selection is reused
            self._draw(self._spans.values(), {})
            self._show_selections()

    def set_document(self, text: str, spans: list[ShownSpan], links: list[ShownLink] = ()) -> None:
        """Show a new article with the caret at its start and keyboard focus on it."""
        self._positions = QtPositions(text)
        self._set_index(SpanLevels())
        self._selections, self._backgrounds, self._underlined = {}, InTextOrder(), {}
        self._links = PlacedLinks(links)
        self.selected_span = None
        self.setExtraSelections([])
        self.setPlainText("")  # a fresh document: no undo history, default formats
        self._top_margin()
        line = QTextBlockFormat()
        line.setLineHeight(self.line_height, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
        insert = QTextCursor(self.document())
        insert.setBlockFormat(line)
        insert.insertText(text)  # what setPlainText does; each new block takes the line height (a merge after costs 40 ms)
        self.set_spans(spans)
        cursor = self.textCursor()
        cursor.setPosition(0)
        self.setTextCursor(cursor)
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def _top_margin(self) -> None:
        """Room above the first line for its arcs, as the line height leaves above every other line."""
        frame = self.document().rootFrame()
        fmt = frame.frameFormat()
        gap = self.fontMetrics().height() * (self.line_height - 100) / 100
        fmt.setTopMargin(self.document().documentMargin() + gap)
        frame.setFrameFormat(fmt)

    def _set_index(self, index: SpanLevels) -> None:
        self._index = index
        self._spans: dict[int, ShownSpan] = index.spans  # the index's own dicts, updated in place
        self._levels: dict[int, int] = index.levels

    def set_spans(self, spans: Iterable[ShownSpan]) -> None:
        """Show these spans (all of them: a new document); unchanged backgrounds are kept."""
        reuse, self._selections, self._underlined = self._selections, {}, {}
        self._backgrounds = InTextOrder()
        self._set_index(SpanLevels(spans))
        if self.selected_span not in self._spans:
            self.selected_span = None
        self._draw(self._spans.values(), reuse)
        self._links.place(self._links.links.values(), self._spans, self._to_qt_rows)
        self._show_selections()

    def update_spans(self, changed: Iterable[ShownSpan] = (), removed_ids: Iterable[int] = ()) -> None:
        """Add or replace `changed` and drop `removed_ids`, redrawing only them and the spans
        whose nesting level they moved, and re-placing only the links at their ends."""
        changed = list(changed)
        removed_ids = [span_id for span_id in removed_ids if span_id in self._spans]
        moved = set(removed_ids) | {span.id for span in changed if span.id not in self._spans
                                    or self._spans[span.id][2:4] != span[2:4]}
        redraw = self._index.update(changed, removed_ids)
        touched = redraw.union(removed_ids)
        before = {span_id: self._background(span_id) for span_id in touched}
        reuse = {span_id: self._drop_background(span_id) for span_id in touched if span_id in self._selections}
        for span_id in touched:
            self._underlined.pop(span_id, None)
        self._draw([self._spans[span_id] for span_id in redraw], reuse)
        self._links.place(self._links.touching(moved), self._spans, self._to_qt_rows)
        if self.selected_span not in self._spans:
            self.selected_span = None
        if any(self._background(span_id) is not selection for span_id, selection in before.items()):
            self._show_selections()  # Qt takes the whole list; only when a background changed
        self.viewport().update()

    def _background(self, span_id: int) -> QTextEdit.ExtraSelection | None:
        entry = self._selections.get(span_id)
        return entry[1] if entry is not None else None

    def _draw(self, spans: Iterable[ShownSpan], reuse: dict[int, tuple[ShownSpan, QTextEdit.ExtraSelection]]) -> None:
        """Draw each span at its level: a background (kept from `reuse` if it looks the same) or an underline."""
        underlined = []
        for span in spans:
            level = self._levels[span.id]
            if level:
                underlined.append((span, level))
                continue
            old = reuse.get(span.id)
            kept = old is not None and old[0][1:4] == span[1:4]  # same label and range
            self._selections[span.id] = (span, old[1] if kept else self._selection(span))
            self._backgrounds.put(span, self._selections[span.id][1])
        ends = self._to_qt_rows([(span.start, span.end) for span, _ in underlined])
        for (span, level), (start, end) in zip(underlined, ends):
            self._underlined[span.id] = (span, level, start, end)

    def _drop_background(self, span_id: int) -> tuple[ShownSpan, QTextEdit.ExtraSelection]:
        span, selection = self._selections.pop(span_id)
        self._backgrounds.drop(span)
        return span, selection

    def _show_selections(self) -> None:
        # In text order, however they came: where two touch, the later one's edge is on top.
        self.setExtraSelections(self._backgrounds.items)
        self.viewport().update()

    def set_links(self, links: Iterable[ShownLink]) -> None:
        """The links to draw as arcs (those whose spans are not shown are left out)."""
        links = list(links)
        if {link.id: link for link in links} == self._links.links:
            return  # set_spans placed them already
        self._links = PlacedLinks(links)
        self._links.place(links, self._spans, self._to_qt_rows)
        self.viewport().update()

    def update_links(self, changed: Iterable[ShownLink] = (), removed_ids: Iterable[int] = ()) -> None:
        """Add or replace `changed` links and drop `removed_ids`, placing only those."""
        self._links.place(self._links.update(changed, removed_ids), self._spans, self._to_qt_rows)
        self.viewport().update()

    def _selection(self, span: ShownSpan) -> QTextEdit.ExtraSelection:
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._to_qt(span.start))
        cursor.setPosition(self._to_qt(span.end), QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        selection.format = self._formats.get(span.label) or QTextCharFormat()
        return selection

    def select_span(self, span_id: int | None, reveal: bool = False, linked: set[int] = frozenset()) -> None:
        self.selected_span = span_id if span_id in self._spans else None
        self.linked_spans = set(linked) if self.selected_span is not None else set()
        if reveal and self.selected_span is not None:
            cursor = self.textCursor()
            cursor.setPosition(self._to_qt(self._spans[self.selected_span].start))
            self.setTextCursor(cursor)
            self.center_caret()
        self.viewport().update()

    def center_caret(self) -> None:
        """Scroll so that the caret's line is in the middle of the view (QPlainTextEdit's centerCursor)."""
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() + self.cursorRect().center().y() - self.viewport().height() // 2)

    # --- reading the selection ----------------------------------------------------------
    def selected_range(self) -> tuple[int, int] | None:
        """The selected text as code-point offsets, or None."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        return self._from_qt(cursor.selectionStart()), self._from_qt(cursor.selectionEnd())

    def clear_selection(self) -> None:
        cursor = self.textCursor()
        cursor.setPosition(cursor.selectionEnd())
        self.setTextCursor(cursor)

    def spans_at(self, point: QPoint) -> list[ShownSpan]:
        """Spans under a viewport point, innermost (shortest) first."""
        cursor = self.cursorForPosition(point)
        caret = self.cursorRect(cursor)
        if not caret.top() - 2 <= point.y() <= caret.bottom() + 2:
            return []  # beyond the text, or in the gap between lines where the arcs are
        # cursorForPosition gives the nearest caret, between two characters: take the one clicked.
        position = cursor.position() - (1 if caret.left() > point.x() and cursor.position() > 0 else 0)
        offset = self._from_qt(position)
        hit = [s for s in self._spans.values() if s.start <= offset < s.end]
        return sorted(hit, key=lambda s: (s.end - s.start, s.start))

    # --- events -------------------------------------------------------------------------
    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and not self.textCursor().hasSelection():
            hit = self.spans_at(event.position().toPoint())
            self.span_clicked.emit(hit[0].id if hit else -1)

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            hit = self.spans_at(event.pos())
            if hit:
                lines = [f"{s.label}  {s.start}–{s.end}" + (f"\n   {s.note}" if s.note else "") for s in hit]
                QToolTip.showText(event.globalPos(), "\n".join(lines), self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # zoom: the first line's gap grows with the others
            self._top_margin()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        # Qt moves the painted pixels and repaints only the uncovered strip, but which arcs are
        # stacked where depends on every link in sight: paint it all again.
        super().scrollContentsBy(dx, dy)
        if self._links.placed or self.overlays:
            self.viewport().update()

    def visible_range(self) -> tuple[int, int]:
        """Qt positions of the first and last characters in sight (a little more, never less)."""
        # Points inside the text's margins: left of them, QTextEdit's hit test can answer a far position.
        margin = int(self.document().documentMargin()) + 1
        first = self.cursorForPosition(QPoint(margin, 0)).block().position()
        last = self.cursorForPosition(QPoint(self.viewport().width() - margin, self.viewport().height())).position()
        return (first, last + 1) if first <= last else (0, last + 1)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self._spans and not self.overlays:
            return
        first, last = self.visible_range()
        painter = QPainter(self.viewport())
        marked = {self.selected_span, *self.linked_spans}
        backgrounds = [self._spans[i] for i in marked if i in self._spans and self._levels[i] == 0]
        drawn = [*self._underlined.values(), *((s, 0, self._to_qt(s.start), self._to_qt(s.end)) for s in backgrounds)]
        # in sight, in id order: the pixels do not depend on the order the spans came in
        for span, level, start, end in sorted((d for d in drawn if d[3] >= first and d[2] <= last),
                                              key=lambda d: d[0].id):
            outlined = span.id in marked
            rects = self._rects(start, end)
            if level > 0:
                color = self._colors.get(span.label, QColor("#888888")).darker(135)
                for rect in rects:
                    y = rect.bottom() - 1 - UNDERLINE * (level - 1)
                    painter.fillRect(QRectF(rect.left(), y - 2, rect.width(), 3), color)
            if outlined:
                style = Qt.PenStyle.SolidLine if span.id == self.selected_span else Qt.PenStyle.DashLine
                painter.setPen(QPen(self.palette().text().color(), 2, style))
                for rect in rects:
                    painter.drawRect(rect.adjusted(-1, 0, 1, 0))
        for overlay in self.overlays:
            overlay.paint(painter, first, last)
        self._paint_links(painter, first, last)
        painter.end()

    def link_segments(self) -> list[tuple[link_arcs.Segment, float]]:
        """The arcs in sight, as drawn: each segment with its height above its line."""
        first, last = self.visible_range()
        return link_arcs.stack(self._link_segments(first, last))

    def _link_segments(self, first: int, last: int) -> list[link_arcs.Segment]:
        parts = self.arcs_in_sight(self._links.placed.values(), first, last, self.selected_span)
        for overlay in self.overlays:  # their arcs stacked among the links
            parts += overlay.link_segments(first, last)
        return parts

    def arcs_in_sight(self, placed, first: int, last: int, selected: int | None,
                      dashed: bool = False) -> list[link_arcs.Segment]:
        margin = self.document().documentMargin()
        return link_arcs.in_sight(placed, self._rects, first, last, margin, self.viewport().width() - margin,
                                  (self.line_height - 100) / 100, selected, dashed)

    def _paint_links(self, painter: QPainter, first: int, last: int) -> None:
        palette = self.palette()
        color = QColor(palette.text().color())
        color.setAlpha(190)
        link_arcs.paint(painter, link_arcs.stack(self._link_segments(first, last)), color, palette.link().color(),
                        palette.base().color(), self.font())

    def _rects(self, start: int, end: int) -> list[QRectF]:
        """Viewport rectangles covering Qt positions [start, end), one per visual line."""
        rects = []
        offset = QPointF(-self.horizontalScrollBar().value(), -self.verticalScrollBar().value())
        block = self.document().findBlock(start)
        while block.isValid() and block.position() < end:
            layout = block.layout()
            origin = layout.position() + offset
            base = block.position()
            for i in range(layout.lineCount()):
                line = layout.lineAt(i)
                line_start = base + line.textStart()
                a, b = max(start, line_start), min(end, line_start + line.textLength())
                if a >= b:
                    continue
                x1 = line.cursorToX(a - base)[0]
                x2 = line.cursorToX(b - base)[0]
                rects.append(QRectF(origin.x() + x1, origin.y() + line.y(), x2 - x1, line.height()))
            block = block.next()
        return rects
