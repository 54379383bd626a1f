"""Reviewer windows on the sample project (alice, bob, carol finished all five): the agreement
dashboard and the compare / adjudicate view, driven by keys and clicks, checked against the DB."""

import pytest
from PySide6.QtCore import QThreadPool, Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select
from sqlalchemy.orm import aliased

from annotator import queries
from annotator.review.adjudication import compare_document
from annotator.agreement.render import worst_documents
from annotator.agreement.report import LABEL_MEASURES, OVERALL, agreement_report
from annotator.changes import Change, frozen
from annotator.model import Annotator, DocumentStatus, Label, Span, utcnow
from tests.helpers import snapshot
from tests.ui_helpers import open_window, when_modal
from ui.agreement_models import shown

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
REVIEWER = "rita"


@pytest.fixture
def window(qtbot, sample_project, tmp_path):
    return open_window(qtbot, sample_project, REVIEWER, tmp_path / "settings.ini")


def open_dashboard(qtbot, window):
    qtbot.keyClick(window.view, Qt.Key.Key_A, CTRL | SHIFT)
    dashboard = window.review.dashboard
    assert dashboard is not None and dashboard.isVisible()
    qtbot.waitUntil(lambda: dashboard.report is not None, timeout=20_000)
    qtbot.waitExposed(dashboard)
    return dashboard


def open_compare(qtbot, window):
    qtbot.keyClick(window.view, Qt.Key.Key_C, CTRL | SHIFT)
    compare = window.review.compare
    assert compare is not None and compare.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is compare)  # its keys work once it is active
    return compare


def gold(project, document_id):
    """(label, start, end, reviewer name) of the document's gold spans."""
    owner, reviewer = aliased(Annotator), aliased(Annotator)
    with project.read() as session:
        rows = session.execute(
            select(Label.name, Span.start, Span.end, reviewer.name)
            .join(owner, owner.id == Span.annotator_id).join(Label, Label.id == Span.label_id)
            .outerjoin(reviewer, reviewer.id == Span.reviewer_id)
            .where(owner.name == "gold", Span.document_id == document_id)).all()
    return set(map(tuple, rows))


def agreed_by(project, document_id, k):
    """Independently of the window: (label, start, end) that at least k annotators marked alike."""
    with project.read() as session:
        frame = queries.spans(session, [document_id])
    frame = frame[frame["annotator"] != "gold"]
    counts = frame.groupby(["label", "start", "end"])["annotator"].nunique()
    return {(label, int(s), int(e)) for (label, s, e) in counts[counts >= k].index}


