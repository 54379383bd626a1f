"""The label bar: one coloured button per label with its key, and the current label's guideline."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from annotator.schema import Schema


class LabelBar(QWidget):
    label_clicked = Signal(str)
    link_clicked = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("label-bar")
        self.buttons: dict[str, QPushButton] = {}
        self._guidelines: dict[str, str] = {}
        self._row = QHBoxLayout()
        self._row.setSpacing(6)
        self.guideline = QPlainTextEdit(self)
        self.guideline.setObjectName("guideline")
        self.guideline.setReadOnly(True)
        self.guideline.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.guideline.setMaximumHeight(72)
        self.guideline.setPlaceholderText("The selected label's guideline shows here.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._row)
        layout.addWidget(self.guideline)

    def set_schema(self, schema: Schema) -> None:
        while self._row.count():
            item = self._row.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.buttons = {}
        self._guidelines = {label.name: label.guideline for label in schema.labels}
        for label in schema.labels:
            button = QPushButton(f"{label.key}  {label.name}" if label.key else label.name, self)
            button.setObjectName(f"label-{label.name}")
            # Keyboard focus stays in the article: the keys, not Tab, choose labels.
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setToolTip(f"Mark the selection as {label.name} (key {label.key}; hold Alt for exact characters)")
            button.setStyleSheet(
                f"QPushButton {{ background: {label.color}; color: #000; border: 1px solid rgba(0,0,0,90);"
                " border-radius: 4px; padding: 5px 14px; font-weight: 600; }"
                f" QPushButton:pressed {{ border: 2px solid #000; }}"
            )
            button.clicked.connect(lambda _=False, name=label.name: self.label_clicked.emit(name))
            self._row.addWidget(button)
            self.buttons[label.name] = button
        link = QPushButton("L  Link…", self)
        link.setObjectName("link-button")
        link.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        link.setToolTip("Link the selected QUOTE or THREAT to its SPEAKER (key L)")
        link.clicked.connect(self.link_clicked.emit)
        self._row.addWidget(link)
        self._row.addStretch(1)
        self.show_guideline(schema.labels[0].name if schema.labels else None)

    def show_guideline(self, label: str | None) -> None:
        text = self._guidelines.get(label, "") if label else ""
        self.guideline.setPlainText(f"{label}: {text}" if label else "")
