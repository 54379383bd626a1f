"""Roles enforced by PostgreSQL itself: row-level security and grants, tried by real logins made
with `team add` (the suite's own login is a superuser, whom row security does not bind), through
the tool and with psycopg directly, as any other client could."""

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import func, make_url, select
from typer.testing import CliRunner

from annotator import commands
from annotator.errors import ProjectBusy, UserError
from annotator.model import Annotator, Document, Span, utcnow
from annotator.store import Project, create_project, open_project
from annotator.team.members import import_annotator, server_annotator, set_see_others, team_add, team_remove
from cli.app import app
from tests.conftest import ON_SERVER, SAMPLES

pytestmark = pytest.mark.skipif(not ON_SERVER, reason="row-level security and logins exist on PostgreSQL only "
                                                      "(set ANNOTATOR_TEST_DB_URL, or run make test-postgres)")
PASSWORD = "correct horse battery"
runner = CliRunner()


@dataclass
class Team:
    lead: Project
    names: dict[str, str]  # alice, bob, carol -> their logins
    urls: dict[str, str]
    opened: list

    def open(self, who: str, busy_timeout: float = 10.0) -> Project:
        self.opened.append(open_project(self.urls[who], busy_timeout))
        return self.opened[-1]

    def raw(self, who: str):
        """A psycopg connection as that login: no tool code in between."""
        import psycopg

        url = make_url(self.urls[who])
        return psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                               dbname=url.database, autocommit=True)

    def id_of(self, name: str) -> int:
        with self.lead.read() as session:
            return session.scalar(select(Annotator.id).where(Annotator.name == self.names.get(name, name)))


@pytest.fixture
def team(fresh_target, databases):
    """A project on the server with five articles and a gold row, made by the lead (the suite's
    login); alice and bob are annotators and carol a reviewer, each with a login and password."""
    from annotator.importing import import_path

    target = fresh_target()
    lead = create_project(target)
    import_path(lead, SAMPLES / "articles")
    run = uuid.uuid4().hex[:6]
    names = {who: f"{databases.prefix}{run}_{who}" for who in ("alice", "bob", "carol")}
    for who, role in (("alice", "annotator"), ("bob", "annotator"), ("carol", "reviewer")):
        team_add(lead, names[who], role, PASSWORD)
    with lead.transaction() as session:
        session.add(Annotator(name="gold", role="gold", created_at=utcnow()))
    urls = {who: make_url(target).set(username=name, password=PASSWORD).render_as_string(hide_password=False)
            for who, name in names.items()}
    made = Team(lead, names, urls, [])
    yield made
    for opened in made.opened:
        opened.close()
    lead.close()


def _span(team: Team, who: str, document: int = 1, start: int = 0, end: int = 20) -> int:
    change = commands.add_span(team.open(who), document, team.names[who], "QUOTE", start, end)
    return change.rows("spans")[0]["id"]


def _insert_span(connection, annotator_id: int, document: int = 1):
    return connection.execute(
        'INSERT INTO spans (document_id, doc_length, annotator_id, label_id, start, "end", origin, created_at, updated_at) '
        "SELECT id, length, %s, (SELECT min(id) FROM labels), 0, 3, 'manual', now(), now() FROM documents WHERE id = %s",
        (annotator_id, document))


