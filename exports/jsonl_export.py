"""Prodigy and doccano JSONL, one line per document, UTF-8, offsets in code points.

Prodigy (as `prodigy db-out` writes a spans/relations dataset): text, meta, _input_hash,
_task_hash, tokens [{text, start, end, id, ws}], spans [{start, end, token_start, token_end
(inclusive), label}], relations [{head, child, head_span, child_span, label}] where head and
child are the last token of each span (as Prodigy's relations UI anchors them), answer "accept",
_annotator_id and _session_id (both the source's name). Spans are snapped to tokens first.
meta is the document's metadata plus its name and language, so a re-import keeps both.

doccano: text, meta, `label` [[start, end, LABEL]] (sequence labelling) and `entities`
[{id, label, start_offset, end_offset}] + `relations` [{id, from_id, to_id, type}] (relation
extraction), with the project's offsets as they are (no snapping).
"""

from __future__ import annotations

import json

from exports.prepare import Prepared
from exports.prodigy_hash import set_hashes


def prodigy_line(doc: Prepared, annotator: str) -> str:
    payload = doc.payload
    text = payload.text
    starts = doc.tokens[:, 0].tolist()
    ends = doc.tokens[:, 1].tolist()
    following = starts[1:] + [len(text)]
    tokens = [{"text": text[s:e], "start": s, "end": e, "id": i, "ws": nxt > e}
              for i, (s, e, nxt) in enumerate(zip(starts, ends, following))]
    spans = [{"start": s, "end": e, "token_start": first, "token_end": last, "label": label}
             for (s, e, label), (first, last) in zip(doc.spans, doc.token_spans)]
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
