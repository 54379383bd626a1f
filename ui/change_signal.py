"""The one adapter from the core History to Qt: a `changed(Change)` signal per open project.

Every change the project's History writes — a command from any window or core caller, an undo, a
redo — is emitted here once, in order, and every window of the project listens (the main window's
presenter, the compare view, the agreement dashboard, the undo and redo actions). Each view redraws
only what the Change touched (`change.documents()`, `spans_touched()`, `links_touched()`).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from annotator.history import History


class ChangeSignal(QObject):
    changed = Signal(object)  # a committed Change

    def __init__(self, history: History, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self._unsubscribe = history.subscribe(self.changed.emit)

    def detach(self) -> None:
        """Stop hearing the history (its project is being closed); the signal stays silent."""
        self._unsubscribe()
