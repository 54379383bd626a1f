"""One reviewer at a time on a document's gold (PostgreSQL): the second is told who and since when.

The lock is a session-level advisory lock held on a connection of its own, so it lasts exactly
as long as the reviewer shows the document: released when they move on or close the window,
and by the server itself when their program dies or the network drops (the connection ends).
Who holds it is read from pg_locks and pg_stat_activity, which every login may read; the time
rides in the holder's application_name, since PostgreSQL hides others' connection times.

On a project file the lock is not needed (SQLite's own locks keep writes whole) and `take`
always succeeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Connection, text

from annotator.store import Project

GOLD_LOCK_SPACE = 0x0601D  # first key of (space, document id): apart from the write locks' keys
_NAME = "quote-annotator gold since "


@dataclass(frozen=True)
class Holder:
    """Who adjudicates a document right now."""

    login: str
    since: datetime | None

    def message(self, you: str | None = None) -> str:
        who = "you are (in another window)" if self.login == you else f"{self.login} is"
        when = f" since {self.since.astimezone():%H:%M}" if self.since else ""
        return f"{who} adjudicating this document{when} — open read-only?"


class GoldLocks:
    """The gold document one reviewer's window holds (at most one at a time)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.on_server = project.engine.dialect.name == "postgresql"
        self._held: tuple[int, Connection] | None = None

    def take(self, document_id: int) -> Holder | None:
        """Hold the document's gold (letting go of the one held before); None when taken, else who
        holds it (nothing is held then)."""
        if self._held is not None and self._held[0] == document_id:
            return None
        self.release()
        if not self.on_server:
            return None
        connection = self.project.engine.connect()
        try:
            since = datetime.now(timezone.utc).isoformat(timespec="seconds")
            connection.execute(text("SELECT set_config('application_name', :name, false)"), {"name": _NAME + since})
            taken = connection.execute(text("SELECT pg_try_advisory_lock(:space, :document)"),
                                       {"space": GOLD_LOCK_SPACE, "document": document_id}).scalar()
            connection.commit()
            if taken:
                self._held = (document_id, connection)
                return None
            holder = _holder(connection, document_id)
        except BaseException:
            connection.invalidate()
            connection.close()
            raise
        connection.close()
        return holder or Holder("someone", None)

    def release(self) -> None:
        """Let go of the document held (if any): the next reviewer may take it."""
        if self._held is None:
            return
        _, connection = self._held
        self._held = None
        # The connection goes back to the pool with the lock and its name: closed for good instead.
        connection.invalidate()
        connection.close()

    def holds(self) -> int | None:
        return self._held[0] if self._held is not None else None


def _holder(connection: Connection, document_id: int) -> Holder | None:
    row = connection.execute(text(
        "SELECT a.usename, a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :space AND l.objid = :document "
        "AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
        {"space": GOLD_LOCK_SPACE, "document": document_id}).first()
    if row is None:
        return None
    since = None
    if row.application_name and row.application_name.startswith(_NAME):
        try:
            since = datetime.fromisoformat(row.application_name.removeprefix(_NAME))
        except ValueError:
            since = None
    return Holder(row.usename, since)
