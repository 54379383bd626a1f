"""What a merge checks before it changes anything: the bundle holds one annotator's work, as it
says, and belongs to this project, whose documents and labels it uses are all still there."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.bundles.bundle_file import BundleRecord
from annotator.bundles.fingerprint import batches
from annotator.errors import UserError
from annotator.model import Annotator, Document, DocumentStatus, Label, Relation, RelationLabel, Span
from annotator.settings import project_id

_LISTED = 10


def _listed(names: list[str]) -> str:
    return ", ".join(names[:_LISTED]) + (f" and {len(names) - _LISTED} more" if len(names) > _LISTED else "")


@dataclass(frozen=True)
class BundleContents:
    annotator_id: int | None  # the bundle's row of the annotator it names (None: she has no row there)
    documents: dict[int, tuple[str, str]]  # bundle document id -> (sha256, name), in id order
    labels: set[str]  # label names her spans use
    relation_labels: set[str]  # relation names her links use

    @classmethod
    def read(cls, session: Session, record: BundleRecord, path: Path) -> BundleContents:
        annotator_id = session.scalar(select(Annotator.id).where(Annotator.name == record.annotator))
        for what, table in (("spans", Span), ("links", Relation), ("statuses", DocumentStatus)):
            others = session.execute(
                select(Annotator.name, func.count()).select_from(table)
                .join(Annotator, Annotator.id == table.annotator_id).where(table.annotator_id != (annotator_id or -1))
                .group_by(Annotator.name).order_by(Annotator.name)).all()
            if others:
                named = ", ".join(f"{count} of {name}" for name, count in others)
                raise UserError(f"{path}: the bundle says it holds {record.annotator}'s work, but it also holds "
                                f"{what} by others ({named}) — was it opened under another name? Nothing was merged; "
                                f"open it with --annotator {record.annotator} and redo that work under her name")
        documents = {id_: (sha, name) for id_, sha, name in session.execute(
            select(Document.id, Document.sha256, Document.name).order_by(Document.id))}
        labels = set(session.scalars(select(Label.name).distinct().join(Span, Span.label_id == Label.id)
                                     .where(Span.annotator_id == annotator_id)))
        relation_labels = set(session.scalars(
            select(RelationLabel.name).distinct().join(Relation, Relation.label_id == RelationLabel.id)
            .where(Relation.annotator_id == annotator_id)))
        return cls(annotator_id, documents, labels, relation_labels)


@dataclass(frozen=True)
class Found:
    documents: dict[str, tuple[int, int]]  # sha256 -> the project's document id and length
    labels: dict[str, int]  # name -> the project's label id
    relation_labels: dict[str, int]


def check_project(session: Session, contents: BundleContents, record: BundleRecord, path: Path) -> Found:
    """The project's ids for what the bundle names; refuse a bundle that does not fit the project."""
    here = project_id(session)
    if record.project_id != here:
        raise UserError(f"{path}: this bundle was made from another project ({record.source}, id {record.project_id}; "
                        f"this one is {here}) — merge it into the project it came from")
    shas = [sha for sha, _ in contents.documents.values()]
    documents: dict[str, tuple[int, int]] = {}
    for batch in batches(shas):
        documents.update((sha, (id_, length)) for id_, sha, length in session.execute(
            select(Document.id, Document.sha256, Document.length).where(Document.sha256.in_(batch))))
    missing = [name for sha, name in contents.documents.values() if sha not in documents]
    if missing:
        raise UserError(f"{path}: {len(missing)} of the bundle's documents are not in the project (deleted since the "
                        f"bundle was made?): {_listed(missing)} — nothing was merged; import them into the project "
                        "again, then merge")
    labels = dict(session.execute(select(Label.name, Label.id)).all())
    relation_labels = dict(session.execute(select(RelationLabel.name, RelationLabel.id)).all())
    gone = sorted(contents.labels - labels.keys()) + sorted(contents.relation_labels - relation_labels.keys())
    if gone:
        raise UserError(f"{path}: the bundle's work uses labels the project no longer has: {', '.join(gone)} — "
                        "nothing was merged; put them back in the project's schema, or relabel or remove those "
                        "spans and links in the bundle, then merge")
    return Found(documents, labels, relation_labels)
