"""Start the window: `annotator gui [PROJECT] [--annotator NAME]`."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from annotator.errors import UserError
from annotator.store import Project, open_project
from annotator.team.members import offer_to_join, server_annotator, team_add
from ui.main_window import MainWindow
from ui.settings import Settings
from ui.theme import apply_theme


def run(project: str | None, annotator: str | None) -> int:
    """Open the window on a project (or none) and return the exit code when it closes."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Quote annotator")
    app.setOrganizationName("quote-annotator")
    settings = Settings()
    apply_theme(app, settings.theme)
    opened = open_project(project) if project else None  # a UserError here is printed by the CLI
    login = server_annotator(opened, annotator) if opened else None  # on a server: the login, never asked
    name = login or annotator or settings.annotator or ask_annotator()
    if not name:
        raise UserError("no annotator name given; start with --annotator NAME")
    if opened is not None and login is None:
        join(opened, name)
    if login is None:
        settings.annotator = name
    window = MainWindow(opened, name, settings)
    window.show()
    return app.exec()


def join(project: Project, name: str) -> None:
    """A name the project file does not know: add it to the team, or stop (nothing written)."""
    team = offer_to_join(project, name)
    if team is None:
        return
    on_it = ", ".join(team) or "nobody now"
    asked = QMessageBox.question(None, "Quote annotator", f"{name} is not on the team of {project.name} (on it: {on_it}).\n"
                                 f"Add {name} as an annotator? (No: quit, and start again with your own name.)")
    if asked != QMessageBox.StandardButton.Yes:
        raise UserError(f"{name} is not on the team of {project.name} (on it: {on_it}); start with --annotator "
                        "and your name on it, or say yes to be added")
    team_add(project, name, "annotator")


def ask_annotator() -> str:
    """First start: ask who is annotating (remembered afterwards)."""
    name, accepted = QInputDialog.getText(None, "Quote annotator", "Your annotator name (stored with every span):")
    return name.strip() if accepted else ""
