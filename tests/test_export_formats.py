"""Prodigy, doccano and CSV exports; sources (annotator, majority, gold); --all."""

import json

import pandas as pd
import pytest
from sqlalchemy import update

from annotator.errors import UserError
from annotator.importing import ImportOptions, import_path
from annotator.model import Annotator
from annotator.store import create_project
from exports import ExportOptions, available_sources, export_project
from tests.conftest import SAMPLES
from tests.export_helpers import CRLF, EMOJI, add_work, link, project_texts, span

FR = "Selon le média d'État, Poutine a déclaré qu'il devrait « élargir les relations » avec l'Otan."


def _lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _tricky_project(project, tmp_path):
    """Emoji, CRLF and French documents, with links, as `ann`'s finished work."""
    records = []
    for text, quote, speaker in ((EMOJI, "nous frapperons", "président"), (CRLF, "We will respond.", "Putin"),
                                 (FR, "élargir les relations", "Poutine")):
        q, s = span(text, quote, "QUOTE"), span(text, speaker, "SPEAKER")
        records.append({"text": text, "spans": [q, s], "relations": [link(q, s, "said_by")]})
    add_work(project, tmp_path, "ann", records)
    return records


@pytest.mark.parametrize("source", ["alice", "majority"])
def test_prodigy_round_trip_is_lossless(fresh_target, sample_project, tmp_path, source):
    first = export_project(sample_project, tmp_path / "first", ExportOptions(format="prodigy", source=source))
    copy = create_project(fresh_target("copy.db"), SAMPLES / "labels.toml")
    import_path(copy, tmp_path / "first" / "prodigy.jsonl")
    second = export_project(copy, tmp_path / "second", ExportOptions(format="prodigy", source=first.summary["annotator"]))
    copy.close()
    assert (tmp_path / "first" / "prodigy.jsonl").read_bytes() == (tmp_path / "second" / "prodigy.jsonl").read_bytes()
    assert first.summary["spans"] == second.summary["spans"] and sum(first.summary["spans"].values()) > 100


def test_prodigy_lines_have_db_out_fields(project, tmp_path):
    _tricky_project(project, tmp_path)
    export_project(project, tmp_path / "out", ExportOptions(format="prodigy", source="ann"))
    lines = _lines(tmp_path / "out" / "prodigy.jsonl")
    assert sorted(line["text"] for line in lines) == sorted([EMOJI, CRLF, FR])  # in document (import) order
    for line in lines:
        assert list(line) == ["text", "meta", "tokens", "spans", "relations", "_input_hash", "_task_hash",
                              "answer", "_annotator_id", "_session_id"]
        text, tokens = line["text"], line["tokens"]
        assert all(t["text"] == text[t["start"]:t["end"]] for t in tokens)
        assert [t["id"] for t in tokens] == list(range(len(tokens)))
        rebuilt = "".join(t["text"] + (text[t["end"]:tokens[i + 1]["start"]] if i + 1 < len(tokens) else "")
                          for i, t in enumerate(tokens))
        assert rebuilt == text[tokens[0]["start"]:]
        for s in line["spans"]:
            assert (tokens[s["token_start"]]["start"], tokens[s["token_end"]]["end"]) == (s["start"], s["end"])
        [relation] = line["relations"]
        assert relation["head"] == relation["head_span"]["token_end"] and relation["label"] == "said_by"
        assert relation["child_span"]["label"] == "SPEAKER"
        assert (line["answer"], line["_annotator_id"], line["_session_id"]) == ("accept", "ann", "ann")
        assert isinstance(line["_input_hash"], int) and isinstance(line["_task_hash"], int)
    assert {line["text"]: line["meta"]["lang"] for line in lines} == {EMOJI: "fr", CRLF: "en", FR: "fr"}
    assert len({line["_input_hash"] for line in lines}) == 3


