"""The reviewer's commands: `annotator agreement` (how alike the annotators marked) and
`adjudicate` (what enough of them agree on goes into gold)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from annotator.errors import UserError
from annotator.store import Project
from cli.common import ProjectArg, choices, one_line_errors, opened_project, split_names, stdout_console


ReportFormat = choices("ReportFormat", ("table", "json", "csv", "html"))
DocumentRule = choices("DocumentRule", ("all-finished", "any-two"))  # annotator.agreement.units.DOCUMENT_RULES


def agreement(
    project: ProjectArg,
    annotators: Annotated[Optional[str], typer.Option(help="Comma-separated names (default: all who finished a document, gold excluded).")] = None,
    labels: Annotated[Optional[str], typer.Option(help="Comma-separated labels (default: all).")] = None,
    report_format: Annotated[ReportFormat, typer.Option("--format", help="table, json, csv or html (self-contained, with plots).")] = ReportFormat.table,
    out_file: Annotated[Optional[Path], typer.Option("--out", help="Write to this file instead of the terminal.")] = None,
    curve_file: Annotated[Optional[Path], typer.Option("--learning-curve", help="html: add the plot of this learning_curve.json (annotator learning-curve --out).")] = None,
    documents: Annotated[DocumentRule, typer.Option(help="all-finished: the documents every compared annotator finished; any-two: those at least two of them finished.")] = DocumentRule("all-finished"),
) -> None:
    """Agreement per label, pair and document: span F1, Cohen's and Fleiss' kappa, Krippendorff's alpha and alpha_U."""
    from annotator.agreement import render
    from annotator.agreement.report import agreement_report

    with one_line_errors(), opened_project(project) as opened:
        appendix = _curve_section(curve_file, report_format) if curve_file is not None else ""
        report = agreement_report(opened, split_names([annotators] if annotators else None),
                                  split_names([labels] if labels else None), documents.value)
        if report_format is ReportFormat.table:
            if out_file is None:
                for part in render.to_tables(report):
                    stdout_console.print(part)
                return
            with _in_existing_folder(out_file).open("w", encoding="utf-8") as handle:
                for part in render.to_tables(report):
                    Console(file=handle, width=120).print(part)
            stdout_console.print(f"wrote {escape(str(out_file))}: {escape(render.documents_line(report))}", soft_wrap=True)
            return
        text = {"json": render.to_json, "csv": render.to_csv,
                "html": lambda r: render.to_html(r, f"Agreement — {opened.name}", appendix)}[report_format.value](report)
        if out_file is None:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        else:  # newline="": the CSV ends rows with \r\n itself
            _in_existing_folder(out_file).write_text(text, encoding="utf-8", newline="")
            stdout_console.print(f"wrote {escape(str(out_file))}: {escape(render.documents_line(report))}", soft_wrap=True)


def _curve_section(path: Path, report_format) -> str:
    """The learning curve's HTML section, from the JSON `annotator learning-curve --out` wrote."""
    from training.curve_render import curve_section

    if report_format is not ReportFormat.html:
        raise UserError("--learning-curve: only the html report shows it; add --format html")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"--learning-curve {path}: cannot read it ({exc.strerror}); give the learning_curve.json "
                        "that `annotator learning-curve --out DIR` wrote") from None
    try:
        return curve_section(json.loads(data.decode("utf-8")))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise UserError(f"--learning-curve {path}: not a learning_curve.json written by `annotator learning-curve "
                        "--out`; run that command and give the file it wrote") from None


def _in_existing_folder(path: Path) -> Path:
    if not path.parent.is_dir():
        raise UserError(f"--out {path}: folder {path.parent} does not exist; create it or choose another path")
    return path


def adjudicate(
    project: ProjectArg,
    annotators: Annotated[Optional[str], typer.Option(metavar="A,B,…", help="Comma-separated names whose work counts (default: everyone; gold never).")] = None,
    min_agree: Annotated[Optional[int], typer.Option("--min-agree", metavar="K", help="A span goes in when at least K of the document's finished annotators marked it alike.")] = None,
    majority: Annotated[bool, typer.Option("--majority", help="More than half of each document's finished annotators must agree (the default).")] = False,
    reviewer: Annotated[Optional[str], typer.Option(metavar="NAME", help="Recorded on every gold span and link (default: your login name; on a server it must be your login).")] = None,
    mark_done: Annotated[bool, typer.Option("--mark-done", help="Also mark gold done for each document where nothing waits (every candidate went into gold).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Change nothing; print what would go in.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Put into gold every span and link enough finished annotators marked alike; the rest waits for the review window."""
    from annotator.review.auto_adjudication import adjudicate_project
    from annotator.team.members import reviewer_name

    with one_line_errors():
        if majority and min_agree is not None:
            raise UserError("give --majority or --min-agree K, not both")
        with opened_project(project) as opened:
            result = adjudicate_project(opened, reviewer_name(opened, reviewer) or _login_name(opened),
                                        split_names([annotators] if annotators else None), min_agree, dry_run,
                                        mark_done)
    if as_json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    rule = "majority" if min_agree is None else f"at least {min_agree}"
    stdout_console.print(
        ("dry run, nothing written: " if dry_run else "")
        + f"{rule} of {escape(', '.join(result.annotators)) or 'nobody'}; reviewer {escape(result.reviewer)}; "
        f"{result.considered} documents considered, {sum(result.skipped.values())} skipped"
        + (f" ({', '.join(f'{reason}: {n}' for reason, n in result.skipped.items())})" if result.skipped else ""),
        soft_wrap=True)
    verb = "would go in" if dry_run else "went in"
    for title, figures in (("label", result.spans), ("link", result.links)):
        table = Table(title, verb, "already in gold", "waiting")
        for name, row in figures.items():
            table.add_row(escape(name), str(row["added"]), str(row["in_gold"]), str(row["waiting"]))
        stdout_console.print(table)
    if mark_done:
        stdout_console.print(f"{result.marked_done} documents' gold {'would be' if dry_run else 'was'} marked done "
                             "(nothing waits in them)")
    waiting = sum(row["waiting"] for figures in (result.spans, result.links) for row in figures.values())
    if waiting:
        stdout_console.print(f"{waiting} candidates wait: settle them in the review window "
                             "(`annotator gui`, Review → Compare / adjudicate).")


def _login_name(project: Project) -> str:
    """Who runs the command: the database login on a shared database, else the operating-system login."""
    import getpass

    try:
        return project.engine.url.username or getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment or the password database
        raise UserError("cannot tell your login name; give it with --reviewer NAME") from None
