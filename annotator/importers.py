"""Import files into a project: read and check everything first, then write in one short transaction.

The input is read, checked against the schema, hashed, its language detected and its texts
tokenized without holding the write lock (so a slow or stuck input never blocks other
annotators); the prepared batches are spooled to a temporary file so that memory stays flat in
the number of records. Then one transaction streams them back and writes them, re-reading what
it depends on (labels, annotators, stored texts, spans) so that concurrent work is never lost.
The same text imported twice is one document (by sha256); each annotator's spans and links are
merged into what that annotator already has. A bad record anywhere imports nothing and is
reported as `file:line: reason`.
"""

from __future__ import annotations

import hashlib
import pickle
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO

from sqlalchemy import func, insert, select, tuple_, update
from sqlalchemy.orm import Session

from annotator.errors import UserError
from annotator.model import Annotator, Document, DocumentStatus, Label, Relation, RelationLabel, Span, utcnow
from annotator.readers import BadRecord, Record, detect_format, records
from annotator.store import Project
from annotator.text import check_language, detect_language, pack_tokens, tokenize, unpack_tokens
from annotator.token_boundaries import OffBoundaryReport

_PROGRESS = ("todo", "in_progress", "skipped", "done")  # statuses in the order work moves on
_FINISHED = ("done", "skipped")
MAX_CHARS = 1_000_000  # spaCy's own default limit; a longer "article" is almost always a mistake
BATCH = 500


@dataclass
class ImportResult:
    path: str
    format: str
    records: int = 0
    documents_added: int = 0
    duplicates: int = 0
    spans_added: int = 0
    relations_added: int = 0
    finished: dict[str, int] = field(default_factory=dict)  # annotator -> documents marked done
    languages: dict[str, int] = field(default_factory=dict)  # of the documents added
    warnings: list[str] = field(default_factory=list)  # imported as given, but worth a look


@dataclass
class ImportOptions:
    format: str = "auto"
    lang: str = "auto"
    annotator: str | None = None
    text_column: str = "text"
    max_chars: int = MAX_CHARS


