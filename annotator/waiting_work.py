"""Marks that could not reach the server, kept in a file that `annotator import` takes back.

When the window closes while the server is gone, the spans it marked and could not write are
written here as Prodigy JSONL: one accepted record per document and annotator, with the document's
text as imported (so the import finds the same document by its text) and its name in `meta`.
`_status: in_progress` says the annotator started the document, as marking a span does — an import
never moves a status back, so a finished document stays finished. Importing the file into the
project once the server is back stores exactly these spans (a span already there is not doubled).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from annotator.errors import UserError
from annotator.tokens import marked_range


@dataclass(frozen=True)
class WaitingSpan:
    """A span marked while the server was gone: the offsets as `add_span` would store them."""

    document_name: str
    text: str
    annotator: str
    label: str
    start: int
    end: int


def waiting_span(document_name: str, text: str, tokens: np.ndarray, annotator: str, label: str, start: int,
                 end: int, exact: bool = False) -> WaitingSpan | None:
    """The span a mark of [start, end) makes, widened to whole tokens unless `exact` (the rule
    `commands.add_span` applies); None for a range it would refuse (outside the text, blank)."""
    if not 0 <= start < end <= len(text):
        return None
    snapped = marked_range(text, tokens, start, end, exact)
    return None if snapped is None else WaitingSpan(document_name, text, annotator, label, *snapped)


def write_waiting_spans(path: str | Path, spans: list[WaitingSpan]) -> int:
    """Write the spans to `path` (replacing it whole, never half-written); how many records."""
    records: dict[tuple[str, str], dict] = {}
    for span in spans:
        record = records.setdefault((span.text, span.annotator), {
            "text": span.text, "meta": {"name": span.document_name}, "spans": [], "answer": "accept",
            "_annotator_id": span.annotator, "_status": "in_progress"})
        mark = {"start": span.start, "end": span.end, "label": span.label}
        if mark not in record["spans"]:
            record["spans"].append(mark)
    target = Path(path)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with open(partial, "w", encoding="utf-8", newline="\n") as handle:
            for record in records.values():
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise UserError(f"{target}: cannot write the waiting work there ({exc.strerror}); choose another folder") \
            from None
    return len(records)