def test_alice_cannot_change_bobs_span_write_gold_or_add_a_document(team):
    import psycopg

    bobs = _span(team, "bob")
    alices = _span(team, "alice", document=2)
    with team.lead.read() as session:
        bobs_before = session.get(Span, bobs)
        bobs_before = (bobs_before.start, bobs_before.end, bobs_before.annotator_id)
    with team.raw("alice") as alice:
        assert alice.execute('UPDATE spans SET "end" = "end" - 1 WHERE id = %s', (bobs,)).rowcount == 0
        assert alice.execute("DELETE FROM spans WHERE id = %s", (bobs,)).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            alice.execute("UPDATE spans SET annotator_id = %s WHERE id = %s", (team.id_of("bob"), alices))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            _insert_span(alice, team.id_of("gold"))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="documents"):
            alice.execute("INSERT INTO documents (name, text, length, sha256, lang, meta, tokens, created_at) "
                          "VALUES ('x', 'x', 1, 'x', 'en', '{}', '', now())")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="assignments"):
            alice.execute("INSERT INTO assignments (document_id, annotator_id, position, assigned_at) "
                          "VALUES (1, %s, 99, now())", (team.id_of("alice"),))
        assert _insert_span(alice, team.id_of("alice"), document=3).rowcount == 1  # her own: allowed
    with team.lead.read() as session:
        row = session.get(Span, bobs)
        assert (row.start, row.end, row.annotator_id) == bobs_before
        assert session.scalar(select(func.count()).select_from(Document)) == 5


def test_blind_by_default_and_seeing_others_when_the_lead_allows(team):
    _span(team, "alice")
    _span(team, "bob")
    alice_id, bob_id = team.id_of("alice"), team.id_of("bob")
    with team.raw("alice") as alice:
        seen = {row[0] for row in alice.execute("SELECT DISTINCT annotator_id FROM spans")}
        statuses = {row[0] for row in alice.execute("SELECT DISTINCT annotator_id FROM document_status")}
        assert seen == statuses == {alice_id}
        set_see_others(team.lead, True)
        seen = {row[0] for row in alice.execute("SELECT DISTINCT annotator_id FROM spans")}
        assert seen == {alice_id, bob_id}
        assert alice.execute("DELETE FROM spans WHERE annotator_id = %s", (bob_id,)).rowcount == 0  # seeing is not writing
        set_see_others(team.lead, False)
        assert {row[0] for row in alice.execute("SELECT DISTINCT annotator_id FROM spans")} == {alice_id}


def test_a_reviewer_reads_everyone_and_writes_only_gold(team):
    import psycopg

    _span(team, "alice")
    _span(team, "bob")
    with team.raw("carol") as carol:
        seen = {row[0] for row in carol.execute("SELECT DISTINCT annotator_id FROM spans")}
        assert seen == {team.id_of("alice"), team.id_of("bob")}
        assert _insert_span(carol, team.id_of("gold")).rowcount == 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            _insert_span(carol, team.id_of("alice"), document=4)


def test_an_annotator_importing_documents_or_assigning_is_refused_in_one_line(team, tmp_path):
    new = tmp_path / "new.txt"
    new.write_text("“We will not give in,” the minister said on Monday.\n", encoding="utf-8")
    imported = runner.invoke(app, ["import", team.urls["alice"], str(new)])
    assert imported.exit_code == 1
    assert imported.stderr.startswith("error: ") and imported.stderr.count("\n") == 1, imported.stderr
    assert "refused this to the login" in imported.stderr and "ask a lead" in imported.stderr
    assigned = runner.invoke(app, ["assign", team.urls["alice"], "--annotators", team.names["alice"]])
    assert assigned.exit_code == 1 and assigned.stderr.count("\n") == 1, assigned.output
    assert "refused this to the login" in assigned.stderr
    as_bob = runner.invoke(app, ["import", team.urls["alice"], str(new), "--annotator", team.names["bob"]])
    assert as_bob.exit_code == 1
    assert "only a lead may import annotations for someone else" in as_bob.stderr
    with team.lead.read() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 5


def test_an_annotator_imports_annotations_into_their_own_set(team, tmp_path):
    with team.lead.read() as session:
        text = session.scalar(select(Document.text).where(Document.id == 1))
    records = tmp_path / "mine.jsonl"
    records.write_text('{"text": %s, "label": [[0, 5, "QUOTE"]]}\n' % __import__("json").dumps(text), encoding="utf-8")
    result = runner.invoke(app, ["import", team.urls["alice"], str(records), "--format", "doccano"])
    assert result.exit_code == 0, result.output
    with team.lead.read() as session:
        owners = session.scalars(select(Span.annotator_id)).all()
    assert owners == [team.id_of("alice")]


