"""The CSV export is a folder that `import --format csv` reads back; every CSV the tool writes is safe to open."""

import csv
import io
import json
import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from annotator import queries
from annotator.agreement.render import to_csv, to_frame
from annotator.agreement.report import agreement_report
from cli.app import app
from annotator.commands import set_status
from annotator.csv_cells import FORMULA_STARTS, escape, unescape
from annotator.errors import UserError
from annotator.importing import ImportOptions, import_path
from annotator.store import create_project
from exports import ExportOptions, export_project
from tests.conftest import SAMPLES
from tests.export_helpers import add_work, span
from tests.helpers import snapshot

TABLES = ("documents.csv", "spans.csv", "links.csv")
NASTY = ["=2+2", "+1", "-il", "@x", "\tcmd", "\r=2+2", "\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20x", "'quoted"]


def _work(project, annotator):
    """Everything an annotator has, keyed by document text (ids differ between projects)."""
    with project.read() as session:
        documents = queries.documents(session)
        texts = dict(zip(documents["id"], queries.document_texts(session, documents["id"].tolist())["text"]))
        spans = queries.spans(session, annotators=[annotator])
        relations = queries.relations(session).query("annotator == @annotator")
        statuses = queries.statuses(session).query("annotator == @annotator")
        rows = queries.document_texts(session, documents["id"].tolist())
    ends = {row.id: (texts[row.document_id], row.start, row.end, row.label) for row in spans.itertuples()}
    status = dict(zip(statuses["document_id"], statuses["status"]))
    return {
        "documents": sorted((row.name, row.text, row.lang, json.dumps(row.meta or {}, sort_keys=True))
                            for row in rows.itertuples()),
        "spans": sorted(ends.values()),
        "links": sorted((ends[r.head_id], ends[r.child_id], r.label) for r in relations.itertuples()),
        "statuses": sorted((texts[d], status.get(d, "todo")) for d in texts),
    }


def _copy(fresh_target, name="copy.db"):
    return create_project(fresh_target(name), SAMPLES / "labels.toml")


