"""The agreement report of a project: every measure per label, pair and document.

The definitions (README, "Agreement definitions") are implemented here on top
of the pure measures of annotator.agreement.measures; the units come from
annotator.agreement.units.  Undefined values are None (JSON null).
"""
from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from annotator.agreement.measures import (
    cohen_kappa, f1_from_counts, fleiss_kappa, krippendorff_alpha_nominal_counts,
    krippendorff_alpha_nominal_value_counts, overlap_matching, unitizing_alpha,
)
from annotator.agreement.units import DOCUMENT_RULES, Units, load_units, select_annotators, select_labels
from annotator.errors import UserError
from annotator.store import Project
from annotator.suggestions.measures import decision_counts

OVERALL = "_overall"
LABEL_MEASURES = ("span_f1_exact", "span_f1_overlap", "cohen_kappa", "fleiss_kappa",
                  "krippendorff_alpha", "unitizing_alpha")
PAIR_MEASURES = ("span_f1_exact", "span_f1_overlap", "cohen_kappa")


def agreement_report(project: Project, annotators: list[str] | None = None,
                     labels: list[str] | None = None, documents: str = DOCUMENT_RULES[0]) -> dict:
    """`documents`: "all-finished" (every selected annotator finished it) or "any-two" (at least two did)."""
    if annotators is not None and len(set(annotators)) < 2:
        named = f"one ({', '.join(set(annotators))})" if annotators else "none"
        raise UserError(f"--annotators: agreement needs at least two annotators; you named {named}; "
                        "add another, e.g. --annotators a,b")
    with project.read() as session:
        names = select_annotators(session, annotators)
        label_names = select_labels(session, labels)
        units = load_units(session, names, label_names, documents)
        decisions = decision_counts(session, names)
    overlap = {pair: _overlap_counts(units, *pair) for pair in combinations(range(len(names)), 2)}
    pairs = {pair: _pair_rows(units, *pair, counts) for pair, counts in overlap.items()}
    values = _value_counts(units)  # alpha and Fleiss per label, alpha per document
    return {
        "annotators": names,
        "documents": len(units.documents),
        "labels": _labels(units, pairs, values),
        "pairs": [row for rows in pairs.values() for row in rows],
        "documents_detail": _documents_detail(units, overlap, values),
        # Per annotator, what they did with suggestions (automation bias shows here).
        "suggestion_decisions": decisions,
        "document_rule": documents,
    }


def _mean(values) -> float | None:
    defined = [v for v in values if v is not None]
    return float(np.mean(defined)) if defined else None


def _keys(units: Units) -> list[tuple[int | None, str]]:
    """(label index or None for _overall, key) in report order."""
    return [(i, name) for i, name in enumerate(units.labels)] + [(None, OVERALL)]


# --------------------------------------------------------------------------- pairs
def _pair_rows(units: Units, a: int, b: int, overlap: np.ndarray) -> list[dict]:
    mask = units.finished[units.unit_document, a] & units.finished[units.unit_document, b]
    codes_a, codes_b = units.coded[a], units.coded[b]  # (labels, units both finished): views if every unit
    if not mask.all():
        codes_a, codes_b = codes_a[:, mask], codes_b[:, mask]
    exact = _exact_counts(units, a, b)
    overlap = overlap.sum(axis=2)
    rows = []
    for label, key in _keys(units):
        pick = slice(None) if label is None else slice(label, label + 1)  # slices: views, not copies
        rows.append({
            "a": units.annotators[a], "b": units.annotators[b], "label": key,
            "span_f1_exact": f1_from_counts(*exact[:, pick].sum(axis=1)),
            "span_f1_overlap": f1_from_counts(*overlap[:, pick].sum(axis=1)),
            "cohen_kappa": cohen_kappa(codes_a[pick].ravel(), codes_b[pick].ravel()),
        })
    return rows


def _both_finished(units: Units, a: int, b: int) -> tuple[dict, dict]:
    """a's and b's spans (column -> array) in the documents both finished; numpy
    arrays, not frames: they are only filtered and counted."""
    s = {name: units.spans[name].to_numpy() for name in units.spans.columns}
    keep = (units.finished[:, a] & units.finished[:, b])[s["document"]]
    return tuple({name: column[keep & (s["annotator"] == who)] for name, column in s.items()} for who in (a, b))


def _exact_counts(units: Units, a: int, b: int) -> np.ndarray:
    """(3, labels): exact matches, |A|, |B|.  span_f1's "exact" rule, done with one
    integer key per span: spans are unique per (document, annotator, label, start,
    end) in the store, and joint-axis offsets identify the document."""
    sa, sb = _both_finished(units, a, b)
    n_labels = len(units.labels)
    top = int(units.documents["length"].sum()) + 1  # past every joint-axis offset

    def keys(s):
        return (s["label"] * top + s["start"]) * top + s["end"]

    common = np.intersect1d(keys(sa), keys(sb), assume_unique=True) // (top * top)
    return np.stack([np.bincount(common, minlength=n_labels),
                     np.bincount(sa["label"], minlength=n_labels),
                     np.bincount(sb["label"], minlength=n_labels)])


