"""Adjudication: a reviewer settles disagreements into the gold set.

The gold set is the spans and links of the one annotator row named "gold" with
role "gold"; each gold span and link records in `reviewer_id` the reviewer who
accepted (or last edited) it.  Exports read gold as "the spans of the annotator
with role gold"; the agreement report leaves gold out unless asked for it.

Every function is one transaction and returns a commands.Change (exact rows
inserted, deleted, updated), so the window can undo and redo it like any other
edit with commands.apply(project, change.inverse()).
"""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from typing import TYPE_CHECKING

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from annotator.changes import TABLES as _TABLES, Change, RowUpdate, apply_in as _apply, frozen as _frozen
from annotator.changes import relations_of as _relations_of
from annotator.commands import _label_id, _next_id, _relation_rules, _removal, _span, _status_change
from annotator import queries
from annotator.errors import UserError
from annotator.model import Annotator, Document, DocumentStatus, Label, Relation, Span, utcnow
from annotator.queries import document_text
from annotator.store import Project
from annotator.tokens import snap

if TYPE_CHECKING:
    import pandas as pd

GOLD = "gold"


# --------------------------------------------------------------------------- who
def gold_id(session: Session, inserted: list | None = None) -> int | None:
    """The gold annotator's id; created (and recorded in `inserted`) when `inserted` is given."""
    row = session.execute(select(Annotator.id, Annotator.role).where(Annotator.name == GOLD)).first()
    if row is not None:
        if row.role != GOLD:
            raise UserError(f"annotator {GOLD!r} exists with role {row.role!r}, so it cannot hold the gold set; "
                            "rename that annotator's work before adjudicating")
        return row.id
    if inserted is None:
        return None
    values = {"id": _next_id(session, Annotator.id), "name": GOLD, "role": GOLD, "created_at": utcnow()}
    session.execute(insert(_TABLES["annotators"]), [values])
    inserted.append(("annotators", _frozen(values)))
    return values["id"]


def check_reviewer(session: Session, name: str) -> int | None:
    """Refuse a name that cannot be a reviewer; the reviewer's id when the row exists."""
    if not name or not name.strip():
        raise UserError("reviewer name is empty; give your name (--annotator NAME)")
    row = session.execute(select(Annotator.id, Annotator.role).where(Annotator.name == name)).first()
    if name == GOLD or (row is not None and row.role == GOLD):
        raise UserError(f"{name!r} is the gold set, not a person; give the reviewer's own name")
    return None if row is None else row.id


def _reviewer_id(session: Session, name: str, inserted: list) -> int:
    """The reviewer's id; a new annotator row with role reviewer on first use."""
    found = check_reviewer(session, name)
    if found is not None:
        return found
    values = {"id": _next_id(session, Annotator.id), "name": name, "role": "reviewer", "created_at": utcnow()}
    session.execute(insert(_TABLES["annotators"]), [values])
    inserted.append(("annotators", _frozen(values)))
    return values["id"]


def _document_length(session: Session, document_id: int) -> int:
    length = session.scalar(select(Document.length).where(Document.id == document_id))
    if length is None:
        raise UserError(f"document {document_id} does not exist; pick a document from the list")
    return length


def _gold_keys(session: Session, document_id: int, gold: int | None) -> dict[tuple[int, int, int], int]:
    """(label_id, start, end) -> gold span id, for one document."""
    return _gold_ids(session, gold, [document_id]).get(document_id, {}) if gold is not None else {}


def _gold_ids(session: Session, gold: int, document_ids: Collection[int]) -> dict[int, dict[tuple, int]]:
    """Per document: (label_id, start, end) -> gold span id."""
    query = select(Span.document_id, Span.label_id, Span.start, Span.end, Span.id).where(Span.annotator_id == gold)
    out: dict[int, dict[tuple, int]] = {}
    for document_id, label_id, start, end, span_id in session.execute(
            _among(query, Span.document_id, None, dict.fromkeys(document_ids))):
        if document_id in document_ids:
            out.setdefault(document_id, {})[label_id, start, end] = span_id
    return out


# --------------------------------------------------------------------------- votes
SpanKey = tuple[int, int, int]  # (label_id, start, end): what "marked identically" compares
LinkKey = tuple[int, SpanKey, SpanKey]  # (relation label id, head span's key, child span's key)


def finished(session: Session) -> dict[int, set[int]]:
    """Per document, the people who finished it: status done, gold excepted."""
    rows = session.execute(select(DocumentStatus.document_id, DocumentStatus.annotator_id)
                           .join(Annotator, Annotator.id == DocumentStatus.annotator_id)
                           .where(DocumentStatus.status == "done", Annotator.role != GOLD))
    out: dict[int, set[int]] = {}
    for document_id, annotator_id in rows:
        out.setdefault(document_id, set()).add(annotator_id)
    return out


