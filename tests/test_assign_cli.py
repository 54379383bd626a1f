"""`annotator assign` from the command line: the summary, --show, --move-from, and refusals."""

import json

import pytest
from typer.testing import CliRunner

from cli.app import app
from tests.assign_helpers import import_documents
from tests.helpers import snapshot

runner = CliRunner()


def _run(*args):
    return runner.invoke(app, ["assign", *map(str, args)])


@pytest.fixture
def filled(project, tmp_path):
    import_documents(project, tmp_path, 40)
    return project


def test_assign_prints_who_was_added_the_loads_and_the_pairs(filled):
    result = _run(filled.url, "--annotators", "alice,bob", "--annotators", "carol", "--overlap", "0.3")
    assert result.exit_code == 0, result.output
    assert "added as annotators: alice, bob, carol" in result.stdout
    assert "40 documents assigned" in result.stdout
    assert "alice + bob" in result.stdout and "bob + carol" in result.stdout
    again = _run(filled.url, "--annotators", "alice,bob,carol", "--overlap", "0.3")
    assert "0 documents assigned — every document already has its annotators" in again.stdout
    assert "added as" not in again.stdout


def test_show_json_is_document_to_annotators_with_the_overlap(filled):
    _run(filled.url, "--annotators", "alice,bob,carol", "--overlap", "0.3", "--seed", "4")
    shown = _run(filled.url, "--show", "--json")
    assert shown.exit_code == 0, shown.output
    listing = json.loads(shown.stdout)
    assert set(listing) == {"documents", "overlap", "ids"}
    assert len(listing["documents"]) == 40 and len(listing["overlap"]) == 12
    assert all(len(listing["documents"][name]) == 2 for name in listing["overlap"])
    assert all(set(names) <= {"alice", "bob", "carol"} for names in listing["documents"].values())
    text = _run(filled.url, "--show")
    assert "40 of 40 documents assigned, 12 shared by several annotators" in text.stdout


def test_show_keys_repeated_names_by_id(project, tmp_path):
    from annotator.importing import import_path

    for folder in ("a", "b"):  # two different articles, both called index.txt
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "index.txt").write_text(f"Article from {folder}.", encoding="utf-8")
        import_path(project, tmp_path / folder / "index.txt")
    _run(project.url, "--annotators", "alice")
    listing = json.loads(_run(project.url, "--show", "--json").stdout)
    assert sorted(listing["documents"]) == ["index.txt #1", "index.txt #2"]
    assert listing["ids"] == {"index.txt #1": 1, "index.txt #2": 2}


def test_move_from_hands_work_over_and_says_so(filled):
    _run(filled.url, "--annotators", "alice,bob,carol")
    moved = _run(filled.url, "--move-from", "bob", "--to", "alice,carol")
    assert moved.exit_code == 0, moved.output
    assert "handed over 13 of bob's unfinished documents" in moved.stdout
    listing = json.loads(_run(filled.url, "--show", "--json").stdout)
    assert all("bob" not in names for names in listing["documents"].values())


@pytest.mark.parametrize(("args", "message"), [
    (["--annotators", "alice,bob", "--overlap", "1.5"], "--overlap 1.5: a share of the documents, from 0 to 1"),
    (["--annotators", "alice,bob", "--overlap", "-0.1"], "--overlap -0.1"),
    (["--annotators", "alice,bob", "--overlap", "0.2", "--per-doc", "3"], "--per-doc 3 is more than the 2 annotators"),
    (["--annotators", "alice,bob", "--overlap", "0.2", "--per-doc", "1"], "--per-doc 1: a shared document needs at least 2"),
    (["--annotators", "alice,gold"], "'gold' is a gold, not an annotator"),
    (["--move-from", "zed", "--to", "alice"], "no annotator named 'zed'"),
    (["--move-from", "alice"], "--move-from needs --to"),
    (["--to", "alice"], "give one of --annotators"),
    (["--show", "--annotators", "alice"], "give one of --annotators"),
    ([], "give one of --annotators"),
])
def test_bad_input_is_one_line_exit_1_and_changes_nothing(filled, args, message):
    _run(filled.url, "--annotators", "alice,bob")
    before = snapshot(filled)
    result = _run(filled.url, *args)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert message in " ".join(result.stderr.split()), result.stderr
    assert snapshot(filled) == before


def test_a_project_without_documents_is_refused(project):
    before = snapshot(project)
    result = _run(project.url, "--annotators", "alice,bob")
    assert result.exit_code == 1 and "the project has no documents; import some first" in result.stderr
    assert snapshot(project) == before
