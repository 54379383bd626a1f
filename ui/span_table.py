"""The current document's spans as a table: label, text, offsets, links."""

from __future__ import annotations

from bisect import bisect_left
from typing import NamedTuple

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTableView

from ui.table_model import RowsTableModel
from ui.tables import configure_table

COLUMNS = ("Label", "Text", "Start", "End", "Links")
ID_ROLE = Qt.ItemDataRole.UserRole


class SpanRow(NamedTuple):  # a tuple: thousands per change, cheaply
    id: int
    label: str
    text: str
    start: int
    end: int
    links: str


def _order(row: SpanRow) -> tuple[int, int, int]:
    return row.start, -row.end, row.id


class SpanTableModel(RowsTableModel):
    _header = COLUMNS

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[SpanRow] = []
        self._keys: list[tuple[int, int, int]] = []  # _order of each row, for bisect
        self._key_of: dict[int, tuple[int, int, int]] = {}  # span id -> its row's _order
        self._colors: dict[str, QColor] = {}

    def set_colors(self, colors: dict[str, str]) -> None:
        self._colors = {name: QColor(value) for name, value in colors.items()}

    def set_rows(self, rows: list[SpanRow]) -> None:
        self.beginResetModel()
        self._rows = sorted(rows, key=_order)
        self._keys = [_order(row) for row in self._rows]
        self._key_of = {row.id: key for row, key in zip(self._rows, self._keys)}
        self.endResetModel()

    def update_rows(self, changed: list[SpanRow] = (), removed_ids: list[int] = ()) -> None:
        """Add or replace `changed` and drop `removed_ids`, row by row: one new span costs one
        inserted row, not a reset of thousands."""
        for span_id in removed_ids:
            if span_id in self._key_of:
                self._remove(self._key_of.pop(span_id))
        for row in changed:
            key = self._key_of.get(row.id)
            if key == _order(row):  # same place: a relabel, new links
                at = bisect_left(self._keys, key)
                self._rows[at] = row
                self.dataChanged.emit(self.index(at, 0), self.index(at, len(COLUMNS) - 1))
                continue
            if key is not None:
                self._remove(key)
            self._insert(row)

    def _insert(self, row: SpanRow) -> None:
        key = self._key_of[row.id] = _order(row)
        at = bisect_left(self._keys, key)
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows.insert(at, row)
        self._keys.insert(at, key)
        self.endInsertRows()

    def _remove(self, key: tuple[int, int, int]) -> None:
        at = bisect_left(self._keys, key)
        self.beginRemoveRows(QModelIndex(), at, at)
        del self._rows[at]
        del self._keys[at]
        self.endRemoveRows()

    def row_of(self, span_id: int) -> int | None:
        key = self._key_of.get(span_id)
        return None if key is None else bisect_left(self._keys, key)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            text = " ".join(row.text.split())
            return (row.label, text[:120], row.start, row.end, row.links)[column]
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole and column in (1, 4):
            return row.text if column == 1 else row.links
        if role == Qt.ItemDataRole.BackgroundRole and column == 0 and row.label in self._colors:
            return self._colors[row.label]
        if role == Qt.ItemDataRole.ForegroundRole and column == 0:
            return QColor("#000000")
        return None


class SpanTable(QTableView):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.span_model = SpanTableModel(self)
        self.horizontalHeader().setMinimumSectionSize(36)
        configure_table(self, self.span_model, "spans", widths=(74, 0, 46, 46, 130), word_wrap=False)

    def select(self, span_id: int | None) -> None:
        row = self.span_model.row_of(span_id) if span_id is not None else None
        self.blockSignals(True)
        self.selectionModel().blockSignals(True)
        if row is None:
            self.clearSelection()
        else:
            self.selectRow(row)
            self.scrollTo(self.span_model.index(row, 0))
        self.selectionModel().blockSignals(False)
        self.blockSignals(False)
