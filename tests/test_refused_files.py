"""A file the tool refuses to open is left exactly as it was: same bytes, same size, and no
-wal/-shm files beside it — whether the refusal comes from `annotator stats` or open_project."""

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from annotator.errors import UserError
from annotator.store import create_project, open_project

pytestmark = pytest.mark.file_only("files that are not projects, and the SQLite files beside a project")


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _text(path: Path) -> None:
    path.write_text("this is not a database\n" * 100)


def _other_tables(path: Path, journal: str = "delete") -> None:
    with sqlite3.connect(path) as connection:
        connection.execute(f"PRAGMA journal_mode={journal}")
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        connection.execute("INSERT INTO invoices VALUES (1, 9.5)")
    connection.close()


def _other_tables_wal(path: Path) -> None:
    _other_tables(path, "wal")


def _other_alembic_app(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO alembic_version VALUES ('4f2a9c1b7e10')")
        connection.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
    connection.close()


def _newer_schema(path: Path) -> None:
    create_project(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    connection.close()


KINDS = {
    # name: (make the file, the message part, what the message tells to do)
    "empty file": (_empty, "an empty file, not a project", "annotator init"),
    "text file": (_text, "not a project file (not an SQLite database)", "annotator init"),
    "someone else's tables": (_other_tables, "not a project file (no schema version", "annotator init"),
    "someone else's tables, WAL": (_other_tables_wal, "not a project file (no schema version", "annotator init"),
    "another Alembic app": (_other_alembic_app, "not a project file", "annotator init"),
    "newer schema": (_newer_schema, "written by a newer version of this tool", "upgrade the tool"),
}


def _state(path: Path) -> tuple:
    return path.read_bytes(), path.stat().st_size, sorted(p.name for p in path.parent.iterdir())


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_refused_file_is_left_untouched_by_stats(tmp_path, kind):
    make, message, advice = KINDS[kind]
    path = tmp_path / "p.db"
    make(path)
    before = _state(path)
    result = CliRunner().invoke(app, ["stats", str(path)])
    assert result.exit_code == 1, result.output
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith(f"error: {path}: ") and message in line and advice in line, line
    assert _state(path) == before  # no -wal or -shm appeared either


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_refused_file_is_left_untouched_by_open_project(tmp_path, kind):
    make, message, advice = KINDS[kind]
    path = tmp_path / "p.db"
    make(path)
    before = _state(path)
    with pytest.raises(UserError) as refused:
        open_project(path)
    assert message in str(refused.value) and advice in str(refused.value)
    assert _state(path) == before


def test_the_refusal_of_someone_elses_tables_names_them(tmp_path):
    path = tmp_path / "p.db"
    _other_tables(path)
    with pytest.raises(UserError, match=r"its tables: invoices"):
        open_project(path)


def test_a_project_just_created_and_still_open_elsewhere_opens(tmp_path):
    """The first look reads the -wal file of a program that has the project open (where a new
    project's schema may still be), so a live project is never taken for a stranger's file."""
    path = tmp_path / "p.db"
    creator = create_project(path)  # still open: its schema may be only in p.db-wal
    assert (tmp_path / "p.db-wal").exists()
    other = open_project(path)
    other.close()
    creator.close()


@pytest.mark.parametrize("make", [_text, _other_tables])
def test_init_on_an_existing_file_refuses_and_leaves_it_untouched(tmp_path, make):
    path = tmp_path / "p.db"
    make(path)
    before = _state(path)
    result = CliRunner().invoke(app, ["init", str(path)])
    assert result.exit_code == 1
    assert "already exists" in result.stderr and "\n" not in result.stderr.strip()
    assert _state(path) == before
