"""Nesting levels kept up to date change by change are the levels of a fresh sweep."""

from typing import NamedTuple

from hypothesis import given, settings
from hypothesis import strategies as st

from ui.span_levels import SpanLevels, nesting_levels


class Placed(NamedTuple):
    id: int
    start: int
    end: int


ranges = st.tuples(st.integers(0, 60), st.integers(1, 25)).map(lambda r: (r[0], r[0] + r[1]))
# a step: add a span (a range), remove the i-th shown span, or move the i-th one elsewhere
steps = st.lists(st.one_of(ranges.map(lambda r: ("add", r)), st.integers(0, 30).map(lambda i: ("remove", i)),
                           st.tuples(st.integers(0, 30), ranges).map(lambda m: ("move", m))), max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.lists(ranges, max_size=30), steps)
def test_levels_after_each_change_are_those_of_a_fresh_sweep(initial, script):
    spans = {i: Placed(i, start, end) for i, (start, end) in enumerate(initial)}
    levels = SpanLevels(spans.values())
    next_id = len(spans)
    for kind, what in script:
        before = dict(levels.levels)
        if kind == "add":
            span = Placed(next_id, *what)
            next_id += 1
            spans[span.id] = span
            redraw = levels.update([span])
        elif not spans:
            continue
        elif kind == "remove":
            span_id = sorted(spans)[what % len(spans)]
            del spans[span_id]
            redraw = levels.update(removed_ids=[span_id])
        else:
            span_id = sorted(spans)[what[0] % len(spans)]
            spans[span_id] = Placed(span_id, *what[1])
            redraw = levels.update([spans[span_id]])
        assert levels.levels == nesting_levels(spans.values())
        assert levels.spans == spans
        # every span whose level moved is reported (and nothing that is gone)
        assert {i for i in spans if before.get(i) != levels.levels[i]} <= redraw <= set(spans)


def test_a_span_over_everything_pushes_every_other_one_level_down():
    levels = SpanLevels([Placed(0, 0, 5), Placed(1, 10, 15), Placed(2, 12, 14)])
    assert levels.levels == {0: 0, 1: 0, 2: 1}
    assert levels.update([Placed(3, 0, 20)]) == {0, 1, 2, 3}
    assert levels.levels == {3: 0, 0: 1, 1: 1, 2: 2}
    assert levels.update(removed_ids=[3]) == {0, 1, 2}
    assert levels.levels == {0: 0, 1: 0, 2: 1}


def test_a_span_far_away_leaves_the_others_alone():
    levels = SpanLevels([Placed(i, 10 * i, 10 * i + 8) for i in range(100)] + [Placed(100, 500, 505)])
    assert levels.update([Placed(101, 2000, 2005)]) == {101}
    assert levels.update([Placed(100, 500, 505)]) == {100}  # same range (a relabel): only itself
