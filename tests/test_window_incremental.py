"""Redrawing only what a change touched draws exactly what drawing the whole article again draws.

Texts with Windows line endings, a lone \\r, U+2028 and characters beyond U+FFFF, so that Qt
positions and code points differ; spans overlap and nest, links join them.
"""

import random

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from annotator.commands import add_link
from annotator.importing import import_path
from tests.ui_helpers import open_window
from ui.article_view import ArticleView, ShownLink, ShownSpan
from ui.shown_annotations import ShownAnnotations
from ui.span_table import SpanTableModel

COLORS = {"SPEAKER": "#7ecbf1", "QUOTE": "#fbd76a", "THREAT": "#fb7f74", "FIGURE": "#bddbcc"}
PARAGRAPH = ("Moscow, Tuesday\r\nVladimir Putin warned 😀 that Russia would respond.\r“We will act,” he said "
             "of the 𝔘 talks.\r\n\r\nThe Kremlin\u2028spokesman said prices rose 8.9% in May.\r\n")
TEXT = PARAGRAPH * 12


def drawing(view: ArticleView):
    """Everything the view draws, in Qt positions: backgrounds as Qt holds them, underlines with
    their levels, placed links."""
    backgrounds = sorted((s.cursor.selectionStart(), s.cursor.selectionEnd(), s.format.background().color().name())
                         for s in view.extraSelections())
    underlines = sorted((start, end, level, span.label) for span, level, start, end in view._underlined.values())
    links = sorted((link.id, *qt) for link, *qt in view._links.placed.values())
    return backgrounds, underlines, links, dict(view._levels), dict(view._spans)


def new_view(qtbot) -> ArticleView:
    view = ArticleView()
    qtbot.addWidget(view)
    view.resize(640, 420)
    view.set_colors(COLORS)
    return view


def pixels(view: ArticleView, fraction: float):
    bar = view.verticalScrollBar()
    bar.setValue(int(bar.maximum() * fraction))
    return view.viewport().grab().toImage()


def test_random_edits_draw_what_a_fresh_view_draws(qtbot):
    rng = random.Random(7)
    spans: dict[int, ShownSpan] = {}
    links: dict[int, ShownLink] = {}
    view = new_view(qtbot)
    view.set_document(TEXT, [])
    next_id, most_links = 1, 0
    for step in range(160):
        roll = rng.random()
        if spans and roll < 0.2:  # delete a span and its links
            gone = rng.choice(sorted(spans))
            del spans[gone]
            dropped = [i for i, l in links.items() if gone in (l.head, l.child)]
            for link_id in dropped:
                del links[link_id]
            view.update_spans(removed_ids=[gone])
            view.update_links(removed_ids=dropped)
        elif spans and roll < 0.35:  # relabel
            span = spans[rng.choice(sorted(spans))]
            spans[span.id] = span._replace(label=rng.choice(list(COLORS)), note=f"step {step}")
            view.update_spans([spans[span.id]])
        elif spans and roll < 0.45:  # the same span moved: its links follow it
            span = spans[rng.choice(sorted(spans))]
            start = rng.randrange(len(TEXT) - 1)
            spans[span.id] = span._replace(start=start, end=min(len(TEXT), start + rng.randrange(1, 120)))
            view.update_spans([spans[span.id]])
        elif len(spans) > 1 and roll < 0.6:  # link two spans, or drop a link
            if links and rng.random() < 0.3:
                link_id = rng.choice(sorted(links))
                del links[link_id]
                view.update_links(removed_ids=[link_id])
            else:
                head, child = rng.sample(sorted(spans), 2)
                links[next_id] = ShownLink(next_id, head, child, "said_by")
                view.update_links([links[next_id]])
                next_id += 1
        else:  # a new span, often over or inside others
            start = rng.randrange(len(TEXT) - 1)
            spans[next_id] = ShownSpan(next_id, rng.choice(list(COLORS)), start,
                                       min(len(TEXT), start + rng.randrange(1, 300)))
            view.update_spans([spans[next_id]])
            next_id += 1
        fresh = new_view(qtbot)
        fresh.set_document(TEXT, list(spans.values()), list(links.values()))
        assert drawing(view) == drawing(fresh), step
        most_links = max(most_links, len(view._links.placed))
        if step % 40 == 39:
            for fraction in (0.0, 0.5, 1.0):
                assert pixels(view, fraction) == pixels(fresh, fraction), (step, fraction)
    assert max(view._levels.values()) >= 2 and most_links >= 3  # it did nest and link


