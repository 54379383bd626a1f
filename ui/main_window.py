"""The annotation window: document list | label bar + article | span table.

It only adapts the core: every action is a core command (one transaction,
committed before the window shows it), wrapped in a QUndoCommand.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QApplication, QFileDialog, QLabel, QMainWindow, QMessageBox, QSplitter,
                               QVBoxLayout, QWidget)

from annotator import commands, queries
from annotator.annotations import DocumentAnnotations
from annotator.changes import Change
from annotator.errors import ProjectBusy, UserError
from annotator.schema import project_schema
from annotator.store import Project, create_project, open_project
from annotator.worklist import document_row, document_rows, next_unfinished
from ui.actions import ActionRegistry, ActionSpec
from ui.article_view import ArticleView, ShownLink, ShownSpan
from ui.document_list import ID_ROLE, DocumentListPanel
from ui.find_bar import FindBar
from ui.label_bar import LabelBar
from ui.link_picker import LinkPicker
from ui.review_windows import ReviewWindows
from ui.settings import Settings
from ui.shortcuts_dialog import ShortcutsDialog
from ui.span_table import ID_ROLE as SPAN_ID_ROLE
from ui.span_table import SpanRow, SpanTable
from ui.status_bar import StatusBar
from ui.theme import apply_theme
from ui.undo import ActionQueue, CoreCommand, CoreUndoStack

APP_TITLE = "Quote annotator"
# The window waits this long for another program's write lock, then says so and retries (ActionQueue).
WINDOW_BUSY_TIMEOUT = 0.3


class MainWindow(QMainWindow):
    def __init__(self, project: Project | None, annotator: str, settings: Settings) -> None:
        super().__init__()
        self.setObjectName("main-window")
        self.settings = settings
        self.annotator = annotator
        self.project: Project | None = None
        self.state: DocumentAnnotations | None = None
        self.text = ""
        self._shown: dict = {}  # span id -> (SpanInfo, ShownSpan), reused between changes
        self._rows_cache: dict = {}  # span id -> SpanRow
        self.queue = ActionQueue(self)  # every write, in order; retried while another program writes
        self.undo_stack = CoreUndoStack(self.queue, self)
        self._build()
        self.queue.waiting.connect(self.status.set_waiting)
        self._declare_actions()
        self.resize(1400, 860)
        if project is not None:
            self.set_project(project)
        else:
            self._show_empty("Open a project (Ctrl+O) or create one (Ctrl+N).")

    # --- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        self.documents = DocumentListPanel(self)
        self.documents.table.clicked.connect(lambda index: self.open_document(index.data(ID_ROLE)))
        self.documents.table.activated.connect(lambda index: self.open_document(index.data(ID_ROLE)))
        self.label_bar = LabelBar(self)
        self.label_bar.label_clicked.connect(lambda name: self.mark(name, exact=self._alt_held()))
        self.label_bar.link_clicked.connect(self.link)
        self.view = ArticleView(self)
        self.view.span_clicked.connect(self._span_clicked)
        self.find_bar = FindBar(self.view, self)
        self.title = QLabel(self)
        self.title.setObjectName("document-title")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()  # a font, not a stylesheet: stylesheets freeze the palette (dark theme)
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.title.setFont(font)
        center = QWidget(self)
        column = QVBoxLayout(center)
        column.setContentsMargins(6, 6, 6, 6)
        column.addWidget(self.title)
        column.addWidget(self.label_bar)
        column.addWidget(self.find_bar)
        column.addWidget(self.view, 1)
        self.spans = SpanTable(self)
        self.spans.clicked.connect(lambda index: self._span_clicked(index.data(SPAN_ID_ROLE), reveal=True))
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        for widget in (self.documents, center, self.spans):
            self.splitter.addWidget(widget)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([290, 660, 470])
        self.setCentralWidget(self.splitter)
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self.status.set_annotator(self.annotator)

    def _declare_actions(self) -> None:
        self.actions = ActionRegistry(self)
        a, stack = self.actions.add, self.undo_stack
        a(ActionSpec("file.new", "&New project…", "File", self.new_project, ("Ctrl+N",)))
        a(ActionSpec("file.open", "&Open project…", "File", self.open_project_dialog, ("Ctrl+O",), toolbar=True))
        self.recent_menu = self.actions.menus["File"].addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        a(ActionSpec("file.import", "&Import…", "File", self.import_files, ("Ctrl+I",), toolbar=True))
        a(ActionSpec("file.export", "&Export…", "File", self.export_files, ("Ctrl+E",)))
        a(ActionSpec("file.quit", "&Quit", "File", self.close, ("Ctrl+Q",), separator_before=True))
        a(ActionSpec("edit.undo", "&Undo", "Edit", stack.undo, ("Ctrl+Z",), toolbar=True))
        a(ActionSpec("edit.redo", "&Redo", "Edit", stack.redo, ("Ctrl+Shift+Z", "Ctrl+Y"), toolbar=True))
        # Undo also while actions wait: it waits behind them and undoes the last one once stored.
        stack.canUndoChanged.connect(lambda can: self.actions["edit.undo"].setEnabled(can or bool(self.queue.pending())))
        self.queue.waiting.connect(lambda n: self.actions["edit.undo"].setEnabled(stack.canUndo() or n > 0))
        stack.canRedoChanged.connect(self.actions["edit.redo"].setEnabled)
        stack.undoTextChanged.connect(lambda t: self.actions["edit.undo"].setStatusTip(f"Undo {t}"))
        self.actions["edit.undo"].setEnabled(False)
        self.actions["edit.redo"].setEnabled(False)
        a(ActionSpec("edit.delete", "&Delete span", "Edit", self.delete_selected, ("Delete", "Backspace"),
                     separator_before=True))
        a(ActionSpec("edit.find", "&Find in article…", "Edit", self.find_bar.open, ("Ctrl+F",)))
        a(ActionSpec("view.zoom_in", "Zoom &in", "View", lambda: self.view.zoomIn(1), ("Ctrl++", "Ctrl+=")))
        a(ActionSpec("view.zoom_out", "Zoom &out", "View", lambda: self.view.zoomOut(1), ("Ctrl+-",)))
        a(ActionSpec("view.dark", "&Dark theme", "View", self.toggle_theme, ("Ctrl+Shift+D",), checkable=True,
                     separator_before=True))
        self.actions["view.dark"].setChecked(self.settings.theme == "dark")
        a(ActionSpec("review.previous", "&Previous document", "Review", lambda: self.step(-1), ("Alt+Left",),
                     toolbar=True))
        a(ActionSpec("review.next", "&Next document", "Review", lambda: self.step(1), ("Alt+Right",), toolbar=True))
        a(ActionSpec("review.done", "Mark &done and go to next", "Review", self.mark_done,
                     ("Ctrl+Return", "Ctrl+Enter"), toolbar=True, separator_before=True))
        a(ActionSpec("review.skip", "&Skip document", "Review", self.skip, ("Ctrl+Shift+S",)))
        a(ActionSpec("review.link", "&Link to speaker…", "Review", self.link, ("L",), separator_before=True))
        a(ActionSpec("review.unlink", "&Remove link…", "Review", self.unlink, ("Shift+L",)))
        self.review = ReviewWindows(self)
        a(ActionSpec("review.agreement", "&Agreement…", "Review", self.review.agreement, ("Ctrl+Shift+A",),
                     separator_before=True))
        a(ActionSpec("review.compare", "&Compare / adjudicate…", "Review", self.review.compare_current,
                     ("Ctrl+Shift+C",)))
        a(ActionSpec("review.deselect", "Clear span selection", None, self._deselect, ("Escape",)))
        a(ActionSpec("help.shortcuts", "&Keyboard shortcuts", "Help", self.show_shortcuts, ("F1",)))
        a(ActionSpec("help.about", "&About", "Help", self.about))

    def _declare_label_actions(self) -> None:
        """One action per label key, and the same with Alt for exact characters."""
        self.actions.remove_prefixed("label.")
        for label in self.schema.labels:
            if not label.key:
                continue
            self.actions.add(ActionSpec(f"label.{label.name}", f"Mark as {label.name}", None,
                                        lambda n=label.name: self.mark(n), (label.key,)))
            self.actions.add(ActionSpec(f"label.{label.name}.exact", f"Mark as {label.name}, exact characters",
                                        None, lambda n=label.name: self.mark(n, exact=True), (f"Alt+{label.key}",)))

    # --- project ------------------------------------------------------------------------
    def set_project(self, project: Project) -> None:
        if self.project is not None and self.project is not project:
            self.project.close()
        self.project = project
        project.busy_timeout = min(project.busy_timeout, WINDOW_BUSY_TIMEOUT)  # never freeze long: retry
        self.review.project_changed()
        self.undo_stack.clear()
        self.state = None
        with project.read() as session:
            self.schema = project_schema(session)
            rows = document_rows(session, self.annotator)
        self.colors = {label.name: label.color for label in self.schema.labels}
        self.view.set_colors(self.colors)
        self.spans.span_model.set_colors(self.colors)
        self.label_bar.set_schema(self.schema)
        self._declare_label_actions()
        self.documents.model.set_rows(rows)
        self._update_progress()
        self.settings.add_recent(project.address)  # a file's path, a server's URL without the password
        if rows.empty:
            self._show_empty("This project has no documents yet: File → Import… (Ctrl+I).")
            return
        last = self.settings.last_document(project.url, self.annotator)
        ids = set(rows["id"].tolist())
        first = last if last in ids else (next_unfinished(rows, None) or int(rows["id"].iloc[0]))
        self.open_document(first)

    def _show_empty(self, message: str) -> None:
        self.state = None
        self.text = ""
        self._shown, self._rows_cache = {}, {}
        self.view.set_document("", [])
        self.view.setPlaceholderText(message)
        self.title.setText(message)
        self.spans.span_model.set_rows([])
        self._update_title()

    def _update_title(self) -> None:
        name = self.project.name if self.project else ""
        document = self.documents.model.name_of(self.state.document_id) if self.state else ""
        self.setWindowTitle(" — ".join(p for p in (document, name, APP_TITLE) if p))

    def _update_progress(self) -> None:
        rows = self.documents.model.rows()
        self.status.set_progress(int((rows["status"] == "done").sum()) if len(rows) else 0, len(rows))

    # --- documents ----------------------------------------------------------------------
    def open_document(self, document_id: int | None) -> None:
        if document_id is None or self.project is None:
            return
        with self.project.read() as session:
            self.text, _tokens = queries.document_text(session, document_id)
            self.state = DocumentAnnotations.load(session, document_id, self.annotator)
        self._shown, self._rows_cache = {}, {}
        self.view.set_document(self.text, self._shown_spans(), self._shown_links())
        self._refresh_span_table(new_document=True)
        self.documents.select(document_id)
        self.title.setText(self.documents.model.name_of(document_id))
        self.settings.set_last_document(self.project.url, self.annotator, document_id)
        self._update_title()

    def current_document(self) -> int | None:
        return self.state.document_id if self.state else None

    def step(self, direction: int) -> None:
        ids = self.documents.visible_ids()
        if not ids:
            return
        current = self.current_document()
        if current not in ids:
            self.open_document(ids[0])
            return
        position = ids.index(current) + direction
        if 0 <= position < len(ids):
            self.open_document(ids[position])
        else:
            self.status.showMessage("No more documents this way.", 4000)

    def mark_done(self) -> None:
        self._finish("done")

    def skip(self) -> None:
        self._finish("skipped")

    def _finish(self, status: str) -> None:
        document = self.current_document()
        if document is None:
            return
        if self._run(commands.set_status, self.project, document, self.annotator, status) is None:
            return
        following = next_unfinished(self.documents.model.rows(), document)
        if following is None:
            self.status.showMessage("Every document is done or skipped.", 8000)
            return
        self.open_document(following)

    # --- marking ------------------------------------------------------------------------
    def mark(self, label: str, exact: bool = False) -> None:
        """A label key: mark the selected text, or relabel the selected span."""
        if self.state is None:
            return
        self.label_bar.show_guideline(label)
        selection = self.view.selected_range()
        if selection is not None:
            change = self._run(commands.add_span, self.project, self.state.document_id, self.annotator, label,
                               *selection, exact=exact)
            if change is not None or self.queue.pending():  # stored, or waiting its turn: do not mark twice
                self.view.clear_selection()
        elif self.view.selected_span is not None:
            self._run(commands.relabel_span, self.project, self.view.selected_span, label)
        else:
            self.status.showMessage("Select some text first (mouse, or Shift+Ctrl+→), then press a label key.", 6000)

    def delete_selected(self) -> None:
        if self.view.selected_span is None:
            self.status.showMessage("Click a span (or pick one in the span table) to delete it.", 5000)
            return
        self._run(commands.delete_span, self.project, self.view.selected_span)

    def link(self) -> None:
        head = self.view.selected_span
        if self.state is None or head is None:
            self.status.showMessage("Select a QUOTE or THREAT span first (click it), then press L.", 6000)
            return
        head_label = self.state.spans[head].label
        targets = commands.link_targets(self.schema, head_label)
        if not targets:
            self.status.showMessage(f"A {head_label} span does not link to anything; select a QUOTE or THREAT.", 6000)
            return
        candidates = self.state.link_candidates(head, targets)
        if not candidates:
            self.status.showMessage(f"Mark the {'/'.join(sorted(targets))} first, then link to it.", 6000)
            return
        picker = LinkPicker(f"Link this {head_label} “{self._excerpt(head)}” to:",
                            [(s.id, f"{s.label}  “{self._excerpt(s.id)}”  ({s.start}–{s.end})") for s in candidates],
                            self)
        if picker.exec() and picker.chosen() is not None:
            self._run(commands.add_link, self.project, head, picker.chosen(), self.annotator)
        self._back_to_article()

    def unlink(self) -> None:
        span = self.view.selected_span
        links = self.state.links_of(span) if self.state and span is not None else []
        if not links:
            self.status.showMessage("The selected span has no link to remove.", 5000)
            return
        chosen = links[0].id
        if len(links) > 1:
            picker = LinkPicker("Remove which link?", [(l.id, self._describe_link(l)) for l in links], self)
            accepted = picker.exec()
            self._back_to_article()
            if not accepted:
                return
            chosen = picker.chosen()
        self._run(commands.remove_link, self.project, chosen)

    def _back_to_article(self) -> None:
        """After a dialog: the window and the article get the keyboard again."""
        self.activateWindow()
        self.view.setFocus()

    def _deselect(self) -> None:
        if self.find_bar.field.hasFocus():
            self.find_bar.close_bar()
            return
        self.view.select_span(None)
        self.spans.select(None)
        self.view.clear_selection()

    def _span_clicked(self, span_id: int, reveal: bool = False) -> None:
        span_id = None if span_id is None or span_id < 0 else span_id
        linked = {l.head if l.child == span_id else l.child for l in self.state.links_of(span_id)} \
            if self.state is not None and span_id is not None else set()
        self.view.select_span(span_id, reveal=reveal, linked=linked)
        self.spans.select(span_id)
        if span_id is not None and self.state is not None:
            self.label_bar.show_guideline(self.state.spans[span_id].label)
        if reveal:
            self.view.setFocus()

    # --- running commands ---------------------------------------------------------------
    def _run(self, command: Callable[..., Change], *args, **kwargs) -> Change | None:
        """Run a core command; it is in the file before the window shows it.

        Returns the change, or None when refused or when it waits behind another program's
        write (the queue retries it; it is shown once stored)."""
        done: list[Change] = []

        def attempt() -> None:  # ProjectBusy propagates: the queue keeps it and retries
            try:
                change = command(*args, **kwargs)
            except UserError as exc:
                if isinstance(exc, ProjectBusy):
                    raise
                self.status.error(str(exc))
                QApplication.beep()
                return
            self.undo_stack.push(CoreCommand(self.project, change, self._changed, self.status.error))
            self._changed(change)
            done.append(change)

        self.queue.submit(attempt)
        return done[0] if done else None

    def _changed(self, change: Change) -> None:
        """Show a committed change (a command, an undo or a redo)."""
        self.status.mark_saved()
        if self.state is None:
            return
        touched = change.documents()
        elsewhere = touched - {self.state.document_id}
        shown_here = self.state.apply(change)
        if self.state.document_id in touched:  # this document's row comes from memory: no query per action
            status = change.status_after(self.state.document_id, self.state.annotator_id) or self.documents.model.status_of(self.state.document_id)
            self.documents.model.update_row(self.state.document_id, status, len(self.state.spans))
        if elsewhere:
            with self.project.read() as session:
                for document in elsewhere:
                    self.documents.model.update_row(document, *document_row(session, self.annotator, document))
        self._update_progress()
        if shown_here:
            self.view.set_spans(self._shown_spans())
            self.view.set_links(self._shown_links())
            self._refresh_span_table()
            focus = change.focus_span if change.focus_span in self.state.spans else self.view.selected_span
            self._span_clicked(focus if focus in self.state.spans else None)  # also redraws its link outlines
        elif elsewhere:
            self.open_document(min(elsewhere))  # an undo/redo of work on another document shows it

    # --- presentation -------------------------------------------------------------------
    def _excerpt(self, span_id: int, limit: int = 60) -> str:
        span = self.state.spans[span_id]
        text = " ".join(self.text[span.start:span.end].split())
        return text if len(text) <= limit else text[: limit - 1] + "…"

    def _describe_link(self, link) -> str:
        head, child = self.state.spans.get(link.head), self.state.spans.get(link.child)
        return f"{head.label if head else '?'} {link.relation} → {child.label if child else '?'} " \
               f"“{self._excerpt(link.child) if child else ''}”"

    def _link_notes(self) -> dict[int, str]:
        """Each span's links in words; recomputed only when the set of links changes."""
        key = (self.state.document_id, frozenset(self.state.links))
        if getattr(self, "_notes_key", None) != key:
            self._notes_key, self._notes = key, self._compute_link_notes()
        return self._notes

    def _compute_link_notes(self) -> dict[int, str]:
        notes: dict[int, list[str]] = {}
        for link in self.state.links.values():
            if link.child in self.state.spans:
                notes.setdefault(link.head, []).append(f"{link.relation} → “{self._excerpt(link.child, 40)}”")
            if link.head in self.state.spans:
                notes.setdefault(link.child, []).append(f"← {link.relation} of “{self._excerpt(link.head, 40)}”")
        return {span_id: "; ".join(items) for span_id, items in notes.items()}

    def _shown_spans(self) -> list[ShownSpan]:
        """What the article view draws; unchanged spans keep their objects (cheap on 2,000 spans)."""
        notes = self._link_notes()
        cache = self._shown
        shown = {}
        for span in self.state.spans.values():
            note = notes.get(span.id, "")
            old = cache.get(span.id)
            shown[span.id] = old if old is not None and old[0] == span and old[1].note == note \
                else (span, ShownSpan(span.id, span.label, span.start, span.end, note))
        self._shown = shown
        return [entry[1] for entry in shown.values()]

    def _shown_links(self) -> list[ShownLink]:
        """What the article view draws as arcs: every link of this document, head to child."""
        return [ShownLink(link.id, link.head, link.child, link.relation) for link in self.state.links.values()]

    def _refresh_span_table(self, new_document: bool = False) -> None:
        notes = self._link_notes()
        rows = []
        for span_id, (span, shown) in self._shown.items():  # rows follow the drawn spans, built once each
            row = self._rows_cache.get(span_id)
            if row is None or row.label != span.label or row.links != shown.note:
                row = SpanRow(span.id, span.label, self.text[span.start:span.end], span.start, span.end,
                              notes.get(span.id, ""))
            rows.append(row)
        self._rows_cache = {row.id: row for row in rows}
        if new_document:
            self.spans.span_model.set_rows(rows)
        else:
            self.spans.span_model.sync(rows)
        self.spans.select(self.view.selected_span)

    @staticmethod
    def _alt_held() -> bool:
        return bool(QApplication.keyboardModifiers() & Qt.KeyboardModifier.AltModifier)

    # --- files, dialogs, themes -----------------------------------------------------------
    def new_project(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "New project", "project.db", "Project files (*.db)")
        if path:
            self._switch(lambda: create_project(path))

    def open_project_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", "", "Project files (*.db);;All files (*)")
        if path:
            self._switch(lambda: open_project(path))

    def _switch(self, opener: Callable[[], Project]) -> None:
        if self.queue.pending():
            QMessageBox.information(self, APP_TITLE, "Actions are still waiting to be saved (another program is "
                                    "writing to the project); open the other project once they are saved.")
            return
        try:
            project = opener()
        except UserError as exc:
            QMessageBox.warning(self, APP_TITLE, str(exc))
            return
        self.set_project(project)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.settings.recent_projects():
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _=False, p=path: self._switch(lambda: open_project(p)))
        if not self.recent_menu.actions():
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    def import_files(self) -> None:
        if self.project is None:
            self.status.showMessage("Open or create a project first.", 5000)
            return
        from ui.import_dialog import ImportDialog  # loads spaCy: only when asked for

        dialog = ImportDialog(self.project, None, self)
        dialog.succeeded.connect(self._reload_list)
        dialog.exec()

    def export_files(self) -> None:
        if self.project is None:
            self.status.showMessage("Open a project first.", 5000)
            return
        from exports import available_sources  # the export dialog loads spaCy: only when asked for
        from ui.export_dialog import ExportDialog

        with self.project.read() as session:
            sources = available_sources(session)
        ExportDialog(self.project, sources, self).exec()

    def _reload_list(self) -> None:
        current = self.current_document()
        with self.project.read() as session:
            rows = document_rows(session, self.annotator)
        self.documents.model.set_rows(rows)
        self._update_progress()
        if current is None and not rows.empty:
            self.open_document(int(rows["id"].iloc[0]))
        elif current is not None:
            self.documents.select(current)

    def toggle_theme(self) -> None:
        self.settings.theme = "dark" if self.actions["view.dark"].isChecked() else "light"
        apply_theme(QApplication.instance(), self.settings.theme)

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self.actions.overview(), self).exec()

    def about(self) -> None:
        QMessageBox.about(self, APP_TITLE, "Quote annotator: label who said what in news articles.\n"
                          "Every action is saved to the project file as you make it.")

    def closeEvent(self, event) -> None:
        self.queue.drain()
        if self.queue.pending() and QMessageBox.question(
                self, APP_TITLE, f"{self.queue.pending()} actions are not saved yet: another program is still "
                "writing to the project. Quit anyway and lose them?") != QMessageBox.StandardButton.Yes:
            event.ignore()
            return
        self.settings.store.sync()
        if self.project is not None:
            self.project.close()
            self.project = None
        super().closeEvent(event)
