"""Links are drawn as arcs from the QUOTE or THREAT to its SPEAKER: checked on the painted pixels.

Each test grabs the article's viewport with and without the links and looks at the pixels
that differ: they rise above the head span, run above the line and come down with an
arrowhead on the child span, and stay inside the gap above the line.
"""

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication

from tests.export_helpers import add_work, link, span
from tests.ui_helpers import open_window, when_modal
from ui import link_arcs

SAME_LINE = "Moscow, Tuesday\r\nPARIS\r\n“We will respond with force,” Putin said, and the Kremlin agreed.\r\n\r\nPrices rose."
FILLER = "Nothing in this paragraph is annotated at all, it only takes room on the screen.\r\n\r\n"
FAR = "“We will respond,” the statement read.\r\n\r\n" + FILLER * 40 + "It was signed by Putin on Tuesday."


def open_with_link(qtbot, project, tmp_path, text, quote, speaker):
    q, s = span(text, quote, "QUOTE"), span(text, speaker, "SPEAKER")
    add_work(project, tmp_path, "alice", [{"text": text, "spans": [q, s], "relations": [link(q, s, "said_by")]}], "en")
    window = open_window(qtbot, project, "alice", tmp_path / "settings.ini")
    return window, window.view


def found(view, text: str):
    """Where Qt itself shows `text`: (left x, right x, line top) in the viewport."""
    match = view.document().find(text, 0, QTextDocument.FindFlag.FindCaseSensitively)
    assert match.hasSelection()
    cursor = QTextCursor(match)
    cursor.setPosition(match.selectionStart())
    left = view.cursorRect(cursor)
    cursor.setPosition(match.selectionEnd())
    right = view.cursorRect(cursor)
    return left.left(), right.left(), left.top()


def changed_pixels(view) -> set[tuple[int, int]]:
    """Viewport pixels the links change (painted with them, then without them)."""
    links = list(view._links.links.values())
    with_links = view.viewport().grab().toImage()
    view.set_links([])
    without = view.viewport().grab().toImage()
    view.set_links(links)
    ratio = with_links.devicePixelRatio()
    return {(int(x / ratio), int(y / ratio)) for y in range(with_links.height()) for x in range(with_links.width())
            if with_links.pixel(x, y) != without.pixel(x, y)}


def near(pixels, x: float, y: float, reach: int = 1) -> bool:
    return any((round(x) + dx, round(y) + dy) in pixels for dx in range(-reach, reach + 1)
               for dy in range(-reach, reach + 1))


def test_an_arc_rises_from_the_quote_and_lands_on_its_speaker_after_crlfs(qtbot, project, tmp_path):
    window, view = open_with_link(qtbot, project, tmp_path, SAME_LINE, "We will respond with force", "Putin")
    [(arc, height)] = view.link_segments()
    quote_left, quote_right, quote_top = found(view, "We will respond with force")
    putin_left, putin_right, putin_top = found(view, "Putin")
    assert quote_top == putin_top and abs(arc.top - quote_top) <= 1
    assert arc.rises and arc.lands and quote_left <= arc.start <= quote_right and putin_left <= arc.end <= putin_right
    pixels = changed_pixels(view)
    top, apex = arc.top, arc.top - height
    assert all(near(pixels, arc.start, y) for y in range(int(apex + link_arcs.CORNER), int(top)))  # the rise
    assert near(pixels, arc.start + link_arcs.CORNER + 2, apex) and near(pixels, arc.end - link_arcs.CORNER - 2, apex)
    assert all(near(pixels, arc.end, y) for y in range(int(top - link_arcs.ARROW), int(top)))  # the arrowhead
    # Nothing strays: every changed pixel is between the two spans, in the gap above their line.
    assert all(arc.start - 8 <= x <= arc.end + 8 and top - arc.room - 2 <= y <= top + 1 for x, y in pixels)
    background = view.palette().base().color()
    ink = QColor(view.viewport().grab().toImage().pixel(round(arc.start), round((apex + top) / 2)))
    assert ink.lightness() < background.lightness() - 40  # drawn, not a faint trace