def test_doccano_keeps_offsets_and_relations(fresh_target, project, tmp_path):
    records = _tricky_project(project, tmp_path)
    export_project(project, tmp_path / "out", ExportOptions(format="doccano", source="ann"))
    lines = _lines(tmp_path / "out" / "doccano.jsonl")
    by_text = {record["text"]: record for record in records}
    assert sorted(line["text"] for line in lines) == sorted(by_text)
    for line in lines:
        record = by_text[line["text"]]
        assert sorted(map(tuple, line["label"])) == sorted((s["start"], s["end"], s["label"]) for s in record["spans"])
        entities = {e["id"]: e for e in line["entities"]}
        [relation] = line["relations"]
        head, child = entities[relation["from_id"]], entities[relation["to_id"]]
        assert (head["label"], child["label"], relation["type"]) == ("QUOTE", "SPEAKER", "said_by")
    copy = create_project(fresh_target("copy.db"))  # doccano's format reads back in
    import_path(copy, tmp_path / "out" / "doccano.jsonl", ImportOptions(format="doccano", annotator="ann"))
    export_project(copy, tmp_path / "again", ExportOptions(format="doccano", source="ann"))
    copy.close()
    assert (tmp_path / "out" / "doccano.jsonl").read_bytes() == (tmp_path / "again" / "doccano.jsonl").read_bytes()


def test_csv_rows_hold_the_span_text_and_escape_formulas(project, tmp_path):
    _tricky_project(project, tmp_path)
    text = "=HYPERLINK(evil) @mention and -il said +1 now."
    add_work(project, tmp_path, "ann", [{"text": text, "spans": [span(text, "=HYPERLINK(evil)", "QUOTE"),
                                                                   span(text, "-il", "SPEAKER"),
                                                                   span(text, "@mention", "SPEAKER")]}], lang="en")
    export_project(project, tmp_path / "out", ExportOptions(format="csv", source="ann"))
    frame = pd.read_csv(tmp_path / "out" / "spans.csv", dtype=str, keep_default_na=False)
    assert list(frame.columns) == ["span_id", "document_id", "document", "annotator", "label", "start", "end", "text"]
    texts = project_texts(project)
    for row in frame.itertuples():
        expected = texts[int(row.document_id)][int(row.start):int(row.end)]
        assert row.text == ("'" + expected if expected[0] in "=+-@'" else expected)
    assert {"'=HYPERLINK(evil)", "'-il", "'@mention", "nous frapperons", "We will respond."} <= set(frame["text"])
    assert len(frame) == 9


def _three_annotators(project, tmp_path):
    text = "Vladimir Putin said that Russia would respond with force, the Kremlin added."
    putin, kremlin = span(text, "Vladimir Putin", "SPEAKER"), span(text, "Kremlin", "SPEAKER")
    quote = span(text, "Russia would respond with force", "QUOTE")
    add_work(project, tmp_path, "a", [{"text": text, "spans": [putin, quote], "relations": [link(quote, putin, "said_by")]}], "en")
    add_work(project, tmp_path, "b", [{"text": text, "spans": [putin, quote, kremlin],
                                       "relations": [link(quote, putin, "said_by")]}], "en")
    add_work(project, tmp_path, "c", [{"text": text, "spans": [kremlin]}], "en")
    unfinished = "Another article, not finished by anyone: Macron said nothing."
    import_path(project, _write(tmp_path / "plain.jsonl", {"text": unfinished}))
    return text


def _write(path, record):
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    return path


def test_majority_keeps_what_more_than_half_of_the_finishers_marked(project, tmp_path):
    text = _three_annotators(project, tmp_path)
    result = export_project(project, tmp_path / "out", ExportOptions(format="prodigy", source="majority"))
    [line] = _lines(tmp_path / "out" / "prodigy.jsonl")
    assert {(text[s["start"]:s["end"]], s["label"]) for s in line["spans"]} == {
        ("Vladimir Putin", "SPEAKER"), ("Russia would respond with force", "QUOTE"), ("Kremlin", "SPEAKER")}
    assert [r["label"] for r in line["relations"]] == ["said_by"]
    assert result.summary["documents"] == 1 and line["_annotator_id"] == "majority"
    everything = export_project(project, tmp_path / "all", ExportOptions(format="csv", source="majority",
                                                                         all_documents=True))
    assert everything.summary["documents"] == 2