def test_a_long_span_over_others_pushes_them_down_and_back(qtbot):
    """A span over many others makes them underlines; deleting it makes them backgrounds again."""
    starts = sorted(TEXT.index(word, 100) for word in ("Putin", "Russia", "Kremlin"))
    inner = [ShownSpan(i, "SPEAKER", start, start + 5) for i, start in enumerate(starts)]
    view = new_view(qtbot)
    view.set_document(TEXT, inner)
    assert len(view.extraSelections()) == 3
    outer = ShownSpan(10, "QUOTE", starts[0] - 2, starts[-1] + 9)
    view.update_spans([outer])
    assert len(view.extraSelections()) == 1 and {view._levels[i] for i in range(3)} == {1}
    view.update_spans(removed_ids=[10])
    fresh = new_view(qtbot)
    fresh.set_document(TEXT, inner)
    assert drawing(view) == drawing(fresh) and len(view.extraSelections()) == 3


def select_words(view, text: str, words: str, after: int = 0) -> None:
    start = text.index(words, after)
    cursor = view.textCursor()
    cursor.setPosition(view._to_qt(start))
    cursor.setPosition(view._to_qt(start + len(words)), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)


def table_rows(model):
    return [tuple(model.index(r, c).data() for c in range(5)) for r in range(model.rowCount())]


def test_window_edits_and_undo_show_what_opening_the_document_again_shows(qtbot, project, tmp_path):
    (tmp_path / "crlf.txt").write_bytes(TEXT.encode("utf-8"))
    import_path(project, tmp_path / "crlf.txt")
    window = open_window(qtbot, project, "alice", tmp_path / "s.ini")
    view, text = window.view, window.presenter.text
    assert text == TEXT
    resets = []
    window.span_table.span_model.modelReset.connect(lambda: resets.append(1))

    def check():
        shown = ShownAnnotations(window.state, window.presenter.text)
        fresh = new_view(qtbot)
        fresh.set_document(text, list(shown.spans.values()), shown.links())
        assert drawing(view) == drawing(fresh)
        reference = SpanTableModel()
        reference.set_rows(list(shown.rows.values()))
        assert table_rows(window.span_table.span_model) == table_rows(reference)

    marks = [("Russia would respond", "QUOTE", 300), ("Vladimir Putin", "SPEAKER", 300),
             ("Putin warned 😀 that Russia", "THREAT", 300), ("talks", "FIGURE", 300), ("𝔘 talks", "QUOTE", 300)]
    for words, label, after in marks:
        select_words(view, text, words, after)
        window.mark(label)
        check()
    quote = next(s.id for s in window.state.spans.values() if text[s.start:s.end] == "Russia would respond")
    speaker = next(s.id for s in window.state.spans.values() if s.label == "SPEAKER")
    window.presenter.select_span(quote)
    window._run(add_link, project, quote, speaker, "alice")  # as the link picker does
    check()
    assert "said_by" in view._spans[speaker].note and len(view._links.placed) == 1
    window.presenter.select_span(speaker)
    qtbot.keyClick(view, Qt.Key.Key_Delete)  # the speaker and its link
    check()
    assert view._links.placed == {} and view._spans[quote].note == ""
    window.presenter.select_span(quote)
    window.mark("THREAT")  # relabel
    check()
    for undone in range(4):  # the relabel, the delete (the link comes back with its speaker), the link, a mark
        window.undo_stack.undo()
        check()
        assert len(view._links.placed) == (1 if undone == 1 else 0)
    for _ in range(4):
        window.undo_stack.redo()
        check()
    assert resets == []  # the table changed row by row
