"""The compare view's list: one row per candidate of an annotator.review.comparison.Comparison
(a distinct label, start and end of the document)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from annotator.review.comparison import Candidate
from ui.table_model import RowsTableModel

COLUMNS = ("Label", "Text", "Start", "End", "Marked by", "Agree", "Gold")
KEY_ROLE = Qt.ItemDataRole.UserRole


class CandidateModel(RowsTableModel):
    _header = COLUMNS

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[Candidate] = []
        self._colors: dict[str, QColor] = {}

    def set_colors(self, colors: dict[str, str]) -> None:
        self._colors = {name: QColor(value) for name, value in colors.items()}

    def set_rows(self, rows: Sequence[Candidate]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Candidate]:
        return list(self._rows)

    def row_of(self, key: tuple[str, int, int]) -> int | None:
        return next((i for i, row in enumerate(self._rows) if row.key == key), None)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            agree = f"{row.agreed_by}/{row.out_of}" if row.out_of else str(row.agreed_by)
            return (row.label, " ".join(row.text.split())[:100], row.start, row.end, ", ".join(row.marked_by),
                    agree, "✓" if row.gold_id is not None else "")[column]
        if role == KEY_ROLE:
            return row.key
        if role == Qt.ItemDataRole.ToolTipRole and column == 1:
            return row.text
        if role == Qt.ItemDataRole.ToolTipRole and column == 5:
            return "everyone who finished the document marked it alike" if row.unanimous \
                else "not everyone who finished the document marked it alike"
        if role == Qt.ItemDataRole.BackgroundRole:
            if column == 0 and row.label in self._colors:
                return self._colors[row.label]
            if column == 5 and not row.unanimous:
                return QColor("#f4b6b0")  # a disagreement: the same red as its outline in the lanes
        if role == Qt.ItemDataRole.ForegroundRole and (column == 0 or (column == 5 and not row.unanimous)):
            return QColor("#000000")
        return None
