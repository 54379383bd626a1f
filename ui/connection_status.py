"""The window while the database server is gone: what the status bar says, and what closing asks.

The ActionQueue (ui/undo.py) keeps the waiting actions in order and tries again, 1 s apart growing to
10 s; here the status bar follows it — "not saved — reconnecting (n actions waiting)" while the
server is away, never "saved" — and says how many were written once it is back. Closing the window
while actions wait asks first; the marks can be written to a file that `annotator import` takes back
(annotator/waiting_work.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox

from annotator import commands
from annotator.errors import UserError
from annotator.waiting_work import WaitingSpan, waiting_span, write_waiting_spans

if TYPE_CHECKING:
    from ui.main_window import MainWindow

OFFLINE = "not saved — reconnecting ({count} actions waiting)"
WRITE, WAIT, DISCARD = "write", "wait", "discard"  # the answers to closing while actions wait


class ConnectionStatus(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.queue = window.queue
        window.undo_stack.note_of = self.note_of
        self.queue.unreachable.connect(self.show_offline)
        self.queue.reconnected.connect(self.show_reconnected)

    # --- the status bar -----------------------------------------------------------------------
    def show_offline(self, count: int) -> None:
        status = self.window.status
        status.saved.setText(OFFLINE.format(count=count))
        status.saved.setToolTip("The database server cannot be reached. Every action waits here, in order, "
                                "and is written once the server is back.")
        status.showMessage("⚠ The database server cannot be reached — trying again…")
        # Undo too waits behind them, and undoes the last one once it is written.
        self.window.actions["edit.undo"].setEnabled(True)

    def show_reconnected(self, count: int) -> None:
        status = self.window.status
        status.saved.setText(f"✓ reconnected — {count} waiting actions saved {datetime.now():%H:%M:%S}")
        status.saved.setToolTip("Every action is written to the project before it shows here.")
        status.showMessage("The database server is back: every waiting action was written.", 8000)

    # --- what a waiting action would write ----------------------------------------------------
    def note_of(self, command: Callable, args: tuple, kwargs: dict) -> WaitingSpan | None:
        """A mark of the open document, as the span it adds (for the file of waiting work)."""
        if getattr(command, "__wrapped__", command) is not commands.add_span or len(args) < 6:
            return None
        presenter = self.window.presenter
        _project, document_id, annotator, label, start, end = args[:6]
        if presenter.state is None or presenter.state.document_id != document_id or presenter.tokens is None:
            return None
        name = self.window.documents.model.name_of(document_id)
        return waiting_span(name, presenter.text, presenter.tokens, annotator, label, start, end,
                            exact=kwargs.get("exact", False))

    def writable(self) -> tuple[list[WaitingSpan], int]:
        """The waiting marks a file can hold — those before the first waiting action of another kind
        (an undo, a deletion, a link… which such a file cannot say), in order — and how many
        waiting actions it leaves out."""
        notes = self.queue.notes()
        spans: list[WaitingSpan] = []
        for note in notes:
            if not isinstance(note, WaitingSpan):
                break
            spans.append(note)
        return spans, len(notes) - len(spans)

    # --- closing ------------------------------------------------------------------------------
    def may_close(self) -> bool:
        """Ask before losing waiting actions; True when the window may close."""
        self.queue.drain()
        count = self.queue.pending()
        if not count:
            return True
        if not self.queue.offline:  # another program writes: it will be done soon
            return QMessageBox.question(
                self.window, "Quote annotator", f"{count} actions are not saved yet: another program is still "
                "writing to the project. Quit anyway and lose them?") == QMessageBox.StandardButton.Yes
        spans, left_out = self.writable()
        answer = self.ask_before_closing(count, len(spans), left_out)
        if answer == WAIT:
            return False
        if answer == WRITE:
            path = self.choose_file()
            if not path:
                return False
            try:
                write_waiting_spans(path, spans)
            except UserError as exc:
                self.window.status.error(str(exc))
                return False
        self.queue.discard()
        return True

    def ask_before_closing(self, count: int, marks: int, left_out: int) -> str:
        box = QMessageBox(QMessageBox.Icon.Warning, "Quote annotator",
                          f"{count} actions are not saved: the database server cannot be reached.", parent=self.window)
        lost = f" The {left_out} other waiting actions (undo, deletions, links, statuses…) cannot go in it." \
            if left_out else ""
        box.setInformativeText(f"Write the {marks} waiting marks to a file, to add them later with "
                               f"`annotator import PROJECT FILE`?{lost} Or keep the window open until the "
                               "server is back, or close and lose them.")
        write = box.addButton("Write them to a file…", QMessageBox.ButtonRole.AcceptRole)
        write.setEnabled(marks > 0)
        wait = box.addButton("Keep waiting", QMessageBox.ButtonRole.RejectRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(write if marks else wait)
        box.exec()
        clicked = box.clickedButton()
        return WRITE if clicked == write else DISCARD if clicked == discard else WAIT

    def choose_file(self) -> str:
        path, _ = QFileDialog.getSaveFileName(self.window, "Write the waiting marks to", "waiting-marks.jsonl",
                                              "JSON Lines (*.jsonl)")
        return path
