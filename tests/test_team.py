"""`annotator team add / list / remove / policy` on either backend: names and roles in a file,
logins on a server (their refusals by the server itself are in tests/test_team_server.py)."""

import json
import threading

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from annotator import commands
from annotator.errors import UserError
from annotator.model import Span
from annotator.settings import SEE_OTHERS, get_setting
from annotator.team.members import team_add, team_list
from cli.app import app
from tests.conftest import ON_SERVER, SAMPLES

runner = CliRunner()


def _team(*args):
    return runner.invoke(app, ["team", *map(str, args)])


@pytest.fixture
def person(databases):
    """A person's name: on a server a login, named so that the test run drops it afterwards."""
    return (lambda name: f"{databases.prefix}{name}") if databases is not None else (lambda name: name)


def test_add_list_and_remove_keep_the_work_of_who_left(project, person):
    from annotator.importing import import_path

    import_path(project, SAMPLES / "articles" / "000_ca33035aee71edbb.txt")
    alice, bob = person("alice"), person("bob")
    assert _team("add", project.url, alice).exit_code == 0
    added = _team("add", project.url, bob, "--role", "reviewer")
    assert added.exit_code == 0, added.output
    assert f"{bob} added as reviewer" in added.stdout
    listed = _team("list", project.url, "--json")
    assert json.loads(listed.stdout) == [{"name": alice, "role": "annotator"}, {"name": bob, "role": "reviewer"}]
    span = commands.add_span(project, 1, alice, "SPEAKER", 0, 5).rows("spans")[0]["id"]

    removed = _team("remove", project.url, alice)
    assert removed.exit_code == 0, removed.output
    assert "their work stays" in removed.stdout
    assert json.loads(_team("list", project.url, "--json").stdout) == [{"name": bob, "role": "reviewer"}]
    with project.read() as session:
        assert session.scalar(select(func.count()).select_from(Span).where(Span.id == span)) == 1
    again = _team("add", project.url, alice)
    assert again.exit_code == 0 and "back on the team" in again.stdout, again.output
    assert [m["name"] for m in team_list(project)] == [alice, bob]


def test_refusals_are_one_line_and_change_nothing(project, person):
    alice = person("alice")
    _team("add", project.url, alice)
    twice = _team("add", project.url, alice, "--role", "lead")
    assert twice.exit_code == 1
    assert f"error: {alice} is already on the team as annotator" in twice.stderr
    for args, message in ((("add", project.url, "gold"), "'gold' is the adjudicated set"),
                          (("add", project.url, "carol", "--role", "boss"), "boss"),
                          (("remove", project.url, "nobody"), "'nobody' is not on the team (on it: ")):
        result = _team(*args)
        assert result.exit_code != 0 and message in result.output, result.output
    assert team_list(project) == [{"name": alice, "role": "annotator"}]


@pytest.mark.file_only("a file project has no logins, so no passwords")
def test_a_password_for_a_file_project_is_refused(project):
    result = runner.invoke(app, ["team", "add", project.url, "alice", "--password-stdin"], input="secret\n")
    assert result.exit_code == 1
    assert "a project file has no logins" in result.stderr
    assert "secret" not in result.output
    assert team_list(project) == []


def test_two_leads_adding_the_same_name_at_once(project, person):
    """One succeeds, the other is told clearly; the team holds the name once."""
    from annotator.store import open_project

    other_lead = open_project(project.url)
    name, start, outcomes = person("dave"), threading.Barrier(2), []

    def add(lead):
        start.wait()
        try:
            outcomes.append(team_add(lead, name, "annotator"))
        except UserError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=add, args=(lead,)) for lead in (project, other_lead)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    other_lead.close()
    refused = [o for o in outcomes if isinstance(o, UserError)]
    assert len(outcomes) == 2 and len(refused) == 1, outcomes
    assert name in str(refused[0]) and ("already on the team" in str(refused[0]) or "at the same moment" in str(refused[0]))
    assert team_list(project) == [{"name": name, "role": "annotator"}]


def test_policy_switches_seeing_others(project):
    with project.read() as session:
        assert get_setting(session, SEE_OTHERS, False) is False
    assert _team("policy", project.url, "--see-others", "yes").exit_code == 0
    with project.read() as session:
        assert get_setting(session, SEE_OTHERS) is True
    result = _team("policy", project.url, "--see-others", "no")
    assert "blind" in result.stdout
    with project.read() as session:
        assert get_setting(session, SEE_OTHERS) is False


@pytest.mark.skipif(ON_SERVER, reason="on a file the window's name is the person's own")
def test_a_file_project_works_under_any_name(project):
    from annotator.team.members import import_annotator, server_annotator

    assert server_annotator(project, "anyone") is None
    assert import_annotator(project, "someone") == "someone"


def test_migration_0005_goes_down_and_up_again_keeping_who_left(fresh_target, person):
    """Down to 0004 (no removed_at, no policies) and up again, on either backend."""
    from alembic import command
    from sqlalchemy import create_engine, inspect

    from annotator.store import alembic_config, create_project, open_project, project_url

    target = fresh_target()
    lead = create_project(target)
    team_add(lead, person("alice"), "annotator")
    lead.close()
    engine = create_engine(project_url(target))
    for revision, columns in (("0004", 4), ("head", 5)):
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            (command.downgrade if revision == "0004" else command.upgrade)(config, revision)
            assert len(inspect(connection).get_columns("annotators")) == columns
    engine.dispose()
    again = open_project(target)
    assert team_list(again) == [{"name": person("alice"), "role": "annotator"}]
    again.close()
