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

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from annotator.driver_rows import fetch_all
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
        return digest([span_line(label, start, end, origin, score)
                       for (label, start, end), (_, origin, score) in self.spans.items()],
                      ["\t".join(map(str, (relation, *head, *child))) for relation, head, child in self.links],
                      self.status)


def span_line(label: str, start: int, end: int, origin: str, score: float | None) -> str:
    line = f"{label}\t{start}\t{end}\t{origin}"
    return line if score is None else f"{line}\t{score!r}"


def digest(span_lines: list[str], link_lines: list[str], status: str | None) -> str:
    """The fingerprint of a document's spans and links, one line of text each (in any order), and
    its status."""
    text = "\n".join(sorted(span_lines)) + "\n\n" + "\n".join(sorted(link_lines)) + f"\n\n{status}"
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


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
    for document_id, span_id, label_id, start, end, origin, score in fetch_all(session, select(
            Span.document_id, Span.id, Span.label_id, Span.start, Span.end, Span.origin, Span.score)
            .where(Span.annotator_id == annotator_id, Span.document_id.in_(document_ids))):
        key = (labels[label_id], start, end)
        work[document_id].spans[key] = (span_id, origin, score)
        keys[span_id] = (document_id, key)
    head = Span.__table__.alias("head")
    for link_id, label_id, head_id, child_id in fetch_all(session, select(
            Relation.id, Relation.label_id, Relation.head_id, Relation.child_id)
            .join(head, head.c.id == Relation.head_id)
            .where(Relation.annotator_id == annotator_id, head.c.document_id.in_(document_ids))):
        head_end, child_end = keys.get(head_id), keys.get(child_id)
        if head_end is not None and child_end is not None and head_end[0] == child_end[0]:
            work[head_end[0]].links[(relation_labels[label_id], head_end[1], child_end[1])] = link_id
    for document_id, status in fetch_all(session, select(DocumentStatus.document_id, DocumentStatus.status).where(
            DocumentStatus.annotator_id == annotator_id, DocumentStatus.document_id.in_(document_ids))):
        work[document_id].status = status
    return work


def fingerprints(session: Session, annotator_id: int | None, document_ids: Sequence[int]) -> dict[int, str]:
    """document id -> fingerprint of the annotator's work on it: what read_work's
    DocumentWork.fingerprint() gives, without building the work. The database writes each span's
    label and offsets as text (as span_line does; the score is written here: SQLite and
    PostgreSQL print floats differently), and a link's line is made here from its ends' (a join
    of each link to both its spans and their labels cost the database twice as much as reading
    the links bare). Python only groups and hashes, a batch of documents at a time."""
    found: dict[int, str] = {}
    relation_names = dict(session.execute(select(RelationLabel.id, RelationLabel.name)).all())
    head = Span.__table__.alias("head")
    for batch in batches(document_ids, 4 * BATCH):
        spans: dict[int, list[str]] = {document_id: [] for document_id in batch}
        links: dict[int, list[str]] = {document_id: [] for document_id in batch}
        statuses: dict[int, str] = {}
        if annotator_id is not None:
            ends: dict[int, tuple[int, str]] = {}  # span id -> its document, "label<TAB>start<TAB>end"
            for document_id, span_id, key, origin, score in fetch_all(session, select(
                    Span.document_id, Span.id, _line(Label.name, Span.start, Span.end), Span.origin, Span.score)
                    .join(Label, Label.id == Span.label_id)
                    .where(Span.annotator_id == annotator_id, Span.document_id.in_(batch))):
                ends[span_id] = (document_id, key)
                spans[document_id].append(f"{key}\t{origin}" if score is None else f"{key}\t{origin}\t{score!r}")
            for label_id, head_id, child_id in fetch_all(session, select(
                    Relation.label_id, Relation.head_id, Relation.child_id)
                    .join(head, head.c.id == Relation.head_id)
                    .where(Relation.annotator_id == annotator_id, head.c.document_id.in_(batch),
                           head.c.annotator_id == annotator_id)):
                head_end, child_end = ends.get(head_id), ends.get(child_id)
                if head_end and child_end and child_end[0] == head_end[0]:  # her spans, on the same document
                    links[head_end[0]].append(f"{relation_names[label_id]}\t{head_end[1]}\t{child_end[1]}")
            statuses = dict(fetch_all(session, select(DocumentStatus.document_id, DocumentStatus.status).where(
                DocumentStatus.annotator_id == annotator_id, DocumentStatus.document_id.in_(batch))))
        found.update((document_id, digest(spans[document_id], links[document_id], statuses.get(document_id)))
                     for document_id in batch)
    return found


def _line(*columns):
    """The columns as one line of text, tab-separated, written by the database."""
    line = cast(columns[0], String)
    for column in columns[1:]:
        line = line + "\t" + cast(column, String)
    return line
