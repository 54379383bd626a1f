"""What a new user sees first: `annotator --help`, a command's help, `--version`, and `make install`."""

import os
import re
import subprocess
import sys
from importlib.metadata import version

from typer.testing import CliRunner

from cli.app import app
from tests.conftest import ROOT

runner = CliRunner()


def _annotator(*args: str) -> subprocess.CompletedProcess:
    """The installed entry point's code, run as a user would (a fresh process, no terminal)."""
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=60)


def test_flags_are_shown_as_flags():
    shown = _annotator("stats", "--help")
    assert shown.returncode == 0, shown.stderr
    assert "<bool>" not in shown.stdout
    json_line = next(line for line in shown.stdout.splitlines() if "--json" in line)
    assert re.search(r"--json\s+Print JSON", json_line), json_line
    help_line = next(line for line in shown.stdout.splitlines() if "--help" in line)
    assert re.search(r"--help\s+Show this message", help_line), help_line
    for command in ("export", "adjudicate", "agreement"):
        assert "<bool>" not in _annotator(command, "--help").stdout


def test_top_level_help_lists_every_command_and_says_what_the_tool_does():
    shown = _annotator("--help")
    assert shown.returncode == 0, shown.stderr
    names = [command.name or command.callback.__name__ for command in app.registered_commands]
    assert {"init", "import", "stats", "agreement", "adjudicate", "export", "gui"} <= set(names)
    listed = shown.stdout.split("Commands")[1]
    for name in names:
        assert re.search(rf"^\W*{name}\s", listed, re.MULTILINE), name
    summary = " ".join(shown.stdout.split("Options")[0].split())
    for what in ("agreement", "adjudicat", "export", "import"):
        assert what in summary, summary
    assert "--version" in shown.stdout


def test_version():
    shown = _annotator("--version")
    assert shown.returncode == 0 and shown.stdout.strip() == f"annotator {version('quote-annotator')}"


def test_agreement_needs_two_named_annotators(sample_project):
    for names, message in (("dana", "--annotators: agreement needs at least two annotators; you named one (dana)"),
                           ("alice", "you named one (alice)"),
                           ("alice,alice", "you named one (alice)"),
                           ("alice,zed", "no annotator named 'zed'")):
        result = runner.invoke(app, ["agreement", sample_project.url, "--annotators", names])
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("error: ") and message in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "—" not in result.stdout
    assert runner.invoke(app, ["agreement", sample_project.url, "--annotators", "alice,bob"]).exit_code == 0


def test_make_install_shows_pips_progress():
    planned = subprocess.run(["make", "-n", "-B", "install", "PYTHON=python3"], capture_output=True, text=True,
                             cwd=ROOT, timeout=60)
    assert planned.returncode == 0, planned.stderr
    [pip] = [line for line in planned.stdout.splitlines() if "pip install" in line]
    assert "--quiet" not in pip and not re.search(r"\s-q\b", pip)


def test_the_format_choices_are_the_cores():
    """--format offers what the importer and the exporter take: the CLI's lists cannot drift from theirs."""
    from annotator.importing import FORMATS as IMPORT_FORMATS
    from cli.export import ExportFormat
    from cli.project import ImportFormat
    from exports import FORMATS as EXPORT_FORMATS

    assert [choice.value for choice in ImportFormat] == ["auto", *IMPORT_FORMATS]
    assert [choice.value for choice in ExportFormat] == list(EXPORT_FORMATS)
