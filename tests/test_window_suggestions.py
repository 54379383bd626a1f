"""Suggestions in the window, worked through by key on the article: drawn apart from one's own
spans, stepped through with Tab, accepted with Enter or a label key, rejected with X, all accepted
with Ctrl+Shift+Enter, each undone with Ctrl+Z; real rule suggestions on a real project."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from annotator.importing import import_path
from annotator.model import Annotator, Label, Span, SuggestionDecision
from annotator.queue import set_free_choice
from annotator.suggestions.suggest import suggest_with_patterns
from tests.conftest import SAMPLES
from tests.helpers import snapshot
from tests.ui_helpers import open_window

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
TEXT = ("“We will answer with serious consequences for everyone,” Putin said. Prices rose 8.9% in May, "
        "and 300 soldiers were sent.\n\n"
        "“The sanctions will not stop us from doing what we must,” Lavrov told reporters on Monday.")
# What samples/patterns.jsonl suggests in TEXT, in text order.
SUGGESTED = [("QUOTE", "We will answer with serious consequences for everyone"), ("THREAT", "serious consequences"),
             ("SPEAKER", "Putin"), ("FIGURE", "8.9%"), ("FIGURE", "300 soldiers"),
             ("QUOTE", "The sanctions will not stop us from doing what we must"), ("THREAT", "sanctions"),
             ("SPEAKER", "Lavrov")]


def open_suggested(qtbot, project, tmp_path, free: bool = True):
    path = tmp_path / "article.txt"
    path.write_text(TEXT, encoding="utf-8", newline="")
    import_path(project, path)
    suggest_with_patterns(project, SAMPLES / "patterns.jsonl")  # as `annotator suggest --patterns` does
    if not free:
        set_free_choice(project, False)  # nothing assigned to alice: every document read-only for her
    return open_window(qtbot, project, "alice", tmp_path / "settings.ini")


@pytest.fixture
def window(qtbot, project, tmp_path):
    return open_suggested(qtbot, project, tmp_path)


def shown(window):
    return [(s.label, TEXT[s.start:s.end]) for s in sorted(window.suggestions.layer.suggestions.values(),
                                                            key=lambda s: (s.start, s.end))]


def selected(window):
    chosen = window.suggestions.layer.suggestions.get(window.suggestions.selected)
    return (chosen.label, TEXT[chosen.start:chosen.end]) if chosen else None


def mine(project):
    with project.read() as session:
        return session.execute(select(Label.name, Span.start, Span.end, Span.origin)
                               .join(Label, Label.id == Span.label_id).join(Annotator, Annotator.id == Span.annotator_id)
                               .where(Annotator.name == "alice").order_by(Span.start, Label.name)).all()


def decisions(project):
    with project.read() as session:
        return session.execute(select(SuggestionDecision.suggestion_id, SuggestionDecision.decision)).all()


def key(qtbot, window, key, modifiers=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(window.view, key, modifiers)


def test_suggestions_are_dashed_outlines_in_the_labels_colour_and_never_filled(qtbot, window):
    layer, view = window.suggestions.layer, window.view
    assert shown(window) == SUGGESTED and view.extraSelections() == []  # no background: not one's own span
    for suggestion in layer.suggestions.values():
        pen = layer.pen(suggestion)
        assert pen.style() == Qt.PenStyle.DashLine
        assert pen.color() == QColor(window.colors[suggestion.label]).darker(135)
    # The pixels the layer paints: only on each suggestion's outline, none inside it.
    with_layer = view.viewport().grab().toImage()
    layer.set_shown(False)
    without = view.viewport().grab().toImage()
    layer.set_shown(True)
    ratio = with_layer.devicePixelRatio()
    changed = {(x / ratio, y / ratio) for y in range(with_layer.height()) for x in range(with_layer.width())
               if with_layer.pixel(x, y) != without.pixel(x, y)}
    putin = next(s for s in layer.suggestions.values() if s.label == "SPEAKER")
    [rect] = view._rects(*layer._ends[putin.id])
    on_it = {(x, y) for x, y in changed if rect.left() - 3 <= x <= rect.right() + 3 and rect.top() <= y <= rect.bottom()}
    inside = {(x, y) for x, y in on_it if rect.left() + 2 < x < rect.right() - 2 and rect.top() + 3 < y < rect.bottom() - 3}
    assert on_it and not inside
    # The rules' links between suggestions are dashed arcs.
    arcs = view.link_segments()
    assert arcs and all(arc.dashed for arc, _ in arcs)


def test_s_hides_and_shows_them_and_while_hidden_tab_moves_the_focus_as_before(qtbot, window):
    toggle = window.actions["view.suggestions"]
    assert toggle.isChecked() and toggle.isCheckable() and toggle in window.actions.menus["View"].actions()
    key(qtbot, window, Qt.Key.Key_S)
    assert not toggle.isChecked() and window.suggestions.layer.in_sight(0, len(TEXT)) == []
    assert window.view.link_segments() == []
    key(qtbot, window, Qt.Key.Key_Tab)
    assert window.suggestions.selected is None and not window.view.hasFocus()  # the old Tab
    window.view.setFocus()
    key(qtbot, window, Qt.Key.Key_S)
    assert toggle.isChecked() and len(window.suggestions.layer.in_sight(0, len(TEXT))) == len(SUGGESTED)


def test_tab_and_shift_tab_step_through_them_in_text_order(qtbot, window):
    key(qtbot, window, Qt.Key.Key_Tab)
    assert selected(window) == SUGGESTED[0] and window.view.hasFocus()  # Tab stays in the article
    assert window.status.currentMessage() == "suggestion 1 of 8 · QUOTE · rules"
    for expected in SUGGESTED[1:]:
        key(qtbot, window, Qt.Key.Key_Tab)
        assert selected(window) == expected
    key(qtbot, window, Qt.Key.Key_Tab)
    assert selected(window) == SUGGESTED[-1] and "No more suggestions" in window.status.currentMessage()
    key(qtbot, window, Qt.Key.Key_Backtab, SHIFT)  # what a keyboard sends for Shift+Tab
    assert selected(window) == SUGGESTED[-2] and window.view.hasFocus()
    assert window.status.currentMessage() == "suggestion 7 of 8 · THREAT · rules"
    caret = window.view._from_qt(window.view.textCursor().position())
    assert caret == TEXT.index("sanctions") and not window.view.textCursor().hasSelection()
    key(qtbot, window, Qt.Key.Key_Tab, SHIFT)
    assert selected(window) == SUGGESTED[-3]


def test_enter_accepts_moves_to_the_next_and_ctrl_z_undoes(qtbot, window, project):
    key(qtbot, window, Qt.Key.Key_Tab)
    key(qtbot, window, Qt.Key.Key_Return)
    start = TEXT.index("We will")
    assert mine(project) == [("QUOTE", start, start + len(SUGGESTED[0][1]), "accepted")]
    assert selected(window) == SUGGESTED[1] and SUGGESTED[0] not in shown(window)
    assert [s.label for s in window.state.spans.values()] == ["QUOTE"]  # drawn as my span now
    assert window.status.currentMessage() == "suggestion 1 of 7 · THREAT · rules"
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert mine(project) == [] and decisions(project) == [] and shown(window) == SUGGESTED
    assert window.state.spans == {}
    assert selected(window) == SUGGESTED[0]  # back, and selected: Enter or X decides it again


def test_x_rejects_it_for_good_and_ctrl_z_brings_it_back(qtbot, window, project):
    key(qtbot, window, Qt.Key.Key_Tab)
    key(qtbot, window, Qt.Key.Key_Tab)
    key(qtbot, window, Qt.Key.Key_X)
    assert [d for _, d in decisions(project)] == ["rejected"] and mine(project) == []
    assert SUGGESTED[1] not in shown(window) and selected(window) == SUGGESTED[2]
    window.open_document(window.current_document())  # reopened: still hidden
    assert SUGGESTED[1] not in shown(window) and len(shown(window)) == 7
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert decisions(project) == [] and shown(window) == SUGGESTED
    assert selected(window) == SUGGESTED[1]


def test_a_label_key_accepts_it_with_that_label(qtbot, window, project):
    key(qtbot, window, Qt.Key.Key_Tab)
    key(qtbot, window, Qt.Key.Key_Tab)  # "serious consequences", suggested as THREAT
    key(qtbot, window, Qt.Key.Key_4)  # FIGURE's key
    start = TEXT.index("serious")
    assert mine(project) == [("FIGURE", start, start + len("serious consequences"), "changed")]
    assert [d for _, d in decisions(project)] == ["changed"] and selected(window) == SUGGESTED[2]
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert mine(project) == [] and shown(window) == SUGGESTED


def test_ctrl_shift_enter_accepts_all_and_both_ends_of_a_link_make_my_link(qtbot, window, project):
    key(qtbot, window, Qt.Key.Key_Return, CTRL | SHIFT)
    assert [(label, TEXT[start:end], origin) for label, start, end, origin in mine(project)] == [
        (label, text, "accepted") for label, text in SUGGESTED]
    assert shown(window) == [] and window.suggestions.selected is None
    assert {link.relation for link in window.state.links.values()} == {"said_by", "threatened_by"}
    assert len(window.state.links) == 4 and not any(arc.dashed for arc, _ in window.view.link_segments())
    assert window.documents.model.status_of(window.current_document()) == "in_progress"
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert mine(project) == [] and shown(window) == SUGGESTED and window.state.links == {}


def test_a_read_only_document_refuses_and_changes_nothing(qtbot, project, tmp_path):
    window = open_suggested(qtbot, project, tmp_path, free=False)
    assert window.read_only_note.isVisible()
    before = snapshot(project)
    key(qtbot, window, Qt.Key.Key_Tab)
    assert selected(window) == SUGGESTED[0]  # looking is allowed
    for press, modifiers in ((Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier),
                             (Qt.Key.Key_X, Qt.KeyboardModifier.NoModifier), (Qt.Key.Key_2, Qt.KeyboardModifier.NoModifier),
                             (Qt.Key.Key_Return, CTRL | SHIFT)):
        key(qtbot, window, press, modifiers)
        assert "read-only" in window.status.currentMessage()
    assert snapshot(project) == before and window.undo_stack.count() == 0
    assert shown(window) == SUGGESTED


def test_without_a_suggestion_selected_the_keys_do_what_they_did(qtbot, window, project):
    key(qtbot, window, Qt.Key.Key_Return)  # nothing selected: Enter accepts nothing
    assert mine(project) == []
    for _ in range(2):
        qtbot.keyClick(window.view, Qt.Key.Key_Right, CTRL | SHIFT)
    key(qtbot, window, Qt.Key.Key_1)  # text selected: the label key marks it, as always
    assert [origin for *_, origin in mine(project)] == ["manual"]
    rows = {row[1] for row in window.actions.overview()}
    assert {"Next suggestion", "Previous suggestion", "Accept suggestion", "Reject suggestion",
            "Accept all suggestions", "Suggestions"} <= rows
    assert QApplication.focusWidget() is window.view


def test_a_click_on_a_suggestion_selects_it_and_a_click_elsewhere_lets_it_go(qtbot, window):
    from PySide6.QtGui import QTextCursor

    view = window.view

    def click_at(offset):
        cursor = QTextCursor(view.document())
        cursor.setPosition(view._to_qt(offset))
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.cursorRect(cursor).center())

    click_at(TEXT.index("Lavrov") + 2)
    assert selected(window) == ("SPEAKER", "Lavrov")
    assert window.status.currentMessage() == "suggestion 8 of 8 · SPEAKER · rules"
    click_at(TEXT.index("reporters") + 2)
    assert window.suggestions.selected is None
    click_at(TEXT.index("consequences") + 2)  # inside the QUOTE and the THREAT: the innermost
    assert selected(window) == ("THREAT", "serious consequences")


def test_a_suggested_link_stays_dashed_until_both_ends_are_taken_then_it_is_mine(qtbot, window):
    def arcs():
        return {(arc.link, arc.dashed) for arc, _ in window.view.link_segments()}

    suggested = {link.relation: link.id for link in window.suggestions.seen.links.values()
                 if window.suggestions.layer.suggestions[link.head].start < TEXT.index("Prices")}
    assert {(suggested["said_by"], True), (suggested["threatened_by"], True)} <= arcs()
    key(qtbot, window, Qt.Key.Key_Tab)
    key(qtbot, window, Qt.Key.Key_Return)  # the QUOTE is mine: its suggested link to Putin still waits
    assert (suggested["said_by"], True) in arcs() and window.state.links == {}
    key(qtbot, window, Qt.Key.Key_X)  # the THREAT rejected: its link goes
    assert (suggested["threatened_by"], True) not in arcs() and selected(window) == SUGGESTED[2]
    key(qtbot, window, Qt.Key.Key_Return)  # Putin taken: the link is mine, drawn solid
    [link] = window.state.links.values()
    assert link.relation == "said_by" and (link.id, False) in arcs()
    assert not any(dashed and arc in suggested.values() for arc, dashed in arcs())
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert window.state.links == {} and (suggested["said_by"], True) in arcs()


def test_suggestions_on_the_same_words_are_outlined_one_inside_the_other(qtbot, project, tmp_path):
    patterns = tmp_path / "same_words.jsonl"
    patterns.write_text('{"label": "SPEAKER", "pattern": [{"ORTH": "Putin"}]}\n'
                        '{"label": "FIGURE", "pattern": [{"ORTH": "Putin"}]}\n', encoding="utf-8")
    path = tmp_path / "article.txt"
    path.write_text(TEXT, encoding="utf-8", newline="")
    import_path(project, path)
    suggest_with_patterns(project, patterns)
    window = open_window(qtbot, project, "alice", tmp_path / "settings.ini")
    layer = window.suggestions.layer
    speaker, figure = sorted(layer.suggestions.values(), key=lambda s: s.label, reverse=True)
    assert (speaker.start, speaker.end) == (figure.start, figure.end)
    [outer], [inner] = sorted((layer.outline(s.id) for s in (speaker, figure)), key=lambda r: -r[0].width())
    assert outer.contains(inner) and inner.width() < outer.width() and inner.height() < outer.height()
