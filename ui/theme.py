"""Light and dark palettes (Fusion style, so they look the same on every desktop)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("light", "dark")

_DARK = {
    QPalette.ColorRole.Window: "#2b2d30", QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1e1f22", QPalette.ColorRole.AlternateBase: "#26282b",
    QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#35373b",
    QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.Highlight: "#3d6fb4",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#3c3f41",
    QPalette.ColorRole.ToolTipText: "#f0f0f0", QPalette.ColorRole.PlaceholderText: "#9a9a9a",
    QPalette.ColorRole.Link: "#8ab4f8",
}
_LIGHT = {
    QPalette.ColorRole.Window: "#f3f3f3", QPalette.ColorRole.WindowText: "#1a1a1a",
    QPalette.ColorRole.Base: "#ffffff", QPalette.ColorRole.AlternateBase: "#f6f7f9",
    QPalette.ColorRole.Text: "#1a1a1a", QPalette.ColorRole.Button: "#e9e9e9",
    QPalette.ColorRole.ButtonText: "#1a1a1a", QPalette.ColorRole.Highlight: "#2f65ca",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#ffffe1",
    QPalette.ColorRole.ToolTipText: "#1a1a1a", QPalette.ColorRole.PlaceholderText: "#6e6e6e",
    QPalette.ColorRole.Link: "#1a5fb4",
}


_DISABLED_TEXT = {"light": "#9a9a9a", "dark": "#6f6f6f"}


def apply_theme(app: QApplication, theme: str) -> None:
    app.setStyle("Fusion")
    palette = QPalette()
    for role, color in (_DARK if theme == "dark" else _LIGHT).items():
        palette.setColor(role, QColor(color))
    # setColor(role, ...) sets every group: grey out disabled text again, or disabled actions look enabled.
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(_DISABLED_TEXT[theme]))
    app.setPalette(palette)
