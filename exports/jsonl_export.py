"""Prodigy and doccano JSONL, one line per document, UTF-8, offsets in code points.

Prodigy (as `prodigy db-out` writes a spans/relations dataset): text, meta, _input_hash,
_task_hash, tokens [{text, start, end, id, ws}], spans [{start, end, token_start, token_end
(inclusive), label}], relations [{head, child, head_span, child_span, label}] where head and
child are the last token of each span (as Prodigy's relations UI anchors them), answer "accept",
_annotator_id and _session_id (both the source's name). meta is the document's metadata plus its
name and language, so a re-import keeps both.

Spans are exactly as stored. Prodigy takes the tokens it is given, so `tokens` is the stored
spaCy tokens cut at every span edge that is not a token boundary: an edge inside a token splits
it (a span on the "h" of "the" gives "t", "h", "e"), and a span that starts on, or ends after, the
single space spaCy leaves between two tokens (a token's `ws`) makes that space a token of its own.
So tokens[token_start].start == start and tokens[token_end].end == end for every span, and the
token texts, each followed by " " where ws is true, still join to the text.

doccano: text, meta, `label` [[start, end, LABEL]] (sequence labelling) and `entities`
[{id, label, start_offset, end_offset}] + `relations` [{id, from_id, to_id, type}] (relation
extraction), with the project's offsets as they are (no snapping).
"""

from __future__ import annotations

import json

import numpy as np

from exports.prepare import ExportSpan, Prepared
from exports.prodigy_hash import set_hashes


def prodigy_tokens(text: str, tokens: np.ndarray,
                   spans: list[ExportSpan]) -> tuple[list[dict], list[tuple[int, int]]]:
    """Prodigy's tokens for `text`, cut at the spans' edges, and (token_start, token_end) per span."""
    starts, ends = tokens[:, 0], tokens[:, 1]
    span_starts = {s for s, _, _ in spans}
    span_ends = {e for _, e, _ in spans}
    if np.isin(list(span_starts), starts).all() and np.isin(list(span_ends), ends).all():
        return _stored_tokens(text, tokens, spans)  # every edge on a token boundary (2.5x faster)
    cuts = sorted(span_starts | span_ends)
    out: list[dict] = []
    at = 0  # index into cuts

    def piece(start: int, end: int, is_token: bool) -> None:
        nonlocal at
        while at < len(cuts) and cuts[at] <= start:
            at += 1
        while at < len(cuts) and cuts[at] < end:  # an edge inside: cut there
            piece_end = cuts[at]
            at += 1
            add(start, piece_end, is_token)
            start = piece_end
        add(start, end, is_token)

    def add(start: int, end: int, is_token: bool) -> None:
        # A gap between stored tokens is spaCy's one trailing space: the previous token's ws,
        # unless a span starts on it or ends after it (then it is a token of its own).
        if (not is_token and end - start == 1 and text[start] == " " and out and not out[-1]["ws"]
                and start not in span_starts and end not in span_ends):
            out[-1]["ws"] = True
        else:
            out.append({"text": text[start:end], "start": start, "end": end, "id": len(out), "ws": False})

    position = 0
    for start, end in tokens.tolist():
        if start > position:
            piece(position, start, False)
        piece(start, end, True)
        position = end
    if position < len(text):
        piece(position, len(text), False)
    first = {t["start"]: t["id"] for t in out}
    last = {t["end"]: t["id"] for t in out}
    return out, [(first[s], last[e]) for s, e, _ in spans]


def _stored_tokens(text: str, tokens: np.ndarray,
                   spans: list[ExportSpan]) -> tuple[list[dict], list[tuple[int, int]]]:
    starts, ends = tokens[:, 0], tokens[:, 1]
    following = np.append(starts[1:], len(text))
    out = [{"text": text[s:e], "start": s, "end": e, "id": i, "ws": bool(gap)}
           for i, (s, e, gap) in enumerate(zip(starts.tolist(), ends.tolist(), (following > ends).tolist()))]
    first = np.searchsorted(starts, [s for s, _, _ in spans]).tolist()
    last = np.searchsorted(ends, [e for _, e, _ in spans]).tolist()
    return out, list(zip(first, last))


def prodigy_line(doc: Prepared, annotator: str) -> str:
    payload = doc.payload
    text = payload.text
    tokens, token_spans = prodigy_tokens(text, doc.tokens, doc.spans)
    spans = [{"start": s, "end": e, "token_start": first, "token_end": last, "label": label}
             for (s, e, label), (first, last) in zip(doc.spans, token_spans)]
    relations = [{"head": spans[head]["token_end"], "child": spans[child]["token_end"],
                  "head_span": spans[head], "child_span": spans[child], "label": label}
                 for head, child, label in doc.links]
    task = {"text": text, "meta": {**payload.meta, "name": payload.name, "lang": payload.lang}}
    task = set_hashes({**task, "tokens": tokens, "spans": spans, "relations": relations})
    task.update({"answer": "accept", "_annotator_id": annotator, "_session_id": annotator})
    return _line(task)


def doccano_line(doc: Prepared) -> str:
    payload = doc.payload
    entities = [{"id": i, "label": label, "start_offset": s, "end_offset": e} for i, (s, e, label) in enumerate(doc.spans)]
    relations = [{"id": i, "from_id": head, "to_id": child, "type": label}
                 for i, (head, child, label) in enumerate(doc.links)]
    return _line({"text": payload.text, "meta": {**payload.meta, "name": payload.name, "lang": payload.lang},
                  "label": [[s, e, label] for s, e, label in doc.spans], "entities": entities, "relations": relations})


def _line(task: dict) -> str:
    return json.dumps(task, ensure_ascii=False) + "\n"
