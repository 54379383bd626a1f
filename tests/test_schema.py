"""The label schema file: the default one, a project's own, and clear refusals."""

import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

from cli.app import app
from annotator.errors import UserError
from annotator.schema import DEFAULT_SCHEMA, load_schema, project_schema
from annotator.store import create_project
from tests.conftest import SAMPLES


def test_default_schema_has_the_four_labels_keys_and_links():
    schema = load_schema()
    assert [(l.name, l.key) for l in schema.labels] == [("SPEAKER", "1"), ("QUOTE", "2"), ("THREAT", "3"), ("FIGURE", "4")]
    assert {l.name: l.ner for l in schema.labels} == {"SPEAKER": True, "QUOTE": False, "THREAT": False, "FIGURE": True}
    assert {(r.name, r.head, r.child) for r in schema.relations} == {
        ("said_by", ("QUOTE",), ("SPEAKER",)), ("threatened_by", ("THREAT",), ("SPEAKER",))}
    for label in schema.labels:
        assert len(label.guideline.splitlines()) >= 5, f"{label.name} needs a real guideline"
    assert (SAMPLES / "labels.toml").resolve() == DEFAULT_SCHEMA.resolve()


def test_a_project_can_use_its_own_schema(fresh_target, tmp_path):
    own = tmp_path / "own.toml"
    own.write_text('[[labels]]\nname = "CLAIM"\ncolor = "#FFEEAA"\nkey = "c"\nguideline = "A claim."\n'
                   '[[labels]]\nname = "SOURCE"\ncolor = "#aaeeff"\n'
                   '[[relations]]\nname = "claimed_by"\nhead = ["CLAIM"]\nchild = ["SOURCE"]\n', encoding="utf-8")
    project = create_project(fresh_target("p.db"), own)
    with project.read() as session:
        schema = project_schema(session)
    project.close()
    assert [(l.name, l.color, l.key) for l in schema.labels] == [("CLAIM", "#ffeeaa", "c"), ("SOURCE", "#aaeeff", None)]
    assert schema.relations[0].head == ("CLAIM",)


BAD = {
    "invalid toml": ('[[labels]]\nname = "A\n', r"bad.toml: invalid TOML: .*line 2"),
    "no labels": ('version = 1\n', r"bad.toml: no \[\[labels\]\] tables"),
    "bad colour": ('[[labels]]\nname = "A"\ncolor = "red"\n', r"bad.toml:1: label A: color must look like '#1f77b4', got 'red'"),
    "missing name": ('[[labels]]\ncolor = "#ffffff"\n\n[[labels]]\nname="B"\ncolor="#000000"\n', r"bad.toml:1: field 'name' is required"),
    "second label bad key": ('[[labels]]\nname = "A"\ncolor = "#ffffff"\n[[labels]]\nname = "B"\ncolor = "#ffffff"\nkey = "12"\n',
                             r"bad.toml:4: label B: key must be a single character"),
    "duplicate key": ('[[labels]]\nname = "A"\ncolor = "#ffffff"\nkey = "1"\n[[labels]]\nname = "B"\ncolor = "#ffffff"\nkey = "1"\n',
                      r"bad.toml: label key '1' is used twice"),
    "unknown relation label": ('[[labels]]\nname = "A"\ncolor = "#ffffff"\n[[relations]]\nname = "r"\nhead = ["A"]\nchild = ["B"]\n',
                               r"bad.toml:4: relation r: unknown child label 'B'"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_schema_is_refused_and_no_project_is_left(fresh_target, tmp_path, case):
    content, expected = BAD[case]
    (tmp_path / "bad.toml").write_text(content, encoding="utf-8")
    target = fresh_target("p.db")
    result = CliRunner().invoke(app, ["init", target, "--labels", str(tmp_path / "bad.toml")])
    assert result.exit_code == 1
    assert "\n" not in result.stderr.strip()
    assert re.search(expected, result.stderr), result.stderr
    if "://" in target:  # a database on the test server: still empty
        engine = create_engine(target)
        assert inspect(engine).get_table_names() == []
        engine.dispose()
    else:
        assert not Path(target).exists()


def test_a_missing_schema_file_is_named(tmp_path):
    with pytest.raises(UserError, match="no such schema file"):
        load_schema(tmp_path / "nope.toml")
