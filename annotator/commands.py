"""The commands that change annotations: each is one transaction and returns a Change.

A Change lists the exact rows it inserted, deleted and updated (ids and
timestamps included), so its inverse restores the previous state byte for byte
and replaying it again (redo) recreates the same rows with the same ids.
`changes.apply(project, change)` replays a Change — or `change.inverse()` — in one
transaction and refuses (UserError) when the rows were changed elsewhere since.
"""

from __future__ import annotations

from types import MappingProxyType

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from annotator.changes import TABLES, Change, RowUpdate, apply, apply_in, frozen, relations_of, row_of
from annotator.errors import UserError
from annotator.model import STATUSES, Annotator, Document, DocumentStatus, Label, Relation, RelationLabel, Span, utcnow
from annotator.queries import document_text
from annotator.schema import Schema
from annotator.store import Project
from annotator.tokens import snap

# --- helpers shared by the commands ---------------------------------------------------

def _annotator(session: Session, name: str, inserted: list) -> int:
    """The annotator's id; a new annotator row (recorded in `inserted`) on first use."""
    if not name or not name.strip():
        raise UserError("annotator name is empty; give your name (--annotator NAME)")
    found = session.scalar(select(Annotator.id).where(Annotator.name == name))
    if found is not None:
        return found
    new_id = (session.scalar(select(Annotator.id).order_by(Annotator.id.desc()).limit(1)) or 0) + 1
    row = {"id": new_id, "name": name, "role": "annotator", "created_at": utcnow()}
    session.execute(insert(Annotator), [row])
    inserted.append(("annotators", frozen(row)))
    return new_id


def _label_id(session: Session, name: str) -> int:
    found = session.scalar(select(Label.id).where(Label.name == name))
    if found is None:
        known = ", ".join(session.scalars(select(Label.name).order_by(Label.position)))
        raise UserError(f"label {name!r} is not in this project's schema; use one of {known}")
    return found


def _span(session: Session, span_id: int) -> MappingProxyType:
    found = row_of(session, "spans", id=span_id)
    if found is None:
        raise UserError(f"span {span_id} does not exist (deleted meanwhile?); reopen the document")
    return found


def _next_id(session: Session, column) -> int:
    if session.get_bind().dialect.name == "postgresql":  # others' rows may be hidden by row security
        from annotator.postgres import next_row_id

        return next_row_id(session, column)
    return (session.scalar(select(column).order_by(column.desc()).limit(1)) or 0) + 1


def _status_change(session: Session, document_id: int, annotator_id: int, status: str,
                   inserted: list, updated: list) -> None:
    """Move the (document, annotator) status, with its timestamps; record the change."""
    now = utcnow()
    current = row_of(session, "document_status", document_id=document_id, annotator_id=annotator_id)
    started = current["started_at"] if current else None
    values = {
        "status": status,
        "started_at": started or (now if status != "todo" else None),
        "finished_at": now if status in ("done", "skipped") else None,
        "updated_at": now,
    }
    if current is None:
        row = {"document_id": document_id, "annotator_id": annotator_id, **values}
        session.execute(insert(TABLES["document_status"]), [row])
        inserted.append(("document_status", frozen(row)))
        return
    before = {column: current[column] for column in values}
    session.execute(
        update(TABLES["document_status"])
        .where(DocumentStatus.document_id == document_id, DocumentStatus.annotator_id == annotator_id)
        .values(**values)
    )
    updated.append(RowUpdate("document_status", frozen({"document_id": document_id, "annotator_id": annotator_id}),
                             frozen(before), frozen(values)))


# --- the commands ---------------------------------------------------------------------

