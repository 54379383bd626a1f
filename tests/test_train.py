"""`annotator train`: a spaCy pipeline per language from the project's own annotations, with spaCy's loop.

Trainings here take a few steps (the scores mean nothing; the files, the documents and the stops do).
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import spacy
from typer.testing import CliRunner

from annotator import queries
from annotator.errors import UserError
from cli.app import app
from tests.cli_process import ROOT
from tests.export_helpers import add_work, span
from tests.helpers import snapshot
from training import TrainOptions, train_project


def _documents(project) -> dict[int, tuple[str, str]]:
    with project.read() as session:
        rows = queries.documents(session)
    return {row.id: (row.name, row.lang) for row in rows.itertuples()}


def test_train_writes_a_model_and_its_scores_per_language(sample_project, tmp_path):
    before = snapshot(sample_project)
    documents = _documents(sample_project)
    out = tmp_path / "model"
    result = CliRunner().invoke(app, ["train", sample_project.url, "--out", str(out), "--source", "majority",
                                      "--max-steps", "1"])
    assert result.exit_code == 0, result.output
    assert "en: wrote" in result.stdout and "fr: wrote" in result.stdout and "spancat F" in result.stdout
    assert "fr: only 1 document" in result.stderr  # the export's own warning: dev is passages of that article
    assert sorted(p.name for p in out.iterdir()) == ["en", "fr"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left
    for lang in ("en", "fr"):
        assert sorted(p.name for p in (out / lang).iterdir()) == ["model-best", "scores.json"]
        nlp = spacy.load(out / lang / "model-best")
        assert nlp.lang == lang and nlp.pipe_names == ["tok2vec", "ner", "spancat"]
        assert set(nlp.get_pipe("spancat").labels) <= {"SPEAKER", "QUOTE", "THREAT", "FIGURE"}  # those in train
        nlp("Putin said on Tuesday that “we will respond”.")
        scores = json.loads((out / lang / "scores.json").read_text(encoding="utf-8"))
        assert scores["lang"] == lang and scores["source"] == "majority" and scores["annotator"] == "majority"
        assert scores["steps"] == 2 and scores["max_steps"] == 1 and not scores["stopped"]  # steps 0 and 1
        assert scores["created"].startswith("20") and scores["components"] == ["ner", "spancat"]
        assert set(scores["scores"]["spancat"]["labels"]) == {"SPEAKER", "QUOTE", "THREAT", "FIGURE"}
        assert set(scores["scores"]["ner"]["labels"]) == {"SPEAKER", "FIGURE"}  # the schema's ner labels
        for prf in scores["scores"]["spancat"]["labels"].values():
            assert prf is None or set(prf) == {"p", "r", "f"}
        used = scores["documents"]["train"] + scores["documents"]["dev"]
        assert all(documents[doc["id"]] == (doc["name"], lang) for doc in used)
    assert set(spacy.load(out / "en" / "model-best").get_pipe("spancat").labels) == {"SPEAKER", "QUOTE", "THREAT",
                                                                                    "FIGURE"}
    en = json.loads((out / "en" / "scores.json").read_text(encoding="utf-8"))
    assert len(en["documents"]["train"]) == 3 and len(en["documents"]["dev"]) == 1 and en["split"]["by"] == "document"
    assert snapshot(sample_project) == before


def test_a_stop_keeps_the_best_model_so_far_and_skips_the_languages_after(sample_project, tmp_path):
    """A callback raising KeyboardInterrupt after 3 steps inside spaCy's loop, as Ctrl+C in a progress bar would."""
    seen = []

    def progress(done, total):
        seen.append(done)
        if done == 3:
            raise KeyboardInterrupt

    out = tmp_path / "model"
    result = train_project(sample_project, out, TrainOptions(source="alice", max_steps=100, components=["ner"]),
                           progress)
    assert result.stopped and seen[:3] == [1, 2, 3]
    assert list(result.languages) == ["en"] and result.not_trained == {"fr": "stopped before it started"}
    assert sorted(p.name for p in out.iterdir()) == ["en"]
    scores = json.loads((out / "en" / "scores.json").read_text(encoding="utf-8"))
    assert scores["stopped"] and scores["steps"] == 3 and scores["best_step"] == 0  # step 0 is scored, then every 20
    assert spacy.load(out / "en" / "model-best").pipe_names == ["tok2vec", "ner"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_stop_before_any_model_writes_nothing(sample_project, tmp_path):
    before = snapshot(sample_project)
    with pytest.raises(UserError, match="nothing was written"):
        train_project(sample_project, tmp_path / "model", TrainOptions(source="alice"), cancelled=lambda: True)
    assert not (tmp_path / "model").exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert snapshot(sample_project) == before


def test_ctrl_c_stops_the_command_and_keeps_the_best_model(sample_project, tmp_path):
    """The real thing: SIGINT to `annotator train` while spaCy trains."""
    sample_project.close()
    work = tmp_path / "tmp"
    work.mkdir()
    out = tmp_path / "model"
    script = ("import sys\nfrom cli.app import app\n"
              f"sys.argv = ['annotator', 'train', {sample_project.url!r}, '--out', {str(out)!r}, '--lang', 'en', "
              "'--components', 'ner', '--max-steps', '100000']\napp()\n")
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(work)})
    try:
        deadline = time.monotonic() + 120
        while not list(work.glob("annotator-train-*/run-en/model-best/meta.json")):  # spaCy saved a checkpoint
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    assert "stopping after this step" in stderr and "stopped at step" in stdout
    scores = json.loads((out / "en" / "scores.json").read_text(encoding="utf-8"))
    assert scores["stopped"] and scores["steps"] < 100_001
    assert spacy.load(out / "en" / "model-best").lang == "en"
    assert list(work.iterdir()) == []  # the temporary export and run folders are gone


