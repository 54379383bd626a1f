"""Rows straight from the driver's cursor, for reads of 10^5 rows (no pandas, no ORM here: the
bundle commands and the agreement report both use it, and bundles must start light)."""

from __future__ import annotations

from sqlalchemy.orm import Session


def fetch_all(session: Session, query) -> list[tuple]:
    """A select's rows as plain tuples through the DBAPI cursor: 10^5 rows without building
    SQLAlchemy Row objects (about 3x faster). Only for queries whose parameters are integers or
    fixed names, which are safe to inline as literals on any dialect."""
    connection = session.connection()
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()