def test_a_removed_annotator_can_no_longer_connect_or_write_and_their_spans_stay(team):
    span = _span(team, "bob")
    still_open = team.opened[-1]
    team_remove(team.lead, team.names["bob"])
    with pytest.raises(UserError, match="refused this to the login"):
        commands.add_span(still_open, 2, team.names["bob"], "QUOTE", 0, 10)
    with pytest.raises(UserError, match="is not on the team of"):
        open_project(team.urls["bob"])
    with team.lead.read() as session:
        assert session.get(Span, span) is not None


def test_the_login_is_the_annotator(team):
    alice = team.open("alice")
    assert server_annotator(alice) == server_annotator(alice, team.names["alice"]) == team.names["alice"]
    with pytest.raises(UserError, match="you are your login"):
        server_annotator(alice, team.names["bob"])
    assert import_annotator(alice, None) == team.names["alice"]
    assert server_annotator(team.lead) is None  # a superuser, bound by no policy, names itself as on a file
    assert server_annotator(team.lead, "alice") == "alice"
    assert import_annotator(team.lead, team.names["bob"]) == team.names["bob"]  # a lead imports for others


def test_annotators_do_not_wait_for_each_other_but_a_lead_waits_for_them(team):
    alice = team.open("alice")
    bob = team.open("bob", busy_timeout=0.5)
    with alice.transaction():  # alice is in the middle of writing
        commands.add_span(bob, 1, team.names["bob"], "QUOTE", 0, 10)
        team.lead.busy_timeout = 0.5
        with pytest.raises(ProjectBusy):
            set_see_others(team.lead, True)


def test_passwords_reach_the_server_only_as_a_verifier(team):
    from sqlalchemy import text

    with team.lead.read() as session:
        stored = session.execute(text("SELECT rolpassword FROM pg_authid WHERE rolname = :n"),
                                 {"n": team.names["alice"]}).scalar()
    assert stored.startswith("SCRAM-SHA-256$") and PASSWORD not in stored


def test_a_reviewer_adjudicates_what_two_annotators_agreed_on(team):
    """The reviewer's own work passes the policies: the gold row made on first use, gold spans."""
    with team.lead.transaction() as session:
        session.execute(Annotator.__table__.delete().where(Annotator.name == "gold"))
    for who in ("alice", "bob"):
        _span(team, who)
        commands.set_status(team.opened[-1], 1, team.names[who], "done")
    result = runner.invoke(app, ["adjudicate", team.urls["carol"], "--min-agree", "2"])
    assert result.exit_code == 0, result.output
    with team.lead.read() as session:
        gold = session.scalars(select(Span.reviewer_id).where(Span.annotator_id == team.id_of("gold"))).all()
    assert gold == [team.id_of("carol")]


def test_one_reviewer_at_a_time_on_a_documents_gold(team, databases):
    """The second reviewer is told who and since when; the lock goes when the first moves on,
    and when their connection dies."""
    from sqlalchemy import text

    from annotator.review.gold_lock import GoldLocks

    dave = f"{team.names['carol']}_dave"
    team_add(team.lead, dave, "reviewer", PASSWORD)
    team.urls["dave"] = make_url(team.urls["carol"]).set(username=dave).render_as_string(hide_password=False)
    carols, daves = GoldLocks(team.open("carol")), GoldLocks(team.open("dave"))
    assert carols.take(1) is None and carols.holds() == 1
    holder = daves.take(1)
    assert holder is not None and holder.login == team.names["carol"] and holder.since is not None
    assert holder.message().startswith(f"{team.names['carol']} is adjudicating this document since ")
    assert holder.message().endswith(" — open read-only?")
    assert daves.holds() is None and daves.take(2) is None  # another document is free
    carols.take(3)  # carol moves on: document 1 is free
    assert daves.take(1) is None
    with team.lead.read() as session:  # dave's program dies: the server ends his connection, and the lock
        session.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :n"), {"n": dave})
    for _ in range(50):
        if carols.take(1) is None:
            break
        __import__("time").sleep(0.1)
    assert carols.holds() == 1


