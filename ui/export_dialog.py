"""File → Export: training data (spaCy, Prodigy, doccano, CSV) from the open project, in a worker."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QVBoxLayout

from annotator.store import Project
from exports import FORMATS, PASSAGE_MODES, ExportOptions, export_project
from ui.task_dialog import Task, TaskDialog


class ExportDialog(TaskDialog):
    action_title = "Export"
    what = "export"

    def __init__(self, project: Project, sources: list[str], parent=None) -> None:
        """`sources`: what the project can export (exports.available_sources)."""
        self.project, self.sources = project, sources
        super().__init__(parent)
        self.setObjectName("export-dialog")
        self.setWindowTitle("Export")

    def build_form(self, layout: QVBoxLayout) -> None:
        self.format = QComboBox(self)
        self.format.addItems(list(FORMATS))
        self.source = QComboBox(self)
        self.source.addItems(self.sources)
        self.passages = QComboBox(self)  # spaCy only: one Doc per document, paragraph or sentence
        self.passages.setObjectName("export-passages")
        self.passages.addItems(list(PASSAGE_MODES))
        self.passages.setCurrentText(ExportOptions().passages)
        self.format.currentTextChanged.connect(lambda fmt: self.passages.setEnabled(fmt == "spacy"))
        row = self.output_row("A new folder for the exported files", "Export into a new folder", "export")
        form = QFormLayout()
        form.addRow("Format", self.format)
        form.addRow("Annotations of", self.source)
        form.addRow("spaCy Docs per", self.passages)
        form.addRow("Into", row)
        layout.addLayout(form)

    def make_task(self) -> Task | None:
        if not self.out.text().strip():
            self.message.setText("Choose a new folder to export into.")
            return None
        out = self.out.text().strip()
        options = ExportOptions(format=self.format.currentText(), source=self.source.currentText(),
                                passages=self.passages.currentText())

        def task(progress, cancelled) -> str:
            result = export_project(self.project, out, options, progress, cancelled)
            lines = [f"exported to {result.out}"] + [f"warning: {w}" for w in result.warnings[:3]]
            return "\n".join(lines)
        return task
