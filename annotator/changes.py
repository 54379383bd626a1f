"""One edit of annotations as data: the rows it inserts, deletes and updates.

Every writer (a key press, an import, adjudication, an undo) builds a Change (with
annotator.change_builder) and applies it once; `apply_in` is the only code that writes these
tables, one statement per table and column shape. A Change lists exact rows (ids and
timestamps included), so its inverse restores the previous state byte for byte and replaying
it again (redo) recreates the same rows with the same ids. Views ask it what it touched (`documents()`, `spans_touched()`, `links_touched()`,
`status_after()`) instead of reading table names themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter
from types import MappingProxyType

from sqlalchemy import Table, and_, bindparam, delete, insert, or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from annotator.errors import UserError
from annotator.model import Annotator, Assignment, DocumentStatus, Relation, Span, SuggestionDecision
from annotator.store import APPLIED_CHANGES, Project

TABLES: dict[str, Table] = {
    model.__tablename__: model.__table__
    for model in (Annotator, Span, Relation, SuggestionDecision, DocumentStatus, Assignment)
}
# Annotators are the parents every other row refers to (spans' and links' annotator and reviewer):
# they go in before, and out after, the updates and the other tables' rows. Among the others,
# parents before children when inserting, children first when deleting.
_PARENTS = ("annotators",)
_CHILDREN = ("spans", "relations", "suggestion_decisions", "document_status", "assignments")
# Tables whose changes come by the hundred thousand (assigning a project): their inserted rows
# go in by the driver's executemany, an existing key refused by the table's constraints.
_BULK = frozenset({"assignments"})
_CHUNK = 400  # keys per IN list when checking that inserted rows are new


def frozen(row) -> MappingProxyType:
    return MappingProxyType(dict(row))


@dataclass(frozen=True)
class RowUpdate:
    table: str
    key: MappingProxyType  # primary key columns -> values
    before: MappingProxyType  # changed columns -> old values
    after: MappingProxyType  # changed columns -> new values

    def inverse(self) -> RowUpdate:
        return RowUpdate(self.table, self.key, self.after, self.before)


@dataclass(frozen=True)
class Touched:
    """Ids of one kind of row a change added, removed, or changed in place."""

    added: frozenset[int] = frozenset()
    removed: frozenset[int] = frozenset()
    changed: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass(frozen=True)
class Change:
    """What one edit changed: whole rows inserted/deleted, columns updated."""

    description: str
    inserted: tuple[tuple[str, MappingProxyType], ...] = ()
    deleted: tuple[tuple[str, MappingProxyType], ...] = ()
    updated: tuple[RowUpdate, ...] = ()
    # The span a caller should select after this change (None: keep the selection).
    focus_span: int | None = field(default=None, compare=False)
    # Documents touched through rows that do not name one (links, relabelled spans).
    document_ids: frozenset[int] = field(default=frozenset(), compare=False)

    def inverse(self) -> Change:
        return Change(f"undo {self.description}", self.deleted, self.inserted,
                      tuple(u.inverse() for u in self.updated), document_ids=self.document_ids)

    def __bool__(self) -> bool:
        return bool(self.inserted or self.deleted or self.updated)

    def rows(self, table: str, which: str = "inserted") -> list[MappingProxyType]:
        return [row for name, row in getattr(self, which) if name == table]

    def documents(self) -> frozenset[int]:
        """Every document whose annotations or statuses this change alters."""
        named = {row["document_id"] for _, row in self.inserted + self.deleted if "document_id" in row}
        named |= {u.key["document_id"] for u in self.updated if "document_id" in u.key}
        return frozenset(named) | self.document_ids

    def spans_touched(self) -> Touched:
        return self._touched("spans")

    def links_touched(self) -> Touched:
        return self._touched("relations")

    def _touched(self, table: str) -> Touched:
        return Touched(frozenset(row["id"] for row in self.rows(table)),
                       frozenset(row["id"] for row in self.rows(table, "deleted")),
                       frozenset(u.key["id"] for u in self.updated if u.table == table))

    def annotators_added(self) -> list[MappingProxyType]:
        return self.rows("annotators")

    def status_after(self, document_id: int, annotator_id: int | None = None) -> str | None:
        """The status this change leaves for the document (one annotator's, or anyone's when
        None); None when it sets none. A removed status row means back to todo."""
        def mine(row) -> bool:
            return row["document_id"] == document_id and annotator_id in (None, row["annotator_id"])

        for row in self.rows("document_status"):
            if mine(row):
                return row["status"]
        for upd in self.updated:
            if upd.table == "document_status" and mine(upd.key) and "status" in upd.after:
                return upd.after["status"]
        if any(mine(row) for row in self.rows("document_status", "deleted")):
            return "todo"
        return None


# --- applying -------------------------------------------------------------------------

def apply(project: Project, change: Change) -> Change:
    """Apply a change (a command, an undo or a redo) in one transaction; return it."""
    with project.transaction() as session:
        apply_in(session, change)
    return change


def apply_once(project: Project, change: Change) -> Change:
    """Apply a change again after the connection dropped while it was being written (the
    ServerUnavailable that said so holds it): its commit may have reached the server before the
    answer was lost. When the store shows exactly what the change says (its rows in, with their
    ids and values; its removed rows gone; its updates made), it was written: nothing more is.
    Otherwise it is applied as usual, refused as usual when its rows were changed meanwhile."""
    with project.transaction() as session:
        if not is_applied(session, change):
            apply_in(session, change)
    return change


def is_applied(session: Session, change: Change) -> bool:
    """Whether the store holds the state this change leaves (every row it names, as it says)."""
    for name, row in change.inserted:
        if not _present(session, TABLES[name], row):
            return False
    inserted_keys = {(name, _key(TABLES[name], row)) for name, row in change.inserted}
    for name, row in change.deleted:
        key = _key(TABLES[name], row)
        if (name, key) not in inserted_keys and _present(session, TABLES[name], dict(key)):
            return False
    return all(_present(session, TABLES[upd.table], {**upd.key, **upd.after}) for upd in change.updated)


def _key(table: Table, row) -> tuple:
    return tuple((column.name, row[column.name]) for column in table.primary_key.columns)


def _present(session: Session, table: Table, values) -> bool:
    return session.execute(select(1).select_from(table).where(_matches(table, values)).limit(1)).first() is not None


def apply_in(session: Session, change: Change) -> None:
    """Apply inside the caller's transaction; refuse (UserError) when a row it expects was
    changed elsewhere since it was built. One statement per table and column shape."""
    session.info.setdefault(APPLIED_CHANGES, []).append(change)  # for a retry, should the connection drop
    _delete(session, change, tuple(reversed(_CHILDREN)))
    _insert(session, change, _PARENTS)
    _update(session, change.updated)
    _insert(session, change, _CHILDREN)
    _delete(session, change, _PARENTS)


def _shapes(rows, nulls: bool = True) -> dict[tuple, list]:
    """Rows grouped by their columns (and, with `nulls`, which of them are NULL, as a WHERE
    clause must tell): one statement per group."""
    groups: dict[tuple, list] = {}
    for row in rows:
        shape = tuple((column, value is None) for column, value in row.items()) if nulls else tuple(row)
        groups.setdefault(shape, []).append(row)
    return groups


def _where(table: Table, shape: tuple, prefix: str):
    return and_(*(table.c[column].is_(None) if null else table.c[column] == bindparam(prefix + column)
                  for column, null in shape))


def _params(row, prefix: str) -> dict:
    return {prefix + column: value for column, value in row.items() if value is not None}


def _delete(session: Session, change: Change, names: tuple[str, ...]) -> None:
    for name in names:
        table = TABLES[name]
        for shape, rows in _shapes(row for table_name, row in change.deleted if table_name == name).items():
            _expect(session, delete(table).where(_where(table, shape, "w_")), [_params(r, "w_") for r in rows],
                    name, rows)


def _update(session: Session, updates: tuple[RowUpdate, ...]) -> None:
    groups: dict[tuple, list[RowUpdate]] = {}
    for upd in updates:
        shape = tuple((c, v is None) for c, v in {**upd.key, **upd.before}.items())
        groups.setdefault((upd.table, shape, tuple(upd.after)), []).append(upd)
    for (name, shape, columns), group in groups.items():
        table = TABLES[name]
        statement = update(table).where(_where(table, shape, "w_")).values(
            {column: bindparam("s_" + column) for column in columns})
        params = [{**_params({**upd.key, **upd.before}, "w_"), **{"s_" + c: v for c, v in upd.after.items()}}
                  for upd in group]
        _expect(session, statement, params, name, [{**upd.key, **upd.before} for upd in group])


def _insert(session: Session, change: Change, names: tuple[str, ...]) -> None:
    for name in names:
        rows = [row for table_name, row in change.inserted if table_name == name]
        if not rows:
            continue
        table = TABLES[name]
        if name in _BULK:
            _insert_bulk(session, table, rows)
            continue
        columns = list(table.primary_key.columns)
        key = columns[0] if len(columns) == 1 else tuple_(*columns)
        keys = [tuple(row[c.name] for c in columns) for row in rows]
        # The store's own key refuses a row that is there already; asked first only to name it
        # among several (one row is named by the refusal itself).
        for at in range(0, len(keys) if len(keys) > 1 else 0, _CHUNK):
            chunk = [k[0] for k in keys[at:at + _CHUNK]] if len(columns) == 1 else keys[at:at + _CHUNK]
            found = session.execute(select(*columns).where(key.in_(chunk)).limit(1)).first()
            if found is not None:
                raise _conflict(name, dict(zip((c.name for c in columns), found)))
        for group in _shapes(rows, nulls=False).values():
            try:
                session.execute(insert(table), [dict(row) for row in group])
            except IntegrityError:  # a row with the same identity, or its document gone: the caller rolls back
                raise _conflict(name, group[0]) from None


def _expect(session: Session, statement, params: list[dict], name: str, rows: list) -> None:
    """Run a DELETE or UPDATE over many rows, refusing unless each matched exactly one: the
    first row not found (as it was when the Change was built) is named in the refusal."""
    if len(rows) == 1:
        if session.execute(statement, params).rowcount != 1:
            raise _conflict(name, rows[0])
        return
    savepoint = session.begin_nested()
    if session.execute(statement, params).rowcount == len(rows):
        savepoint.commit()
        return
    savepoint.rollback()  # the rows it did match are back, so the one missing can be told
    table = TABLES[name]
    missing = next((row for row in rows if session.execute(select(table).where(_matches(table, row))).first() is None),
                   rows[0])
    raise _conflict(name, missing)


def _insert_bulk(session: Session, table: Table, rows: list) -> None:
    """Insert rows with the driver's executemany, each distinct value bound once: SQLAlchemy's
    per-row parameter handling costs more than SQLite's own insert at this size. A row whose
    key exists is refused by the table's own constraints, which is the same check `apply_in`
    makes row by row for the other tables."""
    connection = session.connection()
    dialect = connection.dialect
    columns = [column.name for column in table.columns]
    binders = [(i, processor) for i, processor in enumerate(
        table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns) if processor is not None]
    values_of = itemgetter(*columns)
    bound: dict = {}
    params = []
    for row in rows:
        values = list(values_of(row))
        for i, processor in binders:
            value = values[i]
            if value is not None:
                if value not in bound:
                    bound[value] = processor(value)
                values[i] = bound[value]
        params.append(tuple(values))
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    statement = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
                 f"VALUES ({', '.join(marker for _ in columns)})")
    try:
        with session.begin_nested():  # a refused batch leaves the caller's transaction usable
            connection.exec_driver_sql(statement, params)
    except IntegrityError:
        raise UserError(f"an {table.name[:-1]} this action adds exists already (changed elsewhere since); "
                        "nothing was written — run it again") from None


def _matches(table: Table, values: dict):
    return and_(*(table.c[column] == value if value is not None else table.c[column].is_(None)
                  for column, value in values.items()))


def _conflict(table: str, row) -> UserError:
    what = {"spans": "span", "relations": "link", "document_status": "document status", "annotators": "annotator",
            "assignments": "assignment of document", "suggestion_decisions": "decision on suggestion"}[table]
    ident = row.get("id", row.get("document_id", row.get("suggestion_id")))
    return UserError(f"{what} {ident} was changed elsewhere since this action; reopen the document and redo it by hand")


def row_of(session: Session, table: str, **key) -> MappingProxyType | None:
    found = session.execute(select(TABLES[table]).filter_by(**key)).mappings().first()
    return frozen(found) if found is not None else None


def relations_of(session: Session, span_ids: list[int]) -> list[MappingProxyType]:
    table = TABLES["relations"]
    rows = session.execute(
        select(table).where(or_(table.c.head_id.in_(span_ids), table.c.child_id.in_(span_ids))).order_by(table.c.id)
    ).mappings().all()
    return [frozen(row) for row in rows]
