"""An import reads and checks its whole input without the write lock, then writes in one short
transaction: other annotators keep working while a slow input is read, and the write is all or nothing."""

import json
import tempfile
import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import DBAPIError

from annotator.commands import add_span
from annotator.errors import UserError
from annotator.importing import import_path
from annotator.model import Annotator, Document, DocumentStatus, Span
from annotator.store import open_project
from tests.helpers import begin_writing, is_write_begin, plain_connection, snapshot

SENTENCE = "Document {i}: the minister said that {i} soldiers were there."


def _write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _bob(i):
    """An accepted Prodigy record by bob: the text and a SPEAKER span on "the minister"."""
    text = SENTENCE.format(i=i)
    start = text.index("the minister")
    return {"text": text, "spans": [{"start": start, "end": start + 12, "label": "SPEAKER"}],
            "answer": "accept", "_annotator_id": "bob"}


@contextmanager
def _stalled_import(project, path, **options):
    """Run an import in a thread whose input stalls (a slow disk, a network share) after its first
    record; yield while it stalls, then let it finish. Yields the dict that gets its result or error."""
    reading, release = threading.Event(), threading.Event()
    outcome = {}

    def slow_input(done, total):
        if not reading.is_set():
            reading.set()
            release.wait(60)

    def run_import():
        try:
            outcome["result"] = import_path(project, path, progress=slow_input, **options)
        except BaseException as exc:  # looked at on the main thread
            outcome["error"] = exc

    worker = threading.Thread(target=run_import)
    worker.start()
    try:
        assert reading.wait(30)
        yield outcome
    finally:
        release.set()
        worker.join(60)


def _write_now(project, *statements):
    """A plain writer that gives up after half a second: the write lock must be free."""
    raw = plain_connection(project, timeout=0.5)
    try:
        begin_writing(raw, project, timeout=0.5)
        for statement in statements:
            raw.execute(statement)
        raw.execute("COMMIT")
    finally:
        raw.close()


def test_another_writer_is_not_blocked_while_an_import_reads_its_input(project, tmp_path):
    path = _write_jsonl(tmp_path / "slow.jsonl", [_bob(i) for i in range(50)])
    text = SENTENCE.format(i=7)
    other = open_project(project.url)  # another annotator's program on the same project file
    try:
        with _stalled_import(project, path) as outcome:
            _write_now(project, "INSERT INTO annotators (name, role, created_at) VALUES ('dana', 'annotator', '2024-01-01')")
            # Meanwhile the other program imports one of the same texts and bob marks a span there:
            # the import must write on top of both, neither lost nor duplicated.
            assert import_path(other, _write_jsonl(tmp_path / "shared.jsonl", [{"text": text}])).documents_added == 1
            with other.read() as session:
                shared_id = session.scalar(select(Document.id))
            add_span(other, shared_id, "bob", "FIGURE", text.index("7 soldiers"), text.index("7 soldiers") + 1)
    finally:
        other.close()
    assert "error" not in outcome, outcome.get("error")
    result = outcome["result"]
    assert (result.records, result.documents_added, result.duplicates, result.spans_added) == (50, 49, 1, 50)
    with project.read() as session:
        assert session.scalar(select(Document.id).where(Document.text == text)) == shared_id
        assert len(session.scalars(select(Document.id)).all()) == 50
        assert sorted(session.scalars(select(Annotator.name))) == ["bob", "dana"]
        spans = session.execute(select(Span.start, Span.end).where(Span.document_id == shared_id)
                                .order_by(Span.start)).all()
        assert spans == [(text.index("the minister"), text.index("the minister") + 12),
                          (text.index("7 soldiers"), text.index("7 soldiers") + 1)]
        assert session.scalar(select(DocumentStatus.status).where(DocumentStatus.document_id == shared_id)) == "done"


def test_labels_renamed_while_the_input_is_read_import_nothing(project, tmp_path):
    path = _write_jsonl(tmp_path / "slow.jsonl", [_bob(i) for i in range(50)])
    with _stalled_import(project, path) as outcome:
        _write_now(project, "UPDATE labels SET name = 'PERSON' WHERE name = 'SPEAKER'")  # another tool's change
        before = snapshot(project)
    assert isinstance(outcome.get("error"), UserError)
    assert "the project's labels changed while the file was read; nothing was imported" in str(outcome["error"])
    assert snapshot(project) == before


def test_the_whole_input_is_read_before_the_one_write_transaction_begins(project, tmp_path):
    path = _write_jsonl(tmp_path / "big.jsonl", [_bob(i) for i in range(1600)])  # four batches
    total = path.stat().st_size
    read_so_far = [0]
    begins = []

    def on_statement(_conn, _cursor, statement, *_):
        if is_write_begin(statement):
            begins.append((statement, read_so_far[0]))

    def progress(done, _total):
        read_so_far[0] = max(read_so_far[0], done)

    event.listen(project.engine, "before_cursor_execute", on_statement)
    try:
        result = import_path(project, path, progress=progress)
    finally:
        event.remove(project.engine, "before_cursor_execute", on_statement)
    assert result.documents_added == 1600
    writes = [read for statement, read in begins]
    assert writes == [total]  # one write transaction, begun once every byte had been read


def test_a_failure_while_writing_leaves_the_project_unchanged(project, tmp_path):
    _write_jsonl(tmp_path / "seed.jsonl", [_bob(10_000)])
    import_path(project, tmp_path / "seed.jsonl")
    path = _write_jsonl(tmp_path / "big.jsonl", [_bob(i) for i in range(1600)])
    # A real failure of the database half-way through the write: the 700th document (second batch).
    raw = plain_connection(project)
    if project.engine.dialect.name == "sqlite":
        raw.execute("CREATE TRIGGER refuse BEFORE INSERT ON documents WHEN NEW.text LIKE 'Document 700:%' "
                    "BEGIN SELECT RAISE(ABORT, 'the disk is full'); END")
    else:
        raw.execute("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    "IF NEW.text LIKE 'Document 700:%' THEN RAISE EXCEPTION 'the disk is full'; END IF; "
                    "RETURN NEW; END $$")
        raw.execute("CREATE TRIGGER refuse BEFORE INSERT ON documents FOR EACH ROW EXECUTE FUNCTION refuse()")
    raw.close()
    before = snapshot(project)
    with pytest.raises(DBAPIError, match="the disk is full"):
        import_path(project, path)
    assert snapshot(project) == before


def test_cancelling_while_writing_leaves_the_project_unchanged(project, tmp_path):
    path = _write_jsonl(tmp_path / "big.jsonl", [_bob(i) for i in range(1600)])
    total = path.stat().st_size
    calls_at_total = [0]

    class Cancelled(Exception):
        pass

    def cancel_after_one_written_batch(done, _total):
        calls_at_total[0] += done == total
        if calls_at_total[0] == 3:  # the end of reading, then after each batch written: two are in
            raise Cancelled()

    before = snapshot(project)
    with pytest.raises(Cancelled):
        import_path(project, path, progress=cancel_after_one_written_batch)
    assert snapshot(project) == before


def test_the_spooled_input_is_deleted_after_an_import_and_after_a_refusal(project, tmp_path, monkeypatch):
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    good = _write_jsonl(tmp_path / "good.jsonl", [_bob(i) for i in range(600)])
    bad = _write_jsonl(tmp_path / "bad.jsonl", [_bob(i) for i in range(600, 1200)] + [{"text": None}])
    assert import_path(project, good).documents_added == 600
    with pytest.raises(Exception, match="bad.jsonl:601"):
        import_path(project, bad)
    assert list(spool.iterdir()) == []
