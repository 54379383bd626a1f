"""Prodigy, doccano and CSV exports keep every span exactly as stored; Prodigy's tokens are split to fit.

Only the spaCy DocBin may move a span (and its export.json lists each move); the text formats
never do. Prodigy takes the tokens it is given, so the export splits the stored tokens at every
span edge that is not on a token boundary, and token_start / token_end stay exact.
"""

import csv
import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator import queries
from annotator.csv_cells import unescape
from annotator.importing import ImportOptions, import_path
from annotator.store import create_project
from exports import ExportOptions, export_project
from exports.prodigy_hash import set_hashes
from tests.conftest import SAMPLES
from tests.export_helpers import add_work, link

LABELS = ["SPEAKER", "QUOTE", "THREAT", "FIGURE"]


def _lines(path):
    """JSONL lines: split at "\n" only (str.splitlines would also split at U+0085 or U+2028 in a text)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def _stored(project, annotator):
    """text -> {(start, end, label)} of the annotator's spans, and text -> {(head, child, label)} of links."""
    with project.read() as session:
        documents = queries.documents(session)["id"].tolist()
        texts = dict(zip(documents, queries.document_texts(session, documents)["text"]))
        spans = queries.spans(session, annotators=[annotator])
        relations = queries.relations(session).query("annotator == @annotator")
    ends = {row.id: (row.start, row.end, row.label) for row in spans.itertuples()}
    by_text = {texts[d]: set() for d in spans["document_id"]}
    for row in spans.itertuples():
        by_text[texts[row.document_id]].add((row.start, row.end, row.label))
    links = {text: set() for text in by_text}
    for row in relations.itertuples():
        head = ends[row.head_id]
        links[texts[row.document_id]].add((head, ends[row.child_id], row.label))
    return by_text, links


def check_prodigy_line(line: dict, expected: set, expected_links: set) -> None:
    text, tokens = line["text"], line["tokens"]
    assert [t["id"] for t in tokens] == list(range(len(tokens)))
    assert all(t["text"] == text[t["start"]:t["end"]] and t["start"] < t["end"] for t in tokens)
    assert tokens[0]["start"] == 0
    for before, after in zip(tokens, tokens[1:]):  # contiguous; ws is exactly one space
        assert after["start"] == before["end"] + (1 if before["ws"] else 0)
    assert "".join(t["text"] + (" " if t["ws"] else "") for t in tokens) == text
    for s in line["spans"]:
        assert tokens[s["token_start"]]["start"] == s["start"] and tokens[s["token_end"]]["end"] == s["end"]
    assert {(s["start"], s["end"], s["label"]) for s in line["spans"]} == expected
    for r in line["relations"]:
        assert r["head_span"] in line["spans"] and r["child_span"] in line["spans"]
        assert (r["head"], r["child"]) == (r["head_span"]["token_end"], r["child_span"]["token_end"])
    assert {((r["head_span"]["start"], r["head_span"]["end"], r["head_span"]["label"]),
             (r["child_span"]["start"], r["child_span"]["end"], r["child_span"]["label"]), r["label"])
            for r in line["relations"]} == expected_links
    again = set_hashes({key: line[key] for key in ("text", "meta", "tokens", "spans", "relations")})
    assert (again["_input_hash"], again["_task_hash"]) == (line["_input_hash"], line["_task_hash"])