def test_the_compare_window_offers_a_held_document_read_only(team, qtbot, monkeypatch):
    from annotator.review.gold_lock import GoldLocks
    from annotator.history import History
    from ui.change_signal import ChangeSignal
    from ui.compare_view import CompareWindow
    from ui.undo import ActionQueue, QueuedHistory

    lead_locks = GoldLocks(team.lead)
    assert lead_locks.take(1) is None
    asked = []
    monkeypatch.setattr(CompareWindow, "confirm_read_only", lambda self, holder: asked.append(holder) or True)
    carol = team.open("carol")
    history = History(carol)
    changes = ChangeSignal(history)
    stack = QueuedHistory(ActionQueue(), lambda message: None)
    stack.attach(history, changes)
    window = CompareWindow(carol, team.names["carol"], stack, changes)
    qtbot.addWidget(window)
    window.open_document(1)
    assert [h.login for h in asked] == [make_url(team.lead.url).username]
    assert window.read_only and not window.actions["compare.accept"].isEnabled()
    assert "(read-only)" in window.gold_status.text()
    lead_locks.release()
    window.open_document(2)
    assert not window.read_only and window.actions["compare.accept"].isEnabled()
    window.close()
    assert lead_locks.take(2) is None  # closing the window let go of it


def test_the_window_works_as_the_login_and_shows_it(team, qtbot, tmp_path):
    from tests.ui_helpers import open_window

    window = open_window(qtbot, team.open("alice"), "typed-name", tmp_path / "settings.ini")
    assert window.annotator == team.names["alice"]
    assert window.status.annotator.text() == f"Annotator: {team.names['alice']}"


def test_a_lead_who_is_no_superuser_sets_up_the_team(fresh_target, databases):
    """What the README's five commands do, with the login an administrator gives a lead
    (CREATEDB CREATEROLE): init, team add, and each person's own work; a second lead manages too."""
    from sqlalchemy import create_engine, text

    run = uuid.uuid4().hex[:6]
    lead_name, alice, erin = (f"{databases.prefix}{run}_{who}" for who in ("lead", "alice", "erin"))
    target = fresh_target()
    admin = create_engine(databases.server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE ROLE \"{lead_name}\" LOGIN CREATEDB CREATEROLE PASSWORD '{PASSWORD}'"))
        connection.execute(text(f"ALTER DATABASE \"{make_url(target).database}\" OWNER TO \"{lead_name}\""))  # createdb
    admin.dispose()
    as_login = lambda name: make_url(target).set(username=name, password=PASSWORD).render_as_string(hide_password=False)
    lead = create_project(as_login(lead_name))
    try:
        from annotator.importing import import_path

        import_path(lead, SAMPLES / "articles")
        team_add(lead, alice, "annotator", PASSWORD)
        team_add(lead, erin, "lead", PASSWORD)
        mine = open_project(as_login(alice))
        try:
            commands.add_span(mine, 1, alice, "QUOTE", 0, 10)
            with pytest.raises(UserError, match="refused this to the login"):
                team_add(mine, f"{alice}_friend", "annotator", PASSWORD)
        finally:
            mine.close()
        second = open_project(as_login(erin))
        try:
            team_add(second, f"{alice}_2", "reviewer", PASSWORD)
            team_remove(second, alice)
            set_see_others(second, True)
        finally:
            second.close()
        with lead.read() as session:
            assert session.scalar(select(func.count()).select_from(Span)) == 1  # her work stays
    finally:
        lead.close()
