"""The article: read-only plain text with spans drawn over it.

Offsets in and out of this widget are code points; Qt's positions (UTF-16 units,
one per line break, `\r\n` included) are converted here and nowhere else
(`_to_qt` / `_from_qt`, through annotator.qt_positions).
Spans nest in levels: level 0 is a background (ExtraSelections, drawn by Qt),
deeper levels are coloured underlines stacked below the line, painted for the
visible lines only. The selected span gets an outline; hovering shows labels.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QEvent, QPoint, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QTextCharFormat, QTextCursor, QTextOption
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip

from annotator.qt_positions import QtPositions

UNDERLINE = 4  # px per nested level (3 px line, 1 px gap)


class ShownSpan(NamedTuple):  # a tuple: thousands are built per change, cheaply
    id: int
    label: str
    start: int  # code points
    end: int
    note: str = ""  # extra tooltip line, e.g. its links


def nesting_levels(spans: list[ShownSpan]) -> dict[int, int]:
    """Level of each span so that spans on one level never overlap (0 = outermost)."""
    ends: list[int] = []  # per level, where its last span ends
    levels = {}
    for span in sorted(spans, key=lambda s: (s.start, -s.end, s.id)):
        for level, end in enumerate(ends):
            if end <= span.start:
                ends[level] = span.end
                break
        else:
            level = len(ends)
            ends.append(span.end)
        levels[span.id] = level
    return levels


class ArticleView(QPlainTextEdit):
    span_clicked = Signal(int)  # span id, or -1 when a click hit no span

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("article")
        self.setReadOnly(True)
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
        self._positions = QtPositions("")
        self._spans: dict[int, ShownSpan] = {}
        self._levels: dict[int, int] = {}
        self._cache: dict[int, tuple[ShownSpan, int, QTextEdit.ExtraSelection | None]] = {}
        self._underlined: list[tuple[ShownSpan, int, int, int]] = []
        self._formats: dict[str, QTextCharFormat] = {}
        self._colors: dict[str, QColor] = {}
        self.selected_span: int | None = None
        self.linked_spans: set[int] = set()  # drawn with a dashed outline while a span is selected

    # --- the Qt position boundary -----------------------------------------------------
    def _to_qt(self, offset: int) -> int:
        return self._positions.to_qt(offset)

    def _from_qt(self, position: int) -> int:
        return self._positions.from_qt(position)

    # --- content ----------------------------------------------------------------------
    def set_colors(self, colors: dict[str, str]) -> None:
        self._colors = {name: QColor(value) for name, value in colors.items()}
        self._formats = {}
        for name, color in self._colors.items():
            fmt = QTextCharFormat()
            fmt.setBackground(color)
            fmt.setForeground(QColor("#000000"))  # label colours are light: black text in both themes
            self._formats[name] = fmt
        self._cache.clear()
        if self._spans:
            self._apply_spans()

    def set_document(self, text: str, spans: list[ShownSpan]) -> None:
        """Show a new article with the caret at its start and keyboard focus on it."""
        self._positions = QtPositions(text)
        self._cache.clear()
        self._spans = {}
        self.selected_span = None
        self.setExtraSelections([])
        self.setPlainText(text)
        self.set_spans(spans)
        cursor = self.textCursor()
        cursor.setPosition(0)
        self.setTextCursor(cursor)
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_spans(self, spans: list[ShownSpan]) -> None:
        self._spans = {span.id: span for span in spans}
        if self.selected_span not in self._spans:
            self.selected_span = None
        self._apply_spans()

    def _apply_spans(self) -> None:
        self._levels = nesting_levels(list(self._spans.values()))
        selections = []
        fresh = {}
        for span_id, span in self._spans.items():
            level = self._levels[span_id]
            cached = self._cache.get(span_id)
            if cached is not None and cached[0] == span and cached[1] == level:
                entry = cached
            else:
                entry = (span, level, self._selection(span) if level == 0 else None)
            fresh[span_id] = entry
            if entry[2] is not None:
                selections.append(entry[2])
        self._cache = fresh
        # Underlined spans, painted by paintEvent, in Qt positions.
        self._underlined = [(span, level, self._to_qt(span.start), self._to_qt(span.end))
                            for span, level, selection in fresh.values() if selection is None]
        self.setExtraSelections(selections)
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
            self.centerCursor()
        self.viewport().update()

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
        if point.y() > caret.bottom() + caret.height() or point.y() < caret.top() - caret.height():
            return []  # beyond the text
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

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self._spans:
            return
        first = self.firstVisibleBlock().position()
        last = self.cursorForPosition(QPoint(self.viewport().width(), self.viewport().height())).position() + 1
        painter = QPainter(self.viewport())
        marked = {self.selected_span, *self.linked_spans}
        backgrounds = [self._spans[i] for i in marked if i in self._spans and self._levels[i] == 0]
        drawn = self._underlined + [(s, 0, self._to_qt(s.start), self._to_qt(s.end)) for s in backgrounds]
        for span, level, start, end in drawn:
            if end < first or start > last:
                continue
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
        painter.end()

    def _rects(self, start: int, end: int) -> list[QRectF]:
        """Viewport rectangles covering Qt positions [start, end), one per visual line."""
        rects = []
        offset = self.contentOffset()
        block = self.document().findBlock(start)
        while block.isValid() and block.position() < end:
            layout = block.layout()
            geometry = self.blockBoundingGeometry(block).translated(offset)
            base = block.position()
            for i in range(layout.lineCount()):
                line = layout.lineAt(i)
                line_start = base + line.textStart()
                a, b = max(start, line_start), min(end, line_start + line.textLength())
                if a >= b:
                    continue
                x1 = line.cursorToX(a - base)[0]
                x2 = line.cursorToX(b - base)[0]
                rects.append(QRectF(geometry.left() + x1, geometry.top() + line.y(), x2 - x1, line.height()))
            block = block.next()
        return rects
