"""Copying rows from a project (a file or a server) into a bundle file, in bulk.

The bundle is written through the driver (sqlite3 `executemany`), not the ORM. Rows read from a
SQLite project are already in the form SQLite stores, so they pass through untouched; rows from
another database are read through SQLAlchemy (its own types: datetimes, JSON) and turned into
SQLite's form by the SQLite dialect's own bind processors, as the store would have written them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from sqlalchemy import Table, select
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from annotator.bundles.fingerprint import raw_rows

_SQLITE = sqlite_dialect.dialect()


def copy_table(session: Session, target: sqlite3.Connection, table: Table, *where: ColumnElement,
               replace: dict[str, ColumnElement] | None = None, joins: Sequence = ()) -> int:
    """Copy the rows of `table` matching `where` (through `joins`) into the same table of the
    bundle, every column as it is except those `replace` computes; the number of rows."""
    columns = [column.name for column in table.columns]
    replace = replace or {}
    query = select(*(replace[name].label(name) if name in replace else table.c[name] for name in columns))
    for join in joins:
        query = query.join(*join)
    rows = source_rows(session, table, columns, query.where(*where))
    insert_rows(target, table.name, columns, rows)
    return len(rows)


def source_rows(session: Session, table: Table, columns: list[str], query) -> list[tuple]:
    """The query's rows in the form a SQLite file stores them."""
    if session.get_bind().dialect.name == "sqlite":
        return raw_rows(session, query)
    binders = [(i, processor) for i, processor in enumerate(
        table.c[name].type.dialect_impl(_SQLITE).bind_processor(_SQLITE) for name in columns) if processor]
    rows = []
    for row in session.execute(query):
        values = list(row)
        for i, processor in binders:
            if values[i] is not None:
                values[i] = processor(values[i])
        rows.append(tuple(values))
    return rows


def sqlite_value(table: Table, column: str, value):
    """One value as SQLite stores it in that column (a JSON setting, a datetime)."""
    processor = table.c[column].type.dialect_impl(_SQLITE).bind_processor(_SQLITE)
    return processor(value) if processor is not None and value is not None else value


def insert_rows(target: sqlite3.Connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    if rows:
        target.executemany(f"INSERT INTO {table} ({', '.join(_quoted(c) for c in columns)}) "
                           f"VALUES ({', '.join('?' for _ in columns)})", rows)


def _quoted(column: str) -> str:
    return f'"{column}"'  # "end" is a keyword
