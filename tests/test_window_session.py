"""Whole sessions: five sample articles by keyboard alone, a kill mid-session, export, themes."""

import json
import os
import signal
import subprocess
import sys
import textwrap

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from annotator import queries
from annotator.store import open_project
from tests.ui_helpers import open_window, when_modal

CTRL, SHIFT, ALT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.AltModifier


def test_five_sample_articles_labelled_and_linked_with_the_keyboard_alone(qtbot, sample_project, tmp_path):
    window = open_window(qtbot, sample_project, "dave", tmp_path / "s.ini")
    view = window.view
    for _ in range(5):
        assert view.hasFocus()
        for _ in range(2):
            qtbot.keyClick(view, Qt.Key.Key_Right, CTRL | SHIFT)
        qtbot.keyClick(view, Qt.Key.Key_1)  # SPEAKER: the opening words
        for _ in range(3):
            qtbot.keyClick(view, Qt.Key.Key_Right, CTRL | SHIFT)
        qtbot.keyClick(view, Qt.Key.Key_2)  # QUOTE: the next words; it stays selected
        when_modal(lambda dialog: qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return))
        qtbot.keyClick(view, Qt.Key.Key_L)
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window and view.hasFocus())
        assert len(window.state.links) == 1
        qtbot.keyClick(view, Qt.Key.Key_Return, CTRL)
    with sample_project.read() as session:
        spans = queries.spans(session, annotators=["dave"])
        links = queries.relations(session).query("annotator == 'dave'")
        statuses = queries.statuses(session).query("annotator == 'dave'")
    assert len(spans) == 10 and sorted(spans["label"].unique()) == ["QUOTE", "SPEAKER"]
    assert len(links) == 5 and set(links["label"]) == {"said_by"}
    assert list(statuses["status"]) == ["done"] * 5
    assert window.status.progress.text() == "5 of 5 done"


def test_skip_moves_on_and_is_undoable(qtbot, sample_project, tmp_path):
    window = open_window(qtbot, sample_project, "dave", tmp_path / "s.ini")
    first = window.current_document()
    qtbot.keyClick(window.view, Qt.Key.Key_S, CTRL | SHIFT)
    assert window.current_document() != first
    with sample_project.read() as session:
        statuses = queries.statuses(session).query("annotator == 'dave'")
    assert statuses.set_index("document_id").at[first, "status"] == "skipped"
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert window.current_document() == first
    assert window.documents.model.rows().set_index("id").at[first, "status"] == "todo"


KILLED_SESSION = textwrap.dedent("""
    import os, signal, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from annotator.store import open_project
    from ui.main_window import MainWindow
    from ui.settings import Settings

    app = QApplication([])
    window = MainWindow(open_project(sys.argv[1]), "dave", Settings(QSettings(sys.argv[2], QSettings.Format.IniFormat)))
    window.show()
    window.activateWindow()
    for _ in range(50):
        app.processEvents()
    view = window.view
    QTest.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)   # second document
    QTest.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    QTest.keyClick(view, Qt.Key.Key_1)
    print("confirmed", window.status.saved.text(), len(window.state.spans), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # no clean-up, no close, no flush
""")


def test_a_kill_right_after_an_action_loses_nothing_and_reopening_resumes(qtbot, sample_project, tmp_path):
    path = sample_project.url.removeprefix("sqlite:///")
    settings = tmp_path / "s.ini"
    sample_project.close()
    run = subprocess.run([sys.executable, "-c", KILLED_SESSION, path, str(settings)], capture_output=True, text=True,
                         cwd=os.getcwd(), timeout=120)
    assert run.returncode == -signal.SIGKILL, run.stderr
    assert "confirmed ✓ saved" in run.stdout and run.stdout.strip().endswith("1")
    reopened = open_project(path)
    window = open_window(qtbot, reopened, "dave", settings)
    ids = window.documents.visible_ids()
    assert window.current_document() == ids[1]  # resumes at the last document
    assert [s.label for s in window.state.spans.values()] == ["SPEAKER"]
    window.close()


def test_export_dialog_writes_in_a_worker(qtbot, sample_project, tmp_path):
    from ui.export_dialog import ExportDialog

    dialog = ExportDialog(sample_project, ["alice", "bob", "carol"])
    qtbot.addWidget(dialog)
    dialog.format.setCurrentText("prodigy")
    dialog.source.setCurrentText("alice")
    dialog.out.setText(str(tmp_path / "out"))
    with qtbot.waitSignal(dialog.succeeded, timeout=60_000):
        dialog.begin()
    lines = (tmp_path / "out" / "prodigy.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5 and all(json.loads(line)["spans"] for line in lines)
    dialog.out.setText(str(tmp_path / "cancelled"))
    dialog.begin()
    dialog.job.cancel()
    qtbot.waitUntil(lambda: not dialog.running(), timeout=60_000)
    assert "cancelled" in dialog.message.text()
    assert not (tmp_path / "cancelled").exists()


def test_dark_theme_is_remembered(qtbot, sample_project, tmp_path):
    window = open_window(qtbot, sample_project, "alice", tmp_path / "s.ini")
    light = QApplication.palette().base().color().lightness()
    qtbot.keyClick(window.view, Qt.Key.Key_D, CTRL | SHIFT)
    assert QApplication.palette().base().color().lightness() < light
    assert window.settings.theme == "dark"
    qtbot.keyClick(window.view, Qt.Key.Key_D, CTRL | SHIFT)
    assert window.settings.theme == "light"
    assert sample_project.address in window.settings.recent_projects()
