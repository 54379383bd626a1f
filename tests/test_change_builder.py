"""The ChangeBuilder and apply_in: new ids counted on from the store's highest, inverses that
restore every byte, conflicting changes refused with nothing written, and a large Change written
with one statement per table instead of one per row."""

import pytest
from sqlalchemy import event, func, select

from annotator import queries, rules
from annotator.review import adjudication
from annotator.review.auto_adjudication import adjudicate_project
from annotator.change_builder import ChangeBuilder
from annotator.changes import apply
from annotator.commands import add_link, add_span, relabel_span
from annotator.errors import UserError
from annotator.model import Relation, Span, utcnow
from tests.helpers import plain_connection, snapshot


def _document(project) -> tuple[int, int]:
    with project.read() as session:
        row = queries.documents(session).iloc[0]
    return int(row["id"]), int(row["length"])


def _highest_span(project) -> int:
    with project.read() as session:
        return session.scalar(select(func.max(Span.id)))


def test_new_rows_are_numbered_on_from_the_highest_stored_id(sample_project):
    highest = _highest_span(sample_project)
    with sample_project.transaction() as session:
        build = ChangeBuilder(session)
        first, second = build.new_id("spans"), build.new_id("spans")
    document, _ = _document(sample_project)
    added = add_span(sample_project, document, "zoe", "QUOTE", 0, 5)
    if sample_project.engine.dialect.name == "sqlite":
        assert [first, second] == [highest + 1, highest + 2]
        # nothing applied: the next command starts from the same highest id
        assert added.focus_span == highest + 1
    else:  # a server's sequence: each id handed out once, whoever asks (row security hides others' rows)
        assert highest < first < second < added.focus_span
    apply(sample_project, added.inverse())
    apply(sample_project, added)  # redo: the same id again
    with sample_project.read() as session:
        assert session.scalar(select(Span.annotator_id).where(Span.id == added.focus_span)) == \
            added.annotators_added()[0]["id"]


def test_inverse_of_a_whole_adjudication_restores_every_byte(sample_project):
    before = snapshot(sample_project)
    result = adjudicate_project(sample_project, "rita")
    change = result.change
    assert change.rows("spans") and change.rows("relations") and change.rows("annotators")
    after = snapshot(sample_project)
    apply(sample_project, change.inverse())
    assert snapshot(sample_project) == before
    apply(sample_project, change)
    assert snapshot(sample_project) == after


def test_a_gold_edit_by_a_new_reviewer_is_undone_with_the_reviewer(sample_project):
    """The reviewer's row is part of the edit's Change: in before the update that names it,
    out after the update that forgets it."""
    document, _ = _document(sample_project)
    accepted = adjudication.premerge_unanimous(sample_project, document, "rita")
    gold_span = accepted.focus_span or accepted.rows("spans")[0]["id"]
    before = snapshot(sample_project)
    edited = adjudication.edit_gold_span(sample_project, gold_span, "newcomer", label="FIGURE")
    assert [row["name"] for row in edited.annotators_added()] == ["newcomer"]
    apply(sample_project, edited.inverse())
    assert snapshot(sample_project) == before


def test_a_redo_whose_id_someone_else_took_meanwhile_is_refused_and_writes_nothing(sample_project):
    document, _ = _document(sample_project)
    mine = add_span(sample_project, document, "alice", "QUOTE", 0, 5)
    apply(sample_project, mine.inverse())
    if sample_project.engine.dialect.name == "sqlite":
        theirs = add_span(sample_project, document, "bob", "THREAT", 0, 5)
        assert theirs.focus_span == mine.focus_span  # the freed id, taken by the next span
    else:  # a server's sequence never hands a freed id out again: another program takes it by hand
        row = mine.rows("spans")[0]
        with plain_connection(sample_project) as other:
            other.execute('INSERT INTO spans (id, document_id, doc_length, annotator_id, label_id, start, "end", '
                          "origin, created_at, updated_at) SELECT %s, %s, %s, id, %s, 0, 5, 'manual', now(), now() "
                          "FROM annotators WHERE name = 'bob'",
                          (row["id"], row["document_id"], row["doc_length"], row["label_id"]))
    before = snapshot(sample_project)
    with pytest.raises(UserError, match=f"span {mine.focus_span} was changed elsewhere"):
        apply(sample_project, mine)
    assert snapshot(sample_project) == before


