"""Links drawn as arcs above the text, brat's way: from the QUOTE or THREAT (head) to its SPEAKER (child).

An arc rises from the top of the head span, runs above the line and comes down on the
child span with an arrowhead. When the two spans are on different lines (or one is
scrolled out of sight) the arc is cut in two: from the head it runs to the text's edge
in reading order, and on the child's line it comes in from the opposite edge. Arcs on
one line are stacked by width, the narrower below, in the gap the article's line height
leaves above each line; the relation's name sits on the arc where it fits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF

RISE = 5.0  # px from the line's top to the lowest arc
STEP = 4.0  # px between stacked arcs
CORNER = 5.0  # px radius of an arc's corners
ARROW = 5.0  # px: half the width and the height of the arrowhead


class Segment(NamedTuple):
    """One arc, or the part of one on a single line; x values in viewport pixels."""
    link: int
    start: float  # where it rises from the head span, or the text edge it comes from
    end: float  # where it lands on the child span, or the text edge it runs to
    top: float  # the line's top
    room: float  # px free above the line
    rises: bool  # starts on the head span (else at an edge)
    lands: bool  # ends on the child span with an arrowhead (else at an edge)
    relation: str
    emphasised: bool
    dashed: bool = False  # a suggested link (ui/suggestion_layer.py)


def _near_end(rect: QRectF, right: bool, most: float = 80) -> QRectF:
    """A long span's anchor is its end towards the other span, so arcs stay short."""
    if rect.width() <= most:
        return rect
    return QRectF(rect.right() - most if right else rect.left(), rect.top(), most, rect.height())


def in_sight(placed: Iterable[tuple], rects: Callable[[int, int], list[QRectF]], first: int, last: int,
             left: float, right: float, room_ratio: float, selected: int | None,
             dashed: bool = False) -> list[Segment]:
    """The arcs of placed links (link, head start, head end, child start, child end in Qt positions)
    between Qt positions `first` and `last`; `rects` gives a range's rectangles, one per line."""
    parts = []
    in_view = sorted((p for p in placed if p[2] >= first and p[1] <= last or p[4] >= first and p[3] <= last),
                     key=lambda p: p[0].id)
    for link, head_start, head_end, child_start, child_end in in_view:  # id order: the pixels do not depend on order
        head_seen = head_end >= first and head_start <= last
        child_seen = child_end >= first and child_start <= last
        forward = child_start >= head_start
        # The anchors: the head's rectangle nearest the child, and the child's nearest the head.
        head = rects(max(head_start, first), min(head_end, last)) if head_seen else []
        child = rects(max(child_start, first), min(child_end, last)) if child_seen else []
        head_rect = _near_end(head[-1] if forward else head[0], forward) if head else None
        child_rect = _near_end(child[0] if forward else child[-1], not forward) if child else None
        if head_rect is None and child_rect is None:
            continue
        line = (head_rect or child_rect).height()
        parts += segments(link.id, link.relation, selected in (link.head, link.child), head_rect, child_rect,
                          forward, left, right, line * room_ratio, dashed)
    return parts


def segments(link: int, relation: str, emphasised: bool, head: QRectF | None, child: QRectF | None,
             forward: bool, left: float, right: float, room: float, dashed: bool = False) -> list[Segment]:
    """The arc of one link between the anchor rectangles of its spans (None: not in sight).

    `forward`: the child comes later in the text than the head.
    """
    def anchor(rect: QRectF) -> float:
        return rect.center().x()

    if head is not None and child is not None and abs(head.top() - child.top()) < 1:
        return [Segment(link, anchor(head), anchor(child), head.top(), room, True, True, relation, emphasised,
                        dashed)]
    parts = []
    if head is not None:
        parts.append(Segment(link, anchor(head), right if forward else left, head.top(), room, True, False,
                             relation, emphasised, dashed))
    if child is not None:
        parts.append(Segment(link, left if forward else right, anchor(child), child.top(), room, False, True,
                             relation, emphasised, dashed))
    return parts


def stack(parts: list[Segment]) -> list[tuple[Segment, float]]:
    """Each segment with its height above the line: on one line, an arc over another goes higher."""
    placed: dict[float, list[tuple[float, float, int]]] = {}  # line top -> (left, right, level)
    result = []
    for part in sorted(parts, key=lambda p: abs(p.end - p.start)):
        low, high = sorted((part.start, part.end))
        line = placed.setdefault(round(part.top), [])
        level = max((lv + 1 for a, b, lv in line if a < high + ARROW and low - ARROW < b), default=0)
        line.append((low, high, level))
        result.append((part, min(RISE + STEP * level, max(part.room - 2, RISE))))
    return result


def path(part: Segment, height: float) -> QPainterPath:
    """The arc's line: up from the span (or in from the edge), across, down to the span (or out to the edge)."""
    top, apex = part.top, part.top - height
    direction = 1.0 if part.end >= part.start else -1.0
    corner = min(CORNER, abs(part.end - part.start) / 2, height)
    route = QPainterPath()
    if part.rises:
        route.moveTo(part.start, top)
        route.lineTo(part.start, apex + corner)
        route.quadTo(part.start, apex, part.start + direction * corner, apex)
    else:
        route.moveTo(part.start, apex)
    if part.lands:
        route.lineTo(part.end - direction * corner, apex)
        route.quadTo(part.end, apex, part.end, apex + corner)
        route.lineTo(part.end, top - ARROW)
    else:
        route.lineTo(part.end, apex)
    return route


def arrowhead(part: Segment) -> QPolygonF:
    tip, base = part.top, part.top - ARROW
    return QPolygonF([QPointF(part.end - ARROW * 0.8, base), QPointF(part.end + ARROW * 0.8, base), QPointF(part.end, tip)])


def paint(painter: QPainter, placed: list[tuple[Segment, float]], color: QColor, strong: QColor, background: QColor,
          font: QFont) -> None:
    """Draw the arcs; the emphasised ones (the selected span's links) last, thicker, in `strong`.

    A relation's name goes on its arc where the arc is wide enough and no other name is
    there already (the emphasised arcs' names first).
    """
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    small = QFont(font)
    small.setPointSizeF(max(font.pointSizeF() * 0.7, 7.0))
    metrics = QFontMetricsF(small)
    painter.setFont(small)
    names: list[QRectF] = []
    labelled = {}
    for part, height in sorted(placed, key=lambda item: (not item[0].emphasised, abs(item[0].end - item[0].start))):
        width = metrics.horizontalAdvance(part.relation) + 4
        if width * 1.5 + 4 * CORNER < abs(part.end - part.start):  # else the name would hide a short arc
            middle = (part.start + part.end) / 2
            box = QRectF(middle - width / 2, part.top - height - metrics.height() / 2, width, metrics.height())
            if not any(box.intersects(other) for other in names):
                names.append(box)
                labelled[id(part)] = box
    for part, height in sorted(placed, key=lambda item: item[0].emphasised):
        ink = strong if part.emphasised else color
        painter.setPen(QPen(ink, 2.0 if part.emphasised else 1.3,
                            Qt.PenStyle.DashLine if part.dashed else Qt.PenStyle.SolidLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path(part, height))
        if part.lands:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(ink)
            painter.drawPolygon(arrowhead(part))
        box = labelled.get(id(part))
        if box is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(background)
            painter.drawRoundedRect(box, 3, 3)
            painter.setPen(ink)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, part.relation)
    painter.restore()
