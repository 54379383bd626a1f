"""Open and create project files: engine set-up, schema migrations, transactions.

A project is one SQLite file (or, for teams, any SQLAlchemy URL). Everything
SQLite-specific lives in `_sqlite_engine` and annotator/project_file.py; the rest is portable SQL.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import URL, Engine, create_engine, event, inspect, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from annotator.errors import ProjectBusy, ProjectReadOnly, ServerUnavailable, UserError
from annotator.project_file import MIGRATIONS, busy_message, inspect_project_file, known_revisions, why_read_only

BUSY_TIMEOUT = 10.0  # seconds a unit of work waits for another program's write lock
# Where a unit of work lists the Changes it applied (changes.apply_in), for a retry after a lost connection.
APPLIED_CHANGES = "applied_changes"
_URL_ADVICE = "give a project file path, or a URL such as postgresql+psycopg://user@host/db"


@dataclass
class _Wait:
    """The busy timeout, read by the engine's listeners at each transaction (so it can change)."""

    seconds: float


@dataclass
class Project:
    """An open project file. Pass it around; there is no global one."""

    url: str
    engine: Engine
    sessions: sessionmaker
    read_only: bool = False  # opened for reading only: the file or its folder is not writable
    why_read_only: str = ""  # the message a write gets then
    _wait: _Wait = field(default_factory=lambda: _Wait(BUSY_TIMEOUT), repr=False)

    @property
    def name(self) -> str:
        path = _sqlite_path(make_url(self.url))
        return path.name if path is not None else _shown(self.url)

    @property
    def address(self) -> str:
        """Where to open this project again, holding no password: the file's path, or the URL
        without its password (libpq then takes it from ~/.pgpass or PGPASSWORD)."""
        parsed = make_url(self.url)
        path = _sqlite_path(parsed)
        if path is not None:
            return str(path)
        return parsed._replace(password=None).render_as_string(hide_password=False)  # set() keeps a None

    @property
    def busy_timeout(self) -> float:
        """Seconds a transaction waits while another program writes, before ProjectBusy."""
        return self._wait.seconds

    @busy_timeout.setter
    def busy_timeout(self, seconds: float) -> None:
        self._wait.seconds = seconds

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back on any error.

        Raises ProjectBusy when another program keeps the write lock past the busy timeout
        (nothing was written; try again), ProjectReadOnly on a project opened read-only, and
        ServerUnavailable when the server cannot be reached or the connection drops (with the
        Changes this unit of work applied, whose commit may or may not have reached the server)."""
        if self.read_only:
            raise ProjectReadOnly(self.why_read_only)
        session = None
        try:
            session, began = self._begin_writing()
            with session, began:
                yield session
        except (ServerUnavailable, DBAPIError) as exc:
            if not _connection_lost(exc):
                raise
            # The pooled connections went with the server: the next unit of work connects anew.
            self.engine.dispose()
            message = str(exc) if isinstance(exc, ServerUnavailable) else \
                f"lost the connection to the database {self.name} — is the server running?"
            applied = session.info.get(APPLIED_CHANGES, ()) if session is not None else ()
            raise ServerUnavailable(message, tuple(applied)) from None

    def _begin_writing(self):
        """A session whose writing transaction has begun (and taken its locks). A pooled
        connection found dead at that first statement (the server restarted since it was last
        used) is replaced once: nothing was done on it yet."""
        try:
            return self._begun()
        except (ServerUnavailable, DBAPIError) as exc:
            if not _connection_lost(exc):
                raise
            self.engine.dispose()
        return self._begun()

    def _begun(self):
        session = self.sessions()
        began = session.begin()
        try:
            session.connection(execution_options={"writes": True})
        except BaseException:
            session.close()
            raise
        return session, began

    def read(self) -> Session:
        """A session for queries only (use it as a context manager)."""
        return self.sessions()

    def close(self) -> None:
        self.engine.dispose()


def _connection_lost(exc: Exception) -> bool:
    return isinstance(exc, ServerUnavailable) or (isinstance(exc, DBAPIError) and exc.connection_invalidated)


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
    parsed = _parse(url)
    path = _sqlite_path(parsed)
    if path is not None and path.exists() and (not path.is_file() or path.stat().st_size > 0):
        raise UserError(f"{path}: a file already exists there; choose another name or delete it first")
    wait = _Wait(BUSY_TIMEOUT)
    engine = _engine(parsed, wait, str(path or _shown(url)))
    try:
        with _schema_transaction(engine) as connection:
            if inspect(connection).get_table_names():
                raise UserError(f"{_shown(url)}: the database is not empty; use a new database for a new project")
            _upgrade(connection)
        project = Project(url, engine, sessionmaker(engine, expire_on_commit=False), _wait=wait)
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


def open_project(target: str | Path, busy_timeout: float = BUSY_TIMEOUT) -> Project:
    """Open an existing project, migrating an older schema; refuse a newer one.

    A SQLite file is first looked at read-only: a file that is not a project, or one of a newer
    schema, is refused before anything is written to it (no WAL switch, no -wal/-shm files).
    A file this user cannot write is opened read-only: reading works, writing says why not."""
    url = project_url(target)
    parsed = _parse(url)
    path = _sqlite_path(parsed)
    wait = _Wait(busy_timeout)
    if path is not None:
        if not path.is_file():
            raise UserError(f"{path}: no project file there; create one with `annotator init {target}`")
        revision, wal_file = inspect_project_file(path, busy_timeout)
        refusal = why_read_only(path)
        if refusal:
            if revision != schema_head():
                raise ProjectReadOnly(f"{path}: the project's schema ({revision}) must be upgraded to open it, which "
                                      "writes to the file, but it is read-only — make it writable (chmod u+w) "
                                      "or have it opened once by someone who can write it")
            # immutable: no lock and no -wal/-shm files are made (a read-only user could not
            # remove them); taken only when no -wal file shows a writer at work.
            query = {"mode": "ro", "uri": "true", **({} if wal_file else {"immutable": "1"})}
            engine = _sqlite_engine(URL.create("sqlite", database=path.absolute().as_uri(), query=query), wait, str(path),
                                    read_only=True)
            return Project(url, engine, sessionmaker(engine, expire_on_commit=False), True, refusal, wait)
    where = str(path or _shown(url))
    engine = _engine(parsed, wait, where)
    try:
        with _schema_transaction(engine) as connection:
            _check_and_upgrade(connection, where, _kind(path))
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0]
        raise UserError(f"{where}: cannot open the database ({reason}); check the path or URL") from None
    except DatabaseError as exc:
        engine.dispose()
        raise UserError(f"{where}: not a project {_kind(path)} ({exc.orig}); open one made by `annotator init`") from None
    except BaseException:
        engine.dispose()
        raise
    return Project(url, engine, sessionmaker(engine, expire_on_commit=False), _wait=wait)


def schema_head() -> str:
    return known_revisions()[1]


def _kind(path: Path | None) -> str:
    return "file" if path is not None else "database"


def _check_and_upgrade(connection, where: str, kind: str) -> None:
    current = _revision(connection)
    if current is None:
        raise UserError(f"{where}: not a project {kind} (no schema version); open one made by `annotator init`")
    known, head = known_revisions()
    if current not in known:
        raise UserError(
            f"{where}: written by a newer version of this tool (schema {current}); "
            f"upgrade the tool to open it — the {kind} was left untouched"
        )
    if current != head and connection.dialect.name == "postgresql":
        # Several people may open an old project at once: one upgrades, the others then see head.
        from annotator.postgres import WRITE_LOCK_KEY

        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
        current = _revision(connection)
    if current != head:
        _upgrade(connection)


def _revision(connection) -> str | None:
    tables = inspect(connection).get_table_names()
    return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() \
        if "alembic_version" in tables else None


_MIGRATED = "annotator_migrated"  # set on a connection by _upgrade, read by _schema_transaction


@contextmanager
def _schema_transaction(engine: Engine) -> Iterator:
    """A transaction for migrations, with SQLite's foreign keys off until it ends.

    SQLite alters a table by rebuilding it (Alembic batch mode); dropping the old
    parent table would cascade-delete its children if foreign keys were enforced.
    So, as SQLite's ALTER TABLE guide says, they are off (the pragma only works
    outside a transaction) and checked before commit — when a migration ran: a project
    already at head changed nothing, and checking every row of a large one took most of
    opening it (0.6 s for 500,000 spans, benchmarks/bench_bundle.py)."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        if sqlite:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                yield connection
                if (sqlite and connection.info.pop(_MIGRATED, False)
                        and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None):
                    raise UserError(f"{_shown(str(engine.url))}: the schema upgrade would break links between rows; "
                                    "the file was left untouched — report this with the file")
        finally:
            connection.info.pop(_MIGRATED, None)
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")


