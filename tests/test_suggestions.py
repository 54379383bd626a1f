"""Rules and models propose; people accept or reject: the stored suggestions, the decisions, and
what stays out of people's annotations."""

import json

import pytest
from sqlalchemy import func, select

from annotator.changes import apply
from annotator.errors import UserError
from annotator.model import Annotator, Relation, Span, SuggestionDecision
from annotator.stats import project_stats
from annotator.suggestions.decisions import accept, accept_all, reject, visible_suggestions
from annotator.suggestions.suggest import suggest_with_patterns
from tests.conftest import SAMPLES
from tests.helpers import snapshot

PATTERNS = SAMPLES / "patterns.jsonl"


def _rules_spans(project):
    with project.read() as session:
        source = session.scalar(select(Annotator.id).where(Annotator.name == "rules"))
        return sorted(session.execute(select(Span.id, Span.document_id, Span.label_id, Span.start, Span.end, Span.origin)
                                      .where(Span.annotator_id == source)).all())


def _first_document_with(project, label: str, annotator: str = "dave"):
    with project.read() as session:
        for doc in range(1, 6):
            found = [s for s in visible_suggestions(session, doc, annotator) if s.label == label]
            if found:
                return doc, found
    raise AssertionError(f"no {label} suggestion")


def test_suggest_stores_a_model_source_and_a_rerun_replaces_without_duplicating(sample_project):
    first = suggest_with_patterns(sample_project, PATTERNS)
    assert first.source == "rules" and first.documents == 5 and first.added > 50 and first.links > 0
    stored = _rules_spans(sample_project)
    assert {row.origin for row in stored} == {"suggested"}
    with sample_project.read() as session:
        assert session.scalar(select(Annotator.role).where(Annotator.name == "rules")) == "model"
    again = suggest_with_patterns(sample_project, PATTERNS)
    assert (again.added, again.kept, again.removed) == (0, first.added, 0)
    assert _rules_spans(sample_project) == stored  # same rows, same ids
    with sample_project.read() as session:
        assert session.scalar(select(func.count()).select_from(Relation)
                              .where(Relation.annotator_id == select(Annotator.id).where(Annotator.name == "rules")
                                     .scalar_subquery())) == first.links


def test_a_rerun_keeps_decided_suggestions_and_drops_what_the_rules_no_longer_propose(sample_project, tmp_path):
    suggest_with_patterns(sample_project, PATTERNS)
    doc, quotes = _first_document_with(sample_project, "QUOTE")
    accept(sample_project, quotes[0].id, "dave")
    fewer = tmp_path / "quotes.jsonl"
    fewer.write_text("".join(line + "\n" for line in PATTERNS.read_text(encoding="utf-8").splitlines()
                             if '"QUOTE"' in line), encoding="utf-8")
    summary = suggest_with_patterns(sample_project, fewer)
    assert summary.removed > 0 and set(summary.spans) >= {"QUOTE"} and summary.spans["SPEAKER"] == 0
    with sample_project.read() as session:
        kept = session.execute(select(SuggestionDecision.suggestion_id, SuggestionDecision.decision)).all()
    assert kept == [(quotes[0].id, "accepted")]


def test_accept_makes_my_span_records_the_decision_moves_my_status_and_undoes(sample_project):
    suggest_with_patterns(sample_project, PATTERNS)
    doc, quotes = _first_document_with(sample_project, "QUOTE")
    before = snapshot(sample_project)
    change = accept(sample_project, quotes[0].id, "dave")
    [mine] = change.rows("spans")
    assert (mine["start"], mine["end"], mine["origin"]) == (quotes[0].start, quotes[0].end, "accepted")
    assert change.status_after(doc) == "in_progress" and change.focus_span == mine["id"]
    assert change.rows("suggestion_decisions")[0]["decision"] == "accepted"
    with sample_project.read() as session:
        assert quotes[0].id not in {s.id for s in visible_suggestions(session, doc, "dave")}
        assert quotes[0].id in {s.id for s in visible_suggestions(session, doc, "erin")}
    apply(sample_project, change.inverse())
    assert snapshot(sample_project) == before


def test_accept_with_another_label_is_changed_and_reject_hides_it_for_me_only(sample_project):
    suggest_with_patterns(sample_project, PATTERNS)
    doc, quotes = _first_document_with(sample_project, "QUOTE")
    changed = accept(sample_project, quotes[0].id, "dave", label="THREAT")
    assert changed.rows("spans")[0]["origin"] == "changed"
    assert changed.rows("suggestion_decisions")[0]["decision"] == "changed"
    rejected = reject(sample_project, quotes[1].id, "dave")
    assert rejected.rows("suggestion_decisions")[0]["decision"] == "rejected" and not rejected.rows("spans")
    with sample_project.read() as session:
        mine = {s.id for s in visible_suggestions(session, doc, "dave")}
    assert quotes[0].id not in mine and quotes[1].id not in mine
    with pytest.raises(UserError, match="already rejected"):
        reject(sample_project, quotes[1].id, "dave")


def test_accepting_both_ends_of_a_suggested_link_makes_my_link(sample_project):
    suggest_with_patterns(sample_project, PATTERNS)
    with sample_project.read() as session:
        rules = session.scalar(select(Annotator.id).where(Annotator.name == "rules"))
        head, child = session.execute(select(Relation.head_id, Relation.child_id)
                                      .where(Relation.annotator_id == rules).order_by(Relation.id)).first()
    accept(sample_project, head, "dave")
    change = accept(sample_project, child, "dave")
    [link] = change.rows("relations")
    assert link["head_id"] != head and {link["head_id"], link["child_id"]} <= {
        r.id for r in _dave_spans(sample_project)}


