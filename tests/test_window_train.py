"""Review → Train model…: training in the background, with step progress, Cancel, and the scores at the end."""

import json

import spacy
from PySide6.QtWidgets import QApplication

from tests.ui_helpers import open_window
from ui.train_dialog import TrainDialog


def _menu_opens_the_dialog(qtbot, window) -> dict:
    """Review → Train model… opens the dialog (modal: its exec() runs until closed); what it offers."""
    from PySide6.QtCore import QTimer

    offered = {}

    def look_and_close():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, TrainDialog):
            QTimer.singleShot(50, look_and_close)
            return
        offered["sources"] = [dialog.source.itemText(i) for i in range(dialog.source.count())]
        offered["languages"] = [dialog.lang.itemText(i) for i in range(1, dialog.lang.count())]
        dialog.reject()

    QTimer.singleShot(0, look_and_close)
    window.actions["review.train"].trigger()  # returns once the dialog is closed
    return offered


def test_train_from_the_window_writes_the_model_and_shows_its_scores(qtbot, sample_project, tmp_path):
    window = open_window(qtbot, sample_project, "alice", tmp_path / "s.ini")
    assert window.actions["review.train"] in window.actions.menus["Review"].actions()
    offered = _menu_opens_the_dialog(qtbot, window)
    assert offered == {"sources": ["majority", "alice", "bob", "carol"], "languages": ["en", "fr"]}
    dialog = TrainDialog(sample_project, offered["sources"], offered["languages"])
    qtbot.addWidget(dialog)
    dialog.source.setCurrentText("alice")
    dialog.lang.setCurrentText("en")
    dialog.steps.setValue(1)
    dialog.out.setText(str(tmp_path / "model"))
    steps = []
    with qtbot.waitSignal(dialog.succeeded, timeout=180_000):
        dialog.begin()
        dialog.job.progress.connect(lambda done, total: steps.append((done, total)))
    assert steps == [(1, 2), (2, 2)]  # steps 0 and 1, each reported
    assert "en: " in dialog.message.text() and "dev F1: SPEAKER" in dialog.message.text()
    scores = json.loads((tmp_path / "model" / "en" / "scores.json").read_text(encoding="utf-8"))
    assert scores["source"] == "alice" and scores["steps"] == 2 and not scores["stopped"]
    assert spacy.load(tmp_path / "model" / "en" / "model-best").pipe_names == ["tok2vec", "ner", "spancat"]

    dialog.out.setText(str(tmp_path / "cancelled"))  # Cancel: stops after the step, keeps the best so far
    dialog.steps.setValue(100_000)
    dialog.begin()
    dialog.job.progress.connect(lambda done, total: dialog.cancel.click() if done == 2 else None)
    qtbot.waitUntil(lambda: not dialog.running(), timeout=180_000)
    assert "stopped at step" in dialog.message.text(), dialog.message.text()
    scores = json.loads((tmp_path / "cancelled" / "en" / "scores.json").read_text(encoding="utf-8"))
    assert scores["stopped"] and 2 <= scores["steps"] < 100_001
    window.close()
