"""Review → Agreement: the per-label table, a pairwise heatmap and the worst documents.

The report (annotator.agreement_report) takes about a second on 1,000 documents,
so it runs in a pool thread and comes back by signal; the window stays responsive.
Double-clicking a worst document asks for it in the compare view
(`document_chosen`, with the id the report gives the row: names are not unique).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QGridLayout, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget)

from annotator.agreement_render import SHORT
from annotator.agreement_report import OVERALL, PAIR_MEASURES, agreement_report
from annotator.errors import UserError
from annotator.store import Project
from ui.agreement_models import LabelMeasuresModel, PairHeatmapModel, WorstDocumentsModel


class _ReportSignals(QObject):
    finished = Signal(object)  # the report dict
    failed = Signal(str)


class ReportTask(QRunnable):
    """The report in a pool thread. The pool outlives any window (it waits for its tasks when the
    application ends), and a signal to a window deleted meanwhile is simply dropped."""

    def __init__(self, project: Project, annotators: list[str] | None, labels: list[str] | None) -> None:
        super().__init__()
        self.project, self.annotators, self.labels = project, annotators, labels
        self.signals = _ReportSignals()

    def run(self) -> None:
        try:
            report = agreement_report(self.project, self.annotators, self.labels)
        except UserError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # the dashboard must always leave "computing"
            self.signals.failed.emit(f"agreement failed ({type(exc).__name__}: {exc})")
        else:
            self.signals.finished.emit(report)


def _names(text: str) -> list[str] | None:
    return [name.strip() for name in text.split(",") if name.strip()] or None


def _table(model, name: str, parent: QWidget) -> QTableView:
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(24)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    return view


class AgreementDashboard(QWidget):
    document_chosen = Signal(int)

    def __init__(self, project: Project, parent=None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("agreement-dashboard")
        self.setWindowTitle(f"Agreement — {project.name}")
        self.project = project
        self.report: dict | None = None
        self.task: ReportTask | None = None  # the report being computed

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
        self.summary.setText("Computing agreement…")
        self.task = ReportTask(self.project, _names(self.annotators.text()), _names(self.labels_field.text()))
        self.task.setAutoDelete(False)  # kept by self.task until its answer arrives
        self.task.signals.finished.connect(self._show)
        self.task.signals.failed.connect(self._failed)
        QThreadPool.globalInstance().start(self.task)

    def running(self) -> bool:
        return self.task is not None

    def _show(self, report: dict) -> None:
        self.task = None
        self.refresh.setEnabled(True)
        self.report = report
        names = report["annotators"]
        self.summary.setText(f"{len(names)} annotators ({', '.join(names) or 'none'}); "
                             f"{report['documents']} documents finished by at least two of them. "
                             "— means undefined (no units, or a single category).")
        self.labels_model.set_report(report)
        self.label.blockSignals(True)
        self.label.clear()
        self.label.addItems(list(report["labels"]))
        self.label.setCurrentText(OVERALL)
        self.label.blockSignals(False)
        self._show_heatmap()
        self.worst_model.set_report(report)

    def _failed(self, message: str) -> None:
        self.task = None
        self.refresh.setEnabled(True)
        self.summary.setText(message)

    def _show_heatmap(self) -> None:
        if self.report is not None:
            self.heatmap_model.set_pairs(self.report, self.measure.currentData(), self.label.currentText() or OVERALL)

    # --- to the compare view ------------------------------------------------------------
    def _choose(self, row: int) -> None:
        self.document_chosen.emit(self.worst_model.document_at(row))
