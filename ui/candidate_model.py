"""The compare view's list: one row per distinct (label, start, end) of a document, from compare_document."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from ui.table_model import RowsTableModel

from annotator.adjudication import GOLD

COLUMNS = ("Label", "Text", "Start", "End", "Marked by", "Agree", "Gold")
KEY_ROLE = Qt.ItemDataRole.UserRole


class Candidate(NamedTuple):
    label: str
    start: int
    end: int
    text: str
    marked_by: tuple[str, ...]  # annotators (gold excluded), in project order
    agreed_by: int
    unanimous: bool
    span_id: int | None  # one annotator's span with this key (what "accept" copies)
    gold_id: int | None  # the gold span with this key (what "reject"/"edit" change)

    @property
    def key(self) -> tuple[str, int, int]:
        return self.label, self.start, self.end


def candidates(frame: pd.DataFrame, text: str, order: list[str]) -> list[Candidate]:
    """Group compare_document's rows (one per span) by label and offsets."""
    rank = {name: i for i, name in enumerate(order)}
    rows = []
    for (label, start, end), group in frame.groupby(["label", "start", "end"], sort=False):
        people = group[group["annotator"] != GOLD]
        gold = group[group["annotator"] == GOLD]
        rows.append(Candidate(
            label, int(start), int(end), text[start:end],
            tuple(sorted(people["annotator"], key=lambda n: rank.get(n, len(rank)))),
            int(group["agreed_by"].iloc[0]), bool(group["unanimous"].iloc[0]),
            int(people["id"].iloc[0]) if len(people) else None, int(gold["id"].iloc[0]) if len(gold) else None,
        ))
    return sorted(rows, key=lambda c: (c.start, -c.end, c.label))


class CandidateModel(RowsTableModel):
    _header = COLUMNS

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[Candidate] = []
        self._colors: dict[str, QColor] = {}
        self.people = 0  # annotators with a lane (marked or finished the document): "2/3" means 2 of them

    def set_colors(self, colors: dict[str, str]) -> None:
        self._colors = {name: QColor(value) for name, value in colors.items()}

    def set_rows(self, rows: list[Candidate], people: int) -> None:
        self.beginResetModel()
        self._rows, self.people = rows, people
        self.endResetModel()

    def rows(self) -> list[Candidate]:
        return list(self._rows)

    def row_of(self, key: tuple[str, int, int]) -> int | None:
        return next((i for i, row in enumerate(self._rows) if row.key == key), None)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            agree = f"{row.agreed_by}/{self.people}" if self.people else str(row.agreed_by)
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
