"""Import files into the open project in a worker thread, with progress and Cancel.

The core import is one transaction per path: Cancel raises inside its progress
callback, the transaction rolls back, and the project is exactly as before.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit,
                               QProgressBar, QPushButton, QVBoxLayout)

from annotator.errors import UserError
from annotator.importers import ImportOptions, import_path
from annotator.store import Project


class Cancelled(Exception):
    pass


class ImportWorker(QObject):
    progress = Signal(int, int)  # bytes done, bytes total
    finished = Signal(str)  # summary
    failed = Signal(str)  # one-line message

    def __init__(self, project: Project, path: Path, options: ImportOptions) -> None:
        super().__init__()
        self.project, self.path, self.options = project, path, options
        self.cancelled = False

    def _report(self, done: int, total: int) -> None:
        if self.cancelled:
            raise Cancelled()
        self.progress.emit(done, total)

    @Slot()
    def run(self) -> None:
        try:
            result = import_path(self.project, self.path, self.options, self._report)
        except Cancelled:
            self.failed.emit(f"{self.path}: import cancelled; nothing was imported")
        except UserError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # the dialog must always end; show what went wrong
            self.failed.emit(f"{self.path}: import failed ({type(exc).__name__}: {exc})")
        else:
            self.finished.emit(f"{self.path.name}: {result.documents_added} new documents, {result.duplicates} "
                               f"already present, {result.spans_added} spans, {result.relations_added} links")


class ImportDialog(QDialog):
    imported = Signal()

    def __init__(self, project: Project, annotator: str | None, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("import-dialog")
        self.setWindowTitle("Import")
        self.project = project
        self.annotator = annotator
        self.path = QLineEdit(self)
        self.path.setObjectName("import-path")
        self.path.setPlaceholderText("A file (txt, jsonl, csv, Prodigy, doccano) or a folder of .txt")
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("import-progress")
        self.message = QLabel(self)
        self.message.setObjectName("import-message")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.start = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.start.clicked.connect(self.begin)
        self.cancel.clicked.connect(self._cancel)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.bar)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(560, 160)
        self.thread: QThread | None = None
        self.worker: ImportWorker | None = None

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import file", "", "Articles (*.txt *.jsonl *.csv);;All files (*)")
        if path:
            self.path.setText(path)

    def begin(self) -> None:
        path = Path(self.path.text().strip())
        if not self.path.text().strip():
            self.message.setText("Choose a file or folder to import.")
            return
        self.start.setEnabled(False)
        self.message.setText("Importing…")
        self.bar.setRange(0, 0)
        self.thread = QThread(self)
        self.worker = ImportWorker(self.project, path, ImportOptions(annotator=self.annotator))
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
        self.imported.emit()

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
