"""annotator.review.comparison: what the compare view shows of one document, from the core, with ids.

Hand-made cases on one sentence (ana, ben, cyd, dan) and the sample project (alice, bob and
carol finished all five articles), checked against the store read independently.
"""
import pytest
from sqlalchemy import select

from annotator import commands, queries
from annotator.review import adjudication
from annotator.review.comparison import comparison
from annotator.errors import UserError
from annotator.importing import import_path
from annotator.model import Span

TEXT = "Putin said that Russia would respond with force, the Kremlin added."
PUTIN = ("SPEAKER", 0, 5)
LONG = ("QUOTE", TEXT.index("Russia"), TEXT.index(", the"))
SHORT = ("QUOTE", TEXT.index("Russia"), TEXT.index(" with"))
KREMLIN = ("SPEAKER", TEXT.index("Kremlin"), TEXT.index(" added"))


@pytest.fixture
def sentence(project, tmp_path):
    (tmp_path / "putin.txt").write_text(TEXT, encoding="utf-8")
    import_path(project, tmp_path / "putin.txt")
    with project.read() as session:
        [document] = queries.documents(session)["id"].tolist()
    return project, document


def mark(project, document, annotator, *keys) -> dict:
    """Marks keys exactly; (label, start, end) -> span id."""
    return {key: commands.add_span(project, document, annotator, *key, exact=True).focus_span for key in keys}


def finish(project, document, *annotators) -> None:
    for name in annotators:
        commands.set_status(project, document, name, "done")


def test_lanes_disputed_spans_and_candidates(sentence):
    project, document = sentence
    ana = mark(project, document, "ana", PUTIN, LONG)
    ben = mark(project, document, "ben", PUTIN, SHORT)
    cyd = mark(project, document, "cyd", PUTIN, LONG)  # cyd has not finished: cyd's marks count, cyd's absence not
    finish(project, document, "ana", "ben")
    link = commands.add_link(project, ana[LONG], ana[PUTIN], "ana").rows("relations")[0]["id"]

    shown = comparison(project, document)
    assert (shown.document_id, shown.name, shown.text) == (document, "putin.txt", TEXT)
    assert [lane.annotator for lane in shown.lanes] == ["ana", "ben", "cyd", "gold"]
    assert [lane.status for lane in shown.lanes] == ["done", "done", "in_progress", "todo"]
    assert shown.finished == ("ana", "ben") and shown.gold_status == "todo"
    assert {lane.annotator: {s.key: s.id for s in lane.spans} for lane in shown.lanes} == \
        {"ana": ana, "ben": ben, "cyd": cyd, "gold": {}}
    ana_lane = shown.lane("ana")
    assert [(l.id, l.head, l.child, l.relation) for l in ana_lane.links] == [(link, ana[LONG], ana[PUTIN], "said_by")]
    assert shown.lane("ben").links == ()
    # Putin: everyone who finished marked it alike.  LONG: ana and cyd (2 >= 2 finishers), but ben
    # finished without it: disputed.  SHORT: ben alone.
    assert ana_lane.disputed == {ana[LONG]}
    assert shown.lane("ben").disputed == {ben[SHORT]}
    assert shown.lane("cyd").disputed == {cyd[LONG]}
    assert [(c.key, c.marked_by, c.span_ids, c.agreed_by, c.out_of, c.unanimous, c.gold_id, c.text)
            for c in shown.candidates] == [
        (PUTIN, ("ana", "ben", "cyd"), (ana[PUTIN], ben[PUTIN], cyd[PUTIN]), 3, 3, True, None, "Putin"),
        (LONG, ("ana", "cyd"), (ana[LONG], cyd[LONG]), 2, 3, False, None, TEXT[LONG[1]:LONG[2]]),
        (SHORT, ("ben",), (ben[SHORT],), 1, 3, False, None, "Russia would respond"),
    ]  # by start, the longer first
    assert shown.candidate(SHORT).span_id == ben[SHORT]
    assert shown.spans_with(PUTIN) == {"ana": ana[PUTIN], "ben": ben[PUTIN], "cyd": cyd[PUTIN]}
    assert shown.key_of(cyd[LONG]) == LONG and shown.key_of(-1) is None


