"""One annotator's queue and who may edit which document.

My queue: the documents assigned to me that I have neither done nor skipped, in my assignment
order (`assignments.position`). Once the lead has assigned documents, a document that is not
assigned to me is read-only for me, unless the project allows free choice
(`annotator assign PROJECT --free yes`); while nothing is assigned, everyone may edit everything,
so a solo user works as before. Someone the lead took off the team edits nothing. The window
asks `check_editable` before every write.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from annotator.errors import ProjectReadOnly
from annotator.team.live_progress import removed_reason
from annotator.model import Annotator, Assignment, DocumentStatus
from annotator.settings import FREE_CHOICE, get_setting, set_setting
from annotator.store import Project
from annotator.worklist import FINISHED


def free_choice(session: Session) -> bool:
    """Whether anyone may annotate any document: the lead's switch, else true until something is assigned."""
    stored = get_setting(session, FREE_CHOICE)
    if stored is not None:
        return bool(stored)
    return session.scalar(select(Assignment.document_id).limit(1)) is None


def set_free_choice(project: Project, free: bool) -> None:
    with project.transaction() as session:
        set_setting(session, FREE_CHOICE, bool(free))


def queue_ids(session: Session, annotator: str) -> list[int]:
    """My queue: document ids assigned to me, not done or skipped, in assignment order."""
    finished = exists().where(DocumentStatus.document_id == Assignment.document_id,
                              DocumentStatus.annotator_id == Assignment.annotator_id,
                              DocumentStatus.status.in_(FINISHED))
    return list(session.scalars(
        select(Assignment.document_id).join(Annotator, Annotator.id == Assignment.annotator_id)
        .where(Annotator.name == annotator, ~finished).order_by(Assignment.position)))


def read_only_reason(session: Session, document_id: int, annotator: str) -> str | None:
    """Why `annotator` may not edit the document (one line saying what to do), or None when they may."""
    removed = removed_reason(session, annotator)
    if removed is not None:
        return removed
    if free_choice(session):
        return None
    held = session.scalar(select(Assignment.position).join(Annotator, and_(
        Annotator.id == Assignment.annotator_id, Annotator.name == annotator))
        .where(Assignment.document_id == document_id))
    if held is not None:
        return None
    return (f"read-only: this document is not assigned to {annotator}; work on your queue, or ask the lead "
            "to allow free choice (annotator assign PROJECT --free yes)")


def check_editable(project: Project, document_ids: Iterable[int], annotator: str) -> None:
    """Refuse (ProjectReadOnly) an edit of documents `annotator` may not edit; nothing is written."""
    with project.read() as session:
        for document_id in sorted(set(document_ids)):
            reason = read_only_reason(session, document_id, annotator)
            if reason is not None:
                raise ProjectReadOnly(reason)