def _rows(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _write_rows(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)


# --------------------------------------------------------------------------- round trip
def test_csv_export_imports_back_with_every_span_link_annotator_and_status(fresh_target, sample_project, tmp_path):
    set_status(sample_project, 2, "alice", "in_progress")
    set_status(sample_project, 3, "alice", "skipped")
    set_status(sample_project, 4, "alice", "todo")
    first = export_project(sample_project, tmp_path / "first", ExportOptions(format="csv", source="alice",
                                                                             all_documents=True))
    assert sorted(p.name for p in (tmp_path / "first").iterdir()) == ["documents.csv", "export.json", "links.csv",
                                                                      "spans.csv"]
    assert first.summary["csv"]["files"] == list(TABLES)
    copy = _copy(fresh_target)
    result = import_path(copy, tmp_path / "first")  # a folder holding documents.csv is this form
    assert result.format == "csv" and result.documents_added == 5
    before, after = _work(sample_project, "alice"), _work(copy, "alice")
    assert len(before["spans"]) > 100 and len(before["links"]) > 10
    assert {s for _, s in before["statuses"]} == {"done", "in_progress", "skipped", "todo"}
    assert after == before
    with copy.read() as session:
        assert queries.annotators(session)["name"].tolist() == ["alice"]
    export_project(copy, tmp_path / "second", ExportOptions(format="csv", source="alice", all_documents=True))
    copy.close()
    for name in TABLES:
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes()


def test_the_cli_imports_the_export_folder_with_format_csv(fresh_target, sample_project, tmp_path):
    export_project(sample_project, tmp_path / "out", ExportOptions(format="csv", source="bob"))
    copy = _copy(fresh_target)
    copy.close()
    result = CliRunner().invoke(app, ["import", copy.url, str(tmp_path / "out"), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "(csv)" in result.stdout and "done: bob 5" in result.stdout


def test_annotator_option_renames_the_work_of_a_single_annotator_folder(fresh_target, sample_project, tmp_path):
    export_project(sample_project, tmp_path / "out", ExportOptions(format="csv", source="carol"))
    copy = _copy(fresh_target)
    import_path(copy, tmp_path / "out", ImportOptions(format="csv", annotator="zoe"))
    assert _work(copy, "zoe") == _work(sample_project, "carol")
    with copy.read() as session:
        assert queries.annotators(session)["name"].tolist() == ["zoe"]
    copy.close()


def _two_annotators(sample_project, tmp_path):
    """One folder holding alice's and bob's work, span ids renumbered (a hand-assembled folder)."""
    for who in ("alice", "bob"):
        export_project(sample_project, tmp_path / who, ExportOptions(format="csv", source=who))
    folder = tmp_path / "both"
    folder.mkdir()
    alice, bob = ({name: _rows(tmp_path / who / name) for name in TABLES} for who in ("alice", "bob"))
    shift = len(alice["spans.csv"]) - 1
    bob["spans.csv"] = [bob["spans.csv"][0]] + [[str(int(r[0]) + shift), *r[1:]] for r in bob["spans.csv"][1:]]
    bob["links.csv"] = [bob["links.csv"][0]] + [[*r[:3], str(int(r[3]) + shift), str(int(r[4]) + shift), *r[5:]]
                                                for r in bob["links.csv"][1:]]
    for name in TABLES:
        _write_rows(folder / name, alice[name] + bob[name][1:])
    return folder


def test_a_folder_of_several_annotators_imports_each_one(fresh_target, sample_project, tmp_path):
    folder = _two_annotators(sample_project, tmp_path)
    copy = _copy(fresh_target)
    result = import_path(copy, folder, ImportOptions(format="csv"))
    assert result.finished == {"alice": 5, "bob": 5} and result.documents_added == 5
    for who in ("alice", "bob"):
        assert _work(copy, who) == _work(sample_project, who)
    copy.close()


def test_annotator_option_is_refused_for_a_folder_of_several_annotators(fresh_target, sample_project, tmp_path):
    folder = _two_annotators(sample_project, tmp_path)
    copy = _copy(fresh_target)
    before = snapshot(copy)
    first_bob = next(i for i, row in enumerate(_rows(folder / "spans.csv"), start=1) if row[3] == "bob")
    with pytest.raises(UserError) as refused:
        import_path(copy, folder, ImportOptions(format="csv", annotator="zoe"))
    message = str(refused.value)
    assert f"spans.csv:{first_bob}: " in message
    assert "2 annotators (alice, bob)" in message and "--annotator" in message
    assert snapshot(copy) == before
    copy.close()


# --------------------------------------------------------------------------- refusals, with true file:line
def test_a_spans_table_given_as_articles_is_refused(fresh_target, sample_project, tmp_path):
    export_project(sample_project, tmp_path / "out", ExportOptions(format="csv", source="alice"))
    copy = _copy(fresh_target)
    before = snapshot(copy)
    for name in TABLES:
        with pytest.raises(UserError) as refused:
            import_path(copy, tmp_path / "out" / name)
        message = str(refused.value)
        assert message.startswith(f"{tmp_path / 'out' / name}:1: ")
        assert "--format csv" in message and str(tmp_path / "out") in message
    handmade = tmp_path / "spans-by-hand.csv"
    handmade.write_text("document_id,label,start,end,text\n1,QUOTE,0,5,Putin\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"spans-by-hand.csv:1: .*spans.*not articles.*--format csv"):
        import_path(copy, handmade)
    assert snapshot(copy) == before
    copy.close()
    result = CliRunner().invoke(app, ["import", copy.url, str(tmp_path / "out" / "spans.csv")])
    assert result.exit_code == 1 and result.stderr.count("\n") == 1 and "Traceback" not in result.output


def _line_of(rows, index):
    """The line on which rows[index] starts once written: texts hold line breaks."""
    written = io.StringIO()
    csv.writer(written, lineterminator="\r\n").writerows(rows[:index])
    return written.getvalue().count("\n") + 1


@pytest.mark.parametrize("table, row, column, value, message", [
    ("spans.csv", 3, 6, "999999", r"span 3 \(\w+ \d+-999999\): end 999999 is beyond the text's \d+ characters"),
    ("spans.csv", 2, 5, "x", r"span 2: 'start' must be a whole number, got 'x'"),
    ("spans.csv", 5, 7, "other words", r"span 5: its text 'other words' is not the document's text at \d+-\d+"),
    ("spans.csv", "unlinked", 1, "77", r"span \d+: document 77 is not in documents.csv"),
    ("links.csv", 2, 4, "123456", r"child_span_id 123456 is not a span of spans.csv"),
    ("documents.csv", 2, 4, "finished", r"status 'finished' is unknown; use one of todo, in_progress, done, skipped"),
    ("documents.csv", 3, 6, "{not json", r"column 'meta' must hold a JSON object"),
    ("documents.csv", 1, 2, "xx-nope", r"field 'lang'"),
])
def test_a_bad_cell_names_its_file_and_line(fresh_target, sample_project, tmp_path, table, row, column, value, message):
    export_project(sample_project, tmp_path / "out", ExportOptions(format="csv", source="alice"))
    folder = tmp_path / "out"
    rows = _rows(folder / table)
    if row == "unlinked":  # a span no link names (else the link's check speaks first)
        linked = {cell for link in _rows(folder / "links.csv")[1:] for cell in link[3:5]}
        row = next(i for i, r in enumerate(rows) if i and r[0] not in linked)
    rows[row][column] = value
    _write_rows(folder / table, rows)
    copy = _copy(fresh_target)
    before = snapshot(copy)
    where = re.escape(str(folder / table))
    with pytest.raises(UserError, match=rf"^{where}:{_line_of(rows, row)}: {message}") as refused:
        import_path(copy, folder, ImportOptions(format="csv"))
    assert "\n" not in str(refused.value)
    assert snapshot(copy) == before
    copy.close()


def test_an_unknown_label_names_the_line_of_its_document(fresh_target, sample_project, tmp_path):
    export_project(sample_project, tmp_path / "out", ExportOptions(format="csv", source="alice"))
    folder = tmp_path / "out"
    spans = _rows(folder / "spans.csv")
    spans[1][4] = "QOUTE"
    _write_rows(folder / "spans.csv", spans)
    documents = _rows(folder / "documents.csv")
    index = next(i for i, row in enumerate(documents) if row[0] == spans[1][1])
    where = re.escape(str(folder / "documents.csv"))
    copy = _copy(fresh_target)
    with pytest.raises(UserError, match=rf"^{where}:{_line_of(documents, index)}: span 1 \(QOUTE \d+-\d+\): unknown"):
        import_path(copy, folder, ImportOptions(format="csv"))
    copy.close()


def test_line_numbers_count_the_line_breaks_inside_texts(fresh_target, project, tmp_path):
    texts = ["First article.\r\nIt has\r\nthree lines.", "Second\rarticle, a bare return.", "Third\n\n\narticle."]
    records = [{"text": t, "spans": [{"start": 0, "end": 5, "label": "QUOTE"}]} for t in texts]
    add_work(project, tmp_path, "ann", records, lang="en")
    export_project(project, tmp_path / "out", ExportOptions(format="csv", source="ann"))
    rows = _rows(tmp_path / "out" / "documents.csv")
    rows[3][4] = "nope"  # the third article starts on line 1 (header) + 3 + 1 + 1 = line 6
    _write_rows(tmp_path / "out" / "documents.csv", rows)
    copy = _copy(fresh_target)
    with pytest.raises(UserError, match=r"documents.csv:6: status 'nope'"):
        import_path(copy, tmp_path / "out", ImportOptions(format="csv"))
    copy.close()


def test_a_folder_without_documents_csv_is_refused_as_csv(project, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Putin said so.", encoding="utf-8")
    with pytest.raises(UserError, match=r"no documents.csv in this folder"):
        import_path(project, tmp_path / "in", ImportOptions(format="csv"))


# --------------------------------------------------------------------------- formula injection, bare returns
@given(st.text())
def test_the_cell_rule_is_reversible_and_never_starts_a_formula(value):
    assert unescape(escape(value)) == value
    assert not escape(value).startswith(FORMULA_STARTS)


def _unsafe(cell: str) -> bool:
    return cell.startswith(FORMULA_STARTS)


def test_every_cell_of_the_csv_export_is_safe_and_reads_back_exactly(fresh_target, project, tmp_path):
    records = []
    for i, nasty in enumerate(NASTY):
        text = f"{nasty} said Putin on day {i}.\rThen =2+2 and\r@x after bare returns."
        records.append({"text": text, "meta": {"name": nasty, "note": nasty},
                        "spans": [span(text, nasty, "SPEAKER"), span(text, "Putin", "SPEAKER"),
                                  span(text, ".\rThen =2+2", "QUOTE"), span(text, "\r@x", "QUOTE")],
                        "relations": [{"head_span": span(text, ".\rThen =2+2", "QUOTE"),
                                       "child_span": span(text, nasty, "SPEAKER"), "label": "said_by"}]})
    ten = "A text whose spans end in bare returns:" + "".join(f" part {i}\r=2+2" for i in range(10))
    records.append({"text": ten, "meta": {"name": "ten"},
                    "spans": [span(ten, f"part {i}\r=2+2", "QUOTE") for i in range(10)]})
    add_work(project, tmp_path, "=HYPERLINK(evil)", records, lang="en")
    export_project(project, tmp_path / "out", ExportOptions(format="csv", source="=HYPERLINK(evil)"))
    counts = {"documents.csv": len(records), "spans.csv": 4 * len(NASTY) + 10, "links.csv": len(NASTY)}
    for name, count in counts.items():
        path = tmp_path / "out" / name
        rows = _rows(path)
        assert len(rows) == count + 1 and len({len(row) for row in rows}) == 1
        assert len(pd.read_csv(path, dtype=str, keep_default_na=False)) == count
        assert not [cell for row in rows for cell in row if _unsafe(cell)]
    spans = pd.read_csv(tmp_path / "out" / "spans.csv", dtype=str, keep_default_na=False)
    assert (spans["annotator"] == "'=HYPERLINK(evil)").all()
    assert {"'=2+2", "'+1", "'-il", "'@x", "'\tcmd", "'\uff1d1+1", "''quoted", "'\r@x"} <= set(spans["text"])
    assert len(spans[spans["document"] == "ten"]) == 10
    copy = create_project(fresh_target("copy.db"))
    import_path(copy, tmp_path / "out", ImportOptions(format="csv"))
    assert _work(copy, "=HYPERLINK(evil)") == _work(project, "=HYPERLINK(evil)")
    copy.close()


def test_agreement_csv_neutralises_formula_names_and_quotes_bare_returns(project, tmp_path):
    text = "Vladimir Putin said that Russia would respond with force, the Kremlin added."
    putin, quote = span(text, "Vladimir Putin", "SPEAKER"), span(text, "Russia would respond", "QUOTE")
    kremlin = span(text, "Kremlin", "SPEAKER")
    names = ["=2+2", "+1", "@x", "-il", "'quoted"]
    for i, name in enumerate(names):
        add_work(project, tmp_path, name, [{"text": text, "meta": {"name": "=HYPERLINK(doc)\r=1+1"},
                                            "spans": [putin, quote] + ([kremlin] if i % 2 else [])}], lang="en")
    report = agreement_report(project)
    written = to_csv(report)
    rows = list(csv.reader(io.StringIO(written, newline="")))
    frame = to_frame(report)
    assert len(rows) == len(frame) + 1 == len(pd.read_csv(io.StringIO(written))) + 1
    header = rows[0]
    text_columns = [header.index(c) for c in ("section", "a", "b", "document", "label")]
    assert not [row[i] for row in rows for i in text_columns if _unsafe(row[i])]
    pairs = [row for row in rows if row[0] == "pair"]
    assert {(unescape(r[1]), unescape(r[2])) for r in pairs} >= {("=2+2", "+1"), ("@x", "-il")}
    assert {unescape(row[3]) for row in rows if row[0] == "document"} == {"=HYPERLINK(doc)\r=1+1"}
    measures = pd.read_csv(io.StringIO(written))[["krippendorff_alpha", "span_f1_exact"]]
    assert measures.dtypes.map(lambda d: d.kind == "f").all()  # numbers stay numbers
