"""Building a Change while a command reads: the one way a writer states what it will change.

A command opens its transaction, reads what it needs, and tells a `ChangeBuilder` the rows it
adds, removes and alters; nothing is written meanwhile. `build()` freezes that into a Change and
`changes.apply_in` writes it once (`apply()` does both). New rows are numbered on from the
store's highest id per table, read inside the writer's transaction (which holds the project's
write lock), or on a server from the table's sequence; a redo of the Change recreates the same ids.

Reads that must see the command's own pending rows (the annotator it is about to create, the
gold spans an adjudication adds before its links) ask the builder: `pending(table)`.
"""

from __future__ import annotations

from types import MappingProxyType

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.changes import TABLES, Change, RowUpdate, apply_in, frozen


_KEYS = {name: tuple(column.name for column in table.primary_key.columns) for name, table in TABLES.items()}


def key_of(table: str, row) -> tuple:
    """The row's primary key values, in the table's key order."""
    return tuple(row[column] for column in _KEYS[table])


class _Spent(dict):
    """What a built builder records into: nothing (it refuses)."""

    def __setitem__(self, key, value):
        raise RuntimeError("this ChangeBuilder was built already; start a new one")

    setdefault = __setitem__


class ChangeBuilder:
    """Records inserts, deletes and updates (and the documents they touch) for one Change."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._inserted: dict[tuple[str, tuple], dict] = {}  # in the order recorded
        self._deleted: dict[tuple[str, tuple], MappingProxyType] = {}
        self._updated: dict[tuple[str, tuple], tuple[dict, dict]] = {}  # -> (before, after)
        self._next_ids: dict[str, int] = {}
        self._on_server = session.get_bind().dialect.name == "postgresql"
        self._reserved: dict[str, list[int]] = {}  # ids taken from a server's sequence, not yet used
        self._taken: dict[str, int] = {}  # how many blocks each table reserved
        self._documents: set[int] = set()

    def new_id(self, table: str) -> int:
        """The next free id of the table: one past the highest stored, then counting on; on a
        server, from the table's sequence (row security hides others' rows, and another person
        numbers rows at the same time), reserved a block at a time."""
        if self._on_server:
            reserved = self._reserved.setdefault(table, [])
            if not reserved:
                from annotator.postgres import reserve_row_ids

                reserved.extend(reversed(reserve_row_ids(self.session, TABLES[table].c.id, self._block(table))))
            return reserved.pop()
        if table not in self._next_ids:
            column = TABLES[table].c.id
            self._next_ids[table] = (self.session.scalar(select(func.max(column))) or 0) + 1
        new = self._next_ids[table]
        self._next_ids[table] = new + 1
        return new

    def _block(self, table: str) -> int:
        """How many ids to reserve: one for a key press, more and more for an import."""
        taken = self._taken[table] = self._taken.get(table, 0) + 1
        return min(1 << min(taken - 1, 10), 1024)

    def insert(self, table: str, row: dict) -> int | None:
        """Record a new row (numbered with `new_id` when the table has an id and the row none);
        return its id."""
        values = dict(row)
        if _KEYS[table] == ("id",):
            if values.get("id") is None:
                values["id"] = self.new_id(table)
            self._inserted[table, (values["id"],)] = values
            return values["id"]
        self._inserted[table, key_of(table, values)] = values
        return None

    def delete(self, table: str, row) -> None:
        """Record the removal of a stored row, given whole as read (or drop one recorded here).
        Removing a row twice is removing it once; an update recorded for it is dropped."""
        key = (table, key_of(table, row))
        if self._inserted.pop(key, None) is None:
            before, _ = self._updated.pop(key, ({}, {}))
            self._deleted[key] = frozen({**row, **before})

    def update(self, table: str, row, **after) -> None:
        """Record new values for columns of `row` (as read, or as recorded here)."""
        key = (table, key_of(table, row))
        if key in self._inserted:
            self._inserted[key].update(after)
            return
        before, later = self._updated.setdefault(key, ({}, {}))
        for column, value in after.items():
            before.setdefault(column, row[column])
            later[column] = value

    def touch(self, *document_ids: int) -> None:
        """Documents the change alters through rows that do not name one (links, relabels)."""
        self._documents.update(document_ids)

    def pending(self, table: str) -> list[dict]:
        """Rows of `table` this builder inserts, in the order recorded."""
        return [row for (name, _), row in self._inserted.items() if name == table]

    def pending_row(self, table: str, key: tuple) -> dict | None:
        """The row with this primary key that this builder inserts, if any."""
        return self._inserted.get((table, key))

    def build(self, description: str, focus_span: int | None = None) -> Change:
        updated = []
        for (table, key), (before, after) in self._updated.items():
            if before != after:
                updated.append(RowUpdate(table, frozen(zip(_KEYS[table], key)), frozen(before), frozen(after)))
        # The recorded rows are wrapped, not copied (an import builds 100,000s): a builder is
        # spent once built.
        inserted = tuple((table, MappingProxyType(row)) for (table, _), row in self._inserted.items())
        deleted = tuple((table, row) for (table, _), row in self._deleted.items())
        self._inserted, self._deleted, self._updated = _Spent(), _Spent(), _Spent()
        return Change(description, inserted, deleted, tuple(updated), focus_span=focus_span,
                      document_ids=frozenset(self._documents))

    def apply(self, description: str, focus_span: int | None = None) -> Change:
        """Build the Change and write it once, inside the builder's transaction."""
        change = self.build(description, focus_span)
        apply_in(self.session, change)
        return change