def _by_document(rows, voters: Mapping[int, Collection[int]]) -> dict[int, dict[tuple, set[int]]]:
    """(document_id, annotator_id, *key) rows -> per document, per key, who of its voters marked it."""
    out: dict[int, dict[tuple, set[int]]] = {document_id: {} for document_id in voters}
    for document_id, annotator_id, *key in rows:
        if annotator_id in voters.get(document_id, ()):
            out[document_id].setdefault(tuple(key), set()).add(annotator_id)
    return out


def _among(query, document_column, annotator_column, voters: Mapping[int, Collection[int]]):
    # One document: filter by it; many: by the (few) voters, or not at all, and the rest is sorted
    # out in Python, so that no IN list grows with the number of documents.
    if len(voters) == 1:
        return query.where(document_column == next(iter(voters)))
    if annotator_column is None:
        return query
    return query.where(annotator_column.in_(sorted(set().union(*voters.values()))))


def span_votes(session: Session, voters: Mapping[int, Collection[int]]) -> dict[int, dict[SpanKey, set[int]]]:
    """Per document, per (label_id, start, end): which of that document's voters (annotator ids) marked it."""
    query = select(Span.document_id, Span.annotator_id, Span.label_id, Span.start, Span.end)
    return _by_document(session.execute(_among(query, Span.document_id, Span.annotator_id, voters)), voters)


def link_votes(session: Session, voters: Mapping[int, Collection[int]]) -> dict[int, dict[LinkKey, set[int]]]:
    """Per document, per (relation label, head key, child key): which of the document's voters drew it."""
    head, child = _TABLES["spans"].alias("head"), _TABLES["spans"].alias("child")
    query = (select(head.c.document_id, Relation.annotator_id, Relation.label_id, head.c.label_id, head.c.start,
                    head.c.end, child.c.label_id, child.c.start, child.c.end)
             .join(head, head.c.id == Relation.head_id).join(child, child.c.id == Relation.child_id))
    rows = session.execute(_among(query, head.c.document_id, Relation.annotator_id, voters))
    return _by_document(((d, a, r, (hl, hs, he), (cl, cs, ce)) for d, a, r, hl, hs, he, cl, cs, ce in rows), voters)


def agreed(votes: Mapping[tuple, set[int]], k: int) -> list:
    """The keys at least k voters marked alike, in document order (by start, end, then label)."""
    return sorted((key for key, who in votes.items() if len(who) >= k), key=_position)


def _position(key: tuple) -> tuple:
    return (key[1], key[2], key[0]) if isinstance(key[1], int) else (_position(key[1]), _position(key[2]), key[0])


def insert_gold_spans(session: Session, keys: Mapping[int, Sequence[SpanKey]], reviewer: str) -> Change:
    """Insert gold copies of (label_id, start, end) per document, origin manual (a reviewer's decision);
    gold's status of a document it starts on moves to in_progress."""
    inserted: list = []
    updated: list = []
    keys = {document_id: list(wanted) for document_id, wanted in keys.items() if wanted}
    reviewer_id = _reviewer_id(session, reviewer, inserted)
    gold = gold_id(session, inserted)
    lengths = dict(session.execute(_among(select(Document.id, Document.length), Document.id, None, keys)).all())
    now = utcnow()
    next_id = _next_id(session, Span.id)
    rows = [{"document_id": document_id, "doc_length": lengths[document_id], "annotator_id": gold,
             "label_id": label_id, "start": start, "end": end, "origin": "manual", "reviewer_id": reviewer_id,
             "created_at": now, "updated_at": now}
            for document_id, wanted in sorted(keys.items()) for label_id, start, end in wanted]
    for offset, values in enumerate(rows):
        values["id"] = next_id + offset
    if rows:
        session.execute(insert(_TABLES["spans"]), rows)
        inserted.extend(("spans", _frozen(values)) for values in rows)
    started = dict(session.execute(_among(select(DocumentStatus.document_id, DocumentStatus.status)
                                          .where(DocumentStatus.annotator_id == gold),
                                          DocumentStatus.document_id, None, keys)).all())
    for document_id in sorted(keys):
        if started.get(document_id) in (None, "todo"):
            _status_change(session, document_id, gold, "in_progress", inserted, updated)
    return Change(f"accept {len(rows)} span{'s' if len(rows) != 1 else ''} into gold", tuple(inserted), (),
                  tuple(updated), focus_span=next_id if len(rows) == 1 else None)


