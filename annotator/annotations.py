"""One person's annotations of one document, kept in memory and updated from Changes.

A view loads it once per document and then applies each Change (a command, an
undo, a redo) to it instead of querying everything again, so the cost of one
action does not grow with the number of spans in the article.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.changes import Change
from annotator.model import Annotator, Label, Relation, RelationLabel, Span


@dataclass(frozen=True)
class SpanInfo:
    id: int
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class LinkInfo:
    id: int
    head: int
    child: int
    relation: str


@dataclass(frozen=True)
class Touched:
    """What one change did to a document's spans and links, so that a view redraws only that.

    False when the change did not touch the document (a status, another document)."""
    spans: frozenset[int] = frozenset()  # inserted or relabelled: read them from the state
    spans_removed: frozenset[int] = frozenset()
    links: frozenset[int] = frozenset()  # inserted
    links_removed: tuple[LinkInfo, ...] = ()  # as they were: their ends' descriptions change

    def __bool__(self) -> bool:
        return bool(self.spans or self.spans_removed or self.links or self.links_removed)


@dataclass
class DocumentAnnotations:
    document_id: int
    annotator: str
    annotator_id: int | None
    labels: dict[int, str]  # label id -> name
    relations: dict[int, str]  # relation label id -> name
    spans: dict[int, SpanInfo] = field(default_factory=dict)
    links: dict[int, LinkInfo] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, document_id: int, annotator: str) -> DocumentAnnotations:
        annotator_id = session.scalar(select(Annotator.id).where(Annotator.name == annotator))
        state = cls(document_id, annotator, annotator_id,
                    dict(session.execute(select(Label.id, Label.name)).all()),
                    dict(session.execute(select(RelationLabel.id, RelationLabel.name)).all()))
        if annotator_id is None:
            return state
        for span_id, label_id, start, end in session.execute(
            select(Span.id, Span.label_id, Span.start, Span.end)
            .where(Span.document_id == document_id, Span.annotator_id == annotator_id)
        ):
            state.spans[span_id] = SpanInfo(span_id, state.labels[label_id], start, end)
        if state.spans:
            for link_id, head, child, label_id in session.execute(
                select(Relation.id, Relation.head_id, Relation.child_id, Relation.label_id)
                # a subquery, not a list of 2,000 ids: one parameter to send, and the server's index
                .where(Relation.annotator_id == annotator_id, Relation.head_id.in_(
                    select(Span.id).where(Span.document_id == document_id, Span.annotator_id == annotator_id)))
            ):
                state.links[link_id] = LinkInfo(link_id, head, child, state.relations[label_id])
        return state

    def apply(self, change: Change) -> Touched:
        """Bring the state up to date with a change; say which of its spans and links it touched."""
        spans, links, spans_removed, links_removed = set(), set(), set(), []
        for row in change.rows("annotators"):
            if row["name"] == self.annotator:
                self.annotator_id = row["id"]
        for row in change.rows("annotators", "deleted"):
            if row["id"] == self.annotator_id:
                self.annotator_id = None
        for row in change.rows("relations", "deleted"):
            link = self.links.pop(row["id"], None)
            if link is not None:
                links_removed.append(link)
        for row in change.rows("spans", "deleted"):
            if self.spans.pop(row["id"], None) is not None:
                spans_removed.add(row["id"])
        for update in change.updated:
            if update.table == "spans" and update.key["id"] in self.spans and "label_id" in update.after:
                old = self.spans[update.key["id"]]
                self.spans[old.id] = SpanInfo(old.id, self.labels[update.after["label_id"]], old.start, old.end)
                spans.add(old.id)
        for row in change.rows("spans"):
            if row["document_id"] == self.document_id and row["annotator_id"] == self.annotator_id:
                self.spans[row["id"]] = SpanInfo(row["id"], self.labels[row["label_id"]], row["start"], row["end"])
                spans.add(row["id"])
        for row in change.rows("relations"):
            if row["head_id"] in self.spans and row["annotator_id"] == self.annotator_id:
                self.links[row["id"]] = LinkInfo(row["id"], row["head_id"], row["child_id"],
                                                 self.relations[row["label_id"]])
                links.add(row["id"])
        return Touched(frozenset(spans), frozenset(spans_removed - spans), frozenset(links),
                       tuple(link for link in links_removed if link.id not in links))

    def links_of(self, span_id: int) -> list[LinkInfo]:
        return [link for link in self.links.values() if span_id in (link.head, link.child)]

    def link_candidates(self, head_id: int, targets: Collection[str]) -> list[SpanInfo]:
        """The spans the head span may link to (their label is one of `targets`, e.g. from
        commands.link_targets): nearest to the head's start first, the earlier one on a tie."""
        anchor = self.spans[head_id].start
        return sorted((s for s in self.spans.values() if s.label in targets and s.id != head_id),
                      key=lambda s: (abs(s.start - anchor), s.start))