def import_path(
    project: Project,
    path: str | Path,
    options: ImportOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import one file or folder, all or nothing.

    `progress(done, total)` counts bytes read, then reports `total` after each batch written;
    an exception raised from it (the window's Cancel) rolls everything back.
    """
    options = options or ImportOptions()
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no such file or folder")
    if options.lang != "auto":
        try:
            check_language(options.lang)
        except ValueError as exc:
            raise UserError(f"--lang: {exc}") from None
    total = _size(path)
    report = (lambda done: progress(done, total)) if progress else (lambda done: None)
    try:
        fmt = detect_format(path) if options.format == "auto" else options.format
        result = ImportResult(str(path), fmt)
        with tempfile.TemporaryFile(prefix="annotator-import-") as spool:
            reader = _Reader(project, options, path)
            stream = records(path, fmt, report, options.annotator, options.text_column)
            for batch in _batches(stream, BATCH):
                pickle.dump(reader.prepare(batch), spool, protocol=pickle.HIGHEST_PROTOCOL)
            with project.transaction() as session:  # the write lock, from here to the commit
                writer = _Writer(session, options, result, reader.schema)
                for prepared in _spooled(spool):
                    writer.write(prepared)
                    report(total)
        result.warnings = reader.off_boundaries.warnings()
    except BadRecord as bad:
        where = str(bad.file or path) + (f":{bad.line}" if bad.line else "")
        raise UserError(f"{where}: {bad.reason} — nothing from this {'folder' if path.is_dir() else 'file'} was imported") from None
    return result


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*.txt") if p.is_file())
    return path.stat().st_size


def _batches(items: Iterable[Record], size: int) -> Iterator[list[Record]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _spooled(spool: IO[bytes]) -> Iterator[list[_Prepared]]:
    spool.seek(0)
    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return


def _language(options: ImportOptions, record: Record) -> str:
    return options.lang if options.lang != "auto" else record.lang or detect_language(record.text)


@dataclass(slots=True)
class _Prepared:
    """A checked record, ready to write. A text not stored when it was read carries its tokens."""

    record: Record
    sha256: str
    lang: str | None = None
    tokens: bytes | None = None


@dataclass
class _Schema:
    labels: dict[str, int]  # name -> id, in schema order
    relation_labels: dict[str, RelationLabel]

    @classmethod
    def load(cls, session: Session) -> _Schema:
        return cls(
            dict(session.execute(select(Label.name, Label.id).order_by(Label.position)).all()),
            {r.name: r for r in session.scalars(select(RelationLabel).order_by(RelationLabel.position)).all()},
        )

    def rules(self) -> tuple:
        """What the records were checked against (ids aside)."""
        return tuple(self.labels), tuple((r.name, tuple(r.head_labels), tuple(r.child_labels))
                                         for r in self.relation_labels.values())


class _Reader:
    """Checks and prepares batches without the write lock: schema, hashes, languages, tokens."""

    def __init__(self, project: Project, options: ImportOptions, path: Path) -> None:
        self.project, self.options, self.path = project, options, path
        with project.read() as session:
            self.schema = _Schema.load(session)
        self.labels, self.relation_labels = self.schema.labels, self.schema.relation_labels
        self.off_boundaries = OffBoundaryReport()

    def prepare(self, batch: list[Record]) -> list[_Prepared]:
        for record in batch:
            try:
                self._check(record)
            except BadRecord as bad:  # a folder's record names its own table
                bad.file = bad.file or record.file
                raise
        hashes = [hashlib.sha256(r.text.encode("utf-8")).hexdigest() for r in batch]
        annotated = {sha for sha, record in zip(hashes, batch) if record.spans}
        with self.project.read() as session:  # texts stored already need no tokens (the write checks again)
            stored = set(session.scalars(select(Document.sha256).where(Document.sha256.in_(set(hashes)))))
            stored_tokens = {sha: unpack_tokens(blob) for sha, blob in session.execute(
                select(Document.sha256, Document.tokens).where(Document.sha256.in_(stored & annotated)))
            } if stored & annotated else {}
        fresh: dict[str, Record] = {}
        for sha, record in zip(hashes, batch):
            if sha not in stored and sha not in fresh:
                fresh[sha] = record
        tokens = self._tokenize(fresh)
        prepared = [
            _Prepared(record, sha, *tokens[sha]) if fresh.get(sha) is record else _Prepared(record, sha)
            for sha, record in zip(hashes, batch)
        ]
        self._report_off_boundaries(prepared, stored_tokens)
        return prepared

    def _tokenize(self, fresh: dict[str, Record]) -> dict[str, tuple[str, bytes]]:
        """sha -> (language, packed tokens), one spaCy pipeline per language."""
        by_lang: dict[str, list[str]] = defaultdict(list)
        for sha, record in fresh.items():
            by_lang[_language(self.options, record)].append(sha)
        tokens = {}
        for lang, shas in by_lang.items():
            for sha, array in zip(shas, tokenize((fresh[s].text for s in shas), lang)):
                tokens[sha] = (lang, pack_tokens(array))
        return tokens

    def _report_off_boundaries(self, prepared: list[_Prepared], stored_tokens: dict) -> None:
        """Spans are kept as given; those off the tokens they will be stored with are counted."""
        annotated = [p for p in prepared if p.record.spans]
        if not annotated:
            return
        batch_tokens = {p.sha256: p.tokens for p in prepared if p.tokens is not None}
        where = []
        for p in annotated:
            place = f"{Path(p.record.file or self.path).name}:{p.record.line}"
            where.append(place if p.record.name == place else f"{place} ({p.record.name})")
        self.off_boundaries.add(
            where, [p.record.text for p in annotated],
            [stored_tokens[p.sha256] if p.sha256 in stored_tokens else unpack_tokens(batch_tokens[p.sha256])
             for p in annotated],
            [p.record.spans for p in annotated],
        )

    def _check(self, record: Record) -> None:
        length = len(record.text)
        if length > self.options.max_chars:
            raise BadRecord(record.line, f"the text has {length:,} characters, more than the {self.options.max_chars:,} "
                                         "allowed; split the article or raise the limit with --max-chars")
        for i, (start, end, label) in enumerate(record.spans):
            what = f"span {i + 1} ({label} {start}-{end})"
            if label not in self.labels:
                known = ", ".join(self.labels)
                raise BadRecord(record.line, f"{what}: unknown label {label!r} (the schema has {known}); "
                                             "fix the label or add it to the schema")
            if start < 0:
                raise BadRecord(record.line, f"{what}: start {start} is negative")
            if start >= end:
                raise BadRecord(record.line, f"{what}: start {start} is not before end {end}")
            if end > length:
                raise BadRecord(record.line, f"{what}: end {end} is beyond the text's {length} characters")
        for head, child, label in record.relations:
            if head == child:
                raise BadRecord(record.line, f"relation {label!r} links a span to itself")
            relation = self.relation_labels.get(label)
            if relation is None:
                known = ", ".join(self.relation_labels) or "none"
                raise BadRecord(record.line, f"relation {label!r}: unknown relation label (the schema has {known})")
            for end, allowed, index in (("head", relation.head_labels, head), ("child", relation.child_labels, child)):
                span_label = record.spans[index][2]
                if allowed and span_label not in allowed:
                    raise BadRecord(record.line, f"relation {label}: its {end} is a {span_label} span, "
                                                 f"but {label} expects {' or '.join(allowed)}")
        if record.lang is not None:
            try:
                check_language(record.lang)
            except ValueError as exc:
                raise BadRecord(record.line, f"field 'lang': {exc}") from None


@dataclass
class _Work:
    """An annotator's finished record, placed on its stored document."""

    record: Record
    doc_id: int
    length: int
    annotator_id: int


class _Writer:
    """Writes prepared batches inside the one write transaction, with bulk statements."""

    def __init__(self, session: Session, options: ImportOptions, result: ImportResult, checked: _Schema) -> None:
        self.session, self.options, self.result = session, options, result
        schema = _Schema.load(session)
        if schema.rules() != checked.rules():
            raise UserError(f"{result.path}: the project's labels changed while the file was read; "
                            "nothing was imported — import it again")
        self.labels, self.relation_labels = schema.labels, schema.relation_labels
        self.annotators = dict(session.execute(select(Annotator.name, Annotator.id)).all())

    def write(self, batch: list[_Prepared]) -> None:
        documents = self._documents(batch)
        work = [
            _Work(p.record, doc_id, length, self._annotator_id(p.record.annotator))
            for p, (doc_id, length) in zip(batch, documents)
            if p.record.annotator
        ]
        if work:
            self._statuses(work)
            self._relations(work, self._spans(work))
        self.result.records += len(batch)

    def _documents(self, batch: list[_Prepared]) -> list[tuple[int, int]]:
        """Insert the batch's new texts, in record order; return (document id, length) per record."""
        hashes = [p.sha256 for p in batch]
        known = {
            sha: (doc_id, length)
            for sha, doc_id, length in self.session.execute(
                select(Document.sha256, Document.id, Document.length).where(Document.sha256.in_(set(hashes)))
            )
        }
        fresh: dict[str, _Prepared] = {}
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
                lang = _language(self.options, record)
                tokens = pack_tokens(next(tokenize([record.text], lang)))
            rows.append({"name": record.name[:512], "text": record.text, "length": len(record.text),
                         "sha256": sha, "lang": lang, "meta": record.meta, "tokens": tokens, "created_at": now})
            self.result.languages[lang] = self.result.languages.get(lang, 0) + 1
        if rows:
            table = Document.__table__  # Core insert: the ORM's bulk path costs more than the SQL
            inserted = self.session.connection().execute(
                insert(table).returning(table.c.sha256, table.c.id, table.c.length, sort_by_parameter_order=True), rows
            )
            for sha, doc_id, length in inserted:
                known[sha] = (doc_id, length)
            self.result.documents_added += len(rows)
        return [known[sha] for sha in hashes]

    def _annotator_id(self, name: str) -> int:
        if name not in self.annotators:
            self.annotators[name] = self.session.execute(
                insert(Annotator).values(name=name, role="annotator", created_at=utcnow()).returning(Annotator.id)
            ).scalar_one()
        return self.annotators[name]

    def _statuses(self, work: list[_Work]) -> None:
        """Each record's status (an accepted record: done); an import never moves a status back."""
        wanted: dict[tuple[int, int], str] = {}
        for w in work:
            pair = (w.doc_id, w.annotator_id)
            wanted[pair] = max(wanted.get(pair, "todo"), w.record.status, key=_PROGRESS.index)
        existing = {
            (doc_id, ann_id): status
            for doc_id, ann_id, status in self.session.execute(
                select(DocumentStatus.document_id, DocumentStatus.annotator_id, DocumentStatus.status)
                .where(tuple_(DocumentStatus.document_id, DocumentStatus.annotator_id).in_(list(wanted)))
            )
        }
        now = utcnow()
        fresh = [(pair, status) for pair, status in wanted.items() if pair not in existing and status != "todo"]
        if fresh:
            self.session.execute(insert(DocumentStatus), [
                {"document_id": d, "annotator_id": a, "status": status, "started_at": now,
                 "finished_at": now if status in _FINISHED else None, "updated_at": now} for (d, a), status in fresh
            ])
        moved = [(pair, status) for pair, status in wanted.items()
                 if pair in existing and _PROGRESS.index(status) > _PROGRESS.index(existing[pair])]
        for (d, a), status in moved:
            self.session.execute(
                update(DocumentStatus)
                .where(DocumentStatus.document_id == d, DocumentStatus.annotator_id == a)
                .values(status=status, started_at=func.coalesce(DocumentStatus.started_at, now),
                        finished_at=now if status in _FINISHED else None, updated_at=now)
            )
        names = {i: n for n, i in self.annotators.items()}
        for (_, a), status in fresh + moved:
            if status == "done":
                self.result.finished[names[a]] = self.result.finished.get(names[a], 0) + 1

    def _spans(self, work: list[_Work]) -> list[list[int]]:
        """Insert spans not already there; return each record's span ids, in record order."""
        pairs = {(w.doc_id, w.annotator_id) for w in work}
        ids: dict[tuple, int] = {
            (doc_id, ann_id, label_id, start, end): span_id
            for span_id, doc_id, ann_id, label_id, start, end in self.session.execute(
                select(Span.id, Span.document_id, Span.annotator_id, Span.label_id, Span.start, Span.end)
                .where(tuple_(Span.document_id, Span.annotator_id).in_(pairs))
            )
        }
        now = utcnow()
        rows = {}
        for w in work:
            for start, end, label in w.record.spans:
                key = (w.doc_id, w.annotator_id, self.labels[label], start, end)
                if key not in ids and key not in rows:
                    rows[key] = {"document_id": w.doc_id, "doc_length": w.length, "annotator_id": w.annotator_id,
                                 "label_id": key[2], "start": start, "end": end, "origin": "imported",
                                 "created_at": now, "updated_at": now}
        if rows:
            table = Span.__table__
            inserted = self.session.connection().execute(
                insert(table).returning(table.c.id, sort_by_parameter_order=True), list(rows.values())
            ).scalars()
            ids.update(zip(rows, inserted))
            self.result.spans_added += len(rows)
        return [
            [ids[(w.doc_id, w.annotator_id, self.labels[label], start, end)] for start, end, label in w.record.spans]
            for w in work
        ]

    def _relations(self, work: list[_Work], span_ids: list[list[int]]) -> None:
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
        rows = [{"head_id": h, "child_id": c, "label_id": l, "annotator_id": a, "created_at": now}
                for (h, c, l), a in wanted.items() if (h, c, l) not in existing]
        if rows:
            self.session.execute(insert(Relation), rows)
            self.result.relations_added += len(rows)
