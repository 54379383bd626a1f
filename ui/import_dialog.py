"""File → Import: a file or folder into the open project, in a worker (see task_dialog)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout

from annotator.importing import ImportOptions, import_path
from annotator.store import Project
from ui.task_dialog import Task, TaskDialog


class ImportDialog(TaskDialog):
    action_title = "Import"
    what = "import"

    def __init__(self, project: Project, annotator: str | None, parent=None) -> None:
        self.project, self.annotator = project, annotator
        super().__init__(parent)
        self.setObjectName("import-dialog")
        self.setWindowTitle("Import")

    def build_form(self, layout: QVBoxLayout) -> None:
        self.path = QLineEdit(self)
        self.path.setObjectName("import-path")
        self.path.setPlaceholderText("A file (txt, jsonl, csv, Prodigy, doccano) or a folder of .txt")
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        layout.addLayout(row)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import file", "", "Articles (*.txt *.jsonl *.csv);;All files (*)")
        if path:
            self.path.setText(path)

    def make_task(self) -> Task | None:
        if not self.path.text().strip():
            self.message.setText("Choose a file or folder to import.")
            return None
        path, options = Path(self.path.text().strip()), ImportOptions(annotator=self.annotator)

        def task(progress, _cancelled) -> str:  # import cancels by raising from its progress callback
            result = import_path(self.project, path, options, progress)
            summary = (f"{path.name}: {result.documents_added} new documents, {result.duplicates} already present, "
                       f"{result.spans_added} spans, {result.relations_added} links")
            return "\n".join([summary] + [f"warning: {w}" for w in result.warnings])
        return task
