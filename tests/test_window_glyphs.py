"""Every character the window writes has a glyph in the fonts a plain Linux desktop has (DejaVu).

Qt draws a missing-glyph box for a character no installed font holds; laying the text
out with Qt's font fallback and looking for glyph 0 finds exactly those boxes.
"""

import ast
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QTextLayout

from annotator.importing import import_path
from tests.ui_helpers import open_window

UI = Path(__file__).resolve().parents[1] / "ui"


def has_no_glyph(character: str, font: QFont) -> bool:
    """Qt would draw `character` as a box with `font` and every fallback font it tries."""
    layout = QTextLayout(character, font)
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    return any(0 in run.glyphIndexes() for run in layout.glyphRuns())


def missing_glyphs(text: str, font: QFont) -> list[str]:
    return sorted(c for c in set(text) if has_no_glyph(c, font))


def test_finishing_the_last_document_says_so_without_a_missing_glyph(qtbot, project, tmp_path):
    (tmp_path / "only.txt").write_text("Vladimir Putin said on Tuesday that Russia would respond.", encoding="utf-8")
    import_path(project, tmp_path / "only.txt")
    window = open_window(qtbot, project, "alice", tmp_path / "settings.ini")
    qtbot.keyClick(window.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    message = window.status.currentMessage()
    assert message.startswith("Every document is done or skipped.")
    assert missing_glyphs(message, window.status.font()) == []
    assert missing_glyphs(window.status.saved.text(), window.status.saved.font()) == []


def test_every_character_in_the_windows_strings_has_a_glyph(qapp):
    used: dict[str, set[str]] = {}
    for path in sorted(UI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for character in node.value:
                    if ord(character) > 127:
                        used.setdefault(character, set()).add(path.name)
    assert {"✓", "⚠", "“", "”", "→", "…"} <= set(used)  # the scan sees the window's strings
    font = qapp.font()
    missing = {c: sorted(files) for c, files in used.items() if has_no_glyph(c, font)}
    assert missing == {}
