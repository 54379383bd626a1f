"""What a person does with suggestions; each action is one Change, undone like any other.

- visible_suggestions: on one document, the suggestions of every source (role model) that this
  person has not decided on and has not already marked identically (same label, start, end), in
  text order — what the window steps through.
- accept: the suggestion becomes the person's span (origin "accepted", or "changed" when given
  another label), the decision is recorded, their status moves from todo to in_progress, and
  where a source's link joins it to a suggestion they accepted before, their own link is made.
- reject: the decision "rejected"; the suggestion stays hidden for them.
- accept_all: every visible suggestion of a document, in one Change (two sources suggesting the
  same span give one span; both decisions are recorded).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.changes import Change, RowUpdate, apply_in, frozen, row_of
from annotator.errors import UserError
from annotator.model import GOLD, MODEL, Annotator, Label, Relation, RelationLabel, Span, SuggestionDecision, utcnow
from annotator.store import Project

_TAKEN = ("accepted", "changed")


@dataclass(frozen=True)
class Suggestion:
    id: int
    source: str
    label: str
    start: int
    end: int
    score: float | None


def visible_suggestions(session: Session, document_id: int, annotator: str) -> list[Suggestion]:
    me = session.scalar(select(Annotator.id).where(Annotator.name == annotator))
    sources = dict(session.execute(select(Annotator.id, Annotator.name).where(Annotator.role == MODEL)).all())
    if not sources:
        return []
    labels = dict(session.execute(select(Label.id, Label.name)).all())
    decided = set(session.scalars(select(SuggestionDecision.suggestion_id)
                                  .where(SuggestionDecision.annotator_id == me))) if me is not None else set()
    mine = set(session.execute(select(Span.label_id, Span.start, Span.end)
                               .where(Span.document_id == document_id, Span.annotator_id == me)).all()) \
        if me is not None else set()
    rows = session.execute(select(Span.id, Span.annotator_id, Span.label_id, Span.start, Span.end, Span.score)
                           .where(Span.document_id == document_id, Span.annotator_id.in_(list(sources)))
                           .order_by(Span.start, Span.end, Span.id)).all()
    return [Suggestion(span_id, sources[source], labels[label], start, end, score)
            for span_id, source, label, start, end, score in rows
            if span_id not in decided and (label, start, end) not in mine]


def accept(project: Project, suggestion_id: int, annotator: str, label: str | None = None) -> Change:
    with project.transaction() as session:
        builder = _Decisions(session, annotator)
        span = builder.accept(suggestion_id, label, strict=True)
        return builder.apply(f"accept suggestion {span['start']}-{span['end']}")


def reject(project: Project, suggestion_id: int, annotator: str) -> Change:
    with project.transaction() as session:
        builder = _Decisions(session, annotator)
        span = builder.suggestion(suggestion_id)
        builder.decide(span, "rejected")
        return builder.apply(f"reject suggestion {span['start']}-{span['end']}")


def accept_all(project: Project, document_id: int, annotator: str) -> Change:
    with project.transaction() as session:
        visible = visible_suggestions(session, document_id, annotator)
        if not visible:
            raise UserError(f"document {document_id} has no suggestion left for {annotator}")
        builder = _Decisions(session, annotator)
        for suggestion in visible:
            builder.accept(suggestion.id, None, strict=False)
        return builder.apply(f"accept {len(visible)} suggestions")


class _Decisions:
    """Builds one Change of decisions by one person (rows tracked here, applied once at the end)."""

    def __init__(self, session: Session, annotator: str):
        self.session, self.now = session, utcnow()
        self.inserted: list = []
        self.updated: list = []
        self.focus: int | None = None
        self.documents: set[int] = set()
        if not annotator or not annotator.strip():
            raise UserError("annotator name is empty; give your name (--annotator NAME)")
        found = session.execute(select(Annotator.id, Annotator.role).where(Annotator.name == annotator)).first()
        if found is not None and found.role in (MODEL, GOLD):
            raise UserError(f"{annotator!r} is a {found.role}, not a person; decide as yourself (--annotator NAME)")
        self.me = found.id if found is not None else self._new_person(annotator)
        self.labels = dict(session.execute(select(Label.name, Label.id)).all())
        self.label_names = {i: name for name, i in self.labels.items()}
        self.rules = {i: (tuple(heads), tuple(children)) for i, heads, children in session.execute(
            select(RelationLabel.id, RelationLabel.head_labels, RelationLabel.child_labels))}
        self.next_span = self._next(Span.id)
        self.next_link = self._next(Relation.id)
        self.made: dict[int, dict] = {}  # suggestion id -> my span row made from it now

    def _next(self, column) -> int:
        return (self.session.scalar(select(column).order_by(column.desc()).limit(1)) or 0) + 1

    def _new_person(self, name: str) -> int:
        row = {"id": self._next(Annotator.id), "name": name, "role": "annotator", "created_at": self.now}
        self.inserted.append(("annotators", frozen(row)))
        return row["id"]

    def suggestion(self, suggestion_id: int) -> MappingProxyType:
        span = row_of(self.session, "spans", id=suggestion_id)
        source = self.session.scalar(select(Annotator.role).where(Annotator.id == span["annotator_id"])) if span else None
        if source != MODEL:
            raise UserError(f"span {suggestion_id} is not a suggestion (deleted meanwhile?); reopen the document")
        done = self.session.scalar(select(SuggestionDecision.decision).where(
            SuggestionDecision.suggestion_id == suggestion_id, SuggestionDecision.annotator_id == self.me))
        if done is not None:
            raise UserError(f"suggestion {suggestion_id} is already {done} by you")
        return span

    def decide(self, span, decision: str) -> None:
        self.documents.add(span["document_id"])
        self.inserted.append(("suggestion_decisions", frozen({
            "suggestion_id": span["id"], "annotator_id": self.me, "decision": decision, "decided_at": self.now})))

    def accept(self, suggestion_id: int, label: str | None, strict: bool) -> MappingProxyType:
        span = self.suggestion(suggestion_id)
        if label is not None and label not in self.labels:
            raise UserError(f"label {label!r} is not in this project's schema; use one of {', '.join(self.labels)}")
        label_id = self.labels[label] if label is not None else span["label_id"]
        self.decide(span, "accepted" if label_id == span["label_id"] else "changed")
        mine = self._my_span(span["document_id"], label_id, span["start"], span["end"])
        if mine is not None:
            if strict:
                raise UserError(f"{self.label_names[label_id]} {span['start']}-{span['end']} is already marked by you "
                                f"(span {mine}); reject the suggestion instead")
            return span
        row = {"id": self.next_span, "document_id": span["document_id"], "doc_length": span["doc_length"],
               "annotator_id": self.me, "label_id": label_id, "start": span["start"], "end": span["end"],
               "origin": "accepted" if label_id == span["label_id"] else "changed", "reviewer_id": None,
               "created_at": self.now, "updated_at": self.now, "score": None}
        self.next_span += 1
        self.inserted.append(("spans", frozen(row)))
        self.made[suggestion_id] = row
        self.focus = row["id"]
        self._status(span["document_id"])
        self._links(span, row)
        return span

    def _my_span(self, document_id: int, label_id: int, start: int, end: int) -> int | None:
        for row in self.made.values():
            if (row["document_id"], row["label_id"], row["start"], row["end"]) == (document_id, label_id, start, end):
                return row["id"]
        return self.session.scalar(select(Span.id).where(
            Span.document_id == document_id, Span.annotator_id == self.me, Span.label_id == label_id,
            Span.start == start, Span.end == end))

    def _links(self, suggestion, mine: dict) -> None:
        """My link wherever the source linked this suggestion to one I took before (or just now)."""
        for link in self.session.execute(select(Relation.head_id, Relation.child_id, Relation.label_id).where(
                Relation.annotator_id == suggestion["annotator_id"],
                (Relation.head_id == suggestion["id"]) | (Relation.child_id == suggestion["id"]))).all():
            other_id = link.child_id if link.head_id == suggestion["id"] else link.head_id
            other = self._taken(other_id)
            if other is None:
                continue
            head, child = (mine, other) if link.head_id == suggestion["id"] else (other, mine)
            heads, children = self.rules[link.label_id]
            if self.label_names[head["label_id"]] not in heads or self.label_names[child["label_id"]] not in children:
                continue  # a changed label the relation does not allow
            exists = self.session.scalar(select(Relation.id).where(
                Relation.head_id == head["id"], Relation.child_id == child["id"], Relation.label_id == link.label_id))
            if exists is None:
                self.inserted.append(("relations", frozen({
                    "id": self.next_link, "head_id": head["id"], "child_id": child["id"], "label_id": link.label_id,
                    "annotator_id": self.me, "reviewer_id": None, "created_at": self.now})))
                self.next_link += 1

    def _taken(self, suggestion_id: int) -> dict | None:
        """My span made from a suggestion I accepted or changed (now or earlier), if it still exists."""
        if suggestion_id in self.made:
            return self.made[suggestion_id]
        decision = self.session.scalar(select(SuggestionDecision.decision).where(
            SuggestionDecision.suggestion_id == suggestion_id, SuggestionDecision.annotator_id == self.me))
        if decision not in _TAKEN:
            return None
        other = row_of(self.session, "spans", id=suggestion_id)
        found = self.session.execute(select(Span.id, Span.label_id).where(
            Span.document_id == other["document_id"], Span.annotator_id == self.me, Span.start == other["start"],
            Span.end == other["end"], Span.origin.in_(_TAKEN)).order_by(Span.id)).first()
        return {"id": found.id, "label_id": found.label_id} if found is not None else None

    def _status(self, document_id: int) -> None:
        """todo (or no status yet) -> in_progress, once per document."""
        if any(name == "document_status" and row["document_id"] == document_id for name, row in self.inserted) or \
                any(u.key["document_id"] == document_id for u in self.updated):
            return
        current = row_of(self.session, "document_status", document_id=document_id, annotator_id=self.me)
        values = {"status": "in_progress", "started_at": self.now, "finished_at": None, "updated_at": self.now}
        if current is None:
            self.inserted.append(("document_status", frozen({"document_id": document_id, "annotator_id": self.me,
                                                             **values})))
        elif current["status"] == "todo":
            self.updated.append(RowUpdate("document_status", frozen({"document_id": document_id, "annotator_id": self.me}),
                                          frozen({c: current[c] for c in values}), frozen(values)))

    def apply(self, description: str) -> Change:
        change = Change(description, tuple(self.inserted), (), tuple(self.updated), focus_span=self.focus,
                        document_ids=frozenset(self.documents))
        apply_in(self.session, change)
        return change
