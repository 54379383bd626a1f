"""The assignment plan as a pure function: balance, pair spread, determinism, stability."""

from collections import Counter
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.assignment.plan import check_request, overlap_count, pair_counts, plan
from annotator.errors import UserError

settings.register_profile("assign", max_examples=60, deadline=None)
settings.load_profile("assign")

team = st.integers(min_value=2, max_value=9)
share = st.sampled_from([0.0, 0.1, 0.2, 0.5, 1.0])


def _loads(result, annotators, weights):
    loads = Counter({a: 0 for a in range(annotators)})
    for doc, group in result:
        for a in group:
            loads[a] += weights[doc]
    return loads


@st.composite
def requests(draw):
    annotators = draw(team)
    return (draw(st.integers(min_value=1, max_value=400)), annotators, draw(share),
            draw(st.integers(min_value=2, max_value=annotators)), draw(st.integers(0, 2**32)))


@given(requests())
def test_every_document_once_with_the_planned_share_shared(request):
    n, annotators, overlap, per_doc, seed = request
    result = list(plan([1] * n, annotators, overlap, per_doc, seed))
    assert sorted(doc for doc, _ in result) == list(range(n))
    assert all(len(set(group)) == len(group) for _, group in result)
    assert sum(len(group) == per_doc for _, group in result) == overlap_count(n, overlap)
    assert sum(len(group) == 1 for _, group in result) == n - overlap_count(n, overlap)


@given(requests())
def test_equal_documents_give_counts_within_one(request):
    n, annotators, overlap, per_doc, seed = request
    loads = _loads(plan([1] * n, annotators, overlap, per_doc, seed), annotators, [1] * n)
    if overlap < 1.0:  # with no unshared documents the shared ones alone may leave two
        assert max(loads.values()) - min(loads.values()) <= 1
    else:
        assert max(loads.values()) - min(loads.values()) <= 2


@given(requests(), st.lists(st.integers(min_value=1, max_value=3000), min_size=400, max_size=400))
def test_words_balance_within_the_longest_document(request, words):
    n, annotators, overlap, per_doc, seed = request
    weights = words[:n]
    loads = _loads(plan(weights, annotators, 0.0, per_doc, seed), annotators, weights)
    assert max(loads.values()) - min(loads.values()) <= max(weights)


@given(team, st.integers(min_value=1, max_value=20), st.integers(0, 1000))
def test_shared_documents_spread_over_every_pair(annotators, rounds, seed):
    pairs = annotators * (annotators - 1) // 2
    n = pairs * rounds * 5  # overlap 0.2: `rounds` shared documents per pair
    result = list(plan([1] * n, annotators, 0.2, 2, seed))
    counts = pair_counts([group for _, group in result if len(group) > 1], annotators)
    assert min(counts.values()) >= rounds - 1 and max(counts.values()) <= rounds + 1


@given(st.integers(min_value=3, max_value=7), st.integers(0, 1000))
def test_groups_of_three_or_more_spread_over_their_pairs(annotators, seed):
    per_doc = 3
    groups = len(list(combinations(range(annotators), per_doc)))
    result = list(plan([1] * (groups * 4), annotators, 1.0, per_doc, seed))
    counts = pair_counts([group for _, group in result], annotators)
    expected = groups * 4 * 3 / len(counts)  # each group covers three pairs
    assert max(counts.values()) - min(counts.values()) <= max(2, expected * 0.25)


@given(requests())
def test_the_same_seed_gives_the_same_plan(request):
    n, annotators, overlap, per_doc, seed = request
    assert list(plan([1] * n, annotators, overlap, per_doc, seed)) == list(plan([1] * n, annotators, overlap, per_doc, seed))


def test_another_seed_gives_another_plan():
    assert list(plan([1] * 200, 4, 0.2, 2, 0)) != list(plan([1] * 200, 4, 0.2, 2, 1))


@given(requests(), st.integers(min_value=1, max_value=200))
def test_a_second_run_balances_the_new_totals(request, more):
    """Planning new documents on top of a balanced first run keeps the totals within one."""
    n, annotators, overlap, per_doc, seed = request
    first = list(plan([1] * n, annotators, 0.0, per_doc, seed))
    loads = _loads(first, annotators, [1] * n)
    second = list(plan([1] * more, annotators, 0.0, per_doc, seed, [loads[a] for a in range(annotators)]))
    total = loads + _loads(second, annotators, [1] * more)
    assert max(total.values()) - min(total.values()) <= 1


@given(st.integers(min_value=2, max_value=6), st.integers(0, 100))
def test_a_late_newcomer_gets_the_new_documents_first(annotators, seed):
    loads = [50] * (annotators - 1) + [0]
    result = list(plan([1] * 30, annotators, 0.0, 2, seed, loads))
    assert all(group == (annotators - 1,) for _, group in result)


@pytest.mark.parametrize(("annotators", "overlap", "per_doc", "message"), [
    (3, -0.1, 2, "from 0 to 1"), (3, 1.5, 2, "from 0 to 1"),
    (3, 0.2, 1, "at least 2"), (3, 0.2, 4, "more than the 3 annotators"), (0, 0.0, 2, "no annotators"),
])
def test_impossible_requests_are_refused(annotators, overlap, per_doc, message):
    with pytest.raises(UserError, match=message):
        check_request(annotators, overlap, per_doc)


def test_no_overlap_needs_no_second_annotator():
    check_request(1, 0.0, 1)
    assert list(plan([1, 1], 1, 0.0, 1, 0)) in ([(0, (0,)), (1, (0,))], [(1, (0,)), (0, (0,))])


@given(requests(), st.integers(min_value=0, max_value=300))
def test_a_second_run_with_overlap_balances_the_new_totals(request, extra):
    """The shared documents of a re-run continue the pair rounds; the others even the totals
    out, which they can once there are a few per annotator."""
    n, annotators, overlap, per_doc, seed = request
    first = list(plan([1] * n, annotators, overlap, per_doc, seed))
    loads = _loads(first, annotators, [1] * n)
    shared_loads = _loads([(d, g) for d, g in first if len(g) > 1], annotators, [1] * n)
    pairs = pair_counts([g for _, g in first if len(g) > 1], annotators)
    more = 5 * annotators + extra
    second = list(plan([1] * more, annotators, 0.2, per_doc, seed + 1, [loads[a] for a in range(annotators)],
                       [shared_loads[a] for a in range(annotators)], pairs))
    total = loads + _loads(second, annotators, [1] * more)
    assert max(total.values()) - min(total.values()) <= 1


@given(team, st.integers(min_value=1, max_value=300), st.integers(min_value=1, max_value=300), st.integers(0, 99))
def test_pairs_stay_even_over_reruns_with_the_same_seed(annotators, n, more, seed):
    first = list(plan([1] * n, annotators, 0.2, 2, seed))
    pairs = pair_counts([g for _, g in first if len(g) > 1], annotators)
    shared_loads = _loads([(d, g) for d, g in first if len(g) > 1], annotators, [1] * n)
    second = list(plan([1] * more, annotators, 0.2, 2, seed, None, [shared_loads[a] for a in range(annotators)], pairs))
    after = Counter(pairs) + Counter(pair_counts([g for _, g in second if len(g) > 1], annotators))
    counts = [after[pair] for pair in pairs]
    assert max(counts) - min(counts) <= 1
