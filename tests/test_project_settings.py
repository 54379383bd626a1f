"""Migration 0004: every project has an id of its own, settings round-trip, and the new
suggestion vocabulary (role model, origins accepted/changed, scores, decisions) is allowed by the
database while anything else is still refused."""

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError

from annotator.model import Annotator, Span, SuggestionDecision, utcnow
from annotator.settings import get_setting, project_id, set_setting
from annotator.store import create_project, open_project


def test_each_new_project_has_its_own_id_and_a_reopened_one_keeps_it(fresh_target):
    first, second = create_project(fresh_target("a.db")), create_project(fresh_target("b.db"))
    with first.read() as a, second.read() as b:
        ids = project_id(a), project_id(b)
    url = first.url
    first.close()
    second.close()
    assert len(ids[0]) == 32 and ids[0] != ids[1]
    again = open_project(url)
    with again.read() as session:
        assert project_id(session) == ids[0]
    again.close()


def test_a_setting_reads_its_default_until_written_then_what_was_written(project):
    with project.read() as session:
        assert get_setting(session, "free_choice", True) is True
    with project.transaction() as session:
        set_setting(session, "free_choice", False)
    with project.transaction() as session:
        set_setting(session, "free_choice", {"nested": [1, 2]})
    with project.read() as session:
        assert get_setting(session, "free_choice") == {"nested": [1, 2]}


def _span(**values) -> dict:
    now = utcnow()
    return {"document_id": 1, "doc_length": 11, "annotator_id": 1, "label_id": 1, "start": 0, "end": 5,
            "origin": "manual", "created_at": now, "updated_at": now, **values}


def test_suggestion_rows_are_allowed_and_other_values_refused(sample_project):
    with sample_project.read() as session:
        document_id, length = session.execute(
            text("SELECT id, length FROM documents ORDER BY id LIMIT 1")).one()
    with sample_project.transaction() as session:
        session.execute(insert(Annotator).values(id=100, name="rules", role="model", created_at=utcnow()))
        session.execute(insert(Span).values(_span(id=10_000, document_id=document_id, doc_length=length,
                                                   annotator_id=100, origin="suggested", score=0.25)))
        session.execute(insert(Span).values(_span(id=10_001, document_id=document_id, doc_length=length,
                                                   annotator_id=1, origin="accepted")))
        session.execute(insert(SuggestionDecision).values(suggestion_id=10_000, annotator_id=1,
                                                          decision="accepted", decided_at=utcnow()))
    for bad in (lambda s: s.execute(insert(Annotator).values(name="x", role="robot", created_at=utcnow())),
                lambda s: s.execute(insert(Span).values(_span(id=10_002, document_id=document_id, doc_length=length,
                                                              origin="guessed"))),
                lambda s: s.execute(insert(SuggestionDecision).values(suggestion_id=10_000, annotator_id=2,
                                                                      decision="maybe", decided_at=utcnow()))):
        with pytest.raises(IntegrityError):
            with sample_project.transaction() as session:
                bad(session)
    with sample_project.transaction() as session:  # a suggestion's decisions go with it
        session.execute(text("DELETE FROM spans WHERE id = 10000"))
    with sample_project.read() as session:
        left = session.execute(text("SELECT count(*) FROM suggestion_decisions")).scalar()
    assert left == 0
