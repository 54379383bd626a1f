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


def queue_of(project: Project, name: str) -> list[int]:
    """The document ids assigned to `name`, in queue order."""
    return [doc for _, doc in sorted((pos, doc) for doc, who, pos in assignment_rows(project) if who == name)]


def hold(project: Project, holdings: dict[str, list[int]], reviewers: tuple[str, ...] = ()) -> None:
    """Exactly these assignments (name -> document ids in queue order), people made as needed:
    a hand-made plan, for tests that count."""
    from annotator.assignment.table import annotator_ids
    from annotator.change_builder import ChangeBuilder
    from annotator.model import utcnow

    with project.transaction() as session:
        build = ChangeBuilder(session)
        ids, made = annotator_ids(session, [*holdings, *reviewers], build)
        for name in reviewers:
            if name in made:
                build.update("annotators", build.pending_row("annotators", (ids[name],)), role="reviewer")
        for name, docs in holdings.items():
            for position, doc in enumerate(docs):
                build.insert("assignments", {"document_id": doc, "annotator_id": ids[name], "position": position,
                                             "assigned_at": utcnow()})
        build.apply("hand-made plan")
