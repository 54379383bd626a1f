"""The spaCy export's passages: `--passages document|paragraph|sentence`, and languages with one document."""

import json

import pytest
from typer.testing import CliRunner

from cli.app import app
from cli.export import PassageMode
from annotator.errors import UserError
from exports import ExportOptions, export_project
from exports.export import PASSAGE_MODES
from tests.export_helpers import add_work, exported_spans, link, project_texts, read_docs, span

TEXT = ("Putin spoke on Tuesday. “We will respond,” he said.\n\n"
        "The minister added that 6,465 soldiers were ready. Nobody else spoke.\n")


def _one_article(project, tmp_path):
    speaker, quote = span(TEXT, "Putin", "SPEAKER"), span(TEXT, "We will respond,", "QUOTE")
    figure = span(TEXT, "6,465 soldiers", "FIGURE")
    add_work(project, tmp_path, "ann", [{"text": TEXT, "spans": [speaker, quote, figure],
                                         "relations": [link(quote, speaker, "said_by")]}], lang="en")
    return speaker, quote, figure


@pytest.mark.parametrize(("mode", "texts"), [
    ("document", [TEXT]),
    ("paragraph", ["Putin spoke on Tuesday. “We will respond,” he said.\n\n",
                   "The minister added that 6,465 soldiers were ready. Nobody else spoke.\n"]),
    # no cut between the quote and its speaker: the link holds both in one passage
    ("sentence", ["Putin spoke on Tuesday. “We will respond,” he said.\n\n",
                  "The minister added that 6,465 soldiers were ready. ", "Nobody else spoke.\n"]),
])
def test_each_passages_mode_cuts_where_it_says_and_keeps_spans_and_links_whole(project, tmp_path, mode, texts):
    speaker, quote, figure = _one_article(project, tmp_path)
    result = export_project(project, tmp_path / "out", ExportOptions(source="ann", dev=0, passages=mode))
    docs = sorted(read_docs(tmp_path / "out" / "train.spacy", "en"), key=lambda d: d.user_data["document"]["start"])
    assert [d.text for d in docs] == texts
    assert [d.user_data["document"]["start"] for d in docs] == [TEXT.index(t) for t in texts]
    [doc_id] = project_texts(project)
    assert exported_spans(docs) == {(doc_id, s["start"], s["end"], s["label"]) for s in (speaker, quote, figure)}
    [first] = [d for d in docs if d.user_data["links"]]
    assert [(first.text[h0:h1], first.text[c0:c1], label)
            for h0, h1, c0, c1, label in first.user_data["links"]] == [("We will respond,", "Putin", "said_by")]
    assert [(e.text, e.label_) for d in docs for e in d.ents] == [("Putin", "SPEAKER"), ("6,465 soldiers", "FIGURE")]
    summary = json.loads((tmp_path / "out" / "export.json").read_text(encoding="utf-8"))
    assert summary["spacy"]["passages"] == mode and summary["spacy"]["docs"].startswith("one Doc per")
    assert result.summary["spacy"]["languages"]["en"]["splits"]["train"]["passages"] == len(texts)


def test_the_cli_takes_passages_and_its_default_is_the_cores(project, tmp_path):
    _one_article(project, tmp_path)
    assert [p.value for p in PassageMode] == list(PASSAGE_MODES)
    assert ExportOptions().passages == "paragraph"
    project.close()
    runner = CliRunner()
    for mode, expected in (("paragraph", "paragraph"), (None, ExportOptions().passages)):
        out = tmp_path / f"out-{mode}"
        result = runner.invoke(app, ["export", project.url, "--out", str(out), "--source", "ann",
                                     "--dev", "0", *(["--passages", mode] if mode else [])])
        assert result.exit_code == 0, result.output
        assert json.loads((out / "export.json").read_text(encoding="utf-8"))["spacy"]["passages"] == expected
    refused = runner.invoke(app, ["export", project.url, "--out", str(tmp_path / "x"),
                                  "--source", "ann", "--passages", "chapter"])
    assert refused.exit_code == 2 and "chapter" in refused.output and not (tmp_path / "x").exists()


