"""The document list: a table model over the work list (names and counts only, never texts)."""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QTableView, QVBoxLayout, QWidget

from ui.table_model import RowsTableModel
from ui.tables import configure_table

COLUMNS = ("Document", "Lang", "Status", "Spans")
_FIELDS = ("name", "lang", "status", "spans")
STATUS_TEXT = {"todo": "to do", "in_progress": "in progress", "done": "done", "skipped": "skipped"}
# Status colours per theme, each readable on that theme's background.
STATUS_COLOR = {"light": {"done": "#1b5e20", "skipped": "#6d4c41", "in_progress": "#0d47a1"},
                "dark": {"done": "#81c784", "skipped": "#bcaaa4", "in_progress": "#90caf9"}}
FILTERS = (("All", None), ("Not done", ("todo", "in_progress")), ("To do", ("todo",)),
           ("In progress", ("in_progress",)), ("Done", ("done",)), ("Skipped", ("skipped",)))
ID_ROLE = Qt.ItemDataRole.UserRole


class DocumentListModel(RowsTableModel):
    _header = COLUMNS

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows = pd.DataFrame(columns=["id", *_FIELDS])
        self._row_of: dict[int, int] = {}

    def set_rows(self, rows: pd.DataFrame) -> None:
        self.beginResetModel()
        self._rows = rows.reset_index(drop=True)
        self._row_of = {int(doc_id): i for i, doc_id in enumerate(self._rows["id"])}
        self.endResetModel()

    def rows(self) -> pd.DataFrame:
        return self._rows

    def update_row(self, document_id: int, status: str, spans: int) -> None:
        row = self._row_of.get(document_id)
        if row is None:
            return
        columns = self._rows.columns
        self._rows.iat[row, columns.get_loc("status")] = status
        self._rows.iat[row, columns.get_loc("spans")] = spans
        self.dataChanged.emit(self.index(row, 2), self.index(row, 3))

    def status_of(self, document_id: int) -> str:
        row = self._row_of[document_id]
        return str(self._rows.iat[row, self._rows.columns.get_loc("status")])

    def row_of(self, document_id: int) -> int | None:
        return self._row_of.get(document_id)

    def name_of(self, document_id: int) -> str:
        row = self._row_of.get(document_id)
        return str(self._rows.at[row, "name"]) if row is not None else ""

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        field = _FIELDS[index.column()]
        value = self._rows.iat[index.row(), self._rows.columns.get_loc(field)]
        if role == Qt.ItemDataRole.DisplayRole:
            return STATUS_TEXT.get(value, value) if field == "status" else (int(value) if field == "spans" else str(value))
        if role == ID_ROLE:
            return int(self._rows.iat[index.row(), 0])
        if role == Qt.ItemDataRole.ForegroundRole and field == "status":
            theme = "dark" if QApplication.palette().base().color().lightness() < 128 else "light"
            color = STATUS_COLOR[theme].get(value)
            return QColor(color) if color else None
        if role == Qt.ItemDataRole.TextAlignmentRole and field == "spans":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and field == "name":
            return str(value)
        return None


class DocumentFilter(QSortFilterProxyModel):
    """Filters by my status and by a search in the document name."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.statuses: tuple[str, ...] | None = None
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(0)

    def set_statuses(self, statuses: tuple[str, ...] | None) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.10; invalidateFilter() is deprecated there
            self.beginFilterChange()
            self.statuses = statuses
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.statuses = statuses
            self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent) -> bool:
        if self.statuses is not None:
            model = self.sourceModel()
            status = model.rows().iat[row, model.rows().columns.get_loc("status")]
            if status not in self.statuses:
                return False
        return super().filterAcceptsRow(row, parent)


class DocumentListPanel(QWidget):
    """The list with its status filter and search field."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.model = DocumentListModel(self)
        self.proxy = DocumentFilter(self)
        self.proxy.setSourceModel(self.model)
        self.filter = QComboBox(self)
        self.filter.setObjectName("status-filter")
        for title, _ in FILTERS:
            self.filter.addItem(title)
        self.filter.currentIndexChanged.connect(lambda i: self.proxy.set_statuses(FILTERS[i][1]))
        self.search = QLineEdit(self)
        self.search.setObjectName("document-search")
        self.search.setPlaceholderText("Search documents…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = configure_table(QTableView(self), self.proxy, "documents", row_height=24,
                                     widths=(0, 40, 78, 46), word_wrap=False)
        self.table.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.filter)
        layout.addWidget(self.table)

    def visible_ids(self) -> list[int]:
        """Document ids in the order shown (after filter and search)."""
        return [self.proxy.index(r, 0).data(ID_ROLE) for r in range(self.proxy.rowCount())]

    def select(self, document_id: int) -> None:
        row = self.model.row_of(document_id)
        if row is None:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.table.blockSignals(True)
            self.table.selectRow(index.row())
            self.table.blockSignals(False)
            self.table.scrollTo(index)
