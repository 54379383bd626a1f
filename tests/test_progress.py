"""`annotator progress`: exact counts, rates and finish dates on a hand-made project."""

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from annotator.commands import add_span, set_status
from annotator.model import DocumentStatus
from annotator.team.progress import team_progress
from cli.app import app
from tests.assign_helpers import hold, import_documents

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=timezone.utc)
runner = CliRunner()


def _finish(project, doc, name, status, days_ago, now):
    """`name` gives `doc` the status, finished `days_ago` days before `now` (stored times set by hand)."""
    from sqlalchemy import select

    from annotator.model import Annotator

    set_status(project, doc, name, status)
    with project.transaction() as session:
        who = session.scalar(select(Annotator.id).where(Annotator.name == name))
        session.execute(update(DocumentStatus).where(DocumentStatus.document_id == doc, DocumentStatus.annotator_id == who)
                        .values(finished_at=now - timedelta(days=days_ago)))


def team(project, tmp_path, now):
    """7 documents: alice holds 1-4, bob 3-5 (3 and 4 shared), carol 6; 7 nobody's; dave reviews."""
    import_documents(project, tmp_path, 7)
    hold(project, {"alice": [1, 2, 3, 4], "bob": [3, 4, 5], "carol": [6]}, reviewers=("dave",))
    add_span(project, 1, "alice", "SPEAKER", 0, 8)
    add_span(project, 1, "alice", "SPEAKER", 9, 10)
    add_span(project, 1, "alice", "QUOTE", 0, 10)
    add_span(project, 3, "bob", "FIGURE", 9, 10)
    _finish(project, 1, "alice", "done", 1, now)
    _finish(project, 2, "alice", "done", 10, now)  # before the last 7 days: not in the rate
    _finish(project, 3, "alice", "done", 2, now)
    set_status(project, 4, "alice", "in_progress")
    _finish(project, 3, "bob", "done", 3, now)
    _finish(project, 4, "bob", "skipped", 1, now)
    return project


@pytest.fixture
def made(project, tmp_path):
    return team(project, tmp_path, NOW)


def test_progress_counts_each_annotator_and_the_total(made):
    report = team_progress(made, NOW)
    rows = {row.name: row for row in report.annotators}
    assert list(rows) == ["alice", "bob", "carol"]  # dave, a reviewer with no work, and gold are left out
    counts = {name: (r.assigned, r.done, r.skipped, r.in_progress, r.remaining, r.finished_last_7_days)
              for name, r in [*rows.items(), ("total", report.total)]}
    assert counts == {"alice": (4, 3, 0, 1, 1, 2), "bob": (3, 1, 1, 0, 1, 2), "carol": (1, 0, 0, 0, 1, 0),
                      "total": (8, 4, 1, 1, 3, 4)}
    assert rows["alice"].spans == {"SPEAKER": 2, "QUOTE": 1, "THREAT": 0, "FIGURE": 0}
    assert report.total.spans == {"SPEAKER": 2, "QUOTE": 1, "THREAT": 0, "FIGURE": 1}
    assert report.documents == 7 and report.unassigned == 1


def test_rate_is_documents_finished_per_hour_over_7_days_and_the_finish_date_follows(made):
    report = team_progress(made, NOW)
    rows = {row.name: row for row in report.annotators}
    assert rows["alice"].per_hour == round(2 / 168, 4)
    # 1 left at 2 per 168 hours: 84 hours after Thursday noon is Monday 00:00.
    assert rows["alice"].estimated_finish == "2026-12-07"
    assert rows["bob"].estimated_finish == "2026-12-07"
    assert rows["carol"].per_hour == 0 and rows["carol"].estimated_finish is None  # no rate: no date
    assert report.total.per_hour == round(4 / 168, 4)
    assert report.total.estimated_finish == "2026-12-08"  # 3 left at 4 per 168 hours: 126 hours


def test_shared_documents_are_ready_when_all_their_annotators_are_done(made):
    counted = team_progress(made, NOW)
    assert (counted.shared, counted.ready, counted.shared_detail) == (2, 1, None)
    listed = team_progress(made, NOW, detail=True).shared_detail
    assert [(d.document_id, d.annotators, d.done, d.ready) for d in listed] == [
        (3, ["alice", "bob"], ["alice", "bob"], True), (4, ["alice", "bob"], [], False)]


def test_progress_json_and_table_from_the_command_line(project, tmp_path):
    team(project, tmp_path, datetime.now(timezone.utc))
    shown = runner.invoke(app, ["progress", project.url, "--json"])
    assert shown.exit_code == 0, shown.output
    report = json.loads(shown.stdout)
    assert report["annotators"]["bob"]["skipped"] == 1 and report["total"]["remaining"] == 3
    assert report["overlap"]["documents"] == 2 and report["overlap"]["ready"] == 1
    assert report["overlap"]["detail"][0] == {"document_id": 3, "document": "doc-2", "annotators": ["alice", "bob"],
                                              "done": ["alice", "bob"], "ready": True}
    table = runner.invoke(app, ["progress", project.url], env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    assert "7 documents, 1 not assigned; 2 shared by several annotators, 1 of them done by all" in table.stdout
    assert "carol" in table.stdout and "—" in table.stdout


def test_progress_of_a_project_with_nothing_assigned(project):
    report = team_progress(project, NOW)
    assert report.annotators == [] and report.shared == report.ready == 0 and report.total.assigned == 0
    assert report.total.estimated_finish is None
