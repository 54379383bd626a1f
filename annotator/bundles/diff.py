"""The rows a merge changes: for each document taken from the bundle, the project's rows of the
annotator that differ from the bundle's, as one Change (deleted, updated and inserted rows).

Spans are matched by their identity (label, start, end). A span only in the bundle whose id is
that of one only in the project is the same span relabelled or moved (a bundle keeps the
project's span ids), so it is updated in place and its links stay. Links are matched by their
relation and ends, statuses by document. Rows that come from the bundle keep its timestamps:
when the work was done, not when it was merged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import MappingProxyType

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from annotator.bundles.fingerprint import DocumentWork, SpanKey, batches
from annotator.changes import TABLES, Change, RowUpdate, frozen, relations_of
from annotator.model import Relation, Span

_SPAN_EDIT = ("label_id", "start", "end", "origin", "score", "updated_at")
_STATUS_EDIT = ("status", "started_at", "finished_at", "updated_at")


@dataclass
class DocumentDiff:
    """What a merge does to one document, counted for the report."""

    document: str
    document_id: int  # in the project
    spans_added: int = 0
    spans_changed: int = 0
    spans_removed: int = 0
    links_added: int = 0
    links_removed: int = 0
    status: tuple[str | None, str | None] | None = None  # (before, after) when it changes

    def changes(self) -> int:
        return (self.spans_added + self.spans_changed + self.spans_removed + self.links_added + self.links_removed
                + (self.status is not None))


@dataclass
class Taken:
    """A document whose work comes from the bundle: its ids on both sides and both works."""

    name: str
    project_id: int
    bundle_id: int
    length: int
    project: DocumentWork
    bundle: DocumentWork


@dataclass
class _Plan:
    """What changes on one document: project span ids updated (with the bundle's key and id),
    bundle spans added, project spans removed, links removed and added."""

    span_ids: dict[SpanKey, int] = field(default_factory=dict)  # bundle key -> project span id
    updates: list[tuple[int, SpanKey, int]] = field(default_factory=list)
    added: list[tuple[SpanKey, int]] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    links_removed: list[int] = field(default_factory=list)
    links_added: list[tuple] = field(default_factory=list)


@dataclass
class _Rows:
    inserted: list = field(default_factory=list)
    deleted: list = field(default_factory=list)
    updated: list = field(default_factory=list)


class ChangeBuilder:
    """Builds the merge's one Change, a document at a time."""

    def __init__(self, session: Session, bundle: Session, annotator_id: int, bundle_annotator_id: int | None,
                 labels: dict[str, int], relation_labels: dict[str, int]) -> None:
        self.session, self.bundle, self.annotator_id = session, bundle, annotator_id
        self.bundle_annotator_id = bundle_annotator_id
        self.labels, self.relation_labels = labels, relation_labels
        self.next_span = (session.scalar(select(func.max(Span.id))) or 0) + 1
        self.next_link = (session.scalar(select(func.max(Relation.id))) or 0) + 1
        self.rows = _Rows()
        self.documents: set[int] = set()  # project ids of the documents whose rows change

    def add(self, documents: list[Taken]) -> list[DocumentDiff]:
        """Add the rows of a batch of documents; what each changes. Whole rows are read only for
        the spans and links that change (a merge usually changes a few of each document's)."""
        plans = [self._plan(taken) for taken in documents]
        project_spans = _rows_by_id(self.session, "spans", [i for p in plans for i, *_ in p.updates] +
                                    [i for p in plans for i in p.removed])
        project_links = _rows_by_id(self.session, "relations", [i for p in plans for i in p.links_removed])
        bundle_spans = _rows_by_id(self.bundle, "spans", [i for p in plans for *_, i in p.updates] +
                                   [i for p in plans for _, i in p.added])
        bundle_links = _rows_by_id(self.bundle, "relations", [i for p in plans for _, i in p.links_added])
        known = {link_id for taken in documents for link_id in taken.project.links.values()}
        # another's link to one of her removed spans (not hers to keep): it goes with the span
        foreign = [row for row in relations_of(self.session, [i for p in plans for i in p.removed])
                   if row["id"] not in known]
        self.rows.deleted.extend(("relations", row) for row in foreign)
        statuses = _statuses(self.session, self.annotator_id, [d.project_id for d in documents])
        bundle_statuses = _statuses(self.bundle, self.bundle_annotator_id, [d.bundle_id for d in documents])
        diffs = []
        for taken, plan in zip(documents, plans):
            diff = DocumentDiff(taken.name, taken.project_id, len(plan.added), len(plan.updates), len(plan.removed),
                                len(plan.links_added), len(plan.links_removed))
            for project_id, key, bundle_id in plan.updates:
                self._update_span(project_spans[project_id], key, bundle_spans[bundle_id])
            for key, bundle_id in plan.added:
                plan.span_ids[key] = self._insert_span(taken, key, bundle_spans[bundle_id])
            self.rows.deleted.extend(("relations", project_links[i]) for i in plan.links_removed)
            for link, bundle_id in plan.links_added:
                self._insert_link(link, plan.span_ids, bundle_links[bundle_id])
            self.rows.deleted.extend(("spans", project_spans[i]) for i in plan.removed)
            self._status(taken, diff, statuses.get(taken.project_id), bundle_statuses.get(taken.bundle_id))
            diffs.append(diff)
            if diff.changes():
                self.documents.add(taken.project_id)
        return diffs

    def change(self, description: str, first: Iterable = ()) -> Change:
        """The one Change; it names its documents, since link rows do not."""
        return Change(description, tuple(first) + tuple(self.rows.inserted), tuple(self.rows.deleted),
                      tuple(self.rows.updated), document_ids=frozenset(self.documents))

    @staticmethod
    def _plan(taken: Taken) -> _Plan:
        """Which of her spans and links on the document change, by ids only."""
        plan = _Plan()
        mine, theirs = taken.project.spans, taken.bundle.spans
        renamed: dict[SpanKey, SpanKey] = {}  # project key -> bundle key of a span changed in place
        only_here = {mine[key][0]: key for key in mine.keys() - theirs.keys()}
        for key, (bundle_id, origin, score) in theirs.items():
            if key in mine:
                plan.span_ids[key] = mine[key][0]
                if mine[key][1:] != (origin, score):
                    plan.updates.append((mine[key][0], key, bundle_id))
            elif bundle_id in only_here:
                renamed[only_here.pop(bundle_id)] = key
                plan.span_ids[key] = bundle_id
                plan.updates.append((bundle_id, key, bundle_id))
            else:
                plan.added.append((key, bundle_id))
        kept = set()
        for (relation, head, child), link_id in taken.project.links.items():
            moved = (relation, renamed.get(head, head), renamed.get(child, child))
            if moved in taken.bundle.links:
                kept.add(moved)
            else:
                plan.links_removed.append(link_id)
        plan.links_added = [(link, link_id) for link, link_id in taken.bundle.links.items() if link not in kept]
        plan.removed = list(only_here)
        return plan

    def _update_span(self, before: MappingProxyType, key: SpanKey, bundle_row: MappingProxyType) -> None:
        after = {"label_id": self.labels[key[0]], "start": key[1], "end": key[2], "origin": bundle_row["origin"],
                 "score": bundle_row["score"], "updated_at": _utc(bundle_row["updated_at"])}
        self.rows.updated.append(RowUpdate("spans", frozen({"id": before["id"]}),
                                           frozen({c: before[c] for c in _SPAN_EDIT}), frozen(after)))

    def _insert_span(self, taken: Taken, key: SpanKey, bundle_row: MappingProxyType) -> int:
        span_id, self.next_span = self.next_span, self.next_span + 1
        self.rows.inserted.append(("spans", frozen({
            "id": span_id, "document_id": taken.project_id, "doc_length": taken.length,
            "annotator_id": self.annotator_id, "label_id": self.labels[key[0]], "start": key[1], "end": key[2],
            "origin": bundle_row["origin"], "reviewer_id": None, "created_at": _utc(bundle_row["created_at"]),
            "updated_at": _utc(bundle_row["updated_at"]), "score": bundle_row["score"]})))
        return span_id

    def _insert_link(self, link, span_ids: dict[SpanKey, int], bundle_row: MappingProxyType) -> None:
        relation, head, child = link
        link_id, self.next_link = self.next_link, self.next_link + 1
        self.rows.inserted.append(("relations", frozen({
            "id": link_id, "head_id": span_ids[head], "child_id": span_ids[child],
            "label_id": self.relation_labels[relation], "annotator_id": self.annotator_id, "reviewer_id": None,
            "created_at": _utc(bundle_row["created_at"])})))

    def _status(self, taken: Taken, diff: DocumentDiff, current: MappingProxyType | None,
                wanted: MappingProxyType | None) -> None:
        if taken.project.status == taken.bundle.status:
            return
        diff.status = (taken.project.status, taken.bundle.status)
        key = {"document_id": taken.project_id, "annotator_id": self.annotator_id}
        values = {column: _utc(wanted[column]) if column != "status" else wanted[column]
                  for column in _STATUS_EDIT} if wanted is not None else None
        if current is None:
            self.rows.inserted.append(("document_status", frozen({**key, **values})))
        elif values is None:
            self.rows.deleted.append(("document_status", current))
        else:
            self.rows.updated.append(RowUpdate("document_status", frozen(key),
                                               frozen({c: current[c] for c in _STATUS_EDIT}), frozen(values)))


def _rows_by_id(session: Session, table_name: str, ids: list[int]) -> dict[int, MappingProxyType]:
    table: Table = TABLES[table_name]
    found = {}
    for batch in batches(ids):
        rows = session.execute(select(table).where(table.c.id.in_(batch))).mappings()
        found.update((row["id"], frozen(row)) for row in rows)
    return found


def _statuses(session: Session, annotator_id: int | None, document_ids: list[int]) -> dict[int, MappingProxyType]:
    """document id -> the annotator's status row."""
    if annotator_id is None:
        return {}
    table = TABLES["document_status"]
    return {row["document_id"]: frozen(row) for row in session.execute(select(table).where(
        table.c.annotator_id == annotator_id, table.c.document_id.in_(document_ids))).mappings()}


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands datetimes back without their zone; the store writes them all in UTC."""
    return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value