# --------------------------------------------------------------------------- accept
def accept_span(project: Project, span_id: int, reviewer: str) -> Change:
    """Copy one annotator's span into gold, recording the reviewer."""
    with project.transaction() as session:
        span = _span(session, span_id)
        gold = gold_id(session)
        if gold is not None and span["annotator_id"] == gold:
            raise UserError(f"span {span_id} is already a gold span; accept an annotator's span")
        key = (span["label_id"], span["start"], span["end"])
        existing = _gold_keys(session, span["document_id"], gold).get(key)
        if existing is not None:
            raise UserError(f"gold already holds {span['start']}-{span['end']} with this label (span {existing})")
        return insert_gold_spans(session, {span["document_id"]: [key]}, reviewer)


def accept_agreed(project: Project, document_id: int, reviewer: str, k: int,
                  annotators: Sequence[str] | None = None) -> Change:
    """Accept every span (same label, start and end) that at least k annotators marked.

    Counts the non-gold annotators (or only `annotators`); spans gold already holds are skipped."""
    if k < 1:
        raise UserError(f"k = {k}: at least one annotator must agree; use k >= 1")
    with project.transaction() as session:
        _document_length(session, document_id)
        gold = gold_id(session)
        people = dict(session.execute(select(Annotator.name, Annotator.id).where(Annotator.role != GOLD)).all())
        if annotators is not None:
            unknown = set(annotators) - set(people)
            if unknown:
                raise UserError(f"no annotator named {', '.join(map(repr, sorted(unknown)))} in this project; "
                                "name annotators who marked the document")
            people = {name: people[name] for name in annotators}
        votes = span_votes(session, {document_id: set(people.values())})[document_id]
        in_gold = _gold_keys(session, document_id, gold)
        keys = [key for key in agreed(votes, k) if key not in in_gold]
        return insert_gold_spans(session, {document_id: keys}, reviewer)


def premerge_unanimous(project: Project, document_id: int, reviewer: str) -> Change:
    """Accept the spans that every annotator who finished the document marked alike."""
    with project.read() as session:
        _document_length(session, document_id)
        ids = finished(session).get(document_id, set())
        names = list(session.scalars(select(Annotator.name).where(Annotator.id.in_(ids)))) if ids else []
    if len(names) < 2:
        raise UserError(f"document {document_id}: {len(names)} annotator(s) finished it; "
                        "pre-merging needs at least two (accept spans one by one instead)")
    return accept_agreed(project, document_id, reviewer, len(names), names)


# --------------------------------------------------------------------------- change gold
def _gold_span(session: Session, span_id: int):
    span = _span(session, span_id)
    if span["annotator_id"] != gold_id(session):
        raise UserError(f"span {span_id} is not a gold span; only gold spans can be rejected or edited here")
    return span


def reject_gold_span(project: Project, span_id: int) -> Change:
    """Remove a span from gold, with the gold links that start or end at it."""
    with project.transaction() as session:
        change = _removal(session, _gold_span(session, span_id), "reject gold span")
        _apply(session, change)
        return change


def edit_gold_span(project: Project, span_id: int, reviewer: str, label: str | None = None,
                   start: int | None = None, end: int | None = None, exact: bool = False) -> Change:
    """Change a gold span's label and/or offsets (widened to whole tokens unless `exact`).

    Gold links the schema no longer allows for the new label are removed with it."""
    with project.transaction() as session:
        span = _gold_span(session, span_id)
        label_id = span["label_id"] if label is None else _label_id(session, label)
        start = span["start"] if start is None else start
        end = span["end"] if end is None else end
        length = _document_length(session, span["document_id"])
        if not (0 <= start < end <= length):
            raise UserError(f"span {start}-{end} is outside document {span['document_id']} (0-{length}); "
                            "select text inside it")
        text, tokens = document_text(session, span["document_id"])
        snapped = (start, end) if exact and text[start:end].strip() else snap(text, tokens, start, end)
        if snapped is None:
            raise UserError(f"span {start}-{end} of document {span['document_id']} holds only whitespace; "
                            "select some text")
        start, end = snapped
        if (label_id, start, end) == (span["label_id"], span["start"], span["end"]):
            raise UserError(f"gold span {span_id} already is {start}-{end} with this label; nothing to change")
        clash = _gold_keys(session, span["document_id"], span["annotator_id"]).get((label_id, start, end))
        if clash is not None:
            raise UserError(f"gold already holds {start}-{end} with this label (span {clash}); reject this one instead")
        # A new reviewer's row is not part of the Change: the update refers to it, and
        # replaying runs updates before inserts (undo keeps the row, an identity only).
        reviewer_id = _reviewer_id(session, reviewer, [])
        change = Change(
            f"edit gold span {span['start']}-{span['end']}", (), tuple(_broken_links(session, span_id, label_id)),
            (RowUpdate("spans", _frozen({"id": span_id}),
                       _frozen({k: span[k] for k in ("label_id", "start", "end", "reviewer_id", "updated_at")}),
                       _frozen({"label_id": label_id, "start": start, "end": end, "reviewer_id": reviewer_id,
                                "updated_at": utcnow()})),),
            focus_span=span_id, document_ids=frozenset({span["document_id"]}),
        )
        _apply(session, change)
        return change


