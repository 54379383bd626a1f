"""The main window's project: creating, opening and switching it, importing into it and exporting
it, and the reviewer windows on it.

Each open project has one History (annotator/history.py) and one ChangeSignal over it that every
window of it listens to; switching projects closes the reviewer windows of the old one and starts a
new history (the old one's changes belong to the old file).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMessageBox

from annotator.errors import UserError
from annotator.history import History
from annotator.schema import project_schema
from annotator.store import Project, create_project, open_project
from annotator.team.members import server_annotator
from annotator.worklist import document_rows, next_document
from ui.change_signal import ChangeSignal
from ui.document_presenter import APP_TITLE
from ui.live_refresh import LiveRefresh
from ui.review_windows import ReviewWindows

if TYPE_CHECKING:
    from ui.main_window import MainWindow

# The window waits this long for another program's write lock, then says so and retries (ActionQueue).
WINDOW_BUSY_TIMEOUT = 0.3


class ProjectController:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.project: Project | None = None
        self.history: History | None = None  # the open project's edits, undo and redo
        self.changes: ChangeSignal | None = None  # the history's changes, heard by every window
        self.review = ReviewWindows(window)
        self.live = LiveRefresh(window)  # others' progress in the document list, and a removal noticed

    def set_project(self, project: Project) -> None:
        window = self.window
        self.live.stop()
        if self.project is not None and self.project is not project:
            self.project.close()
        self.project = project
        project.busy_timeout = min(project.busy_timeout, WINDOW_BUSY_TIMEOUT)  # never freeze long: retry
        self.review.project_changed()
        if self.changes is not None:
            self.changes.detach()
            self.changes.deleteLater()
        self.history = History(project, check=window.check_step)
        self.changes = ChangeSignal(self.history, window)
        self.changes.changed.connect(window.presenter.show_change)
        window.undo_stack.attach(self.history, self.changes)
        window.presenter.state = None
        login = server_annotator(project)  # on a server you are your login; on a file, the name you gave
        if login is not None:
            window.annotator = login
            window.status.set_annotator(login)
        with project.read() as session:
            schema = project_schema(session)
            rows = document_rows(session, window.annotator)
        window.show_schema(schema)
        window.documents.model.set_rows(rows)
        window.documents.show_queue_first()
        window.presenter.update_progress()
        self.live.watch(project, window.annotator)
        window.settings.add_recent(project.address)  # a file's path, a server's URL without the password
        if rows.empty:
            window.presenter.show_empty("This project has no documents yet: File → Import… (Ctrl+I).")
            return
        last = window.settings.last_document(project.url, window.annotator)
        ids = set(rows["id"].tolist())
        first = last if last in ids else (next_document(rows, None) or int(rows["id"].iloc[0]))
        window.open_document(first)

    def close(self) -> None:
        self.live.stop()
        if self.project is not None:
            self.project.close()
            self.project = None

    # --- choosing a project ---------------------------------------------------------------
    def new_project(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "New project", "project.db", "Project files (*.db)")
        if path:
            self._switch(lambda: create_project(path))

    def open_project_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open project", "", "Project files (*.db);;All files (*)")
        if path:
            self._switch(lambda: open_project(path))

    def _switch(self, opener: Callable[[], Project]) -> None:
        if self.window.queue.pending():
            QMessageBox.information(self.window, APP_TITLE, "Actions are still waiting to be saved (another program "
                                    "is writing to the project); open the other project once they are saved.")
            return
        try:
            project = opener()
        except UserError as exc:
            QMessageBox.warning(self.window, APP_TITLE, str(exc))
            return
        self.set_project(project)

    def fill_recent(self) -> None:
        menu = self.window.recent_menu
        menu.clear()
        for path in self.window.settings.recent_projects():
            action = menu.addAction(path)
            action.triggered.connect(lambda _=False, p=path: self._switch(lambda: open_project(p)))
        if not menu.actions():
            menu.addAction("(none yet)").setEnabled(False)

    # --- import and export ------------------------------------------------------------------
    def import_files(self) -> None:
        if self.project is None:
            self.window.status.showMessage("Open or create a project first.", 5000)
            return
        from ui.import_dialog import ImportDialog  # loads spaCy: only when asked for

        dialog = ImportDialog(self.project, None, self.window)
        dialog.succeeded.connect(self.reload_list)
        dialog.exec()

    def export_files(self) -> None:
        if self.project is None:
            self.window.status.showMessage("Open a project first.", 5000)
            return
        from exports import available_sources  # the export dialog loads spaCy: only when asked for
        from ui.export_dialog import ExportDialog

        with self.project.read() as session:
            sources = available_sources(session)
        ExportDialog(self.project, sources, self.window).exec()

    def train_model(self) -> None:
        if self.project is None:
            self.window.status.showMessage("Open a project first.", 5000)
            return
        from exports import available_sources  # the training dialog loads spaCy: only when asked for
        from ui.train_dialog import TrainDialog

        with self.project.read() as session:
            sources = available_sources(session)
        languages = sorted(set(self.window.documents.model.rows()["lang"]))
        TrainDialog(self.project, sources, languages, self.window).exec()

    def reload_list(self) -> None:
        """After an import: the list again from the file, the open document kept."""
        window = self.window
        current = window.current_document()
        with self.project.read() as session:
            rows = document_rows(session, window.annotator)
        window.documents.model.set_rows(rows)
        window.presenter.update_progress()
        if current is None and not rows.empty:
            window.open_document(int(rows["id"].iloc[0]))
        elif current is not None:
            window.documents.select(current)
