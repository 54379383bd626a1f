"""A PostgreSQL server that is not there, a wrong password, a missing database: one line each,
exit code 1, no traceback, nothing created."""

import socket
import uuid

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from annotator.errors import UserError
from tests.cli_process import run_cli
from tests.conftest import ON_SERVER, TEST_DB_URL

needs_server = pytest.mark.skipif(not ON_SERVER, reason="needs a PostgreSQL server (ANNOTATOR_TEST_DB_URL)")


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _one_line_error(result) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("command", ["stats", "init", "agreement"])
def test_a_server_nobody_runs_is_one_line_naming_it(command):
    port = _unused_port()
    result = run_cli(command, f"postgresql+psycopg://someone@127.0.0.1:{port}/team")
    assert _one_line_error(result) == f"error: cannot reach postgresql at 127.0.0.1:{port} — is the server running?"


@pytest.fixture
def login(databases):
    """A login with a password on the test server; its name and password."""
    name, password = f"annotator_test_{uuid.uuid4().hex[:8]}", "right-horse-battery"
    admin = create_engine(TEST_DB_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'"))
    yield name, password
    with admin.connect() as connection:
        connection.execute(text(f"DROP ROLE {name}"))
    admin.dispose()


def _as(name: str, password: str | None, database: str | None = None) -> str:
    url = make_url(TEST_DB_URL)._replace(username=name, password=password)  # set() would keep a None
    return url.set(database=database or url.database).render_as_string(hide_password=False)


@needs_server
def test_a_wrong_password_is_one_line_that_hides_it(login):
    name, _ = login
    server = make_url(TEST_DB_URL)
    wrong = _as(name, "not-the-password")
    probe = create_engine(wrong)
    try:
        probe.connect().close()
        pytest.skip("this server lets the login in without checking its password (trust)")
    except OperationalError:
        pass
    finally:
        probe.dispose()
    line = _one_line_error(run_cli("stats", wrong))
    assert line == (f"error: postgresql at {server.host}:{server.port or 5432} refused the password of {name} — "
                    "check the password (in the URL, ~/.pgpass or PGPASSWORD)")
    assert "not-the-password" not in line


@needs_server
def test_a_missing_database_is_one_line_saying_how_to_create_it(databases):
    server = make_url(TEST_DB_URL)
    missing = f"annotator_test_missing_{uuid.uuid4().hex[:8]}"
    for command in ("stats", "init"):
        line = _one_line_error(run_cli(command, server.set(database=missing).render_as_string(hide_password=False)))
        assert line.startswith(f"error: postgresql at {server.host}:{server.port or 5432} has no database {missing!r}")
        assert f"createdb -h {server.host} -p {server.port or 5432} {missing}" in line
    with create_engine(TEST_DB_URL).connect() as connection:
        found = connection.execute(text("SELECT count(*) FROM pg_database WHERE datname = :n"), {"n": missing})
        assert found.scalar() == 0


@needs_server
def test_the_right_password_opens_the_project(login, fresh_target, monkeypatch, tmp_path):
    from annotator.store import create_project, open_project
    from annotator.team.members import team_add

    name, password = login
    target = fresh_target()
    lead = create_project(target)
    team_add(lead, name, "annotator")  # the project's lead lets the login in
    lead.close()
    database = make_url(target).database
    opened = open_project(_as(name, password, database))
    try:
        assert opened.name == make_url(_as(name, password, database)).render_as_string(hide_password=True)
        assert password not in opened.name and password not in opened.address
        assert opened.address == make_url(_as(name, None, database)).render_as_string(hide_password=False)
    finally:
        opened.close()
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    with pytest.raises(UserError, match="^postgresql at .* wants a password"):
        open_project(opened.address)  # the address keeps no password
