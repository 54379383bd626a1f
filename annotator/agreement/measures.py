"""Pure agreement measures (numpy / pandas / krippendorff only).

Every function returns ``None`` where the coefficient is undefined (no data, or
an expected agreement/disagreement that makes the ratio 0/0).  A fake 0 or 1
would be indistinguishable from a real result in reports and averages.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import krippendorff
import numpy as np
import pandas as pd

__all__ = [
    "cohen_kappa", "fleiss_kappa", "krippendorff_alpha_nominal", "krippendorff_alpha_nominal_groups",
    "krippendorff_alpha_nominal_counts", "krippendorff_alpha_nominal_value_counts",
    "span_f1", "overlap_matching", "f1_from_counts", "reduce_overlapping_units", "unitizing_alpha",
]


# --------------------------------------------------------------------------- coding
def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float | None:
    a, b = np.asarray(a).ravel(), np.asarray(b).ravel()
    if a.shape != b.shape:
        raise ValueError("label vectors must have equal length")
    n = a.size
    if n == 0:
        return None
    if a.dtype == bool and b.dtype == bool:  # token codes: millions of them, two counts suffice
        ones_a, ones_b = int(np.count_nonzero(a)), int(np.count_nonzero(b))
        agree = n - int(np.count_nonzero(a ^ b))
        pe_num = ones_a * ones_b + (n - ones_a) * (n - ones_b)
        if pe_num == n * n:
            return None
        p_o, p_e = agree / n, pe_num / (n * n)
        return (p_o - p_e) / (1.0 - p_e)
    # Encode both vectors against one shared code book so labels of any type work;
    # int labels are their own code book.
    both = np.concatenate([a, b])
    if both.dtype.kind in "bui":
        codes = both.astype(np.int64) - int(both.min())
    else:
        _, codes = np.unique(both, return_inverse=True)
    ca, cb = codes[:n], codes[n:]
    k = int(codes.max()) + 1
    agree = int(np.count_nonzero(ca == cb))
    # Integer arithmetic: p_e == 1 is then tested exactly, not up to rounding.
    pe_num = int(np.dot(np.bincount(ca, minlength=k).astype(np.int64),
                        np.bincount(cb, minlength=k).astype(np.int64)))
    if pe_num == n * n:
        return None
    p_o, p_e = agree / n, pe_num / (n * n)
    return (p_o - p_e) / (1.0 - p_e)


def fleiss_kappa(counts: np.ndarray) -> float | None:
    counts = np.asarray(counts, dtype=np.int64)
    if counts.ndim != 2:
        raise ValueError("counts must be a subjects x categories matrix")
    n_subj = counts.shape[0]
    if n_subj == 0:
        return None
    row = counts.sum(axis=1)
    n = int(row[0])
    if (counts < 0).any() or (row != n).any() or n < 2:
        raise ValueError("every subject needs the same number (>= 2) of ratings")
    col = counts.sum(axis=0)
    total = n_subj * n
    if int(np.dot(col, col)) == total * total:  # everyone used one category
        return None
    p_bar = float(((counts * counts).sum(axis=1) - n).sum()) / (n_subj * n * (n - 1))
    p_e = float(np.dot(col, col)) / (total * total)
    return (p_bar - p_e) / (1.0 - p_e)


def krippendorff_alpha_nominal(reliability: np.ndarray) -> float | None:
    data = np.asarray(reliability, dtype=float)
    if data.ndim != 2 or data.size == 0:
        return None
    return _package_alpha(reliability_data=data)


def krippendorff_alpha_nominal_value_counts(counts: np.ndarray) -> float | None:
    """The same coefficient from value counts: counts[u, v] = how many coders gave
    unit u the v-th value.  The package then skips finding the value domain and
    counting values in the (coders, units) matrix, most of its time on 10^6 units."""
    counts = np.asarray(counts, dtype=np.int64)
    if counts.ndim != 2 or counts.size == 0:
        return None
    return _package_alpha(value_counts=counts)


def _package_alpha(**data) -> float | None:
    try:
        # The package raises for "< 2 pairable values / one value in the domain"
        # and divides 0/0 when only one value is pairable; both mean undefined.
        with np.errstate(divide="ignore", invalid="ignore"):
            value = krippendorff.alpha(**data, level_of_measurement="nominal")
    except (ValueError, ZeroDivisionError):
        return None
    value = float(value)
    return value if np.isfinite(value) else None


def krippendorff_alpha_nominal_groups(reliability: np.ndarray, groups: np.ndarray, n_groups: int) -> list:
    """Nominal alpha of each group of units (columns), in one pass: one value or None per group.

    The same coefficient as krippendorff_alpha_nominal on each group's columns (a
    test checks it); the package takes one matrix per call, which costs ~0.3 ms
    each and dominates a report with one alpha per document and label."""
    data = np.asarray(reliability, dtype=float)
    values = np.unique(data[~np.isnan(data)])
    counts = np.stack([(data == v).sum(axis=0) for v in values], axis=1) if values.size else \
        np.zeros((data.shape[1], 0), dtype=np.int64)
    return krippendorff_alpha_nominal_counts(counts, groups, n_groups)


def krippendorff_alpha_nominal_counts(counts: np.ndarray, groups: np.ndarray, n_groups: int) -> list:
    """Nominal alpha per group from value counts: counts[u, v] = how many coders gave
    unit u the value v.  With m_u = sum_v counts[u, v] (units with m_u < 2 are not
    pairable and drop out), n_v = sum_u counts[u, v], n = sum_v n_v:
    alpha = 1 - (n - 1) (n - sum_v o_vv) / (n^2 - sum_v n_v^2),
    o_vv = sum_u counts[u, v] (counts[u, v] - 1) / (m_u - 1)."""
    groups = np.asarray(groups, dtype=np.int64)
    counts = np.asarray(counts, dtype=np.int64)
    counts = counts.reshape(groups.size, -1) if counts.size else np.zeros((groups.size, 0), dtype=np.int64)
    m = counts.sum(axis=1)
    pairable = m >= 2
    if not pairable.all():  # copies are costly on millions of units: only when needed
        counts, m, groups = counts[pairable], m[pairable], groups[pairable]
    same = (counts * (counts - 1)).sum(axis=1) / (m - 1)
    n_v = np.stack([np.bincount(groups, weights=counts[:, j], minlength=n_groups) for j in range(counts.shape[1])]) \
        if counts.shape[1] else np.zeros((0, n_groups))
    n = n_v.sum(axis=0)
    o_same = np.bincount(groups, weights=same, minlength=n_groups)
    expected = n * n - (n_v * n_v).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (n - 1.0) * (n - o_same) / expected
    # Expected disagreement 0 (one value only, or nothing pairable): undefined.
    return [float(a) if e > 0 else None for a, e in zip(alpha.tolist(), expected.tolist())]


# --------------------------------------------------------------------------- spans
Spans = Sequence[tuple[int, int, str]] | np.ndarray | pd.DataFrame


def _spans_frame(spans: Spans) -> pd.DataFrame:
    if isinstance(spans, pd.DataFrame):
        df = spans.iloc[:, :3].copy()
    else:
        rows = spans.tolist() if isinstance(spans, np.ndarray) else list(spans)
        df = pd.DataFrame(rows, columns=["start", "end", "label"]) if rows else \
            pd.DataFrame({"start": [], "end": [], "label": []})
    df.columns = ["start", "end", "label"]
    df = df.astype({"start": np.int64, "end": np.int64, "label": object})
    if (df["end"] < df["start"]).any():
        raise ValueError("span end before start")
    return df


def _neighbours(a_s, a_e, b_s, b_e):
    """CSR adjacency a -> b of overlapping half-open intervals, b sorted by start.

    b_j can only overlap a_i if b_start < a_end (a prefix) and the running max of
    b_end exceeds a_start (a suffix), so we only test that window; it is exact
    when b's spans do not nest and a superset (filtered below) when they do."""
    hi = np.searchsorted(b_s, a_e, side="left")
    lo = np.searchsorted(np.maximum.accumulate(b_e), a_s, side="right")
    cnt = np.maximum(hi - lo, 0)
    rows = np.repeat(np.arange(a_s.size), cnt)
    cols = np.repeat(lo, cnt) + (np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt))
    keep = b_e[cols] > a_s[rows]
    rows, cols = rows[keep], cols[keep]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=a_s.size))])
    return indptr, cols


