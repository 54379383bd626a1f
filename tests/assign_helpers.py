"""Projects with many small documents, for the assignment tests."""

import json
from pathlib import Path

from sqlalchemy import select

from annotator.importing import import_path
from annotator.model import Annotator, Assignment
from annotator.store import Project


def import_documents(project: Project, folder: Path, count: int, start: int = 0, words: int = 3) -> None:
    """`count` distinct documents of `words` words (+ a number), imported like a user would."""
    path = folder / f"docs-{start}.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(start, start + count):
            out.write(json.dumps({"text": f"Document {i} " + "word " * words, "meta": {"name": f"doc-{i}"}}) + "\n")
    import_path(project, path)


def assignment_rows(project: Project) -> set[tuple[int, str, int]]:
    """(document id, annotator name, queue position) of every assignment."""
    with project.read() as session:
        return set(session.execute(select(Assignment.document_id, Annotator.name, Assignment.position)
                                   .join(Annotator, Annotator.id == Assignment.annotator_id)).all())
