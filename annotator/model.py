"""The project's tables (SQLAlchemy 2.0 typed ORM).

Offsets are Python code points into `Document.text` exactly as imported.
`Span.doc_length` repeats the document's length so that the database itself
enforces `0 <= start < end <= len(text)`: the composite foreign key ties it to
the document row and a CHECK bounds `end` by it, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# "gold" is the one adjudicated annotation set (an Annotator row named "gold", role "gold").
GOLD = "gold"
# "model": a source of suggestions (rules, a trained model), never a person; its spans are
# suggestions until someone accepts one.
MODEL = "model"
ROLES = ("annotator", "reviewer", "lead", GOLD, MODEL)
STATUSES = ("todo", "in_progress", "done", "skipped")
# accepted: a suggestion taken as it was; changed: taken with another label or other bounds.
ORIGINS = ("manual", "imported", "suggested", "accepted", "changed")
DECISIONS = ("accepted", "changed", "rejected")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    pass


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("id", "length", name="uq_documents_id_length"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(512))
    # Large columns are deferred so that document lists never load them.
    text: Mapped[str] = mapped_column(Text, deferred=True)
    length: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    lang: Mapped[str] = mapped_column(String(16))
    meta: Mapped[dict] = mapped_column(JSON, default=dict)
    # Token (start, end) pairs as little-endian int32, see annotator.tokens.pack_tokens.
    tokens: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Label(Base):
    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    color: Mapped[str] = mapped_column(String(16))
    key: Mapped[str | None] = mapped_column(String(16), unique=True)
    guideline: Mapped[str] = mapped_column(Text, default="")
    ner: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)


class RelationLabel(Base):
    __tablename__ = "relation_labels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    head_labels: Mapped[list] = mapped_column(JSON, default=list)
    child_labels: Mapped[list] = mapped_column(JSON, default=list)
    guideline: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class Annotator(Base):
    __tablename__ = "annotators"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="ck_annotators_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    role: Mapped[str] = mapped_column(String(16), default="annotator")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set when a lead takes the person off the team; the row stays, so their work stays theirs.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DocumentStatus(Base):
    __tablename__ = "document_status"
    __table_args__ = (CheckConstraint(_in("status", STATUSES), name="ck_document_status_status"),)

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    annotator_id: Mapped[int] = mapped_column(
        ForeignKey("annotators.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="todo")
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Span(Base):
    __tablename__ = "spans"
    __table_args__ = (
        ForeignKeyConstraint(
            ["document_id", "doc_length"],
            ["documents.id", "documents.length"],
            ondelete="CASCADE",
            name="fk_spans_document",
        ),
        CheckConstraint('start >= 0 AND start < "end" AND "end" <= doc_length', name="ck_spans_offsets"),
        CheckConstraint(_in("origin", ORIGINS), name="ck_spans_origin"),
        UniqueConstraint("document_id", "annotator_id", "label_id", "start", "end", name="uq_spans_identity"),
        Index("ix_spans_document_annotator", "document_id", "annotator_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(Integer)
    doc_length: Mapped[int] = mapped_column(Integer)
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"))
    label_id: Mapped[int] = mapped_column(ForeignKey("labels.id"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(16), default="manual")
    # On gold spans: the reviewer who accepted or last edited it (kept if they are removed).
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("annotators.id", ondelete="SET NULL", name="fk_spans_reviewer")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # A suggestion's confidence in [0, 1] where its source gives one; None for people's spans.
    score: Mapped[float | None] = mapped_column(Float)


class Relation(Base):
    __tablename__ = "relations"
    __table_args__ = (
        UniqueConstraint("head_id", "child_id", "label_id", name="uq_relations_identity"),
        CheckConstraint("head_id <> child_id", name="ck_relations_distinct"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    head_id: Mapped[int] = mapped_column(ForeignKey("spans.id", ondelete="CASCADE"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("spans.id", ondelete="CASCADE"), index=True)
    label_id: Mapped[int] = mapped_column(ForeignKey("relation_labels.id"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("annotators.id", ondelete="SET NULL", name="fk_relations_reviewer")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Assignment(Base):
    """A document handed to an annotator; `position` is its place in that annotator's queue
    (their assignment order, kept across re-runs and hand-overs)."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("annotator_id", "position", name="uq_assignments_queue"),)

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    annotator_id: Mapped[int] = mapped_column(
        ForeignKey("annotators.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer)
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProjectSetting(Base):
    """One project-wide setting: `project_id` (made at init, names the project in bundles),
    and the lead's switches (free choice of documents, annotators seeing each other's work)."""

    __tablename__ = "project_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)


class SuggestionDecision(Base):
    """What one person did with one suggestion: accepted it, changed it, or rejected it (then it
    stays hidden for them). Kept when the span they made from it is later deleted, so the
    agreement report can show how often each person took suggestions as they were."""

    __tablename__ = "suggestion_decisions"
    __table_args__ = (CheckConstraint(_in("decision", DECISIONS), name="ck_suggestion_decisions_decision"),)

    suggestion_id: Mapped[int] = mapped_column(ForeignKey("spans.id", ondelete="CASCADE"), primary_key=True)
    annotator_id: Mapped[int] = mapped_column(
        ForeignKey("annotators.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    decision: Mapped[str] = mapped_column(String(16))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