def check_exports(project, annotator, out, spans, links):
    """Every text format holds exactly `spans` / `links` (text -> set), and export.json says so."""
    for fmt in ("prodigy", "doccano", "csv"):
        result = export_project(project, out / fmt, ExportOptions(format=fmt, source=annotator))
        assert result.summary["notes"] == [] and result.summary["spans_exact"] is True
        assert not any(result.summary["adjusted"].values())
    prodigy = _lines(out / "prodigy" / "prodigy.jsonl")
    assert sorted(line["text"] for line in prodigy) == sorted(spans)
    for line in prodigy:
        check_prodigy_line(line, spans[line["text"]], links[line["text"]])
    for line in _lines(out / "doccano" / "doccano.jsonl"):
        assert {tuple(item) for item in line["label"]} == spans[line["text"]]
        assert {(e["start_offset"], e["end_offset"], e["label"]) for e in line["entities"]} == spans[line["text"]]
    with (out / "csv" / "documents.csv").open(encoding="utf-8", newline="") as handle:
        texts = {row["document_id"]: unescape(row["text"]) for row in csv.DictReader(handle)}
    found = {text: set() for text in texts.values()}
    with (out / "csv" / "spans.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            text, start, end = texts[row["document_id"]], int(row["start"]), int(row["end"])
            assert unescape(row["text"]) == text[start:end]
            found[text].add((start, end, unescape(row["label"])))
    assert found == spans


# --------------------------------------------------------------------------- the four cases of the issue
def _one(project, tmp_path, text, spans, links=()):
    add_work(project, tmp_path, "ann", [{"text": text, "spans": spans, "relations": list(links)}], lang="en")
    stored, stored_links = _stored(project, "ann")
    assert stored == {text: {(s["start"], s["end"], s["label"]) for s in spans}}  # the import kept them
    check_exports(project, "ann", tmp_path / "out", stored, stored_links)
    [line] = _lines(tmp_path / "out" / "prodigy" / "prodigy.jsonl")
    return line


def test_prodigy_keeps_a_span_ending_in_a_paragraph_break(project, tmp_path):
    text = (SAMPLES / "articles" / "001_a0084a4963ea0003.txt").read_text(encoding="utf-8")
    assert text[5313:5320] == "2028.\n\n"
    line = _one(project, tmp_path, text, [{"start": 5313, "end": 5320, "label": "FIGURE"}])
    [exported] = line["spans"]
    assert (exported["start"], exported["end"]) == (5313, 5320)  # was (5313, 5318)
    tokens = line["tokens"]
    assert [t["text"] for t in tokens[exported["token_start"]:exported["token_end"] + 1]] == ["2028", ".", "\n\n"]


def test_prodigy_keeps_a_one_character_span_at_the_start(project, tmp_path):
    text = "Thursday, the Kremlin said it would respond."
    line = _one(project, tmp_path, text, [{"start": 0, "end": 1, "label": "SPEAKER"}])
    [exported] = line["spans"]
    assert (exported["start"], exported["end"]) == (0, 1)  # was [0, 8]
    assert [t["text"] for t in line["tokens"][:3]] == ["T", "hursday", ","]
    assert line["tokens"][0]["ws"] is False


def test_prodigy_keeps_a_span_inside_a_word(project, tmp_path):
    text = "Putin said the West would pay."
    start = text.index("the") + 1
    line = _one(project, tmp_path, text, [{"start": start, "end": start + 1, "label": "QUOTE"}])
    [exported] = line["spans"]
    assert text[exported["start"]:exported["end"]] == "h"  # was widened to "the"
    assert [t["text"] for t in line["tokens"]][2:5] == ["t", "h", "e"]


def test_prodigy_keeps_a_span_splitting_a_combining_mark(project, tmp_path):
    text = "Le cafe\u0301 de Poutine a ferme\u0301."
    end = text.index("\u0301")  # between "e" and its accent
    line = _one(project, tmp_path, text, [{"start": 3, "end": end, "label": "SPEAKER"}])
    [exported] = line["spans"]
    assert (exported["start"], exported["end"]) == (3, end)  # was widened to the whole "café"
    assert [t["text"] for t in line["tokens"]][1:3] == ["cafe", "\u0301"]


def test_span_edges_on_the_space_between_tokens_get_a_token_of_their_own(project, tmp_path):
    text = "Putin said that Russia would respond. "
    said = text.index("said")
    quote = {"start": said + 4, "end": len(text), "label": "QUOTE"}  # " that ... respond. " with both spaces
    speaker = {"start": 0, "end": said + 4 + 1, "label": "SPEAKER"}  # "Putin said " ends after a space
    line = _one(project, tmp_path, text, [quote, speaker], [link(quote, speaker, "said_by")])
    words = [t["text"] for t in line["tokens"]]
    assert words[:4] == ["Putin", "said", " ", "that"] and words[-1] == " "
    [relation] = line["relations"]
    assert line["tokens"][relation["child"]]["end"] == said + 5


def test_the_docbin_alone_snaps_and_export_json_lists_each_change(project, tmp_path):
    text = "Thursday, the Kremlin said it would respond."
    add_work(project, tmp_path, "ann", [{"text": text, "spans": [{"start": 0, "end": 1, "label": "SPEAKER"}]}],
             lang="en")
    spacy = export_project(project, tmp_path / "spacy", ExportOptions(source="ann", dev=0))
    assert spacy.summary["adjusted"]["snapped"] == 1 and spacy.summary["spans_exact"] is False
    [note] = spacy.summary["notes"]
    assert (note["start"], note["end"], note["to"]) == (0, 1, [0, 8])
    prodigy = export_project(project, tmp_path / "prodigy", ExportOptions(format="prodigy", source="ann"))
    written = json.loads((tmp_path / "prodigy" / "export.json").read_text(encoding="utf-8"))
    assert written["spans_exact"] is True and written["notes"] == [] == prodigy.summary["notes"]
    assert "exact" in written["offsets"] and "split" in written["tokens"]


# --------------------------------------------------------------------------- any text, any span
PIECES = ["Putin", "said", "the", " ", "  ", "\r\n", "\r", "\n\n", "\t", "\u00a0", "😀", "👍🏽", "e\u0301", "cafe\u0301",
          "l'Otan", "d’armes", "qu'il", "« prêt »", "“", "”", ".", ",", "2028.", "-il", "=2+2", "'", "＝"]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(min_size=1, max_size=4)), min_size=1, max_size=30).map(
    "".join).filter(lambda t: t.strip() and "\x00" not in t)  # import refuses a NUL (tests/test_import_errors.py)


