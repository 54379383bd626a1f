"""Articles with Windows line endings (and lone \\r, U+2028, emoji): the window stores and draws what was marked.

The caret is moved with real key events and found by what Qt itself shows at it, so
these tests do not lean on the position map they check.
"""

import json

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor, QTextDocument
from sqlalchemy import select

from annotator.importing import import_path
from annotator.model import Label, Span
from tests.ui_helpers import open_window

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
SHORT = "Moscow, Tuesday\r\nPARIS\r\nVladimir Putin warned that Russia would respond."
LONG = ("Moscow, Tuesday\r\nPARIS (Reuters)\r\n\r\nVladimir Putin warned on Tuesday 😀 that Russia would\r\n"
        "respond.\r“We will act,” he said.\r\n\r\nThe Kremlin\u2028spokesman Dmitry Peskov added\r\n"
        "that 𝔘 talks were over.\r\n\r\nPrices rose 8.9% in May, Eurostat said.\r\n")


def stored(project):
    with project.read() as session:
        return session.execute(select(Label.name, Span.start, Span.end).join(Label, Label.id == Span.label_id)
                               .order_by(Span.start)).all()


def caret_to_word(qtbot, view, word: str, occurrence: int = 1) -> None:
    """Ctrl+→ from the start until Qt shows `word` right after the caret."""
    cursor = view.textCursor()
    cursor.setPosition(0)
    view.setTextCursor(cursor)
    seen = 0
    for _ in range(200):
        caret = view.textCursor()
        after = caret.block().text().encode("utf-16-le", "surrogatepass")[2 * caret.positionInBlock():]  # Qt units
        if after.decode("utf-16-le", "surrogatepass").startswith(word):
            seen += 1
            if seen == occurrence:
                return
        qtbot.keyClick(view, Qt.Key.Key_Right, CTRL)
    raise AssertionError(f"Ctrl+→ never reached {word!r}")


def drawn_texts(view) -> list[str]:
    """What each background highlight covers, as Qt shows it (a line break is U+2029)."""
    return sorted(selection.cursor.selectedText() for selection in view.extraSelections())


def open_on(qtbot, project, tmp_path, text: str, spans=()):
    record = {"text": text, "answer": "accept", "_annotator_id": "alice", "meta": {"name": "crlf"},
              "spans": [{"start": s, "end": e, "label": label} for s, e, label in spans]}
    path = tmp_path / "crlf.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    import_path(project, path)
    return open_window(qtbot, project, "alice", tmp_path / "settings.ini")


def test_marking_putin_after_two_crlfs_stores_and_draws_putin(qtbot, project, tmp_path):
    window = open_on(qtbot, project, tmp_path, SHORT)
    view = window.view
    caret_to_word(qtbot, view, "Putin")
    qtbot.keyClick(view, Qt.Key.Key_Right, CTRL | SHIFT)
    qtbot.keyClick(view, Qt.Key.Key_1)
    [(label, start, end)] = stored(project)
    assert (label, SHORT[start:end]) == ("SPEAKER", "Putin")
    assert drawn_texts(view) == ["Putin"]


@pytest.mark.parametrize("word, occurrence, key, label", [
    ("Putin", 1, Qt.Key.Key_1, "SPEAKER"), ("“We", 1, Qt.Key.Key_2, "QUOTE"), ("Peskov", 1, Qt.Key.Key_1, "SPEAKER"),
    ("talks", 1, Qt.Key.Key_3, "THREAT"), ("Eurostat", 1, Qt.Key.Key_1, "SPEAKER"), ("respond", 1, Qt.Key.Key_2, "QUOTE"),
])
def test_words_after_many_crlfs_a_lone_cr_and_emoji_are_marked_exactly(qtbot, project, tmp_path, word, occurrence,
                                                                       key, label):
    window = open_on(qtbot, project, tmp_path, LONG)
    view = window.view
    caret_to_word(qtbot, view, word, occurrence)
    qtbot.keyClick(view, Qt.Key.Key_Right, CTRL | SHIFT)
    qtbot.keyClick(view, key)
    [(stored_label, start, end)] = stored(project)
    assert (stored_label, LONG[start:end]) == (label, word)
    assert drawn_texts(view) == [word]


def test_imported_spans_after_crlfs_are_drawn_over_their_text_and_clicking_selects_them(qtbot, project, tmp_path):
    targets = ["Putin", "Russia", "Peskov", "8.9%", "respond.\r“We"]
    spans = [(LONG.index(t), LONG.index(t) + len(t), "SPEAKER" if t[0].isupper() else "FIGURE") for t in targets]
    window = open_on(qtbot, project, tmp_path, LONG, spans)
    view = window.view
    shown = [t.replace("\r", "\u2029") for t in targets]
    assert drawn_texts(view) == sorted(shown)
    ids = {(s.start, s.end): s.id for s in window.state.spans.values()}
    for (start, end, _), text in zip(spans, shown):
        head = text.split("\u2029")[0]  # Qt's own search stays inside a paragraph
        found = view.document().find(head, 0, QTextDocument.FindFlag.FindCaseSensitively)
        assert found.selectedText() == head
        first = QTextCursor(found)
        first.setPosition(found.selectionStart())
        left = view.cursorRect(first)
        first.movePosition(QTextCursor.MoveOperation.Right)
        right = view.cursorRect(first)
        point = QPoint((left.left() + right.left()) // 2, left.center().y())  # on the span's first character
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
        assert view.selected_span == ids[(start, end)], text
