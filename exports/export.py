"""Export a project: the one entry point for the CLI and the window.

`export_project(project, out, options, progress, cancelled)` writes into a hidden sibling
folder and moves it to `out` only when everything is written, so a failed or cancelled export
leaves nothing behind. `progress(done, total)` counts documents; `cancelled()` is polled between
documents (it may be called from a worker thread). Every format also writes `export.json`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from annotator.errors import UserError
from annotator.store import Project
from exports.csv_export import FILES as CSV_FILES
from exports.csv_export import source_statuses, write_csv
from exports.jsonl_export import doccano_line, prodigy_line
from exports.prepare import Prepared, prepare
from exports.reader import DocumentReader
from exports.selection import Selection, select_export
from exports.spacy_docs import DEFAULT_PASSAGES, PASSAGE_MODES  # noqa: F401 (PASSAGE_MODES: for the CLI and window)
from exports.spacy_export import SHARD_DOCS, export_spacy

FORMATS = ("spacy", "prodigy", "doccano", "csv")
FILES = {"prodigy": "prodigy.jsonl", "doccano": "doccano.jsonl"}
EXACT = "every span exactly as stored: start and end are code-point offsets into the text, no span moved"
PRODIGY_TOKENS = ("the stored spaCy tokens, split at every span edge inside a token or on the space between two "
                  "tokens, so that token_start / token_end (inclusive) are exact")
CSV_LAYOUT = {
    "documents.csv": "document_id, name, lang, annotator, status (the source's), text, meta (JSON)",
    "spans.csv": "span_id, document_id, document, annotator, label, start, end, text",
    "links.csv": "document_id, annotator, label, head_span_id, child_span_id, head_text, child_text",
}
CSV_CELLS = ("a text cell beginning with = + - @ (or full-width), tab, CR or ' gets a leading ' (import removes it); "
             "rows end with CRLF; cells holding line breaks are quoted")
LINKS_LAYOUT = ("doc.user_data['links']: [head_start, head_end, child_start, child_end, label] per link, "
                "character offsets of the two spans in doc.text")
ENTS_POLICY = ("doc.ents holds the spans whose label is marked ner in the schema, longest first (in tokens), "
               "then leftmost; a span overlapping one already chosen stays only in doc.spans['sc']")


@dataclass
class ExportOptions:
    format: str = "spacy"
    source: str | None = None  # an annotator's name, "gold" or "majority"; None: selection.default_source
    dev: float = 0.2
    seed: int = 0
    labels: list[str] | None = None
    components: list[str] = field(default_factory=lambda: ["ner", "spancat"])
    all_documents: bool = False
    shard_docs: int = SHARD_DOCS
    jobs: int | None = None  # worker processes for large spaCy exports; None: one per core
    passages: str = DEFAULT_PASSAGES  # spaCy: one Doc per document, paragraph or sentence (exports.spacy_docs)


@dataclass
class ExportResult:
    out: Path
    summary: dict  # what export.json holds
    warnings: list[str]


def export_project(
    project: Project,
    out: str | Path,
    options: ExportOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ExportResult:
    options = options or ExportOptions()
    progress = progress or (lambda done, total: None)
    cancelled = cancelled or (lambda: False)
    out = Path(out)
    _check_options(options, out)
    with project.read() as session:
        selection = select_export(session, options.source, options.labels, options.all_documents)
    with staged_folder(out) as folder:
        if options.format == "spacy":
            spacy, notes, warnings = export_spacy(
                project, selection, folder, options.components, options.dev, options.seed, progress, cancelled,
                options.shard_docs, options.jobs, options.passages,
            )
            spans = Counter()
            for summary in spacy["languages"].values():
                for split in summary["splits"].values():
                    spans.update(split["spans"])
            details = {"spacy": {**spacy, "links": LINKS_LAYOUT, "ents": ENTS_POLICY,
                                 "dev_share": options.dev, "seed": options.seed}}
        else:
            spans, notes = _write_flat(project, selection, folder, options.format, progress, cancelled)
            warnings, details = [], _flat_details(options.format)
        summary = _summary(options, selection, spans, notes, warnings, details)
        (folder / "export.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return ExportResult(out, summary, warnings)


def _check_options(options: ExportOptions, out: Path) -> None:
    if options.format not in FORMATS:
        raise UserError(f"--format: unknown format {options.format!r}; use one of {', '.join(FORMATS)}")
    if not 0 <= options.dev < 1:
        raise UserError(f"--dev: {options.dev} is not a share between 0 and 1 (for example 0.2)")
    check_new_folder(out)


def check_new_folder(out: Path) -> None:
    """`out` must be new or an empty folder (an export, a trained model)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UserError(f"--out {out}: already exists and is not an empty folder; choose a new folder")


@contextmanager
def staged_folder(out: Path) -> Iterator[Path]:
    """A hidden folder next to `out`, moved into place only if the block succeeds (so nothing is ever
    half-written at `out`). `out` must have been checked by check_new_folder."""
    out.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        yield folder
        if out.exists():
            out.rmdir()  # checked empty before starting
        os.replace(folder, out)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _flat_details(fmt: str) -> dict:
    if fmt == "csv":
        return {"offsets": EXACT, "csv": {"files": list(CSV_FILES), "columns": CSV_LAYOUT, "cells": CSV_CELLS}}
    return {"file": FILES[fmt], "offsets": EXACT, **({"tokens": PRODIGY_TOKENS} if fmt == "prodigy" else {})}


def _write_flat(project: Project, selection: Selection, folder: Path, fmt: str, progress, cancelled):
    """Prodigy, doccano or CSV: spans exactly as stored, documents streamed in id order."""
    total = len(selection.documents)
    spans: Counter = Counter()
    notes: list[dict] = []  # stays empty: nothing is snapped

    def prepared() -> Iterator[Prepared]:
        for done, payload in enumerate(DocumentReader(project, selection).payloads(cancelled=cancelled), start=1):
            doc = prepare(payload, snap_to_tokens=False)
            spans.update(label for _, _, label in doc.spans)
            notes.extend(doc.notes)
            yield doc
            progress(done, total)

    if fmt == "csv":
        write_csv(folder, prepared(), selection.writer, source_statuses(project, selection))
    else:
        with (folder / FILES[fmt]).open("w", encoding="utf-8", newline="\n") as handle:
            for doc in prepared():
                handle.write(prodigy_line(doc, selection.writer) if fmt == "prodigy" else doccano_line(doc))
    return spans, notes


def _summary(options: ExportOptions, selection: Selection, spans: Counter, notes: list[dict],
             warnings: list[str], details: dict) -> dict:
    actions = Counter(note["action"] for note in notes)
    return {
        "format": options.format,
        "source": selection.source,
        "annotator": selection.writer,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "all_documents": options.all_documents,
        "documents": len(selection.documents),
        "labels": selection.labels,
        "ner_labels": selection.ner_labels,
        "spans": {label: spans.get(label, 0) for label in selection.labels},
        "links_left_out_by_labels": selection.dropped_links,
        "spans_exact": options.format != "spacy",
        "adjusted": {action: actions.get(action, 0) for action in ("snapped", "merged", "dropped", "not_in_ents")},
        **details,
        "warnings": warnings,
        "notes": notes,
    }
