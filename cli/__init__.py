"""The `annotator` command, the composition root: thin typer functions over the core
(annotator/) and the exports (exports/) that print what those return.

app.py holds the typer app and the list of commands; common.py what every command shares
(one-line errors, opening a project, consoles, progress bars); one module per group of
commands. A command module imports spaCy, pandas, the exports or the window inside the
command's function: typer loads every module at start, and `annotator stats` must stay fast.
"""
