"""`python -m cli`: the `annotator` command from a source tree."""

from cli.app import app

app()