def _dave_spans(project):
    with project.read() as session:
        dave = session.scalar(select(Annotator.id).where(Annotator.name == "dave"))
        return session.execute(select(Span.id).where(Span.annotator_id == dave)).all()


def test_accept_all_takes_every_visible_suggestion_in_one_change(sample_project):
    suggest_with_patterns(sample_project, PATTERNS)
    with sample_project.read() as session:
        visible = visible_suggestions(session, 1, "dave")
    assert [(s.start, s.end) for s in visible] == sorted((s.start, s.end) for s in visible)  # text order
    change = accept_all(sample_project, 1, "dave")
    assert len(change.rows("suggestion_decisions")) == len(visible)
    assert len(change.rows("spans")) == len({(s.label, s.start, s.end) for s in visible})
    with sample_project.read() as session:
        assert visible_suggestions(session, 1, "dave") == []
    with pytest.raises(UserError, match="no suggestion left"):
        accept_all(sample_project, 1, "dave")


def test_suggestions_are_no_annotations_in_stats_or_default_agreement(sample_project):
    from annotator.agreement.report import agreement_report

    suggest_with_patterns(sample_project, PATTERNS)
    stats = project_stats(sample_project)
    assert "rules" not in stats["annotators"] and stats["suggestions"]["rules"]["QUOTE"] > 0
    assert agreement_report(sample_project)["annotators"] == ["alice", "bob", "carol"]
    named = agreement_report(sample_project, ["alice", "rules"])
    assert named["documents"] == 5 and named["labels"]["QUOTE"]["span_f1_overlap"] > 0.3


def test_the_agreement_report_counts_each_persons_decisions(sample_project):
    from annotator.agreement import render as agreement_render
    from annotator.agreement.report import agreement_report

    suggest_with_patterns(sample_project, PATTERNS)
    with sample_project.read() as session:
        left = [s for doc in range(1, 6) for s in visible_suggestions(session, doc, "alice")]
    accept(sample_project, left[0].id, "alice")
    accept(sample_project, left[1].id, "alice", label="THREAT" if left[1].label != "THREAT" else "QUOTE")
    reject(sample_project, left[2].id, "alice")
    report = agreement_report(sample_project, ["alice", "bob"])
    assert report["suggestion_decisions"]["alice"] == {"accepted": 1, "changed": 1, "rejected": 1}
    assert report["suggestion_decisions"]["bob"] == {"accepted": 0, "changed": 0, "rejected": 0}
    assert "Suggestions accepted, changed and rejected" in agreement_render.to_html(report)
    assert json.loads(agreement_render.to_json(report))["suggestion_decisions"]["alice"]["changed"] == 1


def test_exports_and_the_compare_view_ignore_suggestions(sample_project):
    from annotator.review.comparison import comparison
    from exports.selection import select_export

    with sample_project.read() as session:
        majority_before = select_export(session, "majority").spans
    suggest_with_patterns(sample_project, PATTERNS)
    with sample_project.read() as session:
        assert select_export(session, "majority").spans.equals(majority_before)
        assert "rules" not in [lane.annotator for lane in comparison(session, 1).lanes]


def test_a_document_with_only_suggestions_is_not_started(project, tmp_path):
    from annotator.assignment.assign import assign_documents
    from annotator.assignment.table import unstarted_assignments
    from annotator.importing import import_path

    article = tmp_path / "a.txt"
    article.write_text("“We will answer with serious consequences for everyone,” Putin said.", encoding="utf-8")
    import_path(project, article)
    assign_documents(project, ["dave"])
    suggest_with_patterns(project, PATTERNS)
    with project.read() as session:
        assert len(unstarted_assignments(session)) == 1
        assert {s.label for s in visible_suggestions(session, 1, "dave")} >= {"QUOTE", "SPEAKER", "THREAT"}


def test_the_seen_suggestions_follow_each_change_as_a_fresh_read_would(sample_project):
    from annotator import commands
    from annotator.suggestions.seen import DocumentSuggestions

    suggest_with_patterns(sample_project, PATTERNS)
    doc, quotes = _first_document_with(sample_project, "QUOTE")
    with sample_project.read() as session:
        seen = DocumentSuggestions.load(session, doc, "dave")  # dave has no row yet: the first accept makes it
    other = quotes[2]
    changes = [accept(sample_project, quotes[0].id, "dave"), reject(sample_project, quotes[1].id, "dave"),
               commands.add_span(sample_project, doc, "dave", other.label, other.start, other.end, exact=True)]
    changes.append(commands.relabel_span(sample_project, changes[-1].focus_span, "THREAT"))
    changes += [apply(sample_project, change.inverse()) for change in reversed(changes)]
    for step, change in enumerate(changes):
        assert seen.apply(change)
        # marked by hand: hidden; relabelled: visible; relabelled back: hidden; the mark undone: visible
        expected = {2: False, 3: True, 4: False, 5: True}
        if step in expected:
            assert (other.id in {s.id for s in seen.visible()}) == expected[step]
    with sample_project.read() as session:
        assert seen.visible() == DocumentSuggestions.load(session, doc, "dave").visible() == visible_suggestions(
            session, doc, "dave")
    assert seen.visible_links({s.id for s in seen.visible()})
