"""Agreement measures against published values, undefined cases and oracles."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.agreement.measures import (
    cohen_kappa, f1_from_counts, fleiss_kappa, krippendorff_alpha_nominal, krippendorff_alpha_nominal_counts,
    krippendorff_alpha_nominal_groups, krippendorff_alpha_nominal_value_counts,
    overlap_matching, reduce_overlapping_units, span_f1, unitizing_alpha,
)

nan = np.nan


# ----------------------------------------------------------------- published values
def test_krippendorff_2011_nominal():
    data = np.array([
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ])
    assert round(krippendorff_alpha_nominal(data), 3) == 0.743


def test_cohen_artstein_poesio_two_categories():
    y1 = np.array([0] * 40 + [1] * 60)
    y2 = np.array([0] * 20 + [1] * 20 + [0] * 10 + [1] * 50)
    assert round(cohen_kappa(y1, y2), 3) == 0.348


def test_cohen_artstein_poesio_three_categories():
    # Contingency table (rows coder 1, cols coder 2) of Artstein & Poesio 2008:
    #   (0,0)=46  (1,0)=6  (1,1)=32  (1,2)=6  (2,2)=10
    # marginals: coder 1 = 46/44/10, coder 2 = 52/32/16; p_o=.88, p_e=.396.
    table = {(0, 0): 46, (1, 0): 6, (1, 1): 32, (1, 2): 6, (2, 2): 10}
    y1 = np.concatenate([[i] * n for (i, _), n in table.items()])
    y2 = np.concatenate([[j] * n for (_, j), n in table.items()])
    assert np.bincount(y1).tolist() == [46, 44, 10]
    assert np.bincount(y2).tolist() == [52, 32, 16]
    assert round(cohen_kappa(y1, y2), 4) == 0.8013


def test_fleiss_wikipedia():
    counts = np.array([
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ])
    assert round(fleiss_kappa(counts), 3) == 0.210


def test_fleiss_rejects_ragged_rows():
    with pytest.raises(ValueError):
        fleiss_kappa(np.array([[1, 1], [2, 1]]))


K2004 = [  # Krippendorff 2004, p. 254 (rater, category, begin, length)
    (0, "c", 225, 70), (0, "c", 370, 30),
    (1, "c", 220, 80), (1, "c", 355, 20), (1, "c", 400, 20),
    (0, "k", 180, 60), (0, "k", 300, 50), (1, "k", 180, 60), (1, "k", 300, 50),
]


def test_unitizing_krippendorff_2004():
    res = unitizing_alpha(K2004, 150, 300, 2)
    assert round(res["per_category"]["c"], 4) == 0.7286
    assert round(res["per_category"]["k"], 4) == 1.0
    assert round(res["overall"], 4) == 0.8587
    # intermediate values asserted by DKPro's Krippendorff2004Test
    assert round(res["observed"]["c"], 4) == 0.0144
    assert round(res["expected"]["c"], 4) == 0.0532
    assert round(res["expected"]["k"], 4) == 0.0490


def test_unitizing_accepts_dataframe():
    df = pd.DataFrame(K2004, columns=["rater", "category", "begin", "length"])
    assert round(unitizing_alpha(df, 150, 300, 2)["overall"], 4) == 0.8587


def test_unitizing_dkpro_example():
    # r0: -11111111-   r1: --1-1-1---
    units = [(0, "A", 1, 8), (1, "A", 2, 1), (1, "A", 4, 1), (1, "A", 6, 1)]
    res = unitizing_alpha(units, 0, 10, 2)
    assert round(res["observed"]["A"], 4) == 0.9100
    assert res["expected"]["A"] == pytest.approx(0.5351, abs=1e-4)  # DKPro: 0.5351 +- 1e-4
    assert round(res["per_category"]["A"], 4) == -0.7003


def test_unitizing_silent_rater_still_counts():
    # A third rater who marked nothing disagrees with both others.
    two = unitizing_alpha(K2004, 150, 300, 2)["overall"]
    three = unitizing_alpha(K2004, 150, 300, 3)["overall"]
    assert three < two


def test_reduce_overlapping_keeps_earliest_kept():
    units = [(0, "A", 0, 10), (0, "A", 5, 15), (0, "A", 12, 3), (0, "A", 12, 3),
             (0, "B", 0, 10), (1, "A", 3, 0)]
    got = reduce_overlapping_units(units)
    # (5,15) overlaps the kept (0,10) -> dropped; (12,3) overlaps only the dropped
    # one -> kept; its duplicate is dropped; the zero-length unit is dropped.
    assert list(got.itertuples(index=False, name=None)) == [
        (0, "A", 0, 10), (0, "A", 12, 3), (0, "B", 0, 10)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.sampled_from("AB"), st.integers(0, 30), st.integers(0, 8)),
                max_size=40))
def test_reduce_overlapping_units_keeps_each_unit_not_overlapping_an_earlier_kept_one(units):
    expected, kept_end = [], {}  # the rule, one unit at a time in (rater, category, begin, length) order
    for rater, category, begin, length in sorted((u for u in units if u[3] > 0)):
        last = kept_end.get((rater, category))
        if last is None or begin >= last:
            expected.append((rater, category, begin, length))
            kept_end[(rater, category)] = begin + length
    got = reduce_overlapping_units(units)
    assert list(got.itertuples(index=False, name=None)) == expected


def test_unitizing_rejects_units_outside_continuum():
    with pytest.raises(ValueError):
        unitizing_alpha([(0, "A", 5, 10)], 0, 10, 2)


# ----------------------------------------------------------------- undefined cases
def test_undefined_cases_are_none():
    assert cohen_kappa(np.array([], dtype=int), np.array([], dtype=int)) is None
    assert cohen_kappa(np.array([1, 1, 1]), np.array([1, 1, 1])) is None
    assert fleiss_kappa(np.zeros((0, 3), dtype=int)) is None
    assert fleiss_kappa(np.array([[3, 0], [3, 0]])) is None
    assert krippendorff_alpha_nominal(np.zeros((2, 0))) is None
    assert krippendorff_alpha_nominal(np.array([[1, 1, 1], [1, 1, nan]])) is None
    assert krippendorff_alpha_nominal(np.array([[1, nan], [nan, 2]])) is None
    assert krippendorff_alpha_nominal(np.full((2, 3), nan)) is None
    # two values in the domain, but only one is pairable: package returns nan
    assert krippendorff_alpha_nominal(np.array([[1, 2], [1, nan]])) is None
    assert f1_from_counts(*span_f1([], [], "exact")) is None
    assert f1_from_counts(*span_f1([], [], "overlap")) is None
    res = unitizing_alpha([], 0, 100, 2, categories=["A"])
    assert res["per_category"] == {"A": None} and res["overall"] is None
    assert unitizing_alpha([], 0, 100, 2)["overall"] is None
    assert unitizing_alpha([(0, "A", 1, 2)], 0, 10, 1)["overall"] is None


def test_defined_edge_values_are_not_none():
    assert cohen_kappa(np.array([0, 1]), np.array([1, 0])) == pytest.approx(-1.0)
    assert f1_from_counts(*span_f1([(0, 1, "X")], [], "exact")) == 0.0


# ----------------------------------------------------------------- spans
def test_span_exact_is_a_multiset_match():
    a = [(0, 5, "Q"), (0, 5, "Q"), (7, 9, "S")]
    b = [(0, 5, "Q"), (7, 9, "T"), (7, 9, "S")]
    assert span_f1(a, b, "exact") == (2, 3, 3)
    assert span_f1(np.array(a, dtype=object), b, "exact") == (2, 3, 3)


def test_span_overlap_is_half_open_and_label_aware():
    assert span_f1([(0, 5, "Q")], [(5, 9, "Q")], "overlap")[0] == 0
    assert span_f1([(0, 5, "Q")], [(4, 9, "Q")], "overlap")[0] == 1
    assert span_f1([(0, 5, "Q")], [(4, 9, "S")], "overlap")[0] == 0


def _greedy(a, b):
    used, n = set(), 0
    for s, e, lab in a:
        for j, (s2, e2, lab2) in enumerate(b):
            if j not in used and lab == lab2 and s < e2 and s2 < e:
                used.add(j)
                n += 1
                break
    return n


def test_span_overlap_is_maximum_not_greedy():
    # A0 overlaps B0 and B1, A1 only B0; A0 comes first in input and in start
    # order and B0 is its first neighbour, so greedy gives A0-B0 and loses A1.
    a = [(0, 10, "Q"), (5, 6, "Q")]
    b = [(5, 7, "Q"), (8, 9, "Q")]
    assert _greedy(a, b) == 1
    assert span_f1(a, b, "overlap") == (2, 2, 2)


def test_span_overlap_long_chain_needs_deep_augmentation():
    # A_i covers B_i and B_{i+1}; the extra A* (after A_0 in start order) only
    # covers B_0.  Greedy leaves A* unmatched; the only augmenting path runs
    # A*-B_0-A_0-B_1-...-B_n, thousands deep (a recursive DFS would overflow).
    n = 3000
    a = [(10 * i, 10 * i + 16, "Q") for i in range(n)] + [(5, 6, "Q")]
    b = [(10 * i + 5, 10 * i + 6, "Q") for i in range(n + 1)]
    assert span_f1(a, b, "overlap")[0] == n + 1


def _brute_max_matching(a, b):
    def best(i, used):
        if i == len(a):
            return 0
        s, e, lab = a[i]
        res = best(i + 1, used)
        for j, (s2, e2, lab2) in enumerate(b):
            if j not in used and lab == lab2 and s < e2 and s2 < e:
                res = max(res, 1 + best(i + 1, used | {j}))
        return res
    return best(0, frozenset())


span = st.tuples(st.integers(0, 30), st.integers(0, 8), st.sampled_from("QS")).map(
    lambda t: (t[0], t[0] + t[1], t[2]))


@settings(max_examples=300, deadline=None)
@given(st.lists(span, max_size=6), st.lists(span, max_size=6))
def test_overlap_matching_equals_brute_force(a, b):
    m, na, nb = span_f1(a, b, "overlap")
    assert (na, nb) == (len(a), len(b))
    assert m == _brute_max_matching(a, b)
    # overlap >= exact, for spans that cover at least one character
    a1, b1 = [x for x in a if x[0] < x[1]], [x for x in b if x[0] < x[1]]
    assert span_f1(a1, b1, "overlap")[0] >= span_f1(a1, b1, "exact")[0]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=1, max_size=50))
def test_cohen_identical_vectors(labels):
    y = np.array(labels)
    k = cohen_kappa(y, y)
    if len(set(labels)) >= 2:
        assert k == pytest.approx(1.0)
    else:
        assert k is None


# ----------------------------------------------------------------- alpha_U oracle
def _dkpro_walk_alpha(units, B, L, R, cat):
    """Literal segment walk of DKPro's observed/expected category disagreement."""
    def seq(r):
        return sorted((b, l) for rr, c, b, l in units if rr == r and c == cat)

    def segments(r):  # (offset, length, is_unit) covering [B, B+L)
        out, pos = [], B
        for b, l in seq(r):
            if b > pos:
                out.append((pos, b - pos, False))
            out.append((b, l, True))
            pos = b + l
        if pos < B + L:
            out.append((pos, B + L - pos, False))
        return out

    def dist(o1, l1, u1, o2, l2, u2):
        bd, ld = o1 - o2, l1 - l2
        if u1 and u2 and -l1 < bd < l2:
            return bd * bd + (bd + ld) ** 2
        if u1 and not u2 and -ld >= bd >= 0:
            return l1 * l1
        if not u1 and u2 and -ld <= bd <= 0:
            return l2 * l2
        return 0

    d_o = 0
    for r1 in range(R):
        for r2 in range(r1 + 1, R):  # DKPro's two-cursor walk, step by step
            q1, q2 = seq(r1), seq(r2)
            o1 = o2 = B
            l1 = l2 = 0
            u1 = u2 = False
            pos = B
            while pos < B + L and (q1 or q2):
                if pos == o1 + l1:
                    if q1 and pos == q1[0][0]:
                        l1, u1 = q1.pop(0)[1], True
                    else:
                        l1, u1 = (q1[0][0] if q1 else B + L) - pos, False
                    o1 = pos
                if pos == o2 + l2:
                    if q2 and pos == q2[0][0]:
                        l2, u2 = q2.pop(0)[1], True
                    else:
                        l2, u2 = (q2[0][0] if q2 else B + L) - pos, False
                    o2 = pos
                d_o += dist(o1, l1, u1, o2, l2, u2)
                pos = min(o1 + l1, o2 + l2)
    d_o = 2 * d_o / (R * (R - 1) * L * L)
    lens = [l for r in range(R) for _, l in seq(r)]
    gaps = [l for r in range(R) for _, l, u in segments(r) if not u]
    tot = sum((len(lens) - 1) * (2 * l**3 - 3 * l**2 + l) / 3
              + l * l * sum(g - l + 1 for g in gaps if g >= l) for l in lens)
    d_e = tot * 2 / L / (R * L * (R * L - 1) - sum(l * (l - 1) for l in lens))
    return d_o, d_e


