"""Reading and writing the assignments table: who holds which document, each annotator's load,
the pairs' shared counts, and writing planned rows a batch at a time through Changes."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from annotator import rules
from annotator.change_builder import ChangeBuilder
from annotator.changes import Change, apply_in, frozen
from annotator.errors import UserError
from annotator.model import GOLD, MODEL, Annotator, Assignment, Document, DocumentStatus, Span

BATCH = 5_000  # assignment rows per Change: memory stays flat however many documents there are
NOT_ANNOTATORS = ("reviewer", GOLD)  # roles that never get documents to label
FINISHED = ("done", "skipped")


def words_column():
    """A document's words: its stored tokens (8 bytes each, see annotator.tokens)."""
    return func.length(Document.tokens) / 8


def annotator_ids(session: Session, names: Sequence[str], build: ChangeBuilder | None) -> tuple[dict[str, int], list[str]]:
    """Ids of the named annotators, and the names created (role annotator, recorded in `build`);
    with `build` None an unknown name is refused. Reviewers and gold refused."""
    found = {name: (id_, role) for id_, name, role in
             session.execute(select(Annotator.id, Annotator.name, Annotator.role).where(Annotator.name.in_(names)))}
    for name in names:
        role = found.get(name, (None, None))[1]
        if name == GOLD or role in NOT_ANNOTATORS:
            raise UserError(f"{name!r} is a {role or GOLD}, not an annotator: documents go to people who label them; "
                            "leave that name out")
    missing = [name for name in names if name not in found]
    if missing and build is None:
        known = ", ".join(session.scalars(select(Annotator.name).where(Annotator.role.not_in(NOT_ANNOTATORS))
                                          .order_by(Annotator.name))) or "none yet"
        raise UserError(f"no annotator named {missing[0]!r} in this project (annotators: {known}); "
                        "check the spelling, or add them with `annotator assign PROJECT --annotators …`")
    ids = {name: id_ for name, (id_, _) in found.items()}
    ids.update((name, rules.annotator_id(build, name)) for name in missing)
    return ids, missing


@dataclass
class Loads:
    """What the named annotators already hold (indices follow the order of `ids`)."""

    ids: list[int]
    documents: list[int] = field(default_factory=list)
    words: list[int] = field(default_factory=list)
    shared_documents: list[int] = field(default_factory=list)
    shared_words: list[int] = field(default_factory=list)
    pairs: dict[tuple[int, int], int] = field(default_factory=dict)
    next_position: list[int] = field(default_factory=list)


def current_loads(session: Session, ids: list[int], by_words: bool = False) -> Loads:
    """Documents (and with `by_words` words) each annotator holds, the part of it in shared
    documents, their pair counts and where their queues end."""
    index = {id_: i for i, id_ in enumerate(ids)}
    loads = Loads(ids, [0] * len(ids), [0] * len(ids), [0] * len(ids), [0] * len(ids), {}, [0] * len(ids))
    mine = Assignment.annotator_id.in_(ids)
    for annotator_id, count, last in session.execute(
            select(Assignment.annotator_id, func.count(), func.max(Assignment.position)).where(mine)
            .group_by(Assignment.annotator_id)):
        loads.documents[index[annotator_id]] = count
        loads.next_position[index[annotator_id]] = last + 1
    shared = select(Assignment.document_id).group_by(Assignment.document_id).having(func.count() > 1)
    is_shared = Assignment.document_id.in_(shared)
    for annotator_id, count in session.execute(
            select(Assignment.annotator_id, func.count()).where(mine, is_shared).group_by(Assignment.annotator_id)):
        loads.shared_documents[index[annotator_id]] = count
    if by_words:
        for annotator_id, words, shared_words in session.execute(
                select(Assignment.annotator_id, func.sum(words_column()),
                       func.sum(case((is_shared, words_column()), else_=0)))
                .join(Document, Document.id == Assignment.document_id).where(mine).group_by(Assignment.annotator_id)):
            loads.words[index[annotator_id]] = int(words or 0)
            loads.shared_words[index[annotator_id]] = int(shared_words or 0)
    other = aliased(Assignment)
    for a, b, count in session.execute(
        select(Assignment.annotator_id, other.annotator_id, func.count())
        .join(other, and_(other.document_id == Assignment.document_id, other.annotator_id > Assignment.annotator_id))
        .where(mine, other.annotator_id.in_(ids), is_shared)
        .group_by(Assignment.annotator_id, other.annotator_id)):
        i, j = sorted((index[a], index[b]))
        loads.pairs[i, j] = count
    return loads


def unassigned_documents(session: Session, by_words: bool) -> tuple[array, array]:
    """Ids and weights (1, or words) of the documents nobody holds, in import order."""
    held = exists().where(Assignment.document_id == Document.id)
    query = select(Document.id, *([words_column()] if by_words else [])).where(~held).order_by(Document.id)
    ids, weights = array("q"), array("q")
    for part in session.connection().execute(query).partitions(BATCH):
        ids.extend(row[0] for row in part)
        if by_words:
            weights.extend(max(1, int(row[1])) for row in part)  # an empty document still costs a look
    if not by_words:
        weights = array("q", [1]) * len(ids)
    return ids, weights


def unstarted_assignments(session: Session) -> list:
    """Assignment rows of documents nobody has started (no status beyond todo, no span but gold's or
    a suggestion source's)."""
    started_status = exists().where(DocumentStatus.document_id == Assignment.document_id,
                                    DocumentStatus.status != "todo")
    not_people = select(Annotator.id).where(Annotator.role.in_((GOLD, MODEL)))
    started_spans = exists().where(Span.document_id == Assignment.document_id, Span.annotator_id.not_in(not_people))
    return [frozen(row) for row in session.execute(
        select(Assignment.__table__).where(~started_status, ~started_spans)).mappings()]


def write_in_batches(session: Session, description: str, rows: Iterable[dict]) -> None:
    """Apply the planned rows as Changes of BATCH rows inside the caller's transaction: all or
    nothing, and never all rows in memory at once (a project's assignment is 100,000s of rows,
    which no one undoes row by row: the ChangeBuilder's bookkeeping per row is left out)."""
    batch = []
    for row in rows:  # each a fresh dict: wrapped, not copied
        batch.append(("assignments", MappingProxyType(row)))
        if len(batch) >= BATCH:
            apply_in(session, Change(description, tuple(batch)))
            batch = []
    if batch:
        apply_in(session, Change(description, tuple(batch)))


def holders_of(session: Session, document_ids: Sequence[int] | None = None) -> dict[int, list[int]]:
    """document id -> annotator ids holding it, in assignment order."""
    query = select(Assignment.document_id, Assignment.annotator_id).order_by(
        Assignment.document_id, Assignment.assigned_at, Assignment.annotator_id)
    if document_ids is not None:
        query = query.where(Assignment.document_id.in_(document_ids))
    held: dict[int, list[int]] = {}
    for document_id, annotator_id in session.execute(query):
        held.setdefault(document_id, []).append(annotator_id)
    return held


def finished_documents(session: Session, annotator_id: int) -> set[int]:
    return set(session.scalars(select(DocumentStatus.document_id).where(
        DocumentStatus.annotator_id == annotator_id, DocumentStatus.status.in_(FINISHED))))