def _overlap_counts(units: Units, a: int, b: int) -> np.ndarray:
    """(3, labels, documents): span_f1's "overlap" matches, |A|, |B| per label and document."""
    sa, sb = _both_finished(units, a, b)
    n_labels, n_docs = len(units.labels), len(units.documents)
    out = np.zeros((3, n_labels, n_docs), dtype=np.int64)
    for label in range(n_labels):
        fa = {name: column[sa["label"] == label] for name, column in sa.items()}
        fb = {name: column[sb["label"] == label] for name, column in sb.items()}
        order = np.lexsort((fa["end"], fa["start"]))  # by start, then end
        partner = overlap_matching(fa["start"][order], fa["end"][order], fb["start"], fb["end"])
        doc_a = fa["document"][order]
        out[0, label] = np.bincount(doc_a[partner >= 0], minlength=n_docs)
        out[1, label] = np.bincount(doc_a, minlength=n_docs)
        out[2, label] = np.bincount(fb["document"], minlength=n_docs)
    return out


# --------------------------------------------------------------------------- labels
def _labels(units: Units, pairs: dict, values: dict) -> dict:
    n_ann = len(units.annotators)
    u_alpha = _unitizing(units)
    out = {}
    for label, key in _keys(units):
        rows = [next(r for r in pair_rows if r["label"] == key) for pair_rows in pairs.values()]
        counts, _ = values[key]
        all_done = counts[:, 0] + counts[:, 1] == n_ann  # Fleiss: the units every annotator coded
        out[key] = {
            "span_f1_exact": _mean(r["span_f1_exact"] for r in rows),
            "span_f1_overlap": _mean(r["span_f1_overlap"] for r in rows),
            "cohen_kappa": _mean(r["cohen_kappa"] for r in rows),
            "fleiss_kappa": fleiss_kappa(counts if all_done.all() else
                                         _zeros_ones(counts[all_done, 0], counts[all_done, 1])) if n_ann >= 2 else None,
            "krippendorff_alpha": krippendorff_alpha_nominal_value_counts(values[key][0]),
            "unitizing_alpha": u_alpha["overall"] if label is None else u_alpha["per_category"][label],
        }
    return out


def _unitizing(units: Units) -> dict:
    """alpha_U per label on the documents all selected annotators finished, end to end."""
    n_ann = len(units.annotators)
    all_done = np.flatnonzero(units.finished.all(axis=1)) if n_ann else np.zeros(0, int)
    lengths = units.documents["length"].to_numpy()[all_done]
    shift = np.zeros(len(units.documents), dtype=np.int64)  # joint axis -> continuum of all_done
    shift[all_done] = units.documents["offset"].to_numpy()[all_done] - (np.cumsum(lengths) - lengths)
    s = units.spans[units.spans["document"].isin(all_done)]
    begin = s["start"].to_numpy() - shift[s["document"].to_numpy()]
    frame = pd.DataFrame({"rater": s["annotator"].to_numpy(), "category": s["label"].to_numpy(),
                          "begin": begin, "length": (s["end"] - s["start"]).to_numpy()})
    return unitizing_alpha(frame, 0, int(lengths.sum()), n_ann, list(range(len(units.labels))))


# --------------------------------------------------------------------------- documents
def _zeros_ones(zeros: np.ndarray, ones: np.ndarray) -> np.ndarray:
    """(units, 2) counts in column-major order: the measures sum along rows of
    millions of units, which numpy does ~5x faster on this layout."""
    out = np.empty((zeros.size, 2), dtype=np.int64, order="F")
    out[:, 0], out[:, 1] = zeros, ones
    return out


def _value_counts(units: Units) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per label (and _overall): per unit how many finishing annotators coded 0 and 1
    (alpha's value counts: annotators who did not finish the document are missing
    values), and the unit's document.  For _overall one unit per (token, label),
    label-major: the labels' units one after the other."""
    finished = units.finished[units.unit_document].T  # (annotators, units)
    coders = finished.sum(axis=0)
    ones = (units.coded & finished[:, None, :]).sum(axis=0)  # (labels, units)
    out = {key: (_zeros_ones(coders - ones[label], ones[label]), units.unit_document)
           for label, key in _keys(units) if label is not None}
    n_lab = len(units.labels)
    out[OVERALL] = (_zeros_ones(np.tile(coders, n_lab) - ones.ravel(), ones.ravel()), np.tile(units.unit_document, n_lab))
    return out


def _documents_detail(units: Units, overlap: dict, values: dict) -> list[dict]:
    """Per document and label (and _overall): alpha among the annotators who finished
    it, and overlap F1 as the mean over the pairs of those annotators (defined ones).
    A row names its document by id (names are not unique) and by name, for readers."""
    n_docs = len(units.documents)
    alpha, f1 = {}, {}
    for label, key in _keys(units):
        alpha[key] = krippendorff_alpha_nominal_counts(*values[key], n_docs)
        per_pair = np.full((len(overlap), n_docs), np.nan)
        for row, ((a, b), counts) in enumerate(overlap.items()):
            m, na, nb = counts[:, label, :] if label is not None else counts.sum(axis=1)
            defined = (na + nb > 0) & units.finished[:, a] & units.finished[:, b]
            per_pair[row, defined] = 2.0 * m[defined] / (na + nb)[defined]
        count = (~np.isnan(per_pair)).sum(axis=0)
        total = np.nansum(per_pair, axis=0)
        f1[key] = [float(t / c) if c else None for t, c in zip(total.tolist(), count.tolist())]
    documents = zip(units.documents["id"].tolist(), units.documents["name"])
    return [{"document_id": document_id, "document": name, "label": key, "krippendorff_alpha": alpha[key][d],
             "span_f1_overlap": f1[key][d]}
            for d, (document_id, name) in enumerate(documents) for _, key in _keys(units)]
