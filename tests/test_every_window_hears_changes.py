"""Every open window shows every change, whichever window made, undid or redid it (sample project:
alice, bob and carol finished all five documents; the main window annotates as the reviewer)."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.helpers import snapshot
from tests.ui_helpers import open_window

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
REVIEWER = "rita"


@pytest.fixture
def window(qtbot, sample_project, tmp_path):
    return open_window(qtbot, sample_project, REVIEWER, tmp_path / "settings.ini")


def activate(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def open_compare(qtbot, window):
    qtbot.keyClick(window.view, Qt.Key.Key_C, CTRL | SHIFT)
    compare = window.review.compare
    assert compare is not None and compare.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is compare)
    return compare


def mark_first_word(qtbot, window) -> tuple[str, int, int]:
    """The first word of the open document as a SPEAKER (key 1), in the main window; its key."""
    cursor = window.view.textCursor()
    cursor.setPosition(0)
    window.view.setTextCursor(cursor)
    qtbot.keyClick(window.view, Qt.Key.Key_Right, CTRL | SHIFT)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    (span,) = window.state.spans.values()
    return span.label, span.start, span.end


def reviewer_lane(compare):
    return next((lane for lane in compare.shown.lanes if lane.annotator == REVIEWER), None)


def test_a_span_marked_in_the_main_window_appears_in_the_open_compare_view(qtbot, window):
    compare = open_compare(qtbot, window)
    assert compare.document_id == window.current_document() and reviewer_lane(compare) is None
    activate(qtbot, window)
    key = mark_first_word(qtbot, window)
    lane = reviewer_lane(compare)
    assert lane is not None and [s.key for s in lane.spans] == [key]
    assert REVIEWER in compare.lanes.lanes  # drawn, not only read
    # the new lane has the text, and the old lanes left the splitter: every lane gets its share
    assert compare.lanes.lanes[REVIEWER].view.document().characterCount() == \
        compare.lanes.lanes["alice"].view.document().characterCount() > 1
    assert compare.lanes.count() == len(compare.shown.lanes)
    qtbot.waitUntil(lambda: all(compare.lanes.sizes()), timeout=2000)  # once laid out
    assert REVIEWER in compare.model.rows()[[r.key for r in compare.model.rows()].index(key)].marked_by


def test_a_main_window_span_undone_from_the_compare_view_leaves_both_windows(qtbot, window, sample_project):
    before = snapshot(sample_project)
    key = mark_first_word(qtbot, window)
    compare = open_compare(qtbot, window)
    assert [s.key for s in reviewer_lane(compare).spans] == [key]
    qtbot.keyClick(compare.table, Qt.Key.Key_Z, CTRL)
    assert snapshot(sample_project) == before
    assert window.state.spans == {} and window.span_table.span_model.rowCount() == 0
    assert reviewer_lane(compare) is None and REVIEWER not in compare.lanes.lanes
    qtbot.keyClick(compare.table, Qt.Key.Key_Z, CTRL | SHIFT)  # redo from there too: back in both
    assert [s.key for s in reviewer_lane(compare).spans] == [key]
    assert [(s.label, s.start, s.end) for s in window.state.spans.values()] == [key]
    assert window.span_table.span_model.rowCount() == 1


def test_gold_work_undone_from_the_main_window_refreshes_the_compare_view(qtbot, window, sample_project):
    compare = open_compare(qtbot, window)
    qtbot.keyClick(compare.table, Qt.Key.Key_U)
    accepted = {r.key for r in compare.model.rows() if r.gold_id is not None}
    assert accepted and compare.lanes.lanes["gold"].view._spans
    document = window.current_document()
    activate(qtbot, window)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert all(r.gold_id is None for r in compare.model.rows()) and not compare.shown.lane("gold").spans
    assert window.current_document() == document  # gold work is not the main window's: it stays
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL | SHIFT)
    assert {r.key for r in compare.model.rows() if r.gold_id is not None} == accepted


def test_a_view_on_another_document_is_left_alone(qtbot, window, sample_project):
    compare = open_compare(qtbot, window)
    qtbot.keyClick(compare.table, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    other = compare.document_id
    assert other != window.current_document()
    shown = compare.shown
    activate(qtbot, window)
    mark_first_word(qtbot, window)
    assert compare.document_id == other and compare.shown is shown  # not even read again