def _broken_links(session: Session, span_id: int, label_id: int) -> list:
    rules = _relation_rules(session)
    labels = dict(session.execute(select(Label.id, Label.name)).all())
    broken = []
    for link in _relations_of(session, [span_id]):
        heads, children = rules[link["label_id"]][1:]
        head = label_id if link["head_id"] == span_id else _span(session, link["head_id"])["label_id"]
        child = label_id if link["child_id"] == span_id else _span(session, link["child_id"])["label_id"]
        if labels[head] not in heads or labels[child] not in children:
            broken.append(("relations", link))
    return broken


def copy_links(project: Project, document_id: int, reviewer: str) -> Change:
    """Copy annotators' links whose two ends both have a gold span (same label and offsets)."""
    with project.transaction() as session:
        _document_length(session, document_id)
        gold = gold_id(session)
        people = set(session.scalars(select(Annotator.id).where(Annotator.role != GOLD)))
        votes = link_votes(session, {document_id: people})[document_id]
        return insert_gold_links(session, {document_id: agreed(votes, 1)}, reviewer, gold)


def insert_gold_links(session: Session, keys: Mapping[int, Sequence[LinkKey]], reviewer: str,
                      gold: int | None) -> Change:
    """Gold links for those of `keys` (per document) whose two ends gold holds and that gold has not drawn yet."""
    wanted: list[tuple[int, int, int]] = []  # head id, child id, relation label id
    if gold is not None and keys:
        in_gold = _gold_ids(session, gold, keys)
        existing = link_votes(session, {document_id: {gold} for document_id in keys})
        for document_id, links in sorted(keys.items()):
            ids = in_gold.get(document_id, {})
            wanted += [(ids[head], ids[child], relation) for relation, head, child in links
                       if (relation, head, child) not in existing[document_id] and head in ids and child in ids]
    inserted: list = []
    if wanted:
        reviewer_id = _reviewer_id(session, reviewer, inserted)
        next_id, now = _next_id(session, Relation.id), utcnow()
        rows = [{"id": next_id + offset, "head_id": head, "child_id": child, "label_id": relation,
                 "annotator_id": gold, "reviewer_id": reviewer_id, "created_at": now}
                for offset, (head, child, relation) in enumerate(wanted)]
        session.execute(insert(_TABLES["relations"]), rows)
        inserted.extend(("relations", _frozen(values)) for values in rows)
    return Change(f"copy {len(wanted)} link{'s' if len(wanted) != 1 else ''} into gold", tuple(inserted),
                  document_ids=frozenset(document_id for document_id, links in keys.items() if links) if wanted else frozenset())


def mark_gold_done(project: Project, document_id: int, reviewer: str) -> Change:
    """The reviewer declares the document's gold set finished (its gold status becomes done)."""
    with project.transaction() as session:
        inserted: list = []
        updated: list = []
        _document_length(session, document_id)
        _reviewer_id(session, reviewer, inserted)
        gold = gold_id(session, inserted)
        _status_change(session, document_id, gold, "done", inserted, updated)
        return Change("mark gold done", tuple(inserted), (), tuple(updated))



# --------------------------------------------------------------------------- compare
def compare_document(project: Project, document_id: int) -> "pd.DataFrame":
    """Every span of a document, for the compare view and the adjudication buttons.

    Columns: id, annotator, label, start, end, origin, agreed_by (how many non-gold
    annotators marked the same label, start and end), unanimous (agreed_by equals
    the number of non-gold annotators who finished the document, at least two),
    in_gold (gold holds the same label, start and end).  Gold's own spans are rows
    too (annotator "gold")."""
    with project.read() as session:
        _document_length(session, document_id)
        frame = queries.spans(session, [document_id])
        status = queries.statuses(session)
        roles = dict(queries.annotators(session).itertuples(index=False))
    is_gold = frame["annotator"].map(roles).eq(GOLD)
    key = ["label", "start", "end"]
    people = frame[~is_gold]
    agreed = people.groupby(key)["annotator"].nunique().rename("agreed_by")
    frame = frame.join(agreed, on=key)
    frame["agreed_by"] = frame["agreed_by"].fillna(0).astype(int)
    done = status[(status["document_id"] == document_id) & (status["status"] == "done")]
    finished = int((done["annotator"].map(roles) != GOLD).sum())
    frame["unanimous"] = (finished >= 2) & (frame["agreed_by"] >= finished)
    gold_keys = set(map(tuple, frame.loc[is_gold, key].itertuples(index=False)))
    frame["in_gold"] = [k in gold_keys for k in frame[key].itertuples(index=False, name=None)]
    return frame.reset_index(drop=True)
