"""JSON Lines readers: plain articles, Prodigy db-out and doccano.

Every line is checked before it becomes a Record: valid JSON, an object, no lone UTF-16
surrogate in any string (they cannot be stored), nesting no deeper than MAX_DEPTH.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from annotator.importing.records import BadRecord, Progress, Record, open_regular

MAX_DEPTH = 200  # JSON nesting accepted; real records nest a handful of levels


# Only a \u escape can put a lone surrogate into a decoded str (UTF-8 decoding refuses them), so a
# line without one of D800-DFFF escaped skips the thorough check; likewise a line with fewer
# brackets than MAX_DEPTH cannot nest deeper.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


_SURROGATE = re.compile("[\ud800-\udfff]")


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
        record.status = _prodigy_status(value, number)
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



def _prodigy_status(value: dict, number: int) -> str:
    """An accepted record is finished work (done), unless `_status` says how far its annotator got
    (the window's file of marks that waited for the server says in_progress)."""
    from annotator.model import STATUSES

    status = value.get("_status", "done")
    if status not in STATUSES:
        raise BadRecord(number, f"field '_status' must be one of {', '.join(STATUSES)}, got {status!r}")
    return status



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
