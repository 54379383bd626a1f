"""The spans a QUOTE or THREAT may link to, as the window offers them: nearest first."""

from annotator import commands, queries
from annotator.annotations import DocumentAnnotations
from annotator.importing import import_path
from annotator.schema import project_schema

TEXT = "Ann met Bob. Bob said: we will win 3 seats, and Dan agreed with Cyd."


def test_link_candidates_are_the_targets_nearest_first(project, tmp_path):
    (tmp_path / "talk.txt").write_text(TEXT, encoding="utf-8")
    import_path(project, tmp_path / "talk.txt")
    with project.read() as session:
        [document] = queries.documents(session)["id"].tolist()

    def mark(label, words, after=0):
        start = TEXT.index(words, after)
        return commands.add_span(project, document, "ana", label, start, start + len(words)).focus_span

    ann, bob, second_bob = mark("SPEAKER", "Ann"), mark("SPEAKER", "Bob"), mark("SPEAKER", "Bob", 10)
    quote, figure = mark("QUOTE", "we will win 3 seats"), mark("FIGURE", "3")
    dan, cyd = mark("SPEAKER", "Dan"), mark("SPEAKER", "Cyd")
    commands.add_span(project, document, "ben", "SPEAKER", 0, 3)  # another person's span is never offered
    with project.read() as session:
        state = DocumentAnnotations.load(session, document, "ana")
        schema = project_schema(session)
    targets = commands.link_targets(schema, "QUOTE")
    # distances from the QUOTE's start (23): Ann 23, Bob 15, Bob 10, Dan 25, Cyd 41 (the FIGURE 12)
    assert [state.spans[i].start for i in (ann, bob, second_bob, dan, cyd)] == [0, 8, 13, 48, 64]
    assert [s.id for s in state.link_candidates(quote, targets)] == [second_bob, bob, ann, dan, cyd]
    assert [s.id for s in state.link_candidates(quote, {"SPEAKER", "QUOTE", "FIGURE"})][:3] == [second_bob, figure, bob]
    assert state.link_candidates(figure, commands.link_targets(schema, "FIGURE")) == []
    assert quote not in {s.id for s in state.link_candidates(quote, {"QUOTE"})}
