"""`annotator gui`: the window. ui/ is imported inside the command, so that no other command
loads Qt (the one import from cli/ into ui/, allowed by pyproject's import contract)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cli.common import fail, one_line_errors


def gui(
    project: Annotated[Optional[str], typer.Argument(help="Project file to open.")] = None,
    annotator: Annotated[Optional[str], typer.Option(help="Your annotator name.")] = None,
) -> None:
    """Open the annotation window."""
    try:
        from ui.app import run
    except ImportError as exc:  # e.g. a system library Qt needs is missing
        fail(f"the window cannot start: {exc}; install the project with `make install` (see README)")
    with one_line_errors():
        raise typer.Exit(run(project, annotator))
