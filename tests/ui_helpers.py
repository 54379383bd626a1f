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
