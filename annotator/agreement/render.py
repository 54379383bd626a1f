"""The agreement report as a terminal table, CSV, JSON or a self-contained HTML page.

Every function takes the dict of annotator.agreement.report.agreement_report.
The HTML page draws its plots as inline SVG written here: no script, no link to
anything outside the file, so it can be mailed or archived as it is.
"""
from __future__ import annotations

import html
import json

import pandas as pd
from rich.table import Table
from rich.text import Text

from annotator.agreement.report import LABEL_MEASURES, OVERALL, PAIR_MEASURES
from annotator.csv_cells import LINE_END, escape_any

SHORT = {"span_f1_exact": "F1 exact", "span_f1_overlap": "F1 overlap", "cohen_kappa": "Cohen κ",
         "fleiss_kappa": "Fleiss κ", "krippendorff_alpha": "Kripp. α", "unitizing_alpha": "α_U"}
WORST = 10  # documents listed as the worst


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def worst_documents(report: dict, count: int = WORST) -> list[dict]:
    """The _overall rows of documents_detail with the lowest alpha (undefined last)."""
    rows = [d for d in report["documents_detail"] if d["label"] == OVERALL]
    return sorted(rows, key=lambda d: (d["krippendorff_alpha"] is None, d["krippendorff_alpha"] or 0.0))[:count]


# --------------------------------------------------------------------------- json / csv
def to_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2)


def to_frame(report: dict) -> pd.DataFrame:
    """One row per label, pair and document row; `section` says which. A document row has the
    document's id (names are not unique) next to its name."""
    labels = pd.DataFrame([{"section": "label", "label": k, **v} for k, v in report["labels"].items()])
    pairs = pd.DataFrame([{"section": "pair", **p} for p in report["pairs"]])
    documents = pd.DataFrame([{"section": "document", **d} for d in report["documents_detail"]])
    frame = pd.concat([labels, pairs, documents], ignore_index=True)
    columns = ["section", "a", "b", "document", "document_id", "label", *LABEL_MEASURES]
    frame = frame.reindex(columns=columns)
    frame["document_id"] = frame["document_id"].astype("Int64")  # an id, not 2.0; empty where no document
    return frame


def to_csv(report: dict) -> str:
    """The frame as CSV, by annotator.csv_cells' rule: names that begin like a formula get a leading ',
    rows end with \r\n so that a cell holding a bare \r is quoted. Write it with newline=""."""
    frame = to_frame(report)
    for column in ("section", "a", "b", "document", "label"):
        frame[column] = frame[column].map(escape_any)
    return frame.to_csv(index=False, float_format="%.6g", lineterminator=LINE_END)


def documents_line(report: dict) -> str:
    """"N documents finished by all of a, b, c" (or "by at least two of them"): what the report covers."""
    who = ("all of " + ", ".join(report["annotators"])) if report.get("document_rule", "all-finished") == \
        "all-finished" else "at least two of them"
    return f"{report['documents']} documents finished by {who}"


# --------------------------------------------------------------------------- terminal
def to_tables(report: dict) -> list:
    """rich renderables: the per-label table, the pairs, the worst documents.

    Names (annotators, documents) are Text, so `bob[/]` or `:fire:` shows as written instead of
    being read as markup or emoji."""
    summary = Text(f"{len(report['annotators'])} annotators ({', '.join(report['annotators']) or 'none'}), "
                   + documents_line(report))
    labels = Table("label", *(SHORT[m] for m in LABEL_MEASURES), title="Agreement per label")
    for key, values in report["labels"].items():
        labels.add_row(Text(key), *(_fmt(values[m]) for m in LABEL_MEASURES), style="bold" if key == OVERALL else None)
    pairs = Table("a", "b", "label", *(SHORT[m] for m in PAIR_MEASURES), title="Pairs")
    for row in report["pairs"]:
        pairs.add_row(Text(row["a"]), Text(row["b"]), Text(row["label"]), *(_fmt(row[m]) for m in PAIR_MEASURES))
    worst = Table("document", "id", SHORT["krippendorff_alpha"], SHORT["span_f1_overlap"],
                  title=f"Worst documents (lowest {OVERALL} α)")
    for row in worst_documents(report):
        worst.add_row(Text(row["document"]), str(row["document_id"]), _fmt(row["krippendorff_alpha"]),
                      _fmt(row["span_f1_overlap"]))
    decisions = Table("annotator", "accepted", "changed", "rejected", title="Suggestions taken")
    for name, counts in _decision_rows(report):
        decisions.add_row(Text(name), *counts)
    return [summary, labels, pairs, worst, *([decisions] if decisions.rows else [])]


def _decision_rows(report: dict) -> list[tuple[str, list[str]]]:
    """(name, [accepted, changed, rejected]) of the annotators who decided on any suggestion."""
    return [(name, [str(counts[k]) for k in ("accepted", "changed", "rejected")])
            for name, counts in report.get("suggestion_decisions", {}).items() if any(counts.values())]


