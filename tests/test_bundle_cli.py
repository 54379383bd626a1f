"""`annotator bundle out` / `bundle in` from the command line: what they print (and --json), a
conflict's exit code and list, --prefer, a refusal's one line, and their start-up imports."""

import json
import subprocess
import sys

from typer.testing import CliRunner

from annotator.commands import add_span
from cli.app import app
from tests.bundle_work import handed_out, work_offline
from tests.conftest import ROOT
from tests.helpers import snapshot

runner = CliRunner()


def _bundle(*args):
    return runner.invoke(app, ["bundle", *map(str, args)])


def test_out_then_in_print_what_they_did(sample_project, tmp_path):
    project = handed_out(sample_project)
    path = tmp_path / "alice.annot"
    made = _bundle("out", project.url, "--annotator", "alice", "--out", path)
    assert made.exit_code == 0, made.output
    assert "3 documents of alice with" in made.stdout and "annotator bundle in PROJECT" in made.stdout
    work_offline(path)
    merged = _bundle("in", project.url, path)
    assert merged.exit_code == 0, merged.output
    assert "total" in merged.stdout and "done → skipped" in merged.stdout
    assert "changes from alice's bundle on 1 of its 3 documents" in merged.stdout
    again = _bundle("in", project.url, path, "--json")
    report = json.loads(again.stdout)
    assert report["total"]["changes"] == 0 and report["merged"] == [] and report["documents"] == 3


def test_in_json_lists_each_document_and_a_total(sample_project, tmp_path):
    project = handed_out(sample_project)
    path = tmp_path / "alice.annot"
    _bundle("out", project.url, "--annotator", "alice", "--out", path, "--json")
    work_offline(path)
    report = json.loads(_bundle("in", project.url, path, "--json").stdout)
    [document] = report["merged"]
    assert (document["spans_added"], document["spans_changed"], document["spans_removed"]) == (1, 1, 1)
    assert document["status"] == ["done", "skipped"]
    assert report["total"]["spans_added"] == 1 and report["total"]["changes"] >= 4


def test_a_conflict_exits_1_naming_the_documents_until_prefer_decides(sample_project, tmp_path):
    project = handed_out(sample_project)
    path = tmp_path / "alice.annot"
    out = json.loads(_bundle("out", project.url, "--annotator", "alice", "--out", path, "--json").stdout)
    assert out["documents"] == 3 and out["annotator"] == "alice"
    sha, _ = work_offline(path)
    with project.read() as session:
        from sqlalchemy import text

        document_id, name = session.execute(text("SELECT id, name FROM documents WHERE sha256 = :s"), {"s": sha}).one()
    add_span(project, document_id, "alice", "FIGURE", 20, 21)
    before = snapshot(project)
    stopped = _bundle("in", project.url, path)
    assert stopped.exit_code == 1 and stopped.stderr.startswith("error: ") and name in stopped.stderr
    assert "--prefer bundle" in stopped.stderr
    listed = _bundle("in", project.url, path, "--json")
    assert listed.exit_code == 1 and json.loads(listed.stdout) == {"conflicts": [name]}
    assert snapshot(project) == before
    kept = _bundle("in", project.url, path, "--prefer", "project")
    assert kept.exit_code == 0, kept.output
    assert f"changed on both sides, the project's work kept (--prefer project): {name}" in kept.stdout
    wrong = _bundle("in", project.url, path, "--prefer", "mine")
    assert wrong.exit_code == 2 and "bundle" in wrong.output


def test_a_refusal_is_one_line_and_exit_1(sample_project, tmp_path):
    notes = tmp_path / "notes.annot"
    notes.write_text("not a bundle\n" * 20, encoding="utf-8")
    refused = _bundle("in", sample_project.url, notes)
    assert refused.exit_code == 1 and refused.stderr.count("\n") == 1 and "not a project file" in refused.stderr
    nobody = _bundle("out", sample_project.url, "--annotator", "nobody", "--out", tmp_path / "x.annot")
    assert nobody.exit_code == 1 and "no annotator named 'nobody'" in nobody.stderr


def test_bundle_commands_load_no_heavy_library(sample_project, tmp_path):
    """Like stats and assign, the bundle commands start without spaCy, pandas or Qt. (Alembic is
    loaded: `bundle out` makes a project file through the migrations, as `init` does.)"""
    handed_out(sample_project)
    heavy = ("spacy", "thinc", "pandas", "numpy", "PySide6")
    path = tmp_path / "alice.annot"
    script = (
        "import sys\n"
        "from cli.app import app\n"
        "for argv in (['bundle', 'out', sys.argv[1], '--annotator', 'alice', '--out', sys.argv[2]],\n"
        "             ['bundle', 'in', sys.argv[1], sys.argv[2]]):\n"
        "    try:\n"
        "        app(argv, standalone_mode=False)\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"print('loaded:', sorted({{m.split('.')[0] for m in sys.modules}} & {set(heavy)!r}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script, sample_project.url, str(path)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert path.exists()
    assert result.stdout.strip().splitlines()[-1] == "loaded: []", result.stdout
