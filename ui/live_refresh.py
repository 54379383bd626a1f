"""Keeps the document list's "Others" column fresh while the window is open, and makes the window
read-only with a message when the lead takes this person off the team.

A timer polls the core's ProgressWatch (why a poll and not LISTEN/NOTIFY: annotator/team/live_progress.py).
It runs on the UI thread: "nothing changed" costs one PRAGMA on a file or one small query on a
server, and a full refresh of 10,000 documents a few milliseconds (benchmarks/bench_live_progress.py);
only the rows whose counts changed are redrawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from annotator.errors import UserError
from annotator.team.live_progress import ProgressWatch
from annotator.store import Project

if TYPE_CHECKING:
    from ui.main_window import MainWindow

POLL_MS = 3000  # others' progress is at most this old


class LiveRefresh(QObject):
    def __init__(self, window: MainWindow, interval_ms: int = POLL_MS) -> None:
        super().__init__(window)
        self.window = window
        self.removed: str | None = None  # set once this person was taken off the team
        self._watch: ProgressWatch | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.refresh)

    def set_interval(self, milliseconds: int) -> None:
        self._timer.setInterval(milliseconds)

    def watch(self, project: Project, annotator: str) -> None:
        """Follow another project (or another person on it); the counts are read at once."""
        self.stop()
        self.removed = None
        self._watch = ProgressWatch(project, annotator)
        self.refresh()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._watch is not None:
            self._watch.close()
            self._watch = None

    def refresh(self) -> None:
        if self._watch is None:
            return
        try:
            poll = self._watch.poll()
        except UserError:  # the server away, the file busy: the next tick asks again
            return
        if poll.counts is not None:
            self.window.documents.model.set_others(poll.counts)
        if poll.removed is not None and self.removed is None:
            self.removed = poll.removed
            self._show_removed(poll.removed)

    def _show_removed(self, message: str) -> None:
        """Every write would now be refused (the core's check_editable says the same): say so once,
        plainly, instead of one raw refusal per action."""
        window = self.window
        window.presenter.read_only = message
        window.read_only_note.setText(f"⚠ {message[0].upper()}{message[1:]}")
        window.read_only_note.show()
        window.label_bar.setEnabled(False)
        window.status.error(message)
