"""The window while another program holds the project's write lock: it says so, retries, and
stores every action exactly once and in order when the lock is released — none is dropped."""

import pytest
from PySide6.QtCore import Qt

from tests.helpers import another_program_writing  # also when a test fails, before the window closes
from tests.test_window_marking import stored
from tests.ui_helpers import window_on_text

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
TEXT = "Vladimir Putin said on Tuesday that Russia would respond."


@pytest.fixture
def window(qtbot, project, tmp_path):
    project.busy_timeout = 0.1  # each try waits this long for the lock
    return window_on_text(qtbot, project, tmp_path, TEXT)


def _mark_next_word(qtbot, view, key):
    qtbot.keyClick(view, Qt.Key.Key_Right, CTRL | SHIFT)
    qtbot.keyClick(view, key)


def test_a_mark_behind_another_writer_is_retried_and_stored_once(qtbot, window, project):
    with another_program_writing(project):
        _mark_next_word(qtbot, window.view, Qt.Key.Key_1)
        assert "another program is writing; retrying" in window.status.currentMessage().lower()
        assert window.status.saved.text() == "1 waiting to be saved"
        qtbot.wait(1500)  # several tries, all refused by the lock
        assert stored(project) == [] and window.queue.pending() == 1
        assert window.span_table.span_model.rowCount() == 0  # shown only once it is in the file
    qtbot.waitUntil(lambda: window.queue.pending() == 0, timeout=5000)
    assert stored(project) == [("SPEAKER", 0, 8)]
    assert window.span_table.span_model.rowCount() == 1
    assert window.undo_stack.count() == 1
    assert window.status.saved.text().startswith("✓ saved")
    assert "another program" not in window.status.currentMessage().lower()


def test_later_actions_and_undo_wait_in_order_behind_the_first(qtbot, window, project):
    with another_program_writing(project):
        _mark_next_word(qtbot, window.view, Qt.Key.Key_1)  # "Vladimir": waits
        _mark_next_word(qtbot, window.view, Qt.Key.Key_2)  # "Putin": waits behind it
        qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)  # undoes "Putin" once that is stored
        assert window.status.saved.text() == "3 waiting to be saved"
        qtbot.wait(800)
        assert stored(project) == []
    qtbot.waitUntil(lambda: window.undo_stack.count() == 2 and window.undo_stack.index() == 1, timeout=5000)
    assert stored(project) == [("SPEAKER", 0, 8)] and window.queue.pending() == 0
    assert window.span_table.span_model.rowCount() == 1
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL | SHIFT)  # redo: nothing in the way now
    assert stored(project) == [("SPEAKER", 0, 8), ("QUOTE", 9, 14)]


def test_an_undo_behind_another_writer_waits_and_the_stack_moves_only_when_stored(qtbot, window, project):
    _mark_next_word(qtbot, window.view, Qt.Key.Key_1)
    assert stored(project) == [("SPEAKER", 0, 8)]
    with another_program_writing(project):
        qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
        assert window.undo_stack.index() == 1 and window.queue.pending() == 1  # not undone yet, not dropped
        assert window.span_table.span_model.rowCount() == 1
        qtbot.wait(700)
    qtbot.waitUntil(lambda: window.queue.pending() == 0, timeout=5000)
    assert stored(project) == []
    assert window.undo_stack.index() == 0 and window.undo_stack.count() == 1
    assert window.span_table.span_model.rowCount() == 0


def test_closing_the_window_first_saves_what_waits(qtbot, window, project):
    with another_program_writing(project):
        _mark_next_word(qtbot, window.view, Qt.Key.Key_1)
        assert window.queue.pending() == 1
    window.close()  # before the next retry: closing tries once more rather than dropping it
    assert stored(project) == [("SPEAKER", 0, 8)]
