"""Code-point offsets of a text <-> positions in the Qt text document that shows it.

Offsets everywhere are Python code points into the text exactly as imported. A
QTextDocument given the text by setPlainText counts differently:

- a code point beyond U+FFFF is two UTF-16 units, so two positions;
- `\\r\\n` becomes ONE paragraph separator, so one position for two code points
  (a lone `\\r`, `\\n`, U+2029 and Qt's frame markers U+FDD0/U+FDD1 are one each);
- one U+FEFF (a byte-order mark) at the very start of the text is dropped: no position;
- everything else (U+2028, `\\x0b`, `\\x0c`, NUL, tabs, combining marks) is one position.

In a `\\r\\n` pair the `\\r` takes the position and the `\\n` none, so a Qt position maps
back to the offset after the pair, never between `\\r` and `\\n`. The window converts
here and nowhere else (ui/article_view.py). Only numpy: the window needs no spaCy for it.
"""

from __future__ import annotations

import numpy as np


def _widths(text: str) -> np.ndarray:
    """How many Qt positions each code point of the text takes (0, 1 or 2)."""
    codepoints = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    widths = np.where(codepoints > 0xFFFF, 2, 1)
    widths[1:][(codepoints[1:] == 0x0A) & (codepoints[:-1] == 0x0D)] = 0  # the \n of a \r\n pair
    if codepoints.size and codepoints[0] == 0xFEFF:
        widths[0] = 0  # setPlainText drops one byte-order mark at the very start (only there)
    return widths


class QtPositions:
    """The position map of one text: `to_qt(offset)`, `from_qt(position)`, vectorised `to_qt_many`."""

    __slots__ = ("_index",)

    def __init__(self, text: str) -> None:
        if text.isascii() and "\r\n" not in text:
            self._index = np.arange(len(text) + 1, dtype=np.int64)
        else:  # element i is the Qt position of code point i; len(text) + 1 entries, so an end converts too
            self._index = np.concatenate(([0], np.cumsum(_widths(text), dtype=np.int64)))

    @property
    def end(self) -> int:
        """The Qt position of the text's end (the document's characterCount() - 1)."""
        return int(self._index[-1])

    def to_qt(self, offset: int) -> int:
        """Code-point offset -> Qt position."""
        return int(self._index[offset])

    def to_qt_many(self, offsets) -> np.ndarray:
        """Many code-point offsets -> Qt positions, in one step."""
        return self._index[np.asarray(offsets, dtype=np.int64)]

    def from_qt(self, position: int) -> int:
        """Qt position -> code-point offset; a position inside a surrogate pair rounds down."""
        offset = int(np.searchsorted(self._index, position, side="right")) - 1
        return min(max(offset, 0), len(self._index) - 1)
