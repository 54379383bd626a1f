"""The window over an assigned project: my queue first, Ctrl+Enter through it, documents of others
read-only (keys change nothing, a note says why) until the lead allows free choice."""

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from annotator.assignment.assign import assign_documents
from annotator.model import DocumentStatus, Span
from annotator.queue import set_free_choice
from tests.assign_helpers import import_documents, queue_of
from tests.helpers import snapshot
from tests.test_window_flow import CTRL, mark
from tests.ui_helpers import open_window
from ui.document_list import FILTERS, MY_QUEUE


@pytest.fixture
def assigned(project, tmp_path):
    import_documents(project, tmp_path, 8)
    assign_documents(project, ["alice", "bob"], seed=5)
    return project


def test_the_list_shows_my_queue_in_order_and_ctrl_enter_walks_it(qtbot, assigned, tmp_path):
    queue = queue_of(assigned, "alice")
    window = open_window(qtbot, assigned, "alice", tmp_path / "s.ini")
    panel = window.documents
    assert FILTERS[panel.filter.currentIndex()][0] == MY_QUEUE
    assert panel.visible_ids() == queue
    assert window.current_document() == queue[0]
    assert window.read_only_note.isHidden()
    qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL)  # done: on to the second of my queue
    assert window.current_document() == queue[1]
    assert panel.visible_ids() == queue[1:]  # done leaves my queue
    qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL)
    assert window.current_document() == queue[2]
    with assigned.read() as session:
        done = dict(session.execute(select(DocumentStatus.document_id, DocumentStatus.status)).all())
    assert done == {queue[0]: "done", queue[1]: "done"}
    assert window.status.progress.text() == f"2 of {len(queue)} assigned done"  # my queue, not the project
    panel.filter.setCurrentIndex(0)  # All: every document again, in import order
    assert panel.visible_ids() == sorted(panel.visible_ids()) and len(panel.visible_ids()) == 8


def test_the_status_bar_counts_my_assigned_documents_and_says_how_many_i_skipped(qtbot, assigned, tmp_path):
    from annotator.commands import set_status

    queue = queue_of(assigned, "alice")
    set_status(assigned, queue[0], "alice", "skipped")
    window = open_window(qtbot, assigned, "alice", tmp_path / "s.ini")
    assert window.status.progress.text() == f"0 of {len(queue)} assigned done · 1 skipped"


def test_a_document_of_someone_else_opens_read_only_and_keys_change_nothing(qtbot, assigned, tmp_path):
    bobs = queue_of(assigned, "bob")[0]
    window = open_window(qtbot, assigned, "alice", tmp_path / "s.ini")
    window.documents.filter.setCurrentIndex(0)
    window.open_document(bobs)
    assert window.read_only_note.isVisible()
    assert "not assigned to alice" in window.read_only_note.text()
    before = snapshot(assigned)
    text = window.presenter.text
    mark(qtbot, window.view, 0, text.index(" "), Qt.Key.Key_1)
    assert "read-only" in window.status.currentMessage()
    qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL)
    assert window.current_document() == bobs  # refused: stays
    assert snapshot(assigned) == before
    assert window.undo_stack.count() == 0


def test_free_choice_makes_every_document_editable(qtbot, assigned, tmp_path):
    bobs = queue_of(assigned, "bob")[0]
    set_free_choice(assigned, True)
    window = open_window(qtbot, assigned, "alice", tmp_path / "s.ini")
    window.open_document(bobs)
    assert window.read_only_note.isHidden()
    mark(qtbot, window.view, 0, window.presenter.text.index(" "), Qt.Key.Key_1)
    with assigned.read() as session:
        assert session.scalar(select(Span.document_id)) == bobs


def test_the_lead_turning_free_choice_off_is_enforced_at_the_next_key(qtbot, assigned, tmp_path):
    """The window's copy of the rule may be stale: the core check before writing is not."""
    bobs = queue_of(assigned, "bob")[0]
    set_free_choice(assigned, True)
    window = open_window(qtbot, assigned, "alice", tmp_path / "s.ini")
    window.open_document(bobs)
    set_free_choice(assigned, False)  # the lead, from the command line, meanwhile
    mark(qtbot, window.view, 0, window.presenter.text.index(" "), Qt.Key.Key_1)
    with assigned.read() as session:
        assert session.scalar(select(Span.id)) is None
    assert "read-only" in window.status.currentMessage()
