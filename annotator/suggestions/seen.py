"""The suggestions of one document as one person sees them, kept up to date from Changes.

Like annotator.annotations for a person's own spans: loaded once when a document opens, then
each Change (an accept, a reject, an undo, the person's own marking) is applied to it, so the
window's suggestion layer costs the same after an action on a long article as on a short one.

A suggestion is visible to a person while they have not decided on it and have not marked the
same label, start and end themselves; in text order (start, end, id).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.changes import Change
from annotator.model import MODEL, Annotator, Label, Relation, RelationLabel, Span, SuggestionDecision


TAKEN = ("accepted", "changed")  # decisions that made the suggestion the person's span


@dataclass(frozen=True)
class Suggestion:
    id: int
    source: str
    label: str
    start: int
    end: int
    score: float | None


@dataclass(frozen=True)
class SuggestedLink:
    id: int
    head: int  # suggestion ids
    child: int
    relation: str


@dataclass
class DocumentSuggestions:
    document_id: int
    annotator: str
    me: int | None
    sources: dict[int, str]  # annotator id -> source name (rules, model:NAME)
    labels: dict[int, str]
    relations: dict[int, str]
    suggestions: dict[int, Suggestion] = field(default_factory=dict)
    links: dict[int, SuggestedLink] = field(default_factory=dict)
    decided: dict[int, str] = field(default_factory=dict)  # suggestion id -> my decision
    mine: dict[int, tuple[str, int, int]] = field(default_factory=dict)  # my span id -> (label, start, end)
    _marked: Counter = field(default_factory=Counter)  # (label, start, end) of my spans
    _ranges: Counter = field(default_factory=Counter)  # (start, end) of my spans

    @classmethod
    def load(cls, session: Session, document_id: int, annotator: str) -> DocumentSuggestions:
        me = session.scalar(select(Annotator.id).where(Annotator.name == annotator))
        seen = cls(document_id, annotator, me,
                   dict(session.execute(select(Annotator.id, Annotator.name).where(Annotator.role == MODEL)).all()),
                   dict(session.execute(select(Label.id, Label.name)).all()),
                   dict(session.execute(select(RelationLabel.id, RelationLabel.name)).all()))
        if not seen.sources:
            return seen
        for row in session.execute(select(Span.id, Span.annotator_id, Span.label_id, Span.start, Span.end, Span.score)
                                   .where(Span.document_id == document_id, Span.annotator_id.in_(list(seen.sources)))):
            seen._add_suggestion(row.id, row.annotator_id, row.label_id, row.start, row.end, row.score)
        if seen.suggestions:
            of_document = select(Span.id).where(Span.document_id == document_id,
                                                Span.annotator_id.in_(list(seen.sources)))
            for row in session.execute(select(Relation.id, Relation.head_id, Relation.child_id, Relation.label_id)
                                       .where(Relation.annotator_id.in_(list(seen.sources)),
                                              Relation.head_id.in_(of_document))):
                seen._add_link(row.id, row.head_id, row.child_id, row.label_id)
        if me is not None:
            seen.decided = dict(session.execute(select(SuggestionDecision.suggestion_id, SuggestionDecision.decision)
                                                .where(SuggestionDecision.annotator_id == me,
                                                       SuggestionDecision.suggestion_id.in_(
                                                           select(Span.id).where(Span.document_id == document_id)))
                                                ).all())
            for row in session.execute(select(Span.id, Span.label_id, Span.start, Span.end)
                                       .where(Span.document_id == document_id, Span.annotator_id == me)):
                seen._mark(row.id, row.label_id, row.start, row.end)
        return seen

    def visible(self) -> list[Suggestion]:
        """What the person has still to decide on, in text order."""
        return sorted((s for s in self.suggestions.values()
                       if s.id not in self.decided and not self._marked[s.label, s.start, s.end]),
                      key=lambda s: (s.start, s.end, s.id))

    def visible_links(self, shown: set[int]) -> list[SuggestedLink]:
        """The sources' links still to decide on: one end among `shown` suggestion ids, the other
        shown too or taken (accepted or changed into a span the person still has): accepting the
        shown end makes the link theirs."""
        def drawn(end: int) -> bool:
            if end in shown:
                return True
            taken = self.suggestions.get(end)
            return taken is not None and self.decided.get(end) in TAKEN and self._ranges[taken.start, taken.end] > 0

        return [link for link in self.links.values()
                if (link.head in shown or link.child in shown) and drawn(link.head) and drawn(link.child)]

    def apply(self, change: Change) -> bool:
        """Bring this up to date with a change; True when it may alter what is visible."""
        if self.document_id not in change.documents():
            return False
        for row in change.rows("annotators"):
            if row["name"] == self.annotator:
                self.me = row["id"]
        for row in change.rows("suggestion_decisions", "deleted"):
            if row["annotator_id"] == self.me:
                self.decided.pop(row["suggestion_id"], None)
        for row in change.rows("suggestion_decisions"):
            if row["annotator_id"] == self.me and row["suggestion_id"] in self.suggestions:
                self.decided[row["suggestion_id"]] = row["decision"]
        for row in change.rows("relations", "deleted"):
            self.links.pop(row["id"], None)
        for row in change.rows("spans", "deleted"):
            self.suggestions.pop(row["id"], None)
            self._unmark(row["id"])
        for update in change.updated:
            if update.table == "spans" and update.key["id"] in self.mine and "label_id" in update.after:
                _, start, end = self._unmark(update.key["id"])
                self._mark(update.key["id"], update.after["label_id"], start, end)
        for row in change.rows("spans"):
            if row["document_id"] != self.document_id:
                continue
            if row["annotator_id"] == self.me:
                self._mark(row["id"], row["label_id"], row["start"], row["end"])
            elif row["annotator_id"] in self.sources:
                self._add_suggestion(row["id"], row["annotator_id"], row["label_id"], row["start"], row["end"],
                                     row["score"])
        for row in change.rows("relations"):
            if row["annotator_id"] in self.sources and row["head_id"] in self.suggestions:
                self._add_link(row["id"], row["head_id"], row["child_id"], row["label_id"])
        return True

    def _add_suggestion(self, span_id: int, source: int, label: int, start: int, end: int, score) -> None:
        self.suggestions[span_id] = Suggestion(span_id, self.sources[source], self.labels[label], start, end, score)

    def _add_link(self, link_id: int, head: int, child: int, label: int) -> None:
        self.links[link_id] = SuggestedLink(link_id, head, child, self.relations[label])

    def _mark(self, span_id: int, label_id: int, start: int, end: int) -> None:
        self._unmark(span_id)  # a span marked again (a redo seen twice) counts once
        self.mine[span_id] = key = (self.labels[label_id], start, end)
        self._marked[key] += 1
        self._ranges[start, end] += 1

    def _unmark(self, span_id: int) -> tuple[str, int, int] | None:
        key = self.mine.pop(span_id, None)
        if key is not None:
            self._marked[key] -= 1
            self._ranges[key[1:]] -= 1
        return key
