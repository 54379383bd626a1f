"""One document ready to write: its text, stored tokens, spans and links, checked and (if asked) snapped.

The text formats (Prodigy, doccano, CSV) take every span exactly as stored (snap_to_tokens
False): Prodigy's tokens are cut to fit the spans instead (exports.jsonl_export).

Only the spaCy DocBin snaps (snap_to_tokens True): a Doc's spans must sit on its tokens, and
spaCy advises against spans that start or end with whitespace. A span that is not on the stored
tokens (an imported one), or that starts or ends with whitespace, is snapped with
annotator.tokens.snap: whitespace trimmed, then widened outwards to the stored tokens. Each such
change is a note (`snapped`, in export.json); a span holding only whitespace is `dropped`, and
two spans that snap to the same place become one (`merged`). Nothing is changed silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from annotator.tokens import snap, unpack_tokens

ExportSpan = tuple[int, int, str]  # start, end, label (code points)
ExportLink = tuple[ExportSpan, ExportSpan, str]  # head span, child span, relation label


@dataclass
class Payload:
    """What the reader hands over for one document (plain data, so it pickles to worker processes)."""

    id: int
    name: str
    lang: str
    meta: dict
    text: str
    tokens: bytes
    spans: list[ExportSpan]
    links: list[ExportLink]


@dataclass
class Prepared:
    payload: Payload
    tokens: np.ndarray  # (n, 2) code-point offsets
    spans: list[ExportSpan]  # unique, sorted by start, end, label
    token_spans: list[tuple[int, int]]  # (first token, last token inclusive) per span; empty when not snapped
    links: list[tuple[int, int, str]]  # head index, child index into spans, label
    notes: list[dict] = field(default_factory=list)


def prepare(payload: Payload, snap_to_tokens: bool) -> Prepared:
    tokens = unpack_tokens(payload.tokens)
    notes: list[dict] = []
    moved: dict[ExportSpan, ExportSpan | None] = {}
    if snap_to_tokens:
        moved = _snap_spans(payload, tokens, notes)
    kept: dict[ExportSpan, None] = {}
    for span in payload.spans:
        target = moved.get(span, span)
        if target is None:
            continue
        if target in kept:
            notes.append(_note(payload, span, "merged", target, "same place and label as another span once snapped"))
        kept[target] = None
    spans = sorted(kept)
    index = {span: i for i, span in enumerate(spans)}
    links = []
    for head, child, label in payload.links:
        head, child = moved.get(head, head), moved.get(child, child)
        if head not in index or child not in index or head == child:
            continue  # an end was dropped or merged into the other end; the span's note says why
        links.append((index[head], index[child], label))
    token_spans = _token_spans(tokens, spans) if snap_to_tokens else []
    return Prepared(payload, tokens, spans, token_spans, sorted(set(links)), notes)


def _snap_spans(payload: Payload, tokens: np.ndarray,
                notes: list[dict]) -> dict[ExportSpan, ExportSpan | None]:
    """Spans that need moving -> their snapped place (None: dropped). Checks run vectorised."""
    if not payload.spans:
        return {}
    text = payload.text
    starts = np.fromiter((s for s, _, _ in payload.spans), dtype=np.int64, count=len(payload.spans))
    ends = np.fromiter((e for _, e, _ in payload.spans), dtype=np.int64, count=len(payload.spans))
    first = np.searchsorted(tokens[:, 0], starts).clip(max=len(tokens) - 1)
    last = np.searchsorted(tokens[:, 1], ends).clip(max=len(tokens) - 1)
    aligned = (tokens[first, 0] == starts) & (tokens[last, 1] == ends)
    moved = {}
    for i in np.flatnonzero(~aligned).tolist() + [
        i for i in np.flatnonzero(aligned).tolist()
        if text[payload.spans[i][0]].isspace() or text[payload.spans[i][1] - 1].isspace()
    ]:
        span = payload.spans[i]
        place = snap(text, tokens, span[0], span[1])
        if place is None:
            moved[span] = None
            notes.append(_note(payload, span, "dropped", None, "holds only whitespace"))
        else:
            moved[span] = (place[0], place[1], span[2])
            notes.append(_note(payload, span, "snapped", moved[span], "not on token boundaries"))
    return moved


def _token_spans(tokens: np.ndarray, spans: list[ExportSpan]) -> list[tuple[int, int]]:
    if not spans:
        return []
    starts = np.searchsorted(tokens[:, 0], [s for s, _, _ in spans])
    lasts = np.searchsorted(tokens[:, 1], [e for _, e, _ in spans])
    return list(zip(starts.tolist(), lasts.tolist()))


def _note(payload: Payload, span: ExportSpan, action: str, to: ExportSpan | None, reason: str) -> dict:
    note = {"document_id": payload.id, "document": payload.name, "label": span[2],
            "start": span[0], "end": span[1], "action": action, "reason": reason}
    if to is not None:
        note["to"] = [to[0], to[1]]
    return note
