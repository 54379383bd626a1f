"""The window, driven by real key and mouse events on real project files."""

import pytest
from PySide6.QtCore import QPoint, Qt
from sqlalchemy import select

from annotator.model import Annotator, Label, Span
from tests.ui_helpers import window_on_text

CTRL, SHIFT, ALT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.AltModifier
TEXT = "Vladimir Putin said on Tuesday that Russia would respond. “We will act,” he said.\n\nPrices rose 8.9% in May."


@pytest.fixture
def window(qtbot, project, tmp_path):
    return window_on_text(qtbot, project, tmp_path, TEXT)


def stored(project):
    with project.read() as session:
        return session.execute(
            select(Label.name, Span.start, Span.end).join(Label, Label.id == Span.label_id)
            .join(Annotator, Annotator.id == Span.annotator_id).order_by(Span.start, Label.name)
        ).all()


def select_words(qtbot, view, words: int, skip: int = 0):
    for _ in range(skip):
        qtbot.keyClick(view, Qt.Key.Key_Right, CTRL)
    for _ in range(words):
        qtbot.keyClick(view, Qt.Key.Key_Right, CTRL | SHIFT)


def test_shift_ctrl_right_then_1_labels_the_first_word(qtbot, window, project):
    assert window.view.hasFocus() and window.view.textCursor().position() == 0
    qtbot.keyClick(window.view, Qt.Key.Key_Right, CTRL | SHIFT)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    assert stored(project) == [("SPEAKER", 0, 8)]  # "Vladimir", the trailing space trimmed
    assert window.span_table.span_model.rowCount() == 1
    assert window.documents.model.rows().loc[0, "spans"] == 1
    assert "saved" in window.status.saved.text()


def test_selection_snaps_to_tokens_unless_alt_is_held(qtbot, window, project):
    view = window.view
    cursor = view.textCursor()
    cursor.setPosition(2)
    cursor.setPosition(11, cursor.MoveMode.KeepAnchor)  # "adimir Pu"
    view.setTextCursor(cursor)
    qtbot.keyClick(view, Qt.Key.Key_1)
    cursor.setPosition(2)
    cursor.setPosition(11, cursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    qtbot.keyClick(view, Qt.Key.Key_2, ALT)
    assert stored(project) == [("SPEAKER", 0, 14), ("QUOTE", 2, 11)]


def test_double_click_selects_a_word_and_a_label_button_marks_it(qtbot, window, project):
    view = window.view
    rect = view.cursorRect(_cursor_at(view, TEXT.index("Russia") + 2))
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseClick(window.label_bar.buttons["SPEAKER"], Qt.MouseButton.LeftButton)
    start = TEXT.index("Russia")
    assert stored(project) == [("SPEAKER", start, start + 6)]


def test_mouse_drag_selects_and_click_selects_the_span_for_relabel_and_delete(qtbot, window, project):
    view = window.view
    start, end = TEXT.index("We will"), TEXT.index(",”")
    a = view.cursorRect(_cursor_at(view, start)).center()
    b = view.cursorRect(_cursor_at(view, end)).center()
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(view.viewport(), pos=b)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=b)
    qtbot.keyClick(view, Qt.Key.Key_2)
    assert stored(project) == [("QUOTE", start, end)]
    [(span_id,)] = _ids(project)
    middle = view.cursorRect(_cursor_at(view, start + 4)).center() + QPoint(2, 0)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=middle)
    assert view.selected_span == span_id
    qtbot.keyClick(view, Qt.Key.Key_3)
    assert stored(project) == [("THREAT", start, end)]
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert stored(project) == []
    assert window.span_table.span_model.rowCount() == 0


def test_overlapping_spans_are_kept_and_drawn_on_two_levels(qtbot, window, project):
    view = window.view
    select_words(qtbot, view, 6, skip=0)  # Vladimir Putin said on Tuesday that
    qtbot.keyClick(view, Qt.Key.Key_2)
    view.setFocus()
    cursor = view.textCursor()
    cursor.setPosition(0)
    view.setTextCursor(cursor)
    select_words(qtbot, view, 2)
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert stored(project) == [("QUOTE", 0, 35), ("SPEAKER", 0, 14)]
    levels = sorted(view._levels.values())
    assert levels == [0, 1]
    assert len(view.extraSelections()) == 1  # the outer one as background, the inner one underlined
    image = view.viewport().grab().toImage()
    assert not image.isNull()


def test_span_table_click_jumps_to_the_span_and_delete_removes_it(qtbot, window, project):
    select_words(qtbot, window.view, 2)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    window.view.clear_selection()
    window.view.select_span(None)
    index = window.span_table.span_model.index(0, 1)
    qtbot.mouseClick(window.span_table.viewport(), Qt.MouseButton.LeftButton, pos=window.span_table.visualRect(index).center())
    assert window.view.selected_span is not None
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert stored(project) == []


def test_whitespace_only_selection_is_refused_with_a_message(qtbot, window, project):
    view = window.view
    cursor = view.textCursor()
    start = TEXT.index("\n\n")
    cursor.setPosition(start)
    cursor.setPosition(start + 2, cursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert stored(project) == []
    assert "whitespace" in window.status.currentMessage()


def _cursor_at(view, offset):
    cursor = view.textCursor()
    cursor.setPosition(view._to_qt(offset))
    return cursor


def _ids(project):
    with project.read() as session:
        return session.execute(select(Span.id)).all()


def test_label_keys_type_into_search_fields_instead_of_marking(qtbot, window, project):
    select_words(qtbot, window.view, 1)  # a selection exists in the article
    search = window.documents.search
    search.setFocus()
    qtbot.keyClicks(search, "1L2")
    qtbot.keyClick(search, Qt.Key.Key_Backspace)
    assert search.text() == "1L"
    assert stored(project) == []
