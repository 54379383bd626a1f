"""The `annotator` command: thin typer wrappers around the core functions.

Each command turns a UserError into one line on stderr and exit code 1; no traceback.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from sqlalchemy.exc import DBAPIError

from annotator.errors import UserError
from annotator.importing.options import MAX_CHARS
from annotator.stats import project_stats
from annotator.store import BUSY_TIMEOUT, Project, create_project, open_project

app = typer.Typer(
    help="Annotate who said what in news articles (SPEAKER, QUOTE, THREAT, FIGURE and the links between them): "
         "create a project, import articles and annotations, annotate in the window, count the work, measure "
         "agreement, adjudicate a gold set and export training data (spaCy, Prodigy, doccano, CSV).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            print(f"annotator {version('quote-annotator')}")
        except PackageNotFoundError:  # run from a source tree that was never installed
            print("annotator (not installed, version unknown; run `make install`)")
        raise typer.Exit()


@app.callback()
def _main(
    show_version: Annotated[bool, typer.Option("--version", callback=_show_version, is_eager=True,
                                               help="Print the version and exit.")] = False,
) -> None:
    pass

ProjectArg = Annotated[str, typer.Argument(metavar="PROJECT", help="Project file path, or a SQLAlchemy database URL.")]


class Format(str, Enum):
    auto = "auto"
    txt = "txt"
    jsonl = "jsonl"
    csv = "csv"
    prodigy = "prodigy"
    doccano = "doccano"


def _names(values: list[str] | None) -> list[str] | None:
    """`--labels A,B` and `--labels A --labels B` alike."""
    return [name.strip() for value in values for name in value.split(",") if name.strip()] if values else None


@contextmanager
def _user_errors() -> Iterator[None]:
    """A UserError is one line and exit code 1. So, as a last resort, is any database or OS error
    nothing turned into a UserError (ANNOTATOR_DEBUG=1 shows its traceback instead)."""
    try:
        yield
    except UserError as exc:
        _fail(str(exc))
    except (OSError, DBAPIError, sqlite3.Error) as exc:
        if os.environ.get("ANNOTATOR_DEBUG") == "1":
            raise
        reason = str(exc.orig if isinstance(exc, DBAPIError) else exc).strip().splitlines()[0]
        if isinstance(exc, OSError) and exc.filename and str(exc.filename) not in reason:
            reason = f"{exc.filename}: {reason}"
        _fail(f"{reason} — unexpected here; rerun with ANNOTATOR_DEBUG=1 to see where, and report it")


def _fail(message: str) -> None:
    err.print(Text.assemble(("error:", "bold red"), " ", message), soft_wrap=True)  # Text: no markup read
    raise typer.Exit(1) from None


def _is_utf8(value: str) -> bool:
    """False for a command-line string holding bytes that were not UTF-8 (kept as surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _busy_timeout() -> float:
    """ANNOTATOR_BUSY_TIMEOUT: seconds to wait for another program's write lock (default 10)."""
    value = os.environ.get("ANNOTATOR_BUSY_TIMEOUT")
    if value is None:
        return BUSY_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < 86_400:
        raise UserError(f"ANNOTATOR_BUSY_TIMEOUT={value!r}: not a number of seconds; set it to e.g. 30, or unset it")
    return seconds


@contextmanager
def _project(target: str) -> Iterator[Project]:
    project = open_project(target, _busy_timeout())
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
    # readable=False: an unreadable path is reported by the reader, in one line like any bad input
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to import.", readable=False)],
    format: Annotated[Format, typer.Option("--format", help="Input format; auto looks at the extension and first record.")] = Format.auto,
    lang: Annotated[str, typer.Option(help="auto, or a language code such as en or fr.")] = "auto",
    annotator: Annotated[Optional[str], typer.Option(help="Annotator name for annotated formats.")] = None,
    text_column: Annotated[str, typer.Option(help="CSV column holding the text.")] = "text",
    max_chars: Annotated[int, typer.Option(help="Longest text accepted, in characters.")] = MAX_CHARS,
) -> None:
    """Import articles (and annotations): each path is all or nothing."""
    if annotator is not None and not _is_utf8(annotator):
        _fail(f"--annotator {annotator!r}: not UTF-8 text (the terminal passed other bytes); type the name in UTF-8")
    from annotator.importing import ImportOptions, import_path

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
            for warning in result.warnings:
                err.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)