# --------------------------------------------------------------------------- refusals: one line, nothing changed
def _one_short_article(project, tmp_path):
    text = "Putin said on Tuesday: “We will respond.”\n\nThe minister added that 6,465 soldiers were ready.\n"
    add_work(project, tmp_path, "alice", [{"text": text, "spans": [span(text, "Putin", "SPEAKER")]}], lang="en")


@pytest.mark.parametrize("arguments, message", [
    (["--source", "zed"], "no annotator named 'zed'"),
    (["--source", "gold"], "no gold set yet"),
    (["--source", "alice", "--lang", "de"], "--lang de: alice finished no document in de"),
    (["--source", "alice", "--max-steps", "0"], "--max-steps: 0 is not a number of steps"),
    (["--source", "alice", "--components", "tagger"], "unknown component 'tagger'"),
])
def test_bad_options_are_refused_in_one_line(sample_project, tmp_path, arguments, message):
    before = snapshot(sample_project)
    result = CliRunner().invoke(app, ["train", sample_project.url, "--out", str(tmp_path / "model"), *arguments])
    assert result.exit_code == 1 and result.stderr.startswith("error: ") and message in result.stderr, result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "model").exists() and snapshot(sample_project) == before


def test_too_few_documents_for_a_dev_set_says_how_many_are_needed(project, tmp_path):
    _one_short_article(project, tmp_path)
    before = snapshot(project)
    result = CliRunner().invoke(app, ["train", project.url, "--out", str(tmp_path / "model"), "--source", "alice"])
    assert result.exit_code == 1, result.output
    assert ("en: too few documents for a dev set: alice finished 1 document(s) in en; training needs at least 2"
            in result.stderr)
    assert not (tmp_path / "model").exists() and snapshot(project) == before


def test_nothing_finished_is_nothing_to_train_on(project, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Putin said it.\n", encoding="utf-8")
    from annotator.importing import import_path

    import_path(project, path)
    result = CliRunner().invoke(app, ["train", project.url, "--out", str(tmp_path / "model")])
    assert result.exit_code == 1
    assert "nothing to train on: no annotator has finished a document yet" in result.stderr
    assert "at least 2 finished documents per language" in result.stderr


def test_an_output_folder_that_is_not_empty_is_refused(sample_project, tmp_path):
    out = tmp_path / "model"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(app, ["train", sample_project.url, "--out", str(out), "--source", "alice"])
    assert result.exit_code == 1 and "already exists and is not an empty folder" in result.stderr
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_the_cli_default_step_budget_is_the_trainers():
    from cli.train import DEFAULT_MAX_STEPS
    from training.config import DEFAULT_MAX_STEPS as TRAINING_DEFAULT

    assert DEFAULT_MAX_STEPS == TRAINING_DEFAULT == TrainOptions().max_steps


def test_train_loads_no_heavy_library_at_start():
    script = "import sys\nimport cli.train\nprint(sorted({m.split('.')[0] for m in sys.modules} & {'spacy', 'thinc'}))"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr


def test_the_model_config_names_nothing_of_the_training_process(sample_project, tmp_path):
    """model-best/config.cfg loads in a process that never imported training/ (no progress logger, no temp paths)."""
    out = tmp_path / "model"
    train_project(sample_project, out, TrainOptions(source="alice", lang="en", max_steps=1, components=["ner"]))
    config = (out / "en" / "model-best" / "config.cfg").read_text(encoding="utf-8")
    assert "quote_annotator" not in config and "annotator-train-" not in config
    script = f"import spacy\nnlp = spacy.load({str(out / 'en' / 'model-best')!r})\nprint(nlp.pipe_names)"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=Path(tmp_path))
    assert result.stdout.strip() == "['tok2vec', 'ner']", result.stderr
