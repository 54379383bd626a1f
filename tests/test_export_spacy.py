"""The spaCy export: DocBins true to the character, ents policy, links, split, config, shards."""

import json
import subprocess
import sys

import pytest
import spacy
from spacy.util import load_config

from annotator import queries
from annotator.tokens import snap
from exports import ExportCancelled, ExportOptions, export_project
from exports.split import split_documents
from tests.export_helpers import CRLF, EMOJI, add_work, exported_spans, link, project_texts, read_docs, span, tokens_of


def _all_docs(out, languages=("en", "fr")):
    docs = []
    for lang in languages:
        folder = out / lang if (out / lang).exists() else out
        docs += read_docs(folder / "train.spacy", lang) + read_docs(folder / "dev.spacy", lang)
    return docs


def test_sample_docbin_holds_every_span_at_the_projects_offsets(sample_project, tmp_path):
    result = export_project(sample_project, tmp_path / "out", ExportOptions(source="alice"))
    texts = project_texts(sample_project)
    docs = _all_docs(tmp_path / "out")
    by_document = {}
    for doc in docs:
        where = doc.user_data["document"]
        by_document.setdefault(where["id"], []).append((where["start"], doc.text))
        for s in doc.spans["sc"]:
            assert s.text == texts[where["id"]][where["start"] + s.start_char:where["start"] + s.end_char]
        assert all(e.label_ in {"SPEAKER", "FIGURE"} for e in doc.ents)
        assert {(e.start, e.end, e.label_) for e in doc.ents} <= {(s.start, s.end, s.label_) for s in doc.spans["sc"]}
        sc = {(s.start_char, s.end_char) for s in doc.spans["sc"]}
        for head_start, head_end, child_start, child_end, _ in doc.user_data["links"]:
            assert (head_start, head_end) in sc and (child_start, child_end) in sc
    # the passages of a document, joined in order, are its text exactly
    assert {doc_id: "".join(t for _, t in sorted(parts)) for doc_id, parts in by_document.items()} == texts
    with sample_project.read() as session:
        stored = queries.spans(session, annotators=["alice"])
    expected = set()
    for row in stored.itertuples():
        place = snap(texts[row.document_id], tokens_of(sample_project, row.document_id), row.start, row.end)
        expected.add((row.document_id, *place, row.label))
    assert exported_spans(docs) == expected
    assert sum(result.summary["spans"].values()) == len(expected)
    links = sum(len(doc.user_data["links"]) for doc in docs)
    with sample_project.read() as session:
        assert links == len(queries.relations(session).query("annotator == 'alice'"))
    summary = json.loads((tmp_path / "out" / "export.json").read_text(encoding="utf-8"))
    assert set(summary["spacy"]["languages"]) == {"en", "fr"}


def test_mixed_languages_get_one_export_each_with_its_own_config(sample_project, tmp_path):
    export_project(sample_project, tmp_path / "out", ExportOptions(source="bob"))
    for lang in ("en", "fr"):
        config = load_config(tmp_path / "out" / lang / "config.cfg")
        assert config["nlp"]["lang"] == lang
        assert config["nlp"]["pipeline"] == ["tok2vec", "ner", "spancat"]
        assert config["components"]["spancat"]["suggester"]["max_size"] >= 20  # quotes are long


def test_snapped_and_dropped_spans_are_reported_never_lost(project, tmp_path):
    text = "Vladimir Putin said that Russia would respond with force.\n\nNothing else."
    add_work(project, tmp_path, "ann", [{"text": text, "spans": [
        {"start": 2, "end": 12, "label": "SPEAKER"},  # "adimir Put": inside words
        {"start": 25, "end": 56, "label": "QUOTE"},  # already on tokens
        {"start": 57, "end": 59, "label": "QUOTE"},  # the blank line only
    ]}], lang="en")
    result = export_project(project, tmp_path / "out", ExportOptions(source="ann", dev=0))
    assert result.summary["adjusted"] == {"snapped": 1, "merged": 0, "dropped": 1, "not_in_ents": 0}
    notes = {note["action"]: note for note in result.summary["notes"]}
    assert notes["snapped"]["to"] == [0, 14] and notes["snapped"]["label"] == "SPEAKER"
    assert (notes["dropped"]["start"], notes["dropped"]["end"]) == (57, 59)
    docs = read_docs(tmp_path / "out" / "train.spacy", "en")
    assert {(s.text, s.label_) for d in docs for s in d.spans["sc"]} == {
        ("Vladimir Putin", "SPEAKER"), ("Russia would respond with force", "QUOTE")}


