"""Revision 0002 (gold set): an existing 0001 project keeps every row when it is upgraded."""

import sqlite3

import pytest
from alembic import command
from sqlalchemy import create_engine, insert, text
from sqlalchemy.exc import IntegrityError

from annotator.model import Annotator
from annotator.store import alembic_config, open_project


def _project_at_0001(path) -> None:
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    engine.dispose()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA foreign_keys=ON")
        db.executescript("""
            INSERT INTO annotators VALUES (1, 'alice', 'annotator', '2026-01-01');
            INSERT INTO labels VALUES (1, 'QUOTE', '#f00', '2', '', 0, 0), (2, 'SPEAKER', '#0f0', '1', '', 0, 1);
            INSERT INTO relation_labels VALUES (1, 'said_by', '[]', '[]', '', 0);
            INSERT INTO documents VALUES (1, 'd', 'Hello world', 11, 'x', 'en', '{}', x'', '2026-01-01');
            INSERT INTO document_status VALUES (1, 1, 'done', NULL, NULL, '2026-01-01');
            INSERT INTO spans VALUES (1, 1, 11, 1, 1, 0, 5, 'manual', '2026-01-01', '2026-01-01'),
                                     (2, 1, 11, 1, 2, 6, 11, 'manual', '2026-01-01', '2026-01-01');
            INSERT INTO relations VALUES (1, 1, 2, 1, 1, '2026-01-01');
        """)


def test_upgrading_a_0001_project_keeps_spans_statuses_and_links(tmp_path):
    path = tmp_path / "old.db"
    _project_at_0001(path)
    project = open_project(path)
    with project.read() as session:
        counts = {t: session.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("annotators", "document_status", "spans", "relations")}
        reviewers = session.execute(text("SELECT reviewer_id FROM spans")).scalars().all()
        foreign_keys = session.execute(text("PRAGMA foreign_keys")).scalar()
    assert counts == {"annotators": 1, "document_status": 1, "spans": 2, "relations": 1}
    assert reviewers == [None, None]
    assert foreign_keys == 1  # switched back on after the migration
    with project.transaction() as session:
        session.execute(insert(Annotator).values(name="gold", role="gold"))
    with pytest.raises(IntegrityError):
        with project.transaction() as session:
            session.execute(insert(Annotator).values(name="x", role="boss"))
    project.close()
