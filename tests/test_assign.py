"""Assigning a project's documents, re-running, re-planning and handing work over."""

from collections import Counter

import pytest

from annotator.assignment.assign import assign_documents
from annotator.assignment.listing import assignment_listing
from annotator.assignment.move import move_documents
from annotator.commands import add_span, set_status
from annotator.errors import UserError
from tests.assign_helpers import assignment_rows, import_documents
from tests.helpers import snapshot

TEAM = ["alice", "bob", "carol", "dave", "erin"]


def _counts(project):
    return Counter(name for _, name, _ in assignment_rows(project))


def _queue(project, name):
    return [doc for _, doc in sorted((pos, doc) for doc, who, pos in assignment_rows(project) if who == name)]


def test_first_run_balances_and_shares_the_planned_overlap(project, tmp_path):
    import_documents(project, tmp_path, 300)
    summary = assign_documents(project, TEAM, overlap=0.2, per_doc=2, seed=0)
    assert summary.created == tuple(TEAM) and summary.assigned == 300
    assert set(summary.documents.values()) == {72}  # (240 + 60 * 2) / 5
    assert set(summary.pairs.values()) == {6}  # 60 shared documents over 10 pairs
    listing = assignment_listing(project)
    assert len(listing["overlap"]) == 60
    for name in TEAM:  # each queue is 0, 1, 2, … in assignment order
        positions = sorted(pos for _, who, pos in assignment_rows(project) if who == name)
        assert positions == list(range(72))


def test_a_rerun_after_an_import_assigns_only_the_new_and_moves_nothing(project, tmp_path):
    import_documents(project, tmp_path, 300)
    assign_documents(project, TEAM, overlap=0.2, seed=0)
    before = assignment_rows(project)
    again = assign_documents(project, TEAM, overlap=0.2, seed=0)
    assert again.assigned == 0 and assignment_rows(project) == before
    import_documents(project, tmp_path, 50, start=300)
    later = assign_documents(project, TEAM, overlap=0.2, seed=0)
    assert later.assigned == 50
    after = assignment_rows(project)
    assert before <= after  # every earlier row as it was, queue positions included
    counts = _counts(project)
    assert max(counts.values()) - min(counts.values()) <= 1 and sum(counts.values()) == 350 + 70
    for name in TEAM:  # the new documents go to the end of each queue
        assert _queue(project, name)[:72] == [doc for _, doc in sorted(
            (pos, doc) for doc, who, pos in before if who == name)]


def test_the_same_seed_gives_the_same_assignment(tmp_path):
    from annotator.store import create_project

    results = []
    for run in ("a", "b"):
        opened = create_project(tmp_path / f"{run}.db")
        (tmp_path / run).mkdir()
        import_documents(opened, tmp_path / run, 40)
        assign_documents(opened, TEAM[:3], overlap=0.3, seed=7)
        results.append(assignment_rows(opened))
        opened.close()
    assert results[0] == results[1]


def test_a_newcomer_in_a_rerun_catches_up_first(project, tmp_path):
    import_documents(project, tmp_path, 30)
    assign_documents(project, TEAM[:3])
    import_documents(project, tmp_path, 12, start=30)
    summary = assign_documents(project, TEAM[:4])
    assert summary.created == ("dave",) and summary.documents["dave"] == 10  # caught up first
    assert sorted(summary.documents.values()) == [10, 10, 11, 11]


def test_balance_by_words_evens_the_words_not_the_counts(project, tmp_path):
    import_documents(project, tmp_path, 20, words=2)
    import_documents(project, tmp_path, 20, start=20, words=60)
    summary = assign_documents(project, TEAM[:3], balance="words", seed=3)
    longest = 60 + 2
    assert max(summary.words.values()) - min(summary.words.values()) <= longest


def test_docs_all_replans_only_what_nobody_started(project, tmp_path):
    import_documents(project, tmp_path, 30)
    assign_documents(project, TEAM[:2])
    alice = _queue(project, "alice")
    set_status(project, alice[0], "alice", "done")
    set_status(project, alice[1], "alice", "in_progress")
    bob = _queue(project, "bob")
    add_span(project, bob[0], "bob", "QUOTE", 0, 8)
    kept = {row for row in assignment_rows(project) if row[0] in (alice[0], alice[1], bob[0])}
    summary = assign_documents(project, TEAM[:3], docs="all")
    assert summary.replanned == 27 and summary.assigned == 27
    assert kept <= assignment_rows(project)
    assert sum(summary.documents.values()) == 30 and max(summary.documents.values()) <= 10


