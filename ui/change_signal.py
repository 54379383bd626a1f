"""One `changed(Change)` signal per open project, which every window of that project listens to.

Whoever commits a Change announces it here — a window's command, an undo or a redo from any
window (CoreCommand) — so no window is left showing an old state. Its only input is "a Change
happened" (`announce`), so a core history of changes can drive it as it is. Each view redraws
only what the Change touched (`change.documents()`, `spans_touched()`, `links_touched()`).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from annotator.changes import Change


class ChangeSignal(QObject):
    changed = Signal(object)  # a committed Change

    def announce(self, change: Change) -> None:
        self.changed.emit(change)
