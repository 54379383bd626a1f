"""What a suggester proposes on one document: spans in code points with an optional score, and
links between them (a QUOTE or THREAT to the nearest SPEAKER proposed in a sentence it touches)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

# Marks and separators a span never starts or ends with (the schema's rule for every span).
_EDGE_MARKS = frozenset("“”«»\"‘’„‹›")
_TRAILING = frozenset(",;:")


@dataclass(frozen=True)
class Proposal:
    label: str
    start: int  # code points
    end: int
    score: float | None = None


@dataclass(frozen=True)
class LinkProposal:
    head: int  # indexes into the document's proposals
    child: int
    relation: str


def trimmed_longest(doc, found: list[tuple[str, int, int, float | None]]) -> list[Proposal]:
    """Token matches (label, start, end, score) as character spans: edges trimmed of whitespace,
    quotation marks and trailing , ; :, then per label the longest of overlapping spans kept
    (the earlier on a tie)."""
    trimmed = []
    for label, start, end, score in found:
        while start < end and (doc[start].is_space or doc[start].text in _EDGE_MARKS):
            start += 1
        while end > start and (doc[end - 1].is_space or doc[end - 1].text in _EDGE_MARKS
                               or doc[end - 1].text in _TRAILING):
            end -= 1
        if start < end:
            trimmed.append((label, doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text), score))
    trimmed.sort(key=lambda p: (-(p[2] - p[1]), p[1]))
    taken: dict[str, list[tuple[int, int]]] = {}
    kept = []
    for label, start, end, score in trimmed:
        spans = taken.setdefault(label, [])
        if any(start < e and s < end for s, e in spans):
            continue
        spans.append((start, end))
        kept.append(Proposal(label, start, end, score))
    return sorted(kept, key=lambda p: (p.start, p.end, p.label))


def propose_links(doc, proposals: list[Proposal], relations: dict[str, tuple[tuple[str, ...], tuple[str, ...]]],
                  sentencizer) -> list[LinkProposal]:
    """For each proposed span that heads a relation (QUOTE, THREAT), a link to the nearest proposed
    span it may point to (SPEAKER) in a sentence the head touches. `relations`: name -> (heads,
    children) of the schema."""
    heads = {label for head_labels, _ in relations.values() for label in head_labels}
    if not any(p.label in heads for p in proposals):
        return []
    if not doc.has_annotation("SENT_START"):
        sentencizer(doc)
    bounds = [(sent.start_char, sent.end_char) for sent in doc.sents]
    # The sentences each proposal touches, by bisection over the sentences' ends and starts.
    ends = [e for _, e in bounds]
    starts = [s for s, _ in bounds]
    touched = [range(bisect_right(ends, p.start), bisect_left(starts, p.end)) for p in proposals]
    links = []
    for h, head in enumerate(proposals):
        for name, (head_labels, child_labels) in relations.items():
            if head.label not in head_labels:
                continue
            around = touched[h]
            children = [(max(c.start - head.end, head.start - c.end, 0), i) for i, c in enumerate(proposals)
                        if c.label in child_labels and i != h
                        and touched[i].start < around.stop and around.start < touched[i].stop]
            if children:
                links.append(LinkProposal(h, min(children)[1], name))
                break  # one link per head: every QUOTE has one said_by
    return links
