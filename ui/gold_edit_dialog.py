"""Edit a gold span: its label and offsets (code points); the core snaps them to tokens unless "exact"."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox


class GoldEditDialog(QDialog):
    def __init__(self, text: str, labels: list[str], label: str, start: int, end: int, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit gold span")
        self.text = text
        self.label = QComboBox(self)
        self.label.setObjectName("gold-label")
        self.label.addItems(labels)
        self.label.setCurrentText(label)
        self.start = QSpinBox(self)
        self.start.setObjectName("gold-start")
        self.end = QSpinBox(self)
        self.end.setObjectName("gold-end")
        for box, value in ((self.start, start), (self.end, end)):
            box.setRange(0, len(text))
            box.setValue(value)
            box.valueChanged.connect(self._preview)
        self.exact = QCheckBox("Exact characters (do not widen to whole tokens)", self)
        self.preview = QLabel(self)
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.preview.setWordWrap(True)
        self.preview.setMinimumHeight(self.preview.fontMetrics().lineSpacing() * 4)  # wrapped text is not clipped
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Label", self.label)
        form.addRow("Start", self.start)
        form.addRow("End", self.end)
        form.addRow("", self.exact)
        form.addRow("Text", self.preview)
        form.addRow(buttons)
        self._preview()
        self.resize(520, 0)

    def _preview(self) -> None:
        start, end = self.start.value(), self.end.value()
        shown = " ".join(self.text[start:end].split()) if start < end else "(empty: end must be after start)"
        self.preview.setText(f"“{shown[:300]}”")

    def values(self) -> dict:
        return {"label": self.label.currentText(), "start": self.start.value(), "end": self.end.value(),
                "exact": self.exact.isChecked()}