def add_span(project: Project, document_id: int, annotator: str, label: str, start: int, end: int,
             exact: bool = False) -> Change:
    """Mark [start, end) of a document, widened to whole tokens unless `exact`.

    The first span a person marks in a document also moves its status from todo to in_progress.
    """
    with project.transaction() as session:
        inserted: list = []
        updated: list = []
        label_id = _label_id(session, label)
        found = session.execute(select(Document.length).where(Document.id == document_id)).first()
        if found is None:
            raise UserError(f"document {document_id} does not exist; pick a document from the list")
        length = found[0]
        if not (0 <= start < end <= length):
            raise UserError(f"span {start}-{end} is outside document {document_id} (0-{length}); select text inside it")
        text, tokens = document_text(session, document_id)
        if exact:
            if text[start:end].strip() == "":
                raise UserError(f"span {start}-{end} of document {document_id} holds only whitespace; select some text")
        else:
            snapped = snap(text, tokens, start, end)
            if snapped is None:
                raise UserError(f"span {start}-{end} of document {document_id} holds only whitespace; select some text")
            start, end = snapped
        annotator_id = _annotator(session, annotator, inserted)
        duplicate = session.scalar(select(Span.id).where(
            Span.document_id == document_id, Span.annotator_id == annotator_id, Span.label_id == label_id,
            Span.start == start, Span.end == end))
        if duplicate is not None:
            raise UserError(f"{label} {start}-{end} is already marked in document {document_id} (span {duplicate})")
        now = utcnow()
        row = {"id": _next_id(session, Span.id), "document_id": document_id, "doc_length": length,
               "annotator_id": annotator_id, "label_id": label_id, "start": start, "end": end,
               "origin": "manual", "created_at": now, "updated_at": now}
        session.execute(insert(TABLES["spans"]), [row])
        inserted.append(("spans", frozen(row)))
        status = session.scalar(select(DocumentStatus.status).where(
            DocumentStatus.document_id == document_id, DocumentStatus.annotator_id == annotator_id))
        if status in (None, "todo"):
            _status_change(session, document_id, annotator_id, "in_progress", inserted, updated)
        return Change(f"add {label} “{_excerpt(text[start:end])}”", tuple(inserted), (), tuple(updated),
                      focus_span=row["id"])


def delete_span(project: Project, span_id: int) -> Change:
    """Remove a span and every link that starts or ends at it."""
    with project.transaction() as session:
        change = _removal(session, _span(session, span_id), "delete span")
        apply_in(session, change)
        return change


def _removal(session: Session, span, what: str) -> Change:
    """The change that removes a span with every link that starts or ends at it."""
    links = relations_of(session, [span["id"]])
    return Change(f"{what} {span['start']}-{span['end']}", (),
                  tuple(("relations", r) for r in links) + (("spans", span),))


def relabel_span(project: Project, span_id: int, label: str) -> Change:
    """Give a span another label; links the schema no longer allows for it are removed with it."""
    with project.transaction() as session:
        span = _span(session, span_id)
        label_id = _label_id(session, label)
        if label_id == span["label_id"]:
            raise UserError(f"span {span_id} is already labelled {label}")
        clash = session.scalar(select(Span.id).where(
            Span.document_id == span["document_id"], Span.annotator_id == span["annotator_id"],
            Span.label_id == label_id, Span.start == span["start"], Span.end == span["end"]))
        if clash is not None:
            raise UserError(f"{label} {span['start']}-{span['end']} is already marked (span {clash}); delete this one instead")
        rules = _relation_rules(session)
        labels = dict(session.execute(select(Label.id, Label.name)).all())
        broken = []
        for link in relations_of(session, [span_id]):
            heads, children = rules[link["label_id"]][1:]
            head_label = label if link["head_id"] == span_id else labels[_span(session, link["head_id"])["label_id"]]
            child_label = label if link["child_id"] == span_id else labels[_span(session, link["child_id"])["label_id"]]
            if head_label not in heads or child_label not in children:
                broken.append(("relations", link))
        now = utcnow()
        change = Change(
            f"relabel span {span['start']}-{span['end']} as {label}", (), tuple(broken),
            (RowUpdate("spans", frozen({"id": span_id}),
                       frozen({"label_id": span["label_id"], "updated_at": span["updated_at"]}),
                       frozen({"label_id": label_id, "updated_at": now})),),
            focus_span=span_id, document_ids=frozenset({span["document_id"]}),
        )
        apply_in(session, change)
        return change


def _relation_rules(session: Session) -> dict[int, tuple[str, tuple, tuple]]:
    return {r.id: (r.name, tuple(r.head_labels), tuple(r.child_labels))
            for r in session.scalars(select(RelationLabel)).all()}