def _max_matching(indptr: np.ndarray, adj: np.ndarray, n_left: int, n_right: int) -> np.ndarray:
    """Maximum bipartite matching by augmenting paths (Kuhn), greedy-seeded:
    each left vertex's right partner, or -1.

    Greedy alone is not maximum (see tests); augmenting paths repair it.  The
    DFS is iterative so long overlap chains cannot hit the recursion limit."""
    match_r = np.full(n_right, -1, dtype=np.int64)
    match_l = np.full(n_left, -1, dtype=np.int64)
    # An edge whose two ends have no other edge is in every maximum matching:
    # match those (most pairs of annotated spans) without a Python loop.
    rows = np.repeat(np.arange(n_left), np.diff(indptr))
    degree_l, degree_r = np.diff(indptr), np.bincount(adj, minlength=n_right)
    alone = (degree_l[rows] == 1) & (degree_r[adj] == 1)
    match_l[rows[alone]], match_r[adj[alone]] = adj[alone], rows[alone]
    ptr, adj = indptr.tolist(), adj.tolist()
    for u in np.flatnonzero((match_l < 0) & (degree_l > 0)).tolist():  # greedy seed: most of the rest
        for v in adj[ptr[u]:ptr[u + 1]]:
            if match_r[v] < 0:
                match_r[v], match_l[u] = u, v
                break
    seen = np.full(n_right, -1, dtype=np.int64)
    for root in np.flatnonzero((match_l < 0) & (degree_l > 0)).tolist():
        stack, path = [(root, ptr[root])], []
        while stack:
            u, i = stack[-1]
            if i == ptr[u + 1]:
                stack.pop()
                if path:
                    path.pop()
                continue
            v = adj[i]
            stack[-1] = (u, i + 1)
            if seen[v] == root:
                continue
            seen[v] = root
            path.append(v)
            if match_r[v] < 0:  # free right vertex: flip the alternating path
                for (pu, _), pv in zip(stack, path):
                    match_r[pv], match_l[pu] = pu, pv
                break
            stack.append((int(match_r[v]), ptr[int(match_r[v])]))
    return match_l


