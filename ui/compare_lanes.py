"""The compare view's lanes: the article once per annotator (and once for gold), side by side, scrolled together.

They show an annotator.review.comparison.Comparison: a lane is an ArticleView (so offsets cross
the Qt position boundary there, as everywhere) that also outlines its disputed spans —
those not every annotator who finished the document marked alike — with a red dotted frame.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from annotator.review.comparison import Comparison, Lane
from ui.article_view import ArticleView, ShownSpan

DISPUTED = QColor("#d0312d")


class LaneView(ArticleView):
    line_height = 100  # lanes draw no link arcs: no gap for them, more lines in sight

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.disputed: set[int] = set()

    def set_disputed(self, span_ids: set[int]) -> None:
        self.disputed = set(span_ids)
        self.viewport().update()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self.disputed:
            return
        first, last = self.visible_range()
        painter = QPainter(self.viewport())
        painter.setPen(QPen(DISPUTED, 2, Qt.PenStyle.DotLine))
        for span_id in self.disputed:
            span = self._spans.get(span_id)
            if span is None:
                continue
            start, end = self._to_qt(span.start), self._to_qt(span.end)  # the base class's converter
            if end < first or start > last:
                continue
            for rect in self._rects(start, end):
                painter.drawRect(rect.adjusted(-2, -1, 2, 1))
        painter.end()


class LanePanel(QWidget):
    """A title over a LaneView."""

    def __init__(self, name: str, parent=None) -> None:
        super().__init__(parent)
        self.name = name
        self.title = QLabel(name, self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.view = LaneView(self)
        self.view.setObjectName(f"lane-{name}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)


class Lanes(QSplitter):
    """One Lane per name; a click on a span in any lane is reported with the lane's name."""

    span_clicked = Signal(str, int)  # lane name, span id (-1: no span)

    def __init__(self, parent=None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("lanes")
        self.lanes: dict[str, LanePanel] = {}  # annotator -> its panel, gold last
        self._colors: dict[str, str] = {}

    def set_colors(self, colors: dict[str, str]) -> None:
        self._colors = dict(colors)
        for lane in self.lanes.values():
            lane.view.set_colors(self._colors)

    def set_names(self, names: list[str]) -> bool:
        """One lane per name; True when the lanes were rebuilt (they then show no text yet)."""
        if list(self.lanes) == names:
            return False
        for lane in self.lanes.values():
            lane.hide()
            lane.setParent(None)  # out of the splitter now, so that setSizes below sizes the new lanes
            lane.deleteLater()
        self.lanes = {}
        for name in names:
            lane = LanePanel(name, self)
            lane.view.set_colors(self._colors)
            lane.view.span_clicked.connect(lambda span_id, n=name: self.span_clicked.emit(n, span_id))
            lane.view.verticalScrollBar().valueChanged.connect(self._scroll_all)
            self.addWidget(lane)
            self.lanes[name] = lane
        self.setSizes([1000] * len(names))
        return True

    def _scroll_all(self, value: int) -> None:
        # Same text, same width: the same scroll position shows the same lines.
        for lane in self.lanes.values():
            bar = lane.view.verticalScrollBar()
            if bar.value() != value:
                bar.setValue(value)

    def show(self, shown: Comparison, same_document: bool) -> None:
        """Draw a comparison (on the same document as before: only the spans are replaced)."""
        # A lane comes or goes on the same document too (someone's first span, its undo).
        same_document = not self.set_names([lane.annotator for lane in shown.lanes]) and same_document
        candidates = {c.key: c for c in shown.candidates}
        for lane in shown.lanes:
            panel = self.lanes[lane.annotator]
            panel.title.setText(_title(lane))
            spans = [ShownSpan(s.id, s.label, s.start, s.end, "gold" if lane.is_gold else
                               f"{candidates[s.key].agreed_by} of {candidates[s.key].out_of} marked it alike")
                     for s in lane.spans]
            if same_document:
                panel.view.set_spans(spans)
            else:
                panel.view.set_document(shown.text, spans)
            panel.view.set_disputed(lane.disputed)

    def select(self, ids: dict[str, int | None], reveal: bool) -> None:
        """Select a span per lane (None clears); reveal it in the first lane that has it."""
        revealed = False
        for name, lane in self.lanes.items():
            span_id = ids.get(name)
            lane.view.select_span(span_id, reveal=reveal and not revealed and span_id is not None)
            revealed = revealed or span_id is not None


def _title(lane: Lane) -> str:
    count = f"{len(lane.spans)} spans"
    if lane.is_gold:
        return f"{lane.annotator}  ({count}, {lane.status.replace('_', ' ')})"
    return f"{lane.annotator}  ({count}{', done' if lane.finished else ''})"
