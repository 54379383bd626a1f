"""Suggestions decided by several people at once on one PostgreSQL database: each accepts as their
own login, under row-level security (which hides the others' rows from them)."""

import pytest
from sqlalchemy import func, select

from annotator.model import Span, SuggestionDecision
from annotator.suggestions.decisions import accept, accept_all, visible_suggestions
from annotator.suggestions.suggest import suggest_with_patterns
from tests.conftest import ON_SERVER, SAMPLES
from tests.test_team_server import team  # noqa: F401  (the fixture: a lead, alice and bob with logins)

pytestmark = pytest.mark.skipif(not ON_SERVER, reason="logins and row-level security exist on PostgreSQL only "
                                                      "(set ANNOTATOR_TEST_DB_URL, or run make test-postgres)")


def _first_visible(project, name: str):
    with project.read() as session:
        return visible_suggestions(session, 1, name)[0]


def test_two_annotators_accepting_suggestions_on_one_document_both_succeed(team):  # noqa: F811
    suggest_with_patterns(team.lead, SAMPLES / "patterns.jsonl")
    people = {who: (team.open(who), team.names[who]) for who in ("alice", "bob")}
    # In turns, on the same suggestions: neither sees the other's new spans, so the new ids must
    # come from the server, not from the highest id each of them can see.
    taken = []
    for who in ("alice", "bob", "bob", "alice"):
        project, name = people[who]
        suggestion = _first_visible(project, name)
        change = accept(project, suggestion.id, name)
        assert change.rows("spans")[0]["origin"] == "accepted"
        taken.append((who, suggestion.id))
    for project, name in people.values():
        assert accept_all(project, 1, name).rows("suggestion_decisions")
    with team.lead.read() as session:
        counts = {}
        for who in people:
            me = team.id_of(who)
            counts[who] = (
                session.scalar(select(func.count()).select_from(Span).where(Span.annotator_id == me)),
                session.scalar(select(func.count()).select_from(SuggestionDecision)
                               .where(SuggestionDecision.annotator_id == me)))
        assert counts["alice"] == counts["bob"] and counts["alice"][0] > 2
        decided = set(session.execute(select(SuggestionDecision.annotator_id, SuggestionDecision.suggestion_id)))
    assert {(team.id_of(who), suggestion) for who, suggestion in taken} <= decided
