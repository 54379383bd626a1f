"""Two documents with one name: the agreement report, its formats and the dashboard go by id.

Both articles are named "Reuters" (a name is not unique; the text is).  ana and ben agree on the
first and disagree on the second, so the second is the worst document: double-clicking it must
open the second, not the first document that happens to carry the name.
"""
import csv
import io
import json

import pytest
from PySide6.QtCore import Qt
from rich.console import Console

from annotator import queries
from annotator.agreement.render import to_csv, to_frame, to_html, to_json, to_tables, worst_documents
from annotator.agreement.report import OVERALL, agreement_report
from annotator.importing import ImportOptions, import_path
from tests.ui_helpers import open_window

AGREED, DISPUTED = "Putin said yes today in Moscow", "Macron replied no to Berlin"
WORK = {  # annotator -> text -> spans; the two texts share the name "Reuters"
    "ana": {AGREED: [(0, 5, "SPEAKER")], DISPUTED: [(0, 6, "SPEAKER")]},
    "ben": {AGREED: [(0, 5, "SPEAKER")], DISPUTED: [(7, 14, "SPEAKER"), (15, 17, "QUOTE")]},
}


@pytest.fixture
def twins(project, tmp_path):
    for name, docs in WORK.items():
        path = tmp_path / f"{name}.jsonl"
        path.write_text("".join(json.dumps({
            "text": text, "meta": {"name": "Reuters"}, "answer": "accept", "_annotator_id": name,
            "spans": [{"start": s, "end": e, "label": label} for s, e, label in spans],
        }) + "\n" for text, spans in docs.items()))
        import_path(project, path, ImportOptions(format="prodigy", lang="en"))
    with project.read() as session:
        documents = queries.documents(session)
    assert documents["name"].tolist() == ["Reuters", "Reuters"]
    return project


def _ids(project) -> tuple[int, int]:
    with project.read() as session:
        first, second = queries.documents(session)["id"].tolist()
    return first, second


def test_report_rows_name_their_document_by_id(twins):
    first, second = _ids(twins)
    report = agreement_report(twins)
    detail = report["documents_detail"]
    assert {d["document_id"] for d in detail} == {first, second}
    assert {d["document"] for d in detail} == {"Reuters"}  # the name stays, for readers
    overall = {d["document_id"]: d["krippendorff_alpha"] for d in detail if d["label"] == OVERALL}
    assert overall[first] == 1.0 and overall[second] < overall[first]
    assert [d["document_id"] for d in worst_documents(report)] == [second, first]


def test_json_csv_table_and_html_carry_the_id(twins):
    first, second = _ids(twins)
    report = agreement_report(twins)
    rows = json.loads(to_json(report))["documents_detail"]
    assert {(r["document_id"], r["document"]) for r in rows} == {(first, "Reuters"), (second, "Reuters")}

    frame = to_frame(report)
    documents = frame[frame["section"] == "document"]
    assert set(documents["document_id"]) == {first, second}
    assert frame.loc[frame["section"] != "document", "document_id"].isna().all()
    written = list(csv.DictReader(io.StringIO(to_csv(report), newline="")))
    assert {row["document_id"] for row in written if row["section"] == "document"} == {str(first), str(second)}
    assert {row["document_id"] for row in written if row["section"] != "document"} == {""}  # no "2.0", no "nan"

    console = Console(width=200, record=True)
    for part in to_tables(report):
        console.print(part)
    worst = console.export_text().split("Worst documents")[1].splitlines()
    assert [line.split("│")[2].strip() for line in worst if "Reuters" in line] == [str(second), str(first)]
    page = to_html(report)
    assert page.index(f"<td>Reuters</td><td>{second}</td>") < page.index(f"<td>Reuters</td><td>{first}</td>")


def test_double_click_on_the_worst_document_opens_that_document(qtbot, twins, tmp_path):
    first, second = _ids(twins)
    window = open_window(qtbot, twins, "rita", tmp_path / "settings.ini")
    qtbot.keyClick(window.view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dashboard = window.review.dashboard
    qtbot.waitUntil(lambda: dashboard.report is not None, timeout=20_000)
    qtbot.waitExposed(dashboard)
    table = dashboard.worst
    assert [table.model().index(r, 0).data() for r in range(2)] == ["Reuters", "Reuters"]
    rect = table.visualRect(table.model().index(0, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    compare = window.review.compare
    assert compare is not None and compare.isVisible()
    assert compare.document_id == second
    assert compare.text == DISPUTED
    assert compare.chooser.currentData() == second
