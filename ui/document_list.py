"""The document list: a table model over the work list (names and counts only, never texts)."""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QTableView, QVBoxLayout, QWidget

from annotator.team.live_progress import Counts, others_text
from ui.table_model import RowsTableModel
from ui.tables import configure_table

COLUMNS = ("Document", "Lang", "Status", "Spans", "Others")
_FIELDS = ("name", "lang", "status", "spans", "others")
OTHERS_COLUMN = 4  # others' statuses as counts, no names (annotator.team.live_progress), kept fresh by ui/live_refresh.py
STATUS_TEXT = {"todo": "to do", "in_progress": "in progress", "done": "done", "skipped": "skipped"}
# Status colours per theme, each readable on that theme's background.
STATUS_COLOR = {"light": {"done": "#1b5e20", "skipped": "#6d4c41", "in_progress": "#0d47a1"},
                "dark": {"done": "#81c784", "skipped": "#bcaaa4", "in_progress": "#90caf9"}}
NOT_DONE = ("todo", "in_progress")
MY_QUEUE = "My queue"  # assigned to me and not done or skipped, in my assignment order
FILTERS = (("All", None), ("Not done", NOT_DONE), ("To do", ("todo",)), ("In progress", ("in_progress",)),
           ("Done", ("done",)), ("Skipped", ("skipped",)), (MY_QUEUE, NOT_DONE))
QUEUE_FILTER = len(FILTERS) - 1
ID_ROLE = Qt.ItemDataRole.UserRole


class DocumentListModel(RowsTableModel):
    _header = COLUMNS

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows = pd.DataFrame(columns=["id", *_FIELDS, "position"])
        self._row_of: dict[int, int] = {}
        self._others: dict[int, Counts] = {}  # document id -> others' (done, in progress, skipped)

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

    def set_others(self, others: dict[int, Counts]) -> None:
        """Others' progress per document (absent: nobody else started it); redraws changed rows only."""
        old, self._others = self._others, others
        for document_id in old.keys() | others.keys():
            row = self._row_of.get(document_id)
            if row is not None and old.get(document_id) != others.get(document_id):
                self.dataChanged.emit(self.index(row, OTHERS_COLUMN), self.index(row, OTHERS_COLUMN))

    def others_of(self, document_id: int) -> str:
        return others_text(self._others.get(document_id))

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
        if field == "others":
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                return self.others_of(int(self._rows.iat[index.row(), 0]))
            return None
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
    """Filters by my status, by my queue (shown in queue order) and by a search in the document name."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.statuses: tuple[str, ...] | None = None
        self.queue_only = False
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(0)

    def set_filter(self, statuses: tuple[str, ...] | None, queue_only: bool = False) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.10; invalidateFilter() is deprecated there
            self.beginFilterChange()
            self.statuses, self.queue_only = statuses, queue_only
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.statuses, self.queue_only = statuses, queue_only
            self.invalidateFilter()
        self.sort(0 if queue_only else -1)  # -1: import order again

    def _value(self, row: int, field: str):
        rows = self.sourceModel().rows()
        return rows.iat[row, rows.columns.get_loc(field)]

    def filterAcceptsRow(self, row: int, parent) -> bool:
        if self.queue_only and self._value(row, "position") < 0:
            return False
        if self.statuses is not None and self._value(row, "status") not in self.statuses:
            return False
        return super().filterAcceptsRow(row, parent)

    def lessThan(self, left, right) -> bool:  # sorted only in queue mode: by queue position
        # A plain bool: Qt cannot take numpy's from a virtual method.
        return bool(self._value(left.row(), "position") < self._value(right.row(), "position"))


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
        self.filter.currentIndexChanged.connect(lambda i: self.proxy.set_filter(FILTERS[i][1], i == QUEUE_FILTER))
        self.search = QLineEdit(self)
        self.search.setObjectName("document-search")
        self.search.setPlaceholderText("Search documents…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = configure_table(QTableView(self), self.proxy, "documents", row_height=24,
                                     widths=(0, 40, 78, 46, 96), word_wrap=False)
        self.table.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.filter)
        layout.addWidget(self.table)

    def show_queue_first(self) -> None:
        """My queue when something is assigned to me, else every document (a solo user's list)."""
        rows = self.model.rows()
        self.filter.setCurrentIndex(QUEUE_FILTER if bool((rows["position"] >= 0).any()) else 0)

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