def click_row(qtbot, table, row):
    table.scrollTo(table.model().index(row, 1))
    rect = table.visualRect(table.model().index(row, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert table.currentIndex().row() == row


def test_dashboard_computes_off_the_ui_thread_and_shows_the_report(qtbot, window, sample_project):
    qtbot.keyClick(window.view, Qt.Key.Key_A, CTRL | SHIFT)
    dashboard = window.review.dashboard
    assert dashboard.report is None and "Computing" in dashboard.summary.text()  # not computed in the click
    qtbot.waitUntil(lambda: dashboard.report is not None, timeout=20_000)
    expected = agreement_report(sample_project)
    assert "5 documents finished by all of alice, bob, carol" in dashboard.summary.text()

    labels = dashboard.labels_model
    shown_rows = {labels.index(r, 0).data(): [labels.index(r, c + 1).data() for c in range(len(LABEL_MEASURES))]
                  for r in range(labels.rowCount())}
    assert shown_rows == {label: [shown(values[m]) for m in LABEL_MEASURES]
                          for label, values in expected["labels"].items()}
    assert "—" not in shown_rows[OVERALL]

    names = expected["annotators"]
    heat = dashboard.heatmap_model
    for measure_index, measure in enumerate(("span_f1_exact", "span_f1_overlap", "cohen_kappa")):
        dashboard.measure.setFocus()
        dashboard.measure.setCurrentIndex(measure_index)
        pairs = {(p["a"], p["b"]): p[measure] for p in expected["pairs"] if p["label"] == OVERALL}
        for i, a in enumerate(names):
            for j, b in enumerate(names):
                if i < j:
                    assert heat.index(i, j).data() == heat.index(j, i).data() == shown(pairs[a, b])
                    assert heat.index(i, j).data(Qt.ItemDataRole.BackgroundRole) is not None

    worst = dashboard.worst_model
    assert [worst.index(r, 0).data() for r in range(worst.rowCount())] == \
        [d["document"] for d in worst_documents(expected, 20)]


def test_double_click_on_a_worst_document_opens_it_in_the_compare_view(qtbot, window, sample_project):
    dashboard = open_dashboard(qtbot, window)
    table = dashboard.worst
    row = 1
    name = table.model().index(row, 0).data()
    rect = table.visualRect(table.model().index(row, 0))
    assert rect.isValid(), rect
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    compare = window.review.compare
    assert compare is not None and compare.isVisible()
    with sample_project.read() as session:
        documents = queries.documents(session)
    assert compare.document_id == int(documents.loc[documents["name"] == name, "id"].iloc[0])
    assert compare.chooser.currentText() == name
    assert list(compare.lanes.lanes) == ["alice", "bob", "carol", "gold"]
    # every candidate of compare_document is listed once, and disputed spans are framed in their lane
    frame = compare_document(sample_project, compare.document_id)
    assert {r.key for r in compare.model.rows()} == set(zip(frame["label"], frame["start"], frame["end"]))
    for name in ("alice", "bob", "carol"):
        mine = frame[frame["annotator"] == name]
        assert compare.lanes.lanes[name].view.disputed == set(mine.loc[~mine["unanimous"], "id"])


def test_accept_a_span_records_the_reviewer_and_undo_restores_the_file(qtbot, window, sample_project):
    compare = open_compare(qtbot, window)
    document = compare.document_id
    assert document == window.current_document()
    rows = compare.model.rows()
    row = next(i for i, r in enumerate(rows) if not r.unanimous)  # a disagreement to settle
    candidate = rows[row]
    before = snapshot(sample_project)
    click_row(qtbot, compare.table, row)
    qtbot.keyClick(compare.table, Qt.Key.Key_A)
    assert gold(sample_project, document) == {(*candidate.key, REVIEWER)}
    assert compare.model.rows()[row].gold_id is not None
    assert compare.lanes.lanes["gold"].view._spans  # gold's lane shows it
    after = snapshot(sample_project)
    qtbot.keyClick(compare.table, Qt.Key.Key_A)  # twice: refused, nothing changes
    assert "already holds" in compare.statusBar().currentMessage()
    assert snapshot(sample_project) == after
    qtbot.keyClick(compare.table, Qt.Key.Key_Z, CTRL)
    assert snapshot(sample_project) == before
    assert all(r.gold_id is None for r in compare.model.rows())
    qtbot.keyClick(compare.table, Qt.Key.Key_Z, CTRL | SHIFT)
    assert snapshot(sample_project) == after


def test_accept_every_span_k_annotators_agree_on(qtbot, window, sample_project):
    compare = open_compare(qtbot, window)
    document = compare.document_id
    before = snapshot(sample_project)
    compare.k.setFocus()
    compare.k.selectAll()
    qtbot.keyClicks(compare.k, "3")
    assert compare.k.value() == 3
    compare.table.setFocus()
    qtbot.keyClick(compare.table, Qt.Key.Key_K)
    three = agreed_by(sample_project, document, 3)
    assert three and {g[:3] for g in gold(sample_project, document)} == three
    assert {g[3] for g in gold(sample_project, document)} == {REVIEWER}
    compare.k.setValue(2)
    qtbot.keyClick(compare.table, Qt.Key.Key_K)  # adds the spans two agree on; the three-way ones stay
    two = agreed_by(sample_project, document, 2)
    assert two > three and {g[:3] for g in gold(sample_project, document)} == two
    assert sum(r.gold_id is not None for r in compare.model.rows()) == len(two)
    qtbot.keyClick(compare.table, Qt.Key.Key_Z, CTRL)
    assert {g[:3] for g in gold(sample_project, document)} == three
    qtbot.keyClick(compare.table, Qt.Key.Key_Z, CTRL)
    assert snapshot(sample_project) == before


def test_premerge_then_reject_and_edit_gold_spans(qtbot, window, sample_project):
    compare = open_compare(qtbot, window)
    document = compare.document_id
    qtbot.keyClick(compare.table, Qt.Key.Key_U)
    unanimous = agreed_by(sample_project, document, 3)
    assert {g[:3] for g in gold(sample_project, document)} == unanimous
    rows = compare.model.rows()
    first = next(i for i, r in enumerate(rows) if r.gold_id is not None)
    rejected = rows[first].key
    click_row(qtbot, compare.table, first)
    qtbot.keyClick(compare.table, Qt.Key.Key_R)
    assert {g[:3] for g in gold(sample_project, document)} == unanimous - {rejected}

    rows = compare.model.rows()
    row = next(i for i, r in enumerate(rows) if r.gold_id is not None and r.label != "FIGURE")
    old = rows[row]

    def edit(dialog):
        assert dialog.windowTitle() == "Edit gold span"
        dialog.label.setCurrentText("FIGURE")
        dialog.accept()
    when_modal(edit)
    click_row(qtbot, compare.table, row)
    qtbot.keyClick(compare.table, Qt.Key.Key_E)
    now = gold(sample_project, document)
    assert ("FIGURE", old.start, old.end, REVIEWER) in now
    assert (old.label, old.start, old.end, REVIEWER) not in now
    qtbot.waitUntil(lambda: QApplication.activeWindow() is compare and compare.table.hasFocus())
    qtbot.keyClick(compare.table, Qt.Key.Key_Z, CTRL)
    assert (old.label, old.start, old.end, REVIEWER) in gold(sample_project, document)


def test_mark_gold_done_and_a_refusal_without_a_selection(qtbot, window, sample_project):
    compare = open_compare(qtbot, window)
    document = compare.document_id
    before = snapshot(sample_project)
    compare.select_key(None)
    qtbot.keyClick(compare.table, Qt.Key.Key_A)
    assert "pick a span" in compare.statusBar().currentMessage()
    assert snapshot(sample_project) == before
    qtbot.keyClick(compare.table, Qt.Key.Key_Return, CTRL)
    with sample_project.read() as session:
        status = session.execute(
            select(DocumentStatus.status).join(Annotator, Annotator.id == DocumentStatus.annotator_id)
            .where(Annotator.name == "gold", DocumentStatus.document_id == document)).scalar_one()
    assert status == "done"
    assert "done" in compare.gold_status.text()
    qtbot.keyClick(compare.table, Qt.Key.Key_Z, CTRL)
    assert snapshot(sample_project) == before
    assert "todo" in compare.gold_status.text()


def test_clicking_a_span_in_a_lane_selects_its_row_and_every_lane_shows_it(qtbot, window, sample_project):
    compare = open_compare(qtbot, window)
    frame = compare_document(sample_project, compare.document_id)
    span = frame[(frame["annotator"] == "bob") & ~frame["unanimous"]].iloc[0]
    view = compare.lanes.lanes["bob"].view
    view.select_span(int(span["id"]), reveal=True)  # scroll it into sight, as the list would
    cursor = view.textCursor()
    cursor.setPosition(view._to_qt(int(span["start"]) + 1))
    point = view.cursorRect(cursor).center()
    view.select_span(None)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    current = compare.current()
    assert current is not None and current.key == (span["label"], span["start"], span["end"])
    assert view.selected_span == int(span["id"])
    for name in current.marked_by:  # the same span is selected in the lanes of the others who marked it
        lane = compare.lanes.lanes[name].view
        assert lane.selected_span in set(frame.loc[(frame["annotator"] == name) & (frame["label"] == span["label"])
                                                   & (frame["start"] == span["start"]) & (frame["end"] == span["end"]), "id"])


def test_the_main_window_undoes_gold_work_too(qtbot, window, sample_project):
    compare = open_compare(qtbot, window)
    before = snapshot(sample_project)
    qtbot.keyClick(compare.table, Qt.Key.Key_U)
    assert gold(sample_project, compare.document_id)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)  # one history for the whole session
    assert snapshot(sample_project) == before
    assert all(r.gold_id is None for r in compare.model.rows())  # the compare view shows the undo


def test_another_project_gets_fresh_reviewer_windows(fresh_target, qtbot, window, sample_project, tmp_path):
    from annotator.store import create_project
    compare = open_compare(qtbot, window)
    qtbot.keyClick(compare.table, Qt.Key.Key_U)  # something on the shared undo stack
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    dashboard = open_dashboard(qtbot, window)
    other = create_project(fresh_target("other.db"))
    window.set_project(other)
    assert not dashboard.isVisible() and window.review.dashboard is None  # closed with its project
    assert window.review.compare is None
    qtbot.wait(20)  # the old windows are deleted; the stack that outlives them must not call into them
    newcomer = frozen({"id": 1, "name": "newcomer", "role": "annotator", "created_at": utcnow()})
    window.projects.history.run(Change("add annotator newcomer", inserted=(("annotators", newcomer),)))
    assert window.undo_stack.canUndo() and window.undo_stack.undoText() == "add annotator newcomer"
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window.view, Qt.Key.Key_A, CTRL | SHIFT)
    assert window.review.dashboard.project is other
    qtbot.waitUntil(lambda: window.review.dashboard.report is not None, timeout=20_000)
    assert window.review.dashboard.report["annotators"] == [] and window.review.dashboard.labels_model.rowCount()


