"""The lead's path from nothing: init, import the samples, stats."""

import json
from collections import Counter

import pytest
from typer.testing import CliRunner

from cli.app import app
from tests.cli_process import run_cli
from tests.conftest import SAMPLES


def _expected_spans(annotator: str) -> dict[str, int]:
    spans = set()
    for line in (SAMPLES / "annotations" / f"{annotator}.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        spans |= {(record["text"], s["start"], s["end"], s["label"]) for s in record["spans"]}
    counts = Counter(label for *_, label in spans)
    return {label: counts.get(label, 0) for label in ("SPEAKER", "QUOTE", "THREAT", "FIGURE")}


def test_init_import_samples_and_stats(fresh_target, tmp_path):
    runner = CliRunner()
    project = fresh_target("demo.db")
    assert runner.invoke(app, ["init", project]).exit_code == 0
    imported = runner.invoke(app, ["import", project, str(SAMPLES / "articles"),
                                   *map(str, sorted((SAMPLES / "annotations").glob("*.jsonl")))])
    assert imported.exit_code == 0, imported.output
    assert "5 new documents" in imported.stdout
    assert imported.stdout.count("0 new documents, 5 already present") == 3
    stats = runner.invoke(app, ["stats", project, "--json"])
    assert stats.exit_code == 0
    data = json.loads(stats.stdout)
    assert data["documents"] == 5
    assert data["languages"] == {"en": 4, "fr": 1}
    assert list(data["annotators"]) == ["alice", "bob", "carol"]
    for name in ("alice", "bob", "carol"):
        assert data["annotators"][name]["done"] == 5
        assert data["annotators"][name]["spans"] == _expected_spans(name)
    table = runner.invoke(app, ["stats", project])
    assert "5 documents (en 4, fr 1)" in table.stdout and "alice" in table.stdout


@pytest.mark.file_only("a missing file (a server that is not there: tests/test_server_refusals.py)")
def test_cli_errors_are_one_line_without_traceback(tmp_path):
    result = CliRunner().invoke(app, ["stats", str(tmp_path / "missing.db")])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {tmp_path / 'missing.db'}: no project file there; create one with `annotator init {tmp_path / 'missing.db'}`"


def test_gui_without_qt_says_so_in_one_line():
    """The window is the only command that needs Qt: without it, one line and exit code 1."""
    result = run_cli("gui", blocked=("PySide6",))
    assert result.returncode == 1
    assert result.stderr.startswith("error: the window cannot start: ") and "make install" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
