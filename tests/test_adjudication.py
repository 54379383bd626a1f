"""Adjudication into the gold set, on the sample project (alice, bob, carol finished all five)."""

import pytest
from sqlalchemy import select, text

from annotator import queries
from annotator.review.adjudication import (
    accept_agreed, accept_span, copy_links, edit_gold_span, mark_gold_done, premerge_unanimous, reject_gold_span,
)
from annotator.agreement.report import agreement_report
from annotator.commands import apply, set_status
from annotator.errors import UserError
from annotator.model import Annotator, DocumentStatus
from tests.helpers import snapshot


def _first_document(project) -> int:
    with project.read() as session:
        return int(queries.documents(session)["id"].iloc[0])


def _spans(project, document_id, who=None):
    with project.read() as session:
        frame = queries.spans(session, [document_id])
    return frame if who is None else frame[frame["annotator"] == who]


def _agreed_by(project, document_id, k):
    """Independently: (label, start, end) that at least k distinct annotators marked."""
    frame = _spans(project, document_id)
    frame = frame[frame["annotator"] != "gold"]
    counts = frame.groupby(["label", "start", "end"])["annotator"].nunique()
    return set(counts[counts >= k].index)


def _gold(project, document_id):
    frame = _spans(project, document_id, "gold")
    return set(zip(frame["label"], frame["start"], frame["end"]))


def _reviewer_ids(project):
    with project.read() as session:
        return session.execute(text(
            "SELECT s.reviewer_id, r.name FROM spans s JOIN annotators g ON g.id = s.annotator_id "
            "LEFT JOIN annotators r ON r.id = s.reviewer_id WHERE g.name = 'gold'")).all()


def test_accept_a_span_copies_it_into_gold_with_the_reviewer(sample_project):
    doc = _first_document(sample_project)
    bobs = _spans(sample_project, doc, "bob")
    span = bobs.iloc[0]
    change = accept_span(sample_project, int(span["id"]), "rita")
    assert _gold(sample_project, doc) == {(span["label"], span["start"], span["end"])}
    assert {name for _, name in _reviewer_ids(sample_project)} == {"rita"}
    with sample_project.read() as session:
        roles = dict(session.execute(select(Annotator.name, Annotator.role)).all())
    assert roles["gold"] == "gold" and roles["rita"] == "reviewer"
    # bob's own span is untouched, and the gold set stays out of agreement by default
    assert _spans(sample_project, doc, "bob").equals(bobs)
    mark_gold_done(sample_project, doc, "rita")
    assert agreement_report(sample_project)["annotators"] == ["alice", "bob", "carol"]
    assert "gold" in agreement_report(sample_project, annotators=["alice", "gold"])["annotators"]
    assert change.focus_span is not None


def test_refusals_change_nothing(sample_project):
    doc = _first_document(sample_project)
    span_id = int(_spans(sample_project, doc, "alice").iloc[0]["id"])
    accept_span(sample_project, span_id, "rita")
    gold_span = int(_spans(sample_project, doc, "gold").iloc[0]["id"])
    before = snapshot(sample_project)
    refusals = [
        (lambda: accept_span(sample_project, span_id, "rita"), "already holds"),
        (lambda: accept_span(sample_project, gold_span, "rita"), "already a gold span"),
        (lambda: accept_span(sample_project, 10**9, "rita"), "does not exist"),
        (lambda: accept_span(sample_project, span_id, "gold"), "already holds"),
        (lambda: accept_agreed(sample_project, doc, "rita", 0), "k >= 1"),
        (lambda: accept_agreed(sample_project, doc, "rita", 2, ["alice", "zed"]), "no annotator named 'zed'"),
        (lambda: accept_agreed(sample_project, 10**9, "rita", 2), "does not exist"),
        (lambda: reject_gold_span(sample_project, span_id), "not a gold span"),
        (lambda: edit_gold_span(sample_project, span_id, "rita", label="QUOTE"), "not a gold span"),
        (lambda: edit_gold_span(sample_project, gold_span, "rita", label="PERSON"), "not in this project"),
        (lambda: edit_gold_span(sample_project, gold_span, "rita", start=0, end=10**7), "outside document"),
        (lambda: edit_gold_span(sample_project, gold_span, "rita"), "nothing to change"),
        (lambda: mark_gold_done(sample_project, doc, "gold"), "not a person"),
    ]
    for action, message in refusals:
        with pytest.raises(UserError, match=message):
            action()
        assert snapshot(sample_project) == before, message


def test_reviewer_named_gold_is_refused_when_it_would_add_spans(sample_project):
    doc = _first_document(sample_project)
    before = snapshot(sample_project)
    with pytest.raises(UserError, match="not a person"):
        accept_agreed(sample_project, doc, "gold", 3)
    assert snapshot(sample_project) == before


