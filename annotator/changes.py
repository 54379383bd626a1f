"""One edit of annotations as data: the rows it inserts, deletes and updates.

Every writer (a key press, an import, adjudication, an undo) builds a Change and applies it
once. A Change lists exact rows (ids and timestamps included), so its inverse restores the
previous state byte for byte and replaying it again (redo) recreates the same rows with the
same ids. Views ask it what it touched (`documents()`, `spans_touched()`, `links_touched()`,
`status_after()`) instead of reading table names themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

from sqlalchemy import Table, and_, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from annotator.errors import UserError
from annotator.model import Annotator, Assignment, DocumentStatus, Relation, Span
from annotator.store import Project

TABLES: dict[str, Table] = {
    model.__tablename__: model.__table__ for model in (Annotator, Span, Relation, DocumentStatus, Assignment)
}
# Parents before children when inserting; the reverse when deleting.
_INSERT_ORDER = ("annotators", "spans", "relations", "document_status", "assignments")
# Tables whose changes come by the hundred thousand (assigning a project): their inserted rows
# are checked against the table in one query per batch and written by the driver's executemany.
_BULK = frozenset({"assignments"})


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


def apply_in(session: Session, change: Change) -> None:
    """Apply inside the caller's transaction; refuse (UserError) when a row it expects was
    changed elsewhere since it was built."""
    for name in reversed(_INSERT_ORDER):
        for table_name, row in change.deleted:
            if table_name != name:
                continue
            table = TABLES[name]
            result = session.execute(delete(table).where(_matches(table, row)))
            if result.rowcount != 1:
                raise _conflict(name, row)
    for upd in change.updated:
        table = TABLES[upd.table]
        result = session.execute(
            update(table).where(_matches(table, {**upd.key, **upd.before})).values(**upd.after)
        )
        if result.rowcount != 1:
            raise _conflict(upd.table, upd.key)
    for name in _INSERT_ORDER:
        rows = [dict(row) for table_name, row in change.inserted if table_name == name]
        if rows and name in _BULK:
            _insert_bulk(session, TABLES[name], rows)
        elif rows:
            table = TABLES[name]
            for row in rows:
                if session.execute(select(table).where(_matches(table, _key(table, row)))).first():
                    raise _conflict(name, row)
            session.execute(insert(table), rows)


def _insert_bulk(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert rows as `apply_in` does (refusing one whose key exists), but with one look-up per
    batch and the values bound once per distinct value: SQLAlchemy's per-row parameter handling
    costs more than SQLite's own insert at this size."""
    keys = [column.name for column in table.primary_key.columns]
    first = table.c[keys[0]]
    wanted = {tuple(row[k] for k in keys) for row in rows}
    for chunk in range(0, len(rows), 500):
        values = list({row[keys[0]] for row in rows[chunk:chunk + 500]})
        for found in session.execute(select(*(table.c[k] for k in keys)).where(first.in_(values))):
            if tuple(found) in wanted:
                raise _conflict(table.name, dict(zip(keys, found)))
    connection = session.connection()
    dialect = connection.dialect
    columns = [column.name for column in table.columns]
    binders = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    bound: dict = {}

    def bind(index: int, value):
        if binders[index] is None or value is None:
            return value
        if (index, value) not in bound:
            bound[index, value] = binders[index](value)
        return bound[index, value]

    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    statement = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
                 f"VALUES ({', '.join(marker for _ in columns)})")
    connection.exec_driver_sql(statement, [tuple(bind(i, row[c]) for i, c in enumerate(columns)) for row in rows])


def _matches(table: Table, values: dict):
    return and_(*(table.c[column] == value if value is not None else table.c[column].is_(None)
                  for column, value in values.items()))


def _key(table: Table, row: dict) -> dict:
    return {column.name: row[column.name] for column in table.primary_key.columns}


def _conflict(table: str, row) -> UserError:
    what = {"spans": "span", "relations": "link", "document_status": "document status", "annotators": "annotator",
            "assignments": "assignment of document"}[table]
    ident = row.get("id", row.get("document_id"))
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
