"""`annotator export`: training data from a project (spaCy, Prodigy, doccano, CSV)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from cli.common import (
    ProjectArg, choices, one_line_errors, opened_project, progress_bar, split_names, stderr_console, stdout_console,
)


# exports.FORMATS and exports.PASSAGE_MODES (not imported here: they load spaCy); a test compares them.
ExportFormat = choices("ExportFormat", ("spacy", "prodigy", "doccano", "csv"))
PassageMode = choices("PassageMode", ("document", "paragraph", "sentence"))


def export(
    project: ProjectArg,
    folder: Annotated[Path, typer.Option("--out", help="Folder to write (new, or empty).")],
    export_format: Annotated[ExportFormat, typer.Option("--format", help="spacy (DocBin + config), prodigy, doccano or csv.")] = ExportFormat.spacy,
    source: Annotated[Optional[str], typer.Option(help="An annotator's name, gold (the adjudicated set) or majority (default: gold once a gold document is marked done, else majority).")] = None,
    dev: Annotated[float, typer.Option(help="Share of documents in dev.spacy (spacy format).")] = 0.2,
    seed: Annotated[int, typer.Option(help="Seed of the train/dev split.")] = 0,
    labels: Annotated[Optional[list[str]], typer.Option(help="Only these labels (comma-separated or repeated).")] = None,
    components: Annotated[str, typer.Option(help="spaCy components of config.cfg: ner, spancat or both.")] = "ner,spancat",
    all_documents: Annotated[bool, typer.Option("--all", help="Also documents the source has not finished.")] = False,
    jobs: Annotated[Optional[int], typer.Option(help="Worker processes for large spaCy exports (default: one per core).")] = None,
    passages: Annotated[PassageMode, typer.Option(help="spaCy: one Doc per document, per paragraph (cut at line breaks) "
                                                       "or per sentence; never cut inside a span or a link.")] = PassageMode.paragraph,
) -> None:
    """Export training data: spaCy DocBin with a train/dev split and config.cfg, Prodigy or doccano JSONL, CSV."""
    from exports import ExportOptions, export_project

    options = ExportOptions(export_format.value, source, dev, seed, split_names(labels),
                            split_names([components]) or [], all_documents, jobs=jobs, passages=passages.value)
    with one_line_errors(), opened_project(project) as opened, progress_bar("documents") as progress:
        result = export_project(opened, folder, options, progress)
    summary = result.summary
    spans = ", ".join(f"{label} {count}" for label, count in summary["spans"].items())
    adjusted = ", ".join(f"{count} {action.replace('_', ' ')}" for action, count in summary["adjusted"].items() if count)
    why = "" if source is not None else (" (the default: the adjudicated set)" if summary["source"] == "gold" else
                                         " (the default until a gold document is marked done; "
                                         "`annotator adjudicate` builds gold)")
    stdout_console.print(f"wrote {escape(str(folder))}: {summary['documents']} documents from "
                         f"{escape(summary['annotator'])}{why}; spans: {escape(spans)}"
                         + (f"; {adjusted} (see export.json)" if adjusted else ""), soft_wrap=True)
    for warning in result.warnings:
        stderr_console.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)
