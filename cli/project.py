"""Making a project and filling it: `annotator init`, `import` and `stats`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from annotator.importing.options import MAX_CHARS
from annotator.stats import project_stats
from annotator.store import create_project
from cli.common import (
    ProjectArg, choices, fail, is_utf8, one_line_errors, opened_project, progress_bar, stderr_console, stdout_console,
)


ImportFormat = choices("ImportFormat", ("auto", "txt", "jsonl", "csv", "prodigy", "doccano"))  # auto + the importer's FORMATS


def init(
    project: ProjectArg,
    labels: Annotated[Optional[Path], typer.Option(help="Label schema TOML (default: the built-in news schema).")] = None,
) -> None:
    """Create a new project file with a label schema."""
    with one_line_errors():
        created = create_project(project, labels)
        created.close()
    stdout_console.print(f"created {project}")


def import_(
    project: ProjectArg,
    # readable=False: an unreadable path is reported by the reader, in one line like any bad input
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to import.", readable=False)],
    import_format: Annotated[ImportFormat, typer.Option("--format", help="Input format; auto looks at the extension and first record.")] = ImportFormat.auto,
    lang: Annotated[str, typer.Option(help="auto, or a language code such as en or fr.")] = "auto",
    annotator: Annotated[Optional[str], typer.Option(help="Annotator name for annotated formats.")] = None,
    text_column: Annotated[str, typer.Option(help="CSV column holding the text.")] = "text",
    max_chars: Annotated[int, typer.Option(help="Longest text accepted, in characters.")] = MAX_CHARS,
) -> None:
    """Import articles (and annotations): each path is all or nothing."""
    if annotator is not None and not is_utf8(annotator):
        fail(f"--annotator {annotator!r}: not UTF-8 text (the terminal passed other bytes); type the name in UTF-8")
    from annotator.importing import ImportOptions, import_path
    from annotator.team.members import import_annotator

    with one_line_errors(), opened_project(project) as opened:
        options = ImportOptions(import_format.value, lang, import_annotator(opened, annotator), text_column, max_chars)
        for path in paths:
            with progress_bar(path.name, counts_bytes=True) as progress:
                result = import_path(opened, path, options, progress)
            finished = ", ".join(f"{name} {count}" for name, count in result.finished.items())
            stdout_console.print(
                f"{escape(str(path))}: {result.records} records ({result.format}), {result.documents_added} new documents, "
                f"{result.duplicates} already present, {result.spans_added} spans, {result.relations_added} links"
                + (f"; done: {escape(finished)}" if finished else ""),
                soft_wrap=True,
            )
            for warning in result.warnings:
                stderr_console.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)


def stats(
    project: ProjectArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Documents per language; per annotator: documents done and spans per label."""
    with one_line_errors(), opened_project(project) as opened:
        counts = project_stats(opened)
    if as_json:
        print(json.dumps(counts, ensure_ascii=False, indent=2))
        return
    languages = ", ".join(f"{lang} {n}" for lang, n in counts["languages"].items()) or "none"
    stdout_console.print(f"{counts['documents']} documents ({languages})")
    labels = list(next(iter(counts["annotators"].values()))["spans"]) if counts["annotators"] else []
    table = Table("annotator", "role", "done", *labels)
    for name, row in counts["annotators"].items():  # Text: a name is shown as written, never read as markup
        table.add_row(Text(name), row["role"], str(row["done"]), *(str(row["spans"][label]) for label in labels))
    stdout_console.print(table)
