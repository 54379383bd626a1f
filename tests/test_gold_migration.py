"""Revision 0002 (gold set): an existing 0001 project keeps every row when it is upgraded (a file,
or a database on the test server: the same ladder of migrations on both)."""

import pytest
from alembic import command
from sqlalchemy import create_engine, insert, text
from sqlalchemy.exc import IntegrityError

from annotator.model import Annotator
from annotator.store import alembic_config, open_project, project_url

_ROWS_AT_0001 = [
    "INSERT INTO annotators VALUES (1, 'alice', 'annotator', '2026-01-01')",
    "INSERT INTO labels VALUES (1, 'QUOTE', '#f00', '2', '', FALSE, 0), (2, 'SPEAKER', '#0f0', '1', '', FALSE, 1)",
    "INSERT INTO relation_labels VALUES (1, 'said_by', '[]', '[]', '', 0)",
    "INSERT INTO documents VALUES (1, 'd', 'Hello world', 11, 'x', 'en', '{}', :no_tokens, '2026-01-01')",
    "INSERT INTO document_status VALUES (1, 1, 'done', NULL, NULL, '2026-01-01')",
    "INSERT INTO spans VALUES (1, 1, 11, 1, 1, 0, 5, 'manual', '2026-01-01', '2026-01-01'), "
    "(2, 1, 11, 1, 2, 6, 11, 'manual', '2026-01-01', '2026-01-01')",
    "INSERT INTO relations VALUES (1, 1, 2, 1, 1, '2026-01-01')",
]


def _project_at_0001(target) -> None:
    engine = create_engine(project_url(target))
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    with engine.begin() as connection:  # rows as version 0.1 of the tool wrote them, by plain SQL
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        for statement in _ROWS_AT_0001:
            connection.execute(text(statement), {"no_tokens": b""})
        if connection.dialect.name == "postgresql":  # what made those ids also moved the sequences past them
            for table in ("annotators", "labels", "relation_labels", "documents", "spans", "relations"):
                connection.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                           f"(SELECT max(id) FROM {table}))")
    engine.dispose()


def test_upgrading_a_0001_project_keeps_spans_statuses_and_links(fresh_target):
    path = fresh_target("old.db")
    _project_at_0001(path)
    project = open_project(path)
    with project.read() as session:
        counts = {t: session.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("annotators", "document_status", "spans", "relations")}
        reviewers = session.execute(text("SELECT reviewer_id FROM spans")).scalars().all()
        sqlite = project.engine.dialect.name == "sqlite"
        foreign_keys = session.execute(text("PRAGMA foreign_keys")).scalar() if sqlite else 1
    assert counts == {"annotators": 1, "document_status": 1, "spans": 2, "relations": 1}
    assert reviewers == [None, None]
    assert foreign_keys == 1  # switched back on after the migration
    with project.transaction() as session:
        session.execute(insert(Annotator).values(name="gold", role="gold"))
    with pytest.raises(IntegrityError):
        with project.transaction() as session:
            session.execute(insert(Annotator).values(name="x", role="boss"))
    project.close()
