"""QUndoCommands over core Changes: the core already did the action; undo and redo replay it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from annotator.commands import Change, apply
from annotator.errors import UserError
from annotator.store import Project


class CoreCommand(QUndoCommand):
    """Wraps a Change that the core has committed; every replay is one transaction too."""

    def __init__(self, project: Project, change: Change, on_applied: Callable[[Change], None],
                 on_error: Callable[[str], None]) -> None:
        super().__init__(change.description)
        self._project = project
        self._change = change
        self._on_applied = on_applied
        self._on_error = on_error
        self._first = True  # QUndoStack.push() calls redo(); the change is already in the file

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self._replay(self._change)

    def undo(self) -> None:
        self._replay(self._change.inverse())

    def _replay(self, change: Change) -> None:
        try:
            apply(self._project, change)
        except UserError as exc:
            # The file changed under us (another process): drop this step rather than guess.
            self.setObsolete(True)
            self._on_error(str(exc))
            return
        self._on_applied(change)