def test_closing_everything_while_the_report_is_computed(qtbot, window):
    qtbot.keyClick(window.view, Qt.Key.Key_A, CTRL | SHIFT)
    dashboard = window.review.dashboard
    assert dashboard.running()
    window.close()  # the main window closes its project; the report may still be running
    qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0, timeout=20_000)
    qtbot.waitUntil(lambda: not dashboard.running())  # its answer arrived (or its error), no crash


def test_alt_arrows_walk_through_the_documents(qtbot, window, sample_project):
    compare = open_compare(qtbot, window)
    with sample_project.read() as session:
        ids = queries.documents(session)["id"].tolist()
    assert compare.document_id == ids[0]
    qtbot.keyClick(compare.table, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert compare.document_id == ids[1]
    assert compare.model.rows() and {r.key for r in compare.model.rows()} == \
        set(map(tuple, compare_document(sample_project, ids[1])[["label", "start", "end"]].itertuples(index=False)))
    qtbot.keyClick(compare.table, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(compare.table, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert compare.document_id == ids[0] and "No more documents" in compare.statusBar().currentMessage()


def test_dashboard_for_chosen_annotators_and_labels_and_a_clear_error(qtbot, window, sample_project):
    dashboard = open_dashboard(qtbot, window)
    qtbot.keyClicks(dashboard.annotators, "alice, bob")
    qtbot.keyClicks(dashboard.labels_field, "QUOTE")
    qtbot.keyClick(dashboard.labels_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dashboard.running(), timeout=20_000)
    assert dashboard.report == agreement_report(sample_project, ["alice", "bob"], ["QUOTE"])
    assert dashboard.heatmap_model.rowCount() == 2 and dashboard.labels_model.rowCount() == 2  # QUOTE, _overall
    dashboard.annotators.clear()
    qtbot.keyClicks(dashboard.annotators, "alice,zed")
    qtbot.keyClick(dashboard.annotators, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dashboard.running(), timeout=20_000)
    assert "no annotator named 'zed'" in dashboard.summary.text()


def test_dashboard_compares_the_documents_everyone_finished_unless_told_any_two(qtbot, window, sample_project):
    from annotator.commands import set_status

    with sample_project.read() as session:
        first = int(queries.documents(session)["id"].iloc[0])
    set_status(sample_project, first, "dave", "done")  # dave finished one of the five
    dashboard = open_dashboard(qtbot, window)
    qtbot.keyClicks(dashboard.annotators, "alice,bob,dave")
    qtbot.keyClick(dashboard.annotators, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dashboard.running(), timeout=20_000)
    assert "1 documents finished by all of alice, bob, dave" in dashboard.summary.text()
    dashboard.documents.setCurrentIndex(1)  # finished by at least two: computed again
    qtbot.waitUntil(lambda: not dashboard.running() and dashboard.report["documents"] == 5, timeout=20_000)
    assert "5 documents finished by at least two of them" in dashboard.summary.text()
    assert dashboard.report == agreement_report(sample_project, ["alice", "bob", "dave"], None, "any-two")
