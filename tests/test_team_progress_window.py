"""Review → Team progress: a bar per annotator (finished / assigned), the same numbers as
`annotator progress`, counted again when someone finishes a document while it is shown."""

from datetime import datetime, timezone

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from annotator.commands import set_status
from tests.test_progress import team
from tests.test_window_flow import CTRL
from tests.ui_helpers import open_window
from ui.team_progress import BAR_ROLE

SHIFT = Qt.KeyboardModifier.ShiftModifier


def _rows(window):
    model = window.review.team.model
    return [[model.index(r, c).data() for c in range(3)] + [model.index(r, 1).data(BAR_ROLE)]
            for r in range(model.rowCount())]


def test_team_progress_opens_with_a_bar_per_annotator_and_follows_new_work(qtbot, project, tmp_path):
    team(project, tmp_path, datetime.now(timezone.utc))
    window = open_window(qtbot, project, "carol", tmp_path / "s.ini")
    qtbot.keyClick(window.view, Qt.Key.Key_P, CTRL | SHIFT)
    shown = window.review.team
    qtbot.waitUntil(shown.isVisible)
    # the bar: finished (done or skipped) of assigned; bob skipped one of his three
    assert _rows(window) == [["alice", "3 / 4", "3", (3, 4)], ["bob", "2 / 3", "1", (2, 3)],
                             ["carol", "0 / 1", "0", (0, 1)], ["total", "5 / 8", "4", (5, 8)]]
    assert "2 shared by several annotators, 1 of them done by all" in shown.summary.text()
    shown.grab()  # the bars paint
    assert window.current_document() == 6  # carol's queue: her one document
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL)  # carol finishes it
    assert _rows(window)[2] == ["carol", "1 / 1", "1", (1, 1)]
    assert shown.model.index(2, 7).data() == "finished"
    # work on a document that is not hers counts as done, but never pushes her bar past its end
    mine = window.current_document()
    other = next(doc for doc in range(1, 13) if doc != mine)
    set_status(project, other, "carol", "done")
    shown.refresh()
    assert _rows(window)[2] == ["carol", "1 / 1", "2", (1, 1)]
