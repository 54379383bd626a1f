"""`annotator train` and `annotator learning-curve`: spaCy pipelines trained on the project's annotations
(training/). spaCy loads inside the commands only.

Ctrl+C asks the run to stop after the current step: the best model so far is kept (train) or the
points finished so far are shown (learning-curve), and the exit code is 130. A second Ctrl+C abandons
the run at once, and nothing is written.
"""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from annotator.errors import UserError
from cli.common import (ProjectArg, one_line_errors, opened_project, progress_bar, split_names, stderr_console,
                        stdout_console)

STOPPED_EXIT = 130  # as a shell reports a command ended by Ctrl+C
DEFAULT_MAX_STEPS = 200  # training.config.DEFAULT_MAX_STEPS (not imported here: it loads spaCy); a test compares

Source = Annotated[Optional[str], typer.Option(help="gold (the adjudicated set), majority or an annotator's name "
                                                    "(default: gold once a gold document is marked done, else majority).")]
Lang = Annotated[Optional[str], typer.Option(help="Only this language (default: one model per language).")]
MaxSteps = Annotated[int, typer.Option(help="Training steps (batches) per model; 200 take a minute or two on a laptop CPU.")]
Components = Annotated[str, typer.Option(help="spaCy components: ner, spancat or both.")]
Seed = Annotated[int, typer.Option(help="Seed of the train/dev split, the subsets and spaCy's training.")]


@contextmanager
def ctrl_c_stops() -> Iterator[Callable[[], bool]]:
    """`stop()` turns true at the first Ctrl+C; the second raises KeyboardInterrupt as usual."""
    asked = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield asked.is_set
        return

    def on_interrupt(signum, frame) -> None:
        if asked.is_set():
            raise KeyboardInterrupt
        asked.set()
        stderr_console.print("stopping after this step, keeping what is done (Ctrl+C again: abandon everything)…")

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield asked.is_set
    finally:
        signal.signal(signal.SIGINT, previous)


def train(
    project: ProjectArg,
    folder: Annotated[Path, typer.Option("--out", help="Folder to write (new, or empty): <lang>/model-best and <lang>/scores.json.")],
    source: Source = None,
    lang: Lang = None,
    max_steps: MaxSteps = DEFAULT_MAX_STEPS,
    components: Components = "ner,spancat",
    seed: Seed = 0,
) -> None:
    """Train a spaCy pipeline per language on the project's annotations (spaCy's own training loop, on CPU)."""
    from training import TrainOptions, train_project

    options = TrainOptions(source, lang, max_steps, split_names([components]) or [], seed)
    with one_line_errors(), opened_project(project) as opened, ctrl_c_stops() as stop, \
            progress_bar("training steps") as progress:
        result = train_project(opened, folder, options, progress, stop)
    for lang_code, summary in result.languages.items():
        documents = summary["documents"]
        stopped = f"; stopped at step {summary['steps'] - 1}" if summary["stopped"] else ""
        stdout_console.print(
            f"{lang_code}: wrote {escape(str(folder / lang_code / 'model-best'))} (best dev score at step "
            f"{summary['best_step']} of {summary['max_steps']}{stopped}); trained on "
            f"{len(documents['train'])} documents of {escape(summary['annotator'])}, scored on "
            f"{len(documents['dev'])} ({summary['passages']['dev']} dev passages)", soft_wrap=True)
        stdout_console.print(_scores_table(summary["scores"]))
    for lang_code, why in result.not_trained.items():
        stderr_console.print(f"[yellow]warning:[/] {lang_code}: not trained: {escape(why)}", soft_wrap=True)
    for warning in result.warnings:
        stderr_console.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)
    if result.stopped:
        raise typer.Exit(STOPPED_EXIT)


def _scores_table(scores: dict) -> Table:
    components = list(scores)
    table = Table("label", *(f"{c} {m}" for c in components for m in "PRF"), title="dev scores")
    labels = list(dict.fromkeys(label for c in components for label in scores[c]["labels"]))
    for label in [*labels, "_overall"]:
        cells = []
        for c in components:
            prf = scores[c]["overall"] if label == "_overall" else scores[c]["labels"].get(label, "n/a")
            cells += (["n/a"] * 3 if prf == "n/a" else ["—"] * 3 if prf is None else
                      ["—" if prf[m] is None else f"{prf[m]:.3f}" for m in "prf"])
        table.add_row(escape(label), *cells, style="bold" if label == "_overall" else None)
    return table


def learning_curve(
    project: ProjectArg,
    source: Source = None,
    lang: Lang = None,
    folder: Annotated[Optional[Path], typer.Option("--out", help="Also write learning_curve.json and learning_curve.html (an inline SVG plot) into this folder.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for tools instead of tables.")] = False,
    max_steps: MaxSteps = DEFAULT_MAX_STEPS,
    components: Components = "ner,spancat",
    seed: Seed = 0,
) -> None:
    """Dev F1 per label of models trained on 25 / 50 / 75 / 100 % of the training documents: does more labelling pay?"""
    from training import CurveOptions
    from training import curve_render as render
    from training import learning_curve as compute

    options = CurveOptions(source, lang, max_steps, split_names([components]) or [], seed)
    with one_line_errors():
        if folder is not None and folder.exists() and not folder.is_dir():
            raise UserError(f"--out {folder}: is a file; give a folder (learning_curve.json and .html go in it)")
        with opened_project(project) as opened, ctrl_c_stops() as stop, progress_bar("training steps") as progress:
            curve = compute(opened, options, progress, stop)
            if folder is not None:
                folder.mkdir(parents=True, exist_ok=True)
                (folder / "learning_curve.json").write_text(render.to_json(curve) + "\n", encoding="utf-8")
                (folder / "learning_curve.html").write_text(render.to_html(curve, f"Learning curve — {opened.name}"),
                                                            encoding="utf-8")
    if as_json:
        print(json.dumps(curve, ensure_ascii=False, indent=2))
    else:
        for table in render.to_tables(curve):
            stdout_console.print(table)
    if folder is not None:
        stderr_console.print(f"wrote {escape(str(folder / 'learning_curve.json'))} and learning_curve.html")
    for warning in curve["warnings"]:
        stderr_console.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)
    if curve["stopped"]:
        stderr_console.print("stopped: the points above are those finished before Ctrl+C")
        raise typer.Exit(STOPPED_EXIT)
