"""The lead's view of the team's work: `annotator progress` and Review → Team progress.

Per annotator: documents assigned, done, skipped and in progress (their statuses, wherever they
worked), remaining (assigned and not yet done or skipped), spans per label, documents finished
per hour over the last 7 days (from `document_status.finished_at`, done or skipped) and the date
the remaining ones would be finished at that rate. Per shared (overlap) document: who holds it,
who marked it done, and whether all of them did (then it is ready for agreement). A few GROUP BY
queries; nothing per document but the shared ones.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from annotator.model import GOLD, MODEL, Annotator, Assignment, Document, DocumentStatus, Label, Span
from annotator.store import Project

RATE_DAYS = 7
FINISHED = ("done", "skipped")


@dataclass
class AnnotatorProgress:
    name: str
    assigned: int = 0
    done: int = 0
    skipped: int = 0
    in_progress: int = 0
    remaining: int = 0  # assigned, neither done nor skipped
    spans: dict[str, int] = field(default_factory=dict)
    finished_last_7_days: int = 0
    per_hour: float = 0.0  # documents finished per hour over the last 7 days
    estimated_finish: str | None = None  # ISO date; None without a rate (or with nothing left)


@dataclass
class SharedDocument:
    document_id: int
    document: str
    annotators: list[str]
    done: list[str]  # those of them who marked it done

    @property
    def ready(self) -> bool:
        return len(self.done) == len(self.annotators)


@dataclass
class TeamProgress:
    now: str
    documents: int
    unassigned: int
    annotators: list[AnnotatorProgress]
    total: AnnotatorProgress
    shared: list[SharedDocument]

    def as_dict(self) -> dict:
        return {"now": self.now, "documents": self.documents, "unassigned": self.unassigned,
                "annotators": {a.name: _fields(a) for a in self.annotators}, "total": _fields(self.total),
                "overlap": {"documents": len(self.shared), "ready": sum(d.ready for d in self.shared),
                            "detail": [{"document_id": d.document_id, "document": d.document,
                                        "annotators": d.annotators, "done": d.done, "ready": d.ready}
                                       for d in self.shared]}}


def _fields(row: AnnotatorProgress) -> dict:
    values = asdict(row)
    del values["name"]
    return values


def team_progress(project: Project, now: datetime | None = None) -> TeamProgress:
    now = now or datetime.now(timezone.utc)
    since = now - timedelta(days=RATE_DAYS)
    with project.read() as session:
        labels = list(session.scalars(select(Label.name).order_by(Label.position)))
        people = {id_: AnnotatorProgress(name, spans=dict.fromkeys(labels, 0)) for id_, name in session.execute(
            select(Annotator.id, Annotator.name).where(Annotator.role.not_in((GOLD, MODEL))).order_by(Annotator.id))}
        for id_, status, count, recent in session.execute(
                select(DocumentStatus.annotator_id, DocumentStatus.status, func.count(),
                       func.count(case((DocumentStatus.finished_at >= since, 1))))
                .group_by(DocumentStatus.annotator_id, DocumentStatus.status)):
            person = people.get(id_)
            if person is not None and status != "todo":
                setattr(person, status, count)
                person.finished_last_7_days += recent if status in FINISHED else 0
        finished = and_(DocumentStatus.document_id == Assignment.document_id,
                        DocumentStatus.annotator_id == Assignment.annotator_id, DocumentStatus.status.in_(FINISHED))
        for id_, assigned, left in session.execute(
                select(Assignment.annotator_id, func.count(), func.count() - func.count(DocumentStatus.status))
                .outerjoin(DocumentStatus, finished).group_by(Assignment.annotator_id)):
            if id_ in people:
                people[id_].assigned, people[id_].remaining = assigned, left
        for id_, label, count in session.execute(
                select(Span.annotator_id, Label.name, func.count()).join(Label, Label.id == Span.label_id)
                .group_by(Span.annotator_id, Label.name)):
            if id_ in people:
                people[id_].spans[label] = count
        documents = session.scalar(select(func.count()).select_from(Document))
        assigned_documents = session.scalar(select(func.count(func.distinct(Assignment.document_id))))
        shared = _shared_documents(session, {id_: p.name for id_, p in people.items()})
    # People with nothing to show (a reviewer who never annotated) stay out.
    shown = [p for p in people.values() if p.assigned or p.done or p.skipped or p.in_progress or any(p.spans.values())]
    total = AnnotatorProgress("total", spans=dict.fromkeys(labels, 0))
    for person in shown:
        _estimate(person, now)
        for name in ("assigned", "done", "skipped", "in_progress", "remaining", "finished_last_7_days"):
            setattr(total, name, getattr(total, name) + getattr(person, name))
        for label, count in person.spans.items():
            total.spans[label] += count
    _estimate(total, now)
    return TeamProgress(now.isoformat(timespec="seconds"), documents, documents - assigned_documents, shown, total,
                        shared)


def _estimate(person: AnnotatorProgress, now: datetime) -> None:
    person.per_hour = round(person.finished_last_7_days / (RATE_DAYS * 24), 4)
    if person.remaining and person.finished_last_7_days:
        hours = person.remaining * RATE_DAYS * 24 / person.finished_last_7_days
        person.estimated_finish = (now + timedelta(hours=hours)).date().isoformat()


def _shared_documents(session: Session, names: dict[int, str]) -> list[SharedDocument]:
    """The documents held by several annotators, in import order, with who marked them done."""
    several = select(Assignment.document_id).group_by(Assignment.document_id).having(func.count() > 1)
    rows = session.execute(
        select(Assignment.document_id, Document.name, Assignment.annotator_id, DocumentStatus.status)
        .join(Document, Document.id == Assignment.document_id)
        .outerjoin(DocumentStatus, and_(DocumentStatus.document_id == Assignment.document_id,
                                        DocumentStatus.annotator_id == Assignment.annotator_id))
        .where(Assignment.document_id.in_(several))
        .order_by(Assignment.document_id, Assignment.assigned_at, Assignment.annotator_id))
    shared: list[SharedDocument] = []
    for document_id, name, annotator_id, status in rows:
        if not shared or shared[-1].document_id != document_id:
            shared.append(SharedDocument(document_id, name, [], []))
        who = names.get(annotator_id, str(annotator_id))
        shared[-1].annotators.append(who)
        if status == "done":
            shared[-1].done.append(who)
    return shared
