"""A project on a PostgreSQL server: the engine's set-up and what its refusals mean to a user.

The counterpart of the SQLite engine in annotator/store.py. What the two must agree on:
- writing units of work wait for each other where they could meet (SQLite's BEGIN IMMEDIATE;
  here transaction-level advisory locks, waiting up to the busy timeout). An annotator of a
  team project writes only their own rows (row-level security), so annotators take the project
  lock shared plus a lock of their own login: they never wait for each other, and a lead's or
  reviewer's write (which takes the project lock alone) waits for them and they for it;
- ids a command chooses come from the table's sequence (`reserve_row_ids`): row-level security
  hides others' rows, so max(id) seen by one person is no safe next id;
- a row inserted with its own id (commands, undo/redo) advances the table's sequence, so rows
  numbered by the server (import) never take an id already used;
- a server that cannot be reached, a refused login or a missing database is one line saying
  which server and what to do, never a driver's paragraph.
"""

from __future__ import annotations

import time
from typing import Protocol

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError

from annotator.errors import ProjectBusy, ServerUnavailable, UserError
from annotator.project_file import busy_message

# Any fixed number: the advisory lock a writing unit of work holds (advisory locks are per database).
WRITE_LOCK_KEY = 0x51_40_7A_7E
# The lock of one login's own rows: (space, hashtext(login)) never meets the one-number key above.
_LOGIN_LOCK_SPACE = 0x51_40
_LOCK_NOT_AVAILABLE = "55P03"
_INSUFFICIENT_PRIVILEGE = "42501"  # a grant or a row-level security policy refused the statement
_CONNECT_TIMEOUT = 10  # seconds to wait for a server that does not answer


class _Wait(Protocol):
    seconds: float


def server_of(url: URL) -> str:
    """HOST:PORT as a message shows it (libpq's defaults when the URL leaves them out)."""
    return f"{url.host or 'localhost'}:{url.port or 5432}"


def postgres_engine(url: URL, wait: _Wait, where: str) -> Engine:
    engine = create_engine(url, connect_args={"connect_timeout": _CONNECT_TIMEOUT})
    _ping_when_idle(engine)

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        if connection.get_execution_options().get("writes", False):
            # One round trip: the timeout (set first, left to right) applies to the locks' wait.
            # At least 1 ms: 0 would mean wait for ever, where SQLite's 0 means do not wait.
            timeout = f"set_config('lock_timeout', '{max(1, int(wait.seconds * 1000))}', true)"
            if _writes_own_rows_only(connection):
                connection.exec_driver_sql(f"SELECT {timeout}, pg_advisory_xact_lock_shared({WRITE_LOCK_KEY}), "
                                           f"pg_advisory_xact_lock({_LOGIN_LOCK_SPACE}, hashtext(current_user))")
            else:
                connection.exec_driver_sql(f"SELECT {timeout}, pg_advisory_xact_lock({WRITE_LOCK_KEY})")

    @event.listens_for(engine, "after_execute")
    def _after_execute(connection, statement, multiparams, params, execution_options, result) -> None:
        if not getattr(statement, "is_insert", False) or "id" not in statement.table.c:
            return
        rows = multiparams[0] if multiparams and isinstance(multiparams[0], list) else (multiparams or [params])
        if rows and isinstance(rows[0], dict) and rows[0].get("id") is not None:
            from_sequence = _sequence_ids(connection, statement.table.name)
            ids = {row["id"] for row in rows}
            if ids <= from_sequence:  # numbered by the sequence: it is past them already
                from_sequence -= ids
            else:
                _advance_sequence(connection, statement.table.name)

    @event.listens_for(engine, "handle_error")
    def _on_error(context) -> None:
        code = getattr(context.original_exception, "sqlstate", None)
        if code == _LOCK_NOT_AVAILABLE:
            raise ProjectBusy(busy_message(where, wait.seconds))
        if code == _INSUFFICIENT_PRIVILEGE:
            raise UserError(f"{where}: the server refused this to the login {url.username or '(default)'} "
                            f"({_first_line(str(context.original_exception))}) — your role in the project does not "
                            "allow it; ask a lead (see `annotator team list`)")
        refusal = connection_refusal(url, context.original_exception)
        if refusal is not None:
            raise refusal

    return engine


def _writes_own_rows_only(connection) -> bool:
    """The login is only an annotator of this team project (not a lead, reviewer or superuser).
    Asked once per server connection; a membership changed meanwhile leaves row security to refuse."""
    info = connection.connection.info
    if "own_rows_only" not in info:
        settings = connection.exec_driver_sql("SELECT to_regclass('project_settings') IS NOT NULL").scalar()
        info["own_rows_only"] = bool(settings and connection.exec_driver_sql(_OWN_ROWS_ONLY).scalar())
    return info["own_rows_only"]


# No team roles (an old schema, a superuser): the one project lock, as before.
_OWN_ROWS_ONLY = """
SELECT NOT u.rolsuper AND pg_has_role(u.oid, g.annotator, 'MEMBER')
       AND NOT pg_has_role(u.oid, g.reviewer, 'MEMBER') AND NOT pg_has_role(u.oid, g.lead, 'MEMBER')
FROM pg_roles u,
     (SELECT (SELECT oid FROM pg_roles WHERE rolname = s.value->>'annotator') AS annotator,
             (SELECT oid FROM pg_roles WHERE rolname = s.value->>'reviewer') AS reviewer,
             (SELECT oid FROM pg_roles WHERE rolname = s.value->>'lead') AS lead
      FROM project_settings s WHERE s.key = 'server_roles') g
WHERE u.rolname = current_user AND g.annotator IS NOT NULL AND g.reviewer IS NOT NULL AND g.lead IS NOT NULL
"""


