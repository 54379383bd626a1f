"""Review → Agreement: the per-label table, a pairwise heatmap and the worst documents.

The report (annotator.agreement.report) takes about a second on 1,000 documents,
so it runs in the background (ui.background) and comes back by signal; the window stays responsive.
Double-clicking a worst document asks for it in the compare view
(`document_chosen`, with the id the report gives the row: names are not unique).

It hears every change of the project (the ChangeSignal) but does not recompute on each one: a
report costs a second and a key press a few milliseconds. It marks itself stale (one line above the
tables) and recomputes when the reviewer comes back to it (the window is activated) or presses
Refresh; a change while a report is computed leaves that report marked stale.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QGridLayout, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget)

from annotator.agreement.render import SHORT, documents_line
from annotator.agreement.report import OVERALL, PAIR_MEASURES, agreement_report
from annotator.changes import Change
from annotator.agreement.units import DOCUMENT_RULES
from annotator.store import Project
from ui.agreement_models import LabelMeasuresModel, PairHeatmapModel, WorstDocumentsModel
from ui.background import BackgroundJob, run_in_background
from ui.change_signal import ChangeSignal
from ui.tables import configure_table


STALE = "Annotations changed since this report: it is computed again when you come back to this window " \
        "(or press Refresh)."


def _names(text: str) -> list[str] | None:
    return [name.strip() for name in text.split(",") if name.strip()] or None


def _table(model, name: str, parent: QWidget) -> QTableView:
    return configure_table(QTableView(parent), model, name, row_height=24)


class AgreementDashboard(QWidget):
    document_chosen = Signal(int)

    def __init__(self, project: Project, changes: ChangeSignal, parent=None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("agreement-dashboard")
        self.setWindowTitle(f"Agreement — {project.name}")
        self.project = project
        self.report: dict | None = None
        self.job: BackgroundJob | None = None  # the report being computed, until its answer arrives
        self.stale = False  # the project changed since the report shown (or being computed) was read
        changes.changed.connect(self._changed)  # a bound method: dropped with this window

        self.summary = QLabel(self)
        self.summary.setObjectName("agreement-summary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.refresh = QPushButton("&Refresh", self)
        self.refresh.clicked.connect(self.compute)
        # The same choices as `annotator agreement --annotators a,b --labels L,M`; empty means the default.
        self.annotators = QLineEdit(self)
        self.annotators.setObjectName("agreement-annotators")
        self.annotators.setPlaceholderText("all who finished a document (e.g. alice,gold)")
        self.labels_field = QLineEdit(self)
        self.labels_field.setObjectName("agreement-labels-field")
        self.labels_field.setPlaceholderText("every label")
        for field in (self.annotators, self.labels_field):
            field.returnPressed.connect(self.compute)
        self.documents = QComboBox(self)  # `annotator agreement --documents`
        self.documents.setObjectName("agreement-documents")
        self.documents.addItem("finished by all of them", DOCUMENT_RULES[0])
        self.documents.addItem("finished by at least two", DOCUMENT_RULES[1])
        self.documents.currentIndexChanged.connect(self.compute)
        self.labels_model = LabelMeasuresModel(self)
        self.labels_view = _table(self.labels_model, "agreement-labels", self)
        self.labels_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.heatmap_model = PairHeatmapModel(self)
        self.heatmap = _table(self.heatmap_model, "agreement-heatmap", self)
        self.heatmap.verticalHeader().show()
        self.heatmap.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.heatmap.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.measure = QComboBox(self)
        self.measure.setObjectName("heatmap-measure")
        for measure in PAIR_MEASURES:
            self.measure.addItem(SHORT[measure], measure)
        self.measure.setCurrentIndex(PAIR_MEASURES.index("span_f1_overlap"))
        self.label = QComboBox(self)
        self.label.setObjectName("heatmap-label")
        self.measure.currentIndexChanged.connect(self._show_heatmap)
        self.label.currentIndexChanged.connect(self._show_heatmap)
        self.worst_model = WorstDocumentsModel(self)
        self.worst = _table(self.worst_model, "agreement-worst", self)
        self.worst.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.worst.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.worst.doubleClicked.connect(lambda index: self._choose(index.row()))
        self.worst.activated.connect(lambda index: self._choose(index.row()))
        self.worst.setToolTip("Double-click (or Enter) to compare and adjudicate this document")

        top = QHBoxLayout()
        top.addWidget(QLabel("Annotators:", self))
        top.addWidget(self.annotators, 2)
        top.addWidget(QLabel("Labels:", self))
        top.addWidget(self.labels_field, 1)
        top.addWidget(QLabel("Documents:", self))
        top.addWidget(self.documents)
        top.addWidget(self.refresh)
        pick = QHBoxLayout()
        pick.addWidget(QLabel("Pairs:", self))
        pick.addWidget(self.measure)
        pick.addWidget(self.label)
        pick.addStretch(1)
        grid = QGridLayout()
        grid.addWidget(self._title("Per label"), 0, 0, 1, 2)
        grid.addWidget(self.labels_view, 1, 0, 1, 2)
        grid.addWidget(self._title("Pairwise"), 2, 0)
        grid.addWidget(self._title("Worst documents (lowest overall α) — double-click to adjudicate"), 2, 1)
        grid.addLayout(pick, 3, 0)
        grid.addWidget(self.heatmap, 4, 0)
        grid.addWidget(self.worst, 3, 1, 2, 1)
        grid.setRowStretch(1, 2)
        grid.setRowStretch(4, 3)
        column = QVBoxLayout(self)
        column.addLayout(top)
        column.addWidget(self.summary)
        column.addLayout(grid, 1)
        self.resize(1000, 680)

    def _title(self, text: str) -> QLabel:
        label = QLabel(text, self)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        return label

    # --- the report, off the UI thread --------------------------------------------------
    def compute(self) -> None:
        if self.running():
            return
        self.refresh.setEnabled(False)
        self.stale = False
        self.summary.setText("Computing agreement…")
        project, annotators, labels = self.project, _names(self.annotators.text()), _names(self.labels_field.text())
        documents = self.documents.currentData()
        self.job = run_in_background(lambda _progress, _cancelled: agreement_report(project, annotators, labels,
                                                                                   documents),
                                     "agreement", self._show, self._failed)

    def running(self) -> bool:
        return self.job is not None

    def _show(self, report: dict) -> None:
        self.job = None
        self.refresh.setEnabled(True)
        self.report = report
        names = report["annotators"]
        self.summary.setText(f"{len(names)} annotators ({', '.join(names) or 'none'}); "
                             f"{documents_line(report)}. "
                             "— means undefined (no units, or a single category).")
        if self.stale:
            self._say_stale()
        self.labels_model.set_report(report)
        self.label.blockSignals(True)
        self.label.clear()
        self.label.addItems(list(report["labels"]))
        self.label.setCurrentText(OVERALL)
        self.label.blockSignals(False)
        self._show_heatmap()
        self.worst_model.set_report(report)

    def _failed(self, message: str) -> None:
        self.job = None
        self.refresh.setEnabled(True)
        self.summary.setText(message)

    def _show_heatmap(self) -> None:
        if self.report is not None:
            self.heatmap_model.set_pairs(self.report, self.measure.currentData(), self.label.currentText() or OVERALL)

    # --- changes of the project ------------------------------------------------------------
    def _changed(self, change: Change) -> None:
        """Cheap on every key press: only the first change after a report says so."""
        if self.stale or not change:
            return
        self.stale = True
        if self.report is not None and not self.running():
            self._say_stale()

    def _say_stale(self) -> None:
        self.summary.setText(f"{self.summary.text()}\n{STALE}")

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.WindowActivate and self.stale and not self.running():
            self.compute()  # the reviewer looks at it again: now it is worth a second
        return super().event(event)

    # --- to the compare view ------------------------------------------------------------
    def _choose(self, row: int) -> None:
        self.document_chosen.emit(self.worst_model.document_at(row))
