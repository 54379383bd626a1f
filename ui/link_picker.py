"""Pick the span to link to (e.g. the SPEAKER of a QUOTE): a keyboard-first list, nearest first."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout

ID_ROLE = Qt.ItemDataRole.UserRole


class LinkPicker(QDialog):
    def __init__(self, title: str, choices: list[tuple[int, str]], parent=None) -> None:
        """choices: (span id, description), already in the order to show."""
        super().__init__(parent)
        self.setObjectName("link-picker")
        self.setWindowTitle("Link")
        self.list = QListWidget(self)
        self.list.setObjectName("link-choices")
        for span_id, text in choices:
            item = QListWidgetItem(text)
            item.setData(ID_ROLE, span_id)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _item: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        hint = QLabel(title + "\n↑/↓ to choose, Enter to link, Esc to cancel.", self)
        hint.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(hint)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(520, 320)
        # The list has the keys from the start, not once the window manager activates the dialog
        # (a key pressed in between went nowhere).
        self.list.setFocus()

    def chosen(self) -> int | None:
        item = self.list.currentItem()
        return item.data(ID_ROLE) if item is not None else None
