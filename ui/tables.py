"""The one set-up of a read-only table view: whole rows selected, one at a time, no row numbers."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

SINGLE = QAbstractItemView.SelectionMode.SingleSelection


def configure_table(view: QTableView, model: QAbstractItemModel, name: str, *, row_height: int = 22,
                    widths: tuple[int, ...] | None = None, word_wrap: bool = True,
                    selection: QAbstractItemView.SelectionMode = SINGLE) -> QTableView:
    """Show `model` in `view`, named `name` (tests and styles find it by that).

    widths: one per column, 0 for the column that stretches and a width for the others, which the
    user may resize; fixed widths because ResizeToContents asks every row for its size. None: every
    column stretches."""
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(selection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(row_height)
    view.setWordWrap(word_wrap)
    header = view.horizontalHeader()
    if widths is None:
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        return view
    for column, width in enumerate(widths):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive if width
                                    else QHeaderView.ResizeMode.Stretch)
        if width:
            header.resizeSection(column, width)
    return view
