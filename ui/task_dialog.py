"""Long work (import, export) off the UI thread: a dialog with progress, Cancel, and a summary.

Subclasses give the form (`build_form`) and the work (`make_task`): a function
`task(progress, cancelled) -> summary` that runs in the background (ui.background). The core's
functions are all-or-nothing, so a cancelled or failed task leaves the project and the disk as
they were.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QProgressBar,
                               QPushButton, QVBoxLayout)

from ui.background import BackgroundJob, Progress, run_in_background

Task = Callable[[Progress, Callable[[], bool]], str]


class TaskDialog(QDialog):
    succeeded = Signal()
    action_title = "Run"
    what = "task"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("task-progress")
        self.message = QLabel(self)
        self.message.setObjectName("task-message")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons = QDialogButtonBox(self)
        self.start = self.buttons.addButton(self.action_title, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.start.clicked.connect(self.begin)
        self.cancel.clicked.connect(self._cancel)
        layout = QVBoxLayout(self)
        self.build_form(layout)
        layout.addWidget(self.bar)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(600, 200)
        self.job: BackgroundJob | None = None  # the task running, until its answer arrives

    def build_form(self, layout: QVBoxLayout) -> None:
        raise NotImplementedError

    def output_row(self, placeholder: str, caption: str, suggestion: str) -> QHBoxLayout:
        """The field for a new folder to write into (`self.out`), with its Browse… button."""
        self.out = QLineEdit(self)
        self.out.setPlaceholderText(placeholder)
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(lambda: self._browse(caption, suggestion))
        row = QHBoxLayout()
        row.addWidget(self.out, 1)
        row.addWidget(browse)
        return row

    def _browse(self, caption: str, suggestion: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self, caption, suggestion)
        if path:
            self.out.setText(path)

    def make_task(self) -> Task | None:
        """The work to run, or None after telling the user what is missing."""
        raise NotImplementedError

    def begin(self) -> None:
        task = self.make_task()
        if task is None:
            return
        self.start.setEnabled(False)
        self.message.setText(f"{self.what.capitalize()} running…")
        self.bar.setRange(0, 0)
        self.job = run_in_background(task, self.what, self._done, self._failed, self._progress)

    def running(self) -> bool:
        return self.job is not None

    def _progress(self, done: int, total: int) -> None:
        if total > 0:
            scale = max(1, total // 1_000_000)  # QProgressBar holds ints up to 2**31
            self.bar.setRange(0, total // scale)
            self.bar.setValue(done // scale)

    def _done(self, summary: str) -> None:
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.message.setText(summary)
        self._finish()
        self.succeeded.emit()

    def _failed(self, message: str) -> None:
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.message.setText(message)
        self._finish()

    def _finish(self) -> None:
        if self.job is not None:
            self.job.wait()
            self.job = None
        self.start.setEnabled(True)
        self.cancel.setText("Close")

    def _cancel(self) -> None:
        if self.running():
            self.job.cancel()
            self.message.setText("Cancelling…")
        else:
            self.reject()

    def closeEvent(self, event) -> None:
        if self.running():
            self.job.cancel()
            self.job.wait()
        super().closeEvent(event)
