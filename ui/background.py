"""Work off the UI thread: `run_in_background(work, what)` runs `work(progress, cancelled)` in the
application's thread pool and answers by signal (finished with its result, or failed with one line).

One way to cancel: `job.cancel()`. The work sees it when it reports progress (progress then raises
Cancelled) or when it asks `cancelled()`. The core's functions are all-or-nothing, so a cancelled
or failed job leaves the project and the disk as they were. The pool outlives every window (it
waits for its jobs when the application ends), and an answer to a window deleted meanwhile is
dropped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from annotator.errors import UserError

Progress = Callable[[int, int], None]  # done, total
Work = Callable[[Progress, Callable[[], bool]], object]

_running: set[BackgroundJob] = set()  # kept alive until their answer is delivered


class Cancelled(Exception):
    pass


class BackgroundJob(QObject):
    progress = Signal(int, int)  # done, total
    finished = Signal(object)  # what the work returned
    failed = Signal(str)  # one line: cancelled, refused (UserError) or broken

    def __init__(self, work: Work, what: str) -> None:
        super().__init__()
        self.what = what
        self._work = work
        self._cancelled = False
        self._ended = threading.Event()
        self._runnable = QRunnable.create(self._run)
        self._runnable.setAutoDelete(False)  # it belongs to this job
        for signal in (self.finished, self.failed):
            signal.connect(self._release)  # queued to the UI thread, after the answer

    def cancel(self) -> None:
        self._cancelled = True

    def cancelled(self) -> bool:
        return self._cancelled

    def running(self) -> bool:
        return not self._ended.is_set()

    def wait(self) -> None:
        """Block until the work has returned (its answer may still be on its way)."""
        self._ended.wait()

    def _report(self, done: int, total: int) -> None:
        if self._cancelled:
            raise Cancelled()
        self.progress.emit(done, total)

    def _run(self) -> None:
        try:
            result = self._work(self._report, self.cancelled)
        except Cancelled:
            self.failed.emit(f"{self.what} cancelled; nothing was changed")
        except UserError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # the caller must always hear an end; say what went wrong
            self.failed.emit(f"{self.what} failed ({type(exc).__name__}: {exc})")
        else:
            self.finished.emit(result)
        finally:
            self._ended.set()

    def _release(self, _answer=None) -> None:
        _running.discard(self)


def run_in_background(work: Work, what: str, on_finished: Callable[[object], None],
                      on_failed: Callable[[str], None], on_progress: Progress | None = None) -> BackgroundJob:
    """Start `work(progress, cancelled)` in the thread pool; its answers go to the callbacks (bound
    methods of Qt objects: the answer to one deleted meanwhile is dropped)."""
    job = BackgroundJob(work, what)
    job.finished.connect(on_finished)
    job.failed.connect(on_failed)
    if on_progress is not None:
        job.progress.connect(on_progress)
    _running.add(job)
    QThreadPool.globalInstance().start(job._runnable)
    return job
