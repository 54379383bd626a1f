"""`annotator bundle out` / `annotator bundle in`: one annotator's work taken offline as a project
file, and merged back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Column, Table
from rich.text import Text

from cli.common import ProjectArg, choices, one_line_errors, opened_project, stdout_console

app = typer.Typer(help="Take one annotator's documents offline as a project file, and merge the work back.",
                  no_args_is_help=True)
Prefer = choices("Prefer", ("bundle", "project"))  # annotator.bundles.merge.PREFER


@app.command("out")
def bundle_out(
    project: ProjectArg,
    annotator: Annotated[str, typer.Option(metavar="NAME", help="Whose assigned documents and work go into the bundle.")],
    out: Annotated[Path, typer.Option(metavar="FILE", help="The bundle to write (a new file, e.g. alice.annot).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Write one annotator's assigned documents and her work on them into a new project file (the project is only read)."""
    with one_line_errors():
        from annotator.bundles.out import bundle_out as write_bundle

        with opened_project(project) as opened:
            summary = write_bundle(opened, annotator.strip(), out)
    if as_json:
        print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
        return
    stdout_console.print(f"{escape(summary.path)}: {summary.documents} documents of {escape(summary.annotator)} "
                         f"with {summary.spans} spans and {summary.links} links; merge it back with "
                         f"`annotator bundle in PROJECT {escape(summary.path)}`", soft_wrap=True)


@app.command("in")
def bundle_in(
    project: ProjectArg,
    bundle: Annotated[Path, typer.Argument(metavar="BUNDLE", help="The bundle file to merge.")],
    prefer: Annotated[Optional[Prefer], typer.Option(help="Whose work wins on documents changed on both sides since "
                                                          "the bundle was made.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Merge an annotator's work back: only her spans, links and statuses on its documents change, all or nothing."""
    from annotator.bundles.merge import MergeConflict, merge_bundle

    with one_line_errors():
        with opened_project(project) as opened:
            try:
                report = merge_bundle(opened, bundle, prefer.value if prefer else None)
            except MergeConflict as conflict:
                if as_json:
                    print(json.dumps({"conflicts": conflict.documents}, ensure_ascii=False, indent=2))
                raise
    if as_json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    _print_report(report)


def _print_report(report) -> None:
    totals = report.totals()
    if report.merged:
        table = Table("spans added", "changed", "removed", "links added", "removed")
        table.columns.insert(0, Column("document", overflow="fold"))  # a name is never cut short
        table.add_column("status", no_wrap=True)
        for diff in report.merged:
            status = f"{diff.status[0] or '—'} → {diff.status[1] or '—'}" if diff.status else ""
            table.add_row(Text(diff.document), str(diff.spans_added), str(diff.spans_changed), str(diff.spans_removed),
                          str(diff.links_added), str(diff.links_removed), status)
        table.add_row(Text("total", style="bold"), *(str(totals[key]) for key in (
            "spans_added", "spans_changed", "spans_removed", "links_added", "links_removed", "statuses")))
        stdout_console.print(table)
    if report.conflicts:
        side = "the bundle's" if report.prefer == "bundle" else "the project's"
        stdout_console.print(f"changed on both sides, {side} work kept (--prefer {report.prefer}): "
                             f"{escape(', '.join(report.conflicts))}", soft_wrap=True)
    stdout_console.print(f"{totals['changes']} changes from {escape(report.annotator)}'s bundle on "
                         f"{len(report.merged)} of its {report.documents} documents"
                         + ("" if totals["changes"] else " — the project already holds its work"), soft_wrap=True)
