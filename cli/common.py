"""What every command shares: one-line errors, opening a project, the consoles, progress bars."""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.text import Text
from sqlalchemy.exc import DBAPIError

from annotator.errors import UserError
from annotator.store import BUSY_TIMEOUT, Project, open_project

stdout_console = Console(highlight=False)
stderr_console = Console(stderr=True, highlight=False)

ProjectArg = Annotated[str, typer.Argument(metavar="PROJECT", help="Project file path, or a SQLAlchemy database URL.")]


def choices(name: str, values: Sequence[str]) -> type[Enum]:
    """A typer choice type whose members are the values themselves (`--format csv`)."""
    return Enum(name, [(value, value) for value in values], type=str)


def split_names(values: list[str] | None) -> list[str] | None:
    """`--labels A,B` and `--labels A --labels B` alike."""
    return [name.strip() for value in values for name in value.split(",") if name.strip()] if values else None


@contextmanager
def one_line_errors() -> Iterator[None]:
    """A UserError is one line and exit code 1. So, as a last resort, is any database or OS error
    nothing turned into a UserError (ANNOTATOR_DEBUG=1 shows its traceback instead)."""
    try:
        yield
    except UserError as exc:
        fail(str(exc))
    except _database_errors() as exc:
        if os.environ.get("ANNOTATOR_DEBUG") == "1":
            raise
        reason = str(exc.orig if isinstance(exc, DBAPIError) else exc).strip().splitlines()[0]
        if isinstance(exc, OSError) and exc.filename and str(exc.filename) not in reason:
            reason = f"{exc.filename}: {reason}"
        fail(f"{reason} — unexpected here; rerun with ANNOTATOR_DEBUG=1 to see where, and report it")


def _database_errors() -> tuple[type[BaseException], ...]:
    """OS errors, and a database driver's own errors (a query run on the driver's cursor)."""
    psycopg = sys.modules.get("psycopg")  # loaded only for a PostgreSQL project
    return (OSError, DBAPIError, sqlite3.Error) + ((psycopg.Error,) if psycopg is not None else ())


def fail(message: str) -> NoReturn:
    """`error: message` on stderr, exit code 1."""
    stderr_console.print(Text.assemble(("error:", "bold red"), " ", message), soft_wrap=True)  # Text: no markup read
    raise typer.Exit(1) from None


def is_utf8(value: str) -> bool:
    """False for a command-line string holding bytes that were not UTF-8 (kept as surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def busy_timeout_seconds() -> float:
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
def opened_project(target: str) -> Iterator[Project]:
    """The project at a path or URL, closed when the command is done."""
    project = open_project(target, busy_timeout_seconds())
    try:
        yield project
    finally:
        project.close()


@contextmanager
def progress_bar(description: str, counts_bytes: bool = False) -> Iterator[Callable[[int, int], None] | None]:
    """A `progress(done, total)` drawing a bar on a terminal's stderr; None when stderr is no terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    count = DownloadColumn() if counts_bytes else TextColumn("{task.completed}/{task.total}")
    columns = (TextColumn("{task.description}"), BarColumn(), count, TimeRemainingColumn())
    with Progress(*columns, console=stderr_console, transient=True) as bar:
        task = bar.add_task(description, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
