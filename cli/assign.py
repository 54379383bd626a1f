"""`annotator assign`: hand the documents out (a share of them to several annotators), hand one
annotator's unfinished documents to others, or show who holds what."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from annotator.errors import UserError
from cli.common import ProjectArg, choices, one_line_errors, opened_project, split_names, stdout_console

Docs = choices("Docs", ("unassigned", "all"))  # annotator.assignment.assign.DOCS
Balance = choices("Balance", ("docs", "words"))  # annotator.assignment.assign.BALANCE
Order = choices("Order", ("plan", "uncertain"))  # annotator.assignment.assign.ORDERS
YesNo = choices("YesNo", ("yes", "no"))


def assign(
    project: ProjectArg,
    annotators: Annotated[Optional[list[str]], typer.Option(metavar="A,B,…", help="Who gets documents; names not in the project yet are added as annotators.")] = None,
    overlap: Annotated[float, typer.Option(help="Share of the documents (0 to 1) labelled by --per-doc annotators each, for agreement.")] = 0.0,
    per_doc: Annotated[int, typer.Option("--per-doc", help="Annotators per shared document.")] = 2,
    seed: Annotated[int, typer.Option(help="The same seed gives the same plan.")] = 0,
    docs: Annotated[Docs, typer.Option(help="unassigned: only documents nobody holds (nothing moves); all: also re-plan documents nobody has started.")] = Docs.unassigned,
    balance: Annotated[Balance, typer.Option(help="Balance document counts, or words.")] = Balance.docs,
    order: Annotated[Order, typer.Option(help="Queue order: plan (shared documents spread through it), or uncertain (least certain model suggestions first).")] = Order.plan,
    move_from: Annotated[Optional[str], typer.Option("--move-from", metavar="NAME", help="Hand this annotator's unfinished documents over (with --to).")] = None,
    to: Annotated[Optional[list[str]], typer.Option(metavar="A,B,…", help="Who takes them over.")] = None,
    show: Annotated[bool, typer.Option("--show", help="Change nothing; list document → annotators.")] = False,
    free: Annotated[Optional[YesNo], typer.Option("--free", help="yes: anyone may annotate any document; no: only what is assigned to them (the rest opens read-only). Default: yes while nothing is assigned.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Hand out the documents: balanced loads, a planned overlap spread over every pair, stable re-runs."""
    with one_line_errors():
        if sum((show, move_from is not None, annotators is not None, free is not None)) != 1:
            raise UserError("give one of --annotators A,B (assign), --move-from NAME --to A,B (hand over), --show "
                            "or --free yes|no")
        if to is not None and move_from is None:
            raise UserError("--to goes with --move-from NAME (whose unfinished documents to hand over)")
        with opened_project(project) as opened:
            if show:
                return _show(opened, as_json)
            if free is not None:
                return _set_free(opened, free.value == "yes", as_json)
            if move_from is not None:
                from annotator.assignment.move import move_documents

                return _print_move(move_documents(opened, move_from.strip(), split_names(to) or []), move_from, as_json)
            from annotator.assignment.assign import assign_documents

            summary = assign_documents(opened, split_names(annotators) or [], overlap, per_doc, seed, docs.value,
                                       balance.value, order.value)
    if as_json:
        print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
        return
    if summary.created:
        stdout_console.print(f"added as annotators: {escape(', '.join(summary.created))}", soft_wrap=True)
    stdout_console.print(f"{summary.assigned} documents assigned"
                         + (f" ({summary.replanned} of them re-planned: nobody had started them)" if summary.replanned else "")
                         + ("" if summary.assigned else " — every document already has its annotators"))
    words = summary.words or {}
    table = Table("annotator", "documents", *(["words"] if words else []))
    for name, count in summary.documents.items():
        table.add_row(Text(name), str(count), *([str(words[name])] if words else []))
    stdout_console.print(table)
    if any(summary.pairs.values()):
        pairs = Table("pair", "shared documents")
        for (a, b), shared in summary.pairs.items():
            pairs.add_row(Text(f"{a} + {b}"), str(shared))
        stdout_console.print(pairs)


def _show(opened, as_json: bool) -> None:
    from annotator.assignment.listing import assignment_listing

    listing = assignment_listing(opened)
    if as_json:
        print(json.dumps(listing, ensure_ascii=False, indent=2))
        return
    for key, holders in listing["documents"].items():
        stdout_console.print(Text.assemble((key, "bold"), ": ", ", ".join(holders) or "(nobody)"), soft_wrap=True)
    assigned = sum(1 for holders in listing["documents"].values() if holders)
    stdout_console.print(f"{assigned} of {len(listing['documents'])} documents assigned, "
                         f"{len(listing['overlap'])} shared by several annotators")


def _set_free(opened, free: bool, as_json: bool) -> None:
    from annotator.queue import set_free_choice

    set_free_choice(opened, free)
    if as_json:
        print(json.dumps({"free": free}))
        return
    stdout_console.print("free choice: anyone may annotate any document" if free else
                         "no free choice: each annotator edits only the documents assigned to them; "
                         "the others open read-only")


def _print_move(summary, giver: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
        return
    moved = ", ".join(f"{name} {n}" for name, n in summary.moved.items())
    stdout_console.print(f"handed over {sum(summary.moved.values())} of {escape(giver)}'s unfinished documents: "
                         f"{escape(moved)}; {summary.finished} finished stay with {escape(giver)}"
                         + (f"; {summary.kept} stay too (everyone in --to already has them)" if summary.kept else ""),
                         soft_wrap=True)
