"""Looking at a SQLite file before opening it as a project, without changing a byte of it.

Opening a file through the project engine switches it to WAL, which rewrites its header and
creates -wal/-shm files; a file that turns out not to be a project must not get that far. So
the header is read as plain bytes, and the schema version through a read-only connection that
creates no file either.
"""

from __future__ import annotations

import os
import sqlite3
from functools import cache
from pathlib import Path

from annotator.errors import ProjectBusy, UserError

SQLITE_HEADER = b"SQLite format 3\x00"
# Tables every schema version of a project has had; the revision table alone is not enough
# (any Alembic-managed database has one).
PROJECT_TABLES = {"alembic_version", "annotators", "documents", "labels", "spans"}
MIGRATIONS = Path(__file__).with_name("migrations")
_OPEN_ONE = "open a file made by `annotator init`"


def inspect_project_file(path: Path, busy_timeout: float) -> tuple[str, bool]:
    """The schema revision of a project file this version can open, and whether a -wal file
    (a writer at work) is beside it. Raises UserError for anything else; changes nothing."""
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise UserError(f"{path}: cannot read the file ({exc.strerror}) — check its permissions (chmod u+r)") from None
    if not header:
        raise UserError(f"{path}: an empty file, not a project — make it one with `annotator init {path}`")
    if not header.startswith(SQLITE_HEADER) or len(header) < 100:
        raise UserError(f"{path}: not a project file (not an SQLite database) — {_OPEN_ONE}")
    wal_file = Path(f"{path}-wal").exists()
    in_wal_mode = header[18] == 2  # the file format's "read version": 2 means WAL
    # A read-only connection to a WAL file would create -wal/-shm (and could not remove them);
    # `immutable` reads the file as it is, which is all of it when no -wal file exists.
    query = "mode=ro" + ("&immutable=1" if in_wal_mode and not wal_file else "")
    try:
        connection = sqlite3.connect(f"{path.absolute().as_uri()}?{query}", uri=True, timeout=busy_timeout)
        try:
            tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            versions = ([v for (v,) in connection.execute("SELECT version_num FROM alembic_version")]
                        if "alembic_version" in tables else [])
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise ProjectBusy(busy_message(str(path), busy_timeout)) from None
        if code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
            raise UserError(f"{path}: not a project file (damaged, or not an SQLite database: {exc}) — {_OPEN_ONE}") from None
        raise UserError(f"{path}: cannot read the database ({exc}) — check the file and its permissions") from None
    if not PROJECT_TABLES <= tables:
        shown = ", ".join(sorted(tables)) or "none"
        what = "no schema version" if "alembic_version" not in tables else "not a project's tables"
        raise UserError(f"{path}: not a project file ({what}; its tables: {shown}) — {_OPEN_ONE}")
    if len(versions) != 1:
        raise UserError(f"{path}: not a project file (no schema version) — {_OPEN_ONE}")
    known, _head = known_revisions()
    if versions[0] not in known:
        raise UserError(f"{path}: written by a newer version of this tool (schema {versions[0]}); "
                        "upgrade the tool to open it — the file was left untouched")
    return versions[0], wal_file


def why_read_only(path: Path) -> str:
    """Why this user cannot write the project (a message), or "" when they can.

    In WAL mode a writer also needs -wal and -shm beside the file: its folder must be writable
    unless both already exist and are writable."""
    if not os.access(path, os.W_OK):
        return (f"{path}: the project file is read-only (no write permission) — reading (stats, agreement, "
                f"export) works; to change it, make it writable (chmod u+w {path}) or work on a copy")
    companions = [Path(f"{path}-wal"), Path(f"{path}-shm")]
    if not os.access(path.parent, os.W_OK) and not all(os.access(p, os.W_OK) for p in companions):
        return (f"{path}: the project file is read-only here (its folder {path.parent} is not writable, and "
                f"SQLite keeps {path.name}-wal beside it) — reading works; to change it, make the folder "
                f"writable (chmod u+w {path.parent}) or work on a copy")
    return ""


def busy_message(where: str, seconds: float) -> str:
    return (f"{where}: another program is writing to the project and still held it after {seconds:g} s — "
            "nothing was changed; try again when it has finished")


@cache
def known_revisions() -> tuple[frozenset[str], str]:
    """Every schema revision this version knows, and the newest.

    Read from the migration files' names (`NNNN_what.py`, revision "NNNN", each revising the one
    before), not through Alembic, which would load every migration script at every start; a
    test holds the two views equal."""
    revisions = sorted(path.name.split("_", 1)[0] for path in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))
    return frozenset(revisions), revisions[-1]