def test_move_hands_over_unfinished_work_balanced_and_never_twice(project, tmp_path):
    import_documents(project, tmp_path, 60)
    assign_documents(project, TEAM[:3], overlap=0.5, seed=1)
    bobs = _queue(project, "bob")
    set_status(project, bobs[0], "bob", "done")
    set_status(project, bobs[1], "bob", "skipped")
    holders = assignment_listing(project)["documents"]
    summary = move_documents(project, "bob", ["alice", "carol"])
    assert summary.finished == 2 and summary.kept == 0
    assert sum(summary.moved.values()) == len(bobs) - 2
    assert _queue(project, "bob") == bobs[:2]  # finished work stays his
    after = assignment_listing(project)["documents"]
    for key, names in after.items():
        assert len(set(names)) == len(names)  # never two assignments of one document to one person
        assert len(names) == len(holders[key])  # nobody lost, nobody added
    counts = _counts(project)
    assert abs(counts["alice"] - counts["carol"]) <= 1


def test_move_keeps_a_document_everyone_in_to_already_holds(project, tmp_path):
    import_documents(project, tmp_path, 4)
    assign_documents(project, TEAM[:2], overlap=1.0)
    summary = move_documents(project, "bob", ["alice"])
    assert summary.moved == {"alice": 0} and summary.kept == 4


@pytest.mark.parametrize(("call", "message"), [
    (lambda p: assign_documents(p, TEAM[:3], overlap=1.2), "from 0 to 1"),
    (lambda p: assign_documents(p, TEAM[:3], overlap=-0.5), "from 0 to 1"),
    (lambda p: assign_documents(p, TEAM[:3], overlap=0.2, per_doc=4), "more than the 3 annotators"),
    (lambda p: assign_documents(p, TEAM[:3], overlap=0.2, per_doc=1), "at least 2"),
    (lambda p: assign_documents(p, ["alice", "rita"]), "'rita' is a reviewer"),
    (lambda p: assign_documents(p, ["alice", "gold"]), "'gold' is a gold"),
    (lambda p: assign_documents(p, ["alice", "alice"]), "twice"),
    (lambda p: move_documents(p, "zed", ["alice"]), "no annotator named 'zed'"),
    (lambda p: move_documents(p, "alice", ["zed"]), "no annotator named 'zed'"),
    (lambda p: move_documents(p, "alice", ["rita"]), "'rita' is a reviewer"),
    (lambda p: move_documents(p, "alice", ["alice"]), "leave them out"),
])
def test_bad_input_is_refused_and_changes_nothing(project, tmp_path, call, message):
    import_documents(project, tmp_path, 10)
    assign_documents(project, ["alice", "bob"])
    from annotator.review.adjudication import check_reviewer  # noqa: F401  (the reviewer role exists in the core)
    from sqlalchemy import insert

    from annotator.model import Annotator, utcnow
    with project.transaction() as session:
        session.execute(insert(Annotator), [{"name": "rita", "role": "reviewer", "created_at": utcnow()}])
    before = snapshot(project)
    with pytest.raises(UserError, match=message):
        call(project)
    assert snapshot(project) == before


def test_a_project_without_documents_is_refused_unchanged(project):
    before = snapshot(project)
    with pytest.raises(UserError, match="no documents"):
        assign_documents(project, ["alice", "bob"])
    assert snapshot(project) == before


def test_a_change_adding_an_assignment_that_exists_is_refused_whole(project, tmp_path):
    """Assignment rows go in by bulk; an existing one is still refused and nothing is written."""
    from sqlalchemy import select

    from annotator.changes import Change, apply, frozen
    from annotator.model import Assignment, utcnow

    import_documents(project, tmp_path, 3)
    assign_documents(project, ["alice"])
    with project.read() as session:
        existing = session.execute(select(Assignment.__table__)).mappings().first()
    fresh = {"document_id": existing["document_id"], "annotator_id": existing["annotator_id"], "position": 99,
             "assigned_at": utcnow()}
    newcomer = {"id": 50, "name": "zoe", "role": "annotator", "created_at": utcnow()}
    before = snapshot(project)
    with pytest.raises(UserError, match="exists already"):
        apply(project, Change("again", (("annotators", frozen(newcomer)), ("assignments", frozen(fresh)))))
    assert snapshot(project) == before


def test_an_assignment_change_undoes_and_redoes(project, tmp_path):
    from sqlalchemy import select

    from annotator.changes import Change, apply, frozen
    from annotator.model import Assignment

    import_documents(project, tmp_path, 4)
    assign_documents(project, ["alice", "bob"])
    with project.read() as session:
        rows = tuple(("assignments", frozen(r)) for r in session.execute(select(Assignment.__table__)).mappings())
    given = Change("assign", rows)
    apply(project, given.inverse())
    assert assignment_rows(project) == set()
    apply(project, given)
    assert len(assignment_rows(project)) == 4
