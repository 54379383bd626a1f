"""Others' progress on each document while a window is open: status counts, never names.

The document list shows, per document, how many other people have it done, in progress or
skipped ("2 done · 1 in progress"), kept fresh while other people (other programs, other
logins) write. How: a cheap poll, not LISTEN/NOTIFY. Every few seconds the window asks "did
anything change?" — on SQLite `PRAGMA data_version` on a connection kept for it (SQLite's own
"another connection committed" counter: no query, no lock); on PostgreSQL
`document_status_version()`, the sum of per-annotator counters that triggers raise (migration
0006) — and only when the answer changed re-reads the counts. A poll works the same on both
backends (SQLite has no notifications), needs no connection held open on the server, and cannot
miss a change across a dropped connection; LISTEN would need a connection of its own per window,
kept alive and re-listened after every reconnect, to save a query of well under a millisecond
(benchmarks/bench_live_progress.py measures both steps on 10,000 documents).

Row-level security hides others' status rows from a blind annotator; the counts come from
`document_status_counts(me)`, which returns counts only (see 0006). On SQLite, a plain query.

The same poll notices that the person was taken off the team (`annotator team remove`): on a file
their row's removed_at, on a server their login losing the project's groups.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from annotator.model import Annotator, DocumentStatus
from annotator.store import Project

SHOWN = (("done", "done"), ("in_progress", "in progress"), ("skipped", "skipped"))
PEOPLE = ("annotator", "reviewer", "lead")
REMOVED = ("you were removed from this project by the lead; your work is kept; the project is read-only")
# On a server a removed login keeps its open session but loses every grant of the project.
_STILL_MEMBER = "has_function_privilege('document_status_counts(text)', 'EXECUTE')"

Counts = dict[int, dict[str, int]]  # document id -> status -> how many other people


@dataclass(frozen=True)
class Poll:
    counts: Counts | None  # None: nothing changed since the last poll
    removed: str | None  # why the person may no longer write (REMOVED), else None


def others_text(counts: dict[str, int]) -> str:
    """"2 done · 1 in progress" (empty when nobody else started the document)."""
    return " · ".join(f"{counts[status]} {shown}" for status, shown in SHOWN if counts.get(status))


def status_counts(session: Session, me: str) -> Counts:
    """Per document, how many people other than `me` have each status (todo left out)."""
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(text("SELECT document_id, status, people FROM document_status_counts(:me)"), {"me": me})
    else:
        rows = session.execute(
            select(DocumentStatus.document_id, DocumentStatus.status, func.count())
            .join(Annotator, Annotator.id == DocumentStatus.annotator_id)
            .where(Annotator.role.in_(PEOPLE), Annotator.name != me, DocumentStatus.status != "todo")
            .group_by(DocumentStatus.document_id, DocumentStatus.status))
    counts: Counts = {}
    for document_id, status, people in rows:
        counts.setdefault(int(document_id), {})[status] = int(people)
    return counts


def removed_reason(session: Session, annotator: str) -> str | None:
    """REMOVED when `annotator` was taken off the team (a file's removed_at, a login without the
    project's groups), else None."""
    if session.get_bind().dialect.name == "postgresql":
        return None if session.execute(text(f"SELECT {_STILL_MEMBER}")).scalar() else REMOVED
    removed = session.scalar(select(Annotator.removed_at).where(Annotator.name == annotator))
    return REMOVED if removed is not None else None


class ProgressWatch:
    """One window's watch on others' progress: `poll()` every few seconds, `close()` at the end."""

    def __init__(self, project: Project, annotator: str) -> None:
        self.project = project
        self.annotator = annotator
        self._server = project.engine.dialect.name == "postgresql"
        # SQLite: data_version counts other connections' commits, so it is asked of one connection
        # kept for the purpose (in autocommit: it holds no transaction and no snapshot).
        self._probe = None if self._server else project.engine.raw_connection()
        self._marker: object = None

    def poll(self) -> Poll:
        """The counts when something changed since the last poll (always on the first), else None."""
        marker, removed = self._marker_and_removal()
        if removed is not None or marker == self._marker:
            return Poll(None, removed)
        with self.project.read() as session:
            counts = status_counts(session, self.annotator)
            removed = None if self._server else removed_reason(session, self.annotator)
        self._marker = marker
        return Poll(counts, removed)

    def _marker_and_removal(self) -> tuple[object, str | None]:
        if not self._server:
            cursor = self._probe.cursor()
            try:
                return cursor.execute("PRAGMA data_version").fetchone()[0], None
            finally:
                cursor.close()
        with self.project.read() as session:
            member, marker = session.execute(text(f"SELECT {_STILL_MEMBER}, document_status_version()")).one()
        return marker, (None if member else REMOVED)

    def close(self) -> None:
        if self._probe is not None:
            self._probe.close()
            self._probe = None
