"""One annotator's work on each document, read lean, and its fingerprint.

The fingerprint is what a merge compares to tell which side changed since the bundle was made.
It covers exactly what a merge replaces — the spans (label, start, end, origin, score), the links
between them (relation label, and each end's label and offsets) and the status — by names and
offsets, never by row ids or timestamps: a bundle's ids may differ from the project's, and
marking the same span again is no change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.model import DocumentStatus, Label, Relation, RelationLabel, Span

BATCH = 500  # documents per query: IN lists stay short and memory stays flat

SpanKey = tuple[str, int, int]  # label name, start, end: a span's identity for one annotator
LinkKey = tuple[str, SpanKey, SpanKey]  # relation name, head, child


@dataclass
class DocumentWork:
    """One annotator's spans, links and status on one document (ids are the database's own)."""

    spans: dict[SpanKey, tuple[int, str, float | None]] = field(default_factory=dict)  # -> id, origin, score
    links: dict[LinkKey, int] = field(default_factory=dict)  # -> relation id
    status: str | None = None

    def fingerprint(self) -> str:
        content = (sorted((key, origin, score) for key, (_, origin, score) in self.spans.items()),
                   sorted(self.links), self.status)
        return hashlib.blake2b(repr(content).encode(), digest_size=12).hexdigest()


def raw_rows(session: Session, query) -> list[tuple]:
    """A select's rows as the driver's plain tuples (no SQLAlchemy Row per row: about 3x faster on
    10^5 rows). Only for queries whose parameters are integers, inlined as literals."""
    connection = session.connection()
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def batches(ids: Sequence[int], size: int = BATCH) -> Iterator[list[int]]:
    for at in range(0, len(ids), size):
        yield list(ids[at:at + size])


def read_work(session: Session, annotator_id: int | None, document_ids: Sequence[int]) -> dict[int, DocumentWork]:
    """document id -> the annotator's work on it, for every id asked (empty work when none).
    Links whose ends are not both the annotator's spans on that document are left out: a merge
    neither copies nor replaces them."""
    work = {document_id: DocumentWork() for document_id in document_ids}
    if annotator_id is None or not document_ids:
        return work
    labels = dict(session.execute(select(Label.id, Label.name)).all())
    relation_labels = dict(session.execute(select(RelationLabel.id, RelationLabel.name)).all())
    keys: dict[int, tuple[int, SpanKey]] = {}  # span id -> document, key
    for document_id, span_id, label_id, start, end, origin, score in raw_rows(session, select(
            Span.document_id, Span.id, Span.label_id, Span.start, Span.end, Span.origin, Span.score)
            .where(Span.annotator_id == annotator_id, Span.document_id.in_(document_ids))):
        key = (labels[label_id], start, end)
        work[document_id].spans[key] = (span_id, origin, score)
        keys[span_id] = (document_id, key)
    head = Span.__table__.alias("head")
    for link_id, label_id, head_id, child_id in raw_rows(session, select(
            Relation.id, Relation.label_id, Relation.head_id, Relation.child_id)
            .join(head, head.c.id == Relation.head_id)
            .where(Relation.annotator_id == annotator_id, head.c.document_id.in_(document_ids))):
        head_end, child_end = keys.get(head_id), keys.get(child_id)
        if head_end is not None and child_end is not None and head_end[0] == child_end[0]:
            work[head_end[0]].links[(relation_labels[label_id], head_end[1], child_end[1])] = link_id
    for document_id, status in raw_rows(session, select(DocumentStatus.document_id, DocumentStatus.status).where(
            DocumentStatus.annotator_id == annotator_id, DocumentStatus.document_id.in_(document_ids))):
        work[document_id].status = status
    return work


def fingerprints(session: Session, annotator_id: int | None, document_ids: Sequence[int]) -> dict[int, str]:
    """document id -> fingerprint of the annotator's work on it, a batch of documents at a time."""
    found: dict[int, str] = {}
    for batch in batches(document_ids):
        found.update((document_id, work.fingerprint())
                     for document_id, work in read_work(session, annotator_id, batch).items())
    return found
