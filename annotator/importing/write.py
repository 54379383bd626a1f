"""The write phase of an import: prepared records into the project, inside its one write transaction.

It re-reads what it depends on (labels, annotators, stored texts, spans, statuses) so that work
written by others while the input was read is merged, never lost or doubled. Each batch's
annotations (annotators, statuses, spans, links) are one Change, built with the ChangeBuilder
and the shared rules and applied once, like any other edit. The documents themselves stay one
bulk Core insert per batch: they are not annotations, no Change lists or undoes them, and their
rows carry the texts.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select, tuple_
from sqlalchemy.orm import Session

from annotator import rules
from annotator.change_builder import ChangeBuilder
from annotator.changes import TABLES, frozen
from annotator.errors import UserError
from annotator.importing.options import ImportOptions, ImportResult
from annotator.importing.records import Record
from annotator.model import Annotator, Document, Label, Relation, RelationLabel, Span, utcnow
from annotator.text import detect_language, tokenize
from annotator.tokens import pack_tokens

_PROGRESS = ("todo", "in_progress", "skipped", "done")  # statuses in the order work moves on


def record_language(options: ImportOptions, record: Record) -> str:
    """--lang, else the record's own, else detected from its text."""
    return options.lang if options.lang != "auto" else record.lang or detect_language(record.text)


@dataclass(slots=True)
class PreparedRecord:
    """A checked record, ready to write. A text not stored when it was read carries its tokens."""

    record: Record
    sha256: str
    lang: str | None = None
    tokens: bytes | None = None


@dataclass
class CheckedSchema:
    labels: dict[str, int]  # name -> id, in schema order
    relation_labels: dict[str, RelationLabel]

    @classmethod
    def load(cls, session: Session) -> CheckedSchema:
        return cls(
            dict(session.execute(select(Label.name, Label.id).order_by(Label.position)).all()),
            {r.name: r for r in session.scalars(select(RelationLabel).order_by(RelationLabel.position)).all()},
        )

    def rules(self) -> tuple:
        """What the records were checked against (ids aside)."""
        return tuple(self.labels), tuple((r.name, tuple(r.head_labels), tuple(r.child_labels))
                                         for r in self.relation_labels.values())


@dataclass
class _Work:
    """An annotator's finished record, placed on its stored document."""

    record: Record
    doc_id: int
    length: int
    annotator_id: int


