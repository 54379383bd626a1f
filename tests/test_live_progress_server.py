"""On PostgreSQL with real logins (made with `team add`, bound by row-level security): a blind
annotator sees others' progress as counts without seeing their rows, and cannot single anyone
out; a window open when the lead removes its login turns read-only with one clear message; and
`adjudicate --reviewer` names the login only."""

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select
from typer.testing import CliRunner

from annotator import commands
from annotator.team.live_progress import REMOVED, ProgressWatch, status_counts
from annotator.model import Span
from annotator.team.members import team_remove
from cli.app import app
from tests.conftest import ON_SERVER
from tests.test_team_server import _span, team  # noqa: F401  (team: the fixture of three logins)
from tests.test_window_flow import CTRL
from tests.ui_helpers import open_window

pytestmark = pytest.mark.skipif(not ON_SERVER, reason="logins and row-level security exist on PostgreSQL only "
                                                      "(set ANNOTATOR_TEST_DB_URL, or run make test-postgres)")
runner = CliRunner()


def test_a_blind_annotator_sees_counts_but_not_the_rows_and_cannot_single_anyone_out(team):  # noqa: F811
    bob, carol = team.open("bob"), team.open("carol")
    commands.set_status(bob, 1, team.names["bob"], "done")
    commands.set_status(bob, 2, team.names["bob"], "in_progress")
    alice = team.open("alice")
    commands.set_status(alice, 1, team.names["alice"], "done")
    with team.raw("alice") as raw:
        assert {row[0] for row in raw.execute("SELECT DISTINCT annotator_id FROM document_status")} == {
            team.id_of("alice")}  # her own rows only: blind
        # Naming bob as "me" would leave him out and show her own status: the server ignores it.
        assert sorted(raw.execute("SELECT * FROM document_status_counts(%s)",
                                  (team.names["bob"],))) == [(1, 1, 0, 0), (2, 0, 1, 0)]
    with alice.read() as session:
        assert status_counts(session, team.names["alice"]) == {1: (1, 0, 0), 2: (0, 1, 0)}
    with carol.read() as session:  # a reviewer reads every row anyway: her "me" is honoured
        assert status_counts(session, team.names["bob"]) == {1: (1, 0, 0)}


def test_the_marker_moves_with_each_commit_and_annotators_do_not_wait_for_each_other(team):  # noqa: F811
    alice, bob = team.open("alice"), team.open("bob", busy_timeout=0.5)
    watch = ProgressWatch(alice, team.names["alice"])
    try:
        assert watch.poll().counts == {}
        assert watch.poll().counts is None
        with alice.transaction():  # alice writing does not hold up bob's status (each their own counter)
            commands.set_status(bob, 3, team.names["bob"], "done")
        assert watch.poll().counts == {3: (1, 0, 0)}
        commands.set_status(bob, 3, team.names["bob"], "skipped")
        assert watch.poll().counts == {3: (0, 0, 1)}
        assert watch.poll().removed is None
    finally:
        watch.close()


def test_a_window_open_when_the_lead_removes_the_login_turns_read_only(qtbot, team, tmp_path):  # noqa: F811
    span = _span(team, "alice")
    window = open_window(qtbot, team.open("alice"), team.names["alice"], tmp_path / "settings.ini")
    window.projects.live.set_interval(50)
    assert window.projects.live.removed is None and not window.read_only_note.isVisible()
    team_remove(team.lead, team.names["alice"])
    qtbot.waitUntil(lambda: window.projects.live.removed is not None)
    assert window.read_only_note.isVisible() and REMOVED in window.read_only_note.text().lower()
    assert not window.label_bar.isEnabled()
    qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL)  # "done": the same line, not the server's refusal
    assert REMOVED in window.status.currentMessage()
    assert "refused this to the login" not in window.status.currentMessage()
    with team.lead.read() as session:
        assert session.scalar(select(func.count()).select_from(Span).where(Span.id == span)) == 1  # her work is kept
    window.close()


def test_adjudicate_records_the_login_as_reviewer_and_refuses_another_name(team):  # noqa: F811
    for who in ("alice", "bob"):
        _span(team, who)
        commands.set_status(team.opened[-1], 1, team.names[who], "done")
    as_alice = runner.invoke(app, ["adjudicate", team.urls["carol"], "--min-agree", "2",
                                   "--reviewer", team.names["alice"]])
    assert as_alice.exit_code == 1
    assert as_alice.stderr.startswith("error: --reviewer ") and as_alice.stderr.count("\n") == 1, as_alice.stderr
    assert f"you are your login, {team.names['carol']}" in as_alice.stderr
    with team.lead.read() as session:
        assert session.scalar(select(func.count()).select_from(Span).where(Span.annotator_id == team.id_of("gold"))) == 0
    as_herself = runner.invoke(app, ["adjudicate", team.urls["carol"], "--min-agree", "2",
                                     "--reviewer", team.names["carol"]])
    assert as_herself.exit_code == 0, as_herself.output
    assert f"reviewer {team.names['carol']}" in as_herself.stdout
    with team.lead.read() as session:
        assert session.scalars(select(Span.reviewer_id).where(Span.annotator_id == team.id_of("gold"))).all() == [
            team.id_of("carol")]


def test_a_poll_whose_connection_the_server_ended_says_so_and_the_next_one_reconnects(team):  # noqa: F811
    from sqlalchemy import text

    from annotator.errors import ServerUnavailable

    alice = team.open("alice")
    watch = ProgressWatch(alice, team.names["alice"])
    try:
        assert watch.poll().counts == {}
        with team.lead.read() as session:  # the server ends every connection of alice's (a restart, a kill)
            session.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :n"),
                            {"n": team.names["alice"]})
        with pytest.raises(ServerUnavailable, match="cannot reach postgresql at "):
            watch.poll()
        commands.set_status(team.open("bob"), 4, team.names["bob"], "done")
        assert watch.poll().counts == {4: (1, 0, 0)}  # a new connection, and what changed meanwhile
    finally:
        watch.close()
