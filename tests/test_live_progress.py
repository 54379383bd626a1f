"""Others' progress in the document list, fresh while the window is open, on either backend: the
counts leave me out and name nobody, the poll re-reads only after a write, another program's
(or another login's) write reaches the list without a restart, and a window open when the lead
takes its person off the team turns read-only with one clear message. With real logins and
row-level security: tests/test_live_progress_server.py."""

import pytest
from PySide6.QtCore import Qt

from annotator.commands import set_status
from annotator.team.live_progress import REMOVED, ProgressWatch, others_text, status_counts
from annotator.store import open_project
from annotator.team.members import team_add, team_remove
from tests.conftest import ON_SERVER, SAMPLES
from tests.helpers import snapshot
from tests.test_window_flow import CTRL
from tests.ui_helpers import open_window
from ui.document_list import OTHERS_COLUMN


@pytest.fixture
def articles(project):
    from annotator.importing import import_path

    import_path(project, SAMPLES / "articles")
    return project


def test_the_counts_leave_me_out_and_name_nobody(articles):
    for document, who, status in ((1, "alice", "done"), (1, "bob", "done"), (1, "carol", "in_progress"),
                                  (2, "bob", "skipped"), (3, "alice", "in_progress")):
        set_status(articles, document, who, status)
    with articles.read() as session:
        assert status_counts(session, "alice") == {1: (1, 1, 0), 2: (0, 0, 1)}
        assert status_counts(session, "dave") == {1: (2, 1, 0), 2: (0, 0, 1), 3: (0, 1, 0)}
    assert others_text((2, 1, 0)) == "2 done · 1 in progress"
    assert others_text((0, 0, 1)) == "1 skipped"
    assert others_text(None) == ""


def test_the_poll_rereads_the_counts_only_after_someone_writes(articles):
    watch = ProgressWatch(articles, "alice")
    other = open_project(articles.url)  # another program on the same project
    try:
        assert watch.poll().counts == {}  # the first poll reads
        assert watch.poll().counts is None  # nothing changed: nothing read
        set_status(other, 1, "bob", "done")
        assert watch.poll().counts == {1: (1, 0, 0)}
        assert watch.poll().counts is None
        set_status(other, 1, "bob", "skipped")
        assert watch.poll().counts == {1: (0, 0, 1)}
    finally:
        watch.close()
        other.close()


def test_the_list_shows_others_progress_kept_fresh_while_open(qtbot, articles, tmp_path):
    set_status(articles, 2, "carol", "done")
    window = open_window(qtbot, articles, "alice", tmp_path / "settings.ini")
    model = window.documents.model
    assert model.headerData(OTHERS_COLUMN, Qt.Orientation.Horizontal) == "Others"
    assert model.others_of(2) == "1 done" and model.others_of(1) == ""
    assert model.index(model.row_of(2), OTHERS_COLUMN).data() == "1 done"
    redrawn: list[int] = []
    model.dataChanged.connect(lambda first, last: redrawn.extend(
        range(first.row(), last.row() + 1)) if first.column() == OTHERS_COLUMN else None)
    window.projects.live.set_interval(50)
    other = open_project(articles.url)  # bob, in another program
    try:
        set_status(other, 1, "bob", "in_progress")
        set_status(other, 2, "bob", "done")
        qtbot.waitUntil(lambda: model.others_of(2) == "2 done" and model.others_of(1) == "1 in progress")
        assert sorted(set(redrawn)) == [model.row_of(1), model.row_of(2)]  # only the rows that changed
        redrawn.clear()
        window.open_document(3)
        qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL)  # my own "done" is not among the others'
        qtbot.wait(300)
        assert model.status_of(3) == "done" and model.others_of(3) == "" and redrawn == []
    finally:
        other.close()


def removed_by_the_lead(qtbot, window, project, name: str) -> None:
    """The lead (another connection) takes `name` off the team; the window's next poll notices."""
    window.projects.live.set_interval(50)
    lead = open_project(project.url)
    try:
        team_remove(lead, name)
    finally:
        lead.close()
    qtbot.waitUntil(lambda: window.projects.live.removed is not None)


@pytest.mark.skipif(ON_SERVER, reason="on a server a removal takes the login's grants: "
                                      "tests/test_live_progress_server.py")
def test_a_window_open_when_the_lead_removes_me_turns_read_only(qtbot, articles, tmp_path):
    team_add(articles, "alice", "annotator")
    window = open_window(qtbot, articles, "alice", tmp_path / "settings.ini")
    removed_by_the_lead(qtbot, window, articles, "alice")
    assert REMOVED == "you were removed from this project by the lead; your work is kept; the project is read-only"
    assert window.read_only_note.isVisible() and REMOVED in window.read_only_note.text().lower()
    assert not window.label_bar.isEnabled()
    before = snapshot(articles)
    qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL)  # "done": refused with the same line
    assert REMOVED in window.status.currentMessage() and "Traceback" not in window.status.currentMessage()
    assert snapshot(articles) == before
    window.close()
    again = open_window(qtbot, open_project(articles.url), "alice", tmp_path / "settings.ini")  # opened later
    assert again.read_only_note.isVisible() and REMOVED in again.read_only_note.text().lower()


@pytest.mark.skipif(ON_SERVER, reason="on a server a removal takes the login's grants: "
                                      "tests/test_live_progress_server.py")
def test_a_removed_persons_undo_and_redo_write_nothing_and_keep_their_steps(qtbot, articles, tmp_path):
    team_add(articles, "alice", "annotator")
    window = open_window(qtbot, articles, "alice", tmp_path / "settings.ini")
    window.open_document(1)
    qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL)  # two documents done, the second undone:
    qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL)  # a step to undo and one to redo
    qtbot.waitUntil(lambda: window.undo_stack.count() >= 1)
    window.undo_stack.undo()
    qtbot.waitUntil(lambda: window.undo_stack.canRedo())
    steps = (window.undo_stack.count(), window.undo_stack.index())
    removed_by_the_lead(qtbot, window, articles, "alice")
    before = snapshot(articles)
    for step in (window.undo_stack.undo, window.undo_stack.redo):
        window.status.clearMessage()
        step()
        qtbot.waitUntil(lambda: REMOVED in window.status.currentMessage())
        assert snapshot(articles) == before
        assert (window.undo_stack.count(), window.undo_stack.index()) == steps  # kept, should the lead re-add me