class BatchWriter:
    """Writes prepared batches inside the one write transaction, with bulk statements."""

    def __init__(self, session: Session, options: ImportOptions, result: ImportResult, checked: CheckedSchema) -> None:
        self.session, self.options, self.result = session, options, result
        schema = CheckedSchema.load(session)
        if schema.rules() != checked.rules():
            raise UserError(f"{result.path}: the project's labels changed while the file was read; "
                            "nothing was imported — import it again")
        self.labels, self.relation_labels = schema.labels, schema.relation_labels
        self.annotators = dict(session.execute(select(Annotator.name, Annotator.id)).all())

    def write(self, batch: list[PreparedRecord]) -> None:
        documents = self._documents(batch)
        build = ChangeBuilder(self.session)
        work = [
            _Work(p.record, doc_id, length, self._annotator_id(build, p.record.annotator))
            for p, (doc_id, length) in zip(batch, documents)
            if p.record.annotator
        ]
        if work:
            self._statuses(build, work)
            self._relations(build, work, self._spans(build, work))
        build.apply(f"import {self.result.path}")
        self.result.records += len(batch)

    def _documents(self, batch: list[PreparedRecord]) -> list[tuple[int, int]]:
        """Insert the batch's new texts, in record order; return (document id, length) per record."""
        hashes = [p.sha256 for p in batch]
        known = {
            sha: (doc_id, length)
            for sha, doc_id, length in self.session.execute(
                select(Document.sha256, Document.id, Document.length).where(Document.sha256.in_(set(hashes)))
            )
        }
        fresh: dict[str, PreparedRecord] = {}
        for p in batch:
            if p.sha256 in known or p.sha256 in fresh:
                self.result.duplicates += 1
            else:
                fresh[p.sha256] = p
        rows = []
        now = utcnow()
        for sha, p in fresh.items():  # document ids are the import order, which lists and the α_U continuum follow
            record, lang, tokens = p.record, p.lang, p.tokens
            if tokens is None:  # stored when the input was read, but not any more
                lang = record_language(self.options, record)
                tokens = pack_tokens(next(tokenize([record.text], lang)))
            rows.append({"name": record.name[:512], "text": record.text, "length": len(record.text),
                         "sha256": sha, "lang": lang, "meta": record.meta, "tokens": tokens, "created_at": now})
            self.result.languages[lang] = self.result.languages.get(lang, 0) + 1
        if rows:
            table = Document.__table__  # Core insert: the ORM's bulk path costs more than the SQL
            inserted = self.session.connection().execute(
                insert(Document.__table__).returning(table.c.sha256, table.c.id, table.c.length,
                                                     sort_by_parameter_order=True), rows
            )
            for sha, doc_id, length in inserted:
                known[sha] = (doc_id, length)
            self.result.documents_added += len(rows)
        return [known[sha] for sha in hashes]

    def _annotator_id(self, build: ChangeBuilder, name: str) -> int:
        if name not in self.annotators:
            self.annotators[name] = rules.annotator_id(build, name)
        return self.annotators[name]

    def _statuses(self, build: ChangeBuilder, work: list[_Work]) -> None:
        """Each record's status (an accepted record: done); an import never moves a status back."""
        wanted: dict[tuple[int, int], str] = {}
        for w in work:
            pair = (w.doc_id, w.annotator_id)
            wanted[pair] = max(wanted.get(pair, "todo"), w.record.status, key=_PROGRESS.index)
        table = TABLES["document_status"]
        existing = {
            (row["document_id"], row["annotator_id"]): frozen(row)
            for row in self.session.execute(
                select(table).where(tuple_(table.c.document_id, table.c.annotator_id).in_(list(wanted)))
            ).mappings()
        }
        names = {i: n for n, i in self.annotators.items()}
        for pair, status in wanted.items():
            current = existing.get(pair)
            if status == "todo" or (current and _PROGRESS.index(status) <= _PROGRESS.index(current["status"])):
                continue
            rules.move_status(build, *pair, status, current)
            if status == "done":
                self.result.finished[names[pair[1]]] = self.result.finished.get(names[pair[1]], 0) + 1

    def _spans(self, build: ChangeBuilder, work: list[_Work]) -> list[list[int]]:
        """Record spans not already there; return each record's span ids, in record order."""
        pairs = {(w.doc_id, w.annotator_id) for w in work}
        ids: dict[tuple, int] = {
            (doc_id, ann_id, label_id, start, end): span_id
            for span_id, doc_id, ann_id, label_id, start, end in self.session.execute(
                select(Span.id, Span.document_id, Span.annotator_id, Span.label_id, Span.start, Span.end)
                .where(tuple_(Span.document_id, Span.annotator_id).in_(pairs))
            )
        }
        now = utcnow()
        for w in work:
            for start, end, label in w.record.spans:
                key = (w.doc_id, w.annotator_id, self.labels[label], start, end)
                if key not in ids:
                    ids[key] = build.insert("spans", {
                        "document_id": w.doc_id, "doc_length": w.length, "annotator_id": w.annotator_id,
                        "label_id": key[2], "start": start, "end": end, "origin": "imported",
                        "created_at": now, "updated_at": now})
                    self.result.spans_added += 1
        return [
            [ids[(w.doc_id, w.annotator_id, self.labels[label], start, end)] for start, end, label in w.record.spans]
            for w in work
        ]

    def _relations(self, build: ChangeBuilder, work: list[_Work], span_ids: list[list[int]]) -> None:
        wanted = {}
        for w, spans in zip(work, span_ids):
            for head, child, label in w.record.relations:
                key = (spans[head], spans[child], self.relation_labels[label].id)
                wanted[key] = w.annotator_id
        if not wanted:
            return
        existing = set(self.session.execute(
            select(Relation.head_id, Relation.child_id, Relation.label_id)
            .where(Relation.head_id.in_({head for head, _, _ in wanted}))
        ))
        now = utcnow()
        for (h, c, l), a in wanted.items():
            if (h, c, l) not in existing:
                build.insert("relations", {"head_id": h, "child_id": c, "label_id": l, "annotator_id": a,
                                           "created_at": now})
                self.result.relations_added += 1
