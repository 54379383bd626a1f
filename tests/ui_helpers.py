"""Helpers for window tests: a window on a real project file, settings in a temp INI file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from annotator.store import Project
from ui.main_window import MainWindow
from ui.settings import Settings


def open_window(qtbot, project: Project, annotator: str, settings_file: Path) -> MainWindow:
    window = MainWindow(project, annotator, Settings(QSettings(str(settings_file), QSettings.Format.IniFormat)))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def window_on_text(qtbot, project: Project, tmp_path: Path, text: str, annotator: str = "alice") -> MainWindow:
    """A window on a project holding one article with `text`, imported from a file as a user would."""
    from annotator.importing import import_path

    path = tmp_path / "article.txt"
    path.write_text(text, encoding="utf-8", newline="")
    import_path(project, path)
    return open_window(qtbot, project, annotator, tmp_path / "settings.ini")


def when_modal(callback, poll_ms: int = 20) -> None:
    """Call `callback(dialog)` as soon as a modal dialog is open (call this just before the key or
    click that opens it). Polls instead of waiting a fixed time: on a loaded machine a fixed delay
    can fire before the dialog exists, and then nothing ever closes it."""
    from PySide6.QtCore import QTimer

    def check() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(poll_ms, check)
        else:
            callback(dialog)

    QTimer.singleShot(poll_ms, check)
