"""The `annotator` command (pyproject's [project.scripts]): the typer app and its commands.

A new command: a function in the module of its group (or a new module), registered below;
the order here is the order of `annotator --help`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from cli import assign, bundle, export, gui, progress, project, review, suggest, team, train

app = typer.Typer(
    help="Annotate who said what in news articles (SPEAKER, QUOTE, THREAT, FIGURE and the links between them): "
         "create a project, import articles and annotations, annotate in the window, count the work, measure "
         "agreement, adjudicate a gold set and export training data (spaCy, Prodigy, doccano, CSV).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


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


app.command("init")(project.init)
app.command("import")(project.import_)
app.command("stats")(project.stats)
app.command("assign")(assign.assign)
app.add_typer(bundle.app, name="bundle")
app.add_typer(team.app, name="team")
app.command("progress")(progress.progress)
app.command("agreement")(review.agreement)
app.command("adjudicate")(review.adjudicate)
app.command("suggest")(suggest.suggest)
app.command("rules-check")(suggest.rules_check)
app.command("export")(export.export)
app.command("train")(train.train)
app.command("learning-curve")(train.learning_curve)
app.command("gui")(gui.gui)
