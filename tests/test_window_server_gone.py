"""The window on a PostgreSQL project whose server goes away: it never claims "saved", keeps every
action in order, writes each once when the server is back, and asks before closing with actions
waiting — the marks can be written to a file that `annotator import` takes back.

Runs against a server of its own that it stops and starts (tests/pg_cluster.py)."""

import json
import uuid

import pytest
from PySide6.QtCore import Qt

from annotator.store import create_project, open_project
from tests.cli_process import run_cli
from tests.test_server_gone import TEXT, link, server, spans  # noqa: F401 — fixtures used here too
from tests.ui_helpers import window_on_text
from ui.connection_status import WAIT, WRITE, DISCARD, ConnectionStatus

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def database(server):  # noqa: F811
    url = server.new_database(f"window_{uuid.uuid4().hex[:8]}")
    create_project(url).close()
    return url


def _window(qtbot, url, tmp_path):
    window = window_on_text(qtbot, open_project(url), tmp_path, TEXT)
    window.queue.reconnect_ms = (100, 400)  # the same backoff, faster, for the test
    window.open_document(1)
    return window


def _mark_next_word(qtbot, window, key):
    qtbot.keyClick(window.view, Qt.Key.Key_Right, CTRL | SHIFT)
    qtbot.keyClick(window.view, key)


def _marked(url):
    return [row[1:] for row in spans(url)]


def test_marks_made_while_the_server_is_down_wait_in_order_and_are_written_once_when_it_is_back(
        qtbot, server, database, tmp_path):  # noqa: F811
    window = _window(qtbot, database, tmp_path)
    server.stop()
    _mark_next_word(qtbot, window, Qt.Key.Key_1)  # "Vladimir"
    assert window.status.saved.text() == "not saved — reconnecting (1 actions waiting)"
    _mark_next_word(qtbot, window, Qt.Key.Key_2)  # "Putin", behind it
    assert window.status.saved.text() == "not saved — reconnecting (2 actions waiting)"
    qtbot.wait(1000)  # several tries meet no server; nothing claims to be saved meanwhile
    assert window.status.saved.text() == "not saved — reconnecting (2 actions waiting)"
    assert "cannot be reached" in window.status.currentMessage()
    assert window.span_table.span_model.rowCount() == 0  # shown only once stored
    window.open_document(1)  # reading fails too: said in the status bar, the article stays
    assert "cannot reach postgresql" in window.status.currentMessage() and window.current_document() == 1
    server.start()
    qtbot.waitUntil(lambda: window.queue.pending() == 0, timeout=20_000)
    assert _marked(database) == [("SPEAKER", 0, 8), ("QUOTE", 9, 14)]
    assert window.status.saved.text().startswith("✓ reconnected — 2 waiting actions saved")
    assert window.span_table.span_model.rowCount() == 2 and window.undo_stack.count() == 2
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)  # undo works on what was written
    assert _marked(database) == [("SPEAKER", 0, 8)]
    window.close()


def test_a_mark_whose_commit_answer_was_lost_is_not_doubled(qtbot, link, database, tmp_path):  # noqa: F811
    window = _window(qtbot, link.url(database.rsplit("/", 1)[1]), tmp_path)
    link.cut_at_commit(deliver=True)
    _mark_next_word(qtbot, window, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: window.queue.pending() == 0, timeout=20_000)
    assert link.cuts == 1
    assert _marked(database) == [("SPEAKER", 0, 8)]
    assert window.status.saved.text().startswith("✓ reconnected — 1 waiting actions saved")
    assert window.span_table.span_model.rowCount() == 1
    assert window.undo_stack.count() == 1 and "⚠" not in window.status.currentMessage()  # not refused as a duplicate
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert _marked(database) == []
    window.close()


def _answer(monkeypatch, answer: str, path=None) -> list:
    asked = []
    monkeypatch.setattr(ConnectionStatus, "ask_before_closing",
                        lambda self, count, marks, left_out: asked.append((count, marks, left_out)) or answer)
    monkeypatch.setattr(ConnectionStatus, "choose_file", lambda self: str(path) if path else "")
    return asked


def test_closing_while_marks_wait_writes_them_to_a_file_that_import_takes_back(
        qtbot, server, database, tmp_path, monkeypatch):  # noqa: F811
    window = _window(qtbot, database, tmp_path)
    server.stop()
    for key in (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_2):  # "Vladimir", "Putin", "said"
        _mark_next_word(qtbot, window, key)
    saved = tmp_path / "waiting.jsonl"
    asked = _answer(monkeypatch, WAIT)
    window.close()
    assert window.isVisible() and asked == [(3, 3, 0)]  # kept waiting: still open, nothing lost
    _answer(monkeypatch, WRITE, saved)
    window.close()
    assert not window.isVisible() and window.queue.pending() == 0
    records = [json.loads(line) for line in saved.read_text(encoding="utf-8").splitlines()]
    assert [(r["text"], r["_annotator_id"]) for r in records] == [(TEXT, "alice")]
    server.start()
    assert _marked(database) == []  # nothing reached the server
    result = run_cli("import", database, str(saved))
    assert result.returncode == 0, result.stderr
    assert _marked(database) == [("SPEAKER", 0, 8), ("QUOTE", 9, 14), ("QUOTE", 15, 19)]
    again = run_cli("import", database, str(saved))  # imported twice: still once each
    assert again.returncode == 0, again.stderr
    assert len(spans(database)) == 3
    project = open_project(database)
    with project.read() as session:
        from sqlalchemy import text

        assert session.execute(text("SELECT d.name, a.name, s.status FROM document_status s JOIN documents d "
                                    "ON d.id = s.document_id JOIN annotators a ON a.id = s.annotator_id")).all() \
            == [("article.txt", "alice", "in_progress")]  # as marking in the window leaves it
    project.close()


def test_only_the_marks_before_another_kind_of_action_go_in_the_file_and_discard_closes(
        qtbot, server, database, tmp_path, monkeypatch):  # noqa: F811
    window = _window(qtbot, database, tmp_path)
    server.stop()
    _mark_next_word(qtbot, window, Qt.Key.Key_1)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)  # an undo waits behind it: a file cannot say that
    _mark_next_word(qtbot, window, Qt.Key.Key_2)
    asked = _answer(monkeypatch, DISCARD)
    window.close()
    assert asked == [(3, 1, 2)] and not window.isVisible() and window.queue.pending() == 0
    server.start()
    assert _marked(database) == []
