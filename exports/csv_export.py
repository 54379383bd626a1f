"""CSV: one row per span — document, document_id, annotator, label, start, end, text — written with pandas.

Spreadsheet programs run a cell that begins with =, +, - or @ as a formula (CSV injection), so
such a text cell gets a leading single quote: `-il` is written `'-il`. Offsets are the
project's code-point offsets as they are; `text` is text[start:end] (before that escaping).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from exports.prepare import Prepared

COLUMNS = ["document", "document_id", "annotator", "label", "start", "end", "text"]
FORMULA_STARTS = ("=", "+", "-", "@")


def escape_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def write_csv(path: Path, docs: Iterable[Prepared], annotator: str, chunk: int = 5_000) -> int:
    """Write rows in chunks (memory stays flat); return the number of rows."""
    rows: list[tuple] = []
    written = 0
    for doc in docs:
        payload = doc.payload
        rows += [(payload.name, payload.id, annotator, label, s, e, payload.text[s:e]) for s, e, label in doc.spans]
        if len(rows) >= chunk:
            written += _flush(path, rows, header=written == 0)
    return written + _flush(path, rows, header=written == 0)


def _flush(path: Path, rows: list[tuple], header: bool) -> int:
    if not rows and not header:
        return 0
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("document", "annotator", "label", "text"):
        frame[column] = frame[column].map(escape_cell)
    frame.to_csv(path, mode="w" if header else "a", header=header, index=False, encoding="utf-8", lineterminator="\n")
    count = len(rows)
    rows.clear()
    return count