def test_gold_source_exports_the_gold_annotator_or_says_how_to_make_one(project, tmp_path):
    _three_annotators(project, tmp_path)
    with project.read() as session:
        assert available_sources(session) == ["majority", "a", "b", "c"]
    with pytest.raises(UserError, match="no gold set yet.*annotator adjudicate"):
        export_project(project, tmp_path / "out", ExportOptions(format="csv", source="gold"))
    with project.transaction() as session:
        session.execute(update(Annotator).where(Annotator.name == "c").values(role="gold"))
    with project.read() as session:
        assert available_sources(session) == ["gold", "majority", "a", "b"]
    result = export_project(project, tmp_path / "out", ExportOptions(format="csv", source="gold"))
    assert result.summary["annotator"] == "c" and result.summary["spans"]["SPEAKER"] == 1


def test_refusals_are_one_line_and_write_nothing(project, tmp_path):
    _three_annotators(project, tmp_path)
    cases = [
        (ExportOptions(source="zed"), "no annotator named 'zed'"),
        (ExportOptions(source="a", labels=["NOPE"]), "unknown label 'NOPE'"),
        (ExportOptions(source="a", format="xml"), "unknown format 'xml'"),
        (ExportOptions(source="a", components=["parser"]), "unknown component 'parser'"),
        (ExportOptions(source="a", labels=["QUOTE"], components=["ner"]), "none of the exported labels is marked ner"),
        (ExportOptions(source="a", dev=1.5), "--dev"),
    ]
    for options, message in cases:
        with pytest.raises(UserError, match=message) as raised:
            export_project(project, tmp_path / "out", options)
        assert "\n" not in str(raised.value)
    assert not (tmp_path / "out").exists()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(UserError, match="not an empty folder"):
        export_project(project, tmp_path / "full", ExportOptions(source="a"))
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["keep.txt"]


def test_nothing_finished_is_a_clear_error(project, tmp_path):
    import_path(project, _write(tmp_path / "plain.jsonl", {"text": "Macron said nothing at all."}))
    with pytest.raises(UserError, match="no annotator has finished any document yet.*--all"):
        export_project(project, tmp_path / "out", ExportOptions(source="majority"))


def test_gold_made_by_adjudication_exports_and_stays_out_of_the_majority(sample_project, tmp_path):
    from annotator import queries
    from annotator.review.adjudication import copy_links, mark_gold_done, premerge_unanimous

    before = export_project(sample_project, tmp_path / "majority-before", ExportOptions(format="prodigy", source="majority"))
    with sample_project.read() as session:
        documents = queries.documents(session)["id"].tolist()
    for document in documents:
        premerge_unanimous(sample_project, document, "dana")
        copy_links(sample_project, document, "dana")
        mark_gold_done(sample_project, document, "dana")
    gold = export_project(sample_project, tmp_path / "gold", ExportOptions(format="csv", source="gold"))
    with sample_project.read() as session:
        stored = queries.spans(session, annotators=["gold"])
    frame = pd.read_csv(tmp_path / "gold" / "spans.csv", dtype={"text": str}, keep_default_na=False)
    assert sorted(zip(frame["document_id"], frame["start"], frame["end"], frame["label"])) == sorted(
        zip(stored["document_id"], stored["start"], stored["end"], stored["label"]))
    assert gold.summary["documents"] == 5 and len(stored) > 50
    after = export_project(sample_project, tmp_path / "majority-after", ExportOptions(format="prodigy", source="majority"))
    assert (tmp_path / "majority-before" / "prodigy.jsonl").read_bytes() == (
        tmp_path / "majority-after" / "prodigy.jsonl").read_bytes()
    assert before.summary["spans"] == after.summary["spans"]


def test_the_exports_lean_read_of_an_annotators_work_matches_the_general_queries(sample_project):
    from annotator import queries

    with sample_project.read() as session:
        spans, links = queries.annotator_work(session, "bob")
        expected_spans = queries.spans(session, annotators=["bob"])
        expected_links = queries.relations(session).query("annotator == 'bob'")
    columns = ["id", "document_id", "label", "start", "end"]
    assert len(spans) > 50 and len(links) > 5
    assert sorted(spans[columns].itertuples(index=False)) == sorted(expected_spans[columns].itertuples(index=False))
    columns = ["document_id", "head_id", "child_id", "label"]
    assert sorted(links[columns].itertuples(index=False)) == sorted(expected_links[columns].itertuples(index=False))
