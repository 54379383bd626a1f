"""The window only adapts the core: no SQL in ui/, and offsets cross the Qt position boundary in one file."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI = ROOT / "ui"


def test_ui_holds_no_sql():
    for path in UI.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "sqlalchemy" not in source and "sqlite3" not in source, path.name


def test_position_conversion_happens_in_the_article_view_only():
    users = {path.name for path in UI.glob("*.py")
             if re.search(r"\b(qt_positions|QtPositions)\b", path.read_text(encoding="utf-8"))}
    assert users == {"article_view.py"}


def test_the_position_map_loads_without_spacy():
    """The window imports it for every article; spaCy would add a second to its start-up."""
    script = "import sys, annotator.qt_positions; print(sorted(m for m in ('spacy', 'pandas', 'PySide6') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
