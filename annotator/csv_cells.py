"""The cell rule of every CSV the tool writes (the CSV export's files, the agreement report).

Formulas: a spreadsheet runs a cell that begins with = + - @ (or the full-width ＝ ＋ － ＠), a
tab or a carriage return as a formula ("CSV injection"). Such a text cell is written with a
leading single quote, which spreadsheets show as plain text. A cell that already begins with '
gets one more, so the rule can be undone exactly: `unescape` removes one leading ' from any cell
that has one (the CSV export's reader does, so documents' texts round-trip to the character).
Numbers are written as numbers: -0.25 is not a formula.

Line ends: rows end with "\r\n" (RFC 4180). Python's csv writer (and pandas, which uses it)
quotes a cell only when it holds the delimiter, the quote character or a character of the line
terminator; with "\n", a bare "\r" inside a cell went out unquoted, and every reader that takes
"\r" as a line end (Python's csv, pandas, spreadsheets) split the row there. With "\r\n" every
cell holding "\r" or "\n" is quoted. Write with newline="" so that nothing translates them.
"""

from __future__ import annotations

import csv
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
QUOTE = "'"
LINE_END = "\r\n"
_ESCAPED = (*FORMULA_STARTS, QUOTE)


def escape(value: str) -> str:
    """The cell as written: a leading ' before a formula start or a '."""
    return QUOTE + value if value.startswith(_ESCAPED) else value


def unescape(value: str) -> str:
    """The text `escape` was given."""
    return value[1:] if value.startswith(QUOTE) else value


def escape_any(value: Any) -> Any:
    """`escape` for text cells; numbers, None and NaN stay as they are."""
    return escape(value) if isinstance(value, str) else value


def writer(handle) -> Any:
    """A csv writer with the tool's line ends; `handle` is opened with newline=""."""
    return csv.writer(handle, lineterminator=LINE_END)
