"""The rules every writer shares, once: commands, adjudication, assignment and import use these.

- labels by name, with the one-line refusal naming the schema's labels;
- the links a span's new label no longer allows;
- who writes: an annotator, a reviewer or the gold set, looked up or created *through the
  ChangeBuilder* (so the new row is part of the command's Change, and undone with it);
- offsets checked against the document's length and snapped to its stored tokens;
- a status move with its timestamps, and todo -> in_progress when work starts on a document.

Functions that only read take the session; those that may add rows take the builder (whose
`session` they read through, pending rows included).
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from annotator.change_builder import ChangeBuilder
from annotator.changes import TABLES, frozen, relations_of, row_of
from annotator.errors import UserError
from annotator.model import GOLD, Annotator, Document, Label, RelationLabel, Span, utcnow

FINISHED = ("done", "skipped")

# What every key press asks, built once (building one per call cost as much as the round trip):
# Core statements with named parameters, run without the ORM's per-call handling of entities.
_labels, _spans, _people, _statuses = Label.__table__, Span.__table__, Annotator.__table__, TABLES["document_status"]
_LABEL_ID = select(_labels.c.id).where(_labels.c.name == bindparam("name"))
_PERSON = select(_people.c.id, _people.c.role).where(_people.c.name == bindparam("name"))
_SAME_SPAN = select(_spans.c.id).where(
    _spans.c.document_id == bindparam("document_id"), _spans.c.annotator_id == bindparam("annotator_id"),
    _spans.c.label_id == bindparam("label_id"), _spans.c.start == bindparam("start"), _spans.c.end == bindparam("end"))
_PERSON_STATUSES = select(_statuses).where(_statuses.c.annotator_id == bindparam("annotator_id"))
_PERSON_STATUS = _PERSON_STATUSES.where(_statuses.c.document_id == bindparam("document_id"))


# --- labels and links --------------------------------------------------------------------

def label_id(session: Session, name: str) -> int:
    found = session.execute(_LABEL_ID, {"name": name}).scalar()
    if found is None:
        known = ", ".join(session.scalars(select(Label.name).order_by(Label.position)))
        raise UserError(f"label {name!r} is not in this project's schema; use one of {known}")
    return found


def relation_rules(session: Session) -> dict[int, tuple[str, tuple, tuple]]:
    """relation label id -> (name, head labels, child labels)."""
    return {r.id: (r.name, tuple(r.head_labels), tuple(r.child_labels))
            for r in session.scalars(select(RelationLabel)).all()}


def broken_links(session: Session, span_id: int, new_label_id: int) -> list[MappingProxyType]:
    """The links of a span that the schema no longer allows once it is labelled `new_label_id`."""
    rules = relation_rules(session)
    labels = dict(session.execute(select(Label.id, Label.name)).all())
    broken = []
    for link in relations_of(session, [span_id]):
        heads, children = rules[link["label_id"]][1:]
        head = new_label_id if link["head_id"] == span_id else span_row(session, link["head_id"])["label_id"]
        child = new_label_id if link["child_id"] == span_id else span_row(session, link["child_id"])["label_id"]
        if labels[head] not in heads or labels[child] not in children:
            broken.append(link)
    return broken


# --- spans and documents -------------------------------------------------------------------

def span_row(session: Session, span_id: int) -> MappingProxyType:
    found = row_of(session, "spans", id=span_id)
    if found is None:
        raise UserError(f"span {span_id} does not exist (deleted meanwhile?); reopen the document")
    return found


def same_span(session: Session, document_id: int, annotator_id: int, label: int, start: int, end: int) -> int | None:
    """The id of the person's span with this label and offsets, if they marked it already."""
    return session.execute(_SAME_SPAN, {"document_id": document_id, "annotator_id": annotator_id,
                                        "label_id": label, "start": start, "end": end}).scalar()


def remove_span(builder: ChangeBuilder, span) -> None:
    """A span goes with every link that starts or ends at it, and (a suggestion) with the
    decisions people made on it: the Change lists them, so its undo brings them back."""
    for link in relations_of(builder.session, [span["id"]]):
        builder.delete("relations", link)
    decisions = TABLES["suggestion_decisions"]
    for decision in builder.session.execute(
            select(decisions).where(decisions.c.suggestion_id == span["id"])).mappings():
        builder.delete("suggestion_decisions", frozen(decision))
    builder.delete("spans", span)


def document_length(session: Session, document_id: int) -> int:
    length = session.scalar(select(Document.length).where(Document.id == document_id))
    if length is None:
        raise UserError(f"document {document_id} does not exist; pick a document from the list")
    return length