def test_overlapping_ner_spans_keep_the_longest_in_ents_and_all_in_spans(project, tmp_path):
    text = "The minister said 6,465 Ukrainian soldiers were held by Russia."
    figure, speaker = span(text, "6,465 Ukrainian soldiers", "FIGURE"), span(text, "Ukrainian soldiers", "SPEAKER")
    add_work(project, tmp_path, "ann", [{"text": text, "spans": [figure, speaker]}], lang="en")
    result = export_project(project, tmp_path / "out", ExportOptions(source="ann", dev=0))
    [doc] = read_docs(tmp_path / "out" / "train.spacy", "en")
    assert [(e.text, e.label_) for e in doc.ents] == [("6,465 Ukrainian soldiers", "FIGURE")]
    assert len(doc.spans["sc"]) == 2
    [note] = [n for n in result.summary["notes"] if n["action"] == "not_in_ents"]
    assert (note["label"], note["start"]) == ("SPEAKER", speaker["start"]) and "FIGURE" in note["reason"]


def test_emoji_and_crlf_texts_survive_with_links(project, tmp_path):
    quote = span(EMOJI, "nous frapperons", "QUOTE")
    speaker = span(EMOJI, "président", "SPEAKER")
    figure = span(EMOJI, "10 000 soldats", "FIGURE")
    crlf_quote, crlf_speaker = span(CRLF, "We will respond.", "QUOTE"), span(CRLF, "Putin", "SPEAKER")
    add_work(project, tmp_path, "ann", [
        {"text": EMOJI, "spans": [quote, speaker, figure], "relations": [link(quote, speaker, "said_by")]},
        {"text": CRLF, "spans": [crlf_quote, crlf_speaker], "relations": [link(crlf_quote, crlf_speaker, "said_by")]},
    ])
    export_project(project, tmp_path / "out", ExportOptions(source="ann", dev=0))
    docs = _all_docs(tmp_path / "out")
    texts = project_texts(project)
    assert exported_spans(docs) == {(doc_id, s["start"], s["end"], s["label"]) for doc_id, spans in
                                    zip(sorted(texts), ([quote, speaker, figure], [crlf_quote, crlf_speaker]))
                                    for s in spans}
    links = {(d.user_data["document"]["id"], d.text[h0:h1], d.text[c0:c1], label)
             for d in docs for h0, h1, c0, c1, label in d.user_data["links"]}
    assert links == {(min(texts), "nous frapperons", "président", "said_by"),
                     (max(texts), "We will respond.", "Putin", "said_by")}


def test_split_is_by_document_deterministic_and_puts_each_label_in_dev():
    labels = {i: ({"QUOTE", "SPEAKER"} if i % 2 else {"QUOTE"}) | ({"THREAT"} if i in (3, 8) else set())
              for i in range(1, 21)}
    lengths = {i: 100 + i for i in labels}
    train, dev, missing = split_documents(labels, lengths, 0.2, seed=7)
    assert (train, dev) == split_documents(labels, lengths, 0.2, seed=7)[:2]
    assert len(dev) == 4 and not set(train) & set(dev) and sorted(train + dev) == list(labels)
    assert {"QUOTE", "SPEAKER", "THREAT"} <= set().union(*(labels[d] for d in dev))
    assert missing == []
    assert split_documents(labels, lengths, 0.2, seed=8)[1] != dev or True  # another seed may differ
    one = split_documents({1: {"QUOTE"}}, {1: 5}, 0.2, seed=0)
    assert one == ([1], [], ["QUOTE"])


