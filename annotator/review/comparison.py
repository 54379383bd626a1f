"""What a reviewer compares on one document: every annotator's lane, gold's, and the candidate spans.

`comparison(project_or_session, document_id)` reads it in one go, with ids, for the compare
view (which only displays it) and for any other reader of "who marked what alike".

- A lane per annotator who marked the document or finished it (status done), in the order
  they joined the project, then gold's lane (always, even before gold holds anything).
- Spans are compared by (label, start, end): "marked alike" means the same three values.
- A span is disputed unless everyone who finished the document marked it alike; with fewer
  than two who finished nothing is agreed yet, so everything is disputed.  Marks of people who
  have not finished count in `agreed_by`; their absence disputes nothing.  Gold is never disputed.
- A candidate is one distinct (label, start, end) of the document, from any lane, gold's included.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.errors import UserError
from annotator.model import GOLD, MODEL, Annotator, Document, DocumentStatus, Label, Relation, RelationLabel, Span
from annotator.store import Project

SpanKey = tuple[str, int, int]  # (label, start, end)


@dataclass(frozen=True)
class LaneSpan:
    id: int
    label: str
    start: int  # code points
    end: int

    @property
    def key(self) -> SpanKey:
        return self.label, self.start, self.end


@dataclass(frozen=True)
class LaneLink:
    id: int
    head: int  # span ids of the same lane: the QUOTE or THREAT ...
    child: int  # ... and its SPEAKER
    relation: str


@dataclass(frozen=True)
class Lane:
    annotator: str
    is_gold: bool
    status: str  # this annotator's status of the document: todo, in_progress, skipped or done
    spans: tuple[LaneSpan, ...]  # by start, end, label
    links: tuple[LaneLink, ...]  # by id
    disputed: frozenset[int]  # ids of this lane's spans not everyone who finished marked alike

    @property
    def finished(self) -> bool:
        return self.status == "done"


@dataclass(frozen=True)
class Candidate:
    label: str
    start: int
    end: int
    text: str  # text[start:end]
    marked_by: tuple[str, ...]  # annotators (gold excluded) who marked it, in lane order
    span_ids: tuple[int, ...]  # their spans with this key, one per name of marked_by
    out_of: int  # annotators with a lane: the N of "k/N"
    unanimous: bool  # everyone who finished marked it alike (at least two finished)
    gold_id: int | None  # gold's span with this key

    @property
    def key(self) -> SpanKey:
        return self.label, self.start, self.end

    @property
    def agreed_by(self) -> int:
        """How many annotators marked it alike: the k of "k/N"."""
        return len(self.marked_by)

    @property
    def span_id(self) -> int | None:
        """The first annotator's span with this key (what accepting it copies into gold)."""
        return self.span_ids[0] if self.span_ids else None


@dataclass(frozen=True)
class Comparison:
    document_id: int
    name: str  # for display; not unique
    text: str
    lanes: tuple[Lane, ...]  # annotators in project order, gold last
    candidates: tuple[Candidate, ...]  # by start, the longer first, then label
    finished: tuple[str, ...]  # annotators (gold excluded) whose status is done, in project order
    gold_status: str

    def lane(self, annotator: str) -> Lane:
        return next(lane for lane in self.lanes if lane.annotator == annotator)

    def candidate(self, key: SpanKey) -> Candidate | None:
        return next((c for c in self.candidates if c.key == key), None)

    def key_of(self, span_id: int) -> SpanKey | None:
        """The (label, start, end) of a span of any lane."""
        return next((s.key for lane in self.lanes for s in lane.spans if s.id == span_id), None)

    def spans_with(self, key: SpanKey) -> dict[str, int]:
        """Lane -> the id of its span with this key, for the lanes that have one."""
        return {lane.annotator: s.id for lane in self.lanes for s in lane.spans if s.key == key}


def comparison(source: Project | Session, document_id: int) -> Comparison:
    """Everything the compare view shows of one document (see the module's docstring)."""
    if isinstance(source, Session):
        return _read(source, document_id)
    with source.read() as session:
        return _read(session, document_id)


def _read(session: Session, document_id: int) -> Comparison:
    found = session.execute(select(Document.name, Document.text).where(Document.id == document_id)).first()
    if found is None:
        raise UserError(f"document {document_id} does not exist; pick a document from the list")
    people = session.execute(select(Annotator.id, Annotator.name, Annotator.role).order_by(Annotator.id)).all()
    labels = dict(session.execute(select(Label.id, Label.name)).all())
    relations = dict(session.execute(select(RelationLabel.id, RelationLabel.name)).all())
    status = dict(session.execute(select(DocumentStatus.annotator_id, DocumentStatus.status)
                                  .where(DocumentStatus.document_id == document_id)).all())
    spans: dict[int, list[LaneSpan]] = {}
    for span_id, annotator_id, label_id, start, end in session.execute(
            select(Span.id, Span.annotator_id, Span.label_id, Span.start, Span.end)
            .where(Span.document_id == document_id)):
        spans.setdefault(annotator_id, []).append(LaneSpan(span_id, labels[label_id], start, end))
    links: dict[int, list[LaneLink]] = {}
    for link_id, head, child, label_id, annotator_id in session.execute(
            select(Relation.id, Relation.head_id, Relation.child_id, Relation.label_id, Relation.annotator_id)
            .join(Span, Span.id == Relation.head_id).where(Span.document_id == document_id)
            .order_by(Relation.id)):
        links.setdefault(annotator_id, []).append(LaneLink(link_id, head, child, relations[label_id]))

    gold = next((i for i, _, role in people if role == GOLD), None)
    shown = [(i, name) for i, name, role in people  # suggestion sources are no lane
             if role not in (GOLD, MODEL) and (i in spans or status.get(i) == "done")]
    finished = tuple(name for i, name in shown if status.get(i) == "done")
    marks: dict[SpanKey, dict[str, int]] = {}  # key -> annotator -> span id, in lane order
    for i, name in shown:
        for span in spans.get(i, ()):
            marks.setdefault(span.key, {})[name] = span.id
    gold_spans = {span.key: span.id for span in spans.get(gold, ())}
    agreed = {key for key, who in marks.items() if len(finished) >= 2 and set(finished) <= set(who)}

    def lane(annotator_id: int | None, name: str, is_gold: bool = False) -> Lane:
        mine = tuple(sorted(spans.get(annotator_id, ()), key=lambda s: (s.start, s.end, s.label)))
        disputed = frozenset() if is_gold else frozenset(s.id for s in mine if s.key not in agreed)
        return Lane(name, is_gold, status.get(annotator_id, "todo"), mine, tuple(links.get(annotator_id, ())), disputed)

    text = found.text
    candidates = tuple(
        Candidate(label, start, end, text[start:end], tuple(marks.get(key, {})), tuple(marks.get(key, {}).values()),
                  len(shown), key in agreed, gold_spans.get(key))
        for key in sorted(marks.keys() | gold_spans.keys(), key=lambda k: (k[1], -k[2], k[0]))
        for label, start, end in [key])
    lanes = (*(lane(i, name) for i, name in shown), lane(gold, GOLD, is_gold=True))
    return Comparison(document_id, found.name, text, lanes, candidates, finished, status.get(gold, "todo"))
