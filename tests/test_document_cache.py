"""Marking a span snaps to the words of the document as stored, even where this process marked
in another document with the same id before: a project made anew at the same path or database,
with other text, or with the same text in another language's words."""

from pathlib import Path

from sqlalchemy import make_url

from annotator.commands import add_span
from annotator.importing import ImportOptions, import_path
from annotator.store import create_project


def _project_with(target: str, tmp_path: Path, text: str, lang: str = "en"):
    project = create_project(target)
    article = tmp_path / "article.txt"
    article.write_text(text, encoding="utf-8")
    import_path(project, article, ImportOptions(lang=lang))
    return project


def _marked(project, start: int, end: int) -> tuple[int, int]:
    row = add_span(project, 1, "alice", "QUOTE", start, end).rows("spans")[0]
    return row["start"], row["end"]


def _made_anew(target: str, databases) -> None:
    """The project at `target` gone, and an empty one in its place (same path, same URL)."""
    if databases is None:
        Path(target).unlink()
        return
    name = make_url(target).database
    databases._run(f'DROP DATABASE "{name}" WITH (FORCE)')
    databases._run(f'CREATE DATABASE "{name}" TEMPLATE template0')


def test_a_new_project_in_the_same_place_is_read_anew(fresh_target, databases, tmp_path):
    target = fresh_target()
    first = _project_with(target, tmp_path, "aa bb cc dd")
    assert _marked(first, 4, 5) == (3, 5)  # "bb"
    assert _marked(first, 7, 8) == (6, 8)  # "cc": the kept text
    first.close()
    _made_anew(target, databases)
    second = _project_with(target, tmp_path, "aaaa bbbbbb cc")
    assert _marked(second, 6, 7) == (5, 11)  # "bbbbbb", not the first project's words
    second.close()


def test_the_same_text_tokenized_otherwise_is_not_taken_for_the_kept_one(fresh_target, databases, tmp_path):
    target = fresh_target()
    text = "qu'aujourd'hui l'homme"
    first = _project_with(target, tmp_path, text, lang="en")  # one token: "l'homme"
    assert _marked(first, 16, 17) == (15, 22)
    first.close()
    _made_anew(target, databases)
    second = _project_with(target, tmp_path, text, lang="fr")  # "l'" and "homme"
    assert _marked(second, 16, 17) == (15, 17)
    second.close()
