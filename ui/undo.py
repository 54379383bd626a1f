"""The windows' writes over the project's History, and the queue that holds them while another
program writes or while the database server cannot be reached.

Every write of every window — an action, an undo, a redo — goes through one ActionQueue: when
another program holds the project's write lock (ProjectBusy), or the server is gone
(ServerUnavailable), the first waiting write is retried on a timer and later ones wait behind it in
order, so none is dropped and none overtakes another. A write whose connection dropped while it
was committing is retried as the very Change it built, which the History writes at most once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from annotator.changes import Change
from annotator.errors import ProjectBusy, ProjectReadOnly, ServerUnavailable, UserError
from annotator.history import History
from ui.change_signal import ChangeSignal

RETRY_MS = 500  # between two tries while another program writes
RECONNECT_MS = (1000, 10_000)  # between two tries while the server is gone: from the first, doubling to the last


class ActionQueue(QObject):
    """Runs the window's writes one after another, in the order they were asked for.

    An action is a callable that raises ProjectBusy or ServerUnavailable when it could not write
    (to be tried again) and handles every other refusal itself. Each may carry a note of what it
    does (e.g. the span it marks), for writing the waiting work elsewhere should the server stay away."""

    waiting = Signal(int)  # how many actions wait behind another program; 0 when the last one went through
    unreachable = Signal(int)  # the server is gone: how many actions wait for it (at each try and each new one)
    reconnected = Signal(int)  # the server is back: how many waiting actions were then written

    def __init__(self, parent=None, retry_ms: int = RETRY_MS, reconnect_ms: tuple[int, int] = RECONNECT_MS) -> None:
        super().__init__(parent)
        self._actions: deque[Callable[[], None]] = deque()
        self._notes: deque[object | None] = deque()
        self._draining = False
        self._retry_ms = retry_ms
        self.reconnect_ms = reconnect_ms  # (first, last) delay between tries while the server is gone
        self._offline_since_try: int | None = None  # the next reconnect delay while the server is gone
        self._written_after_reconnect = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(retry_ms)
        self._timer.timeout.connect(self.drain)

    def submit(self, action: Callable[[], None], note: object | None = None) -> None:
        """Run now if nothing waits, else behind the waiting ones."""
        self._actions.append(action)
        self._notes.append(note)
        if len(self._actions) == 1:
            self.drain()
        else:
            (self.unreachable if self.offline else self.waiting).emit(len(self._actions))

    def pending(self) -> int:
        return len(self._actions)

    @property
    def offline(self) -> bool:
        """The last try met no server (until an action goes through again)."""
        return self._offline_since_try is not None

    def notes(self) -> list[object | None]:
        """What each waiting action does, in order (None where it carries no note)."""
        return list(self._notes)

    def discard(self) -> int:
        """Drop every waiting action (closing without them); how many there were."""
        count = len(self._actions)
        self._timer.stop()
        self._actions.clear()
        self._notes.clear()
        return count

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
                    self._timer.start(self._retry_ms)
                    return
                except ServerUnavailable:
                    self._try_again_later()
                    return
                self._actions.popleft()
                self._notes.popleft()
                if self.offline:
                    self._written_after_reconnect += 1
            self.waiting.emit(0)
            if self.offline:
                self._offline_since_try = None
                self.reconnected.emit(self._written_after_reconnect)
        finally:
            self._draining = False


    def _try_again_later(self) -> None:
        """The server is gone: try again after a delay growing from the first to the last of
        RECONNECT_MS (a server back soon is found soon; one away for long is not hammered)."""
        first, last = self.reconnect_ms
        delay = first if self._offline_since_try is None else min(self._offline_since_try * 2, last)
        self._offline_since_try = delay
        self._written_after_reconnect = 0
        self.unreachable.emit(len(self._actions))
        self._timer.start(delay)


class QueuedHistory(QObject):
    """A window's view of the open project's History: actions, undo and redo wait in the
    ActionQueue like every write, and the undo / redo buttons follow the History.

    Not a QUndoStack: that would be a second stack to keep in step with the History (a core caller
    running through the History would be missing from it); the windows' own actions need only the
    four signals below. A refusal is reported to the `on_error` of the window that asked."""

    canUndoChanged = Signal(bool)
    canRedoChanged = Signal(bool)
    undoTextChanged = Signal(str)
    redoTextChanged = Signal(str)

    def __init__(self, queue: ActionQueue, on_error: Callable[[str], None], parent=None) -> None:
        super().__init__(parent)
        self.queue = queue
        self.history: History | None = None
        self._on_error = on_error  # where a refusal goes when the caller names no window
        # What a queued action does, as a note the queue keeps with it (ui/connection_status.py sets it).
        self.note_of: Callable[[Callable, tuple, dict], object | None] = lambda command, args, kwargs: None
        self._shown = (False, False, "", "")

    def attach(self, history: History, changes: ChangeSignal) -> None:
        """Follow another project's History (heard through its ChangeSignal)."""
        self.history = history
        changes.changed.connect(self._follow)
        self._follow()

    def run(self, command: Callable[..., Change], *args, on_error: Callable[[str], None] | None = None,
            **kwargs) -> Change | None:
        """Run a core command through the History; it is in the project before any window shows it.

        Returns the change, or None when refused or when it waits behind another program's write
        (the queue retries it; it is shown once stored)."""
        done: list[Change] = []
        unconfirmed: list[Change] = []  # built, then the connection dropped while it was written

        def attempt() -> None:  # ProjectBusy and ServerUnavailable propagate: the queue keeps it and retries
            try:
                if unconfirmed:  # the Change itself, written once (the History checks the server first)
                    done.append(self.history.run(unconfirmed[0]))
                else:
                    done.append(self.history.run(command, *args, **kwargs))
            except ServerUnavailable as exc:
                if len(exc.changes) == 1:
                    unconfirmed[:] = exc.changes
                raise
            except ProjectBusy:
                raise
            except UserError as exc:
                self._tell(on_error, str(exc))

        self.queue.submit(attempt, self.note_of(command, args, kwargs))
        return done[0] if done else None

    def undo(self, on_error: Callable[[str], None] | None = None) -> None:
        self.queue.submit(lambda: self._step(backwards=True, on_error=on_error))

    def redo(self, on_error: Callable[[str], None] | None = None) -> None:
        self.queue.submit(lambda: self._step(backwards=False, on_error=on_error))

    def _step(self, backwards: bool, on_error: Callable[[str], None] | None) -> None:
        history = self.history
        if history is None or not (history.can_undo() if backwards else history.can_redo()):
            return
        try:
            history.undo() if backwards else history.redo()
        except (ProjectBusy, ServerUnavailable):  # the history unmoved: the queue retries (written once)
            raise
        except ProjectReadOnly as exc:  # not mine to write now: the step stays, should that change
            self._tell(on_error, str(exc))
        except UserError as exc:
            # Its rows changed elsewhere: drop the step rather than guess, so the ones before it stay undoable.
            history.discard(backwards)
            self._follow()
            self._tell(on_error, str(exc))

    def _tell(self, on_error: Callable[[str], None] | None, message: str) -> None:
        (on_error or self._on_error)(message)

    # --- the state the windows' actions show ---------------------------------------------------
    def count(self) -> int:
        return len(self.history) if self.history is not None else 0

    def index(self) -> int:
        return self.history.index if self.history is not None else 0

    def canUndo(self) -> bool:  # noqa: N802 — named like QUndoStack's, which the windows used
        return self.history is not None and self.history.can_undo()

    def canRedo(self) -> bool:  # noqa: N802
        return self.history is not None and self.history.can_redo()

    def undoText(self) -> str:  # noqa: N802
        return self.history.undo_text() if self.history is not None else ""

    def redoText(self) -> str:  # noqa: N802
        return self.history.redo_text() if self.history is not None else ""

    def _follow(self, _change: Change | None = None) -> None:
        shown = (self.canUndo(), self.canRedo(), self.undoText(), self.redoText())
        old, self._shown = self._shown, shown
        for signal, before, now in zip((self.canUndoChanged, self.canRedoChanged, self.undoTextChanged,
                                        self.redoTextChanged), old, shown):
            if before != now:
                signal.emit(now)
