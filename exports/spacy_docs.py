"""spaCy Docs from stored tokens, and DocBin shards (this module runs in worker processes too).

A document becomes one Doc per passage: it is cut after a line break or after a sentence-final
mark followed by a space, but never inside a span or between a link's two ends, so every span
and link is whole in one Doc. (An article is one example otherwise, and spaCy trains and
checks its data per example: `spacy debug data` refuses fewer than 100.) Joined in order, the
passages' texts are the document's text exactly.

Each Doc holds:
- its text, rebuilt from the tokens stored at import (annotator.text.rebuild_doc);
- `doc.spans["sc"]`: every span of the export, overlaps included (for spancat);
- `doc.ents`: the spans whose label the schema marks `ner`, without overlaps: longest first
  (in tokens), then leftmost; a span overlapping one already chosen is left out of doc.ents
  (it stays in doc.spans["sc"]) and listed in export.json;
- `doc.user_data["links"]`: the links, as [head_start, head_end, child_start, child_end, label]
  in character offsets into doc.text (the DocBin keeps user data: `DocBin.from_disk(...).get_docs(vocab)`);
- `doc.user_data["document"]`: {"id": project document id, "name": its name, "start": offset of
  doc.text in the document's text}, so that `text[start + span.start_char : start + span.end_char]`
  is the span's text in the project.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import srsly
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from annotator.text import blank, rebuild_doc
from exports.docbin import TextAndEntsDocBin
from exports.prepare import Payload, Prepared, prepare

SPANS_KEY = "sc"
_SENTENCE_ENDS = np.array([ord(c) for c in Sentencizer.default_punct_chars if len(c) == 1], dtype="<u4")
_CLOSERS = np.array([ord(c) for c in '"\'”’»)]'], dtype="<u4")


@dataclass
class ShardTask:
    path: Path
    lang: str
    ner_labels: Sequence[str]
    payloads: list[Payload]


@dataclass
class ShardStats:
    documents: int = 0
    passages: int = 0  # Docs written: documents are cut into passages
    spans: Counter = field(default_factory=Counter)  # label -> spans in doc.spans["sc"]
    ents: Counter = field(default_factory=Counter)  # label -> spans in doc.ents
    links: Counter = field(default_factory=Counter)
    longest: int = 0  # longest span, in tokens
    notes: list[dict] = field(default_factory=list)

    def add(self, other: ShardStats) -> None:
        self.documents += other.documents
        self.passages += other.passages
        self.spans.update(other.spans)
        self.ents.update(other.ents)
        self.links.update(other.links)
        self.longest = max(self.longest, other.longest)
        self.notes += other.notes


def write_shard(task: ShardTask, on_document: Callable[[], None] | None = None) -> ShardStats:
    """Build the task's Docs and write them as one DocBin file."""
    vocab = blank(task.lang).vocab
    ner_labels = frozenset(task.ner_labels)
    docbin = TextAndEntsDocBin(store_user_data=True)  # the text and the entities: nothing else is set
    stats = ShardStats()
    with _msgpack_encoders_looked_up_once():
        for payload in task.payloads:
            prepared = prepare(payload, snap_to_tokens=True)
            for doc in build_docs(prepared, vocab, ner_labels, stats):
                docbin.add(doc)
            if on_document:
                on_document()
        data = docbin.to_bytes()
    task.path.parent.mkdir(parents=True, exist_ok=True)
    task.path.write_bytes(data)
    return stats


@contextmanager
def _msgpack_encoders_looked_up_once() -> Iterator[None]:
    """Speed only; the bytes written are the same.

    srsly looks its msgpack encoders up again on every call (scanning the entry points of every
    installed package: about 1 ms here), and DocBin.add packs 3 small objects per Doc, so with
    passages that lookup would be most of the export's time. The encoders cannot change during
    an export, so they are looked up once and the lookup is restored afterwards.
    """
    registry = getattr(srsly, "msgpack_encoders", None)
    if registry is None or "get_all" in vars(registry):  # another srsly, or already cached by a caller
        yield
        return
    encoders = registry.get_all()
    registry.get_all = lambda: encoders
    try:
        yield
    finally:
        del registry.get_all


