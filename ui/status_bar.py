"""The status bar: who is annotating, progress (n of N done) and when the last action was saved."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QLabel, QStatusBar


class StatusBar(QStatusBar):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.annotator = QLabel(self)
        self.annotator.setObjectName("status-annotator")
        self.progress = QLabel(self)
        self.progress.setObjectName("status-progress")
        self.saved = QLabel(self)
        self.saved.setObjectName("status-saved")
        self.saved.setText("✓ all saved")
        self.saved.setToolTip("Every action is written to the project file before it shows here.")
        for label in (self.annotator, self.progress, self.saved):
            label.setContentsMargins(10, 0, 10, 0)
            self.addPermanentWidget(label)

    def set_annotator(self, name: str) -> None:
        self.annotator.setText(f"Annotator: {name}")

    def set_progress(self, done: int, total: int) -> None:
        self.progress.setText(f"{done} of {total} done")

    def mark_saved(self) -> None:
        """Called only after the project file committed the action."""
        self.saved.setText(f"✓ saved {datetime.now():%H:%M:%S}")

    def set_waiting(self, count: int) -> None:
        """Actions waiting while another program writes to the project (0: all went through)."""
        if count:
            self.saved.setText(f"{count} waiting to be saved")
            self.showMessage("Another program is writing; retrying…")
            return
        if self.saved.text().endswith("waiting to be saved"):  # the last one was refused, not saved
            self.saved.setText("✓ all saved")
        if self.currentMessage().startswith("Another program is writing"):
            self.clearMessage()

    def error(self, message: str) -> None:
        self.showMessage(f"⚠ {message}", 10_000)
