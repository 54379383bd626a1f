"""Adjudication: a reviewer settles disagreements into the gold set.

The gold set is the spans and links of the one annotator row named "gold" with
role "gold"; each gold span and link records in `reviewer_id` the reviewer who
accepted (or last edited) it.  Exports read gold as "the spans of the annotator
with role gold"; the agreement report leaves gold out unless asked for it.

Every function is one transaction that builds one Change (exact rows inserted,
deleted, updated) with the shared rules of annotator.rules, applies it once and
returns it, so the window can undo and redo it like any other edit with
changes.apply(project, change.inverse()).
"""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator import queries, rules
from annotator.change_builder import ChangeBuilder
from annotator.changes import TABLES, Change
from annotator.errors import UserError
from annotator.model import GOLD, Annotator, Document, DocumentStatus, Relation, Span, utcnow
from annotator.rules import check_reviewer, gold_id  # noqa: F401  (part of this module's API)
from annotator.store import Project

if TYPE_CHECKING:
    import pandas as pd


# --------------------------------------------------------------------------- gold's spans
def _gold_ids(source: Session | ChangeBuilder, gold: int, document_ids: Collection[int]) -> dict[int, dict[tuple, int]]:
    """Per document: (label_id, start, end) -> gold span id, the builder's new gold spans included."""
    session = source.session if isinstance(source, ChangeBuilder) else source
    query = select(Span.document_id, Span.label_id, Span.start, Span.end, Span.id).where(Span.annotator_id == gold)
    rows = list(session.execute(_among(query, Span.document_id, None, dict.fromkeys(document_ids))))
    if isinstance(source, ChangeBuilder):
        rows += [(r["document_id"], r["label_id"], r["start"], r["end"], r["id"])
                 for r in source.pending("spans") if r["annotator_id"] == gold]
    out: dict[int, dict[tuple, int]] = {}
    for document_id, label_id, start, end, span_id in rows:
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
    head, child = TABLES["spans"].alias("head"), TABLES["spans"].alias("child")
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


def insert_gold_spans(build: ChangeBuilder, keys: Mapping[int, Sequence[SpanKey]], reviewer: str) -> list[int]:
    """Record gold copies of (label_id, start, end) per document, origin manual (a reviewer's
    decision); gold's status of a document it starts on moves to in_progress. The new span ids."""
    keys = {document_id: list(wanted) for document_id, wanted in keys.items() if wanted}
    reviewer_id = rules.reviewer_id(build, reviewer)
    gold = gold_id(build, create=True)
    lengths = dict(build.session.execute(_among(select(Document.id, Document.length), Document.id, None, keys)).all())
    now = utcnow()
    added = [build.insert("spans", {
        "document_id": document_id, "doc_length": lengths[document_id], "annotator_id": gold, "label_id": label_id,
        "start": start, "end": end, "origin": "manual", "reviewer_id": reviewer_id, "created_at": now,
        "updated_at": now}) for document_id, wanted in sorted(keys.items()) for label_id, start, end in wanted]
    rules.start_work(build, gold, keys)
    return added


def _into_gold(build: ChangeBuilder, keys: Mapping[int, Sequence[SpanKey]], reviewer: str) -> Change:
    added = insert_gold_spans(build, keys, reviewer)
    return build.apply(f"accept {len(added)} span{'s' if len(added) != 1 else ''} into gold",
                       focus_span=added[0] if len(added) == 1 else None)


# --------------------------------------------------------------------------- accept
def accept_span(project: Project, span_id: int, reviewer: str) -> Change:
    """Copy one annotator's span into gold, recording the reviewer."""
    with project.transaction() as session:
        span = rules.span_row(session, span_id)
        gold = gold_id(session)
        if gold is not None and span["annotator_id"] == gold:
            raise UserError(f"span {span_id} is already a gold span; accept an annotator's span")
        key = (span["label_id"], span["start"], span["end"])
        existing = rules.same_span(session, span["document_id"], gold, *key) if gold is not None else None
        if existing is not None:
            raise UserError(f"gold already holds {span['start']}-{span['end']} with this label (span {existing})")
        return _into_gold(ChangeBuilder(session), {span["document_id"]: [key]}, reviewer)


def accept_agreed(project: Project, document_id: int, reviewer: str, k: int,
                  annotators: Sequence[str] | None = None) -> Change:
    """Accept every span (same label, start and end) that at least k annotators marked.

    Counts the non-gold annotators (or only `annotators`); spans gold already holds are skipped."""
    if k < 1:
        raise UserError(f"k = {k}: at least one annotator must agree; use k >= 1")
    with project.transaction() as session:
        rules.document_length(session, document_id)
        gold = gold_id(session)
        people = dict(session.execute(select(Annotator.name, Annotator.id).where(Annotator.role != GOLD)).all())
        if annotators is not None:
            unknown = set(annotators) - set(people)
            if unknown:
                raise UserError(f"no annotator named {', '.join(map(repr, sorted(unknown)))} in this project; "
                                "name annotators who marked the document")
            people = {name: people[name] for name in annotators}
        votes = span_votes(session, {document_id: set(people.values())})[document_id]
        in_gold = _gold_ids(session, gold, [document_id]).get(document_id, {}) if gold is not None else {}
        keys = [key for key in agreed(votes, k) if key not in in_gold]
        return _into_gold(ChangeBuilder(session), {document_id: keys}, reviewer)