@st.composite
def unit_sets(draw):
    R = draw(st.integers(2, 4))
    L = draw(st.integers(1, 40))
    units = []
    for r in range(R):
        for cat in "AB":
            pos = 0
            for _ in range(draw(st.integers(0, 4))):
                pos += draw(st.integers(0, 6))
                ln = draw(st.integers(1, 8))
                if pos + ln > L:
                    break
                units.append((r, cat, pos, ln))
                pos += ln
    return R, L, units


@settings(max_examples=300, deadline=None)
@given(unit_sets())
def test_unitizing_matches_literal_segment_walk(case):
    R, L, units = case
    res = unitizing_alpha(units, 0, L, R, categories=["A", "B"])
    for cat in "AB":
        d_o, d_e = _dkpro_walk_alpha(units, 0, L, R, cat)
        assert res["observed"][cat] == pytest.approx(d_o, rel=1e-9, abs=1e-12)
        assert res["expected"][cat] == pytest.approx(d_e, rel=1e-9, abs=1e-12)
        if d_e == 0:
            assert res["per_category"][cat] is None


@settings(max_examples=200, deadline=None)
@given(st.lists(span, max_size=8), st.lists(span, max_size=8))
def test_overlap_matching_partners_are_a_maximum_one_to_one_matching(a, b):
    a = [x for x in a if x[2] == "Q"]
    b = [x for x in b if x[2] == "Q"]
    partner = overlap_matching([x[0] for x in a], [x[1] for x in a], [x[0] for x in b], [x[1] for x in b])
    matched = [(i, int(j)) for i, j in enumerate(partner) if j >= 0]
    assert len({j for _, j in matched}) == len(matched)  # one to one
    assert all(a[i][0] < b[j][1] and b[j][0] < a[i][1] for i, j in matched)  # partners overlap
    assert len(matched) == span_f1(a, b, "overlap")[0]


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 4), st.lists(st.tuples(st.integers(0, 3), st.lists(st.sampled_from([0, 1, 2, None]),
                                                                          min_size=4, max_size=4)), max_size=30))
