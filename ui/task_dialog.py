"""Long work (import, export) off the UI thread: a worker with progress, Cancel, and a summary.

Subclasses give the form (`build_form`) and the work (`make_task`): a function
`task(progress, cancelled) -> summary` that runs in a QThread. The core's
functions are all-or-nothing, so a cancelled or failed task leaves the project
and the disk as they were.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QProgressBar, QVBoxLayout

from annotator.errors import UserError

Progress = Callable[[int, int], None]
Task = Callable[[Progress, Callable[[], bool]], str]


class Cancelled(Exception):
    pass


class TaskWorker(QObject):
    progress = Signal(int, int)  # done, total
    finished = Signal(str)  # summary
    failed = Signal(str)  # one-line message

    def __init__(self, task: Task, what: str) -> None:
        super().__init__()
        self.task, self.what = task, what
        self.cancelled = False

    def _report(self, done: int, total: int) -> None:
        if self.cancelled:
            raise Cancelled()
        self.progress.emit(done, total)

    @Slot()
    def run(self) -> None:
        try:
            summary = self.task(self._report, lambda: self.cancelled)
        except Cancelled:
            self.failed.emit(f"{self.what} cancelled; nothing was changed")
        except UserError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # the dialog must always end; show what went wrong
            self.failed.emit(f"{self.what} failed ({type(exc).__name__}: {exc})")
        else:
            self.finished.emit(summary)


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
        self.thread: QThread | None = None
        self.worker: TaskWorker | None = None

    def build_form(self, layout: QVBoxLayout) -> None:
        raise NotImplementedError

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
        self.thread = QThread(self)
        self.worker = TaskWorker(task, self.what)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        # quit() is thread-safe: called directly from the worker so that _finish can wait for the thread.
        for signal in (self.worker.finished, self.worker.failed):
            signal.connect(self.thread.quit, Qt.ConnectionType.DirectConnection)
        self.worker.progress.connect(self._progress)
        self.worker.finished.connect(self._done)
        self.worker.failed.connect(self._failed)
        self.thread.start()

    def running(self) -> bool:
        return self.thread is not None and self.thread.isRunning()

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
        if self.thread is not None:
            self.thread.wait()
        self.start.setEnabled(True)
        self.cancel.setText("Close")

    def _cancel(self) -> None:
        if self.running():
            self.worker.cancelled = True
            self.message.setText("Cancelling…")
        else:
            self.reject()

    def closeEvent(self, event) -> None:
        if self.running():
            self.worker.cancelled = True
            self.thread.wait()
        super().closeEvent(event)