def _upgrade(connection) -> None:
    from alembic import command  # only when the schema changes: Alembic loads every migration script

    config = alembic_config()
    config.attributes["connection"] = connection
    connection.info[_MIGRATED] = True
    command.upgrade(config, "head")


def alembic_config():
    """Alembic's configuration of the project's migrations (imported only when needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _shown(url: str) -> str:
    """A URL fit for a message: the password masked (even in a URL that does not parse)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r"(://[^/@]*?:)[^/@]*@", r"\1***@", url)


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        raise UserError(f"{_shown(url)}: not a valid database URL — {_URL_ADVICE}") from None


def _sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL (None for other databases and for :memory:)."""
    if url.drivername not in ("sqlite", "sqlite+pysqlite"):
        return None
    return Path(url.database) if url.database and url.database != ":memory:" else None


def _engine(url: URL, wait: _Wait, where: str) -> Engine:
    if url.drivername in ("sqlite", "sqlite+pysqlite"):
        return _sqlite_engine(url, wait, where)
    shown = url.render_as_string(hide_password=True)
    try:
        if url.get_backend_name() == "postgresql":
            from annotator.postgres import postgres_engine

            return postgres_engine(url, wait, shown)
        return create_engine(url, pool_pre_ping=True)
    except NoSuchModuleError:
        raise UserError(f"{shown}: unknown kind of database {url.drivername!r} — {_URL_ADVICE}") from None
    except ImportError as exc:
        module = exc.name or url.get_driver_name()
        missing = "is not installed" if exc.name else f"cannot be loaded ({exc})"
        if url.get_backend_name() == "postgresql":
            other = "" if module == "psycopg" else " and write the URL as postgresql+psycopg://…"
            raise UserError(f"{shown}: the PostgreSQL driver {module} {missing} — install it with "
                            f"pip install 'quote-annotator[postgres]'{other}") from None
        raise UserError(f"{shown}: the database driver {module} {missing} — install it, or {_URL_ADVICE}") from None


def _sqlite_engine(url: URL, wait: _Wait, where: str, read_only: bool = False) -> Engine:
    engine = create_engine(url, connect_args={"timeout": wait.seconds})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, record) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions begin, so that
        # DDL and reads inside a unit of work are really inside it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        _set_busy_timeout(dbapi_connection, record.info, wait)

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        _set_busy_timeout(connection.connection.dbapi_connection, connection.connection.info, wait)
        # A writing unit of work takes the write lock up front (waiting up to the busy
        # timeout) instead of failing half-way when another process writes too.
        writes = connection.get_execution_options().get("writes", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    @event.listens_for(engine, "handle_error")
    def _on_error(context) -> None:
        # SQLite's own words ("database is locked") say neither which file nor what to do.
        code = getattr(context.original_exception, "sqlite_errorcode", None)
        if code is None:
            return
        if code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise ProjectBusy(busy_message(where, wait.seconds))
        if code & 0xFF == sqlite3.SQLITE_READONLY:
            raise ProjectReadOnly(why_read_only(Path(where)) or f"{where}: the project file cannot be written "
                                  "(SQLite says it is read-only) — check the file, its folder and the disk")

    return engine


def _set_busy_timeout(dbapi_connection: sqlite3.Connection, info: dict, wait: _Wait) -> None:
    milliseconds = int(wait.seconds * 1000)
    if info.get("busy_timeout_ms") != milliseconds:
        dbapi_connection.execute(f"PRAGMA busy_timeout={milliseconds}")
        info["busy_timeout_ms"] = milliseconds
