"""The PostgreSQL server goes away: stopped while a command writes, stopped in the middle of an import,
or the answer to a commit lost on the way back. Nothing is half-written, the CLI says so in one line,
and an action tried again once the server is back is written exactly once — never doubled.

Each test runs against a server of its own that it stops and starts (tests/pg_cluster.py)."""

import subprocess
import sys
import time
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from annotator import commands
from annotator.errors import ServerUnavailable, UserError
from annotator.history import History
from annotator.importing import import_path
from annotator.store import create_project, open_project
from tests.cli_process import ROOT
from tests.pg_cluster import CuttableLink

TEXT = "Vladimir Putin said on Tuesday that Russia would respond."


@pytest.fixture
def server(private_server):
    yield private_server
    if not private_server.running():  # a test that failed half-way leaves it up for the next
        private_server.start()


@pytest.fixture
def database(server, tmp_path):
    """A new project database on the private server, holding one article; its URL."""
    url = server.new_database(f"gone_{uuid.uuid4().hex[:8]}")
    project = create_project(url)
    (tmp_path / "article.txt").write_text(TEXT, encoding="utf-8")
    import_path(project, tmp_path / "article.txt")
    project.close()
    return url


def spans(url: str) -> list[tuple]:
    """What the server holds, read on a connection of its own."""
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT s.id, l.name, s.start, s.\"end\" FROM spans s "
                                       "JOIN labels l ON l.id = s.label_id ORDER BY s.id")).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def test_an_action_while_the_server_is_down_is_refused_in_one_line_and_goes_through_once_it_is_back(
        server, database):
    project = open_project(database)
    history = History(project)
    history.run(commands.add_span, project, 1, "alice", "SPEAKER", 0, 8)
    server.stop()
    with pytest.raises(ServerUnavailable) as refused:
        history.run(commands.add_span, project, 1, "alice", "QUOTE", 9, 14)
    assert str(refused.value) == f"cannot reach postgresql at 127.0.0.1:{server.port} — is the server running?"
    assert refused.value.changes == ()  # refused at the door: nothing built, nothing to check later
    server.start()
    history.run(commands.add_span, project, 1, "alice", "QUOTE", 9, 14)  # the same project object reconnects
    assert [row[1:] for row in spans(database)] == [("SPEAKER", 0, 8), ("QUOTE", 9, 14)]
    project.close()


def test_a_connection_cut_under_an_open_project_reconnects_on_the_next_action(server, database):
    project = open_project(database)
    commands.add_span(project, 1, "alice", "SPEAKER", 0, 8)  # a pooled connection to the old server
    server.stop()
    server.start()  # every connection the pool held is dead now
    commands.add_span(project, 1, "alice", "QUOTE", 9, 14)
    assert [row[1:] for row in spans(database)] == [("SPEAKER", 0, 8), ("QUOTE", 9, 14)]
    project.close()


@pytest.fixture
def link(server):
    relay = CuttableLink(server.port)
    yield relay
    relay.close()


def _through(link: CuttableLink, database: str):
    return open_project(link.url(database.rsplit("/", 1)[1]))


def _add_cut_at_commit(link: CuttableLink, database: str, deliver: bool):
    """alice's first mark, whose commit the link cuts (`deliver`: after the server got it):
    the project, its History and the ServerUnavailable."""
    project = _through(link, database)
    history = History(project)
    link.cut_at_commit(deliver=deliver)
    with pytest.raises(ServerUnavailable) as lost:
        history.run(commands.add_span, project, 1, "alice", "SPEAKER", 0, 8)
    return project, history, lost


def test_a_retry_after_a_commit_whose_answer_was_lost_does_not_double_the_span(link, database):
    project, history, lost = _add_cut_at_commit(link, database, deliver=True)
    assert link.cuts == 1
    assert len(lost.value.changes) == 1
    assert [row[1:] for row in spans(database)] == [("SPEAKER", 0, 8)]  # it did reach the server
    history.run(lost.value.changes[0])  # the window's retry: the very Change, checked first
    assert [row[1:] for row in spans(database)] == [("SPEAKER", 0, 8)]
    assert history.index == 1 and history.undo_text() == "add SPEAKER “Vladimir”"
    history.undo()
    assert spans(database) == []
    project.close()


def test_a_retry_after_a_commit_that_never_arrived_writes_it_once(link, database):
    project, history, lost = _add_cut_at_commit(link, database, deliver=False)
    assert spans(database) == []
    change = history.run(lost.value.changes[0])
    assert spans(database) == [(change.focus_span, "SPEAKER", 0, 8)]
    with pytest.raises(UserError, match="changed elsewhere"):  # a second, late retry is refused,
        history.run(lost.value.changes[0])                     # never written twice
    assert len(spans(database)) == 1
    project.close()


def test_an_undo_and_a_redo_whose_answers_were_lost_are_not_refused_when_tried_again(link, database):
    project = _through(link, database)
    history = History(project)
    history.run(commands.add_span, project, 1, "alice", "SPEAKER", 0, 8)
    link.cut_at_commit(deliver=True)
    with pytest.raises(ServerUnavailable):
        history.undo()
    assert spans(database) == [] and history.index == 1  # gone on the server; the history unmoved
    history.undo()  # not "changed elsewhere": it is exactly what this undo does
    assert spans(database) == [] and history.index == 0
    link.cut_at_commit(deliver=True)
    with pytest.raises(ServerUnavailable):
        history.redo()
    history.redo()
    assert [row[1:] for row in spans(database)] == [("SPEAKER", 0, 8)] and history.index == 1
    project.close()


def _write_lock_held(admin) -> bool:
    from annotator.postgres import WRITE_LOCK_KEY

    with admin.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                                       "AND objid = :key"), {"key": WRITE_LOCK_KEY}).scalar() > 0


def test_the_server_stopped_in_the_middle_of_an_import_leaves_nothing_of_it(server, database, tmp_path):
    articles = tmp_path / "many"
    articles.mkdir()
    for number in range(3000):
        (articles / f"{number:05}.txt").write_text(f"Article {number}: {TEXT} " * 20, encoding="utf-8")
    admin = create_engine(database, poolclass=NullPool)
    importing = subprocess.Popen([sys.executable, "-m", "cli", "import", database, str(articles)], cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not _write_lock_held(admin):  # its one writing transaction has begun
            assert importing.poll() is None, importing.communicate()
            assert time.monotonic() < deadline, "the import never began to write"
            time.sleep(0.02)
        server.stop()
        out, err = importing.communicate(timeout=120)
    finally:
        if importing.poll() is None:
            importing.kill()
    admin.dispose()
    assert importing.returncode == 1
    assert err.strip() == f"error: cannot reach postgresql at 127.0.0.1:{server.port} — is the server running?"
    assert "Traceback" not in out + err
    server.start()
    project = open_project(database)  # intact: opens, and holds what it held before
    with project.read() as session:
        assert session.execute(text("SELECT name FROM documents")).scalars().all() == ["article.txt"]
    project.close()
    assert spans(database) == []