def span_f1(a: Spans, b: Spans, mode: Literal["exact", "overlap"] = "exact") -> tuple[int, int, int]:
    """(matches, |A|, |B|); pool these over documents, then call f1_from_counts."""
    fa, fb = _spans_frame(a), _spans_frame(b)
    na, nb = len(fa), len(fb)
    if na == 0 or nb == 0:
        return 0, na, nb
    if mode == "exact":
        ca, cb = fa.value_counts(), fb.value_counts()
        common = ca.index.intersection(cb.index)
        return int(np.minimum(ca[common].to_numpy(), cb[common].to_numpy()).sum()), na, nb
    if mode != "overlap":
        raise ValueError(f"unknown mode {mode!r}")
    matches = 0
    groups_b = {lab: g for lab, g in fb.groupby("label", sort=False)}
    for lab, ga in fa.groupby("label", sort=False):
        gb = groups_b.get(lab)
        if gb is None:
            continue
        ga, gb = ga.sort_values(["start", "end"]), gb.sort_values(["start", "end"])
        indptr, adj = _neighbours(ga["start"].to_numpy(), ga["end"].to_numpy(),
                                  gb["start"].to_numpy(), gb["end"].to_numpy())
        matches += int((_max_matching(indptr, adj, len(ga), len(gb)) >= 0).sum())
    return matches, na, nb


