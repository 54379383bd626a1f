"""Another program holding the project's lock: a clear ProjectBusy after the busy timeout (a
setting of the opened project), one line from the CLI, and nothing written."""

import json
import sqlite3

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from cli.app import app
from annotator.errors import ProjectBusy, UserError
from annotator.store import BUSY_TIMEOUT, create_project, open_project
from tests.helpers import another_program_writing, snapshot

TEXT = "Vladimir Putin warned on Tuesday that Russia would respond to the West."


@pytest.fixture
def path(fresh_target):
    """A new project: a file, or a database on the test server (its URL)."""
    path = fresh_target("p.db")
    create_project(path).close()
    return path


def _shown(path) -> str:
    """How messages name the project: a file's path, a server's URL."""
    return str(path).removeprefix("sqlite:///")


def _exclusive(path):
    """A second connection in exclusive locking mode: in WAL mode it keeps even readers out."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE labels SET guideline = guideline")
    holder.execute("COMMIT")  # the lock stays until the connection closes
    return holder


@pytest.mark.file_only("SQLite's busy_timeout pragma")
def test_the_busy_timeout_is_a_setting_of_the_opened_project(path):
    project = open_project(path)
    assert project.busy_timeout == BUSY_TIMEOUT == 10.0
    with project.read() as session:
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
    project.busy_timeout = 0.25
    with project.transaction() as session:
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == 250
    project.close()
    short = open_project(path, busy_timeout=0.5)
    with short.read() as session:
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == 500
    short.close()


def test_a_transaction_behind_another_writer_raises_project_busy_then_works(path):
    project = open_project(path, busy_timeout=0.2)
    with another_program_writing(project):
        with pytest.raises(ProjectBusy) as busy:
            with project.transaction() as session:
                session.execute(text("UPDATE labels SET color = '#000000'"))
    assert isinstance(busy.value, UserError)
    message = str(busy.value)
    assert message.startswith(f"{_shown(path)}: another program is writing") and "0.2 s" in message
    assert "try again" in message
    with project.transaction() as session:
        session.execute(text("UPDATE labels SET guideline = 'x' WHERE name = 'QUOTE'"))
    with project.read() as session:
        assert session.execute(text("SELECT guideline FROM labels WHERE name = 'QUOTE'")).scalar() == "x"
    project.close()


@pytest.mark.file_only("SQLite's exclusive locking mode (readers on a server never wait for a writer)")
def test_a_read_behind_an_exclusive_lock_raises_project_busy(path):
    project = open_project(path, busy_timeout=0.2)
    project.engine.dispose()  # no idle connection of ours left open: the other program gets its lock
    holder = _exclusive(path)
    with pytest.raises(ProjectBusy, match="another program is writing"):
        with project.read() as session:
            session.execute(text("SELECT count(*) FROM labels")).scalar()
    holder.close()
    with project.read() as session:
        assert session.execute(text("SELECT count(*) FROM labels")).scalar() == 4
    project.close()


@pytest.mark.file_only("SQLite's exclusive locking mode (readers on a server never wait for a writer)")
def test_opening_behind_an_exclusive_lock_raises_project_busy(path):
    holder = _exclusive(path)
    with pytest.raises(ProjectBusy, match="another program is writing"):
        open_project(path, busy_timeout=0.2)
    holder.close()
    open_project(path).close()


def test_import_behind_another_writer_is_one_line_and_writes_nothing(path, tmp_path):
    source = tmp_path / "a.jsonl"
    source.write_text(json.dumps({"text": TEXT}) + "\n", encoding="utf-8")
    project = open_project(path)
    before = snapshot(project)
    with another_program_writing(project):
        result = CliRunner().invoke(app, ["import", str(path), str(source)], env={"ANNOTATOR_BUSY_TIMEOUT": "0.2"})
    assert result.exit_code == 1, result.output
    message = result.stderr.strip()
    assert message == (f"error: {_shown(path)}: another program is writing to the project and still held it after 0.2 s — "
                       "nothing was changed; try again when it has finished")
    assert snapshot(project) == before
    project.close()


@pytest.mark.file_only("SQLite's exclusive locking mode (readers on a server never wait for a writer)")
def test_stats_behind_an_exclusive_lock_is_one_line(path):
    holder = _exclusive(path)
    result = CliRunner().invoke(app, ["stats", str(path)], env={"ANNOTATOR_BUSY_TIMEOUT": "0.2"})
    holder.close()
    assert result.exit_code == 1
    assert "\n" not in result.stderr.strip() and "another program is writing" in result.stderr


def test_a_bad_busy_timeout_setting_is_one_line(path):
    result = CliRunner().invoke(app, ["stats", str(path)], env={"ANNOTATOR_BUSY_TIMEOUT": "soon"})
    assert result.exit_code == 1
    assert result.stderr.strip() == ("error: ANNOTATOR_BUSY_TIMEOUT='soon': not a number of seconds; "
                                     "set it to e.g. 30, or unset it")


def test_a_busy_timeout_of_zero_gives_up_at_once_behind_another_writer(path):
    """0 means do not wait, on both backends (PostgreSQL's own lock_timeout 0 would wait for ever)."""
    project = open_project(path, busy_timeout=0)
    with another_program_writing(project):
        with pytest.raises(ProjectBusy, match="still held it after 0 s"):
            with project.transaction() as session:
                session.execute(text("UPDATE labels SET color = '#000000'"))
    project.close()
