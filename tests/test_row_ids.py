"""Row ids on both backends: commands number their rows themselves (so undo and redo recreate the
same ids), an import lets the database number them; the two never take the same id, and two
programs writing at once never either."""

import threading

from sqlalchemy import func, select

from annotator.changes import apply
from annotator.commands import add_span, delete_span
from annotator.importing import import_path
from annotator.model import Annotator, Span
from annotator.store import open_project

TEXT = "Vladimir Putin said on Tuesday that Russia would respond to the West with force."
WORDS = [(TEXT.index(word), TEXT.index(word) + len(word)) for word in TEXT.rstrip(".").split()]


def _article(tmp_path, name="a.txt", text=TEXT):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _prodigy(tmp_path, annotator):
    path = tmp_path / f"{annotator}.jsonl"
    start, end = WORDS[0][0], WORDS[1][1]
    path.write_text('{"text": "%s", "spans": [{"start": %d, "end": %d, "label": "SPEAKER"}], "answer": "accept", '
                    '"_annotator_id": "%s"}\n' % (TEXT, start, end, annotator), encoding="utf-8")
    return path


def test_ids_a_command_gives_and_ids_an_import_gets_never_meet(project, tmp_path):
    import_path(project, _article(tmp_path))
    first = add_span(project, 1, "alice", "QUOTE", *WORDS[2])  # numbered by the command: span 1, annotator 1
    second = add_span(project, 1, "alice", "QUOTE", *WORDS[3])
    apply(project, second.inverse())  # undo: span 2 is gone
    apply(project, second)  # redo: span 2 again, the same id
    import_path(project, _prodigy(tmp_path, "bob"))  # bob and his span numbered by the database
    with project.read() as session:
        spans = session.execute(select(Span.id, Annotator.name).join(Annotator, Annotator.id == Span.annotator_id)
                                .order_by(Span.id)).all()
        annotators = session.execute(select(Annotator.id, Annotator.name).order_by(Annotator.id)).all()
    assert [row["id"] for row in first.rows("spans") + second.rows("spans")] == [1, 2]
    assert spans[:2] == [(1, "alice"), (2, "alice")] and spans[2][1] == "bob" and spans[2][0] > 2
    assert annotators[0] == (1, "alice") and annotators[1][1] == "bob" and annotators[1][0] > 1
    third = add_span(project, 1, "alice", "QUOTE", *WORDS[4])  # after the import, past its ids
    assert third.rows("spans")[0]["id"] > spans[2][0]
    delete_span(project, third.focus_span)
    import_path(project, _prodigy(tmp_path, "carol"))
    with project.read() as session:
        assert session.scalar(select(func.count()).select_from(Span)) == 4


def test_two_programs_marking_at_once_lose_nothing(project, tmp_path):
    """Each program computes its next ids inside its own unit of work; the write lock keeps them apart."""
    import_path(project, _article(tmp_path))
    failures: list[BaseException] = []

    def mark(annotator: str) -> None:
        program = open_project(project.url)
        try:
            for start, end in WORDS:
                add_span(program, 1, annotator, "FIGURE", start, end)
        except BaseException as exc:  # looked at on the main thread
            failures.append(exc)
        finally:
            program.close()

    workers = [threading.Thread(target=mark, args=(name,)) for name in ("ann", "ben")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert failures == []
    with project.read() as session:
        per_annotator = dict(session.execute(
            select(Annotator.name, func.count(Span.id)).join(Span, Span.annotator_id == Annotator.id)
            .group_by(Annotator.name)).all())
    assert per_annotator == {"ann": len(WORDS), "ben": len(WORDS)}