def overlap_matching(a_start, a_end, b_start, b_end) -> np.ndarray:
    """span_f1's "overlap" matching for spans of ONE label, as partners, not a count.

    Returns, for each a-span, the index of its b-partner in a maximum one-to-one
    matching of overlapping half-open ranges, or -1.  The report uses it to count
    matches per document from one call over all documents laid end to end."""
    a_s, a_e = np.asarray(a_start, dtype=np.int64), np.asarray(a_end, dtype=np.int64)
    b_s, b_e = np.asarray(b_start, dtype=np.int64), np.asarray(b_end, dtype=np.int64)
    if a_s.size == 0 or b_s.size == 0:
        return np.full(a_s.size, -1, dtype=np.int64)
    order_b = np.lexsort((b_e, b_s))
    indptr, adj = _neighbours(a_s, a_e, b_s[order_b], b_e[order_b])
    match_l = _max_matching(indptr, adj, a_s.size, b_s.size)
    return np.where(match_l >= 0, order_b[np.maximum(match_l, 0)], -1)


def f1_from_counts(matches: int, na: int, nb: int) -> float | None:
    return None if na + nb == 0 else 2.0 * matches / (na + nb)


# --------------------------------------------------------------------------- unitizing
_UNIT_COLS = ["rater", "category", "begin", "length"]


def reduce_overlapping_units(units: Iterable | pd.DataFrame) -> pd.DataFrame:
    """Units as a DataFrame (rater, category, begin, length), sorted, without overlaps.

    alpha_U assumes a rater's units of one category never overlap (DKPro walks
    them as a sequence of segments).  Keep the earliest (by begin, then shorter
    first as DKPro orders them) and drop any unit overlapping an already kept
    one.  Zero-length units are dropped: they cover no character."""
    df = units.loc[:, _UNIT_COLS].copy() if isinstance(units, pd.DataFrame) else \
        pd.DataFrame(list(units), columns=_UNIT_COLS)
    df = df.astype({"begin": np.int64, "length": np.int64})
    df = df[df["length"] > 0].sort_values(["rater", "category", "begin", "length"], kind="stable")
    df = df.reset_index(drop=True)
    end = df["begin"] + df["length"]
    keys = [df["rater"], df["category"]]
    prev_end = end.groupby(keys, sort=False).cummax().groupby(keys, sort=False).shift()
    clash = df["begin"] < prev_end  # NaN (first unit of a group) compares False
    if not clash.any():  # common case: nothing overlaps, no Python loop at all
        return df
    # A unit not clashing starts a cluster of overlapping units: it is kept, and
    # nothing kept before reaches it.  Only units of clusters of >= 2 need the
    # sequential pass (keep a unit unless it overlaps the last kept one).
    clash = clash.to_numpy()
    pass_over = np.flatnonzero(clash | np.r_[clash[1:], False])
    keep = np.ones(len(df), dtype=bool)
    begins, ends = df["begin"].to_numpy()[pass_over].tolist(), end.to_numpy()[pass_over].tolist()
    kept_end = 0
    for i, starts_cluster, begin, stop in zip(pass_over.tolist(), (~clash[pass_over]).tolist(), begins, ends):
        if starts_cluster or begin >= kept_end:
            kept_end = stop
        else:
            keep[i] = False
    return df[keep].reset_index(drop=True)


