"""What the article view and the span table show of one document's annotations.

Built once when a document opens; after a change only the spans it touched (and those at the
ends of the links it touched, whose descriptions name them) are described again, so one new
span costs the same in an article with 50 spans as in one with 2,000.
"""

from __future__ import annotations

from typing import NamedTuple

from annotator.annotations import DocumentAnnotations, SpanInfo, Touched
from ui.article_view import ShownLink, ShownSpan
from ui.span_table import SpanRow


def excerpt(text: str, span: SpanInfo, limit: int = 60) -> str:
    """The span's text on one line, cut at `limit` characters."""
    words = " ".join(text[span.start:span.end].split())
    return words if len(words) <= limit else words[: limit - 1] + "…"


class Redraw(NamedTuple):
    """What to pass on to the views after one change."""
    spans: list[ShownSpan]  # new or changed
    spans_removed: list[int]
    rows: list[SpanRow]  # new or changed
    links: list[ShownLink]  # new
    links_removed: list[int]


class ShownAnnotations:
    def __init__(self, state: DocumentAnnotations, text: str) -> None:
        self.state, self.text = state, text
        notes: dict[int, list[str]] = {}
        for link in state.links.values():  # every span's links in words, in one pass
            for span_id, item in self._link_items(link):
                notes.setdefault(span_id, []).append(item)
        self.spans = {span.id: self._shown(span, "; ".join(notes.get(span.id, ()))) for span in state.spans.values()}
        self.rows = {span_id: self._row(shown) for span_id, shown in self.spans.items()}

    def links(self) -> list[ShownLink]:
        return [_shown_link(link) for link in self.state.links.values()]

    def after(self, touched: Touched) -> Redraw:
        """Describe again what a change touched (the state has applied it already)."""
        ends = {end for link in touched.links_removed for end in (link.head, link.child)}
        ends |= {end for link_id in touched.links for end in (self.state.links[link_id].head,
                                                              self.state.links[link_id].child)}
        spans, rows = [], []
        for span_id in sorted((touched.spans | ends) & self.state.spans.keys()):
            shown = self._shown(self.state.spans[span_id], self._note(span_id))
            if shown != self.spans.get(span_id):
                self.spans[span_id] = shown
                spans.append(shown)
                self.rows[span_id] = self._row(shown)
                rows.append(self.rows[span_id])
        removed = [span_id for span_id in sorted(touched.spans_removed) if self.spans.pop(span_id, None) is not None]
        for span_id in removed:
            del self.rows[span_id]
        return Redraw(spans, removed, rows, [_shown_link(self.state.links[i]) for i in sorted(touched.links)],
                      [link.id for link in touched.links_removed])

    def _note(self, span_id: int) -> str:
        """The span's links in words (the tooltip line and the table's Links column)."""
        return "; ".join(item for link in self.state.links.values() if span_id in (link.head, link.child)
                         for end, item in self._link_items(link) if end == span_id)

    def _link_items(self, link) -> list[tuple[int, str]]:
        spans, items = self.state.spans, []
        if link.child in spans:
            items.append((link.head, f"{link.relation} → “{excerpt(self.text, spans[link.child], 40)}”"))
        if link.head in spans:
            items.append((link.child, f"← {link.relation} of “{excerpt(self.text, spans[link.head], 40)}”"))
        return items

    @staticmethod
    def _shown(span: SpanInfo, note: str) -> ShownSpan:
        return ShownSpan(span.id, span.label, span.start, span.end, note)

    def _row(self, shown: ShownSpan) -> SpanRow:
        return SpanRow(shown.id, shown.label, self.text[shown.start:shown.end], shown.start, shown.end, shown.note)


def _shown_link(link) -> ShownLink:
    return ShownLink(link.id, link.head, link.child, link.relation)