def test_a_language_with_one_document_is_split_by_passage(sample_project, tmp_path):
    result = export_project(sample_project, tmp_path / "out", ExportOptions(source="alice"))
    fr = tmp_path / "out" / "fr"
    train, dev = read_docs(fr / "train.spacy", "fr"), read_docs(fr / "dev.spacy", "fr")
    assert train and dev
    assert not {d.text for d in train} & {d.text for d in dev}  # no text of a passage on both sides
    [doc_id] = {d.user_data["document"]["id"] for d in train + dev}
    parts = sorted((d.user_data["document"]["start"], d.text) for d in train + dev)
    assert "".join(text for _, text in parts) == project_texts(sample_project)[doc_id]  # the whole article, once
    assert {s.label_ for d in dev for s in d.spans["sc"]}  # dev holds spans to score
    summary = json.loads((tmp_path / "out" / "export.json").read_text(encoding="utf-8"))
    languages = summary["spacy"]["languages"]
    assert languages["fr"]["split"] == {"by": "passage", "reason": "only one document", "passages": "paragraph",
                                        "dev_share": 0.2, "seed": 0}
    assert languages["fr"]["splits"]["train"]["passages"] == len(train)
    assert languages["fr"]["splits"]["dev"]["passages"] == len(dev) == round(0.2 * len(train + dev))
    assert languages["en"]["split"] == {"by": "document"}
    [warning] = [w for w in result.warnings if w.startswith("fr:")]
    assert "passages" in warning and "dev.spacy" in warning and "seed 0" in warning
    assert summary["warnings"] == result.warnings and "left_out" not in summary["spacy"]
    again = export_project(sample_project, tmp_path / "again", ExportOptions(source="alice"))
    assert again.summary["spacy"]["languages"]["fr"]["splits"] == languages["fr"]["splits"]  # the seed decides
    assert (tmp_path / "again" / "fr" / "dev.spacy").read_bytes() == (fr / "dev.spacy").read_bytes()


def test_a_one_document_language_too_short_to_split_is_left_out_and_said_so(sample_project, tmp_path):
    sample_project.close()
    result = CliRunner().invoke(app, ["export", sample_project.url, "--out", str(tmp_path / "out"),
                                      "--source", "alice", "--passages", "document"])
    assert result.exit_code == 0, result.output
    assert "warning: fr: left out" in result.stderr and "--dev 0" in result.stderr
    assert not (tmp_path / "out" / "fr").exists()
    assert (tmp_path / "out" / "en" / "dev.spacy").is_file()
    summary = json.loads((tmp_path / "out" / "export.json").read_text(encoding="utf-8"))
    assert set(summary["spacy"]["languages"]) == {"en"}
    assert summary["spacy"]["left_out"]["fr"].startswith("fr: left out")
    assert summary["spacy"]["left_out"]["fr"] in summary["warnings"]


def test_an_export_with_every_language_left_out_is_refused_and_writes_nothing(project, tmp_path):
    _one_article(project, tmp_path)
    with pytest.raises(UserError, match="nothing to write: en: left out"):
        export_project(project, tmp_path / "out", ExportOptions(source="ann", passages="document"))
    assert not (tmp_path / "out").exists()
    # with --dev 0 nothing needs splitting, so the one document is exported whole into train
    export_project(project, tmp_path / "out", ExportOptions(source="ann", passages="document", dev=0))
    assert len(read_docs(tmp_path / "out" / "train.spacy", "en")) == 1
    with pytest.raises(UserError, match="--passages: unknown value 'chapter'"):
        export_project(project, tmp_path / "other", ExportOptions(source="ann", passages="chapter"))


def test_the_export_dialog_offers_the_passages_for_spacy_only(qtbot, sample_project, tmp_path):
    from ui.export_dialog import ExportDialog

    dialog = ExportDialog(sample_project, ["alice", "bob", "carol"])
    qtbot.addWidget(dialog)
    assert dialog.passages.currentText() == ExportOptions().passages and dialog.passages.isEnabled()
    assert [dialog.passages.itemText(i) for i in range(dialog.passages.count())] == list(PASSAGE_MODES)
    dialog.format.setCurrentText("prodigy")
    assert not dialog.passages.isEnabled()
    dialog.format.setCurrentText("spacy")
    dialog.passages.setCurrentText("paragraph")
    dialog.source.setCurrentText("alice")
    dialog.out.setText(str(tmp_path / "out"))
    with qtbot.waitSignal(dialog.succeeded, timeout=60_000):
        dialog.begin()
    summary = json.loads((tmp_path / "out" / "export.json").read_text(encoding="utf-8"))
    assert summary["spacy"]["passages"] == "paragraph"
