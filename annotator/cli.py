"""The `annotator` command: thin typer wrappers around the core functions.

Each command turns a UserError into one line on stderr and exit code 1; no traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from annotator.errors import UserError
from annotator.importers import MAX_CHARS, ImportOptions, import_path
from annotator.stats import project_stats
from annotator.store import Project, create_project, open_project

app = typer.Typer(
    help="Annotate who said what in news articles: projects, import, statistics.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

ProjectArg = Annotated[str, typer.Argument(help="Project file path, or a SQLAlchemy database URL.")]


class Format(str, Enum):
    auto = "auto"
    txt = "txt"
    jsonl = "jsonl"
    csv = "csv"
    prodigy = "prodigy"
    doccano = "doccano"


@contextmanager
def _user_errors() -> Iterator[None]:
    try:
        yield
    except UserError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(1) from None


@contextmanager
def _project(target: str) -> Iterator[Project]:
    project = open_project(target)
    try:
        yield project
    finally:
        project.close()


@app.command()
def init(
    project: ProjectArg,
    labels: Annotated[Optional[Path], typer.Option(help="Label schema TOML (default: the built-in news schema).")] = None,
) -> None:
    """Create a new project file with a label schema."""
    with _user_errors():
        created = create_project(project, labels)
        created.close()
    out.print(f"created {project}")


@app.command("import")
def import_(
    project: ProjectArg,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to import.")],
    format: Annotated[Format, typer.Option("--format", help="Input format; auto looks at the extension and first record.")] = Format.auto,
    lang: Annotated[str, typer.Option(help="auto, or a language code such as en or fr.")] = "auto",
    annotator: Annotated[Optional[str], typer.Option(help="Annotator name for annotated formats.")] = None,
    text_column: Annotated[str, typer.Option(help="CSV column holding the text.")] = "text",
    max_chars: Annotated[int, typer.Option(help="Longest text accepted, in characters.")] = MAX_CHARS,
) -> None:
    """Import articles (and annotations): each path is all or nothing."""
    options = ImportOptions(format.value, lang, annotator, text_column, max_chars)
    with _user_errors(), _project(project) as opened:
        for path in paths:
            with _progress_bar(path) as progress:
                result = import_path(opened, path, options, progress)
            finished = ", ".join(f"{name} {count}" for name, count in result.finished.items())
            out.print(
                f"{escape(str(path))}: {result.records} records ({result.format}), {result.documents_added} new documents, "
                f"{result.duplicates} already present, {result.spans_added} spans, {result.relations_added} links"
                + (f"; done: {escape(finished)}" if finished else ""),
                soft_wrap=True,
            )


@contextmanager
def _progress_bar(path: Path):
    if not sys.stderr.isatty():
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(path.name, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


@app.command()
def stats(
    project: ProjectArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Documents per language; per annotator: documents done and spans per label."""
    with _user_errors(), _project(project) as opened:
        data = project_stats(opened)
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return
    languages = ", ".join(f"{lang} {n}" for lang, n in data["languages"].items()) or "none"
    out.print(f"{data['documents']} documents ({languages})")
    labels = list(next(iter(data["annotators"].values()))["spans"]) if data["annotators"] else []
    table = Table("annotator", "role", "done", *labels)
    for name, row in data["annotators"].items():
        table.add_row(name, row["role"], str(row["done"]), *(str(row["spans"][label]) for label in labels))
    out.print(table)


@app.command()
def gui(
    project: Annotated[Optional[str], typer.Argument(help="Project file to open.")] = None,
    annotator: Annotated[Optional[str], typer.Option(help="Your annotator name.")] = None,
) -> None:
    """Open the annotation window."""
    try:
        from ui.app import run
    except ImportError:
        err.print("The annotation window is not built yet; here are the project's statistics instead.")
        if project:
            stats(project)
        raise typer.Exit(0) from None
    with _user_errors():
        raise typer.Exit(run(project, annotator))


if __name__ == "__main__":
    app()
