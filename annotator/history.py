"""The undo history of one open project, and the one place its committed Changes are announced.

Every edit goes through `History.run` (a core command, or a Change to apply), `undo` or `redo`;
each writes one transaction and then tells every subscriber the Change that was written — the
command's own, the inverse on undo, the replay on redo — once each, in the order they were
written. Views (the window's, through one Qt adapter in ui/), the CLI and tests subscribe; none of
them needs Qt or needs to know which window or caller made the change.

A refused step (its rows were changed elsewhere since, or another program holds the write lock)
raises the UserError of `changes.apply` and leaves the history and the store as they were; the
caller decides whether to try again later or `discard` the step. A step whose write met a lost
connection (ServerUnavailable) is written at most once when tried again: the same undo or redo, or
`run(change)` with the Change the error holds, first looks whether the server has it already.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from annotator.changes import Change, apply, apply_once
from annotator.errors import ServerUnavailable, UserError
from annotator.store import Project

Subscriber = Callable[[Change], None]


class History:
    def __init__(self, project: Project, check: Callable[[Change], None] | None = None) -> None:
        self.project = project
        # Asked with each undo or redo step before it is written (raises UserError to refuse it,
        # e.g. a person the lead took off the team): a step is not an edit the caller checked.
        self.check = check
        self._done: list[Change] = []  # applied, the next undo last
        self._undone: list[Change] = []  # undone, the next redo last
        self._subscribers: list[Subscriber] = []
        self._unheard: deque[Change] = deque()  # written, not yet told to every subscriber
        self._announcing = False
        self._unconfirmed: Change | None = None  # last written when the connection dropped

    # --- writing ----------------------------------------------------------------------------
    def run(self, command: Callable[..., Change] | Change, *args, **kwargs) -> Change:
        """Run a core command (called with the arguments given; it writes and returns its Change),
        or apply a Change; record and announce it. An empty Change (nothing to do) is returned
        and neither recorded nor announced. A refusal propagates with nothing written."""
        if isinstance(command, Change):
            change = self._write(command)
        else:
            try:
                change = command(*args, **kwargs)
            except ServerUnavailable as exc:
                # Built, then the connection dropped: run(exc.changes[0]) writes exactly it, once.
                self._unconfirmed = exc.changes[0] if len(exc.changes) == 1 else None
                raise
        if change:
            self._done.append(change)
            self._undone.clear()  # a new edit after undos: the undone ones cannot come back
            self._announce(change)
        return change

    def undo(self) -> Change:
        """Write the inverse of the last change; return it (as announced)."""
        if not self._done:
            raise UserError("there is nothing to undo")
        inverse = self._write(self._checked(self._done[-1].inverse()))  # refused: nothing moves
        self._undone.append(self._done.pop())
        self._announce(inverse)
        return inverse

    def redo(self) -> Change:
        """Write the last undone change again, with the same rows and ids; return it."""
        if not self._undone:
            raise UserError("there is nothing to redo")
        replay = self._write(self._checked(self._undone[-1]))
        self._done.append(self._undone.pop())
        self._announce(replay)
        return replay

    def _checked(self, step: Change) -> Change:
        if self.check is not None:
            self.check(step)
        return step

    def _write(self, change: Change) -> Change:
        """Apply a change; if the connection dropped while this same change was last written (its
        commit may have reached the server), write it only if it is not there already."""
        retry, self._unconfirmed = change == self._unconfirmed, None
        try:
            return apply_once(self.project, change) if retry else apply(self.project, change)
        except ServerUnavailable:
            self._unconfirmed = change
            raise

    def discard(self, backwards: bool = True) -> Change | None:
        """Forget the next undo (or redo) step without writing anything, e.g. once it was refused
        because someone changed its rows: the steps before it can still be undone."""
        steps = self._done if backwards else self._undone
        return steps.pop() if steps else None

    def clear(self) -> None:
        self._done.clear()
        self._undone.clear()

    # --- what the next step would be ------------------------------------------------------------
    def can_undo(self) -> bool:
        return bool(self._done)

    def can_redo(self) -> bool:
        return bool(self._undone)

    def undo_text(self) -> str:
        """The description of the change the next undo reverts ("" when none)."""
        return self._done[-1].description if self._done else ""

    def redo_text(self) -> str:
        return self._undone[-1].description if self._undone else ""

    def __len__(self) -> int:
        """How many steps the history holds, undone ones included."""
        return len(self._done) + len(self._undone)

    @property
    def index(self) -> int:
        """How many steps are applied: undo reverts step `index - 1`, redo replays step `index`."""
        return len(self._done)

    # --- hearing changes ----------------------------------------------------------------------
    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Call `subscriber(change)` after every change written from now on; returns the function
        that unsubscribes it."""
        self._subscribers.append(subscriber)
        return lambda: self.unsubscribe(subscriber)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        if subscriber in self._subscribers:
            self._subscribers.remove(subscriber)

    def _announce(self, change: Change) -> None:
        """Tell every subscriber, in the order the changes were written: a change written by a
        subscriber while it hears another is told once everyone heard the first. A subscriber
        that raises does not keep the change from the others; the first error is raised after."""
        self._unheard.append(change)
        if self._announcing:
            return
        self._announcing = True
        failure: BaseException | None = None
        try:
            while self._unheard:
                current = self._unheard.popleft()
                for subscriber in list(self._subscribers):  # one may unsubscribe while hearing
                    try:
                        subscriber(current)
                    except Exception as exc:  # noqa: BLE001 — re-raised below, once all heard it
                        failure = failure or exc
        finally:
            self._announcing = False
        if failure is not None:
            raise failure
