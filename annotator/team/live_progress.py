"""Others' progress on each document while a window is open: status counts, never names.

The document list shows, per document, how many other people have it done, in progress or
skipped ("2 done · 1 in progress"), kept fresh while other people (other programs, other
logins) write. How: a cheap poll, not LISTEN/NOTIFY. Every few seconds the window asks "did
anything change?" — on SQLite `PRAGMA data_version` on a connection kept for it (SQLite's own
"another connection committed" counter: no query, no lock); on PostgreSQL
`document_status_version()`, the sum of per-annotator counters that triggers raise (migration
0006) — and only when the answer changed re-reads the counts. A poll works the same on both
backends (SQLite has no notifications) and cannot miss a change across a dropped connection (the
counter is compared, not a message awaited: a new connection simply asks again); LISTEN would
add a socket to watch from Qt's event loop, and notifications sent while the connection was down
are lost, to save a query of a fraction of a millisecond every few seconds
(benchmarks/bench_live_progress.py measures both steps on 10,000 documents).

Row-level security hides others' status rows from a blind annotator; the counts come from
`document_status_counts(me)`, which returns counts only (see 0006). On SQLite, a plain query.

The same poll notices that the person was taken off the team (`annotator team remove`): on a file
their row's removed_at, on a server their login losing the project's groups.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from annotator.errors import ServerUnavailable, UserError

# A server's bookkeeping, not in the models: the per-annotator counters of status writes (migration
# 0006), which move on every write, an undo included, so that open windows notice it.
SERVER_ONLY_TABLES = ("status_versions",)
from annotator.model import Annotator
from annotator.store import Project

SHOWN = ("done", "in progress", "skipped")  # the order of a Counts tuple
PEOPLE = ("annotator", "reviewer", "lead")
REMOVED = ("you were removed from this project by the lead; your work is kept; the project is read-only")
# On a server a removed login keeps its open session but loses every grant of the project.
_STILL_MEMBER = "has_function_privilege('document_status_counts(text)', 'EXECUTE')"
# One row per document, counted by the database: a few thousand plain tuples for the list to compare.
_COUNTS = {
    "postgresql": "SELECT document_id, done, in_progress, skipped FROM document_status_counts(:me)",
    "sqlite": "SELECT s.document_id, sum(s.status = 'done'), sum(s.status = 'in_progress'), sum(s.status = 'skipped') "
              "FROM document_status s JOIN annotators a ON a.id = s.annotator_id "
              f"WHERE a.role IN {PEOPLE!r} AND a.name IS NOT :me AND s.status != 'todo' GROUP BY s.document_id",
}

Counts = tuple[int, int, int]  # how many other people have the document done, in progress, skipped


@dataclass(frozen=True)
class Poll:
    counts: dict[int, Counts] | None  # per document id; None: nothing changed since the last poll
    removed: str | None  # why the person may no longer write (REMOVED), else None


def others_text(counts: Counts | None) -> str:
    """"2 done · 1 in progress" (empty when nobody else started the document)."""
    return " · ".join(f"{n} {shown}" for n, shown in zip(counts or (), SHOWN) if n)


def status_counts(session: Session, me: str) -> dict[int, Counts]:
    """Per document, how many people other than `me` have it done, in progress and skipped
    (documents nobody else started are left out)."""
    rows = session.execute(text(_COUNTS[session.get_bind().dialect.name]), {"me": me})
    return {document_id: (int(done), int(going), int(skipped)) for document_id, done, going, skipped in rows}


def removed_reason(session: Session, annotator: str) -> str | None:
    """REMOVED when `annotator` was taken off the team (a file's removed_at, a login without the
    project's groups), else None."""
    if session.get_bind().dialect.name == "postgresql":
        return None if session.execute(text(f"SELECT {_STILL_MEMBER}")).scalar() else REMOVED
    removed = session.scalar(select(Annotator.removed_at).where(Annotator.name == annotator))
    return REMOVED if removed is not None else None


class ProgressWatch:
    """One window's watch on others' progress: `poll()` every few seconds, `close()` at the end.

    The "did anything change?" question goes through one driver connection kept for it, in
    autocommit: one statement, one round trip, no transaction or snapshot held between polls
    (and SQLite's data_version only means something asked of the same connection each time)."""

    def __init__(self, project: Project, annotator: str) -> None:
        self.project = project
        self.annotator = annotator
        self._server = project.engine.dialect.name == "postgresql"
        self._probe = None  # made at the first poll, and again after it was lost
        self._marker: object = None

    def poll(self) -> Poll:
        """The counts when something changed since the last poll (always on the first), else None.
        Raises ServerUnavailable (or another UserError) when the question could not be asked."""
        marker, removed = self._marker_and_removal()
        if removed is not None or marker == self._marker:
            return Poll(None, removed)
        with self.project.read() as session:
            counts = status_counts(session, self.annotator)
            removed = None if self._server else removed_reason(session, self.annotator)
        self._marker = marker
        return Poll(counts, removed)

    def _marker_and_removal(self) -> tuple[object, str | None]:
        if self._probe is None:
            self._probe = self._connect()
        try:
            cursor = self._probe.cursor()
            try:
                cursor.execute(f"SELECT document_status_version(), {_STILL_MEMBER}" if self._server
                               else "PRAGMA data_version")
                row = cursor.fetchone()
            finally:
                cursor.close()
        except self.project.engine.dialect.loaded_dbapi.Error as exc:
            self.close()  # a new connection at the next poll
            refusal = _refusal(self.project, exc)
            if isinstance(refusal, ServerUnavailable):  # the pooled connections went the same way
                self.project.engine.dispose()
            raise refusal from None
        return row[0], (REMOVED if self._server and not row[1] else None)

    def _connect(self):
        proxied = self.project.engine.raw_connection()  # refusals come worded, as any connection's
        proxied.detach()  # its own from now on: never handed back to the pool in autocommit
        if self._server:
            proxied.dbapi_connection.autocommit = True  # (SQLite's connections are already, see store)
        return proxied

    def close(self) -> None:
        if self._probe is not None:
            try:
                self._probe.close()
            finally:
                self._probe = None


def _refusal(project: Project, error: Exception) -> UserError:
    if project.engine.dialect.name == "postgresql":
        from annotator.postgres import connection_refusal

        refusal = connection_refusal(project.engine.url, error)
        if refusal is not None:
            return refusal
    return UserError(f"{project.name}: others' progress could not be read ({str(error).strip().splitlines()[0]})")
