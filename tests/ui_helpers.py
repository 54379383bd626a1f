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