def test_same_seed_gives_identical_files(sample_project, tmp_path):
    for name in ("a", "b"):
        export_project(sample_project, tmp_path / name, ExportOptions(source="carol", seed=3))
    for relative in ("en/train.spacy", "en/dev.spacy", "fr/train.spacy", "en/config.cfg"):
        assert (tmp_path / "a" / relative).read_bytes() == (tmp_path / "b" / relative).read_bytes()


def test_large_splits_become_folders_of_shards_built_by_two_processes(sample_project, tmp_path):
    export_project(sample_project, tmp_path / "one", ExportOptions(source="alice", jobs=1))
    export_project(sample_project, tmp_path / "many", ExportOptions(source="alice", shard_docs=1, jobs=2))
    assert sorted(p.name for p in (tmp_path / "many" / "en" / "train.spacy").iterdir()) == ["000.spacy", "001.spacy",
                                                                                              "002.spacy"]
    one, many = _all_docs(tmp_path / "one"), _all_docs(tmp_path / "many")
    assert exported_spans(many) == exported_spans(one)
    assert sorted(d.text for d in many) == sorted(d.text for d in one)


def test_progress_counts_documents_and_cancel_leaves_nothing(sample_project, tmp_path):
    seen = []
    exports = tmp_path / "exports"
    export_project(sample_project, exports / "out", ExportOptions(source="alice"), progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (5, 5) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    for jobs, shard_docs in ((1, 2500), (2, 1)):
        polls = []

        def cancelled() -> bool:  # the user presses Cancel once the export is under way
            polls.append(None)
            return len(polls) > 2

        with pytest.raises(ExportCancelled):
            export_project(sample_project, exports / "stopped", ExportOptions(source="alice", jobs=jobs,
                                                                              shard_docs=shard_docs), cancelled=cancelled)
    assert [p.name for p in exports.iterdir()] == ["out"]


def test_spacy_debug_data_accepts_the_sample_export(sample_project, tmp_path):
    export_project(sample_project, tmp_path / "out", ExportOptions(source="majority"))
    en = tmp_path / "out" / "en"
    checked = subprocess.run(
        [sys.executable, "-m", "spacy", "debug", "data", str(en / "config.cfg"),
         "--paths.train", str(en / "train.spacy"), "--paths.dev", str(en / "dev.spacy")],
        capture_output=True, text=True, timeout=300,
    )
    assert checked.returncode == 0, checked.stdout[-3000:]


def test_spacy_trains_on_the_sample_export_and_the_pipeline_loads(sample_project, tmp_path):
    export_project(sample_project, tmp_path / "out", ExportOptions(source="alice"))
    en = tmp_path / "out" / "en"
    trained = subprocess.run(
        [sys.executable, "-m", "spacy", "train", str(en / "config.cfg"), "--output", str(tmp_path / "model"),
         "--paths.train", str(en / "train.spacy"), "--paths.dev", str(en / "dev.spacy"),
         "--training.max_steps", "20", "--training.eval_frequency", "10", "--nlp.batch_size", "16"],
        capture_output=True, text=True, timeout=600,
    )
    assert trained.returncode == 0, trained.stdout[-3000:] + trained.stderr[-3000:]
    nlp = spacy.load(tmp_path / "model" / "model-last")
    assert nlp.pipe_names == ["tok2vec", "ner", "spancat"]
    assert set(nlp.get_pipe("spancat").labels) == {"SPEAKER", "QUOTE", "THREAT", "FIGURE"}
    assert set(nlp.get_pipe("ner").labels) == {"SPEAKER", "FIGURE"}
    doc = nlp("Vladimir Putin said that Russia would respond.")
    assert "sc" in doc.spans