@st.composite
def documents(draw):
    text = draw(texts)
    spans = []
    for _ in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, len(text) - 1))
        spans.append({"start": start, "end": draw(st.integers(start + 1, len(text))),
                      "label": draw(st.sampled_from(LABELS))})
    quotes = [s for s in spans if s["label"] == "QUOTE"]
    speakers = [s for s in spans if s["label"] == "SPEAKER"]
    pairs = list(itertools.product(quotes, speakers))
    chosen = draw(st.lists(st.sampled_from(pairs), max_size=3)) if pairs else []
    return {"text": text, "spans": spans, "relations": [link(q, s, "said_by") for q, s in chosen]}


_counter = itertools.count()


@pytest.fixture(scope="module")
def two_projects(tmp_path_factory, databases):
    """A project the examples add to (each as a new annotator) and one the CSV folders are imported into
    (files, or two databases on the test server)."""
    folder = tmp_path_factory.mktemp("lossless")
    targets = [str(folder / name) if databases is None else databases.create() for name in ("first.db", "copy.db")]
    first, copy = map(create_project, targets)
    yield first, copy
    first.close()
    copy.close()
    if databases is not None:
        for url in targets:
            databases.drop(url)


@settings(max_examples=40, deadline=None)
@given(records=st.lists(documents(), min_size=1, max_size=3), lang=st.sampled_from(["en", "fr"]))
def test_any_span_leaves_every_text_format_exactly_as_stored(two_projects, tmp_path_factory, records, lang):
    project, copy = two_projects
    name = f"h{next(_counter)}"
    folder = tmp_path_factory.mktemp(name)
    add_work(project, folder, name, records, lang=lang)
    spans, links = _stored(project, name)
    expected = {}
    for record in records:
        expected.setdefault(record["text"], set()).update((s["start"], s["end"], s["label"]) for s in record["spans"])
    assert spans == expected
    check_exports(project, name, folder / "out", spans, links)
    import_path(copy, folder / "out" / "csv", ImportOptions(format="csv"))  # the CSV folder reads back
    assert _stored(copy, name) == (spans, links)
