"""Project counts: documents per language, and per annotator documents done and spans per label.

Suggestion sources (role model) are not annotators: their spans per label are counted apart, under
"suggestions"."""

from __future__ import annotations

from sqlalchemy import func, select

from annotator.model import MODEL, Annotator, Document, DocumentStatus, Label, Span
from annotator.store import Project


def project_stats(project: Project) -> dict:
    """The shape `annotator stats --json` prints (more keys may be added later)."""
    with project.read() as session:
        languages = dict(
            session.execute(select(Document.lang, func.count()).group_by(Document.lang).order_by(Document.lang)).all()
        )
        labels = session.scalars(select(Label.name).order_by(Label.position)).all()
        annotators = {
            name: {"role": role, "done": 0, "spans": {label: 0 for label in labels}}
            for name, role in session.execute(select(Annotator.name, Annotator.role).order_by(Annotator.id))
        }
        done = session.execute(
            select(Annotator.name, func.count())
            .join(DocumentStatus, DocumentStatus.annotator_id == Annotator.id)
            .where(DocumentStatus.status == "done")
            .group_by(Annotator.name)
        )
        for name, count in done:
            annotators[name]["done"] = count
        spans = session.execute(
            select(Annotator.name, Label.name, func.count())
            .join(Span, Span.annotator_id == Annotator.id)
            .join(Label, Label.id == Span.label_id)
            .group_by(Annotator.name, Label.name)
        )
        for name, label, count in spans:
            annotators[name]["spans"][label] = count
    suggestions = {name: row["spans"] for name, row in annotators.items() if row["role"] == MODEL}
    people = {name: row for name, row in annotators.items() if row["role"] != MODEL}
    return {"documents": sum(languages.values()), "languages": languages, "annotators": people,
            "suggestions": suggestions}
