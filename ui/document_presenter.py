"""The main window's open document: its text and annotations, what the article view and the span
table show of them, and how a committed Change updates them.

Every change of the project arrives here (the project's ChangeSignal), whichever window made,
undid or redid it; only what it touched is redrawn: a change of another document updates that
document's row in the list and nothing else. Unchanged spans keep their drawn objects and their
table rows (ui/shown_annotations.py): one new span costs what it costs on a short article.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator import queries
from annotator.annotations import DocumentAnnotations, LinkInfo
from annotator.changes import Change
from annotator.queue import read_only_reason
from annotator.suggestions.seen import DocumentSuggestions
from annotator.worklist import document_row
from ui.shown_annotations import ShownAnnotations, excerpt

if TYPE_CHECKING:
    from ui.main_window import MainWindow

APP_TITLE = "Quote annotator"


class DocumentPresenter:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.state: DocumentAnnotations | None = None
        self.text = ""
        self.tokens = None  # the open document's stored tokens (numpy (n, 2)), for marks that wait for the server
        self.shown: ShownAnnotations | None = None  # the open document's spans as the views show them
        self.read_only: str | None = None  # why the open document may not be edited (not assigned to me)

    def current_document(self) -> int | None:
        return self.state.document_id if self.state else None

    # --- opening ------------------------------------------------------------------------
    def open(self, document_id: int) -> None:
        window = self.window
        with window.project.read() as session:
            self.text, self.tokens = queries.document_text(session, document_id)
            self.state = DocumentAnnotations.load(session, document_id, window.annotator)
            self.read_only = read_only_reason(session, document_id, window.annotator)
            suggestions = DocumentSuggestions.load(session, document_id, window.annotator)
        window.read_only_note.setText(f"⚠ {self.read_only[0].upper()}{self.read_only[1:]}" if self.read_only else "")
        window.read_only_note.setVisible(self.read_only is not None)
        self.shown = ShownAnnotations(self.state, self.text)
        window.view.set_document(self.text, list(self.shown.spans.values()), self.shown.links())
        window.suggestions.show(suggestions)
        window.span_table.span_model.set_rows(list(self.shown.rows.values()))
        window.span_table.select(window.view.selected_span)
        window.documents.select(document_id)
        window.title.setText(window.documents.model.name_of(document_id))
        window.settings.set_last_document(window.project.url, window.annotator, document_id)
        self.update_title()

    def show_empty(self, message: str) -> None:
        self.state = None
        self.text = ""
        self.tokens = None
        self.shown = None
        self.read_only = None
        self.window.read_only_note.hide()
        self.window.view.set_document("", [])
        self.window.suggestions.show(None)
        self.window.view.setPlaceholderText(message)
        self.window.title.setText(message)
        self.window.span_table.span_model.set_rows([])
        self.update_title()

    def update_title(self) -> None:
        project = self.window.project
        document = self.window.documents.model.name_of(self.state.document_id) if self.state else ""
        self.window.setWindowTitle(" — ".join(p for p in (document, project.name if project else "", APP_TITLE) if p))

    def update_progress(self) -> None:
        """n of N done: of the documents assigned to me when there are any (my share of the work),
        else of every document (one person on a project nobody assigned)."""
        rows = self.window.documents.model.rows()
        if not len(rows):
            self.window.status.set_progress(0, 0)
            return
        assigned = rows[rows["position"] >= 0]
        counted = assigned if len(assigned) else rows
        self.window.status.set_progress(int((counted["status"] == "done").sum()), len(counted),
                                        assigned=bool(len(assigned)),
                                        skipped=int((counted["status"] == "skipped").sum()))

    # --- changes ------------------------------------------------------------------------
    def show_change(self, change: Change) -> None:
        """Show a committed change: a command, an undo or a redo, from this window or another."""
        window = self.window
        window.status.mark_saved()
        if self.state is None:
            return
        touched = change.documents()
        elsewhere = touched - {self.state.document_id}
        shown_here = self.state.apply(change)
        window.suggestions.show_change(change)
        if self.state.document_id in touched:  # this document's row comes from memory: no query per action
            document = self.state.document_id
            status = change.status_after(document, self.state.annotator_id) or window.documents.model.status_of(document)
            window.documents.model.update_row(document, status, len(self.state.spans))
        if elsewhere:
            with window.project.read() as session:
                for document in elsewhere:
                    window.documents.model.update_row(document, *document_row(session, window.annotator, document))
        self.update_progress()
        if shown_here:  # each view redraws what the change touched, not the whole document
            redraw = self.shown.after(shown_here)
            window.view.update_spans(redraw.spans, redraw.spans_removed)
            window.view.update_links(redraw.links, redraw.links_removed)
            window.span_table.span_model.update_rows(redraw.rows, redraw.spans_removed)
            focus = change.focus_span if change.focus_span in self.state.spans else window.view.selected_span
            self.select_span(focus if focus in self.state.spans else None)  # also redraws its link outlines
        elif elsewhere and window.isActiveWindow():
            # An undo/redo asked for in this window, of work on another document, shows it; a change
            # made in another window (the compare view's gold work) leaves this document open.
            window.open_document(min(elsewhere))

    def select_span(self, span_id: int | None, reveal: bool = False) -> None:
        window = self.window
        span_id = None if span_id is None or span_id < 0 else span_id
        linked = {l.head if l.child == span_id else l.child for l in self.state.links_of(span_id)} \
            if self.state is not None and span_id is not None else set()
        window.view.select_span(span_id, reveal=reveal, linked=linked)
        window.span_table.select(span_id)
        if span_id is not None and self.state is not None:
            window.label_bar.show_guideline(self.state.spans[span_id].label)
        if reveal:
            window.view.setFocus()

    # --- what is shown ------------------------------------------------------------------
    def excerpt(self, span_id: int, limit: int = 60) -> str:
        return excerpt(self.text, self.state.spans[span_id], limit)

    def describe_link(self, link: LinkInfo) -> str:
        head, child = self.state.spans.get(link.head), self.state.spans.get(link.child)
        return f"{head.label if head else '?'} {link.relation} → {child.label if child else '?'} " \
               f"“{self.excerpt(link.child) if child else ''}”"
