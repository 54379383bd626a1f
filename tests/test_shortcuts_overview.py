"""F1 lists the keys of every open window — the main window's and the compare view's — read from
the same declarations that bind them (sample project, the reviewer's window)."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from tests.ui_helpers import open_window, when_modal

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(qtbot, sample_project, tmp_path):
    return open_window(qtbot, sample_project, "rita", tmp_path / "settings.ini")


def f1_rows(qtbot, widget) -> set[tuple[str, str, str]]:
    """Press F1 in `widget`; the (where, action, keys) rows of the dialog it opens."""
    seen = {}

    def read_and_close(dialog):
        table = dialog.table
        seen["rows"] = {tuple(table.item(r, c).text() for c in range(3)) for r in range(table.rowCount())}
        dialog.reject()
    when_modal(read_and_close)
    qtbot.keyClick(widget, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: "rows" in seen)
    return seen["rows"]


def bound(registry) -> set[tuple[str, str]]:
    """(title, first key) of every action of a registry that a key triggers, as Qt bound it."""
    return {(action.text().replace("&", ""), action.shortcuts()[0].toString(QKeySequence.SequenceFormat.NativeText))
            for action in registry.actions.values() if action.shortcuts()}


def test_f1_in_either_window_lists_every_action_of_both(qtbot, window):
    qtbot.keyClick(window.view, Qt.Key.Key_C, CTRL | SHIFT)
    compare = window.review.compare
    qtbot.waitUntil(lambda: QApplication.activeWindow() is compare)
    from_compare = f1_rows(qtbot, compare.table)
    assert ("Compare", "Undo", "Ctrl+Z") in from_compare
    assert ("Compare", "Redo", "Ctrl+Shift+Z, Ctrl+Y") in from_compare
    assert ("Compare", "Accept span", "A") in from_compare
    listed = {(title, keys.split(", ")[0]) for _, title, keys in from_compare}
    assert bound(compare.actions) <= listed and bound(window.actions) <= listed
    assert len(bound(compare.actions)) >= 12 and len(bound(window.actions)) >= 20
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    assert f1_rows(qtbot, window.view) == from_compare


def test_every_compare_key_is_one_declared_action(qtbot, window):
    qtbot.keyClick(window.view, Qt.Key.Key_C, CTRL | SHIFT)
    compare = window.review.compare
    from PySide6.QtGui import QAction
    assert {a.objectName() for a in compare.findChildren(QAction) if a.shortcuts()} == \
        {i for i, spec in compare.actions.specs.items() if spec.shortcuts}
