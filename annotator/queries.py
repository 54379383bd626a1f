"""Read-side queries shared by the window, the exports and the agreement report.

They return pandas frames (one row per span / status / link) so that callers can
filter and group without per-row Python loops.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.driver_rows import fetch_all  # noqa: F401  (callers read it here too)
from annotator.model import Annotator, Document, DocumentStatus, Label, Relation, RelationLabel, Span
from annotator.tokens import unpack_tokens


def documents(session: Session) -> pd.DataFrame:
    """id, name, lang, length, sha256 — in import order; no text (it loads lazily)."""
    rows = session.execute(
        select(Document.id, Document.name, Document.lang, Document.length, Document.sha256).order_by(Document.id)
    )
    return _frame(rows, ["id", "name", "lang", "length", "sha256"])


def document_text(session: Session, document_id: int) -> tuple[str, np.ndarray]:
    """A document's text and its stored token offsets ((n, 2) array)."""
    text, blob = session.execute(select(Document.text, Document.tokens).where(Document.id == document_id)).one()
    return text, unpack_tokens(blob)


def spans(
    session: Session,
    document_ids: Sequence[int] | None = None,
    annotators: Sequence[str] | None = None,
) -> pd.DataFrame:
    """id, document_id, annotator, label, start, end, origin — ordered by document, annotator, start."""
    names = dict(session.execute(select(Annotator.id, Annotator.name)).all())
    labels = session.execute(select(Label.id, Label.name).order_by(Label.position)).all()
    query = select(Span.id, Span.document_id, Span.annotator_id, Span.label_id, Span.start, Span.end, Span.origin)
    if document_ids is not None:
        query = query.where(Span.document_id.in_([int(i) for i in document_ids]))
    if annotators is not None:
        wanted = set(annotators)
        query = query.where(Span.annotator_id.in_([i for i, name in names.items() if name in wanted]))
    frame = pd.DataFrame(fetch_all(session, query),
                         columns=["id", "document_id", "annotator", "label", "start", "end", "origin"])
    if frame.empty:
        return frame
    # Names by id afterwards, not by joins: the driver's cost is per value, and a frame of
    # 10^5 spans sorts faster in pandas than the database orders a three-table join.
    position = {label_id: i for i, (label_id, _) in enumerate(labels)}
    frame["position"] = frame["label"].map(position)
    frame["annotator"] = frame["annotator"].map(names)
    frame["label"] = frame["label"].map(dict(labels))
    frame = frame.sort_values(["document_id", "annotator", "start", "end", "position"], kind="stable")
    return frame.drop(columns="position").reset_index(drop=True)


def annotator_work(session: Session, annotator: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One annotator's spans (id, document_id, label, start, end) and links (document_id, head_id,
    child_id, label), unordered: what an export reads. Lean: only these columns, read as tuples
    through the DBAPI cursor (fetch_all) and turned into frames column by column (not row by row)."""
    [annotator_id] = session.execute(select(Annotator.id).where(Annotator.name == annotator)).scalars().all()
    head = Span.__table__.alias("head")
    spans = _int_frame(fetch_all(session, select(Span.id, Span.document_id, Span.label_id, Span.start, Span.end)
                                 .where(Span.annotator_id == annotator_id)),
                       ["id", "document_id", "label", "start", "end"])
    links = _int_frame(fetch_all(session, select(head.c.document_id, Relation.head_id, Relation.child_id,
                                                 Relation.label_id)
                                 .join(head, head.c.id == Relation.head_id)
                                 .where(Relation.annotator_id == annotator_id)),
                       ["document_id", "head_id", "child_id", "label"])
    spans["label"] = spans["label"].map(dict(session.execute(select(Label.id, Label.name)).all()))
    links["label"] = links["label"].map(dict(session.execute(select(RelationLabel.id, RelationLabel.name)).all()))
    return spans, links


def _int_frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    values = np.array(rows, dtype=np.int64).reshape((len(rows), len(columns)))
    return pd.DataFrame({name: values[:, i] for i, name in enumerate(columns)})


def statuses(session: Session) -> pd.DataFrame:
    """document_id, annotator, status — one row per (document, annotator) that has a status."""
    rows = session.execute(
        select(DocumentStatus.document_id, Annotator.name, DocumentStatus.status)
        .join(Annotator, Annotator.id == DocumentStatus.annotator_id)
        .order_by(DocumentStatus.document_id, Annotator.id)
    )
    return _frame(rows, ["document_id", "annotator", "status"])


def annotators(session: Session) -> pd.DataFrame:
    """name, role — in the order they first appeared in the project."""
    rows = session.execute(select(Annotator.name, Annotator.role).order_by(Annotator.id))
    return _frame(rows, ["name", "role"])


def relations(session: Session, document_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """id, head_id, child_id, label, annotator, document_id."""
    head = Span.__table__.alias("head")
    query = (
        select(Relation.id, Relation.head_id, Relation.child_id, RelationLabel.name, Annotator.name,
               head.c.document_id)
        .join(RelationLabel, RelationLabel.id == Relation.label_id)
        .join(Annotator, Annotator.id == Relation.annotator_id)
        .join(head, head.c.id == Relation.head_id)
        .order_by(Relation.id)
    )
    if document_ids is not None:
        query = query.where(head.c.document_id.in_(list(document_ids)))
    return _frame(session.execute(query), ["id", "head_id", "child_id", "label", "annotator", "document_id"])


def document_texts(session: Session, document_ids: Sequence[int]) -> pd.DataFrame:
    """id, name, lang, meta, text, tokens (packed bytes, see annotator.text) of the given documents, by id."""
    rows = session.execute(
        select(Document.id, Document.name, Document.lang, Document.meta, Document.text, Document.tokens)
        .where(Document.id.in_(list(document_ids)))
        .order_by(Document.id)
    ).all()
    return pd.DataFrame(rows, columns=["id", "name", "lang", "meta", "text", "tokens"])


def _frame(result, columns: list[str]) -> pd.DataFrame:
    """Rows as plain tuples first: pandas probes each SQLAlchemy Row's attributes (4x slower on 500,000 spans)."""
    return pd.DataFrame([tuple(row) for row in result], columns=columns)