def test_undoing_many_rows_of_which_one_changed_meanwhile_is_refused_and_writes_nothing(sample_project):
    change = adjudicate_project(sample_project, "rita").change
    linked = {row[end] for row in change.rows("relations") for end in ("head_id", "child_id")}
    # the last unlinked span of the batch: the rows before it would go through
    row = [row for row in change.rows("spans") if row["id"] not in linked][-1]
    edited = row["id"]
    with sample_project.read() as session:
        figure = rules.label_id(session, "FIGURE")
    adjudication.edit_gold_span(sample_project, edited, "rita", label="THREAT" if row["label_id"] == figure else "FIGURE")
    before = snapshot(sample_project)
    with pytest.raises(UserError, match=f"span {edited} was changed elsewhere"):
        apply(sample_project, change.inverse())
    assert snapshot(sample_project) == before


def test_undoing_a_relabel_someone_relabelled_again_is_refused(sample_project):
    document, _ = _document(sample_project)
    quote = add_span(sample_project, document, "zoe", "QUOTE", 0, 5).focus_span
    first = relabel_span(sample_project, quote, "THREAT")
    relabel_span(sample_project, quote, "FIGURE")
    before = snapshot(sample_project)
    with pytest.raises(UserError, match=f"span {quote} was changed elsewhere"):
        apply(sample_project, first.inverse())
    assert snapshot(sample_project) == before


def test_a_change_of_a_thousand_spans_is_one_insert_and_a_few_key_checks(sample_project):
    document, length = _document(sample_project)
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_):
        statements.append(" ".join(statement.split()).lower())

    with sample_project.transaction() as session:
        build = ChangeBuilder(session)
        who, label, now = rules.annotator_id(build, "bulk"), rules.label_id(session, "FIGURE"), utcnow()
        for start in range(1000):
            build.insert("spans", {"document_id": document, "doc_length": length, "annotator_id": who,
                                   "label_id": label, "start": start % (length - 1), "end": start % (length - 1) + 1
                                   + start // (length - 1), "origin": "manual", "created_at": now, "updated_at": now})
        event.listen(sample_project.engine, "before_cursor_execute", seen)
        try:
            change = build.apply("many")
        finally:
            event.remove(sample_project.engine, "before_cursor_execute", seen)
    span_inserts = [s for s in statements if s.startswith("insert into spans")]
    key_checks = [s for s in statements if s.startswith("select spans.id") and " in " in s]
    assert len(change.rows("spans")) == 1000
    assert len(span_inserts) == 1 and len(key_checks) == 3  # 400 keys per check
    with sample_project.read() as session:
        assert session.scalar(select(func.count()).select_from(Span).where(Span.annotator_id == who)) == 1000


def test_a_built_builder_records_nothing_more(sample_project):
    with sample_project.transaction() as session:
        build = ChangeBuilder(session)
        build.build("nothing")
        with pytest.raises(RuntimeError, match="built already"):
            build.insert("annotators", {"name": "late", "role": "annotator", "created_at": utcnow()})


def test_a_row_removed_twice_or_altered_then_removed_is_removed_once(sample_project):
    before = snapshot(sample_project)
    with sample_project.transaction() as session:
        link = session.execute(select(Relation.__table__).limit(1)).mappings().one()
        span = rules.span_row(session, link["head_id"])
        build = ChangeBuilder(session)
        build.delete("relations", link)
        build.update("spans", span, updated_at=utcnow())
        rules.remove_span(build, span)  # the link again, and the span just altered
        change = build.apply("remove twice")
    assert len(change.deleted) == 1 + len(change.rows("relations", "deleted")) and not change.updated
    assert change.rows("spans", "deleted")[0] == span
    apply(sample_project, change.inverse())
    assert snapshot(sample_project) == before


def test_a_link_to_a_span_added_in_the_same_change_goes_in_after_it(sample_project):
    """Parents before children: gold's new spans, then the links between them, in one apply."""
    document, _ = _document(sample_project)
    result = adjudicate_project(sample_project, "rita")
    new_spans = {row["id"] for row in result.change.rows("spans")}
    assert any(row["head_id"] in new_spans for row in result.change.rows("relations"))
    quote = add_span(sample_project, document, "zoe", "QUOTE", 0, 5).focus_span
    speaker = add_span(sample_project, document, "zoe", "SPEAKER", 6, 12).focus_span
    assert add_link(sample_project, quote, speaker, "zoe").links_touched().added