def checked_offsets(session: Session, document_id: int, start: int, end: int,
                    exact: bool = False) -> tuple[int, int, str, int]:
    """[start, end) inside the document and not blank, widened to whole tokens unless `exact`;
    returned with the document's text and length."""
    from annotator.document_cache import document_text
    from annotator.tokens import marked_range  # numpy loads here: assigning documents needs none

    length, text, tokens = document_text(session, document_id)
    if not (0 <= start < end <= length):
        raise UserError(f"span {start}-{end} is outside document {document_id} (0-{length}); select text inside it")
    snapped = marked_range(text, tokens, start, end, exact)
    if snapped is None:
        raise UserError(f"span {start}-{end} of document {document_id} holds only whitespace; select some text")
    return (*snapped, text, length)


# --- who writes ----------------------------------------------------------------------------

def _named(source: Session | ChangeBuilder, name: str) -> tuple[int, str] | None:
    """(id, role) of the annotator row with this name: one the builder adds, or a stored one."""
    if isinstance(source, ChangeBuilder):
        for row in source.pending("annotators"):
            if row["name"] == name:
                return row["id"], row["role"]
        source = source.session
    found = source.execute(_PERSON, {"name": name}).first()
    return None if found is None else (found.id, found.role)


def _person(builder: ChangeBuilder, name: str, role: str) -> int:
    found = _named(builder, name)
    if found is not None:
        return found[0]
    return builder.insert("annotators", {"name": name, "role": role, "created_at": utcnow()})


def annotator_id(builder: ChangeBuilder, name: str) -> int:
    """The annotator's id; a new annotator row on first use."""
    if not name or not name.strip():
        raise UserError("annotator name is empty; give your name (--annotator NAME)")
    return _person(builder, name, "annotator")


def check_reviewer(source: Session | ChangeBuilder, name: str) -> int | None:
    """Refuse a name that cannot be a reviewer; the reviewer's id when the row exists."""
    if not name or not name.strip():
        raise UserError("reviewer name is empty; give your name (--annotator NAME)")
    found = _named(source, name)
    if name == GOLD or (found is not None and found[1] == GOLD):
        raise UserError(f"{name!r} is the gold set, not a person; give the reviewer's own name")
    return None if found is None else found[0]


def reviewer_id(builder: ChangeBuilder, name: str) -> int:
    """The reviewer's id; a new annotator row with role reviewer on first use."""
    check_reviewer(builder, name)
    return _person(builder, name, "reviewer")


def gold_id(source: Session | ChangeBuilder, create: bool = False) -> int | None:
    """The gold annotator's id (None when there is none yet, unless `create`: then it is added)."""
    found = _named(source, GOLD)
    if found is not None:
        if found[1] != GOLD:
            raise UserError(f"annotator {GOLD!r} exists with role {found[1]!r}, so it cannot hold the gold set; "
                            "rename that annotator's work before adjudicating")
        return found[0]
    return _person(source, GOLD, GOLD) if create else None


# --- statuses ------------------------------------------------------------------------------

_UNREAD = object()


def move_status(builder: ChangeBuilder, document_id: int, annotator_id: int, status: str,
                current=_UNREAD) -> None:
    """Set one person's status of a document: started_at when work first starts, and kept;
    finished_at by done or skipped; updated_at always. `current` is its row (None: there is
    none), when the caller read it already."""
    if current is _UNREAD:
        current = _status_row(builder, document_id, annotator_id)
    now = utcnow()
    values = {
        "status": status,
        "started_at": (current["started_at"] if current else None) or (now if status != "todo" else None),
        "finished_at": now if status in FINISHED else None,
        "updated_at": now,
    }
    if current is None:
        builder.insert("document_status", {"document_id": document_id, "annotator_id": annotator_id, **values})
    else:
        builder.update("document_status", current, **values)


def start_work(builder: ChangeBuilder, annotator_id: int, document_ids: Iterable[int]) -> None:
    """Documents the person has not started (no status, or todo) move to in_progress."""
    wanted = sorted(set(document_ids))
    # One document: its row; many: all the person's rows, sorted out here (no IN list growing with documents)
    query, params = ((_PERSON_STATUS, {"annotator_id": annotator_id, "document_id": wanted[0]}) if len(wanted) == 1
                     else (_PERSON_STATUSES, {"annotator_id": annotator_id}))
    stored = {row["document_id"]: frozen(row) for row in builder.session.execute(query, params).mappings()}
    for document_id in wanted:
        current = _pending_status(builder, document_id, annotator_id) or stored.get(document_id)
        if current is None or current["status"] == "todo":
            move_status(builder, document_id, annotator_id, "in_progress", current)


def _status_row(builder: ChangeBuilder, document_id: int, annotator_id: int):
    return (_pending_status(builder, document_id, annotator_id)
            or row_of(builder.session, "document_status", document_id=document_id, annotator_id=annotator_id))


def _pending_status(builder: ChangeBuilder, document_id: int, annotator_id: int):
    return builder.pending_row("document_status", (document_id, annotator_id))