def link_targets(schema: Schema, head_label: str) -> set[str]:
    """Labels a span of `head_label` may be linked to (e.g. QUOTE -> {SPEAKER})."""
    return {child for relation in schema.relations if head_label in relation.head for child in relation.child}


def add_link(project: Project, head_id: int, child_id: int, annotator: str, relation: str | None = None) -> Change:
    """Link a head span (e.g. a QUOTE) to a child span (its SPEAKER).

    Without `relation`, the one relation label whose head and child labels fit is used.
    """
    with project.transaction() as session:
        inserted: list = []
        head, child = _span(session, head_id), _span(session, child_id)
        if head_id == child_id:
            raise UserError(f"span {head_id} cannot be linked to itself; pick another span")
        if head["document_id"] != child["document_id"]:
            raise UserError(f"spans {head_id} and {child_id} are in different documents; link spans of one document")
        labels = dict(session.execute(select(Label.id, Label.name)).all())
        head_label, child_label = labels[head["label_id"]], labels[child["label_id"]]
        rules = _relation_rules(session)
        if relation is None:
            fitting = [rid for rid, (_, heads, children) in rules.items()
                       if head_label in heads and child_label in children]
            if len(fitting) != 1:
                allowed = "; ".join(f"{n}: {'/'.join(h)} → {'/'.join(c)}" for n, h, c in rules.values()) or "none"
                raise UserError(f"no single relation links {head_label} → {child_label}; allowed links are {allowed}")
            relation_id = fitting[0]
        else:
            by_name = {name: rid for rid, (name, _, _) in rules.items()}
            if relation not in by_name:
                raise UserError(f"relation {relation!r} is not in this project's schema; use one of {', '.join(by_name)}")
            relation_id = by_name[relation]
            name, heads, children = rules[relation_id]
            if head_label not in heads or child_label not in children:
                raise UserError(f"{name} links {'/'.join(heads)} → {'/'.join(children)}, "
                                f"not {head_label} → {child_label}; pick spans with those labels")
        exists = session.scalar(select(Relation.id).where(
            Relation.head_id == head_id, Relation.child_id == child_id, Relation.label_id == relation_id))
        if exists is not None:
            raise UserError(f"spans {head_id} and {child_id} are already linked ({rules[relation_id][0]})")
        annotator_id = _annotator(session, annotator, inserted)
        row = {"id": _next_id(session, Relation.id), "head_id": head_id, "child_id": child_id,
               "label_id": relation_id, "annotator_id": annotator_id, "created_at": utcnow()}
        session.execute(insert(TABLES["relations"]), [row])
        inserted.append(("relations", frozen(row)))
        return Change(f"link {head_label} → {child_label}", tuple(inserted), focus_span=head_id,
                      document_ids=frozenset({head["document_id"]}))


def remove_link(project: Project, relation_id: int) -> Change:
    with project.transaction() as session:
        link = row_of(session, "relations", id=relation_id)
        if link is None:
            raise UserError(f"link {relation_id} does not exist (removed meanwhile?); reopen the document")
        document_id = _span(session, link["head_id"])["document_id"]
        change = Change(f"remove link {relation_id}", (), (("relations", link),), document_ids=frozenset({document_id}))
        apply_in(session, change)
        return change


def set_status(project: Project, document_id: int, annotator: str, status: str) -> Change:
    """Set one person's status of a document: todo, in_progress, done or skipped.

    started_at is set when work first starts and kept; finished_at is set by done or skipped.
    """
    if status not in STATUSES:
        raise UserError(f"status {status!r} is unknown; use one of {', '.join(STATUSES)}")
    with project.transaction() as session:
        if session.scalar(select(Document.id).where(Document.id == document_id)) is None:
            raise UserError(f"document {document_id} does not exist; pick a document from the list")
        inserted: list = []
        updated: list = []
        annotator_id = _annotator(session, annotator, inserted)
        _status_change(session, document_id, annotator_id, status, inserted, updated)
        return Change(f"mark document {status.replace('_', ' ')}", tuple(inserted), (), tuple(updated))


def _excerpt(text: str, limit: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
