"""The lead's view of the team's work: `annotator progress` and Review → Team progress.

Per annotator: documents assigned, done, skipped and in progress (their statuses, wherever they
worked), remaining (assigned and not yet done or skipped), spans per label, documents finished
per hour over the last 7 days (from `document_status.finished_at`, done or skipped) and the date
the remaining ones would be finished at that rate. Per shared (overlap) document: who holds it,
who marked it done, and whether all of them did (then it is ready for agreement). Statuses and
assignments are read once each, as one text of integers per table, and counted with numpy; the
list of shared documents only when asked for (`--json`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone

import numpy as np
from sqlalchemy import BigInteger, String, and_, case, cast, func, select
from sqlalchemy.orm import Session

from annotator.model import GOLD, MODEL, Annotator, Assignment, Document, DocumentStatus, Label, Span
from annotator.queries import fetch_all
from annotator.store import Project

RATE_DAYS = 7


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
    shared: int  # documents held by several annotators
    ready: int  # of them, done by all their annotators
    shared_detail: list[SharedDocument] | None = None  # with detail=True

    def as_dict(self) -> dict:
        overlap: dict = {"documents": self.shared, "ready": self.ready}
        if self.shared_detail is not None:
            overlap["detail"] = [{"document_id": d.document_id, "document": d.document, "annotators": d.annotators,
                                  "done": d.done, "ready": d.ready} for d in self.shared_detail]
        return {"now": self.now, "documents": self.documents, "unassigned": self.unassigned,
                "annotators": {a.name: _fields(a) for a in self.annotators}, "total": _fields(self.total),
                "overlap": overlap}


def _fields(row: AnnotatorProgress) -> dict:
    values = asdict(row)
    del values["name"]
    return values


def team_progress(project: Project, now: datetime | None = None, detail: bool = False) -> TeamProgress:
    """The team's progress at `now` (default: the clock); `detail` also lists every shared document."""
    now = now or datetime.now(timezone.utc)
    since = now - timedelta(days=RATE_DAYS)
    with project.read() as session:
        labels = list(session.scalars(select(Label.name).order_by(Label.position)))
        people = {id_: AnnotatorProgress(name, spans=dict.fromkeys(labels, 0)) for id_, name in session.execute(
            select(Annotator.id, Annotator.name).where(Annotator.role != GOLD, Annotator.role != MODEL)
            .order_by(Annotator.id))}
        assigned_documents, shared, ready = _count_work(session, people, since)
        for id_, label, count in session.execute(
                select(Span.annotator_id, Label.name, func.count()).join(Label, Label.id == Span.label_id)
                .group_by(Span.annotator_id, Label.name)):
            if id_ in people:
                people[id_].spans[label] = count
        documents = session.scalar(select(func.count()).select_from(Document))
        listed = _shared_documents(session, {id_: p.name for id_, p in people.items()}) if detail else None
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
                        shared, ready, listed)


def _estimate(person: AnnotatorProgress, now: datetime) -> None:
    person.per_hour = round(person.finished_last_7_days / (RATE_DAYS * 24), 4)
    if person.remaining and person.finished_last_7_days:
        hours = person.remaining * RATE_DAYS * 24 / person.finished_last_7_days
        person.estimated_finish = (now + timedelta(hours=hours)).date().isoformat()


STARTED = ("in_progress", "done", "skipped")  # status codes 0, 1, 2 below


def _count_work(session: Session, people: dict[int, AnnotatorProgress], since: datetime) -> tuple[int, int, int]:
    """Each annotator's statuses, those finished since `since`, assigned and remaining documents;
    and (documents assigned to anyone, held by several annotators, those every holder marked done).

    Each table is read in one pass as one integer per row — (document, annotator) folded into a
    key, and for a status its code and whether it is recent — that the database joins into a
    single comma-separated text, parsed by numpy at once; then counted and matched with numpy.
    Rows as Python tuples cost ~3x the statuses' GROUP BY, and joins in the database (an index
    search per row) ~2.5x; this ~1.5x (benchmarks/bench_progress.py)."""
    width = (session.scalar(select(func.max(Annotator.id))) or 0) + 1
    code = case(*((DocumentStatus.status == name, i) for i, name in enumerate(STARTED)))
    recent = case((DocumentStatus.finished_at >= since, 1), else_=0)
    # 64-bit arithmetic on a server too (its integer columns are 32-bit).
    statuses = _integers(session, ((cast(DocumentStatus.document_id, BigInteger) * width + DocumentStatus.annotator_id)
                                   * 8 + code * 2 + recent), DocumentStatus.status != "todo")
    held_keys = np.sort(_integers(session, cast(Assignment.document_id, BigInteger) * width + Assignment.annotator_id))
    keys, status, recent = statuses >> 3, (statuses >> 1) & 3, statuses & 1
    document, annotator = np.divmod(keys, width)
    held_documents, held_annotators = np.divmod(held_keys, width)
    top = int(max(held_documents.max(initial=0), document.max(initial=0))) + 1
    by_status = np.bincount(annotator * 3 + status, minlength=3 * width).reshape(width, 3)
    finished = status > 0
    found = np.minimum(np.searchsorted(held_keys, keys), max(len(held_keys) - 1, 0))
    on_held = finished & (held_keys[found] == keys) if len(held_keys) else np.zeros(len(keys), dtype=bool)
    recent_finished = np.bincount(annotator[finished & (recent == 1)], minlength=width)
    assigned = np.bincount(held_annotators, minlength=width)
    finished_held = np.bincount(annotator[on_held], minlength=width)
    for id_, person in people.items():
        person.in_progress, person.done, person.skipped = map(int, by_status[id_])
        person.finished_last_7_days = int(recent_finished[id_])
        person.assigned, person.remaining = int(assigned[id_]), int(assigned[id_] - finished_held[id_])
    holders = np.bincount(held_documents, minlength=top)
    done_by_holders = np.bincount(document[on_held & (status == 1)], minlength=top)
    shared = holders > 1
    return int((holders > 0).sum()), int(shared.sum()), int((shared & (done_by_holders == holders)).sum())


def _integers(session: Session, value, *where) -> np.ndarray:
    """One integer expression over a table's rows, as an int64 array: the database writes them
    all as one text (group_concat, or string_agg on a server), so the driver hands over one value
    instead of a tuple per row. `since` is made here, never typed in: safe to inline."""
    text = cast(value, String)
    joined = (func.string_agg(text, ",") if session.get_bind().dialect.name == "postgresql"
              else func.group_concat(text, ","))
    [(found,)] = fetch_all(session, select(joined).where(*where))
    return np.fromstring(found, dtype=np.int64, sep=",") if found else np.zeros(0, dtype=np.int64)


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
