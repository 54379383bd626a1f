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

from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator import rules
from annotator.change_builder import ChangeBuilder
from annotator.changes import Change, row_of
from annotator.errors import UserError
from annotator.model import GOLD, MODEL, Annotator, Label, Relation, Span, SuggestionDecision, utcnow
from annotator.store import Project
from annotator.suggestions.seen import TAKEN, DocumentSuggestions, Suggestion  # noqa: F401  (Suggestion: callers' type)



def visible_suggestions(session: Session, document_id: int, annotator: str) -> list[Suggestion]:
    return DocumentSuggestions.load(session, document_id, annotator).visible()


def accept(project: Project, suggestion_id: int, annotator: str, label: str | None = None) -> Change:
    with project.transaction() as session:
        decisions = _Decisions(session, annotator)
        span = decisions.accept(suggestion_id, label, strict=True)
        return decisions.apply(f"accept suggestion {span['start']}-{span['end']}")


def reject(project: Project, suggestion_id: int, annotator: str) -> Change:
    with project.transaction() as session:
        decisions = _Decisions(session, annotator)
        span = decisions.suggestion(suggestion_id)
        decisions.decide(span, "rejected")
        return decisions.apply(f"reject suggestion {span['start']}-{span['end']}")


def accept_all(project: Project, document_id: int, annotator: str) -> Change:
    with project.transaction() as session:
        visible = visible_suggestions(session, document_id, annotator)
        if not visible:
            raise UserError(f"document {document_id} has no suggestion left for {annotator}")
        decisions = _Decisions(session, annotator)
        for suggestion in visible:
            decisions.accept(suggestion.id, None, strict=False)
        return decisions.apply(f"accept {len(visible)} suggestions")


class _Decisions:
    """One person's decisions, recorded in a ChangeBuilder (new ids from it: a server's sequences)
    with the shared rules (the person's row, labels, the status move) and applied once."""

    def __init__(self, session: Session, annotator: str):
        self.session, self.now = session, utcnow()
        self.build = ChangeBuilder(session)
        role = session.scalar(select(Annotator.role).where(Annotator.name == annotator))
        if role in (MODEL, GOLD):
            raise UserError(f"{annotator!r} is a {role}, not a person; decide as yourself (--annotator NAME)")
        self.me = rules.annotator_id(self.build, annotator)
        self.label_names = dict(session.execute(select(Label.id, Label.name)).all())
        self.relations = rules.relation_rules(session)
        self.made: dict[int, dict] = {}  # suggestion id -> my span row made from it now
        self.started: set[int] = set()  # documents where I made a span
        self.focus: int | None = None

    def suggestion(self, suggestion_id: int) -> MappingProxyType:
        span = row_of(self.session, "spans", id=suggestion_id)
        source = self.session.scalar(select(Annotator.role).where(Annotator.id == span["annotator_id"])) if span else None
        if source != MODEL:
            raise UserError(f"span {suggestion_id} is not a suggestion (deleted meanwhile?); reopen the document")
        done = self._decision(suggestion_id)
        if done is not None:
            raise UserError(f"suggestion {suggestion_id} is already {done} by you")
        return span

    def _decision(self, suggestion_id: int) -> str | None:
        pending = self.build.pending_row("suggestion_decisions", (suggestion_id, self.me))
        if pending is not None:
            return pending["decision"]
        return self.session.scalar(select(SuggestionDecision.decision).where(
            SuggestionDecision.suggestion_id == suggestion_id, SuggestionDecision.annotator_id == self.me))

    def decide(self, span, decision: str) -> None:
        self.build.touch(span["document_id"])  # a decision row names no document
        self.build.insert("suggestion_decisions", {
            "suggestion_id": span["id"], "annotator_id": self.me, "decision": decision, "decided_at": self.now})

    def accept(self, suggestion_id: int, label: str | None, strict: bool) -> MappingProxyType:
        span = self.suggestion(suggestion_id)
        label_id = rules.label_id(self.session, label) if label is not None else span["label_id"]
        origin = "accepted" if label_id == span["label_id"] else "changed"
        self.decide(span, origin)
        mine = self._my_span(span["document_id"], label_id, span["start"], span["end"])
        if mine is not None:
            if strict:
                raise UserError(f"{self.label_names[label_id]} {span['start']}-{span['end']} is already marked by you "
                                f"(span {mine}); reject the suggestion instead")
            return span
        row = {"document_id": span["document_id"], "doc_length": span["doc_length"], "annotator_id": self.me,
               "label_id": label_id, "start": span["start"], "end": span["end"], "origin": origin,
               "reviewer_id": None, "created_at": self.now, "updated_at": self.now, "score": None}
        row["id"] = self.focus = self.build.insert("spans", row)
        self.made[suggestion_id] = row
        self.started.add(span["document_id"])
        self._links(span, row)
        return span

    def _my_span(self, document_id: int, label_id: int, start: int, end: int) -> int | None:
        for row in self.made.values():
            if (row["document_id"], row["label_id"], row["start"], row["end"]) == (document_id, label_id, start, end):
                return row["id"]
        return rules.same_span(self.session, document_id, self.me, label_id, start, end)

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
            _, heads, children = self.relations[link.label_id]
            if self.label_names[head["label_id"]] not in heads or self.label_names[child["label_id"]] not in children:
                continue  # a changed label the relation does not allow
            exists = self.session.scalar(select(Relation.id).where(
                Relation.head_id == head["id"], Relation.child_id == child["id"], Relation.label_id == link.label_id))
            if exists is None:
                self.build.insert("relations", {"head_id": head["id"], "child_id": child["id"],
                                                "label_id": link.label_id, "annotator_id": self.me,
                                                "reviewer_id": None, "created_at": self.now})

    def _taken(self, suggestion_id: int) -> dict | None:
        """My span made from a suggestion I accepted or changed (now or earlier), if it still exists."""
        if suggestion_id in self.made:
            return self.made[suggestion_id]
        if self._decision(suggestion_id) not in TAKEN:
            return None
        other = row_of(self.session, "spans", id=suggestion_id)
        found = self.session.execute(select(Span.id, Span.label_id).where(
            Span.document_id == other["document_id"], Span.annotator_id == self.me, Span.start == other["start"],
            Span.end == other["end"], Span.origin.in_(TAKEN)).order_by(Span.id)).first()
        return {"id": found.id, "label_id": found.label_id} if found is not None else None

    def apply(self, description: str) -> Change:
        rules.start_work(self.build, self.me, self.started)  # todo (or none) -> in_progress
        return self.build.apply(description, focus_span=self.focus)