def passages(prepared: Prepared) -> list[tuple[int, int]]:
    """Token ranges [first, end) that cut the document where no span or link crosses.

    A passage may end after a line break, or after a sentence-final mark (spaCy's sentencizer
    characters, with the closing quotes right after it) followed by a space; a cut inside a span,
    or between a link's two ends, is skipped.
    """
    tokens, text = prepared.tokens, prepared.payload.text
    n = len(tokens)
    if n < 2:
        return [(0, n)] if n else []
    # Vectorised over code points: a Python loop over tokens here would cost as much as the DocBin.
    points = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    starts, ends = tokens[:, 0], tokens[:, 1]
    single = ends - starts == 1
    sentence_end = single & np.isin(points[starts], _SENTENCE_ENDS)
    closer = single & np.isin(points[starts], _CLOSERS)
    newlines = np.concatenate(([0], np.cumsum(points == 10)))
    line_break = newlines[ends] > newlines[starts]
    spaced = starts[1:] > ends[:-1]  # a space after token i
    sentence_end[1:] |= closer[1:] & sentence_end[:-1] & ~spaced  # `stop.”` ends where the quote closes
    cut = (sentence_end[:-1] & spaced) | line_break[:-1]  # cut before token i + 1
    ranges = list(prepared.token_spans) + [
        (min(prepared.token_spans[h][0], prepared.token_spans[c][0]), max(prepared.token_spans[h][1], prepared.token_spans[c][1]))
        for h, c, _ in prepared.links
    ]
    if ranges:
        firsts, lasts = np.array(ranges).T
        inside = np.zeros(n + 1, dtype=np.int64)
        np.add.at(inside, firsts + 1, 1)  # a cut before token i splits [first, last] when first < i <= last
        np.add.at(inside, lasts + 1, -1)
        cut &= np.cumsum(inside)[1:n] == 0
    bounds = [0, *(np.flatnonzero(cut) + 1).tolist(), n]
    return list(zip(bounds[:-1], bounds[1:]))


def build_docs(prepared: Prepared, vocab, ner_labels: frozenset[str], stats: ShardStats) -> list[Doc]:
    """The document's passages as Docs (see the module notes)."""
    payload, tokens, text = prepared.payload, prepared.tokens, prepared.payload.text
    firsts = np.array([first for first, _ in prepared.token_spans], dtype=np.int64)
    docs = []
    for first, end in passages(prepared):
        offset = int(tokens[first, 0])
        stop = int(tokens[end, 0]) if end < len(tokens) else len(text)
        doc = rebuild_doc(text[offset:stop], tokens[first:end] - offset, vocab)
        lo, hi = np.searchsorted(firsts, [first, end]).tolist()
        spans = [SpacySpan(doc, a - first, b - first + 1, label)
                 for (a, b), (_, _, label) in zip(prepared.token_spans[lo:hi], prepared.spans[lo:hi])]
        doc.spans[SPANS_KEY] = spans
        ents = _entities(spans, ner_labels, payload, offset, stats)
        doc.set_ents(ents, default="outside")
        doc.user_data["links"] = [
            [prepared.spans[h][0] - offset, prepared.spans[h][1] - offset,
             prepared.spans[c][0] - offset, prepared.spans[c][1] - offset, label]
            for h, c, label in prepared.links if lo <= h < hi
        ]
        doc.user_data["document"] = {"id": payload.id, "name": payload.name, "start": offset}
        stats.spans.update(span.label_ for span in spans)
        stats.ents.update(span.label_ for span in ents)
        stats.longest = max([stats.longest, *(len(span) for span in spans)])
        docs.append(doc)
    stats.documents += 1
    stats.passages += len(docs)
    stats.links.update(label for _, _, label in prepared.links)
    stats.notes += prepared.notes
    return docs


def _entities(spans: list[SpacySpan], ner_labels: frozenset[str], payload: Payload, offset: int,
              stats: ShardStats) -> list[SpacySpan]:
    """Longest first, then leftmost; a span overlapping a chosen one is left out (and noted)."""
    taken: list[SpacySpan] = []
    used = bytearray(len(spans[0].doc) if spans else 0)
    for span in sorted((s for s in spans if s.label_ in ner_labels), key=lambda s: (-len(s), s.start, s.label_)):
        if any(used[span.start:span.end]):
            blocker = next(t for t in taken if t.start < span.end and span.start < t.end)
            stats.notes.append({
                "document_id": payload.id, "document": payload.name, "label": span.label_,
                "start": offset + span.start_char, "end": offset + span.end_char, "action": "not_in_ents",
                "reason": f"overlaps the longer {blocker.label_} {offset + blocker.start_char}-"
                          f"{offset + blocker.end_char} in doc.ents (kept in doc.spans[{SPANS_KEY!r}])",
            })
            continue
        used[span.start:span.end] = b"\x01" * len(span)
        taken.append(span)
    return sorted(taken, key=lambda s: s.start)
