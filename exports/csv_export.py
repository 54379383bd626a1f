"""CSV: a folder of three tables that `annotator import PROJECT FOLDER --format csv` reads back.

documents.csv  document_id, name, lang, annotator, status, text, meta
               one row per document: its whole text, its metadata as a JSON object, and the
               source's status of it (todo, in_progress, done, skipped; for --source majority,
               done when an annotator finished it).
spans.csv      span_id, document_id, document, annotator, label, start, end, text
               one row per span; start and end are the project's code-point offsets exactly as
               stored; text is text[start:end] and document the document's name (for reading).
links.csv      document_id, annotator, label, head_span_id, child_span_id, head_text, child_text
               one row per link between two spans of spans.csv (the texts are for reading).

document_id is the exporting project's id (an importing project numbers its documents itself);
span_id numbers the export's spans from 1. An export holds one annotator's work, the source's;
the reader (annotator.importing.csv_folder) also takes a hand-assembled folder of several, one
documents.csv row per document and annotator.

Every CSV cell follows annotator.csv_cells: a text cell that begins with = + - @ ＝ ＋ － ＠, a
tab, a carriage return or ' is written with a leading ' (the reader removes one), rows end with
\\r\\n, and a cell holding a line break (a bare \\r too) is quoted. UTF-8, no byte-order mark.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path

from annotator import queries
from annotator.csv_cells import escape, writer
from annotator.store import Project
from exports.prepare import Prepared
from exports.selection import Selection

FILES = ("documents.csv", "spans.csv", "links.csv")
DOCUMENT_COLUMNS = ["document_id", "name", "lang", "annotator", "status", "text", "meta"]
SPAN_COLUMNS = ["span_id", "document_id", "document", "annotator", "label", "start", "end", "text"]
LINK_COLUMNS = ["document_id", "annotator", "label", "head_span_id", "child_span_id", "head_text", "child_text"]


def source_statuses(project: Project, selection: Selection) -> dict[int, str]:
    """document id -> the source's status of it (a document not listed is todo)."""
    with project.read() as session:
        statuses = queries.statuses(session)
        annotators = queries.annotators(session)
    if selection.source == "majority":
        people = set(annotators.loc[annotators["role"] != "gold", "name"])
        done = statuses[(statuses["status"] == "done") & statuses["annotator"].isin(people)]
        return {int(d): "done" for d in done["document_id"]}
    mine = statuses[statuses["annotator"] == selection.writer]
    return {int(d): status for d, status in zip(mine["document_id"], mine["status"])}


def write_csv(folder: Path, docs: Iterable[Prepared], annotator: str, statuses: dict[int, str]) -> int:
    """Write the three tables, streaming; return the number of spans."""
    who = escape(annotator)
    next_id = 1
    with ExitStack() as stack:
        documents, spans, links = (
            writer(stack.enter_context((folder / name).open("w", encoding="utf-8", newline=""))) for name in FILES)
        documents.writerow(DOCUMENT_COLUMNS)
        spans.writerow(SPAN_COLUMNS)
        links.writerow(LINK_COLUMNS)
        for doc in docs:
            payload = doc.payload
            text, name = payload.text, escape(payload.name)
            documents.writerow([payload.id, name, escape(payload.lang), who, statuses.get(payload.id, "todo"),
                                escape(text), escape(json.dumps(payload.meta, ensure_ascii=False))])
            ids = range(next_id, next_id + len(doc.spans))
            next_id += len(doc.spans)
            spans.writerows([span_id, payload.id, name, who, escape(label), start, end, escape(text[start:end])]
                            for span_id, (start, end, label) in zip(ids, doc.spans))
            links.writerows([payload.id, who, escape(label), ids[head], ids[child],
                             escape(text[doc.spans[head][0]:doc.spans[head][1]]),
                             escape(text[doc.spans[child][0]:doc.spans[child][1]])]
                            for head, child, label in doc.links)
    return next_id - 1
