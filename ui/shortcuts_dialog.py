"""F1: every shortcut, read from the action registry."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout

EXTRA = (
    ("Article", "Select a word / extend the selection", "Double-click, Shift+arrows, Shift+Ctrl+arrows"),
    ("Article", "Keep exact characters (no snapping to tokens)", "hold Alt with the label key or click"),
    ("Article", "Select a span", "click it (the innermost one under the pointer)"),
    ("Article", "Select a suggestion (dashed outline)", "Tab / Shift+Tab, or click it outside your own spans"),
    ("Article", "Accept the selected suggestion with another label", "that label's key"),
)


class ShortcutsDialog(QDialog):
    def __init__(self, rows: list[tuple[str, str, str]], parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcuts")
        self.setWindowTitle("Keyboard shortcuts")
        rows = list(rows) + list(EXTRA)
        # A fixed, small table: QTableWidget is fine here.
        table = QTableWidget(len(rows), 3, self)
        table.setHorizontalHeaderLabels(["Where", "Action", "Keys"])
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.setItem(r, c, QTableWidgetItem(value))
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        table.resizeColumnsToContents()
        self.table = table
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(640, 560)
