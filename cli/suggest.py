"""Suggestions from the command line: `annotator suggest` (rules or a trained model propose spans
and links, stored as their own source) and `annotator rules-check` (a rule file's precision and
recall against people's annotations)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table
from rich.text import Text

from annotator.errors import UserError
from cli.common import ProjectArg, choices, one_line_errors, opened_project, progress_bar, split_names, stdout_console

Docs = choices("SuggestDocs", ("queue", "all"))  # annotator.suggestions.suggest.DOCS


def suggest(
    project: ProjectArg,
    patterns: Annotated[Optional[Path], typer.Option(metavar="FILE", help="A rule file: spaCy / Prodigy patterns JSONL (source `rules`).")] = None,
    model: Annotated[Optional[Path], typer.Option(metavar="DIR", help="The folder `annotator train --out` wrote (source `model:NAME`).")] = None,
    for_annotator: Annotated[Optional[str], typer.Option("--for", metavar="NAME", help="Suggest on this annotator's queue (assigned, unfinished documents).")] = None,
    docs: Annotated[Optional[Docs], typer.Option(help="queue (the default with --for) or all (the default without).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Store suggested spans and links from rules or a trained model; a re-run replaces that source's suggestions."""
    from annotator.suggestions.suggest import suggest_with_model, suggest_with_patterns

    with one_line_errors():
        if (patterns is None) == (model is None):
            raise UserError("give one of --patterns FILE or --model DIR")
        with opened_project(project) as opened, progress_bar("suggesting") as progress:
            run = suggest_with_patterns if patterns is not None else suggest_with_model
            summary = run(opened, patterns or model, for_annotator, docs.value if docs else None, progress)
    if as_json:
        print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
        return
    per_label = ", ".join(f"{label} {n}" for label, n in summary.spans.items())
    stdout_console.print(Text(f"{summary.source}: {summary.documents} documents; suggestions {per_label}; "
                              f"{summary.added} new, {summary.kept} suggested again (decisions kept), "
                              f"{summary.removed} removed; {summary.links} links"), soft_wrap=True)
    if summary.skipped:
        stdout_console.print(Text("skipped, no pipeline for their language: "
                                  + ", ".join(f"{lang} {n}" for lang, n in summary.skipped.items())))


def rules_check(
    project: ProjectArg,
    patterns: Annotated[Path, typer.Option(metavar="FILE", help="The rule file to measure.")],
    against: Annotated[Optional[str], typer.Option(metavar="A,B,…", help="Annotators and/or majority (default: majority).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Precision and recall per label of a rule file against annotators' finished documents (nothing stored)."""
    from annotator.suggestions.measures import MAJORITY, rules_check as measure

    with one_line_errors(), opened_project(project) as opened:
        report = measure(opened, patterns, split_names([against]) if against else [MAJORITY])
    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    for name, labels in report["labels"].items():
        table = Table("label", "precision", "recall", "precision (overlap)", "recall (overlap)", "suggested",
                      "reference", title=f"against {name} ({report['documents'][name]} documents)")
        for label, row in labels.items():
            table.add_row(Text(label), *(_figure(row[key]) for key in (
                "precision_exact", "recall_exact", "precision_overlap", "recall_overlap")),
                str(row["suggested"]), str(row["reference"]))
        stdout_console.print(table)


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"