def premerge_unanimous(project: Project, document_id: int, reviewer: str) -> Change:
    """Accept the spans that every annotator who finished the document marked alike."""
    with project.read() as session:
        rules.document_length(session, document_id)
        ids = finished(session).get(document_id, set())
        names = list(session.scalars(select(Annotator.name).where(Annotator.id.in_(ids)))) if ids else []
    if len(names) < 2:
        raise UserError(f"document {document_id}: {len(names)} annotator(s) finished it; "
                        "pre-merging needs at least two (accept spans one by one instead)")
    return accept_agreed(project, document_id, reviewer, len(names), names)


# --------------------------------------------------------------------------- change gold
def _gold_span(session: Session, span_id: int):
    span = rules.span_row(session, span_id)
    if span["annotator_id"] != gold_id(session):
        raise UserError(f"span {span_id} is not a gold span; only gold spans can be rejected or edited here")
    return span


def reject_gold_span(project: Project, span_id: int) -> Change:
    """Remove a span from gold, with the gold links that start or end at it."""
    with project.transaction() as session:
        build = ChangeBuilder(session)
        span = _gold_span(session, span_id)
        rules.remove_span(build, span)
        return build.apply(f"reject gold span {span['start']}-{span['end']}")


def edit_gold_span(project: Project, span_id: int, reviewer: str, label: str | None = None,
                   start: int | None = None, end: int | None = None, exact: bool = False) -> Change:
    """Change a gold span's label and/or offsets (widened to whole tokens unless `exact`).

    Gold links the schema no longer allows for the new label are removed with it."""
    with project.transaction() as session:
        build = ChangeBuilder(session)
        span = _gold_span(session, span_id)
        label_id = span["label_id"] if label is None else rules.label_id(session, label)
        start, end, _, _ = rules.checked_offsets(session, span["document_id"], span["start"] if start is None else start,
                                                 span["end"] if end is None else end, exact)
        if (label_id, start, end) == (span["label_id"], span["start"], span["end"]):
            raise UserError(f"gold span {span_id} already is {start}-{end} with this label; nothing to change")
        clash = rules.same_span(session, span["document_id"], span["annotator_id"], label_id, start, end)
        if clash is not None:
            raise UserError(f"gold already holds {start}-{end} with this label (span {clash}); reject this one instead")
        for link in rules.broken_links(session, span_id, label_id):
            build.delete("relations", link)
        # A new reviewer's row is part of the Change: it goes in before the update refers to it.
        build.update("spans", span, label_id=label_id, start=start, end=end,
                     reviewer_id=rules.reviewer_id(build, reviewer), updated_at=utcnow())
        build.touch(span["document_id"])
        return build.apply(f"edit gold span {span['start']}-{span['end']}", focus_span=span_id)


def copy_links(project: Project, document_id: int, reviewer: str) -> Change:
    """Copy annotators' links whose two ends both have a gold span (same label and offsets)."""
    with project.transaction() as session:
        build = ChangeBuilder(session)
        rules.document_length(session, document_id)
        people = set(session.scalars(select(Annotator.id).where(Annotator.role != GOLD)))
        votes = link_votes(session, {document_id: people})[document_id]
        added = insert_gold_links(build, {document_id: agreed(votes, 1)}, reviewer)
        return build.apply(f"copy {added} link{'s' if added != 1 else ''} into gold")


def insert_gold_links(build: ChangeBuilder, keys: Mapping[int, Sequence[LinkKey]], reviewer: str) -> int:
    """Record gold links for those of `keys` (per document) whose two ends gold holds (stored, or
    added by this builder) and that gold has not drawn yet; how many."""
    gold = gold_id(build)
    wanted: list[tuple[int, int, int, int]] = []  # document, head id, child id, relation label id
    if gold is not None and keys:
        in_gold = _gold_ids(build, gold, keys)
        existing = link_votes(build.session, {document_id: {gold} for document_id in keys})
        for document_id, links in sorted(keys.items()):
            ids = in_gold.get(document_id, {})
            wanted += [(document_id, ids[head], ids[child], relation) for relation, head, child in links
                       if (relation, head, child) not in existing[document_id] and head in ids and child in ids]
    if wanted:
        reviewer_id, now = rules.reviewer_id(build, reviewer), utcnow()
        for document_id, head, child, relation in wanted:
            build.insert("relations", {"head_id": head, "child_id": child, "label_id": relation, "annotator_id": gold,
                                       "reviewer_id": reviewer_id, "created_at": now})
            build.touch(document_id)
    return len(wanted)


def mark_gold_done(project: Project, document_id: int, reviewer: str) -> Change:
    """The reviewer declares the document's gold set finished (its gold status becomes done)."""
    with project.transaction() as session:
        build = ChangeBuilder(session)
        rules.document_length(session, document_id)
        rules.reviewer_id(build, reviewer)
        rules.move_status(build, document_id, gold_id(build, create=True), "done")
        return build.apply("mark gold done")



# --------------------------------------------------------------------------- compare
def compare_document(project: Project, document_id: int) -> "pd.DataFrame":
    """Every span of a document, for the compare view and the adjudication buttons.

    Columns: id, annotator, label, start, end, origin, agreed_by (how many non-gold
    annotators marked the same label, start and end), unanimous (agreed_by equals
    the number of non-gold annotators who finished the document, at least two),
    in_gold (gold holds the same label, start and end).  Gold's own spans are rows
    too (annotator "gold")."""
    with project.read() as session:
        rules.document_length(session, document_id)
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
