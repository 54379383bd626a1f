"""The learning curve as terminal tables, JSON, or HTML with an inline SVG plot (no script, no link to
anything outside the file; `curve_section` is the part `annotator agreement --format html` includes).

The plot has one line per label and a bold one for the overall F1, dev F1 (0 to 1) against the
number of training documents (passages for a language split by passage).
"""

from __future__ import annotations

import html
import json

from rich.table import Table
from rich.text import Text

from annotator.agreement.render import STYLE, table_html
from training.scores import OVERALL

COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def to_json(curve: dict) -> str:
    return json.dumps(curve, ensure_ascii=False, indent=2)


def _rows(curve: dict, language: dict) -> tuple[list[str], list[list[str]]]:
    header = [language["unit"], *curve["labels"], OVERALL]
    rows = [[str(point["units"]), *(_fmt(point["f1"].get(label)) for label in curve["labels"]),
             _fmt(point["f1"][OVERALL])] for point in language["points"]]
    return header, rows


def to_tables(curve: dict) -> list:
    """One rich table per language: dev F1 per label and overall, one row per point."""
    tables = []
    for lang, language in curve["languages"].items():
        header, rows = _rows(curve, language)
        table = Table(*header, title=Text(f"{lang}: dev F1 ({curve['f1_of']}) of {curve['annotator']}, "
                                          f"{language['dev_passages']} dev passages, {curve['max_steps']} steps"))
        for row in rows:
            table.add_row(*row)
        tables.append(table)
    return tables


def curve_svg(curve: dict, language: dict) -> str:
    width, height, left, bottom, top, right = 520, 260, 50, 40, 14, 130
    xs = [point["units"] for point in language["points"]]
    most = max(max(xs), 1)

    def x(units: int) -> float:
        return left + (width - left - right) * units / most

    def y(f1: float) -> float:
        return top + (height - top - bottom) * (1 - f1)

    parts = [f'<svg width="{width}" height="{height}" role="img" aria-label="dev F1 per label against '
             f'{html.escape(language["unit"])}">',
             f'<line x1="{left}" y1="{y(0)}" x2="{width - right}" y2="{y(0)}" stroke="#333"/>',
             f'<line x1="{left}" y1="{y(0)}" x2="{left}" y2="{y(1)}" stroke="#333"/>']
    for tick in (0, 0.25, 0.5, 0.75, 1):
        parts.append(f'<text x="{left - 6}" y="{y(tick) + 4}" text-anchor="end">{tick:g}</text>')
    for units in xs:
        parts.append(f'<text x="{x(units)}" y="{y(0) + 16}" text-anchor="middle">{units}</text>')
    parts.append(f'<text x="{(left + width - right) / 2}" y="{height - 4}" text-anchor="middle">'
                 f'training {html.escape(language["unit"])}</text>')
    for i, label in enumerate([*curve["labels"], OVERALL]):
        colour, bold = ("#000", 3) if label == OVERALL else (COLOURS[i % len(COLOURS)], 1.5)
        points = [(x(p["units"]), y(p["f1"][label])) for p in language["points"] if p["f1"].get(label) is not None]
        if points:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="{bold}"/>')
            parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>' for px, py in points]
        parts.append(f'<text x="{width - right + 8}" y="{top + 16 * i + 4}" fill="{colour}">{html.escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def curve_section(curve: dict) -> str:
    """The HTML fragment: a heading, per language the plot and the table."""
    parts = ["<h2>Learning curve</h2>",
             f"<p>Dev F1 ({html.escape(curve['f1_of'])}) of models trained on growing shares of "
             f"{html.escape(curve['annotator'])}'s training documents, {curve['max_steps']} steps each, seed "
             f"{curve['seed']}; made {html.escape(curve['created'])}. — means no span of that label in dev.</p>"]
    for lang, language in curve["languages"].items():
        header, rows = _rows(curve, language)
        parts += [f"<h3>{html.escape(lang)} ({language['dev_passages']} dev passages)</h3>",
                  curve_svg(curve, language), table_html(header, rows)]
    return "".join(parts)


def to_html(curve: dict, title: str = "Learning curve") -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>{curve_section(curve)}</body></html>\n")
