"""What a Change says it touched, read by every view instead of table names."""

import pytest

from annotator.review import adjudication
from annotator.changes import apply
from annotator.commands import add_link, add_span, delete_span, relabel_span, remove_link, set_status
from annotator.importing import import_path

TEXT = "“We will act,” said Vladimir Putin on Tuesday. Prices rose 8.9% in Moscow."


@pytest.fixture
def docs(project, tmp_path):
    for name in ("a.txt", "b.txt"):  # different texts: an identical one would be the same document
        (tmp_path / name).write_text(TEXT + (" Again." if name == "b.txt" else ""), encoding="utf-8")
    import_path(project, tmp_path / "a.txt")
    import_path(project, tmp_path / "b.txt")
    return 1, 2


def test_each_command_names_its_document_spans_links_and_status(project, docs):
    a, b = docs
    quote = add_span(project, b, "alice", "QUOTE", 0, TEXT.index(",”") + 2)
    assert quote.documents() == {b}
    [quote_id] = quote.spans_touched().added
    assert not quote.links_touched()
    assert quote.status_after(b) == "in_progress" and quote.status_after(a) is None
    alice = quote.annotators_added()[0]["id"]
    assert quote.status_after(b, alice) == "in_progress" and quote.status_after(b, alice + 1) is None

    start = TEXT.index("Vladimir")
    speaker = add_span(project, b, "alice", "SPEAKER", start, start + len("Vladimir Putin"))
    [speaker_id] = speaker.spans_touched().added
    link = add_link(project, quote_id, speaker_id, "alice")
    assert link.documents() == {b}  # a link row names no document; the change still does
    [link_id] = link.links_touched().added

    relabel = relabel_span(project, speaker_id, "FIGURE")  # said_by no longer fits: the link goes too
    assert relabel.documents() == {b}
    assert relabel.spans_touched().changed == {speaker_id}
    assert relabel.links_touched().removed == {link_id}
    undone = apply(project, relabel.inverse())
    assert undone.documents() == {b} and undone.links_touched().added == {link_id}

    assert remove_link(project, link_id).documents() == {b}
    deleted = delete_span(project, quote_id)
    assert deleted.documents() == {b} and deleted.spans_touched().removed == {quote_id}
    assert set_status(project, a, "alice", "done").status_after(a) == "done"
    back = apply(project, add_span(project, a, "bob", "QUOTE", 0, 5).inverse())
    assert back.status_after(a, back.rows("annotators", "deleted")[0]["id"]) == "todo"  # no row: not started


def test_gold_edits_name_their_document(project, docs):
    a, _ = docs
    span = add_span(project, a, "alice", "QUOTE", 0, TEXT.index(",”") + 2).focus_span
    accepted = adjudication.accept_span(project, span, "rita")
    gold_span = accepted.focus_span
    assert accepted.documents() == {a}
    edited = adjudication.edit_gold_span(project, gold_span, "rita", label="THREAT")
    assert edited.documents() == {a} and edited.spans_touched().changed == {gold_span}
    assert not edited.spans_touched().added
