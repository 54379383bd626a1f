"""Opens the reviewer windows (agreement dashboard, compare view) for the main window's project.

They are reused while the project stays the same, and closed as soon as the
main window switches projects (the old project is closed by then).
"""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QWidget

from ui.agreement_dashboard import AgreementDashboard
from ui.compare_view import CompareWindow
from ui.team_progress import TeamProgressWindow


class ReviewWindows:
    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.dashboard: AgreementDashboard | None = None
        self.compare: CompareWindow | None = None
        self.team: TeamProgressWindow | None = None

    def project_changed(self) -> None:
        """Close the windows that show another project than the main window's."""
        for attribute in ("dashboard", "compare", "team"):
            shown = getattr(self, attribute)
            if shown is not None and shown.project is not self.window.project:
                shown.close()
                shown.deleteLater()
                setattr(self, attribute, None)

    def open_windows(self) -> list[QMainWindow]:
        """The reviewer windows with actions of their own (for F1)."""
        return [self.compare] if self.compare is not None else []

    def _project(self):
        if self.window.project is None:
            self.window.statusBar().showMessage("Open a project first.", 5000)
            return None
        self.project_changed()
        return self.window.project

    def agreement(self) -> None:
        project = self._project()
        if project is None:
            return
        if self.dashboard is None:
            self.dashboard = AgreementDashboard(project, self.window.changes, self.window)
            self.dashboard.document_chosen.connect(self.compare_document)
        self.dashboard.compute()  # statuses may have changed since it was last shown
        _bring_up(self.dashboard)

    def team_progress(self) -> None:
        project = self._project()
        if project is None:
            return
        if self.team is None:
            self.team = TeamProgressWindow(project, self.window)
            self.window.changes.changed.connect(self.team.show_change)
        self.team.refresh()  # statuses may have changed since it was last shown
        _bring_up(self.team)

    def compare_current(self) -> None:
        document = self.window.current_document()
        if document is None:
            self.window.statusBar().showMessage("Open a document first, then compare it.", 5000)
            return
        self.compare_document(document)

    def compare_document(self, document_id: int) -> None:
        project = self._project()
        if project is None:
            return
        if self.compare is None:
            # The main window's queued history (one history and one write queue for everything done in
            # this session) and the project's changes (what any window does shows in both).
            self.compare = CompareWindow(project, self.window.annotator, self.window.undo_stack,
                                         self.window.changes, self.window)
        self.compare.open_document(document_id)
        _bring_up(self.compare)


def _bring_up(window: QWidget) -> None:
    window.show()
    window.raise_()
    window.activateWindow()
