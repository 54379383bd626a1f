"""Read the folder a CSV export wrote (documents.csv, spans.csv, links.csv) back into Records.

The layout is described in exports/csv_export.py. Here:
- documents.csv needs document_id and text; name, lang, annotator, status and meta are optional.
  A row with an annotator is that annotator's work on the document, with its status (done when
  the cell is empty); a row without one brings the text only. A folder may hold several
  annotators: one row per document and annotator, with the same text.
- spans.csv needs span_id, document_id, annotator, label, start, end; a non-empty text cell must
  be the document's text at start-end (it catches offsets edited without their text).
- links.csv needs label, head_span_id, child_span_id; both spans must be one annotator's, on one
  document.
- Text cells lose one leading ' (annotator.csv_cells, the rule the export wrote them with), so
  texts come back exactly; document_id and span_id are keys compared as written.
- `annotator` (--annotator NAME) renames the work of a folder that holds one annotator's; a
  folder of several is refused.
Every refusal names the file and the line the row starts on (texts hold line breaks; lines are
counted at "\\n", as the other readers count them).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from annotator.csv_cells import unescape
from annotator.model import STATUSES
from annotator.importing.records import BadRecord, Progress, Record

DOCUMENTS, SPANS, LINKS = "documents.csv", "spans.csv", "links.csv"
_REQUIRED = {
    DOCUMENTS: ("document_id", "text"),
    SPANS: ("span_id", "document_id", "annotator", "label", "start", "end"),
    LINKS: ("label", "head_span_id", "child_span_id"),
}
_FIELD_LIMIT = 2**31 - 1  # csv's default (131,072 characters) is shorter than an article may be


def table_kind(columns: list[str]) -> str | None:
    """Which table of a CSV export a header is, if it is one (to refuse it given as articles)."""
    names = set(columns)
    if {"label", "start", "end"} <= names:
        return "spans"
    if {"head_span_id", "child_span_id"} <= names:
        return "links"
    if {"document_id", "annotator", "status", "text"} <= names:
        return "documents"
    return None


@dataclass
class _Span:
    id: str
    line: int
    document: str
    annotator: str
    start: int
    end: int
    label: str
    text: str
    index: int = -1  # in its record's spans, once placed


@dataclass
class _Group:
    """One (document, annotator)'s spans and links, waiting for its documents.csv row."""

    spans: list[_Span] = field(default_factory=list)
    links: list[tuple[int, int, str]] = field(default_factory=list)


def read_csv_folder(folder: Path, progress: Progress, annotator: str | None) -> Iterator[Record]:
    documents = folder / DOCUMENTS
    if not documents.is_file():
        raise BadRecord(None, f"no {DOCUMENTS} in this folder; a folder imported as csv is one a CSV export wrote "
                              f"({DOCUMENTS}, {SPANS}, {LINKS}), or import its .txt files with --format txt", folder)
    csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))
    spans, groups, names = _read_spans(folder / SPANS)
    _read_links(folder / LINKS, spans, groups, names)
    if annotator and len(names) > 1:
        file, line = list(names.values())[1]  # where the second annotator first shows
        raise BadRecord(line, _several(list(names)), file)
    return _records(documents, groups, names, progress, annotator)


def _several(names: list[str]) -> str:
    return (f"the folder holds the work of {len(names)} annotators ({', '.join(names)}); --annotator renames the "
            "work of a single annotator — import without --annotator, or one annotator's folder at a time")


def _records(path: Path, groups: dict[tuple[str, str], _Group], names: dict, progress: Progress,
             annotator: str | None) -> Iterator[Record]:
    seen: dict[str, tuple[int, str]] = {}  # document_id -> (line, sha256 of its text)
    work: dict[tuple[str, str], int] = {}  # (document_id, annotator) -> line
    for line, row in _table(path, progress):
        key = row["document_id"]
        if not key:
            raise BadRecord(line, "column 'document_id' is empty", path)
        text = unescape(row["text"])
        if not text.strip():
            raise BadRecord(line, "column 'text' is empty", path)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if seen.setdefault(key, (line, digest))[1] != digest:
            raise BadRecord(line, f"document {key} is on line {seen[key][0]} with another text; give each document "
                                  "one id", path)
        who = unescape(row.get("annotator", ""))
        if who and annotator:
            names.setdefault(who, (path, line))
            if len(names) > 1:
                raise BadRecord(line, _several(list(names)), path)
        record = Record(line=line, file=path, text=text, name=unescape(row.get("name", "")) or f"{path.name}:{line}",
                        meta=_meta(row, line, path), lang=unescape(row.get("lang", "")) or None)
        if who:
            if (key, who) in work:
                raise BadRecord(line, f"document {key} has a row for annotator {who!r} on line {work[key, who]} "
                                      "already; keep one", path)
            work[key, who] = line
            record.annotator = annotator or who
            record.status = _status(row, line, path)
            group = groups.pop((key, who), None) or _Group()
            for span in group.spans:
                _check_span(span, text, path.parent / SPANS)
            record.spans = [(span.start, span.end, span.label) for span in group.spans]
            record.relations = group.links
        yield record
    if not seen:
        raise BadRecord(None, "the file has a header but no rows; nothing to import", path)
    for group in groups.values():  # spans no documents.csv row took
        span = group.spans[0]
        missing = f"has no row for annotator {span.annotator!r}" if span.document in seen else "is not"
        raise BadRecord(span.line, f"span {span.id}: document {span.document} {missing} in {DOCUMENTS}",
                        path.parent / SPANS)


