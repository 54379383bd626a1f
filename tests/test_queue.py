"""A queue per annotator: what is in it and in which order, where "done, next" goes, and who may
edit a document once the lead has assigned them (`annotator assign --free`)."""

import json

import pytest
from typer.testing import CliRunner

from annotator import commands
from annotator.errors import UserError
from annotator.assignment.assign import assign_documents
from annotator.queue import check_editable, free_choice, queue_ids, read_only_reason
from annotator.settings import FREE_CHOICE, get_setting
from annotator.worklist import document_rows, next_document
from cli.app import app
from annotator.team.members import team_add
from tests.assign_helpers import import_documents, queue_of
from tests.helpers import snapshot

runner = CliRunner()


@pytest.fixture
def assigned(project, tmp_path):
    """12 documents; alice and bob hold 6 each (no overlap), carol holds nothing."""
    import_documents(project, tmp_path, 12)
    assign_documents(project, ["alice", "bob"], seed=3)
    team_add(project, "carol", "annotator")  # carol exists, with no documents
    return project


def test_my_queue_is_my_documents_in_assignment_order_without_the_finished_ones(assigned):
    order = queue_of(assigned, "alice")
    assert len(order) == 6 and order != sorted(order)  # the seeded shuffle: not import order
    commands.set_status(assigned, order[1], "alice", "done")
    commands.set_status(assigned, order[4], "alice", "skipped")
    commands.set_status(assigned, order[2], "alice", "in_progress")
    commands.set_status(assigned, order[0], "bob", "done")  # bob's status on alice's document: not hers
    with assigned.read() as session:
        assert queue_ids(session, "alice") == [order[0], order[2], order[3], order[5]]
        assert queue_ids(session, "carol") == []
        assert queue_ids(session, "nobody") == []


def test_done_next_follows_my_queue_and_wraps_around(assigned):
    order = queue_of(assigned, "alice")
    commands.set_status(assigned, order[3], "alice", "done")
    with assigned.read() as session:
        rows = document_rows(session, "alice")
    assert next_document(rows, order[0]) == order[1]
    assert next_document(rows, order[2]) == order[4]  # order[3] is done
    assert next_document(rows, order[5]) == order[0]  # wraps to the start of the queue
    assert next_document(rows, None) == order[0]
    not_mine = next(doc for doc in rows["id"] if doc not in order)
    assert next_document(rows, not_mine) == order[0]  # from elsewhere: the head of my queue
    for doc in order:
        commands.set_status(assigned, doc, "alice", "done")
    with assigned.read() as session:
        assert next_document(document_rows(session, "alice"), order[0]) is None  # my queue is empty


def test_with_nothing_assigned_to_me_done_next_is_the_next_document_not_done(assigned):
    with assigned.read() as session:
        rows = document_rows(session, "carol")
    ids = rows["id"].tolist()
    assert (rows["position"] == -1).all()
    commands.set_status(assigned, ids[1], "carol", "done")
    with assigned.read() as session:
        assert next_document(document_rows(session, "carol"), ids[0]) == ids[2]


def test_free_choice_is_the_default_until_something_is_assigned(project, tmp_path):
    import_documents(project, tmp_path, 4)
    with project.read() as session:
        assert free_choice(session)
        assert read_only_reason(session, 1, "alice") is None
    assign_documents(project, ["alice"])
    with project.read() as session:
        assert not free_choice(session)
        assert get_setting(session, FREE_CHOICE) is None  # nothing stored: the default changed by itself


def test_a_document_not_assigned_to_me_is_refused_by_the_core_check(assigned):
    alice_doc, bob_doc = queue_of(assigned, "alice")[0], queue_of(assigned, "bob")[0]
    check_editable(assigned, (alice_doc,), "alice")  # hers: allowed
    with pytest.raises(UserError, match="not assigned to alice.*--free yes"):
        check_editable(assigned, (bob_doc,), "alice")
    with pytest.raises(UserError, match="not assigned to carol"):
        check_editable(assigned, (alice_doc,), "carol")


def test_assign_free_yes_lets_everyone_edit_and_no_takes_it_back(assigned):
    bob_doc = queue_of(assigned, "bob")[0]
    result = runner.invoke(app, ["assign", assigned.url, "--free", "yes"])
    assert result.exit_code == 0, result.output
    assert "anyone may annotate any document" in result.stdout
    check_editable(assigned, (bob_doc,), "alice")
    with assigned.read() as session:
        assert get_setting(session, FREE_CHOICE) is True
    result = runner.invoke(app, ["assign", assigned.url, "--free", "no", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout) == {"free": False}
    with pytest.raises(UserError):
        check_editable(assigned, (bob_doc,), "alice")


def test_assign_free_refuses_another_value_or_a_second_mode_and_changes_nothing(assigned):
    before = snapshot(assigned)
    maybe = runner.invoke(app, ["assign", assigned.url, "--free", "maybe"])
    assert maybe.exit_code != 0 and "maybe" in maybe.output
    both = runner.invoke(app, ["assign", assigned.url, "--free", "yes", "--show"])
    assert both.exit_code == 1 and "--free yes|no" in both.output
    assert snapshot(assigned) == before
