"""Open and create project files: engine set-up, schema migrations, transactions.

A project is one SQLite file (or, for teams, any SQLAlchemy URL). Everything
SQLite-specific lives in `_sqlite_engine`; the rest is portable SQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect, make_url
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from annotator.errors import UserError

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 10_000


@dataclass
class Project:
    """An open project file. Pass it around; there is no global one."""

    url: str
    engine: Engine
    sessions: sessionmaker

    @property
    def name(self) -> str:
        database = self.engine.url.database
        return Path(database).name if database else str(self.engine.url)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back on any error."""
        with self.sessions() as session, session.begin():
            session.connection(execution_options={"writes": True})
            yield session

    def read(self) -> Session:
        """A session for queries only (use it as a context manager)."""
        return self.sessions()

    def close(self) -> None:
        self.engine.dispose()


def project_url(target: str | Path) -> str:
    text = str(target)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def create_project(target: str | Path, labels_file: str | Path | None = None) -> Project:
    """Create a new project file with its label schema; refuse to overwrite one."""
    from annotator.schema import load_schema, store_schema

    schema = load_schema(labels_file)  # read the schema first: a bad one creates no file
    url = project_url(target)
    path = _sqlite_path(url)
    if path is not None and path.exists() and path.stat().st_size > 0:
        raise UserError(f"{path}: a file already exists there; choose another name or delete it first")
    engine = _engine(url)
    try:
        with _schema_transaction(engine) as connection:
            if inspect(connection).get_table_names():
                raise UserError(f"{_shown(url)}: the database is not empty; use a new database for a new project")
            _upgrade(connection)
        project = Project(url, engine, sessionmaker(engine, expire_on_commit=False))
        with project.transaction() as session:
            store_schema(session, schema)
    except OperationalError as exc:
        _discard(engine, path)
        reason = str(exc.orig).strip().splitlines()[0]
        raise UserError(f"{path or _shown(url)}: cannot create the database ({reason}); "
                        "check that the folder exists and is writable") from None
    except BaseException:
        _discard(engine, path)
        raise
    return project


def _discard(engine: Engine, path: Path | None) -> None:
    """Undo a failed creation: nothing half-made stays behind."""
    engine.dispose()
    if path is not None:
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)


def open_project(target: str | Path) -> Project:
    """Open an existing project, migrating an older schema; refuse a newer one."""
    url = project_url(target)
    path = _sqlite_path(url)
    if path is not None and not path.is_file():
        raise UserError(f"{path}: no project file there; create one with `annotator init {target}`")
    engine = _engine(url)
    try:
        with _schema_transaction(engine) as connection:
            _check_and_upgrade(connection, str(path or _shown(url)))
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0]
        raise UserError(f"{path or _shown(url)}: cannot open the database ({reason}); check the path or URL") from None
    except DatabaseError as exc:
        engine.dispose()
        raise UserError(f"{path or _shown(url)}: not a project file ({exc.orig}); open a file made by `annotator init`") from None
    except BaseException:
        engine.dispose()
        raise
    return Project(url, engine, sessionmaker(engine, expire_on_commit=False))


def schema_head() -> str:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _check_and_upgrade(connection, where: str) -> None:
    current = MigrationContext.configure(connection).get_current_revision()
    if current is None:
        raise UserError(f"{where}: not a project file (no schema version); open a file made by `annotator init`")
    script = ScriptDirectory.from_config(_alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    if current not in known:
        raise UserError(
            f"{where}: written by a newer version of this tool (schema {current}); "
            "upgrade the tool to open it — the file was left untouched"
        )
    if current != script.get_current_head():
        _upgrade(connection)


@contextmanager
def _schema_transaction(engine: Engine) -> Iterator:
    """A transaction for migrations, with SQLite's foreign keys off until it ends.

    SQLite alters a table by rebuilding it (Alembic batch mode); dropping the old
    parent table would cascade-delete its children if foreign keys were enforced.
    So, as SQLite's ALTER TABLE guide says, they are off (the pragma only works
    outside a transaction) and checked before commit."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        if sqlite:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                yield connection
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise UserError(f"{_shown(str(engine.url))}: the schema upgrade would break links between rows; "
                                    "the file was left untouched — report this with the file")
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")


def _upgrade(connection) -> None:
    config = _alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _shown(url: str) -> str:
    """A URL fit for a message: the password masked."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite"):
        return None
    database = url.split(":///", 1)[-1]
    return Path(database) if database and database != ":memory:" else None


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True)


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions begin, so that
        # DDL and reads inside a unit of work are really inside it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # A writing unit of work takes the write lock up front (waiting up to the busy
        # timeout) instead of failing half-way when another process writes too.
        writes = connection.get_execution_options().get("writes", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    return engine
