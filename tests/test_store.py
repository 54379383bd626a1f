"""The project (a file, or a database on a server): creation, opening, migrations, refusals and
database constraints."""

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, insert, text
from sqlalchemy.exc import IntegrityError

from annotator.errors import UserError
from annotator.team.live_progress import SERVER_ONLY_TABLES
from annotator.model import Annotator, Base, Document, Label, Span
from annotator.store import create_project, open_project, project_url, schema_head
from tests.helpers import snapshot


def _run_raw(target, sql, **params):
    """SQL through a plain engine of SQLAlchemy's, not the tool's (another program)."""
    engine = create_engine(project_url(target))
    try:
        with engine.begin() as connection:
            connection.execute(text(sql), params)
    finally:
        engine.dispose()


def _document(session, text_value="Hello world"):
    return session.execute(
        insert(Document).values(name="d", text=text_value, length=len(text_value), sha256="0" * 64,
                                lang="en", meta={}, tokens=b"").returning(Document.id)
    ).scalar_one()


def test_new_project_has_the_default_schema(project):
    with project.read() as session:
        labels = session.execute(text("SELECT name, key FROM labels ORDER BY position")).all()
        assert labels == [("SPEAKER", "1"), ("QUOTE", "2"), ("THREAT", "3"), ("FIGURE", "4")]


@pytest.mark.file_only("SQLite's WAL, foreign keys and busy timeout pragmas")
def test_new_project_file_has_the_sqlite_settings(project):
    with project.read() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA busy_timeout")).scalar() >= 1000


def test_migrations_describe_exactly_the_models(project):
    with project.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_revision() == schema_head()
        differences = compare_metadata(context, Base.metadata)
        assert [d for d in differences if not (d[0] == "remove_table" and d[1].name in SERVER_ONLY_TABLES)] == []


def test_reopening_keeps_the_data(fresh_target):
    path = fresh_target("p.db")
    create_project(path).close()
    project = open_project(path)
    with project.transaction() as session:
        _document(session)
    project.close()
    reopened = open_project(str(path))
    with reopened.read() as session:
        assert session.execute(text("SELECT count(*) FROM documents")).scalar() == 1
    reopened.close()


def test_init_refuses_to_overwrite_a_project(fresh_target):
    target = fresh_target("p.db")
    first = create_project(target)
    with first.transaction() as session:
        _document(session)
    before = snapshot(first)
    first.close()
    with pytest.raises(UserError, match="already exists|not empty"):
        create_project(target)
    again = open_project(target)
    assert snapshot(again) == before
    again.close()


@pytest.mark.file_only("a file that is not a database")
def test_init_refuses_to_overwrite_an_existing_file(tmp_path):
    path = tmp_path / "p.db"
    path.write_text("precious")
    with pytest.raises(UserError, match="already exists"):
        create_project(path)
    assert path.read_text() == "precious"


@pytest.mark.file_only("a missing file (a missing database: tests/test_server_refusals.py)")
def test_open_refuses_a_missing_file_without_creating_it(tmp_path):
    path = tmp_path / "missing.db"
    with pytest.raises(UserError, match="annotator init"):
        open_project(path)
    assert not path.exists()


def test_open_refuses_a_database_that_is_not_a_project(fresh_target):
    other = fresh_target("other.db")
    _run_raw(other, "CREATE TABLE t (x INTEGER)")
    with pytest.raises(UserError, match="no schema version"):
        open_project(other)


@pytest.mark.file_only("a file that is not a database")
def test_open_refuses_a_file_that_is_not_a_project(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("this is not a database\n" * 100)
    with pytest.raises(UserError, match="not a project file"):
        open_project(path)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x)")
    with pytest.raises(UserError, match="no schema version"):
        open_project(other)


def test_a_project_from_a_newer_version_is_refused_and_left_untouched(fresh_target, tmp_path):
    path = fresh_target("p.db")
    project = create_project(path)
    with project.transaction() as session:
        _document(session)
    before = snapshot(project)
    project.close()
    _run_raw(path, "UPDATE alembic_version SET version_num = '9999_future'")
    on_file = "://" not in path
    contents = open(path, "rb").read() if on_file else None
    with pytest.raises(UserError, match="newer version"):
        open_project(path)
    if on_file:
        assert open(path, "rb").read() == contents
    _run_raw(path, "UPDATE alembic_version SET version_num = :head", head=schema_head())
    again = open_project(path)
    assert snapshot(again) == before
    again.close()


def test_the_database_enforces_span_offsets_labels_and_annotators(project):
    with project.transaction() as session:
        doc_id = _document(session, "Hello world")
        annotator_id = session.execute(insert(Annotator).values(name="ann").returning(Annotator.id)).scalar_one()
        label_id = session.execute(text("SELECT id FROM labels WHERE name='QUOTE'")).scalar_one()
    base = {"document_id": doc_id, "doc_length": 11, "annotator_id": annotator_id, "label_id": label_id}
    bad = [
        {"start": 5, "end": 5},  # empty
        {"start": 6, "end": 2},  # reversed
        {"start": -1, "end": 2},  # negative
        {"start": 0, "end": 12},  # beyond the text
        {"start": 0, "end": 12, "doc_length": 12},  # lying about the length
        {"start": 0, "end": 5, "label_id": 999},  # unknown label
        {"start": 0, "end": 5, "annotator_id": 999},  # unknown annotator
    ]
    for values in bad:
        with pytest.raises(IntegrityError), project.transaction() as session:
            session.execute(insert(Span).values(**{**base, **values}))
    with project.transaction() as session:
        session.execute(insert(Span).values(**base, start=0, end=11))
    with project.read() as session:
        assert session.execute(text("SELECT start, \"end\" FROM spans")).all() == [(0, 11)]


def test_a_failed_transaction_leaves_nothing_behind(project):
    before = snapshot(project)
    with pytest.raises(RuntimeError), project.transaction() as session:
        session.add(Label(name="NEW", color="#ffffff", key="9", guideline="", ner=False, position=9))
        session.flush()
        raise RuntimeError("crash in the middle")
    assert snapshot(project) == before


@pytest.mark.file_only("a missing folder")
def test_init_in_a_missing_folder_says_so(tmp_path):
    with pytest.raises(UserError, match="cannot create the database .*folder exists"):
        create_project(tmp_path / "no" / "such" / "p.db")
    assert not (tmp_path / "no").exists()


def test_the_revisions_read_from_file_names_are_alembics():
    """Start-up reads the schema revisions from the migration files' names; Alembic must agree."""
    from alembic.script import ScriptDirectory

    from annotator.project_file import known_revisions
    from annotator.store import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    assert known_revisions() == (frozenset(r.revision for r in script.walk_revisions()), script.get_current_head())