def test_selecting_the_quote_draws_its_arc_in_the_link_colour(qtbot, project, tmp_path):
    window, view = open_with_link(qtbot, project, tmp_path, SAME_LINE, "We will respond with force", "Putin")
    left, right, top = found(view, "We will respond with force")
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(int(left + 20), int(top + 8)))
    assert window.state.spans[view.selected_span].label == "QUOTE"
    [(arc, height)] = view.link_segments()
    assert arc.emphasised
    image = view.viewport().grab().toImage()
    strong = view.palette().link().color()
    middle = round(arc.top - height / 2)
    distance = min(sum(abs(a - b) for a, b in zip(QColor(image.pixel(x, middle)).getRgb()[:3], strong.getRgb()[:3]))
                   for x in range(round(arc.start) - 1, round(arc.start) + 2))
    assert distance < 60


def test_an_arc_whose_speaker_is_out_of_sight_runs_to_the_edge_and_comes_back_from_the_other(qtbot, project, tmp_path):
    window, view = open_with_link(qtbot, project, tmp_path, FAR, "We will respond", "Putin")
    right_edge = view.viewport().width() - view.document().documentMargin()
    [(arc, height)] = view.link_segments()  # the speaker is far below: only the quote's half
    assert arc.rises and not arc.lands and arc.end == right_edge
    pixels = changed_pixels(view)
    assert near(pixels, right_edge - 3, arc.top - height) and near(pixels, arc.start, arc.top - 2)
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum() // 2)  # neither end in sight
    assert view.link_segments() == [] and changed_pixels(view) == set()
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())  # only the speaker's half
    [(arc, height)] = view.link_segments()
    putin_left, putin_right, putin_top = found(view, "Putin")
    assert arc.lands and not arc.rises and arc.start == view.document().documentMargin()
    assert putin_left <= arc.end <= putin_right and abs(arc.top - putin_top) <= 1
    pixels = changed_pixels(view)
    assert near(pixels, arc.start + 3, arc.top - height) and near(pixels, arc.end, arc.top - 2)


def test_linking_with_l_draws_the_arc_and_undo_removes_it(qtbot, project, tmp_path):
    q, s = span(SAME_LINE, "We will respond with force", "QUOTE"), span(SAME_LINE, "Putin", "SPEAKER")
    add_work(project, tmp_path, "alice", [{"text": SAME_LINE, "spans": [q, s]}], "en")
    window = open_window(qtbot, project, "alice", tmp_path / "settings.ini")
    view = window.view
    assert view.link_segments() == []
    left, right, top = found(view, "We will respond with force")
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(int(left + 20), int(top + 8)))

    when_modal(lambda dialog: qtbot.keyClick(dialog.list, Qt.Key.Key_Return))
    qtbot.keyClick(view, Qt.Key.Key_L)
    qtbot.waitUntil(lambda: len(window.state.links) == 1)
    [(arc, _)] = view.link_segments()
    putin_left, putin_right, _ = found(view, "Putin")
    assert arc.emphasised and putin_left <= arc.end <= putin_right
    assert changed_pixels(view)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window and view.hasFocus())  # back from the dialog
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.state.links == {} and view.link_segments() == []


def test_the_first_lines_arcs_keep_their_room_when_zooming_in(qtbot, project, tmp_path):
    text = "“We will respond with force,” Putin said, and the Kremlin agreed."
    window, view = open_with_link(qtbot, project, tmp_path, text, "We will respond with force", "Putin")
    font = view.font().pointSizeF()
    for zoom in range(2):
        [(arc, height)] = view.link_segments()
        assert arc.top - arc.room >= view.document().documentMargin() - 1  # the gap above the first line is free
        assert arc.top - height - 4 >= 0  # the arc and its name stay in the viewport
        for _ in range(4):
            window.actions["view.zoom_in"].trigger()
    assert view.font().pointSizeF() > font
