"""The windows over the project's History (sample project: alice, bob and carol finished all five
documents; the main window annotates as the reviewer): a change from any window or core caller
reaches every window, a refusal is told where the key was pressed, the compare view's writes wait
behind another program like the main window's, and the agreement dashboard knows when it is stale."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from annotator.commands import add_span, delete_span
from tests.helpers import another_program_writing, snapshot
from tests.test_every_window_hears_changes import REVIEWER, activate, mark_first_word, open_compare, reviewer_lane
from tests.test_review_windows import gold, open_dashboard
from tests.ui_helpers import open_window

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(qtbot, sample_project, tmp_path):
    return open_window(qtbot, sample_project, REVIEWER, tmp_path / "settings.ini")


def test_a_change_run_by_a_core_caller_through_the_history_reaches_every_window(qtbot, window, sample_project):
    compare = open_compare(qtbot, window)
    document = window.current_document()
    change = window.projects.history.run(add_span, sample_project, document, REVIEWER, "FIGURE", 0, 3)
    assert change.focus_span in window.state.spans and window.span_table.span_model.rowCount() == 1
    assert [s.id for s in reviewer_lane(compare).spans] == [change.focus_span]
    window.projects.history.undo()  # no key pressed anywhere: both windows still follow
    assert window.state.spans == {} and reviewer_lane(compare) is None


def test_a_refused_undo_is_told_in_the_window_where_it_was_asked(qtbot, window, sample_project):
    mark_first_word(qtbot, window)  # pushed from the main window
    [span] = window.state.spans
    delete_span(sample_project, span)  # another program removes it meanwhile
    before = snapshot(sample_project)
    compare = open_compare(qtbot, window)
    qtbot.keyClick(compare.table, Qt.Key.Key_Z, CTRL)
    assert "changed elsewhere" in compare.statusBar().currentMessage()
    assert "changed elsewhere" not in window.status.currentMessage()
    assert snapshot(sample_project) == before


def test_a_compare_action_behind_another_writer_waits_and_is_stored_once(qtbot, window, sample_project):
    compare = open_compare(qtbot, window)
    document = compare.document_id
    sample_project.busy_timeout = 0.1
    with another_program_writing(sample_project):
        qtbot.keyClick(compare.table, Qt.Key.Key_U)  # pre-merge the unanimous spans
        assert "another program is writing; retrying" in compare.statusBar().currentMessage().lower()
        qtbot.wait(600)  # retried at least once, refused by the lock
        assert gold(sample_project, document) == set() and window.queue.pending() == 1
    qtbot.waitUntil(lambda: window.queue.pending() == 0, timeout=5000)
    stored = gold(sample_project, document)
    assert stored and {r.key for r in compare.model.rows() if r.gold_id is not None} == \
        {(label, start, end) for label, start, end, _ in stored}
    assert window.undo_stack.count() == 1  # once, not once per try
    assert "another program" not in compare.statusBar().currentMessage().lower()


def test_the_dashboard_marks_itself_stale_and_recomputes_when_looked_at_again(qtbot, window, sample_project):
    dashboard = open_dashboard(qtbot, window)
    report = dashboard.report
    assert REVIEWER not in report["annotators"] and not dashboard.stale
    activate(qtbot, window)
    qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL)  # the reviewer finishes a document
    qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL)  # and the next one: still no recompute
    assert dashboard.stale and "changed since" in dashboard.summary.text()
    assert dashboard.report is report and not dashboard.running()
    activate(qtbot, dashboard)
    qtbot.waitUntil(lambda: dashboard.report is not report, timeout=20_000)
    assert REVIEWER in dashboard.report["annotators"] and not dashboard.stale
    assert "changed since" not in dashboard.summary.text()


def test_a_change_while_the_report_is_computed_leaves_it_stale(qtbot, window, sample_project):
    dashboard = open_dashboard(qtbot, window)
    activate(qtbot, window)
    dashboard.compute()
    assert dashboard.running()
    qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: not dashboard.running(), timeout=20_000)
    assert dashboard.stale and "changed since" in dashboard.summary.text()
    assert QApplication.activeWindow() is not dashboard
