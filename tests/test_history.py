"""The project's History without Qt: run, undo and redo restore the store row for row, every
subscriber hears every written Change once and in order, and a refused step moves nothing."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.changes import Change
from annotator.commands import add_link, add_span, delete_span, relabel_span, set_status
from annotator.errors import ProjectBusy, UserError
from annotator.history import History
from tests.conftest import ON_SERVER
from tests.helpers import another_program_writing, snapshot
from tests.test_commands import TEXT, doc  # noqa: F401 — the same one-article project as the commands' tests


@pytest.fixture
def history(project, doc):
    return History(project)


def heard_by(history) -> list[Change]:
    heard: list[Change] = []
    history.subscribe(heard.append)
    return heard


def span_at(word: str) -> tuple[int, int]:
    start = TEXT.index(word)
    return start, start + len(word)


def test_undo_and_redo_restore_the_store_row_for_row(project, doc, history):
    states = [snapshot(project)]
    speaker = history.run(add_span, project, doc, "alice", "SPEAKER", *span_at("Vladimir Putin")).focus_span
    states.append(snapshot(project))
    quote = history.run(add_span, project, doc, "alice", "QUOTE", *span_at("We will act")).focus_span
    states.append(snapshot(project))
    history.run(add_link, project, quote, speaker, "alice")
    states.append(snapshot(project))
    history.run(relabel_span, project, quote, "THREAT")  # takes the link with it
    states.append(snapshot(project))
    history.run(delete_span, project, speaker)
    states.append(snapshot(project))
    history.run(set_status, project, doc, "alice", "done")
    states.append(snapshot(project))
    assert len(history) == history.index == 6
    for index in range(6, 0, -1):
        history.undo()
        assert snapshot(project) == states[index - 1] and history.index == index - 1
    assert not history.can_undo() and history.can_redo()
    for index in range(1, 7):
        history.redo()  # the same rows with the same ids and timestamps
        assert snapshot(project) == states[index]
    assert not history.can_redo()


def test_every_subscriber_hears_the_command_the_inverse_and_the_replay(project, doc, history):
    first, second = heard_by(history), heard_by(history)
    change = history.run(add_span, project, doc, "alice", "SPEAKER", *span_at("Putin"))
    undone = history.undo()
    redone = history.redo()
    assert undone == change.inverse() and redone == change
    assert first == second == [change, change.inverse(), change]


def test_the_next_steps_are_described(project, doc, history):
    assert (history.undo_text(), history.redo_text()) == ("", "")
    history.run(add_span, project, doc, "alice", "SPEAKER", *span_at("Putin"))
    assert history.undo_text() == "add SPEAKER “Putin”" and history.redo_text() == ""
    history.undo()
    assert history.undo_text() == "" and history.redo_text() == "add SPEAKER “Putin”"


def test_a_change_can_be_applied_through_the_history(project, doc, history):
    outside = add_span(project, doc, "alice", "SPEAKER", *span_at("Putin"))  # made without the history
    with_span = snapshot(project)
    heard = heard_by(history)
    history.run(outside.inverse())  # a built Change: applied here, once
    assert heard == [outside.inverse()] and history.undo_text() == outside.inverse().description
    history.undo()
    assert snapshot(project) == with_span


def test_an_empty_change_is_neither_recorded_nor_announced(project, doc, history):
    heard = heard_by(history)
    assert not history.run(Change("accept 0 spans into gold"))
    assert heard == [] and len(history) == 0 and not history.can_undo()


def test_a_new_edit_after_an_undo_drops_the_redo(project, doc, history):
    history.run(add_span, project, doc, "alice", "SPEAKER", *span_at("Putin"))
    history.undo()
    history.run(add_span, project, doc, "alice", "FIGURE", *span_at("8.9%"))
    assert not history.can_redo() and len(history) == 1
    with pytest.raises(UserError, match="nothing to redo"):
        history.redo()


def test_an_undo_of_rows_changed_elsewhere_is_refused_and_moves_nothing(project, doc, history):
    history.run(add_span, project, doc, "alice", "FIGURE", *span_at("8.9%"))
    span = history.run(add_span, project, doc, "alice", "SPEAKER", *span_at("Putin")).focus_span
    delete_span(project, span)  # another window or program, not through this history
    before = snapshot(project)
    heard = heard_by(history)
    with pytest.raises(UserError, match="changed elsewhere"):
        history.undo()
    assert snapshot(project) == before and heard == []
    assert history.index == 2 and history.undo_text() == "add SPEAKER “Putin”"  # the stack kept
    history.discard()  # the caller gives up that step: the one before it can still be undone
    history.undo()
    assert heard[0].description == "undo add FIGURE “8.9%”" and history.index == 0


def test_a_redo_of_rows_changed_elsewhere_is_refused_and_moves_nothing(project, doc, history):
    change = history.run(add_span, project, doc, "alice", "SPEAKER", *span_at("Putin"))
    history.undo()
    add_span(project, doc, "alice", "QUOTE", *span_at("We will act"))  # outside it: takes the ids the redo needs
    before = snapshot(project)
    with pytest.raises(UserError, match="changed elsewhere"):
        history.redo()
    assert snapshot(project) == before and history.redo_text() == change.description


def test_a_step_behind_another_writer_waits_with_the_history_unmoved(project, doc, history):
    history.run(add_span, project, doc, "alice", "SPEAKER", *span_at("Putin"))
    before = snapshot(project)
    project.busy_timeout = 0.1
    with another_program_writing(project):
        with pytest.raises(ProjectBusy):
            history.undo()
        with pytest.raises(ProjectBusy):
            history.run(add_span, project, doc, "alice", "FIGURE", *span_at("8.9%"))
    assert snapshot(project) == before and history.index == len(history) == 1
    history.undo()  # once the lock is free
    assert history.index == 0


def test_a_change_written_while_subscribers_hear_another_is_told_after_it(project, doc, history):
    heard_first: list[str] = []
    heard_second: list[str] = []

    def reacting(change):  # e.g. a view that marks the document in progress when it hears a span
        heard_first.append(change.description)
        if change.description.startswith("add"):
            history.run(set_status, project, doc, "bob", "in_progress")

    history.subscribe(reacting)
    history.subscribe(lambda change: heard_second.append(change.description))
    history.run(add_span, project, doc, "alice", "SPEAKER", *span_at("Putin"))
    assert heard_first == heard_second == ["add SPEAKER “Putin”", "mark document in progress"]


def test_an_unsubscribed_view_hears_nothing_more_and_a_failing_one_does_not_silence_the_others(
        project, doc, history):
    heard: list[Change] = []
    stop = history.subscribe(heard.append)

    def broken(_change):
        raise RuntimeError("view gone")

    history.subscribe(broken)
    after: list[Change] = []
    history.subscribe(after.append)
    with pytest.raises(RuntimeError, match="view gone"):
        history.run(add_span, project, doc, "alice", "SPEAKER", *span_at("Putin"))
    assert len(heard) == len(after) == 1 and history.index == 1  # written, recorded, told to all
    stop()
    history.unsubscribe(broken)
    history.undo()
    assert len(heard) == 1 and len(after) == 2


WORDS = ["We will act", "Vladimir Putin", "Tuesday", "Prices", "8.9%", "Moscow"]
STEPS = st.lists(st.one_of(st.tuples(st.just("add"), st.sampled_from(WORDS)),
                           st.just(("undo",)), st.just(("redo",))), max_size=8)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_any_walk_of_runs_undos_and_redos_leaves_the_store_as_the_index_says(project, doc, steps):
    history = History(project)
    states = [snapshot(project)]  # the store at each index of the history
    for step in steps:
        try:
            if step[0] == "add":
                history.run(add_span, project, doc, "alice", "SPEAKER", *span_at(step[1]))
                states[history.index:] = [snapshot(project)]
            elif step[0] == "undo":
                history.undo()
            else:
                history.redo()
        except UserError:  # already marked, or nothing to undo / redo: nothing moved
            pass
        assert snapshot(project) == states[history.index]
    while history.can_undo():  # the next example starts from the imported document again
        history.undo()
    assert snapshot(project) == states[0]


@pytest.mark.skipif(ON_SERVER, reason="on a server a removal takes the login's grants and the server refuses: "
                                      "tests/test_live_progress_server.py")
def test_a_check_refuses_an_undo_or_redo_before_anything_is_written(project, doc, history):
    from annotator.errors import ProjectReadOnly
    from annotator.queue import check_editable
    from annotator.team.members import team_add, team_remove

    team_add(project, "alice", "annotator")
    history.check = lambda step: check_editable(project, step.documents(), "alice")
    history.run(add_span, project, doc, "alice", "SPEAKER", *span_at("Vladimir Putin"))
    history.run(add_span, project, doc, "alice", "QUOTE", *span_at("We will act"))
    history.undo()
    team_remove(project, "alice")
    before = snapshot(project)
    for step in (history.undo, history.redo):
        with pytest.raises(ProjectReadOnly, match="removed from this project"):
            step()
        assert snapshot(project) == before
        assert (len(history), history.index) == (2, 1)
