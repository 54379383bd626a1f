"""The status bar: who is annotating, progress (n of N done) and when the last action was saved."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QLabel, QStatusBar

WAITING = "Another program is writing; retrying…"


def show_waiting(bar: QStatusBar, count: int) -> None:
    """Say (in any window's status bar) that actions wait for another program's write lock; clear it
    once none waits (0)."""
    if count:
        bar.showMessage(WAITING)
    elif bar.currentMessage() == WAITING:
        bar.clearMessage()


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

    def set_progress(self, done: int, total: int, assigned: bool = False, skipped: int = 0) -> None:
        text = f"{done} of {total}{' assigned' if assigned else ''} done"
        self.progress.setText(text + (f" · {skipped} skipped" if skipped else ""))

    def mark_saved(self) -> None:
        """Called only after the project file committed the action."""
        self.saved.setText(f"✓ saved {datetime.now():%H:%M:%S}")

    def set_waiting(self, count: int) -> None:
        """Actions waiting while another program writes to the project (0: all went through)."""
        show_waiting(self, count)
        if count:
            self.saved.setText(f"{count} waiting to be saved")
        elif self.saved.text().endswith("waiting to be saved"):  # the last one was refused, not saved
            self.saved.setText("✓ all saved")

    def error(self, message: str) -> None:
        self.showMessage(f"⚠ {message}", 10_000)
