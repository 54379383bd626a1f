"""One person's work list: documents with their status and span count, and which comes next.

Shared by the window (document list, Alt+→, "done → next not done") and any CLI
that wants the same order; the rule lives here, not in the window.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.model import Annotator, Assignment, Document, DocumentStatus, Span

FINISHED = ("done", "skipped")


def document_rows(session: Session, annotator: str) -> pd.DataFrame:
    """id, name, lang, length, status, spans, position — every document in import order, no text.

    status and spans are this annotator's (todo and 0 when they have not started); position is
    the document's place in their queue (-1 when it is not assigned to them).
    """
    mine = select(Annotator.id).where(Annotator.name == annotator).scalar_subquery()
    counts = (
        select(Span.document_id, func.count().label("spans"))
        .where(Span.annotator_id == mine)
        .group_by(Span.document_id)
        .subquery()
    )
    rows = session.execute(
        select(Document.id, Document.name, Document.lang, Document.length,
               func.coalesce(DocumentStatus.status, "todo"), func.coalesce(counts.c.spans, 0),
               func.coalesce(Assignment.position, -1))
        .select_from(Document)
        .outerjoin(DocumentStatus, (DocumentStatus.document_id == Document.id) & (DocumentStatus.annotator_id == mine))
        .outerjoin(counts, counts.c.document_id == Document.id)
        .outerjoin(Assignment, (Assignment.document_id == Document.id) & (Assignment.annotator_id == mine))
        .order_by(Document.id)
    ).all()
    return pd.DataFrame(rows, columns=["id", "name", "lang", "length", "status", "spans", "position"])


def document_row(session: Session, annotator: str, document_id: int) -> tuple[str, int]:
    """(status, spans) of one document for one annotator — to refresh one row of a list."""
    mine = select(Annotator.id).where(Annotator.name == annotator).scalar_subquery()
    status = session.scalar(select(DocumentStatus.status).where(
        DocumentStatus.document_id == document_id, DocumentStatus.annotator_id == mine))
    spans = session.scalar(select(func.count()).select_from(Span).where(
        Span.document_id == document_id, Span.annotator_id == mine))
    return status or "todo", int(spans or 0)


def next_unfinished(rows: pd.DataFrame, current_id: int | None) -> int | None:
    """The first document after `current_id` (wrapping around) that is neither done nor skipped."""
    open_rows = rows[~rows["status"].isin(FINISHED)]
    if open_rows.empty:
        return None
    after = open_rows[open_rows["id"] > current_id] if current_id is not None else open_rows
    chosen = after if not after.empty else open_rows
    return int(chosen["id"].iloc[0])


def next_document(rows: pd.DataFrame, current_id: int | None) -> int | None:
    """Where "done, next" goes: the next document of my queue (assignment order, after the current
    one, wrapping around) when something is assigned to me; else the next document not done."""
    mine = rows[rows["position"] >= 0]
    if mine.empty:
        return next_unfinished(rows, current_id)
    queue = mine[~mine["status"].isin(FINISHED)].sort_values("position")
    if queue.empty:
        return None
    current = mine.loc[mine["id"] == current_id, "position"]
    after = queue[queue["position"] > current.iloc[0]] if not current.empty else queue
    return int((after if not after.empty else queue)["id"].iloc[0])
