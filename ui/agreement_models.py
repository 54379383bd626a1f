"""Table models over an agreement report (the dict of annotator.agreement.report): per label, pairs, worst documents.

Undefined values (None in the report) show as "—"; cells keep the exact float
under EditRole so tests and copies compare against the report itself.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from annotator.agreement.render import SHORT, score_colour, worst_documents
from annotator.agreement.report import LABEL_MEASURES, OVERALL
from ui.table_model import RowsTableModel

UNDEFINED = "—"
VALUE_ROLE = Qt.ItemDataRole.EditRole  # the raw float (or None)


def shown(value: float | None) -> str:
    return UNDEFINED if value is None else f"{value:.3f}"


class _ReportTable(RowsTableModel):
    """Rows of values under fixed headers; subclasses fill `_rows` (list of lists) and `_header`."""

    _header: list[str] = []

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[list] = []

    def _reset(self, rows: list[list]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        value = self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return value if isinstance(value, str) else shown(value)
        if role == VALUE_ROLE:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole and not isinstance(value, str):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class LabelMeasuresModel(_ReportTable):
    """One row per label (and _overall), one column per measure."""

    _header = ["Label", *(SHORT[m] for m in LABEL_MEASURES)]

    def set_report(self, report: dict) -> None:
        self._reset([[label, *(values[m] for m in LABEL_MEASURES)] for label, values in report["labels"].items()])

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.FontRole and index.isValid() and self._rows[index.row()][0] == OVERALL:
            font = QFont()
            font.setBold(True)
            return font
        return super().data(index, role)


class WorstDocumentsModel(_ReportTable):
    """The documents with the lowest overall α (annotator.agreement.render.worst_documents).

    Rows show the name and keep the id: two documents may share a name."""

    _header = ["Document", SHORT["krippendorff_alpha"], SHORT["span_f1_overlap"]]

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._ids: list[int] = []

    def set_report(self, report: dict, count: int = 20) -> None:
        worst = worst_documents(report, count)
        self._ids = [d["document_id"] for d in worst]
        self._reset([[d["document"], d["krippendorff_alpha"], d["span_f1_overlap"]] for d in worst])

    def document_at(self, row: int) -> int:
        """The id of the document shown in `row`."""
        return self._ids[row]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid() and index.column() == 0:
            return f"{self._rows[index.row()][0]} (document {self._ids[index.row()]})"
        return super().data(index, role)


class PairHeatmapModel(_ReportTable):
    """Annotators × annotators for one pair measure and one label; cells coloured red → green."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._names: list[str] = []

    def set_pairs(self, report: dict, measure: str, label: str = OVERALL) -> None:
        self._names = list(report["annotators"])
        value = {}
        for pair in report["pairs"]:
            if pair["label"] == label:
                value[pair["a"], pair["b"]] = value[pair["b"], pair["a"]] = pair[measure]
        self._header = self._names
        self.beginResetModel()
        self._rows = [[value.get((a, b)) if a != b else "" for b in self._names] for a in self._names]
        self.endResetModel()

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and section < len(self._names):
            return self._names[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        value = self._rows[index.row()][index.column()]
        diagonal = index.row() == index.column()
        if role == Qt.ItemDataRole.BackgroundRole and not diagonal:
            return QColor(score_colour(value))
        if role == Qt.ItemDataRole.ForegroundRole and not diagonal:
            return QColor("#000000")  # the scale is light in both themes
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole and not diagonal:
            return f"{self._names[index.row()]} × {self._names[index.column()]}: {shown(value)}"
        return super().data(index, role)
