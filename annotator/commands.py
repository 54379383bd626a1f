"""The commands that change annotations: each reads in one transaction, builds one Change and
applies it once (annotator.change_builder), with the shared rules of annotator.rules.

A Change lists the exact rows it inserted, deleted and updated (ids and
timestamps included), so its inverse restores the previous state byte for byte
and replaying it again (redo) recreates the same rows with the same ids.
`changes.apply(project, change)` replays a Change — or `change.inverse()` — in one
transaction and refuses (UserError) when the rows were changed elsewhere since.
"""

from __future__ import annotations

from sqlalchemy import select

from annotator import rules
from annotator.change_builder import ChangeBuilder
from annotator.changes import Change, apply, row_of  # noqa: F401  (apply: callers undo and redo with it)
from annotator.errors import UserError
from annotator.model import STATUSES, Label, Relation, utcnow
from annotator.schema import Schema
from annotator.store import Project


def add_span(project: Project, document_id: int, annotator: str, label: str, start: int, end: int,
             exact: bool = False) -> Change:
    """Mark [start, end) of a document, widened to whole tokens unless `exact`.

    The first span a person marks in a document also moves its status from todo to in_progress.
    """
    with project.transaction() as session:
        build = ChangeBuilder(session)
        label_id = rules.label_id(session, label)
        start, end, text, length = rules.checked_offsets(session, document_id, start, end, exact)
        annotator_id = rules.annotator_id(build, annotator)
        duplicate = rules.same_span(session, document_id, annotator_id, label_id, start, end)
        if duplicate is not None:
            raise UserError(f"{label} {start}-{end} is already marked in document {document_id} (span {duplicate})")
        now = utcnow()
        span_id = build.insert("spans", {
            "document_id": document_id, "doc_length": length, "annotator_id": annotator_id, "label_id": label_id,
            "start": start, "end": end, "origin": "manual", "created_at": now, "updated_at": now})
        rules.start_work(build, annotator_id, [document_id])
        return build.apply(f"add {label} “{_excerpt(text[start:end])}”", focus_span=span_id)


def delete_span(project: Project, span_id: int) -> Change:
    """Remove a span and every link that starts or ends at it."""
    with project.transaction() as session:
        build = ChangeBuilder(session)
        span = rules.span_row(session, span_id)
        rules.remove_span(build, span)
        return build.apply(f"delete span {span['start']}-{span['end']}")


def relabel_span(project: Project, span_id: int, label: str) -> Change:
    """Give a span another label; links the schema no longer allows for it are removed with it."""
    with project.transaction() as session:
        build = ChangeBuilder(session)
        span = rules.span_row(session, span_id)
        label_id = rules.label_id(session, label)
        if label_id == span["label_id"]:
            raise UserError(f"span {span_id} is already labelled {label}")
        clash = rules.same_span(session, span["document_id"], span["annotator_id"], label_id, span["start"], span["end"])
        if clash is not None:
            raise UserError(f"{label} {span['start']}-{span['end']} is already marked (span {clash}); delete this one instead")
        for link in rules.broken_links(session, span_id, label_id):
            build.delete("relations", link)
        build.update("spans", span, label_id=label_id, updated_at=utcnow())
        build.touch(span["document_id"])
        return build.apply(f"relabel span {span['start']}-{span['end']} as {label}", focus_span=span_id)


def link_targets(schema: Schema, head_label: str) -> set[str]:
    """Labels a span of `head_label` may be linked to (e.g. QUOTE -> {SPEAKER})."""
    return {child for relation in schema.relations if head_label in relation.head for child in relation.child}


def add_link(project: Project, head_id: int, child_id: int, annotator: str, relation: str | None = None) -> Change:
    """Link a head span (e.g. a QUOTE) to a child span (its SPEAKER).

    Without `relation`, the one relation label whose head and child labels fit is used.
    """
    with project.transaction() as session:
        build = ChangeBuilder(session)
        head, child = rules.span_row(session, head_id), rules.span_row(session, child_id)
        if head_id == child_id:
            raise UserError(f"span {head_id} cannot be linked to itself; pick another span")
        if head["document_id"] != child["document_id"]:
            raise UserError(f"spans {head_id} and {child_id} are in different documents; link spans of one document")
        labels = dict(session.execute(select(Label.id, Label.name)).all())
        head_label, child_label = labels[head["label_id"]], labels[child["label_id"]]
        relation_id, name = _relation(rules.relation_rules(session), relation, head_label, child_label)
        exists = session.scalar(select(Relation.id).where(
            Relation.head_id == head_id, Relation.child_id == child_id, Relation.label_id == relation_id))
        if exists is not None:
            raise UserError(f"spans {head_id} and {child_id} are already linked ({name})")
        annotator_id = rules.annotator_id(build, annotator)
        build.insert("relations", {"head_id": head_id, "child_id": child_id, "label_id": relation_id,
                                   "annotator_id": annotator_id, "created_at": utcnow()})
        build.touch(head["document_id"])
        return build.apply(f"link {head_label} → {child_label}", focus_span=head_id)


def _relation(relations: dict, relation: str | None, head_label: str, child_label: str) -> tuple[int, str]:
    """The relation label (id, name) to link head_label -> child_label: the one named, or the one that fits."""
    if relation is None:
        fitting = [rid for rid, (_, heads, children) in relations.items()
                   if head_label in heads and child_label in children]
        if len(fitting) != 1:
            allowed = "; ".join(f"{n}: {'/'.join(h)} → {'/'.join(c)}" for n, h, c in relations.values()) or "none"
            raise UserError(f"no single relation links {head_label} → {child_label}; allowed links are {allowed}")
        return fitting[0], relations[fitting[0]][0]
    by_name = {name: rid for rid, (name, _, _) in relations.items()}
    if relation not in by_name:
        raise UserError(f"relation {relation!r} is not in this project's schema; use one of {', '.join(by_name)}")
    name, heads, children = relations[by_name[relation]]
    if head_label not in heads or child_label not in children:
        raise UserError(f"{name} links {'/'.join(heads)} → {'/'.join(children)}, "
                        f"not {head_label} → {child_label}; pick spans with those labels")
    return by_name[relation], name


def remove_link(project: Project, relation_id: int) -> Change:
    with project.transaction() as session:
        build = ChangeBuilder(session)
        link = row_of(session, "relations", id=relation_id)
        if link is None:
            raise UserError(f"link {relation_id} does not exist (removed meanwhile?); reopen the document")
        build.delete("relations", link)
        build.touch(rules.span_row(session, link["head_id"])["document_id"])
        return build.apply(f"remove link {relation_id}")


def set_status(project: Project, document_id: int, annotator: str, status: str) -> Change:
    """Set one person's status of a document: todo, in_progress, done or skipped.

    started_at is set when work first starts and kept; finished_at is set by done or skipped.
    """
    if status not in STATUSES:
        raise UserError(f"status {status!r} is unknown; use one of {', '.join(STATUSES)}")
    with project.transaction() as session:
        build = ChangeBuilder(session)
        rules.document_length(session, document_id)
        rules.move_status(build, document_id, rules.annotator_id(build, annotator), status)
        return build.apply(f"mark document {status.replace('_', ' ')}")


def _excerpt(text: str, limit: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