def test_gold_lane_status_and_a_gold_only_candidate(sentence):
    project, document = sentence
    ana = mark(project, document, "ana", PUTIN, LONG)
    mark(project, document, "ben", PUTIN, LONG)
    finish(project, document, "ana", "ben")
    adjudication.premerge_unanimous(project, document, "rita")
    with project.read() as session:
        gold_ids = dict(session.execute(select(Span.start, Span.id)
                                        .where(Span.annotator_id == adjudication.gold_id(session))).all())
    adjudication.edit_gold_span(project, gold_ids[LONG[1]], "rita", start=SHORT[1], end=SHORT[2], exact=True)
    adjudication.copy_links(project, document, "rita")  # nothing to copy: no annotator linked

    shown = comparison(project, document)
    assert [lane.annotator for lane in shown.lanes] == ["ana", "ben", "gold"]  # the reviewer has no lane
    gold = shown.lane("gold")
    assert gold.is_gold and not shown.lane("ana").is_gold
    assert {s.key for s in gold.spans} == {PUTIN, SHORT} and gold.disputed == frozenset()
    assert shown.gold_status == gold.status == "in_progress"
    rows = {c.key: c for c in shown.candidates}
    assert rows[PUTIN].gold_id == gold_ids[0] and rows[PUTIN].unanimous
    assert rows[LONG].gold_id is None and rows[LONG].unanimous and rows[LONG].span_ids[0] == ana[LONG]
    only_gold = rows[SHORT]
    assert (only_gold.marked_by, only_gold.span_ids, only_gold.span_id, only_gold.agreed_by) == ((), (), None, 0)
    assert only_gold.gold_id == gold_ids[LONG[1]] and not only_gold.unanimous
    assert shown.spans_with(SHORT) == {"gold": only_gold.gold_id}

    adjudication.mark_gold_done(project, document, "rita")
    assert comparison(project, document).gold_status == "done"


def test_one_finisher_agrees_with_nobody(sentence):
    project, document = sentence
    ana = mark(project, document, "ana", PUTIN)
    ben = mark(project, document, "ben", PUTIN)
    finish(project, document, "ana")
    shown = comparison(project, document)
    assert shown.finished == ("ana",)
    assert [c.unanimous for c in shown.candidates] == [False]  # agreement needs two who finished
    assert shown.lane("ana").disputed == {ana[PUTIN]} and shown.lane("ben").disputed == {ben[PUTIN]}


def test_who_finished_without_marking_has_a_lane_and_disputes_everything(sentence):
    project, document = sentence
    ana = mark(project, document, "ana", PUTIN)
    mark(project, document, "ben", PUTIN)
    commands.set_status(project, document, "eve", "in_progress")  # started, marked nothing: no lane
    finish(project, document, "ana", "ben", "dan")
    shown = comparison(project, document)
    assert [lane.annotator for lane in shown.lanes] == ["ana", "ben", "dan", "gold"]
    assert shown.lane("dan").spans == () and shown.lane("dan").finished
    [putin] = shown.candidates
    assert (putin.agreed_by, putin.out_of, putin.unanimous) == (2, 3, False)
    assert shown.lane("ana").disputed == {ana[PUTIN]}


def test_an_empty_document_and_an_unknown_one(sentence):
    project, document = sentence
    shown = comparison(project, document)
    assert [lane.annotator for lane in shown.lanes] == ["gold"] and shown.candidates == ()
    with pytest.raises(UserError, match="document 99 does not exist"):
        comparison(project, 99)


def test_the_sample_project_matches_the_store(sample_project):
    with sample_project.read() as session:
        documents = queries.documents(session)["id"].tolist()
        spans = queries.spans(session, documents)
        links = queries.relations(session, documents)
        shown = [comparison(session, document) for document in documents]  # a session works as well
    for document, compared in zip(documents, shown):
        mine = spans[spans["document_id"] == document]
        assert [lane.annotator for lane in compared.lanes] == ["alice", "bob", "carol", "gold"]
        assert compared.finished == ("alice", "bob", "carol")
        for lane in compared.lanes[:-1]:
            rows = mine[mine["annotator"] == lane.annotator]
            assert {s.id: s.key for s in lane.spans} == {
                int(i): (label, int(s), int(e)) for i, label, s, e in
                zip(rows["id"], rows["label"], rows["start"], rows["end"])}
            drawn = links[(links["document_id"] == document) & (links["annotator"] == lane.annotator)]
            assert {(l.id, l.head, l.child, l.relation) for l in lane.links} == set(
                zip(drawn["id"], drawn["head_id"], drawn["child_id"], drawn["label"]))
            who = mine.groupby(["label", "start", "end"])["annotator"].nunique()
            assert lane.disputed == {s.id for s in lane.spans if who[s.key] < 3}
        counts = mine.groupby(["label", "start", "end"])["annotator"].apply(tuple)
        assert {c.key: c.marked_by for c in compared.candidates} == \
            {(label, int(s), int(e)): who for (label, s, e), who in counts.items()}
        assert all(c.out_of == 3 and c.unanimous == (c.agreed_by == 3) for c in compared.candidates)
    assert any(c.unanimous for c in shown[0].candidates) and any(not c.unanimous for c in shown[0].candidates)

