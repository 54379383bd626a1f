"""Dev scores of a run, per component and label, from spaCy's own evaluation (Language.evaluate).

ner is scored on doc.ents (the labels the schema marks ner), spancat on doc.spans["sc"] (every label,
overlaps included). A label with no span in dev and none predicted has no score (null), never 0 or 1.
`label_f1` picks one figure per label for curves: spancat's when it was trained (it covers every
label), else ner's.
"""

from __future__ import annotations

OVERALL = "_overall"
KEYS = {"ner": "ents", "spancat": "spans_sc"}


def component_scores(scores: dict, components: list[str], labels: dict[str, list[str]]) -> dict:
    """{component: {"overall": {p, r, f}, "labels": {label: {p, r, f} or None}}} of one evaluation.
    `labels[component]` lists the labels the component was trained on."""
    result = {}
    for component in components:
        key = KEYS[component]
        per_type = scores.get(f"{key}_per_type") or {}
        result[component] = {
            "overall": {m: _rounded(scores.get(f"{key}_{m}")) for m in ("p", "r", "f")},
            "labels": {label: ({m: _rounded(per_type[label][m]) for m in ("p", "r", "f")}
                               if label in per_type else None) for label in labels[component]},
        }
    return result


def label_f1(scores: dict) -> dict[str, float | None]:
    """{label: F1, …, "_overall": F1} from component_scores' result."""
    chosen = scores["spancat"] if "spancat" in scores else scores["ner"]
    figures = {label: (prf or {}).get("f") for label, prf in chosen["labels"].items()}
    return {**figures, OVERALL: chosen["overall"]["f"]}


def _rounded(value) -> float | None:
    return None if value is None else round(float(value), 4)