def reserve_row_ids(session, column, count: int) -> list[int]:
    """`count` ids for rows a command numbers itself, from the table's sequence (unique whoever
    else numbers rows meanwhile). Where the sequence lags behind ids this login can see (rows
    inserted by plain SQL), it is first moved past them (forward only), once per connection."""
    table = column.table.name
    connection = session.connection()
    sequence = _sequence_of(connection, table)
    checked = connection.info.setdefault("sequence_floor_checked", set())
    if table not in checked:
        floor = connection.exec_driver_sql(f"SELECT COALESCE(max(id), 0) FROM {table}").scalar()
        connection.exec_driver_sql(f"SELECT setval('{sequence}', {int(floor)}) "
                                   f"WHERE (SELECT last_value FROM {sequence}) < {int(floor)}")
        checked.add(table)
    spare = connection.info.setdefault("spare_ids", {}).setdefault(table, [])
    if len(spare) < count:
        taken = [value for (value,) in connection.exec_driver_sql(
            f"SELECT nextval('{sequence}') FROM generate_series(1, {int(max(count - len(spare), _SPARE_IDS))})")]
        from_sequence = _sequence_ids(connection, table)
        if len(from_sequence) > _KEEP_SEQUENCE_IDS:  # ids reserved and never inserted (rolled back)
            from_sequence.clear()
        from_sequence.update(taken)
        spare.extend(taken)
    ids, spare[:] = spare[:count], spare[count:]
    return ids


# Ids taken from a sequence a few at a time and kept by the connection for its next commands:
# a key press then needs no round trip for its new row's id. Ids a connection never uses are
# gaps, as after a rolled-back insert.
_SPARE_IDS = 16


# Ids this connection took from a sequence and has not inserted yet: inserting them needs no
# move of the sequence. Forgetting them (above this many) only costs that move again.
_KEEP_SEQUENCE_IDS = 100_000


def _sequence_ids(connection, table: str) -> set[int]:
    return connection.info.setdefault("sequence_ids", {}).setdefault(table, set())


def _sequence_of(connection, table: str) -> str | None:
    """The table's id sequence, asked once per server connection."""
    sequences = connection.info.setdefault("sequences", {})
    if table not in sequences:
        sequences[table] = connection.exec_driver_sql(f"SELECT pg_get_serial_sequence('{table}', 'id')").scalar()
    return sequences[table]


def _advance_sequence(connection, table: str) -> None:
    """Move the table's id sequence past its largest id (never back)."""
    sequence = _sequence_of(connection, table)
    if sequence is not None:
        # Only forward past the sequence: setting it to a value read a moment ago could move it
        # back under a concurrent nextval.
        connection.exec_driver_sql(
            f"SELECT setval('{sequence}', m) FROM (SELECT max(id) AS m FROM {table}) AS largest "
            f"WHERE m > COALESCE(pg_sequence_last_value('{sequence}'), 0)")


# A connection used this recently is taken as alive; an older one is asked first (a server
# restarted meanwhile). One that died within the interval fails its first statement: a unit of
# work that finds so before it wrote anything starts again on a new connection (store.py).
_PING_AFTER_IDLE = 2.0


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, proxy) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < _PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)  # its transaction is the unit of work's
        except Exception as error:  # the pool replaces it with a new connection
            raise DisconnectionError(str(error)) from error


def connection_refusal(url: URL, error: BaseException) -> UserError | None:
    """The one-line error for a server that cannot be reached or refuses the login or database;
    None for any other error."""
    server = server_of(url)
    code = getattr(error, "sqlstate", None)
    text = str(error)
    if code == "28P01" or "password authentication failed" in text:
        return UserError(f"postgresql at {server} refused the password of {url.username or 'this login'} — "
                         "check the password (in the URL, ~/.pgpass or PGPASSWORD)")
    if "no password supplied" in text:
        return UserError(f"postgresql at {server} wants a password for {url.username or 'this login'} — "
                         "put it in ~/.pgpass or PGPASSWORD (or the URL)")
    if "permission denied for database" in text:
        return UserError(f"postgresql at {server}: the login {url.username or '(default)'} is not on the team of "
                         f"{url.database!r} — ask its lead to add you (annotator team add), or check the URL")
    if code == "28000":
        return UserError(f"postgresql at {server} refused the login {url.username or ''} ({_first_line(text)}) "
                         "— ask the server's administrator for access")
    if code == "3D000" or (f'database "{url.database}" does not exist' in text):
        return UserError(f"postgresql at {server} has no database {url.database!r} — create it first "
                         f"(createdb -h {url.host or 'localhost'} -p {url.port or 5432} {url.database}) or check the URL")
    if "failed to resolve host" in text or "could not translate host name" in text:
        return ServerUnavailable(f"cannot find the postgresql host {url.host!r} — check the URL")
    if code in _SERVER_GOING_AWAY or (code is None and any(sign in text for sign in _UNREACHABLE)):
        return ServerUnavailable(f"cannot reach postgresql at {server} — is the server running?")
    return None


_SERVER_GOING_AWAY = ("57P01", "57P02", "57P03")  # shut down, crashed, starting up or stopping
# What libpq says when there is no server to talk to, or it went away.
_UNREACHABLE = ("Connection refused", "could not connect", "timeout expired", "No such file or directory",
                "server closed the connection", "terminating connection", "Connection reset",
                "connection is closed", "consuming input failed", "the connection is lost")


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else text
