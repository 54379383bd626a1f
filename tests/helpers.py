"""Helpers for tests."""

from contextlib import contextmanager

from sqlalchemy import MetaData, select

from annotator.team.live_progress import SERVER_ONLY_TABLES
from annotator.store import Project


NOT_DATA = SERVER_ONLY_TABLES  # counters that move on every write, an undo included


def snapshot(project: Project) -> dict[str, list[tuple]]:
    """Every row of every table, to show that a refused action changed nothing."""
    metadata = MetaData()
    with project.engine.connect() as connection:
        metadata.reflect(connection)
        return {
            name: sorted(map(tuple, connection.execute(select(table)).all()), key=repr)
            for name, table in metadata.tables.items() if name not in NOT_DATA
        }


def plain_connection(project: Project, timeout: float = 5.0):
    """A connection of the driver itself (sqlite3 or psycopg) beside the tool's, in autocommit mode:
    another program on the same project."""
    url = project.engine.url
    if url.get_backend_name() == "sqlite":
        import sqlite3

        return sqlite3.connect(url.database, timeout=timeout, isolation_level=None)
    import psycopg

    return psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True)


def begin_writing(connection, project: Project, timeout: float | None = None) -> None:
    """Begin a transaction holding the project's write lock, as the tool's own writers do
    (SQLite: BEGIN IMMEDIATE; PostgreSQL: the advisory lock); give up after `timeout` seconds."""
    if project.engine.dialect.name == "sqlite":
        if timeout is not None:
            connection.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        connection.execute("BEGIN IMMEDIATE")
        return
    from annotator.postgres import WRITE_LOCK_KEY

    connection.execute("BEGIN")
    if timeout is not None:
        connection.execute(f"SET LOCAL lock_timeout = {int(timeout * 1000)}")
    connection.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")


@contextmanager
def another_program_writing(project: Project):
    """A real second connection holding the write lock until the block ends (also when a test
    fails); yields it."""
    holder = plain_connection(project)
    begin_writing(holder, project)
    try:
        yield holder
    finally:
        holder.close()


def is_write_begin(statement: str) -> bool:
    """Whether a statement the tool sent begins a writing unit of work (takes the write lock)."""
    return statement == "BEGIN IMMEDIATE" or (statement.startswith("SELECT set_config('lock_timeout'")
                                              and "pg_advisory_xact_lock(" in statement)


def cli_ok(*args) -> str:
    """Run `annotator ARGS…` in process (typer's runner); its standard output, asserting exit 0."""
    from typer.testing import CliRunner

    from cli.app import app

    result = CliRunner().invoke(app, [*map(str, args)])
    assert result.exit_code == 0, result.output
    return result.stdout
