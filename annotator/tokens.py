"""Stored tokens: (start, end) code-point pairs packed as little-endian int32, and snapping to them.

Numpy only: the window and the commands use these without loading spaCy (annotator.text
tokenizes, at import, and rebuilds spaCy Docs for the export).
"""

from __future__ import annotations

import numpy as np

TOKEN_DTYPE = np.dtype("<i4")


def pack_tokens(tokens: np.ndarray) -> bytes:
    return np.ascontiguousarray(tokens, dtype=TOKEN_DTYPE).tobytes()


def unpack_tokens(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=TOKEN_DTYPE).reshape(-1, 2)


def marked_range(text: str, tokens: np.ndarray, start: int, end: int, exact: bool = False) -> tuple[int, int] | None:
    """What a mark of [start, end) stores: widened to whole tokens (`snap`), or as given when
    `exact`; None when it holds only whitespace."""
    if exact:
        return (start, end) if text[start:end].strip() else None
    return snap(text, tokens, start, end)


def snap(text: str, tokens: np.ndarray, start: int, end: int) -> tuple[int, int] | None:
    """Widen [start, end) to the token boundaries around it, after trimming whitespace.

    None when the range holds nothing but whitespace.
    """
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    starts, ends = tokens[:, 0], tokens[:, 1]
    first = int(np.searchsorted(ends, start, side="right"))  # first token ending after start
    last = int(np.searchsorted(starts, end, side="left")) - 1  # last token starting before end
    if first > last:
        return None
    return int(starts[first]), int(ends[last])