@contextmanager
def _progress_bar(path: Path):
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

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
    for name, row in data["annotators"].items():  # Text: a name is shown as written, never read as markup
        table.add_row(Text(name), row["role"], str(row["done"]), *(str(row["spans"][label]) for label in labels))
    out.print(table)


class ReportFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    html = "html"


@app.command()
def agreement(
    project: ProjectArg,
    annotators: Annotated[Optional[str], typer.Option(help="Comma-separated names (default: all who finished a document, gold excluded).")] = None,
    labels: Annotated[Optional[str], typer.Option(help="Comma-separated labels (default: all).")] = None,
    format: Annotated[ReportFormat, typer.Option("--format", help="table, json, csv or html (self-contained, with plots).")] = ReportFormat.table,
    out_file: Annotated[Optional[Path], typer.Option("--out", help="Write to this file instead of the terminal.")] = None,
) -> None:
    """Agreement per label, pair and document: span F1, Cohen's and Fleiss' kappa, Krippendorff's alpha and alpha_U."""
    from annotator import agreement_render as render
    from annotator.agreement_report import agreement_report

    with _user_errors(), _project(project) as opened:
        report = agreement_report(opened, _names([annotators] if annotators else None),
                                  _names([labels] if labels else None))
        if format is ReportFormat.table:
            if out_file is None:
                for part in render.to_tables(report):
                    out.print(part)
                return
            with _writable(out_file).open("w", encoding="utf-8") as handle:
                for part in render.to_tables(report):
                    Console(file=handle, width=120).print(part)
            out.print(f"wrote {escape(str(out_file))}")
            return
        text = {"json": render.to_json, "csv": render.to_csv,
                "html": lambda r: render.to_html(r, f"Agreement — {opened.name}")}[format.value](report)
        if out_file is None:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        else:
            _writable(out_file).write_text(text, encoding="utf-8", newline="")  # the CSV ends rows with \r\n itself
            out.print(f"wrote {escape(str(out_file))}")


def _writable(path: Path) -> Path:
    if not path.parent.is_dir():
        raise UserError(f"--out {path}: folder {path.parent} does not exist; create it or choose another path")
    return path


