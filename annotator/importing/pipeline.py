"""Import files into a project: read and check everything first, then write in one short transaction.

The input is read, checked against the schema, hashed, its language detected and its texts
tokenized without holding the write lock (so a slow or stuck input never blocks other
annotators); the prepared batches are spooled to a temporary file so that memory stays flat in
the number of records. Then one transaction streams them back and writes them (importing.write).
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
from itertools import islice
from pathlib import Path
from typing import IO

from sqlalchemy import select

from annotator.errors import UserError
from annotator.importing.options import ImportOptions, ImportResult
from annotator.importing.records import BadRecord, Record, detect_format, records
from annotator.importing.token_boundaries import OffBoundaryReport
from annotator.importing.write import BatchWriter, CheckedSchema, PreparedRecord, record_language
from annotator.model import Document
from annotator.store import Project
from annotator.text import check_language, tokenize
from annotator.tokens import pack_tokens, unpack_tokens

BATCH = 500


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
                writer = BatchWriter(session, options, result, reader.schema)
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



def _spooled(spool: IO[bytes]) -> Iterator[list[PreparedRecord]]:
    spool.seek(0)
    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return



class _Reader:
    """Checks and prepares batches without the write lock: schema, hashes, languages, tokens."""

    def __init__(self, project: Project, options: ImportOptions, path: Path) -> None:
        self.project, self.options, self.path = project, options, path
        with project.read() as session:
            self.schema = CheckedSchema.load(session)
        self.labels, self.relation_labels = self.schema.labels, self.schema.relation_labels
        self.off_boundaries = OffBoundaryReport()

    def prepare(self, batch: list[Record]) -> list[PreparedRecord]:
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
            PreparedRecord(record, sha, *tokens[sha]) if fresh.get(sha) is record else PreparedRecord(record, sha)
            for sha, record in zip(hashes, batch)
        ]
        self._report_off_boundaries(prepared, stored_tokens)
        return prepared

    def _tokenize(self, fresh: dict[str, Record]) -> dict[str, tuple[str, bytes]]:
        """sha -> (language, packed tokens), one spaCy pipeline per language."""
        by_lang: dict[str, list[str]] = defaultdict(list)
        for sha, record in fresh.items():
            by_lang[record_language(self.options, record)].append(sha)
        tokens = {}
        for lang, shas in by_lang.items():
            for sha, array in zip(shas, tokenize((fresh[s].text for s in shas), lang)):
                tokens[sha] = (lang, pack_tokens(array))
        return tokens

    def _report_off_boundaries(self, prepared: list[PreparedRecord], stored_tokens: dict) -> None:
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
        if (nul := record.text.find("\x00")) >= 0:  # refused on files too: a project must fit either backend
            raise BadRecord(record.line, f"the text holds a NUL character (U+0000) at character {nul}, which "
                                         "PostgreSQL cannot store; remove it from the input")
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
