"""Review → Train model: `annotator train` in a worker, with step progress and Cancel.

Cancel stops after the current step and keeps the best model so far, as Ctrl+C does in the CLI; the
message then lists the dev scores of what was written.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QSpinBox, QVBoxLayout

from annotator.store import Project
from training.config import DEFAULT_MAX_STEPS
from training.scores import label_f1
from training.train import TrainOptions, TrainResult, train_project
from ui.task_dialog import Task, TaskDialog

EVERY_LANGUAGE = "every language (one model each)"


class TrainDialog(TaskDialog):
    action_title = "Train"
    what = "training"

    def __init__(self, project: Project, sources: list[str], languages: list[str], parent=None) -> None:
        """`sources`: exports.available_sources; `languages`: the project's document languages."""
        self.project, self.sources, self.languages = project, sources, languages
        super().__init__(parent)
        self.setObjectName("train-dialog")
        self.setWindowTitle("Train model")

    def build_form(self, layout: QVBoxLayout) -> None:
        self.source = QComboBox(self)
        self.source.addItems(self.sources)
        self.lang = QComboBox(self)
        self.lang.addItems([EVERY_LANGUAGE, *self.languages])
        self.steps = QSpinBox(self)
        self.steps.setRange(1, 1_000_000)
        self.steps.setValue(DEFAULT_MAX_STEPS)
        row = self.output_row("A new folder for <lang>/model-best and <lang>/scores.json", "Train into a new folder",
                              "model")
        form = QFormLayout()
        form.addRow("Annotations of", self.source)
        form.addRow("Language", self.lang)
        form.addRow("Training steps", self.steps)
        form.addRow("Into", row)
        layout.addLayout(form)

    def make_task(self) -> Task | None:
        out = self.out.text().strip()
        if not out:
            self.message.setText("Choose a new folder for the model.")
            return None
        lang = None if self.lang.currentText() == EVERY_LANGUAGE else self.lang.currentText()
        options = TrainOptions(source=self.source.currentText(), lang=lang, max_steps=self.steps.value())

        def task(progress, cancelled) -> str:
            return describe(train_project(self.project, out, options, progress, cancelled))
        return task


def describe(result: TrainResult) -> str:
    """What was written and its dev F1 per label, a few lines."""
    lines = []
    for lang, summary in result.languages.items():
        f1 = label_f1(summary["scores"])
        stopped = f", stopped at step {summary['steps'] - 1}" if summary["stopped"] else ""
        lines.append(f"{lang}: {result.out / lang / 'model-best'} (best at step {summary['best_step']}{stopped})")
        lines.append("   dev F1: " + ", ".join(f"{label} {'—' if v is None else f'{v:.2f}'}" for label, v in f1.items()))
    lines += [f"{lang}: not trained ({why})" for lang, why in result.not_trained.items()]
    lines += [f"warning: {warning}" for warning in result.warnings[:3]]
    return "\n".join(lines)
