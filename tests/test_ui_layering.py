"""The window only adapts the core: no SQL in ui/, and offsets cross the UTF-16 boundary in one file."""

import re
from pathlib import Path

UI = Path(__file__).resolve().parents[1] / "ui"


def test_ui_holds_no_sql():
    for path in UI.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "sqlalchemy" not in source and "sqlite3" not in source, path.name


def test_utf16_conversion_happens_in_the_article_view_only():
    users = {path.name for path in UI.glob("*.py")
             if re.search(r"\b(utf16_index|to_utf16|from_utf16)\b", path.read_text(encoding="utf-8"))}
    assert users == {"article_view.py"}
