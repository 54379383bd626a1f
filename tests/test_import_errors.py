"""Bad input: a one-line message naming file:line and the reason, a non-zero exit, and a project
left exactly as it was."""

import json
import re

import pytest
from typer.testing import CliRunner

from cli.app import app
from annotator.importing import import_path
from tests.helpers import snapshot

TEXT = "Vladimir Putin warned on Tuesday that Russia would respond to the West."
GOOD = {"text": TEXT, "spans": [{"start": 0, "end": 14, "label": "SPEAKER"}], "answer": "accept", "_annotator_id": "ann"}


def _jsonl(*records) -> bytes:
    return b"".join((r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in records)


def _prodigy(**changes) -> dict:
    return {**GOOD, "text": TEXT + " (second)", **changes}


def _span(start, end, label="QUOTE"):
    return {"start": start, "end": end, "label": label}


CASES = {
    # name: (file name, bytes, extra CLI options, expected message part)
    "invalid json": ("bad.jsonl", _jsonl(GOOD, b'{"text": "unterminated'), [], r"bad.jsonl:2: invalid JSON"),
    "not an object": ("bad.jsonl", _jsonl(GOOD, [1, 2]), [], r"bad.jsonl:2: expected a JSON object, got a list"),
    "text missing": ("bad.jsonl", _jsonl({"meta": {}}), ["--format", "jsonl"], r"bad.jsonl:1: missing field 'text'"),
    "text wrong type": ("bad.jsonl", _jsonl(GOOD, {"text": 42}), [], r"bad.jsonl:2: field 'text' must be a string, got a number"),
    "meta wrong type": ("bad.jsonl", _jsonl({"text": "x y", "meta": ["a"]}), [], r"bad.jsonl:1: field 'meta' must be an object"),
    "spans wrong type": ("bad.jsonl", _jsonl(GOOD, _prodigy(spans={"a": 1})), [], r"bad.jsonl:2: field 'spans' must be a list"),
    "offset wrong type": ("bad.jsonl", _jsonl(GOOD, _prodigy(spans=[_span("3", 9)])), [], r"bad.jsonl:2: span 1: 'start' must be an integer, got a string"),
    "offset beyond text": ("bad.jsonl", _jsonl(GOOD, _prodigy(spans=[_span(0, 5), _span(60, 999)])), [],
                           r"bad.jsonl:2: span 2 \(QUOTE 60-999\): end 999 is beyond the text's 80 characters"),
    "offsets reversed": ("bad.jsonl", _jsonl(GOOD, _prodigy(spans=[_span(9, 3)])), [], r"bad.jsonl:2: span 1 \(QUOTE 9-3\): start 9 is not before end 3"),
    "offset negative": ("bad.jsonl", _jsonl(_prodigy(spans=[_span(-2, 3)])), [], r"bad.jsonl:1: span 1 \(QUOTE -2-3\): start -2 is negative"),
    "unknown label": ("bad.jsonl", _jsonl(GOOD, _prodigy(spans=[_span(0, 5, "QOUTE")])), [],
                      r"bad.jsonl:2: span 1 \(QOUTE 0-5\): unknown label 'QOUTE' \(the schema has SPEAKER, QUOTE, THREAT, FIGURE\)"),
    "unknown relation": ("bad.jsonl", _jsonl(_prodigy(spans=[_span(0, 14, "SPEAKER"), _span(20, 30)], relations=[
        {"head_span": _span(20, 30), "child_span": _span(0, 14, "SPEAKER"), "label": "quoted"}])), [],
        r"bad.jsonl:1: relation 'quoted': unknown relation label"),
    "relation on wrong labels": ("bad.jsonl", _jsonl(_prodigy(spans=[_span(0, 14, "FIGURE"), _span(20, 30)], relations=[
        {"head_span": _span(20, 30), "child_span": _span(0, 14, "FIGURE"), "label": "said_by"}])), [],
        r"bad.jsonl:1: relation said_by: its child is a FIGURE span, but said_by expects SPEAKER"),
    "no annotator": ("bad.jsonl", _jsonl({"text": TEXT, "spans": [], "answer": "accept"}), [],
                     r"bad.jsonl:1: no _annotator_id or _session_id .*pass --annotator NAME"),
    "bad answer": ("bad.jsonl", _jsonl(_prodigy(answer="maybe")), [], r"bad.jsonl:1: field 'answer' must be accept"),
    "doccano without annotator": ("bad.jsonl", _jsonl({"text": TEXT, "label": [[0, 14, "SPEAKER"]]}), [],
                                  r"bad.jsonl: doccano files carry no annotator name; pass --annotator NAME"),
    "doccano bad label item": ("bad.jsonl", _jsonl({"text": TEXT, "label": [[0, 14]]}), ["--annotator", "x"],
                               r"bad.jsonl:1: label 1 must be \[start, end, LABEL\]"),
    "jsonl not utf-8": ("bad.jsonl", _jsonl(GOOD, {"text": "fine"}) + b'{"text": "caf\xe9"}\n', [],
                        r"bad.jsonl:3: not UTF-8 \(byte 0xe9\)"),
    "txt not utf-8": ("bad.txt", b"Line one.\nLe caf\xe9 est chaud.\n", [], r"bad.txt:2: not UTF-8 \(byte 0xe9 at offset 16\)"),
    "csv not utf-8": ("bad.csv", b"text\nLe caf\xe9\n", [], r"bad.csv: not UTF-8"),
    "empty jsonl": ("empty.jsonl", b"", [], r"empty.jsonl: the file is empty"),
    "blank jsonl": ("blank.jsonl", b"\n\n  \n", [], r"blank.jsonl: the file is empty"),
    "empty txt": ("empty.txt", b"", [], r"empty.txt: the file is empty"),
    "empty csv": ("empty.csv", b"", [], r"empty.csv: the file is empty"),
    "csv header only": ("head.csv", b"text,id\n", [], r"head.csv: the file has a header but no rows"),
    "missing csv column": ("docs.csv", b"body,id\nSome text,1\n", [], r"docs.csv:1: no column 'text' \(columns: body, id\); choose one with --text-column"),
    "empty csv cell": ("docs.csv", b"text,id\nSome text,1\n,2\n", [], r"docs.csv:3: column 'text' is empty"),
    "unknown format": ("data.xml", b"<a/>", [], r"data.xml: cannot tell the format from the extension '.xml'; pass --format"),
    "unknown language": ("ok.jsonl", _jsonl({"text": TEXT}), ["--lang", "klingon"], r"--lang: unknown language code 'klingon'"),
    "NUL in the text": ("bad.jsonl", _jsonl(GOOD, {"text": "Putin\u0000 said"}), [],
                        r"bad.jsonl:2: the text holds a NUL character \(U\+0000\) at character 5"),
    "NUL in a txt file": ("bad.txt", b"Putin said\x00 this.\n", [], r"bad.txt:1: the text holds a NUL character"),
    "record language unknown": ("bad.jsonl", _jsonl({"text": TEXT, "meta": {"lang": "zz"}}), [], r"bad.jsonl:1: field 'lang': unknown language"),
}


@pytest.fixture
def populated(project, tmp_path):
    """A project that already holds a document, an annotator, spans and a status."""
    seed = tmp_path / "seed.jsonl"
    seed.write_bytes(_jsonl(GOOD))
    import_path(project, seed)
    return project


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_with_file_and_line_and_changes_nothing(populated, tmp_path, case):
    name, content, options, expected = CASES[case]
    path = tmp_path / name
    path.write_bytes(content)
    before = snapshot(populated)
    result = CliRunner().invoke(app, ["import", populated.url, str(path), *options])
    assert result.exit_code == 1, result.output
    message = result.stderr.strip()
    assert "\n" not in message and "Traceback" not in message
    assert message.startswith("error: ")
    assert re.search(expected, message), message
    assert snapshot(populated) == before


def test_a_bad_record_after_many_batches_rolls_back_the_whole_file(populated, tmp_path):
    good = [{"text": f"Document {i}: the minister said that {i} soldiers were there."} for i in range(1600)]
    path = tmp_path / "big.jsonl"
    path.write_bytes(_jsonl(*good, {"text": None}))
    before = snapshot(populated)
    result = CliRunner().invoke(app, ["import", populated.url, str(path)])
    assert result.exit_code == 1
    assert "big.jsonl:1601: field 'text' must be a string, got null" in result.stderr
    assert "nothing from this file was imported" in result.stderr
    assert snapshot(populated) == before


def test_a_20_mb_single_record_is_refused_clearly(populated, tmp_path):
    path = tmp_path / "huge.jsonl"
    words = "The minister said that the army would respond. " * 440_000  # about 20.7 MB
    path.write_text(json.dumps({"text": words}) + "\n", encoding="utf-8")
    assert path.stat().st_size > 20_000_000
    before = snapshot(populated)
    result = CliRunner().invoke(app, ["import", populated.url, str(path)])
    assert result.exit_code == 1
    assert "huge.jsonl:1: the text has 20,680,000 characters, more than the 1,000,000 allowed" in result.stderr
    assert "--max-chars" in result.stderr
    assert snapshot(populated) == before


def test_importing_the_same_file_again_changes_nothing(populated, tmp_path):
    path = tmp_path / "seed.jsonl"
    before = snapshot(populated)
    result = CliRunner().invoke(app, ["import", populated.url, str(path)])
    assert result.exit_code == 0
    assert "0 new documents, 1 already present, 0 spans" in result.stdout
    assert snapshot(populated) == before


def test_a_missing_path_is_reported(populated, tmp_path):
    result = CliRunner().invoke(app, ["import", populated.url, str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 1
    assert "nope.jsonl: no such file or folder" in result.stderr
