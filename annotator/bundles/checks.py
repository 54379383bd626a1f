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
        """One pass over each table: rows counted per person and label (a span and a link table
        scanned once tells both whose rows are there and which labels hers use)."""
        people = dict(session.execute(select(Annotator.id, Annotator.name)).all())
        annotator_id = next((id_ for id_, name in people.items() if name == record.annotator), None)
        used: dict[str, set[str]] = {}
        for what, table, names in (("spans", Span, Label), ("links", Relation, RelationLabel),
                                   ("statuses", DocumentStatus, None)):
            keys = (table.annotator_id, table.label_id) if names is not None else (table.annotator_id,)
            counts = [(row[0], row[-2] if names is not None else None, row[-1])
                      for row in session.execute(select(*keys, func.count()).group_by(*keys))]
            others: dict[str, int] = {}
            for person, _, count in counts:
                if person != annotator_id:
                    name = people.get(person, f"#{person}")
                    others[name] = others.get(name, 0) + count
            if others:
                named = ", ".join(f"{count} of {name}" for name, count in sorted(others.items()))
                raise UserError(f"{path}: the bundle says it holds {record.annotator}'s work, but it also holds "
                                f"{what} by others ({named}) — was it opened under another name? Nothing was merged; "
                                f"open it with --annotator {record.annotator} and redo that work under her name")
            if names is not None:
                label_names = dict(session.execute(select(names.id, names.name)).all())
                used[what] = {label_names[label_id] for person, label_id, _ in counts if person == annotator_id}
        documents = {id_: (sha, name) for id_, sha, name in session.execute(
            select(Document.id, Document.sha256, Document.name).order_by(Document.id))}
        return cls(annotator_id, documents, used["spans"], used["links"])


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
