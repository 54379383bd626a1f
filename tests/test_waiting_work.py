"""The file of marks that waited for a server that never came back: importing it stores exactly the
spans the window would have stored (snapped to tokens the same way), once, without finishing the
document; a wrong `_status` in such a file is refused with its line."""

import json

import pytest

from annotator import commands
from annotator.errors import UserError
from annotator.importing import import_path
from annotator.queries import document_text
from annotator.waiting_work import waiting_span, write_waiting_spans
from tests.test_window_marking import stored

TEXT = "Vladimir Putin said on Tuesday that Russia would respond."


def test_the_file_restores_the_marks_as_add_span_stores_them(project, tmp_path):
    (tmp_path / "article.txt").write_text(TEXT, encoding="utf-8")
    import_path(project, tmp_path / "article.txt")
    with project.read() as session:
        text, tokens = document_text(session, 1)
    marks = [("SPEAKER", 1, 7, False), ("QUOTE", 9, 15, False), ("THREAT", 36, 42, True)]  # inside words, a space
    waiting = [waiting_span("article.txt", text, tokens, "alice", label, start, end, exact)
               for label, start, end, exact in marks]
    assert waiting_span("article.txt", text, tokens, "alice", "QUOTE", 8, 9) is None  # whitespace only
    saved = tmp_path / "waiting.jsonl"
    assert write_waiting_spans(saved, waiting) == 1  # one record: one document, one annotator
    import_path(project, saved)
    imported = stored(project)
    for label, start, end, exact in marks:  # the same marks by bob, through add_span
        commands.add_span(project, 1, "bob", label, start, end, exact=exact)
    assert sorted(stored(project)) == sorted(imported * 2)
    assert imported == [("SPEAKER", 0, 8), ("QUOTE", 9, 14), ("THREAT", 36, 42)]
    record = json.loads(saved.read_text(encoding="utf-8"))
    assert record["_status"] == "in_progress" and record["meta"] == {"name": "article.txt"}


def test_a_wrong_status_in_an_accepted_record_is_refused_with_its_line(project, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": TEXT, "spans": [], "answer": "accept", "_annotator_id": "alice",
                               "_status": "finished"}) + "\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"bad.jsonl:1: field '_status' must be one of todo, in_progress, done, "
                                        r"skipped, got 'finished'"):
        import_path(project, bad)


def test_a_folder_that_cannot_be_written_is_said_in_one_line(tmp_path):
    with pytest.raises(UserError, match="cannot write the waiting work there"):
        write_waiting_spans(tmp_path / "missing" / "waiting.jsonl", [])
