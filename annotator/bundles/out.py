"""`annotator bundle out`: one annotator's documents and work, as a project file of its own.

The bundle is made by the store (`create_project`), so it has the project's schema version and
opens like any project; then, in one transaction on the file, it gets the project's labels and
settings (its id included), the annotator's row, her assigned documents (text and tokens), her
assignment rows, and her spans, links and statuses on those documents — no one else's rows. It
is written beside its final name and renamed at the end: a failure leaves no file. The project
is only read, in one snapshot. The fingerprints of her work are taken from the finished bundle
itself: what a later merge compares against is exactly what the bundle held when it was made;
the bundle then records which documents are written offline (annotator/bundles/edits.py).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from annotator.bundles.bundle_file import BundleRecord
from annotator.bundles.copy import AttachedCopier, RowCopier
from annotator.bundles.edits import install
from annotator.bundles.fingerprint import fingerprints
from annotator.errors import UserError
from annotator.model import (GOLD, MODEL, Annotator, Assignment, Document, DocumentStatus, Label, ProjectSetting,
                             Relation, RelationLabel, Span, utcnow)
from annotator.settings import BUNDLE, MERGED_BUNDLES, project_id, set_setting
from annotator.store import Project, create_project, open_project

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
        annotator_id = _bundled_annotator(session, annotator)
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    create_project(partial).close()
    try:
        documents, spans, links = _fill(project, partial, annotator, annotator_id)
        bundle = open_project(partial)
        try:
            with bundle.transaction() as session:
                record = _record(session, project, annotator, annotator_id)
                set_setting(session, BUNDLE, record.as_setting())
                install(session)  # from here on, the bundle records which documents are written
        finally:
            bundle.close()
        os.replace(partial, out)
    finally:
        for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            leftover.unlink(missing_ok=True)
    return OutSummary(str(out), annotator, documents, spans, links, record.id)


def _bundled_annotator(session: Session, name: str) -> int:
    found = session.execute(select(Annotator.id, Annotator.role).where(Annotator.name == name)).first()
    if found is None:
        known = ", ".join(session.scalars(select(Annotator.name).where(Annotator.role.in_(("annotator", "lead")))
                                          .order_by(Annotator.name))) or "none yet"
        raise UserError(f"no annotator named {name!r} in this project (annotators: {known}); check the spelling")
    if found.role in ("reviewer", GOLD, MODEL):
        raise UserError(f"{name!r} is a {found.role}, not an annotator: a bundle carries one annotator's documents "
                        "and work; name an annotator")
    if session.scalar(select(Assignment.document_id).where(Assignment.annotator_id == found.id).limit(1)) is None:
        raise UserError(f"{name} has no documents assigned; assign some first "
                        f"(`annotator assign PROJECT --annotators {name}`)")
    return found.id


def _fill(project: Project, path: Path, annotator: str, annotator_id: int) -> tuple[int, int, int]:
    """Copy everything into the new file in one transaction; (documents, spans, links)."""
    with project.read() as session:
        if project.engine.dialect.name == "sqlite":
            copier = AttachedCopier(project.address, path, project.busy_timeout)  # the file's path
        else:
            # Every read must see the same moment; PostgreSQL's default lets each statement see
            # the commits made before it.
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            copier = RowCopier(session, path)
        try:
            assigned = select(Assignment.document_id).where(Assignment.annotator_id == annotator_id)
            document_ids = copier.scalars(assigned.order_by(Assignment.position))
            for table in (ProjectSetting, RelationLabel, Label):
                copier.clear(table.__table__)  # the defaults create_project wrote
            copier.copy(Label.__table__, select(Label.__table__))
            copier.copy(RelationLabel.__table__, select(RelationLabel.__table__))
            copier.copy(ProjectSetting.__table__, select(ProjectSetting.__table__).where(
                ProjectSetting.key.not_in(NOT_BUNDLED_SETTINGS)))
            copier.copy(Annotator.__table__, select(Annotator.__table__).where(Annotator.id == annotator_id))
            spans = links = 0
            head, child = Span.__table__.alias("head"), Span.__table__.alias("child")
            for batch in copier.document_sets(assigned, document_ids):
                copier.copy(Document.__table__, select(Document.__table__).where(Document.id.in_(batch)))
                for table in (Assignment.__table__, DocumentStatus.__table__):
                    copier.copy(table, select(table).where(table.c.annotator_id == annotator_id,
                                                           table.c.document_id.in_(batch)))
                spans += copier.copy(Span.__table__, _own_rows(Span.__table__, annotator_id).where(
                    Span.annotator_id == annotator_id, Span.document_id.in_(batch)))
                links += copier.copy(Relation.__table__, _own_rows(Relation.__table__, annotator_id)
                                     .join(head, head.c.id == Relation.head_id)
                                     .join(child, child.c.id == Relation.child_id)
                                     .where(Relation.annotator_id == annotator_id, head.c.document_id.in_(batch),
                                            head.c.annotator_id == annotator_id, child.c.annotator_id == annotator_id,
                                            child.c.document_id == head.c.document_id))
            copier.commit()
        finally:
            copier.close()
    return len(document_ids), spans, links


def _own_rows(table, annotator_id: int):
    """The table's columns, a reviewer mark kept only when it names the annotator herself (no other
    person's row is in the bundle)."""
    return select(*(case((column == annotator_id, column), else_=None).label(column.name)
                    if column.name == "reviewer_id" else column for column in table.columns))


def _record(session: Session, project: Project, annotator: str, annotator_id: int) -> BundleRecord:
    """The bundle's record, its fingerprints taken from the bundle as written."""
    with project.read() as source:
        the_project = project_id(source)
    shas = dict(session.execute(select(Document.id, Document.sha256)).all())
    return BundleRecord(uuid.uuid4().hex, the_project, annotator, utcnow().isoformat(timespec="seconds"),
                        project.address, {shas[document]: fingerprint for document, fingerprint in
                                          fingerprints(session, annotator_id, list(shas)).items()})
