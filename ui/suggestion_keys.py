"""Working through suggestions by key in the main window.

S shows or hides them; in the article, Tab / Shift+Tab select the next / previous one in text
order, Enter accepts the selected one, X rejects it, a label key accepts it with that label and
Ctrl+Shift+Enter accepts every one left in the document. Each is a core decision
(annotator.suggestions.decisions) run through the window's one write path, so it is undone
with Ctrl+Z, waits out another program's lock and is refused on a read-only document.

The keys are enabled only while they mean something (Tab while suggestions are shown, Enter
and X while one is selected): otherwise Tab moves the focus on and Enter does what it did.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.changes import Change
from annotator.suggestions import decisions
from annotator.suggestions.seen import DocumentSuggestions, Suggestion
from ui.actions import ActionSpec
from ui.suggestion_layer import SuggestionLayer

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class SuggestionKeys:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.layer = SuggestionLayer(window.view)
        self.seen: DocumentSuggestions | None = None
        self.visible: list[Suggestion] = []  # in text order
        window.view.span_clicked.connect(self._clicked)
        window.span_table.clicked.connect(lambda _index: self.select(None))

    @property
    def selected(self) -> int | None:
        return self.layer.selected

    def declare(self, add) -> None:
        view = self.window.view
        add(ActionSpec("view.suggestions", "&Suggestions", "View", self.toggle, ("S",), checkable=True,
                       separator_before=True))
        self.window.actions["view.suggestions"].setChecked(True)
        add(ActionSpec("suggestion.next", "Next suggestion", "Review", lambda: self.step(1), ("Tab",),
                       separator_before=True, scope=view))
        add(ActionSpec("suggestion.previous", "Previous suggestion", "Review", lambda: self.step(-1),
                       ("Shift+Tab", "Shift+Backtab"), scope=view))
        add(ActionSpec("suggestion.accept", "Accept suggestion", "Review", self.accept, ("Return", "Enter"),
                       scope=view))
        add(ActionSpec("suggestion.reject", "Reject suggestion", "Review", self.reject, ("X",), scope=view))
        add(ActionSpec("suggestion.accept_all", "Accept all suggestions", "Review", self.accept_all,
                       ("Ctrl+Shift+Return", "Ctrl+Shift+Enter")))
        self._enable()

    # --- the open document ----------------------------------------------------------------
    def show(self, seen: DocumentSuggestions | None) -> None:
        """A document opened (None: none is)."""
        self.seen = seen
        self.visible = seen.visible() if seen is not None else []
        self.layer.set_suggestions(self.visible, self._links(), seen.suggestions if seen is not None else {})
        self._enable()

    def show_change(self, change: Change) -> None:
        """A committed change: redraw only the suggestions that appeared or went."""
        if self.seen is None or not self.seen.apply(change):
            return
        before = {s.id for s in self.visible}
        self.visible = self.seen.visible()
        back = [s for s in self.visible if s.id not in before]  # in text order, as `visible` is
        self.layer.update(back, before - {s.id for s in self.visible}, self._links(), self.seen.suggestions)
        if back:  # brought back (an undo of a decision): selected, to be decided again by key
            self.select(back[0].id, reveal=True)
        self._enable()

    def _links(self):
        return self.seen.visible_links({s.id for s in self.visible}) if self.seen is not None else []

    # --- selecting --------------------------------------------------------------------------
    def toggle(self) -> None:
        self.layer.set_shown(self.window.actions["view.suggestions"].isChecked())
        if not self.layer.shown:
            self.select(None)
        self._enable()

    def _clicked(self, span_id: int) -> None:
        """A click on one of my spans selects that span; elsewhere, the suggestion under it (the innermost)."""
        at = self.window.view.textCursor().position()
        self.select(self.layer.at(at) if span_id < 0 else None)

    def step(self, direction: int) -> None:
        """Tab / Shift+Tab: the next / previous suggestion from the selected one, or from the caret."""
        if not self.visible:
            return
        ids = [s.id for s in self.visible]
        if self.selected in ids:
            at = ids.index(self.selected) + direction
        else:
            caret = self.window.view._from_qt(self.window.view.textCursor().position())
            first_after = next((i for i, s in enumerate(self.visible) if s.start >= caret), len(ids))
            at = first_after if direction > 0 else first_after - 1
        if not 0 <= at < len(ids):
            self.window.status.showMessage("No more suggestions this way.", 4000)
            return
        self.select(ids[at], reveal=True)

    def select(self, suggestion_id: int | None, reveal: bool = False) -> None:
        if suggestion_id is not None:
            self.window.presenter.select_span(None)  # one thing selected at a time: label keys act on it
        self.layer.select(suggestion_id)
        if self.selected is not None:
            if reveal:
                self.layer.reveal(self.selected)
            self.window.status.showMessage(self.describe(self.selected))
            self.window.label_bar.show_guideline(self.layer.suggestions[self.selected].label)
        self._enable()

    def describe(self, suggestion_id: int) -> str:
        """'suggestion 3 of 41 · QUOTE · rules · score 0.82' (no score when the source gives none)."""
        position = next(i for i, s in enumerate(self.visible) if s.id == suggestion_id)
        suggestion = self.visible[position]
        parts = [f"suggestion {position + 1} of {len(self.visible)}", suggestion.label, suggestion.source]
        if suggestion.score is not None:
            parts.append(f"score {suggestion.score:.2f}")
        return " · ".join(parts)

    def _enable(self) -> None:
        registry = getattr(self.window, "actions", None)  # None until the window declared its actions
        actions = registry.actions if registry is not None else {}
        if "suggestion.next" not in actions:
            return
        stepping = self.layer.shown and bool(self.visible)
        for action_id in ("suggestion.next", "suggestion.previous", "suggestion.accept_all"):
            actions[action_id].setEnabled(stepping)
        for action_id in ("suggestion.accept", "suggestion.reject"):
            actions[action_id].setEnabled(self.selected is not None)

    # --- deciding -------------------------------------------------------------------------
    def accept(self, label: str | None = None) -> None:
        """Enter (or a label key: with that label) on the selected suggestion."""
        self._decide(decisions.accept, label=label)

    def reject(self) -> None:
        self._decide(decisions.reject)

    def accept_all(self) -> None:
        window = self.window
        if window.state is None or not self.visible or not self.layer.shown:
            return
        if window._run(decisions.accept_all, window.project, window.state.document_id, window.annotator) is not None:
            self.select(None)

    def _decide(self, decide, **label) -> None:
        chosen = self.selected
        if chosen is None:
            return
        position = [s.id for s in self.visible].index(chosen)
        window = self.window
        if window._run(decide, window.project, chosen, window.annotator, **label) is None:
            return  # refused (said why) or waiting its turn behind another program's write
        if self.visible:  # on to the next one in text order (the one that took its place)
            self.select(self.visible[min(position, len(self.visible) - 1)].id, reveal=True)
        else:
            self.select(None)
            window.status.showMessage("No suggestion left in this document.", 4000)
