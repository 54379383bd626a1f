"""`annotator progress`: the lead's view of who has done how much, and when the rest will be done."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from cli.common import ProjectArg, one_line_errors, opened_project, stdout_console


def progress(
    project: ProjectArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts (with every shared document).")] = False,
) -> None:
    """Per annotator: assigned, done, skipped, in progress, spans per label, documents per hour over the last 7 days
    and an estimated finish date; shared documents ready for agreement."""
    from annotator.team.progress import team_progress

    with one_line_errors(), opened_project(project) as opened:
        report = team_progress(opened, detail=as_json)
    if as_json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    labels = list(report.total.spans)
    table = Table("annotator", "assigned", "done", "skipped", "in progress", "remaining", *labels, "docs/hour (7 days)",
                  "estimated finish")
    for row in [*report.annotators, report.total]:
        finish = row.estimated_finish or ("finished" if row.assigned and not row.remaining else "—")
        table.add_row(Text(row.name, style="bold" if row is report.total else ""),
                      *(str(getattr(row, name)) for name in ("assigned", "done", "skipped", "in_progress", "remaining")),
                      *(str(row.spans[label]) for label in labels), f"{row.per_hour:.2f}", finish,
                      end_section=row is report.annotators[-1] if report.annotators else False)
    stdout_console.print(table)
    stdout_console.print(f"{report.documents} documents, {report.unassigned} not assigned; "
                         f"{report.shared} shared by several annotators, {report.ready} of them done by all "
                         "(ready for agreement)")