# --------------------------------------------------------------------------- html
def score_colour(value: float | None) -> str:
    """Red (<= 0) through yellow to green (1); grey when undefined."""
    if value is None:
        return "#d9d9d9"
    v = max(0.0, min(1.0, value))
    red, green = (255, int(510 * v)) if v < 0.5 else (int(510 * (1 - v)), 200)
    return f"#{red:02x}{green:02x}40"


def _heatmap(report: dict, measure: str) -> str:
    names = report["annotators"]
    value = {(p["a"], p["b"]): p[measure] for p in report["pairs"] if p["label"] == OVERALL}
    cell, left, top = 64, 120, 30
    size = len(names)
    parts = [f'<svg width="{left + cell * size + 10}" height="{top + cell * size + 10}" role="img" '
             f'aria-label="{SHORT[measure]} per pair">']
    for i, name in enumerate(names):
        parts.append(f'<text x="{left - 6}" y="{top + cell * i + cell / 2 + 4}" text-anchor="end">{html.escape(name)}</text>')
        parts.append(f'<text x="{left + cell * i + cell / 2}" y="{top - 8}" text-anchor="middle">{html.escape(name)}</text>')
        for j, other in enumerate(names):
            v = 1.0 if i == j else value.get((name, other), value.get((other, name)))
            parts.append(f'<rect x="{left + cell * j}" y="{top + cell * i}" width="{cell - 2}" height="{cell - 2}" '
                         f'fill="{"#ffffff" if i == j else score_colour(v)}" stroke="#999"/>')
            if i != j:
                parts.append(f'<text x="{left + cell * j + cell / 2}" y="{top + cell * i + cell / 2 + 4}" '
                             f'text-anchor="middle">{_fmt(v)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _bars(rows: list[tuple[str, float | None]], width: int = 320) -> str:
    """Horizontal bars on a -1..1 axis (coefficients can be negative)."""
    left, height = 200, 18
    zero = left + width / 2
    parts = [f'<svg width="{left + width + 60}" height="{height * len(rows) + 10}">',
             f'<line x1="{zero}" y1="0" x2="{zero}" y2="{height * len(rows)}" stroke="#333"/>']
    for i, (name, v) in enumerate(rows):
        y = i * height
        parts.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{html.escape(name)}</text>')
        if v is not None:
            x, w = (zero, v * width / 2) if v >= 0 else (zero + v * width / 2, -v * width / 2)
            parts.append(f'<rect x="{x}" y="{y + 3}" width="{max(w, 1)}" height="{height - 6}" fill="{score_colour(v)}"/>')
        parts.append(f'<text x="{left + width + 6}" y="{y + 13}">{_fmt(v)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def table_html(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


STYLE = ("body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:1em 0}"
         "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child{text-align:left}"
         "svg text{font-size:12px}.row{display:flex;gap:2em;flex-wrap:wrap}figcaption{text-align:center}")


def to_html(report: dict, title: str = "Agreement report", appendix: str = "") -> str:
    """The page; `appendix` is HTML added at its end (the learning curve's section, training.curve_render)."""
    label_rows = [[key, *(_fmt(v[m]) for m in LABEL_MEASURES)] for key, v in report["labels"].items()]
    bars = "".join(
        f"<h3>{html.escape(key)}</h3>" + _bars([(SHORT[m], v[m]) for m in LABEL_MEASURES])
        for key, v in report["labels"].items())
    worst = worst_documents(report)
    sections = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{len(report['annotators'])} annotators ({html.escape(', '.join(report['annotators']) or 'none')}); "
        f"{report['documents']} documents finished by at least two of them. — means undefined.</p>",
        "<h2>Per label</h2>", table_html(["label", *(SHORT[m] for m in LABEL_MEASURES)], label_rows),
        "<h2>Pairs (all labels pooled)</h2>",
        '<div class="row">' + "".join(f"<figure>{_heatmap(report, m)}<figcaption>{SHORT[m]}</figcaption></figure>"
                                      for m in PAIR_MEASURES) + "</div>",
        "<h2>Measures per label</h2>", bars,
        f"<h2>Worst documents (lowest {OVERALL} Krippendorff α)</h2>",
        _bars([(d["document"], d["krippendorff_alpha"]) for d in worst]),
        table_html(["document", "id", SHORT["krippendorff_alpha"], SHORT["span_f1_overlap"]],
                   [[d["document"], str(d["document_id"]), _fmt(d["krippendorff_alpha"]),
                     _fmt(d["span_f1_overlap"])] for d in worst]),
    ]
    if _decision_rows(report):
        sections += ["<h2>Suggestions accepted, changed and rejected</h2>",
                     table_html(["annotator", "accepted", "changed", "rejected"],
                                [[name, *counts] for name, counts in _decision_rows(report)])]
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style></head><body>{''.join(sections)}{appendix}</body></html>\n")
