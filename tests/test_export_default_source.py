"""`annotator export` without --source: gold once a gold document is finished, else the majority; it says which."""

import json

from typer.testing import CliRunner

from annotator import queries
from annotator.review.adjudication import mark_gold_done
from annotator.review.auto_adjudication import adjudicate_project
from cli.app import app
from exports import ExportOptions, available_sources, export_project

runner = CliRunner()


def _export(project, out, *args):
    return runner.invoke(app, ["export", project.url, "--out", str(out), "--format", "csv", *args])


def test_a_new_project_exports_the_majority_and_says_so(sample_project, tmp_path):
    result = _export(sample_project, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "5 documents from majority (the default until a gold document is marked done" in result.stdout
    assert "annotator adjudicate" in result.stdout
    assert json.loads((tmp_path / "out" / "export.json").read_text())["source"] == "majority"
    # the window's chooser offers the same default first
    with sample_project.read() as session:
        assert available_sources(session) == ["majority", "alice", "bob", "carol"]
    assert export_project(sample_project, tmp_path / "core", ExportOptions(format="csv")).summary["source"] == "majority"


def test_gold_is_the_default_once_a_gold_document_is_done(sample_project, tmp_path):
    adjudicate_project(sample_project, "rita")
    with sample_project.read() as session:
        assert available_sources(session) == ["majority", "gold", "alice", "bob", "carol"]  # gold: none done yet
        first = int(queries.documents(session)["id"].iloc[0])
    mark_gold_done(sample_project, first, "rita")
    with sample_project.read() as session:
        assert available_sources(session) == ["gold", "majority", "alice", "bob", "carol"]
    result = _export(sample_project, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "1 documents from gold (the default: the adjudicated set)" in result.stdout
    summary = json.loads((tmp_path / "out" / "export.json").read_text())
    assert summary["source"] == "gold" and summary["documents"] == 1
    explicit = _export(sample_project, tmp_path / "majority", "--source", "majority")
    assert explicit.exit_code == 0 and "5 documents from majority;" in explicit.stdout


def test_asking_for_gold_before_there_is_one_points_at_adjudicate(sample_project, tmp_path):
    result = _export(sample_project, tmp_path / "out", "--source", "gold")
    assert result.exit_code == 1
    assert "no gold set yet" in result.stderr and "`annotator adjudicate`" in result.stderr
    assert "annotator agreement" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_an_empty_project_says_what_is_missing(project, tmp_path):
    result = runner.invoke(app, ["export", project.url, "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "no annotator has finished any document yet" in result.stderr and "gold" not in result.stderr
