"""`annotator export`: a thin wrapper; refusals are one line, exit code 1, no traceback."""

import json

import pytest
from typer.testing import CliRunner

from cli.app import app


@pytest.fixture
def sample_file(sample_project):
    sample_project.close()
    return sample_project.url


def test_export_writes_every_format(sample_file, tmp_path):
    runner = CliRunner()
    for fmt, expected in (("spacy", "en/train.spacy"), ("prodigy", "prodigy.jsonl"), ("doccano", "doccano.jsonl"),
                          ("csv", "spans.csv")):
        result = runner.invoke(app, ["export", sample_file, "--out", str(tmp_path / fmt), "--format", fmt,
                                     "--source", "majority", "--labels", "SPEAKER,QUOTE", "--labels", "THREAT"])
        assert result.exit_code == 0, result.output
        assert "5 documents from majority" in result.stdout
        assert (tmp_path / fmt / expected).is_file()
        summary = json.loads((tmp_path / fmt / "export.json").read_text(encoding="utf-8"))
        assert summary["labels"] == ["SPEAKER", "QUOTE", "THREAT"] and summary["format"] == fmt
        assert ("warning: fr: only 1 document" in result.stderr) == (fmt == "spacy")


@pytest.mark.parametrize("arguments, message", [
    (["--source", "zed"], "no annotator named 'zed'"),
    (["--source", "gold"], "no gold set yet"),
    (["--source", "alice", "--labels", "NOPE"], "unknown label 'NOPE'"),
    (["--source", "alice", "--components", "ner", "--labels", "QUOTE"], "none of the exported labels is marked ner"),
])
def test_refusals_are_one_line(sample_file, tmp_path, arguments, message):
    result = CliRunner().invoke(app, ["export", sample_file, "--out", str(tmp_path / "out"), *arguments])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_existing_folder_and_empty_export_are_refused(sample_file, project, tmp_path):
    runner = CliRunner()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("keep me")
    refused = runner.invoke(app, ["export", sample_file, "--out", str(tmp_path / "full"), "--source", "alice"])
    assert refused.exit_code == 1 and "not an empty folder" in refused.stderr
    assert (tmp_path / "full" / "notes.txt").read_text() == "keep me"
    empty = project.url
    nothing = runner.invoke(app, ["export", empty, "--out", str(tmp_path / "out"), "--source", "majority", "--all"])
    assert nothing.exit_code == 1 and "the project has no documents" in nothing.stderr
