"""Readers: turn an input file into a stream of Records, checking each one.

Each reader yields records lazily (memory stays flat in the number of records)
and raises BadRecord with the line number and the reason at the first bad one.
The importer turns that into `file:line: reason`.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pandas as pd

FORMATS = ("txt", "jsonl", "csv", "prodigy", "doccano")
MAX_DEPTH = 200  # JSON nesting accepted; real records nest a handful of levels
# Only a \u escape can put a lone surrogate into a decoded str (UTF-8 decoding refuses them), so a
# line without one of D800-DFFF escaped skips the thorough check; likewise a line with fewer
# brackets than MAX_DEPTH cannot nest deeper.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NOT_REGULAR = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISDIR, "a folder"), (stat.S_ISSOCK, "a socket"),
                (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


class BadRecord(Exception):
    def __init__(self, line: int | None, reason: str, file: Path | None = None) -> None:
        super().__init__(reason)
        self.line, self.reason, self.file = line, reason, file


@dataclass
class Record:
    line: int
    text: str
    name: str
    meta: dict = field(default_factory=dict)
    lang: str | None = None
    annotator: str | None = None  # set when the record carries an annotator's work
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    relations: list[tuple[int, int, str]] = field(default_factory=list)  # (head span index, child span index, label)
    status: str = "done"  # the annotator's status of the document (an accepted record is finished work)
    file: Path | None = None  # the file `line` is in, when it is not the imported path (a folder's table)


Progress = Callable[[int], None]  # called with the number of bytes read so far


def open_regular(path: Path) -> BinaryIO:
    """Open a regular file for reading, or raise BadRecord saying why not.

    A named pipe would block the import forever and a device would never end, so only regular
    files are read. The file is opened without blocking and checked on its descriptor, so
    nothing can be swapped in between the check and the read."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        if os.path.islink(path):
            raise BadRecord(None, f"a broken symbolic link (to {os.readlink(path)}); fix or remove it", path) from None
        raise BadRecord(None, "no such file; check the path", path) from None
    except PermissionError:
        raise BadRecord(None, "cannot read the file (permission denied); make it readable "
                              "(chmod u+r) or leave it out", path) from None
    except OSError as exc:
        raise BadRecord(None, f"cannot open the file ({exc.strerror}); check the path", path) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = next((name for test, name in _NOT_REGULAR if test(mode)), "not a plain file")
        raise BadRecord(None, f"not a regular file ({kind}): only regular files are read; "
                              "copy its content into a file or remove it", path)
    return os.fdopen(fd, "rb")


def _read_all(path: Path) -> bytes:
    with open_regular(path) as handle:
        try:
            return handle.read()
        except OSError as exc:
            raise BadRecord(None, f"cannot read the file ({exc.strerror}); check the disk or the copy", path) from None


def detect_format(path: Path) -> str:
    """Choose the format from the extension and, for JSONL, the first record's keys.

    A folder is a CSV export when it holds documents.csv, else a folder of .txt files.
    """
    if path.is_dir():
        return "csv" if (path / "documents.csv").is_file() else "txt"
    if path.suffix.lower() == ".txt":
        return "txt"
    if path.suffix.lower() == ".csv":
        return "csv"
    if path.suffix.lower() in (".jsonl", ".json", ".ndjson"):
        with open_regular(path) as handle:
            for line in handle:
                if line.strip():
                    try:
                        first = json.loads(line)
                    except (ValueError, RecursionError):
                        return "jsonl"  # the JSONL reader reports the bad line
                    if isinstance(first, dict):
                        if "answer" in first or "_input_hash" in first or "spans" in first:
                            return "prodigy"
                        if "label" in first or "entities" in first:
                            return "doccano"
                    return "jsonl"
        return "jsonl"
    raise BadRecord(None, f"cannot tell the format from the extension {path.suffix!r}; pass --format", path)


def read_txt(path: Path, progress: Progress) -> Iterator[Record]:
    """One article per file: a file, or every *.txt below a folder, in name order."""
    # Not only regular files: a pipe, a broken link or an unreadable file named *.txt is refused
    # by name rather than skipped or waited on.
    files = sorted(p for p in path.rglob("*.txt") if not p.is_dir()) if path.is_dir() else [path]
    if not files:
        raise BadRecord(None, "no .txt files in this folder", path)
    done = 0
    for file in files:
        raw = _read_all(file)
        done += len(raw)
        text = _decode(raw, file)
        if raw and not text.strip():
            raise BadRecord(1, "the file holds only whitespace; remove it or add the article", file)
        if not raw:
            raise BadRecord(None, "the file is empty; remove it or add the article", file)
        name = str(file.relative_to(path)) if path.is_dir() else file.name
        yield Record(line=1, text=text, name=_storable(name), meta={"source": _storable(file.name)})
        progress(done)


