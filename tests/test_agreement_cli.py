"""`annotator agreement` on the sample project: the four formats, filters and refusals."""

import json
import re

import pandas as pd
from typer.testing import CliRunner

from annotator.agreement.report import agreement_report
from cli.app import app

runner = CliRunner()


def _run(*args):
    return runner.invoke(app, ["agreement", *map(str, args)])


def test_json_is_the_report(sample_project):
    result = _run(sample_project.url, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == json.loads(json.dumps(agreement_report(sample_project)))
    assert list(data) == ["annotators", "documents", "labels", "pairs", "documents_detail", "suggestion_decisions",
                          "document_rule"]


def test_table_is_readable_in_a_terminal(sample_project):
    result = _run(sample_project.url, "--annotators", "alice,carol", "--labels", "QUOTE,SPEAKER")
    assert result.exit_code == 0, result.output
    overall = agreement_report(sample_project, ["alice", "carol"], ["QUOTE", "SPEAKER"])["labels"]["_overall"]
    assert "2 annotators (alice, carol), 5 documents" in result.stdout
    row = next(line for line in result.stdout.splitlines() if "_overall" in line and "alice" not in line)
    assert f"{overall['krippendorff_alpha']:.3f}" in row and f"{overall['unitizing_alpha']:.3f}" in row
    assert "THREAT" not in result.stdout and "bob" not in result.stdout


def test_csv_has_one_row_per_label_pair_and_document(sample_project, tmp_path):
    out = tmp_path / "agreement.csv"
    result = _run(sample_project.url, "--format", "csv", "--out", out)
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert frame["section"].value_counts().to_dict() == {"document": 25, "pair": 15, "label": 5}
    report = agreement_report(sample_project)
    quote = frame[(frame["section"] == "label") & (frame["label"] == "QUOTE")].iloc[0]
    assert abs(quote["fleiss_kappa"] - report["labels"]["QUOTE"]["fleiss_kappa"]) < 1e-5
    assert frame[frame["section"] == "pair"]["fleiss_kappa"].isna().all()  # not a pair measure


def test_html_is_self_contained_with_its_plots(sample_project, tmp_path):
    out = tmp_path / "agreement.html"
    result = _run(sample_project.url, "--format", "html", "--out", out)
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"https?://|<script|<link|src=", page)  # nothing fetched from anywhere
    assert page.count("<svg") == 3 + 5 + 1  # three pair heatmaps, bars for 5 label rows, worst documents
    for name in ("000_ca33035aee71edbb.txt", "alice", "carol", "Worst documents"):
        assert name in page


def test_bad_filters_and_paths_are_one_line_errors(sample_project, tmp_path):
    for args, message in (
        (["--annotators", "alice,zed"], "no annotator named 'zed'"),
        (["--labels", "PERSON"], "no label named 'PERSON'"),
        (["--format", "html", "--out", tmp_path / "missing" / "a.html"], "does not exist"),
    ):
        result = _run(sample_project.url, *args)
        assert result.exit_code == 1
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_table_can_go_to_a_file(sample_project, tmp_path):
    out = tmp_path / "agreement.txt"
    result = _run(sample_project.url, "--out", out)
    assert result.exit_code == 0, result.output
    assert "Agreement per label" in out.read_text(encoding="utf-8") and "_overall" in out.read_text(encoding="utf-8")


def test_by_default_the_documents_everyone_compared_finished_and_it_says_how_many(sample_project):
    from annotator import queries
    from annotator.commands import set_status

    with sample_project.read() as session:
        first, second = queries.documents(session)["id"].tolist()[:2]
    for document in (first, second):
        set_status(sample_project, document, "dave", "done")  # dave finished two of the five
    result = _run(sample_project.url)
    assert result.exit_code == 0, result.output
    assert "4 annotators (alice, bob, carol, dave), 2 documents finished by all of alice, bob, carol, dave" \
        in " ".join(result.stdout.split())  # however the terminal wraps it
    older = _run(sample_project.url, "--documents", "any-two", "--format", "json")
    assert json.loads(older.stdout)["documents"] == 5
    assert _run(sample_project.url, "--documents", "some").exit_code != 0
