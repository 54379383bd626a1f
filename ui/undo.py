"""QUndoCommands over core Changes, and the queue that writes them while another program writes.

The core already did an action when its CoreCommand is pushed; undo and redo replay it. Every
write of the window — an action, an undo, a redo — goes through one ActionQueue: when another
program holds the project's write lock (ProjectBusy), the first waiting write is retried on a
timer and later ones wait behind it in order, so none is dropped and none overtakes another.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from annotator.changes import Change, apply
from annotator.errors import ProjectBusy, UserError
from annotator.store import Project
from ui.change_signal import ChangeSignal

RETRY_MS = 500  # between two tries while another program writes


class ActionQueue(QObject):
    """Runs the window's writes one after another, in the order they were asked for.

    An action is a callable that raises ProjectBusy when it could not write (it then wrote
    nothing) and handles every other refusal itself."""

    waiting = Signal(int)  # how many actions wait; 0 when the last one went through

    def __init__(self, parent=None, retry_ms: int = RETRY_MS) -> None:
        super().__init__(parent)
        self._actions: deque[Callable[[], None]] = deque()
        self._draining = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(retry_ms)
        self._timer.timeout.connect(self.drain)

    def submit(self, action: Callable[[], None]) -> None:
        """Run now if nothing waits, else behind the waiting ones."""
        self._actions.append(action)
        if len(self._actions) == 1:
            self.drain()
        else:
            self.waiting.emit(len(self._actions))

    def pending(self) -> int:
        return len(self._actions)

    def drain(self) -> None:
        if self._draining:  # an action that opened a dialog lets the timer fire inside it
            return
        self._draining = True
        try:
            while self._actions:
                try:
                    self._actions[0]()
                except ProjectBusy:
                    self.waiting.emit(len(self._actions))
                    self._timer.start()
                    return
                self._actions.popleft()
            self.waiting.emit(0)
        finally:
            self._draining = False


class CoreCommand(QUndoCommand):
    """Wraps a Change that the core has committed; every replay is one transaction too.

    Pushing it, undoing it and redoing it announce the Change on the project's ChangeSignal, so
    every window shows it, not only the one that pushed it. `prepare` replays before the stack
    moves (CoreUndoStack does that), so a replay that finds the project busy leaves the stack as
    it was and can be tried again."""

    def __init__(self, project: Project, change: Change, changes: ChangeSignal,
                 on_error: Callable[[str], None]) -> None:
        super().__init__(change.description)
        self._project = project
        self._change = change
        self._changes = changes
        self._on_error = on_error
        self._first = True  # QUndoStack.push() calls redo(); the change is already in the file
        self._prepared: Change | str | None = None  # the replay done (or the refusal) for the next step

    def prepare(self, backwards: bool) -> None:
        """Write the next undo (backwards) or redo now; ProjectBusy propagates, nothing written."""
        change = self._change.inverse() if backwards else self._change
        try:
            apply(self._project, change)
        except ProjectBusy:
            raise
        except UserError as exc:
            self._prepared = str(exc)
        else:
            self._prepared = change

    def redo(self) -> None:
        if self._first:  # pushed: already in the file, only to be shown
            self._first = False
            self._changes.announce(self._change)
            return
        self._step(backwards=False)

    def undo(self) -> None:
        self._step(backwards=True)

    def _step(self, backwards: bool) -> None:
        if self._prepared is None:  # stepped directly (not through CoreUndoStack)
            try:
                self.prepare(backwards)
            except ProjectBusy as exc:
                self._prepared = str(exc)
        outcome, self._prepared = self._prepared, None
        if isinstance(outcome, str):
            # The file changed under us (another process), or is busy: drop this step rather than guess.
            self.setObsolete(True)
            self._on_error(outcome)
            return
        self._changes.announce(outcome)


class CoreUndoStack(QUndoStack):
    """An undo stack whose undo and redo wait in the ActionQueue like any other write."""

    def __init__(self, queue: ActionQueue, parent=None) -> None:
        super().__init__(parent)
        self.queue = queue

    def undo(self) -> None:
        self.queue.submit(lambda: self._step(backwards=True))

    def redo(self) -> None:
        self.queue.submit(lambda: self._step(backwards=False))

    def _step(self, backwards: bool) -> None:
        command = self.command(self.index() - 1 if backwards else self.index())
        if command is None:  # nothing (left) to undo or redo
            return
        if isinstance(command, CoreCommand):
            command.prepare(backwards)  # ProjectBusy: the stack has not moved
        QUndoStack.undo(self) if backwards else QUndoStack.redo(self)