@app.command()
def adjudicate(
    project: ProjectArg,
    annotators: Annotated[Optional[str], typer.Option(metavar="A,B,…", help="Comma-separated names whose work counts (default: everyone; gold never).")] = None,
    min_agree: Annotated[Optional[int], typer.Option("--min-agree", metavar="K", help="A span goes in when at least K of the document's finished annotators marked it alike.")] = None,
    majority: Annotated[bool, typer.Option("--majority", help="More than half of each document's finished annotators must agree (the default).")] = False,
    reviewer: Annotated[Optional[str], typer.Option(metavar="NAME", help="Recorded on every gold span and link (default: your login name).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Change nothing; print what would go in.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Put into gold every span and link enough finished annotators marked alike; the rest waits for the review window."""
    from annotator.auto_adjudication import adjudicate_project

    with _user_errors():
        if majority and min_agree is not None:
            raise UserError("give --majority or --min-agree K, not both")
        with _project(project) as opened:
            result = adjudicate_project(opened, reviewer or _login(opened), _names([annotators] if annotators else None),
                                        min_agree, dry_run)
    if as_json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    rule = "majority" if min_agree is None else f"at least {min_agree}"
    out.print(("dry run, nothing written: " if dry_run else "")
              + f"{rule} of {escape(', '.join(result.annotators)) or 'nobody'}; reviewer {escape(result.reviewer)}; "
              f"{result.considered} documents considered, {sum(result.skipped.values())} skipped"
              + (f" ({', '.join(f'{reason}: {n}' for reason, n in result.skipped.items())})" if result.skipped else ""),
              soft_wrap=True)
    verb = "would go in" if dry_run else "went in"
    for title, figures in (("label", result.spans), ("link", result.links)):
        table = Table(title, verb, "already in gold", "waiting")
        for name, row in figures.items():
            table.add_row(escape(name), str(row["added"]), str(row["in_gold"]), str(row["waiting"]))
        out.print(table)
    waiting = sum(row["waiting"] for figures in (result.spans, result.links) for row in figures.values())
    if waiting:
        out.print(f"{waiting} candidates wait: settle them in the review window (`annotator gui`, Review → Compare / adjudicate).")


def _login(project: Project) -> str:
    """Who runs the command: the database login on a shared database, else the operating-system login."""
    import getpass

    try:
        return project.engine.url.username or getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment or the password database
        raise UserError("cannot tell your login name; give it with --reviewer NAME") from None


class ExportFormat(str, Enum):
    spacy = "spacy"
    prodigy = "prodigy"
    doccano = "doccano"
    csv = "csv"


class Passages(str, Enum):
    document = "document"
    paragraph = "paragraph"
    sentence = "sentence"


@app.command("export")
def export_(
    project: ProjectArg,
    folder: Annotated[Path, typer.Option("--out", help="Folder to write (new, or empty).")],
    format: Annotated[ExportFormat, typer.Option("--format", help="spacy (DocBin + config), prodigy, doccano or csv.")] = ExportFormat.spacy,
    source: Annotated[Optional[str], typer.Option(help="An annotator's name, gold (the adjudicated set) or majority (default: gold once a gold document is marked done, else majority).")] = None,
    dev: Annotated[float, typer.Option(help="Share of documents in dev.spacy (spacy format).")] = 0.2,
    seed: Annotated[int, typer.Option(help="Seed of the train/dev split.")] = 0,
    labels: Annotated[Optional[list[str]], typer.Option(help="Only these labels (comma-separated or repeated).")] = None,
    components: Annotated[str, typer.Option(help="spaCy components of config.cfg: ner, spancat or both.")] = "ner,spancat",
    all_documents: Annotated[bool, typer.Option("--all", help="Also documents the source has not finished.")] = False,
    jobs: Annotated[Optional[int], typer.Option(help="Worker processes for large spaCy exports (default: one per core).")] = None,
    passages: Annotated[Passages, typer.Option(help="spaCy: one Doc per document, per paragraph (cut at line breaks) "
                                                    "or per sentence; never cut inside a span or a link.")] = Passages.paragraph,
) -> None:
    """Export training data: spaCy DocBin with a train/dev split and config.cfg, Prodigy or doccano JSONL, CSV."""
    from exports import ExportOptions, export_project

    options = ExportOptions(format.value, source, dev, seed, _names(labels), _names([components]) or [],
                            all_documents, jobs=jobs, passages=passages.value)
    with _user_errors(), _project(project) as opened, _document_bar() as progress:
        result = export_project(opened, folder, options, progress)
    summary = result.summary
    spans = ", ".join(f"{label} {count}" for label, count in summary["spans"].items())
    adjusted = ", ".join(f"{count} {action.replace('_', ' ')}" for action, count in summary["adjusted"].items() if count)
    why = "" if source is not None else (" (the default: the adjudicated set)" if summary["source"] == "gold" else
                                         " (the default until a gold document is marked done; "
                                         "`annotator adjudicate` builds gold)")
    out.print(f"wrote {escape(str(folder))}: {summary['documents']} documents from {escape(summary['annotator'])}"
              f"{why}; spans: {escape(spans)}" + (f"; {adjusted} (see export.json)" if adjusted else ""), soft_wrap=True)
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)


@contextmanager
def _document_bar():
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("documents"), BarColumn(), TextColumn("{task.completed}/{task.total}"), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("export", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


@app.command()
def gui(
    project: Annotated[Optional[str], typer.Argument(help="Project file to open.")] = None,
    annotator: Annotated[Optional[str], typer.Option(help="Your annotator name.")] = None,
) -> None:
    """Open the annotation window."""
    try:
        from ui.app import run
    except ImportError as exc:  # e.g. a system library Qt needs is missing
        err.print(f"[bold red]error:[/] the window cannot start: {escape(str(exc))}; "
                  "install the project with `make install` (see README)", soft_wrap=True)
        raise typer.Exit(1) from None
    with _user_errors():
        raise typer.Exit(run(project, annotator))


if __name__ == "__main__":
    app()