def _storable(file_name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (Python keeps them as lone surrogates,
    which cannot be stored) become U+FFFD. Only the document's name changes, never its text."""
    return os.fsencode(file_name).decode("utf-8", "replace")


def _decode(raw: bytes, file: Path) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BadRecord(line, f"not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                              "re-save the file as UTF-8", file) from None


def _json_lines(path: Path, progress: Progress) -> Iterator[tuple[int, dict]]:
    done, seen = 0, False
    with open_regular(path) as handle:
        for number, raw in enumerate(handle, start=1):
            done += len(raw)
            line = _decode_line(raw, number)
            if number == 1:
                line = line.removeprefix("\ufeff")
            if not line.strip():
                continue
            seen = True
            try:
                value = json.loads(line)
            except ValueError as exc:
                raise BadRecord(number, f"invalid JSON ({exc}); fix or remove this line") from None
            except RecursionError:
                raise BadRecord(number, f"JSON nested too deeply (more than {MAX_DEPTH} levels); "
                                        "flatten this record") from None
            if not isinstance(value, dict):
                raise BadRecord(number, f"expected a JSON object, got {_kind(value)}")
            deep = raw.count(b"[") + raw.count(b"{") > MAX_DEPTH
            if deep or _SURROGATE_ESCAPE.search(raw):
                _check_strings_and_depth(value, number)
            yield number, value
            progress(done)
    if not seen:
        raise BadRecord(None, "the file is empty; nothing to import", path)


def _check_strings_and_depth(value: dict, number: int) -> None:
    """Refuse a lone surrogate anywhere (it is no character: it cannot be stored or written as
    UTF-8) and nesting deeper than MAX_DEPTH (storing meta as JSON would recurse that deep)."""
    stack: list[tuple[str, object, int]] = [("", value, 0)]
    while stack:
        where, item, depth = stack.pop()
        if isinstance(item, str):
            if found := _SURROGATE.search(item):
                raise BadRecord(number, f"field '{where}' holds a {_lone(found.group())}")
            continue
        if not isinstance(item, (dict, list)):
            continue
        if depth >= MAX_DEPTH:
            raise BadRecord(number, f"JSON nested too deeply (more than {MAX_DEPTH} levels); flatten this record")
        if isinstance(item, dict):
            for key in item:
                if found := _SURROGATE.search(key):
                    owner = f"field '{where}' has a key" if where else "a key of the record"
                    raise BadRecord(number, f"{owner} holding a {_lone(found.group())}")
            children = [(f"{where}.{key}" if where else key, child) for key, child in item.items()]
        else:
            children = [(f"{where}[{i}]", child) for i, child in enumerate(item)]
        stack += [(path, child, depth + 1) for path, child in reversed(children)]


def _lone(surrogate: str) -> str:
    return (f"lone surrogate \\u{ord(surrogate):04x} (half of a UTF-16 pair, not a character); write the "
            "character itself, or both halves of its pair (\\ud83d\\ude00 for 😀)")


def _decode_line(raw: bytes, number: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRecord(number, f"not UTF-8 (byte 0x{raw[exc.start]:02x}); re-save the file as UTF-8") from None


def read_jsonl(path: Path, progress: Progress) -> Iterator[Record]:
    """One {"text": ..., "meta": {...}} per line."""
    for number, value in _json_lines(path, progress):
        yield _plain_record(number, value, path)


def _plain_record(number: int, value: dict, path: Path) -> Record:
    text = _text(value, number)
    meta = value.get("meta", {})
    if not isinstance(meta, dict):
        raise BadRecord(number, f"field 'meta' must be an object, got {_kind(meta)}")
    lang = meta.get("lang") or meta.get("language") or value.get("lang")
    name = meta.get("name") or meta.get("id") or meta.get("source") or f"{path.name}:{number}"
    return Record(line=number, text=text, name=str(name), meta=meta,
                  lang=lang if isinstance(lang, str) else None)


def read_prodigy(path: Path, progress: Progress, annotator: str | None) -> Iterator[Record]:
    """Prodigy db-out JSONL: only accepted answers carry an annotator's work."""
    for number, value in _json_lines(path, progress):
        answer = value.get("answer")
        if answer is not None and answer not in ("accept", "reject", "ignore"):
            raise BadRecord(number, f"field 'answer' must be accept, reject or ignore, got {answer!r}")
        if answer in ("reject", "ignore"):
            continue  # a rejected or ignored task adds nothing, not even its text
        record = _plain_record(number, value, path)
        if answer is None:  # a task not yet answered (a Prodigy input file): its text only
            yield record
            continue
        who = annotator or value.get("_annotator_id") or value.get("_session_id")
        if not isinstance(who, str) or not who.strip():
            raise BadRecord(number, "no _annotator_id or _session_id in this accepted record; pass --annotator NAME")
        record.annotator = who.strip()
        record.spans = [_prodigy_span(number, i, span) for i, span in enumerate(_list(value, "spans", number))]
        for i, rel in enumerate(_list(value, "relations", number)):
            if not isinstance(rel, dict):
                raise BadRecord(number, f"relation {i + 1} must be an object, got {_kind(rel)}")
            label = rel.get("label")
            if not isinstance(label, str) or not label:
                raise BadRecord(number, f"relation {i + 1}: field 'label' must be a string")
            ends = []
            for end in ("head_span", "child_span"):
                span = rel.get(end)
                if not isinstance(span, dict):
                    raise BadRecord(number, f"relation {i + 1}: field '{end}' must be a span object")
                ends.append(_span_index(record.spans, _prodigy_span(number, i, span, f"relation {i + 1} {end}")))
            record.relations.append((ends[0], ends[1], label))
        yield record


def _span_index(spans: list[tuple[int, int, str]], span: tuple[int, int, str]) -> int:
    try:
        return spans.index(span)
    except ValueError:
        spans.append(span)  # a relation may name a span the record does not list
        return len(spans) - 1


def _prodigy_span(number: int, index: int, span: object, what: str | None = None) -> tuple[int, int, str]:
    what = what or f"span {index + 1}"
    if not isinstance(span, dict):
        raise BadRecord(number, f"{what} must be an object, got {_kind(span)}")
    start, end, label = span.get("start"), span.get("end"), span.get("label")
    return _span(number, what, start, end, label)


def read_doccano(path: Path, progress: Progress, annotator: str | None) -> Iterator[Record]:
    """doccano JSONL: `label: [[start, end, LABEL], ...]` or `entities` + `relations`."""
    if not annotator:
        raise BadRecord(None, "doccano files carry no annotator name; pass --annotator NAME", path)
    for number, value in _json_lines(path, progress):
        record = _plain_record(number, value, path)
        record.annotator = annotator
        if "entities" in value:
            ids = {}
            for i, entity in enumerate(_list(value, "entities", number)):
                if not isinstance(entity, dict):
                    raise BadRecord(number, f"entity {i + 1} must be an object, got {_kind(entity)}")
                record.spans.append(_span(number, f"entity {i + 1}", entity.get("start_offset"),
                                          entity.get("end_offset"), entity.get("label")))
                ids[entity.get("id")] = i
            for i, rel in enumerate(_list(value, "relations", number)):
                if not isinstance(rel, dict) or rel.get("from_id") not in ids or rel.get("to_id") not in ids:
                    raise BadRecord(number, f"relation {i + 1}: from_id and to_id must name entities of this record")
                label = rel.get("type")
                if not isinstance(label, str) or not label:
                    raise BadRecord(number, f"relation {i + 1}: field 'type' must be a string")
                record.relations.append((ids[rel["from_id"]], ids[rel["to_id"]], label))
        else:
            for i, item in enumerate(_list(value, "label", number)):
                if not isinstance(item, list) or len(item) != 3:
                    raise BadRecord(number, f"label {i + 1} must be [start, end, LABEL], got {json.dumps(item)}")
                record.spans.append(_span(number, f"label {i + 1}", *item))
        yield record


def read_csv(path: Path, progress: Progress, text_column: str) -> Iterator[Record]:
    """CSV of articles through pandas, in chunks; other columns become the document's metadata.

    A table of a CSV export (spans.csv, links.csv, documents.csv) is refused: read as articles,
    spans.csv made one "document" per span text. Its folder imports with --format csv.
    """
    if path.stat().st_size == 0:
        raise BadRecord(None, "the file is empty; nothing to import", path)
    line = 2  # the header is line 1; fields may span lines, so count their newlines
    seen = False
    with open_regular(path) as handle:
        try:
            chunks = pd.read_csv(handle, dtype=str, keep_default_na=False, chunksize=2000, encoding="utf-8-sig")
            for chunk in chunks:
                _refuse_export_table(path, [str(c) for c in chunk.columns])
                if text_column not in chunk.columns:
                    columns = ", ".join(map(str, chunk.columns))
                    raise BadRecord(1, f"no column {text_column!r} (columns: {columns}); choose one with --text-column")
                newlines = chunk.apply(lambda column: column.str.count("\n")).sum(axis=1).tolist()
                for (_, row), extra in zip(chunk.iterrows(), newlines):
                    seen = True
                    meta = {k: v for k, v in row.items() if k != text_column and v != ""}
                    text = row[text_column]
                    if not text.strip():
                        raise BadRecord(line, f"column {text_column!r} is empty")
                    name = meta.get("name") or meta.get("id") or f"{path.name}:{line}"
                    lang = meta.get("lang") or meta.get("language")
                    yield Record(line=line, text=text, name=str(name), meta=meta, lang=lang)
                    line += 1 + extra
                progress(handle.tell())
        except UnicodeDecodeError as exc:
            raise BadRecord(None, f"not UTF-8 ({exc.reason}); re-save the file as UTF-8", path) from None
        except pd.errors.EmptyDataError:
            raise BadRecord(None, "the file is empty; nothing to import", path) from None
        except pd.errors.ParserError as exc:
            raise BadRecord(None, f"not valid CSV ({exc}); fix the file", path) from None
    if not seen:
        raise BadRecord(None, "the file has a header but no rows; nothing to import", path)


def _refuse_export_table(path: Path, columns: list[str]) -> None:
    from annotator.csv_folder import table_kind

    kind = table_kind(columns)
    if kind is not None:
        shown = ", ".join(columns[:6]) + (", ..." if len(columns) > 6 else "")
        raise BadRecord(1, f"this is a table of {kind} (columns {shown}), not articles; import the CSV export "
                           f"folder that holds it with --format csv: "
                           f"annotator import PROJECT {path.parent} --format csv")


def _text(value: dict, number: int) -> str:
    if "text" not in value:
        raise BadRecord(number, "missing field 'text'")
    text = value["text"]
    if not isinstance(text, str):
        raise BadRecord(number, f"field 'text' must be a string, got {_kind(text)}")
    if not text.strip():
        raise BadRecord(number, "field 'text' is empty")
    return text


def _list(value: dict, key: str, number: int) -> list:
    items = value.get(key) or []
    if not isinstance(items, list):
        raise BadRecord(number, f"field {key!r} must be a list, got {_kind(items)}")
    return items


def _span(number: int, what: str, start: object, end: object, label: object) -> tuple[int, int, str]:
    for name, offset in (("start", start), ("end", end)):
        if not isinstance(offset, int) or isinstance(offset, bool):
            raise BadRecord(number, f"{what}: {name!r} must be an integer, got {_kind(offset)} {offset!r}")
    if not isinstance(label, str) or not label:
        raise BadRecord(number, f"{what}: 'label' must be a non-empty string, got {label!r}")
    return start, end, label


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def records(path: Path, fmt: str, progress: Progress, annotator: str | None, text_column: str) -> Iterator[Record]:
    if not path.is_dir():
        open_regular(path).close()  # a pipe, a device or an unreadable file: refused before any reader looks
    if fmt == "txt":
        return read_txt(path, progress)
    if path.is_dir():
        if fmt == "csv":
            from annotator.csv_folder import read_csv_folder  # it builds on this module's Record

            return read_csv_folder(path, progress, annotator)
        raise BadRecord(None, f"a folder can only be imported as txt, or as csv when a CSV export wrote it, "
                              f"not as {fmt}", path)
    if fmt == "jsonl":
        return read_jsonl(path, progress)
    if fmt == "csv":
        return read_csv(path, progress, text_column)
    if fmt == "prodigy":
        return read_prodigy(path, progress, annotator)
    if fmt == "doccano":
        return read_doccano(path, progress, annotator)
    raise BadRecord(None, f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", path)
