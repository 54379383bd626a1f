"""Copying rows from a project (a file or a server) into a new bundle file, in bulk, inside one
read snapshot of the project and one write transaction on the bundle.

From a SQLite project the bundle is attached to a connection on the project file and each table
is one `INSERT … SELECT` over all the annotator's documents at once (a subquery of her
assignments): the rows never pass through Python, and SQLite reads and appends them in storage
order (batches of IN lists took twice as long: an index search per document, then the rows out
of order). From another database the rows are read through SQLAlchemy (its own types:
datetimes, JSON) a batch of documents at a time (memory stays flat) and written with the
driver's `executemany`, in the form SQLite stores them (the SQLite dialect's own bind
processors, as the store would have written them).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Table
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.orm import Session

from annotator.bundles.fingerprint import batches

_SQLITE = sqlite_dialect.dialect()


def _sql(query) -> str:
    """A select as SQLite text; only for integer parameters, inlined as literals."""
    return str(query.compile(dialect=_SQLITE, compile_kwargs={"literal_binds": True}))


def _columns(table: Table) -> str:
    return ", ".join(f'"{column.name}"' for column in table.columns)  # "end" is a keyword


class AttachedCopier:
    """A SQLite project: one connection on the project file (only read) with the bundle attached."""

    def __init__(self, project_file: str, bundle: Path, busy_timeout: float) -> None:
        self.connection = sqlite3.connect(project_file, isolation_level=None, timeout=busy_timeout)
        try:
            self.connection.execute("PRAGMA foreign_keys=ON")
            self.connection.execute("ATTACH DATABASE ? AS bundle", (str(bundle),))
            self.connection.execute("BEGIN")  # deferred: a read snapshot of the project, the bundle's write lock
        except BaseException:
            self.connection.close()
            raise

    def scalars(self, query) -> list:
        return [row[0] for row in self.connection.execute(_sql(query))]

    def document_sets(self, query, document_ids: list[int]) -> list:
        """What each round of copying selects documents by: one round, the query itself."""
        return [query]

    def clear(self, table: Table) -> None:
        self.connection.execute(f"DELETE FROM bundle.{table.name}")

    def copy(self, table: Table, query) -> int:
        """Insert the rows of `query` (all the table's columns, in order) into the bundle's table."""
        return self.connection.execute(f"INSERT INTO bundle.{table.name} ({_columns(table)}) {_sql(query)}").rowcount

    def commit(self) -> None:
        self.connection.execute("COMMIT")

    def close(self) -> None:
        self.connection.close()


class RowCopier:
    """Any other database: rows read in the session's snapshot, written with executemany."""

    def __init__(self, session: Session, bundle: Path) -> None:
        self.session = session
        self.connection = sqlite3.connect(bundle, isolation_level=None)
        self.connection.execute("PRAGMA foreign_keys=ON")
        self.connection.execute("BEGIN IMMEDIATE")

    def scalars(self, query) -> list:
        return list(self.session.scalars(query))

    def document_sets(self, query, document_ids: list[int]) -> Iterator[list[int]]:
        """What each round of copying selects documents by: a batch of their ids at a time."""
        return batches(document_ids)

    def clear(self, table: Table) -> None:
        self.connection.execute(f"DELETE FROM {table.name}")

    def copy(self, table: Table, query) -> int:
        binders = [(i, processor) for i, processor in enumerate(
            column.type.dialect_impl(_SQLITE).bind_processor(_SQLITE) for column in table.columns) if processor]
        rows = []
        for row in self.session.execute(query):
            values = list(row)
            for i, processor in binders:
                if values[i] is not None:
                    values[i] = processor(values[i])
            rows.append(values)
        if rows:
            self.connection.executemany(f"INSERT INTO {table.name} ({_columns(table)}) "
                                        f"VALUES ({', '.join('?' for _ in table.columns)})", rows)
        return len(rows)

    def commit(self) -> None:
        self.connection.execute("COMMIT")

    def close(self) -> None:
        self.connection.close()
