"""`annotator bundle out`: one annotator's documents and work, as a project file of its own.

The bundle is made by the store (`create_project`), so it has the project's schema version and
opens like any project; then, in one transaction on the file, it gets the project's labels and
settings (its id included), the annotator's row, her assigned documents (text and tokens), her
assignment rows, and her spans, links and statuses on those documents — no one else's rows. It
is written beside its final name and renamed at the end: a failure leaves no file. The project
is only read, in one snapshot.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from annotator.bundles.bundle_file import BundleRecord
from annotator.bundles.copy import copy_table, sqlite_value
from annotator.bundles.fingerprint import batches, fingerprints
from annotator.errors import UserError
from annotator.model import (GOLD, MODEL, Annotator, Assignment, Document, DocumentStatus, Label, ProjectSetting,
                             Relation, RelationLabel, Span, utcnow)
from annotator.settings import BUNDLE, MERGED_BUNDLES, project_id
from annotator.store import Project, create_project

NOT_BUNDLED_SETTINGS = (BUNDLE, MERGED_BUNDLES)  # the project's own bookkeeping, not the bundle's


@dataclass(frozen=True)
class OutSummary:
    path: str
    annotator: str
    documents: int
    spans: int
    links: int
    bundle_id: str

    def as_dict(self) -> dict:
        return {"bundle": self.path, "annotator": self.annotator, "documents": self.documents, "spans": self.spans,
                "links": self.links, "id": self.bundle_id}


def bundle_out(project: Project, annotator: str, out: str | Path) -> OutSummary:
    """Write the annotator's bundle to `out` (a new file)."""
    out = Path(out)
    if out.exists() or out.is_symlink():
        raise UserError(f"{out}: a file already exists there; choose another name or delete it first")
    if not out.parent.is_dir():
        raise UserError(f"{out.parent}: no such folder; create it first or choose another --out")
    with project.read() as session:
        _one_snapshot(session)
        annotator_id = _bundled_annotator(session, annotator)
        document_ids = list(session.scalars(select(Assignment.document_id).where(Assignment.annotator_id == annotator_id)
                                            .order_by(Assignment.position)))
        if not document_ids:
            raise UserError(f"{annotator} has no documents assigned; assign some first "
                            f"(`annotator assign PROJECT --annotators {annotator}`)")
        partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
        create_project(partial).close()
        try:
            summary = _fill(session, partial, annotator, annotator_id, document_ids, project.address)
            os.replace(partial, out)
        finally:
            for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
                leftover.unlink(missing_ok=True)
    return OutSummary(str(out), annotator, len(document_ids), *summary)


def _one_snapshot(session: Session) -> None:
    """Every read of the bundle sees the same moment: a SQLite read transaction does; PostgreSQL
    needs REPEATABLE READ (by default each statement sees the commits made before it)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _bundled_annotator(session: Session, name: str) -> int:
    found = session.execute(select(Annotator.id, Annotator.role).where(Annotator.name == name)).first()
    if found is None:
        known = ", ".join(session.scalars(select(Annotator.name).where(Annotator.role.in_(("annotator", "lead")))
                                          .order_by(Annotator.name))) or "none yet"
        raise UserError(f"no annotator named {name!r} in this project (annotators: {known}); check the spelling")
    if found.role in ("reviewer", GOLD, MODEL):
        raise UserError(f"{name!r} is a {found.role}, not an annotator: a bundle carries one annotator's documents "
                        "and work; name an annotator")
    return found.id


def _fill(session: Session, path: Path, annotator: str, annotator_id: int, document_ids: list[int],
          source: str) -> tuple[int, int, str]:
    """Copy everything into the new file in one transaction; (spans, links, bundle id)."""
    target = sqlite3.connect(path, isolation_level=None)
    try:
        target.execute("PRAGMA foreign_keys=ON")
        target.execute("BEGIN IMMEDIATE")
        for table in ("project_settings", "relation_labels", "labels"):
            target.execute(f"DELETE FROM {table}")  # the defaults create_project wrote
        copy_table(session, target, Label.__table__)
        copy_table(session, target, RelationLabel.__table__)
        copy_table(session, target, ProjectSetting.__table__, ProjectSetting.key.not_in(NOT_BUNDLED_SETTINGS))
        copy_table(session, target, Annotator.__table__, Annotator.id == annotator_id)
        spans = links = 0
        shas: dict[int, str] = {}
        head, child = Span.__table__.alias("head"), Span.__table__.alias("child")
        for batch in batches(document_ids):
            copy_table(session, target, Document.__table__, Document.id.in_(batch))
            shas.update(session.execute(select(Document.id, Document.sha256).where(Document.id.in_(batch))).all())
            for table in (Assignment.__table__, DocumentStatus.__table__):
                copy_table(session, target, table, table.c.annotator_id == annotator_id, table.c.document_id.in_(batch))
            spans += copy_table(session, target, Span.__table__, Span.annotator_id == annotator_id,
                                Span.document_id.in_(batch), replace={"reviewer_id": _own(Span.reviewer_id, annotator_id)})
            links += copy_table(session, target, Relation.__table__, Relation.annotator_id == annotator_id,
                                head.c.document_id.in_(batch), head.c.annotator_id == annotator_id,
                                child.c.annotator_id == annotator_id, child.c.document_id == head.c.document_id,
                                replace={"reviewer_id": _own(Relation.reviewer_id, annotator_id)},
                                joins=((head, head.c.id == Relation.head_id), (child, child.c.id == Relation.child_id)))
        record = BundleRecord(uuid.uuid4().hex, project_id(session), annotator, utcnow().isoformat(timespec="seconds"), source,
                              {shas[d]: fp for d, fp in fingerprints(session, annotator_id, document_ids).items()})
        target.execute("INSERT INTO project_settings (key, value) VALUES (?, ?)",
                       (BUNDLE, sqlite_value(ProjectSetting.__table__, "value", record.as_setting())))
        target.execute("COMMIT")
    finally:
        target.close()
    return spans, links, record.id


def _own(column, annotator_id: int):
    """A reviewer mark naming the annotator herself stays; another person's row is not in the bundle."""
    return case((column == annotator_id, column), else_=None)
