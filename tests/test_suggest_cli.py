"""`annotator suggest` and `rules-check` from the command line: rules and a real tiny trained
pipeline, and each bad input refused in one line with the project unchanged."""

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from annotator.model import Annotator, Span
from cli.app import app
from tests.conftest import SAMPLES
from tests.helpers import snapshot
from tests.tiny_model import build_tiny_model

runner = CliRunner()
PATTERNS = SAMPLES / "patterns.jsonl"


def _run(*args):
    return runner.invoke(app, [*map(str, args)])


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("model") / "out")


def test_suggest_with_patterns_prints_what_it_stored(sample_project):
    result = _run("suggest", sample_project.url, "--patterns", PATTERNS, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["source"] == "rules" and summary["documents"] == 5 and summary["spans"]["QUOTE"] > 10
    again = _run("suggest", sample_project.url, "--patterns", PATTERNS)
    assert again.exit_code == 0 and "0 new" in again.stdout


def test_suggest_with_a_trained_model_stores_scores_and_skips_other_languages(sample_project, tiny_model):
    result = _run("suggest", sample_project.url, "--model", tiny_model, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["source"] == "model:v1" and summary["documents"] == 4 and summary["skipped"] == {"fr": 1}
    with sample_project.read() as session:
        source = session.execute(select(Annotator.id, Annotator.role).where(Annotator.name == "model:v1")).one()
        scores = session.scalars(select(Span.score).where(Span.annotator_id == source.id)).all()
    assert source.role == "model" and scores and all(0.0 <= s <= 1.0 for s in scores)


def test_the_queue_of_one_annotator(sample_project):
    assert _run("assign", sample_project.url, "--annotators", "dave,erin").exit_code == 0
    result = _run("suggest", sample_project.url, "--patterns", PATTERNS, "--for", "dave", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["documents"] in (2, 3)
    refused = _run("suggest", sample_project.url, "--patterns", PATTERNS, "--docs", "queue")
    assert refused.exit_code == 1 and "--docs queue needs --for NAME" in refused.output


def _refused(project, *args, message: str):
    before = snapshot(project)
    result = _run("suggest", project.url, *args)
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert snapshot(project) == before


def test_a_pattern_file_with_invalid_json_is_refused_at_its_line(sample_project, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"label": "QUOTE", "pattern": "said"}\n{"label": "QUOTE", "pattern": [}\n', encoding="utf-8")
    _refused(sample_project, "--patterns", bad, message=f"{bad}:2: not valid JSON")


def test_a_pattern_with_an_unknown_label_is_refused_at_its_line(sample_project, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('\n{"label": "PERSON", "pattern": [{"IS_TITLE": true}]}\n', encoding="utf-8")
    _refused(sample_project, "--patterns", bad, message=f"{bad}:2: label 'PERSON' is not in this project's schema")


def test_a_token_pattern_spacy_rejects_is_refused_at_its_line(sample_project, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"label": "QUOTE", "pattern": [{"NO_SUCH_ATTR": 1}]}\n', encoding="utf-8")
    _refused(sample_project, "--patterns", bad, message=f"{bad}:1: not a valid spaCy token pattern")


def test_a_folder_that_is_not_a_pipeline_is_refused(sample_project, tmp_path):
    (tmp_path / "junk" / "en" / "model-best").mkdir(parents=True)
    (tmp_path / "junk" / "en" / "model-best" / "config.cfg").write_text("not a config", encoding="utf-8")
    _refused(sample_project, "--model", tmp_path / "junk", message="not a spaCy pipeline")
    (tmp_path / "empty").mkdir()
    _refused(sample_project, "--model", tmp_path / "empty", message="not a spaCy pipeline")


def test_a_model_for_the_other_language_is_refused(sample_project, tmp_path):
    folder = build_tiny_model(tmp_path / "de", lang="en", steps=1, meta_lang="de")
    _refused(sample_project, "--model", folder, message="a pipeline for 'de', used for 'en' documents")
    single = tmp_path / "single"
    build_tiny_model(tmp_path / "tmp", lang="en", steps=1, meta_lang="de")
    (tmp_path / "tmp" / "en" / "model-best").rename(single)
    _refused(sample_project, "--model", single, message="no pipeline for the documents' language (en, fr)")


def test_a_model_whose_labels_are_not_the_projects_is_refused(sample_project, tmp_path):
    folder = build_tiny_model(tmp_path / "people", steps=1, rename={"SPEAKER": "PERSON"})
    _refused(sample_project, "--model", folder, message="its labels PERSON are not in this project's schema")


def test_rules_check_prints_precision_and_recall_per_reference(sample_project):
    result = _run("rules-check", sample_project.url, "--patterns", PATTERNS, "--against", "alice,majority", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["documents"] == {"alice": 5, "majority": 5}
    quote = report["labels"]["majority"]["QUOTE"]
    assert 0 < quote["precision_exact"] <= quote["precision_overlap"] <= 1
    table = _run("rules-check", sample_project.url, "--patterns", PATTERNS)
    assert "against majority (5 documents)" in table.stdout


def test_agreement_names_a_model_source_beside_people(sample_project, tiny_model):
    assert _run("suggest", sample_project.url, "--model", tiny_model).exit_code == 0
    result = _run("agreement", sample_project.url, "--annotators", "alice,bob,model:v1", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    # the English model ran on the four English articles: those are the ones all three finished
    assert report["annotators"] == ["alice", "bob", "model:v1"] and report["documents"] == 4
    assert {(p["a"], p["b"]) for p in report["pairs"]} >= {("alice", "model:v1"), ("bob", "model:v1")}
    any_two = _run("agreement", sample_project.url, "--annotators", "alice,bob,model:v1", "--documents", "any-two",
                   "--format", "json")
    assert json.loads(any_two.stdout)["documents"] == 5


def test_assign_order_uncertain_queues_the_least_certain_first(sample_project, tiny_model):
    from annotator.suggestions.measures import document_uncertainty

    assert _run("suggest", sample_project.url, "--model", tiny_model).exit_code == 0
    result = _run("assign", sample_project.url, "--annotators", "dave", "--order", "uncertain")
    assert result.exit_code == 0, result.output
    with sample_project.read() as session:
        from annotator.model import Assignment, Document

        queue = session.execute(select(Document.id, Document.lang).join(Assignment, Assignment.document_id == Document.id)
                                .order_by(Assignment.position)).all()
        certainty = document_uncertainty(session)
    scored = [doc for doc, _ in queue if doc in certainty]
    assert len(scored) == 4 and queue[-1].lang == "fr"  # no scores: last
    assert [certainty[doc] for doc in scored] == sorted(certainty.values())