def _pair_observed(b1, e1, b2, e2) -> float:
    """Sum of DKPro distances between two raters' (sorted, disjoint) units.

    DKPro's segment walk compares every overlapping pair of segments once:
    overlapping units cost (Δbegin² + Δend²); a unit lying wholly in the other
    rater's gap costs length² (a unit only partly in a gap overlaps a unit, and
    a gap starting inside a unit costs 0).  Unit-free stretches cost nothing."""
    lo = np.searchsorted(e2, b1, side="right")  # first b2-unit ending after b1
    hi = np.searchsorted(b2, e1, side="left")   # first b2-unit starting at/after e1
    cnt = hi - lo
    i = np.repeat(np.arange(b1.size), cnt)
    j = np.repeat(lo, cnt) + (np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt))
    both = float(((b1[i] - b2[j]) ** 2 + (e1[i] - e2[j]) ** 2).sum())
    cnt2 = np.searchsorted(b1, e2, side="left") - np.searchsorted(e1, b2, side="right")
    alone = float((((e1 - b1) ** 2)[cnt == 0]).sum() + (((e2 - b2) ** 2)[cnt2 == 0]).sum())
    return both + alone


def unitizing_alpha(units, continuum_begin: int, continuum_length: int, raters: int,
                    categories: list | None = None) -> dict:
    """Krippendorff's alpha_U exactly as DKPro's KrippendorffAlphaUnitizingAgreement.

    ``units``: (rater, category, begin, length) rows; rater ids are any hashable,
    ``raters`` also counts raters who marked nothing (they still form pairs).
    Units of categories not in ``categories`` are ignored."""
    df = reduce_overlapping_units(units)
    B, L, R = int(continuum_begin), int(continuum_length), int(raters)
    if categories is None:
        categories = list(pd.unique(df["category"]))
    else:
        df = df[df["category"].isin(categories)]
    if df["rater"].nunique() > R:
        raise ValueError("more distinct raters in units than `raters`")
    if ((df["begin"] < B) | (df["begin"] + df["length"] > B + L)).any():
        raise ValueError("unit outside the continuum")
    out = {"per_category": {}, "overall": None, "observed": {}, "expected": {}}
    if R < 2 or L <= 0:  # no rater pairs / no continuum: everything is 0/0
        for c in categories:
            out["per_category"][c] = out["observed"][c] = out["expected"][c] = None
        return out
    for c in categories:
        dc = df[df["category"] == c]
        per_rater = [(g["begin"].to_numpy(), (g["begin"] + g["length"]).to_numpy())
                     for _, g in dc.groupby("rater", sort=False)]
        k = len(per_rater)
        # Observed: rater pairs; each unit-less rater pairs with every unit as length².
        d_o = sum(_pair_observed(*per_rater[x], *per_rater[y])
                  for x in range(k) for y in range(x + 1, k))
        d_o += (R - k) * sum(float(((e - b) ** 2).sum()) for b, e in per_rater)
        d_o = 2.0 * d_o / (R * (R - 1) * float(L) ** 2)
        # Expected: gaps are each rater's unmarked stretches inside the continuum
        # (a rater with no unit of c contributes one gap of length L).
        gaps = [np.diff(np.column_stack([np.r_[B, e], np.r_[b, B + L]]), axis=1).ravel()
                for b, e in per_rater]
        gaps = np.concatenate(gaps + [np.full(R - k, L)]).astype(float)
        gaps = np.sort(gaps[gaps > 0])
        lengths = dc["length"].to_numpy(dtype=float)
        n_c = lengths.size
        sum1 = (n_c - 1) * (2 * lengths ** 3 - 3 * lengths ** 2 + lengths) / 3.0
        # sum over gaps g >= l of (g - l + 1), via suffix sums over the sorted gaps
        first = np.searchsorted(gaps, lengths, side="left")
        suffix = np.concatenate([np.cumsum(gaps[::-1])[::-1], [0.0]])
        sum2 = lengths ** 2 * (suffix[first] - (lengths - 1) * (gaps.size - first))
        denom = R * L * (R * L - 1.0) - float((lengths * (lengths - 1)).sum())
        d_e = float((sum1 + sum2).sum()) * 2.0 / L / denom
        out["observed"][c], out["expected"][c] = d_o, d_e
        out["per_category"][c] = None if d_e == 0 else 1.0 - d_o / d_e
    total_e = sum(out["expected"].values())
    if total_e > 0:
        out["overall"] = 1.0 - sum(out["observed"].values()) / total_e
    return out