def test_alpha_by_group_equals_the_package_on_each_group(n_groups, columns):
    columns = [(g % n_groups, values) for g, values in columns]
    data = np.array([[np.nan if v is None else v for v in values] for _, values in columns], dtype=float).T
    data = data.reshape(4, len(columns))
    groups = np.array([g for g, _ in columns], dtype=np.int64)
    got = krippendorff_alpha_nominal_groups(data, groups, n_groups)
    for g in range(n_groups):
        expected = krippendorff_alpha_nominal(data[:, groups == g])
        assert got[g] == (None if expected is None else pytest.approx(expected, abs=1e-9))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from([0, 1, None]), min_size=3, max_size=3), max_size=30))
def test_alpha_from_value_counts_equals_the_package_on_the_matrix(columns):
    # The report's token codes: 0/1, missing where a coder did not finish; the
    # value counts always have both columns, even when one value never occurs.
    data = np.array([[np.nan if v is None else v for v in values] for values in columns], dtype=float).T
    data = data.reshape(3, len(columns))
    counts = np.stack([(data == 0).sum(axis=0), (data == 1).sum(axis=0)], axis=1)
    expected = krippendorff_alpha_nominal(data)
    got = krippendorff_alpha_nominal_value_counts(counts)
    assert got == (None if expected is None else pytest.approx(expected, abs=1e-12))


def test_alpha_from_counts_is_the_textbook_binary_case():
    # Units (0,0,1), (1,1), (0,0): o00 = 2*1/2 + 2 = 3, o11 = 2*1/1 = 2; n0 = 4, n1 = 3,
    # n = 7 -> 1 - 6*(7 - 5)/(49 - 16 - 9) = 1/2.
    got = krippendorff_alpha_nominal_counts([[2, 1], [0, 2], [2, 0]], [0, 0, 0], 1)
    assert got == [pytest.approx(0.5)]
    assert got[0] == pytest.approx(krippendorff_alpha_nominal(np.array([[0, 1, 0], [0, 1, 0], [1, np.nan, np.nan]])))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=40))
def test_cohen_on_booleans_equals_cohen_on_labels(pairs):
    a = np.array([x for x, _ in pairs])
    b = np.array([y for _, y in pairs])
    expected = cohen_kappa(np.where(a, "yes", "no"), np.where(b, "yes", "no"))
    got = cohen_kappa(a, b)
    assert got == (None if expected is None else pytest.approx(expected))
