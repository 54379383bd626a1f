"""Links, undo/redo, the next/done flow, persistence and dialogs — through the window."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from annotator.importing import import_path
from annotator.model import DocumentStatus, Relation, Span
from annotator.store import open_project
from tests.helpers import snapshot
from tests.ui_helpers import open_window, when_modal

CTRL, SHIFT, ALT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.AltModifier
TEXTS = [
    "“We will act,” Putin said. The Kremlin agreed.",
    "Kim Jong-un said nothing. Nobody asked.",
    "Macron warned of sanctions. He was firm.",
]


@pytest.fixture
def articles(project, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i, text in enumerate(TEXTS):
        (folder / f"{i}.txt").write_text(text, encoding="utf-8")
    import_path(project, folder)
    return project


@pytest.fixture
def window(qtbot, articles, tmp_path):
    return open_window(qtbot, articles, "alice", tmp_path / "settings.ini")


def mark(qtbot, view, start, end, key):
    cursor = view.textCursor()
    cursor.setPosition(view._to_qt(start))
    cursor.setPosition(view._to_qt(end), cursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    qtbot.keyClick(view, key)


def press_in_modal(qtbot, key):
    """Press a key in the modal dialog that is about to open."""
    when_modal(lambda dialog: qtbot.keyClick(dialog.focusWidget() or dialog, key))


def back_in(qtbot, window):
    """Window activation after a modal dialog is asynchronous: let it happen, as a user would."""
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window and window.view.hasFocus())


def links(project):
    with project.read() as session:
        return session.execute(select(Relation.head_id, Relation.child_id)).all()


def test_link_a_quote_to_its_speaker_with_l_and_remove_it(qtbot, window, articles):
    view = window.view
    text = TEXTS[0]
    mark(qtbot, view, text.index("Putin"), text.index(" said"), Qt.Key.Key_1)
    speaker = view.selected_span
    mark(qtbot, view, 1, text.index(",”"), Qt.Key.Key_2)
    quote = view.selected_span
    assert quote != speaker
    press_in_modal(qtbot, Qt.Key.Key_Return)
    qtbot.keyClick(view, Qt.Key.Key_L)
    back_in(qtbot, window)
    assert links(articles) == [(quote, speaker)]
    assert "said_by" in window.span_table.span_model.index(0, 4).data()
    qtbot.keyClick(view, Qt.Key.Key_L, SHIFT)
    assert links(articles) == []


def test_link_needs_a_head_span_and_a_speaker(qtbot, window, articles):
    view = window.view
    mark(qtbot, view, 1, TEXTS[0].index(",”"), Qt.Key.Key_2)
    qtbot.keyClick(view, Qt.Key.Key_L)  # no SPEAKER marked yet: nothing to pick, no dialog
    assert "SPEAKER first" in window.status.currentMessage()
    assert links(articles) == []


def test_undo_and_redo_every_action_with_the_keyboard(qtbot, window, articles):
    view = window.view
    text = TEXTS[0]
    before = snapshot(articles)
    mark(qtbot, view, text.index("Putin"), text.index(" said"), Qt.Key.Key_1)
    mark(qtbot, view, 1, text.index(",”"), Qt.Key.Key_2)
    press_in_modal(qtbot, Qt.Key.Key_Return)
    qtbot.keyClick(view, Qt.Key.Key_L)
    back_in(qtbot, window)
    qtbot.keyClick(view, Qt.Key.Key_3)  # relabel the QUOTE as THREAT: the said_by link goes
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    after = snapshot(articles)
    assert window.undo_stack.count() == 5
    for _ in range(5):
        qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    assert snapshot(articles) == before
    assert window.span_table.span_model.rowCount() == 0
    assert list(window.documents.model.rows().loc[0, ["status", "spans"]]) == ["todo", 0]
    for _ in range(5):
        qtbot.keyClick(view, Qt.Key.Key_Z, CTRL | SHIFT)
    assert snapshot(articles) == after
    assert list(window.documents.model.rows().loc[0, ["status", "spans"]]) == ["in_progress", 1]
    assert [window.span_table.span_model.index(0, c).data() for c in (0, 2)] == ["SPEAKER", TEXTS[0].index("Putin")]
    for _ in range(2):
        qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    assert links(articles) != [] and window.state.links  # the undo brought the link back, on screen too


def test_done_moves_to_the_next_document_not_done(qtbot, window, articles):
    ids = window.documents.visible_ids()
    assert window.current_document() == ids[0]
    qtbot.keyClick(window.view, Qt.Key.Key_Right, ALT)
    assert window.current_document() == ids[1]
    qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL)  # done, and on to the third
    assert window.current_document() == ids[2]
    assert window.view.hasFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL)  # done; the first one is the next not done
    assert window.current_document() == ids[0]
    qtbot.keyClick(window.view, Qt.Key.Key_Left, ALT)
    assert window.current_document() == ids[0]  # nothing before the first
    with articles.read() as session:
        statuses = dict(session.execute(select(DocumentStatus.document_id, DocumentStatus.status)).all())
    assert statuses == {ids[1]: "done", ids[2]: "done"}
    assert window.status.progress.text() == "2 of 3 done"
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)  # undoing "done" goes back to that document
    assert window.current_document() == ids[2]
    assert window.status.progress.text() == "1 of 3 done"


def test_status_filter_and_search_in_the_document_list(qtbot, window, articles):
    qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL)
    panel = window.documents
    panel.filter.setCurrentIndex(1)  # Not done
    assert len(panel.visible_ids()) == 2
    panel.filter.setCurrentIndex(0)
    qtbot.keyClicks(panel.search, "2.t")
    assert len(panel.visible_ids()) == 1


def test_emoji_before_a_span_never_shift_it(qtbot, project, tmp_path):
    text = "Fans 🎉🇫🇷 cheered; 𝐏𝐮𝐭𝐢𝐧 said “we won” 😀 today."
    (tmp_path / "e.txt").write_text(text, encoding="utf-8")
    import_path(project, tmp_path / "e.txt")
    window = open_window(qtbot, project, "alice", tmp_path / "s.ini")
    view = window.view
    for _ in range(4):  # Fans | 🎉 | 🇫🇷 | cheered ... move word by word past the emoji
        qtbot.keyClick(view, Qt.Key.Key_Right, CTRL)
    start = view.selected_range()
    caret = view._from_qt(view.textCursor().position())
    cursor = view.textCursor()
    cursor.setPosition(view._to_qt(text.index("we won")))
    cursor.setPosition(view._to_qt(text.index("” 😀")), cursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    qtbot.keyClick(view, Qt.Key.Key_2)
    with project.read() as session:
        [(s, e)] = session.execute(select(Span.start, Span.end)).all()
    assert text[s:e] == "we won"
    assert window.span_table.span_model.index(0, 1).data() == "we won"
    assert start is None and text[caret - 1] != "\ufffd"


def test_work_survives_closing_and_reopening_and_resumes_at_the_last_document(qtbot, articles, tmp_path):
    settings = tmp_path / "settings.ini"
    window = open_window(qtbot, articles, "alice", settings)
    qtbot.keyClick(window.view, Qt.Key.Key_Right, ALT)
    second = window.current_document()
    qtbot.keyClick(window.view, Qt.Key.Key_Right, CTRL | SHIFT)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    path = articles.url.removeprefix("sqlite:///")
    window.close()  # closes the project file
    reopened = open_project(path)
    again = open_window(qtbot, reopened, "alice", settings)
    assert again.current_document() == second
    assert [(s.label, s.start, s.end) for s in again.state.spans.values()] == [("SPEAKER", 0, 3)]
    assert again.span_table.span_model.rowCount() == 1
    again.close()


def test_f1_lists_the_shortcuts(qtbot, window):
    seen = {}

    def read_and_close(dialog):
        table = dialog.table
        seen["rows"] = {table.item(r, 1).text(): table.item(r, 2).text() for r in range(table.rowCount())}
        dialog.reject()
    when_modal(read_and_close)
    qtbot.keyClick(window.view, Qt.Key.Key_F1)
    assert seen["rows"]["Mark done and go to next"].startswith("Ctrl+Return")
    assert seen["rows"]["Undo"] == "Ctrl+Z"
    assert seen["rows"]["Mark as SPEAKER"] == "1"


def test_menus_show_their_shortcuts(window):
    titles = [m.title() for m in window.menuBar().findChildren(type(window.actions.menus["File"]))
              if m.parent() is window.menuBar()]
    assert titles[:5] == ["&File", "&Edit", "&View", "&Review", "&Help"]
    assert window.actions["edit.redo"].shortcut().toString() == "Ctrl+Shift+Z"


def test_find_in_article(qtbot, window):
    qtbot.keyClick(window.view, Qt.Key.Key_F, CTRL)
    assert window.find_bar.field.hasFocus()
    qtbot.keyClicks(window.find_bar.field, "Kremlin")
    qtbot.keyClick(window.find_bar.field, Qt.Key.Key_Return)
    assert window.view.textCursor().selectedText() == "Kremlin"
    qtbot.keyClick(window.find_bar.field, Qt.Key.Key_Escape)
    assert window.view.hasFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_2)  # the found text is the selection: mark it
    assert [s.label for s in window.state.spans.values()] == ["QUOTE"]


def test_import_dialog_runs_in_a_worker_and_can_be_cancelled(qtbot, window, articles, tmp_path):
    from ui.import_dialog import ImportDialog

    folder = tmp_path / "more"
    folder.mkdir()
    for i in range(3):
        (folder / f"more{i}.txt").write_text(f"Article {i}: the minister said {i} things.", encoding="utf-8")
    dialog = ImportDialog(articles, None, window)
    qtbot.addWidget(dialog)
    dialog.succeeded.connect(window.projects.reload_list)
    dialog.path.setText(str(folder))
    dialog.begin()
    dialog.job.cancel()  # cancelled before the first progress report: nothing imported
    qtbot.waitUntil(lambda: not dialog.running(), timeout=10_000)
    assert "cancelled" in dialog.message.text()
    assert len(window.documents.visible_ids()) == 3
    with qtbot.waitSignal(dialog.succeeded, timeout=10_000):
        dialog.begin()
    assert "3 new documents" in dialog.message.text()
    assert len(window.documents.visible_ids()) == 6


def test_opening_another_project_switches_labels_documents_and_undo(qtbot, window, sample_project, tmp_path):
    qtbot.keyClick(window.view, Qt.Key.Key_Right, CTRL | SHIFT)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    assert window.undo_stack.count() == 1
    window.set_project(sample_project)
    assert window.undo_stack.count() == 0
    assert len(window.documents.visible_ids()) == 5
    assert sorted(window.label_bar.buttons) == ["FIGURE", "QUOTE", "SPEAKER", "THREAT"]
    assert sum(1 for i in window.actions.specs if i.startswith("label.")) == 8  # a key and Alt+key per label


def test_undo_after_someone_else_changed_the_span_refuses_cleanly(qtbot, window, articles):
    from annotator.commands import delete_span

    qtbot.keyClick(window.view, Qt.Key.Key_Right, CTRL | SHIFT)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    [span_id] = list(window.state.spans)
    delete_span(articles, span_id)  # another window or process on the same file
    before = snapshot(articles)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert "changed elsewhere" in window.status.currentMessage()
    assert snapshot(articles) == before
    assert window.undo_stack.count() == 0  # the stale step is dropped, not retried
