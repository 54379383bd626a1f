"""Annotation commands on real project files: validation, inverses, undo/redo round trips."""

import pytest
from sqlalchemy import select

from annotator import commands
from annotator.changes import apply
from annotator.commands import add_link, add_span, delete_span, relabel_span, remove_link, set_status
from annotator.errors import UserError
from annotator.importing import import_path
from annotator.model import DocumentStatus, Relation, Span
from annotator.worklist import document_rows, next_unfinished
from tests.helpers import snapshot

TEXT = "“We will act,” said Vladimir Putin on Tuesday. Prices rose 8.9% 🎉 in Moscow."


@pytest.fixture
def doc(project, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")
    import_path(project, path)
    return 1


def _spans(project):
    with project.read() as session:
        return session.execute(select(Span.id, Span.start, Span.end, Span.label_id).order_by(Span.id)).all()


def test_add_span_snaps_to_tokens_and_creates_the_annotator(project, doc):
    start = TEXT.index("ladimir")
    change = add_span(project, doc, "alice", "SPEAKER", start, start + 10)  # "ladimir Pu"
    [(span_id, s, e, _)] = _spans(project)
    assert TEXT[s:e] == "Vladimir Putin"
    assert change.focus_span == span_id
    assert [row["name"] for row in change.rows("annotators")] == ["alice"]
    with project.read() as session:
        assert session.scalar(select(DocumentStatus.status)) == "in_progress"


def test_exact_keeps_the_characters(project, doc):
    start = TEXT.index("ladimir")
    add_span(project, doc, "alice", "SPEAKER", start, start + 10, exact=True)
    [(_, s, e, _)] = _spans(project)
    assert TEXT[s:e] == "ladimir Pu"


def test_offsets_are_code_points_past_an_emoji(project, doc):
    start = TEXT.index("Moscow")
    add_span(project, doc, "alice", "FIGURE", start, start + 6)
    [(_, s, e, _)] = _spans(project)
    assert TEXT[s:e] == "Moscow"


@pytest.mark.parametrize("args, message", [
    ((1, "alice", "NOPE", 0, 3), "not in this project's schema"),
    ((1, "alice", "QUOTE", 5, 5), "outside document"),
    ((1, "alice", "QUOTE", 0, 10_000), "outside document"),
    ((1, "alice", "QUOTE", -1, 3), "outside document"),
    ((9, "alice", "QUOTE", 0, 3), "document 9 does not exist"),
    ((1, "", "QUOTE", 0, 3), "annotator name is empty"),
    ((1, "alice", "QUOTE", 14, 15), "only whitespace"),
])
def test_bad_spans_are_refused_and_change_nothing(project, doc, args, message):
    before = snapshot(project)
    with pytest.raises(UserError, match=message):
        add_span(project, *args)
    assert snapshot(project) == before


def test_the_same_span_twice_is_refused(project, doc):
    add_span(project, doc, "alice", "QUOTE", 1, 12)
    before = snapshot(project)
    with pytest.raises(UserError, match="already marked"):
        add_span(project, doc, "alice", "QUOTE", 1, 12)
    assert snapshot(project) == before


def test_undo_and_redo_of_add_restore_exact_rows(project, doc):
    empty = snapshot(project)
    change = add_span(project, doc, "alice", "QUOTE", 1, 12)
    after = snapshot(project)
    apply(project, change.inverse())
    assert snapshot(project) == empty  # the annotator created on first use goes too
    apply(project, change)
    assert snapshot(project) == after  # same ids, same timestamps


def test_delete_span_takes_its_links_and_undo_brings_both_back(project, doc):
    quote = add_span(project, doc, "alice", "QUOTE", 1, 12).focus_span
    speaker = add_span(project, doc, "alice", "SPEAKER", TEXT.index("Vladimir"), TEXT.index(" on")).focus_span
    add_link(project, quote, speaker, "alice")
    before = snapshot(project)
    change = delete_span(project, speaker)
    with project.read() as session:
        assert session.scalar(select(Relation.id)) is None
        assert session.scalars(select(Span.id)).all() == [quote]
    apply(project, change.inverse())
    assert snapshot(project) == before
    apply(project, change)
    apply(project, change.inverse())
    assert snapshot(project) == before


def test_relabel_drops_links_the_schema_no_longer_allows(project, doc):
    quote = add_span(project, doc, "alice", "QUOTE", 1, 12).focus_span
    speaker = add_span(project, doc, "alice", "SPEAKER", TEXT.index("Vladimir"), TEXT.index(" on")).focus_span
    add_link(project, quote, speaker, "alice")
    before = snapshot(project)
    change = relabel_span(project, quote, "FIGURE")
    assert len(change.rows("relations", "deleted")) == 1
    apply(project, change.inverse())
    assert snapshot(project) == before
    with pytest.raises(UserError, match="already labelled QUOTE"):
        relabel_span(project, quote, "QUOTE")


def test_links_follow_the_schema(project, doc):
    quote = add_span(project, doc, "alice", "QUOTE", 1, 12).focus_span
    speaker = add_span(project, doc, "alice", "SPEAKER", TEXT.index("Vladimir"), TEXT.index(" on")).focus_span
    figure = add_span(project, doc, "alice", "FIGURE", TEXT.index("8.9"), TEXT.index(" 🎉")).focus_span
    before = snapshot(project)
    with pytest.raises(UserError, match="no single relation links SPEAKER → QUOTE"):
        add_link(project, speaker, quote, "alice")
    with pytest.raises(UserError, match="said_by links QUOTE → SPEAKER, not FIGURE → SPEAKER"):
        add_link(project, figure, speaker, "alice", "said_by")
    with pytest.raises(UserError, match="linked to itself"):
        add_link(project, quote, quote, "alice")
    assert snapshot(project) == before
    change = add_link(project, quote, speaker, "alice")
    [link] = change.rows("relations")
    with pytest.raises(UserError, match="already linked"):
        add_link(project, quote, speaker, "alice")
    removal = remove_link(project, link["id"])
    assert snapshot(project) == before
    apply(project, removal.inverse())
    with project.read() as session:
        assert session.scalars(select(Relation.id)).all() == [link["id"]]


def test_status_timestamps(project, doc):
    set_status(project, doc, "bob", "in_progress")
    with project.read() as session:
        row = session.scalar(select(DocumentStatus))
        started = row.started_at
        assert row.finished_at is None
    change = set_status(project, doc, "bob", "done")
    with project.read() as session:
        row = session.scalar(select(DocumentStatus))
        assert (row.status, row.started_at) == ("done", started)
        assert row.finished_at is not None
    apply(project, change.inverse())
    with project.read() as session:
        assert session.scalar(select(DocumentStatus.status)) == "in_progress"
    with pytest.raises(UserError, match="status 'finished' is unknown"):
        set_status(project, doc, "bob", "finished")


def test_replaying_a_stale_change_is_refused_and_changes_nothing(project, doc):
    change = add_span(project, doc, "alice", "QUOTE", 1, 12)
    apply(project, change.inverse())
    apply(project, change)
    before = snapshot(project)
    with pytest.raises(UserError, match="changed elsewhere"):
        apply(project, change)  # the span is already there
    assert snapshot(project) == before


def test_document_rows_and_next_unfinished(sample_project):
    with sample_project.read() as session:
        alice = document_rows(session, "alice")
        dave = document_rows(session, "dave")
    assert list(alice["status"]) == ["done"] * 5 and (alice["spans"] > 0).all()
    assert list(dave["status"]) == ["todo"] * 5 and (dave["spans"] == 0).all()
    assert next_unfinished(alice, None) is None
    ids = list(dave["id"])
    assert next_unfinished(dave, ids[1]) == ids[2]
    assert next_unfinished(dave, ids[-1]) == ids[0]  # wraps around
    set_status(sample_project, ids[2], "dave", "skipped")
    with sample_project.read() as session:
        assert next_unfinished(document_rows(session, "dave"), ids[1]) == ids[3]


def test_core_commands_do_not_import_qt():
    assert "PySide6" not in open(commands.__file__, encoding="utf-8").read()


def test_document_annotations_follow_changes_like_a_fresh_load(project, doc):
    from annotator.annotations import DocumentAnnotations

    with project.read() as session:
        state = DocumentAnnotations.load(session, doc, "alice")  # alice does not exist yet
    changes = [add_span(project, doc, "alice", "QUOTE", 1, 12)]
    quote = changes[0].focus_span
    changes.append(add_span(project, doc, "alice", "SPEAKER", TEXT.index("Vladimir"), TEXT.index(" on")))
    changes.append(add_link(project, quote, changes[1].focus_span, "alice"))
    changes.append(relabel_span(project, quote, "THREAT"))
    changes.append(delete_span(project, changes[1].focus_span))
    touched = [state.apply(change) for change in changes]
    speaker, link = changes[1].focus_span, changes[2].inserted[0][1]["id"]
    assert [(t.spans, t.spans_removed, t.links, tuple(l.id for l in t.links_removed)) for t in touched] == [
        ({quote}, set(), set(), ()), ({speaker}, set(), set(), ()), (set(), set(), {link}, ()),
        ({quote}, set(), set(), (link,)),  # a THREAT may not be said_by: the relabel drops the link
        (set(), {speaker}, set(), ())]
    assert all(touched)

    def fresh():
        with project.read() as session:
            return DocumentAnnotations.load(session, doc, "alice")

    assert (state.spans, state.links) == (fresh().spans, fresh().links)
    for change in reversed(changes[1:]):
        apply(project, change.inverse())
        state.apply(change.inverse())
        assert (state.spans, state.links) == (fresh().spans, fresh().links)


def test_link_targets_follow_the_schema(project):
    from annotator.commands import link_targets
    from annotator.schema import project_schema

    with project.read() as session:
        schema = project_schema(session)
    assert link_targets(schema, "QUOTE") == {"SPEAKER"}
    assert link_targets(schema, "THREAT") == {"SPEAKER"}
    assert link_targets(schema, "FIGURE") == set()