def test_accept_agreed_takes_spans_k_annotators_marked_alike(sample_project):
    doc = _first_document(sample_project)
    three = _agreed_by(sample_project, doc, 3)
    two = _agreed_by(sample_project, doc, 2)
    assert three and two > three  # the sample has both kinds
    change = accept_agreed(sample_project, doc, "rita", 3)
    assert _gold(sample_project, doc) == three
    assert len(change.rows("spans")) == len(three)
    accept_agreed(sample_project, doc, "rita", 2)  # adds only what is new
    assert _gold(sample_project, doc) == two
    assert accept_agreed(sample_project, doc, "rita", 2).rows("spans") == []
    with sample_project.read() as session:
        gold_status = session.execute(select(DocumentStatus.status).join(Annotator).where(
            Annotator.name == "gold", DocumentStatus.document_id == doc)).scalar_one()
    assert gold_status == "in_progress"


def test_premerge_takes_what_everyone_who_finished_agrees_on(sample_project):
    doc = _first_document(sample_project)
    set_status(sample_project, doc, "carol", "in_progress")  # carol no longer counts
    premerge_unanimous(sample_project, doc, "rita")
    with sample_project.read() as session:
        frame = queries.spans(session, [doc], ["alice", "bob"])
    counts = frame.groupby(["label", "start", "end"])["annotator"].nunique()
    assert _gold(sample_project, doc) == set(counts[counts == 2].index)
    set_status(sample_project, doc, "bob", "in_progress")
    before = snapshot(sample_project)
    with pytest.raises(UserError, match="needs at least two"):
        premerge_unanimous(sample_project, doc, "rita")
    assert snapshot(sample_project) == before


def test_reject_and_edit_gold_spans(sample_project):
    doc = _first_document(sample_project)
    premerge_unanimous(sample_project, doc, "rita")
    copy_links(sample_project, doc, "rita")
    gold = _spans(sample_project, doc, "gold")
    with sample_project.read() as session:
        links = queries.relations(session, [doc])
    gold_links = links[links["annotator"] == "gold"]
    assert len(gold_links)  # the sample has unanimous QUOTE/SPEAKER pairs with links
    linked = int(gold_links.iloc[0]["head_id"])
    reject_gold_span(sample_project, linked)
    assert linked not in set(_spans(sample_project, doc, "gold")["id"])
    with sample_project.read() as session:
        assert linked not in set(queries.relations(session, [doc])["head_id"])
    other = gold[gold["id"] != linked].iloc[0]
    change = edit_gold_span(sample_project, int(other["id"]), "vera", label="FIGURE")
    edited = _spans(sample_project, doc, "gold").set_index("id").loc[int(other["id"])]
    assert edited["label"] == "FIGURE"
    assert "vera" in {name for _, name in _reviewer_ids(sample_project)}
    before_undo = snapshot(sample_project)
    apply(sample_project, change.inverse())
    assert _spans(sample_project, doc, "gold").set_index("id").loc[int(other["id"])]["label"] == other["label"]
    apply(sample_project, change)
    assert snapshot(sample_project) == before_undo


def test_copy_links_only_where_both_ends_are_gold(sample_project):
    doc = _first_document(sample_project)
    accept_agreed(sample_project, doc, "rita", 1)  # every span anyone marked
    change = copy_links(sample_project, doc, "rita")
    with sample_project.read() as session:
        links = queries.relations(session, [doc])
        spans = queries.spans(session, [doc]).set_index("id")
    key = lambda i: tuple(spans.loc[i, ["label", "start", "end"]])  # noqa: E731
    theirs = {(key(h), key(c), lab) for h, c, lab, who in
              zip(links["head_id"], links["child_id"], links["label"], links["annotator"]) if who != "gold"}
    gold = {(key(h), key(c), lab) for h, c, lab, who in
            zip(links["head_id"], links["child_id"], links["label"], links["annotator"]) if who == "gold"}
    assert gold == theirs and len(change.rows("relations")) == len(gold)
    assert copy_links(sample_project, doc, "rita").rows("relations") == []  # nothing twice


def test_undo_of_an_accept_restores_everything(sample_project):
    doc = _first_document(sample_project)
    before = snapshot(sample_project)
    change = accept_agreed(sample_project, doc, "rita", 2)
    apply(sample_project, change.inverse())
    assert snapshot(sample_project) == before


def test_compare_document_flags_agreement_and_gold(sample_project):
    from annotator.review.adjudication import compare_document

    doc = _first_document(sample_project)
    frame = compare_document(sample_project, doc)
    assert set(frame["annotator"]) == {"alice", "bob", "carol"}
    three = _agreed_by(sample_project, doc, 3)
    unanimous = set(zip(*(frame.loc[frame["unanimous"], c] for c in ("label", "start", "end"))))
    assert unanimous == three and not frame["in_gold"].any()
    premerge_unanimous(sample_project, doc, "rita")
    frame = compare_document(sample_project, doc)
    assert set(zip(*(frame.loc[frame["in_gold"], c] for c in ("label", "start", "end")))) == three
    gold_rows = frame[frame["annotator"] == "gold"]
    assert len(gold_rows) == len(three) and (gold_rows["agreed_by"] == 3).all()
    with pytest.raises(UserError, match="does not exist"):
        compare_document(sample_project, 10**9)
