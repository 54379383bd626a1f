"""Long articles and many highlights."""

import PySide6
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCharFormat
from sqlalchemy import select

from annotator.importing import import_path
from annotator.model import Span
from tests.ui_helpers import open_window
from ui.article_view import ArticleView, ShownSpan

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
SENTENCE = "The minister said that 42 soldiers 🎖 were sent to the front, according to officials.\n"


def long_text(chars=100_000):
    text = (SENTENCE * (chars // len(SENTENCE) + 1))[: chars - len("Final 977 million euros.")]
    return text + "Final 977 million euros."


def test_labelling_the_end_of_a_100000_character_article(qtbot, project, tmp_path):
    text = long_text()
    assert len(text) == 100_000
    (tmp_path / "long.txt").write_text(text, encoding="utf-8")
    import_path(project, tmp_path / "long.txt")
    window = open_window(qtbot, project, "alice", tmp_path / "s.ini")
    view = window.view
    qtbot.keyClick(view, Qt.Key.Key_End, CTRL)
    for _ in range(4):  # euros . | million | 977 — back over "977 million euros."
        qtbot.keyClick(view, Qt.Key.Key_Left, CTRL | SHIFT)
    qtbot.keyClick(view, Qt.Key.Key_4)
    with project.read() as session:
        [(start, end)] = session.execute(select(Span.start, Span.end)).all()
    assert text[start:end] == "977 million euros."
    # and one near the start, with the caret moved there by keyboard
    qtbot.keyClick(view, Qt.Key.Key_Home, CTRL)
    for _ in range(2):
        qtbot.keyClick(view, Qt.Key.Key_Right, CTRL | SHIFT)
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert sorted(text[s.start:s.end] for s in window.state.spans.values()) == ["977 million euros.", "The minister"]


def test_many_thousands_of_highlights_paint_without_a_crash(qtbot):
    """PySide6 6.12.0 killed CPython 3.11 after ~3,700 QTextCharFormat.setBackground calls."""
    assert PySide6.__version__ != "6.12.0"
    text = long_text()
    view = ArticleView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    qtbot.waitExposed(view)
    colors = {"SPEAKER": "#7ecbf1", "QUOTE": "#fbd76a", "THREAT": "#fb7f74", "FIGURE": "#bddbcc"}
    for _ in range(2_500):  # 10,000 setBackground calls
        view.set_colors(colors)
    for i in range(10_000):
        fmt = QTextCharFormat()
        fmt.setBackground(QColor(colors["QUOTE"]))
    spans, labels = [], list(colors)
    position = 0
    while len(spans) < 12_000:  # words on level 0, nested pairs below them
        start = text.index(" ", position) + 1
        end = text.index(" ", start)
        spans.append(ShownSpan(len(spans), labels[len(spans) % 4], start, end))
        if len(spans) % 3 == 0:
            spans.append(ShownSpan(len(spans), "THREAT", start, min(end + 8, len(text))))
        position = end
    view.set_document(text, spans)
    assert len(view._levels) == len(spans) and max(view._levels.values()) >= 1
    assert len(view.extraSelections()) >= 4_000
    for fraction in (0.0, 0.25, 0.5, 0.75, 1.0):
        view.verticalScrollBar().setValue(int(view.verticalScrollBar().maximum() * fraction))
        assert not view.viewport().grab().toImage().isNull()
    view.set_spans(spans[::2])  # and again after a big change
    assert not view.viewport().grab().toImage().isNull()
