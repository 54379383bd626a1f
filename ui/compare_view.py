"""Review → Compare / adjudicate: every annotator's spans in its own lane, gold in the last one, and the
document's candidate spans in a list; the reviewer settles them into gold.

What is shown comes whole from annotator.review.comparison (lanes, disputed spans, candidates, gold's
status); this window only displays it and runs the reviewer's actions.

Each action is an annotator.review.adjudication function (one transaction, the reviewer recorded by the
core) run through the main window's QueuedHistory: it waits behind another program's write like the
main window's actions, and Ctrl+Z / Ctrl+Shift+Z undo and redo it like any edit. A refused undo or
redo asked for here is told here.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (QApplication, QComboBox, QLabel, QMainWindow, QMessageBox, QSpinBox, QSplitter,
                               QTableView, QVBoxLayout, QWidget)

from annotator import queries
from annotator.review import adjudication
from annotator.changes import Change
from annotator.review.comparison import Candidate, Comparison, comparison
from annotator.review.gold_lock import GoldLocks, Holder
from annotator.schema import project_schema
from annotator.store import Project
from ui.actions import ActionRegistry, ActionSpec
from ui.candidate_model import CandidateModel
from ui.compare_lanes import Lanes
from ui.gold_edit_dialog import GoldEditDialog
from ui.shortcuts_dialog import ShortcutsDialog
from ui.tables import configure_table
from ui.change_signal import ChangeSignal
from ui.status_bar import show_waiting
from ui.undo import QueuedHistory


# The reviewer's actions that write gold: off while another reviewer holds the document.
_GOLD_WRITES = ("accept", "accept_k", "premerge", "reject", "edit", "links", "done")


class CompareWindow(QMainWindow):
    def __init__(self, project: Project, reviewer: str, undo_stack: QueuedHistory, changes: ChangeSignal,
                 parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("compare-window")
        self.project = project
        self.reviewer = reviewer
        self.undo_stack = undo_stack
        self.changes = changes
        self.document_id: int | None = None
        self.text = ""
        self.shown: Comparison | None = None  # what the lanes and the list show
        self.gold_locks = GoldLocks(project)  # on a server: one reviewer at a time per document
        self.read_only = False  # another reviewer holds this document's gold
        with project.read() as session:
            schema = project_schema(session)
            self.documents = queries.documents(session)
        self.labels = schema.label_names()
        self.colors = {label.name: label.color for label in schema.labels}
        self._build()
        changes.changed.connect(self._changed)  # a bound method: dropped with this window
        self.resize(1400, 880)

    # --- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.chooser = QComboBox(self)
        self.chooser.setObjectName("compare-document")
        for document_id, name in zip(self.documents["id"], self.documents["name"]):
            self.chooser.addItem(name, int(document_id))
        self.chooser.activated.connect(lambda i: self.open_document(self.chooser.itemData(i)))
        self.k = QSpinBox(self)
        self.k.setObjectName("agree-k")
        self.k.setRange(1, 99)
        self.k.setValue(2)
        self.k.setPrefix("k = ")
        self.k.setToolTip("Accept every span at least k annotators marked alike (same label, start and end)")
        self.gold_status = QLabel(self)
        self.gold_status.setObjectName("gold-status")

        self.actions = ActionRegistry(self, menus=(), toolbar="Adjudicate", where="Compare")
        toolbar = self.actions.toolbar

        def add(name: str, title: str, keys: tuple[str, ...], handler: Callable[[], None], shown: bool = True) -> None:
            self.actions.add(ActionSpec(f"compare.{name}", title, None, handler, keys, toolbar=shown))

        toolbar.addWidget(QLabel(" Document: ", self))
        toolbar.addWidget(self.chooser)
        toolbar.addSeparator()
        add("previous", "Previous document", ("Alt+Left",), lambda: self.step(-1), shown=False)
        add("next", "Next document", ("Alt+Right",), lambda: self.step(1), shown=False)
        self.chooser.setToolTip("The document compared (Alt+Left / Alt+Right: previous / next)")
        add("accept", "&Accept span", ("A",), self.accept_selected)
        toolbar.addWidget(self.k)
        add("accept_k", "Accept ≥ &k", ("K",), self.accept_agreed)
        add("premerge", "Pre-merge &unanimous", ("U",), self.premerge)
        toolbar.addSeparator()
        add("reject", "&Reject gold span", ("Delete", "R"), self.reject_selected)
        add("edit", "&Edit gold span…", ("E",), self.edit_selected)
        add("links", "Copy &links", ("L",), self.copy_links)
        add("done", "Mark gold &done", ("Ctrl+Return", "Ctrl+Enter"), self.mark_done)
        toolbar.addSeparator()
        stack = self.undo_stack
        add("undo", "Undo", ("Ctrl+Z",), lambda: stack.undo(self._error))  # a refusal is told here
        add("redo", "Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), lambda: stack.redo(self._error))
        add("shortcuts", "Keyboard shortcuts", ("F1",), self.show_shortcuts, shown=False)
        # Fixed titles (the description goes in the tip). Bound methods only: the stack and the queue
        # outlive this window, and Qt drops those connections with it.
        undo, redo = self.actions["compare.undo"], self.actions["compare.redo"]
        stack.canUndoChanged.connect(undo.setEnabled)
        stack.canRedoChanged.connect(redo.setEnabled)
        stack.undoTextChanged.connect(self._undo_tip)
        stack.redoTextChanged.connect(self._redo_tip)
        undo.setEnabled(stack.canUndo())
        redo.setEnabled(stack.canRedo())
        self._undo_tip(stack.undoText())
        self._redo_tip(stack.redoText())
        stack.queue.waiting.connect(self._waiting)  # its writes wait behind another program too
        self.statusBar().addPermanentWidget(self.gold_status)

        self.lanes = Lanes(self)
        self.lanes.set_colors(self.colors)
        self.lanes.span_clicked.connect(self._lane_clicked)
        self.model = CandidateModel(self)
        self.model.set_colors(self.colors)
        self.table = configure_table(QTableView(self), self.model, "candidates", widths=(80, 0, 52, 52, 160, 56, 44),
                                     word_wrap=False)
        self.table.selectionModel().currentRowChanged.connect(lambda current, _: self._row_chosen(current.row()))
        legend = QLabel("Red dotted frame: a span not every annotator marked alike. "
                        "Select a row (or click a span) then A accepts it, R rejects a gold span, E edits it.", self)
        legend.setWordWrap(True)
        bottom = QWidget(self)
        column = QVBoxLayout(bottom)
        column.setContentsMargins(4, 0, 4, 0)
        column.addWidget(legend)
        column.addWidget(self.table, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.lanes)
        splitter.addWidget(bottom)
        splitter.setSizes([560, 320])
        self.setCentralWidget(splitter)

    def _undo_tip(self, text: str) -> None:
        self.actions["compare.undo"].setToolTip(f"Undo {text} (Ctrl+Z)" if text else "Undo (Ctrl+Z)")

    def _redo_tip(self, text: str) -> None:
        self.actions["compare.redo"].setToolTip(f"Redo {text} (Ctrl+Shift+Z)" if text else "Redo (Ctrl+Shift+Z)")

    def show_shortcuts(self) -> None:
        """F1 here lists the same as in the main window: every open window's keys."""
        shortcuts = getattr(self.parent(), "show_shortcuts", None)
        if shortcuts is not None:
            shortcuts(self)
        else:
            ShortcutsDialog(self.actions.overview(), self).exec()

    # --- showing a document -------------------------------------------------------------
    def open_document(self, document_id: int | None) -> None:
        if document_id is None:
            return
        same = document_id == self.document_id
        if not same and not self._hold_gold(document_id):
            return
        selected = self.current() if same else None
        shown = comparison(self.project, document_id)
        self.document_id, self.text, self.shown = document_id, shown.text, shown
        self.lanes.show(shown, same)
        self.model.set_rows(shown.candidates)
        self.gold_status.setText(f"  Reviewer: {self.reviewer}   Gold: {shown.gold_status.replace('_', ' ')}"
                                 + ("   (read-only)  " if self.read_only else "  "))
        self.chooser.setCurrentIndex(self.chooser.findData(document_id))
        self.setWindowTitle(f"Compare / adjudicate — {shown.name} — {self.project.name}")
        self.select_key(selected.key if selected else None)
        self.table.setFocus()

    def _hold_gold(self, document_id: int) -> bool:
        """Take the document's gold; when another reviewer holds it, offer it read-only (False: stay)."""
        holder = self.gold_locks.take(document_id)
        if holder is not None and not self.confirm_read_only(holder):
            return False
        self.read_only = holder is not None
        for name in _GOLD_WRITES:
            self.actions[f"compare.{name}"].setEnabled(not self.read_only)
        return True

    def confirm_read_only(self, holder: Holder) -> bool:
        answer = QMessageBox.question(self, "Compare / adjudicate", holder.message(self.reviewer))
        return answer == QMessageBox.StandardButton.Yes

    def closeEvent(self, event) -> None:
        self.gold_locks.release()  # the next reviewer may take this document
        self.document_id = None  # shown again later: held again first
        super().closeEvent(event)

    def step(self, direction: int) -> None:
        position = self.chooser.currentIndex() + direction
        if 0 <= position < self.chooser.count():
            self.open_document(self.chooser.itemData(position))
        else:
            self.statusBar().showMessage("No more documents this way.", 4000)

    def current(self) -> Candidate | None:
        index = self.table.currentIndex()
        rows = self.model.rows()
        return rows[index.row()] if index.isValid() and index.row() < len(rows) else None

    def select_key(self, key: tuple[str, int, int] | None) -> None:
        row = self.model.row_of(key) if key is not None else None
        if row is None:
            self.table.clearSelection()
            self.table.setCurrentIndex(QModelIndex())
            self.lanes.select({}, reveal=False)
        else:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))

    def _row_chosen(self, row: int) -> None:
        rows = self.model.rows()
        if self.shown is not None and 0 <= row < len(rows):
            self.lanes.select(self.shown.spans_with(rows[row].key), reveal=True)

    def _lane_clicked(self, _lane: str, span_id: int) -> None:
        key = self.shown.key_of(span_id) if self.shown is not None else None
        if key is not None:
            self.select_key(key)

    # --- actions --------------------------------------------------------------------------
    def accept_selected(self) -> None:
        row = self._need_row()
        if row is None:
            return
        if row.span_id is None:
            self._error("only gold holds this span; nothing to accept")
            return
        self._run(adjudication.accept_span, self.project, row.span_id, self.reviewer)

    def accept_agreed(self) -> None:
        if self.document_id is not None:
            self._run(adjudication.accept_agreed, self.project, self.document_id, self.reviewer, self.k.value())

    def premerge(self) -> None:
        if self.document_id is not None:
            self._run(adjudication.premerge_unanimous, self.project, self.document_id, self.reviewer)

    def reject_selected(self) -> None:
        row = self._need_row()
        if row is None:
            return
        if row.gold_id is None:
            self._error("this span is not in gold; accept it first, or pick a row marked ✓ in Gold")
            return
        self._run(adjudication.reject_gold_span, self.project, row.gold_id)

    def edit_selected(self) -> None:
        row = self._need_row()
        if row is None:
            return
        if row.gold_id is None:
            self._error("only gold spans are edited here; accept the span first (A)")
            return
        dialog = GoldEditDialog(self.text, self.labels, row.label, row.start, row.end, self)
        accepted = dialog.exec()
        self.activateWindow()  # after a dialog the keys belong to this window again
        self.table.setFocus()
        if accepted:
            self._run(adjudication.edit_gold_span, self.project, row.gold_id, self.reviewer, **dialog.values())

    def copy_links(self) -> None:
        if self.document_id is not None:
            self._run(adjudication.copy_links, self.project, self.document_id, self.reviewer)

    def mark_done(self) -> None:
        if self.document_id is not None:
            self._run(adjudication.mark_gold_done, self.project, self.document_id, self.reviewer)

    def _need_row(self) -> Candidate | None:
        row = self.current()
        if row is None:
            self._error("pick a span in the list (or click one in a lane) first")
        return row

    def _run(self, command: Callable[..., Change], *args, **kwargs) -> Change | None:
        """Through the main window's queue and the project's History: every window shows it once it
        is stored (`_changed`); None while it waits behind another program's write, or refused."""
        change = self.undo_stack.run(command, *args, on_error=self._error, **kwargs)
        if change is not None:
            done = change.description[0].upper() + change.description[1:] + "." if change else \
                f"Nothing to do: {change.description}."
            self.statusBar().showMessage(done, 6000)
        return change

    def _waiting(self, count: int) -> None:
        show_waiting(self.statusBar(), count)

    def _changed(self, change: Change) -> None:
        """Show a committed change, from this window or another: the comparison of this document is
        read again only when the change touched it. An undo/redo asked for here of work on another
        document shows that document; changes made elsewhere on other documents leave it alone."""
        touched = change.documents()
        here = self.isActiveWindow()
        if self.document_id in touched:
            self.open_document(self.document_id)
        elif touched and here:
            self.open_document(min(touched))
        else:
            return
        key = self.shown.key_of(change.focus_span) if here and change.focus_span is not None else None
        if key is not None:
            self.select_key(key)

    def _error(self, message: str) -> None:
        self.statusBar().showMessage(message, 10000)
        QApplication.beep()
