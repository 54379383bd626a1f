"""The annotation window: document list | label bar + article | span table.

It only adapts the core: every action is a core command (one transaction, committed before the
window shows it) run through the project's History, which every window hears.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMessageBox, QSplitter, QVBoxLayout, QWidget

from annotator import commands
from annotator.annotations import DocumentAnnotations
from annotator.changes import Change
from annotator.errors import ServerUnavailable
from annotator.store import Project
from annotator.queue import check_editable
from annotator.worklist import next_document
from ui.actions import ActionRegistry, ActionSpec
from ui.article_view import ArticleView
from ui.change_signal import ChangeSignal
from ui.connection_status import ConnectionStatus
from ui.document_list import ID_ROLE, DocumentListPanel
from ui.document_presenter import APP_TITLE, DocumentPresenter
from ui.find_bar import FindBar
from ui.label_bar import LabelBar
from ui.link_picker import LinkPicker
from ui.project_controller import ProjectController
from ui.review_windows import ReviewWindows
from ui.settings import Settings
from ui.shortcuts_dialog import ShortcutsDialog
from ui.span_table import ID_ROLE as SPAN_ID_ROLE
from ui.span_table import SpanTable
from ui.status_bar import StatusBar
from ui.suggestion_keys import SuggestionKeys
from ui.theme import apply_theme
from ui.undo import ActionQueue, QueuedHistory


class MainWindow(QMainWindow):
    def __init__(self, project: Project | None, annotator: str, settings: Settings) -> None:
        super().__init__()
        self.setObjectName("main-window")
        self.settings = settings
        self.annotator = annotator
        self.queue = ActionQueue(self)  # every write, in order; retried while another program writes
        self.undo_stack = QueuedHistory(self.queue, self._refused, self)  # actions, undo and redo, queued
        self._build()
        self.suggestions = SuggestionKeys(self)  # the open document's suggestions, drawn and decided by key
        self.presenter = DocumentPresenter(self)  # the open document
        self.projects = ProjectController(self)  # the project, its files and its reviewer windows
        self.queue.waiting.connect(self.status.set_waiting)
        self.connection = ConnectionStatus(self)  # while the server is gone: the status bar, and what closing asks
        self._declare_actions()
        self.resize(1400, 860)
        if project is not None:
            self.set_project(project)
        else:
            self.presenter.show_empty("Open a project (Ctrl+O) or create one (Ctrl+N).")

    # --- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        self.documents = DocumentListPanel(self)
        self.documents.table.clicked.connect(lambda index: self.open_document(index.data(ID_ROLE)))
        self.documents.table.activated.connect(lambda index: self.open_document(index.data(ID_ROLE)))
        self.label_bar = LabelBar(self)
        self.label_bar.label_clicked.connect(lambda name: self.mark(name, exact=self._alt_held()))
        self.label_bar.link_clicked.connect(self.link)
        self.view = ArticleView(self)
        self.view.span_clicked.connect(lambda span_id: self.presenter.select_span(span_id))
        self.find_bar = FindBar(self.view, self)
        self.title = QLabel(self)
        self.title.setObjectName("document-title")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()  # a font, not a stylesheet: stylesheets freeze the palette (dark theme)
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.title.setFont(font)
        self.read_only_note = QLabel(self)  # shown over a document I may only read (not assigned to me)
        self.read_only_note.setObjectName("read-only-note")
        self.read_only_note.setTextFormat(Qt.TextFormat.PlainText)
        self.read_only_note.setWordWrap(True)
        self.read_only_note.setStyleSheet("QLabel { background: #fff3cd; color: #5c4400; padding: 4px; }")
        self.read_only_note.hide()
        center = QWidget(self)
        column = QVBoxLayout(center)
        column.setContentsMargins(6, 6, 6, 6)
        column.addWidget(self.title)
        column.addWidget(self.read_only_note)
        column.addWidget(self.label_bar)
        column.addWidget(self.find_bar)
        column.addWidget(self.view, 1)
        self.span_table = SpanTable(self)
        self.span_table.clicked.connect(
            lambda index: self.presenter.select_span(index.data(SPAN_ID_ROLE), reveal=True))
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        for widget in (self.documents, center, self.span_table):
            self.splitter.addWidget(widget)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([390, 610, 420])  # the list holds names and Others' counts
        self.setCentralWidget(self.splitter)
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self.status.set_annotator(self.annotator)

    def _declare_actions(self) -> None:
        self.actions = ActionRegistry(self)
        a, stack = self.actions.add, self.undo_stack
        a(ActionSpec("file.new", "&New project…", "File", self.projects.new_project, ("Ctrl+N",)))
        a(ActionSpec("file.open", "&Open project…", "File", self.projects.open_project_dialog, ("Ctrl+O",), toolbar=True))
        self.recent_menu = self.actions.menus["File"].addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self.projects.fill_recent)
        a(ActionSpec("file.import", "&Import…", "File", self.projects.import_files, ("Ctrl+I",), toolbar=True))
        a(ActionSpec("file.export", "&Export…", "File", self.projects.export_files, ("Ctrl+E",)))
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
        self.suggestions.declare(a)
        a(ActionSpec("review.agreement", "&Agreement…", "Review", self.review.agreement, ("Ctrl+Shift+A",),
                     separator_before=True))
        a(ActionSpec("review.team", "&Team progress…", "Review", self.review.team_progress, ("Ctrl+Shift+P",)))
        a(ActionSpec("review.compare", "&Compare / adjudicate…", "Review", self.review.compare_current,
                     ("Ctrl+Shift+C",)))
        a(ActionSpec("review.train", "&Train model…", "Review", self.projects.train_model))
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

    def show_schema(self, schema) -> None:
        """A project's labels: colours, the label bar and the label keys."""
        self.schema = schema
        self.colors = {label.name: label.color for label in schema.labels}
        self.view.set_colors(self.colors)
        self.span_table.span_model.set_colors(self.colors)
        self.label_bar.set_schema(schema)
        self._declare_label_actions()

    # --- what the parts hold ---------------------------------------------------------------
    @property
    def project(self) -> Project | None:
        return self.projects.project

    @property
    def changes(self) -> ChangeSignal | None:
        return self.projects.changes

    @property
    def review(self) -> ReviewWindows:
        return self.projects.review

    @property
    def state(self) -> DocumentAnnotations | None:
        return self.presenter.state

    def set_project(self, project: Project) -> None:
        self.projects.set_project(project)

    # --- documents ----------------------------------------------------------------------
    def open_document(self, document_id: int | None) -> None:
        if document_id is not None and self.project is not None:
            try:
                self.presenter.open(document_id)
            except ServerUnavailable as exc:  # the open document stays; the waiting actions still wait
                self.status.error(f"{exc} — the document opens once it is back")

    def current_document(self) -> int | None:
        return self.presenter.current_document()

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
        following = next_document(self.documents.model.rows(), document)
        if following is None:
            self.status.showMessage("Every document is done or skipped." if (self.documents.model.rows()["position"] < 0)
                                    .all() else "Your queue is empty: every document assigned to you is done or "
                                    "skipped.", 8000)
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
        elif self.suggestions.selected is not None:  # accept the selected suggestion with this label
            self.suggestions.accept(label)
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
        if self.presenter.read_only:  # before the picker opens: the edit would be refused anyway
            self.status.error(self.presenter.read_only)
            return
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
        picker = LinkPicker(f"Link this {head_label} “{self.presenter.excerpt(head)}” to:",
                            [(s.id, f"{s.label}  “{self.presenter.excerpt(s.id)}”  ({s.start}–{s.end})") for s in candidates],
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
            picker = LinkPicker("Remove which link?", [(l.id, self.presenter.describe_link(l)) for l in links], self)
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
        self.span_table.select(None)
        self.suggestions.select(None)
        self.view.clear_selection()

    # --- running commands ---------------------------------------------------------------
    def _run(self, command: Callable[..., Change], *args, **kwargs) -> Change | None:
        """Run a core command through the project's History; it is in the file before any window
        shows it. Returns the change, or None when refused or when it waits behind another program's
        write (the queue retries it; it is shown once stored)."""
        document = self.current_document()
        if document is None:
            return self.undo_stack.run(command, *args, **kwargs)

        @functools.wraps(command)  # still the command it runs, for the note ConnectionStatus keeps
        def guarded(*given, **named) -> Change:  # a document not assigned to me is read-only (core rule)
            check_editable(self.project, (document,), self.annotator)
            return command(*given, **named)

        return self.undo_stack.run(guarded, *args, **kwargs)

    def check_step(self, step: Change) -> None:
        """An undo or redo writes only where my edits may (the same core rule as every action)."""
        check_editable(self.project, step.documents(), self.annotator)

    def _refused(self, message: str) -> None:
        self.status.error(message)
        QApplication.beep()

    @staticmethod
    def _alt_held() -> bool:
        return bool(QApplication.keyboardModifiers() & Qt.KeyboardModifier.AltModifier)

    # --- themes and help ------------------------------------------------------------------
    def toggle_theme(self) -> None:
        self.settings.theme = "dark" if self.actions["view.dark"].isChecked() else "light"
        apply_theme(QApplication.instance(), self.settings.theme)

    def show_shortcuts(self, parent: QWidget | None = None) -> None:
        """F1: the keys of this window and of every reviewer window open beside it."""
        rows = self.actions.overview()
        for window in self.review.open_windows():
            rows += window.actions.overview()
        ShortcutsDialog(rows, parent or self).exec()

    def about(self) -> None:
        QMessageBox.about(self, APP_TITLE, "Quote annotator: label who said what in news articles.\n"
                          "Every action is saved to the project file as you make it.")

    def closeEvent(self, event) -> None:
        if not self.connection.may_close():  # actions wait: asks before losing them
            event.ignore()
            return
        self.settings.store.sync()
        self.projects.close()
        super().closeEvent(event)