def _read_spans(path: Path) -> tuple[dict[str, _Span], dict[tuple[str, str], _Group], dict]:
    spans: dict[str, _Span] = {}
    groups: dict[tuple[str, str], _Group] = {}
    names: dict[str, tuple[Path, int]] = {}  # annotator -> where first seen, in order
    if not path.exists():
        return spans, groups, names
    for line, row in _table(path):
        span_id = row["span_id"]
        if not span_id:
            raise BadRecord(line, "column 'span_id' is empty", path)
        if span_id in spans:
            raise BadRecord(line, f"span_id {span_id} is already on line {spans[span_id].line}", path)
        who, label = unescape(row["annotator"]), unescape(row["label"])
        what = f"span {span_id}"
        if not who:
            raise BadRecord(line, f"{what}: column 'annotator' is empty", path)
        if not label:
            raise BadRecord(line, f"{what}: column 'label' is empty", path)
        start, end = (_integer(row, column, line, path, what) for column in ("start", "end"))
        if start < 0:
            raise BadRecord(line, f"{what} ({label} {start}-{end}): start {start} is negative", path)
        if start >= end:
            raise BadRecord(line, f"{what} ({label} {start}-{end}): start {start} is not before end {end}", path)
        span = _Span(span_id, line, row["document_id"], who, start, end, label, unescape(row.get("text", "")))
        group = groups.setdefault((span.document, who), _Group())
        span.index = len(group.spans)
        group.spans.append(span)
        spans[span_id] = span
        names.setdefault(who, (path, line))
    return spans, groups, names


def _read_links(path: Path, spans: dict[str, _Span], groups: dict, names: dict) -> None:
    if not path.exists():
        return
    for line, row in _table(path):
        label = unescape(row["label"])
        if not label:
            raise BadRecord(line, "column 'label' is empty", path)
        ends = []
        for column in ("head_span_id", "child_span_id"):
            span = spans.get(row[column])
            if span is None:
                raise BadRecord(line, f"{column} {row[column]} is not a span of {SPANS}", path)
            ends.append(span)
        head, child = ends
        if (head.document, head.annotator) != (child.document, child.annotator):
            raise BadRecord(line, f"its spans are on lines {head.line} and {child.line} of {SPANS}, which are not one "
                                  "annotator's on one document", path)
        who = unescape(row.get("annotator", "")) or head.annotator
        if who != head.annotator:
            raise BadRecord(line, f"annotator {who!r}, but its spans are {head.annotator!r}'s", path)
        names.setdefault(who, (path, line))
        groups[(head.document, who)].links.append((head.index, child.index, label))


def _check_span(span: _Span, text: str, path: Path) -> None:
    if span.end > len(text):
        raise BadRecord(span.line, f"span {span.id} ({span.label} {span.start}-{span.end}): end {span.end} is beyond "
                                   f"the text's {len(text)} characters", path)
    if span.text and span.text != text[span.start:span.end]:
        raise BadRecord(span.line, f"span {span.id}: its text {span.text!r} is not the document's text at "
                                   f"{span.start}-{span.end} ({text[span.start:span.end]!r}); fix the offsets or the "
                                   "text", path)


def _meta(row: dict, line: int, path: Path) -> dict:
    cell = unescape(row.get("meta", ""))
    if not cell:
        return {}
    try:
        meta = json.loads(cell)
    except ValueError:
        meta = None
    if not isinstance(meta, dict):
        raise BadRecord(line, f"column 'meta' must hold a JSON object, got {cell[:40]!r}", path)
    return meta


def _status(row: dict, line: int, path: Path) -> str:
    status = unescape(row.get("status", "")) or "done"
    if status not in STATUSES:
        raise BadRecord(line, f"status {status!r} is unknown; use one of {', '.join(STATUSES)}", path)
    return status


def _integer(row: dict, column: str, line: int, path: Path, what: str) -> int:
    cell = row[column]
    try:
        return int(cell)
    except ValueError:
        raise BadRecord(line, f"{what}: {column!r} must be a whole number, got {cell!r}", path) from None


def _table(path: Path, progress: Progress | None = None) -> Iterator[tuple[int, dict[str, str]]]:
    """(line the row starts on, cells by column) per row, checking the header against _REQUIRED."""
    reader = csv.reader(_lines(path, progress), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise BadRecord(None, "the file is empty; write its header at least", path)
        missing = [column for column in _REQUIRED[path.name] if column not in header]
        if missing:
            raise BadRecord(1, f"no column {missing[0]!r} (columns: {', '.join(header)}); write {path.name} as the "
                               "CSV export does", path)
        start = reader.line_num + 1
        for cells in reader:
            if cells:  # a blank line is no row
                if len(cells) != len(header):
                    raise BadRecord(start, f"{len(cells)} cells where the header has {len(header)}; quote cells "
                                           "that hold a comma", path)
                yield start, dict(zip(header, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise BadRecord(reader.line_num, f"not valid CSV ({exc}); fix the file", path) from None


def _lines(path: Path, progress: Progress | None) -> Iterator[str]:
    """The file's lines, split at "\\n" only (a "\\r" inside a quoted cell is text), decoded as UTF-8."""
    done = reported = 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            done += len(raw)
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise BadRecord(number, f"not UTF-8 (byte 0x{raw[exc.start]:02x}); re-save the file as UTF-8",
                                path) from None
            yield line.removeprefix("\ufeff") if number == 1 else line
            if progress and done - reported >= 1 << 16:  # texts have many lines: report every 64 KiB
                progress(done)
                reported = done
    if progress:
        progress(done)
