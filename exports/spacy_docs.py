"""spaCy Docs from stored tokens, and DocBin shards (this module runs in worker processes too).

A document becomes one Doc per passage (`--passages`), never cut inside a span or between a
link's two ends, so every span and link is whole in one Doc; joined in order, a document's
passages are its text exactly:
- `paragraph` (the default): cut after a line break;
- `sentence`: cut after a line break, or after a sentence-final mark (spaCy's sentencizer
  characters, with the closing quotes right after it) followed by a space;
- `document`: one Doc per document.

Why paragraphs by default. spaCy trains on examples in batches of 100 to 1,000 words
(`batch_by_words`; a longer example is a batch of its own) and `spacy debug data` refuses
fewer than 100 training examples, so whole articles (about 1,000 words each) make poor
examples: one per batch, and a project needs 100 articles before spaCy accepts it. News
paragraphs are short (one to three sentences: the sample articles have 104 paragraphs against
112 sentences in train), so they give nearly as many examples as sentences and fill batches as
evenly, while keeping what a paragraph holds together: a quote attributed across sentences
(“…,” he said. “…”) with its speaker, linked or not, and the wrong speakers next to it that a
model learns to refuse. Sentence cuts are guessed from punctuation and skipped exactly where a
link would be cut, so which sentences share a Doc would tell a relation model where the links
are. `sentence` is for text without line breaks (a page scraped as one paragraph: the export
warns when a passage exceeds LONG_PASSAGE_TOKENS); `document` for document-level components.

The document's Doc is built once; its passages are slices of its arrays written by
TextAndEntsDocBin.add_passages, so a passage costs little more than its share of the document.

Each passage's Doc holds:
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
from spacy.attrs import ENT_IOB, ENT_TYPE
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from annotator.text import blank, rebuild_doc
from exports.docbin import TextAndEntsDocBin
from exports.prepare import Payload, Prepared, prepare
from exports.split import split_passages

SPANS_KEY = "sc"
PASSAGE_MODES = ("document", "paragraph", "sentence")
DEFAULT_PASSAGES = "paragraph"
LONG_PASSAGE_TOKENS = 1_000  # the largest batch of spaCy's default training config, in words
_SENTENCE_ENDS = np.unique([ord(c) for c in Sentencizer.default_punct_chars if len(c) == 1]).astype("<u4")
_IOB_INSIDE, _IOB_OUTSIDE, _IOB_BEGIN = 1, 2, 3  # spaCy's ENT_IOB values
_CLOSERS = np.unique([ord(c) for c in '"\'”’»)]']).astype("<u4")


@dataclass
class ShardTask:
    paths: dict[str, Path]  # split name -> file; "train" and "dev" both when one document is split by passage
    lang: str
    ner_labels: Sequence[str]
    payloads: list[Payload]
    passages: str = DEFAULT_PASSAGES
    dev_share: float = 0.0  # with two paths: the share of the document's passages in dev
    seed: int = 0


@dataclass
class ShardStats:
    documents: int = 0
    passages: int = 0  # Docs written: documents are cut into passages
    long_passages: int = 0  # passages of more than LONG_PASSAGE_TOKENS tokens
    spans: Counter = field(default_factory=Counter)  # label -> spans in doc.spans["sc"]
    ents: Counter = field(default_factory=Counter)  # label -> spans in doc.ents
    links: Counter = field(default_factory=Counter)
    longest: int = 0  # longest span, in tokens
    notes: list[dict] = field(default_factory=list)

    def add(self, other: ShardStats) -> None:
        self.documents += other.documents
        self.passages += other.passages
        self.long_passages += other.long_passages
        self.spans.update(other.spans)
        self.ents.update(other.ents)
        self.links.update(other.links)
        self.longest = max(self.longest, other.longest)
        self.notes += other.notes


@dataclass
class CutDocument:
    """A document's Doc (spans and ents set) and its passages: token ranges and their user data."""

    prepared: Prepared
    doc: Doc
    bounds: list[tuple[int, int]]
    user_data: list[dict]
    span_passage: np.ndarray  # passage index of each of prepared.spans
    in_ents: np.ndarray  # whether each of prepared.spans is in doc.ents
    notes: list[dict]

    def count(self, stats: ShardStats, chosen: Sequence[int] | None = None) -> None:
        """Add the passages' figures (all, or the chosen ones) to stats."""
        prepared = self.prepared
        keep = np.ones(len(prepared.spans), dtype=bool) if chosen is None else np.isin(self.span_passage, chosen)
        labels = [label for _, _, label in prepared.spans]
        stats.spans.update(label for label, kept in zip(labels, keep.tolist()) if kept)
        stats.ents.update(label for label, kept in zip(labels, (keep & self.in_ents).tolist()) if kept)
        stats.links.update(label for h, _, label in prepared.links if keep[h])
        lengths = [b - a + 1 for (a, b), kept in zip(prepared.token_spans, keep.tolist()) if kept]
        stats.longest = max([stats.longest, *lengths])
        bounds = self.bounds if chosen is None else [self.bounds[i] for i in chosen]
        stats.documents += 1
        stats.passages += len(bounds)
        stats.long_passages += sum(end - first > LONG_PASSAGE_TOKENS for first, end in bounds)


def write_shard(task: ShardTask, on_document: Callable[[], None] | None = None) -> dict[str, ShardStats]:
    """Build the task's Docs and write them as one DocBin file per path; each split's figures."""
    vocab = blank(task.lang).vocab
    ner_labels = frozenset(task.ner_labels)
    docbins = {split: TextAndEntsDocBin(store_user_data=True) for split in task.paths}  # text and entities only
    stats = {split: ShardStats() for split in task.paths}
    with _msgpack_hooks_looked_up_once():
        for payload in task.payloads:
            cut = cut_document(prepare(payload, snap_to_tokens=True), vocab, ner_labels, task.passages)
            if len(task.paths) == 1:
                [split] = task.paths
                docbins[split].add_passages(cut.doc, cut.bounds, cut.user_data)
                cut.count(stats[split])
            else:
                texts = [cut.doc[a:b].text_with_ws for a, b in cut.bounds]
                labels = [set() for _ in cut.bounds]
                for where, (_, _, label) in zip(cut.span_passage.tolist(), cut.prepared.spans):
                    labels[where].add(label)
                train, dev, _ = split_passages(texts, labels, task.dev_share, task.seed)
                for split, chosen in (("train", train), ("dev", dev)):
                    docbins[split].add_passages(cut.doc, [cut.bounds[i] for i in chosen],
                                                [cut.user_data[i] for i in chosen])
                    cut.count(stats[split], chosen)
            stats[next(iter(task.paths))].notes += cut.notes
            if on_document:
                on_document()
        data = {split: docbin.to_bytes() for split, docbin in docbins.items()}
    for split, path in task.paths.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data[split])
    return stats


@contextmanager
def _msgpack_hooks_looked_up_once() -> Iterator[None]:
    """Speed only; the bytes written are the same.

    srsly looks its msgpack encoders (and decoders) up again on every call, scanning the entry
    points of every installed package: about 1 ms here, more than packing a passage. They cannot
    change during an export, so each registry is looked up once, and restored afterwards.
    """
    registries = [getattr(srsly, name, None) for name in ("msgpack_encoders", "msgpack_decoders")]
    patched = [r for r in registries if r is not None and "get_all" not in vars(r)]  # not cached by a caller
    for registry in patched:
        registry.get_all = (lambda found: lambda: found)(registry.get_all())
    try:
        yield
    finally:
        for registry in patched:
            del registry.get_all


def passages(prepared: Prepared, mode: str = DEFAULT_PASSAGES) -> list[tuple[int, int]]:
    """Token ranges [first, end) that cut the document where no span or link crosses (see the module notes)."""
    tokens, text = prepared.tokens, prepared.payload.text
    n = len(tokens)
    if mode not in PASSAGE_MODES:
        raise ValueError(f"unknown passages mode {mode!r}")
    if n < 2 or mode == "document":
        return [(0, n)] if n else []
    # Vectorised over code points: a Python loop over tokens here would cost as much as the DocBin.
    points = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    starts, ends = tokens[:, 0], tokens[:, 1]
    # Line breaks as str.splitlines knows them but \x1c-\x1e: \n \x0b \x0c \r (10-13), \x85, U+2028, U+2029.
    line_break = ((points - np.uint32(10)) <= 3) | (points == 0x85) | ((points - np.uint32(0x2028)) <= 1)
    breaks = np.concatenate(([0], np.cumsum(line_break)))
    cut = (breaks[ends] > breaks[starts])[:-1]  # a line break in token i: cut before token i + 1
    if mode == "sentence":
        single = ends - starts == 1
        sentence_end = single & _member(points[starts], _SENTENCE_ENDS)
        closer = single & _member(points[starts], _CLOSERS)
        spaced = starts[1:] > ends[:-1]  # a space after token i
        sentence_end[1:] |= closer[1:] & sentence_end[:-1] & ~spaced  # `stop.”` ends where the quote closes
        cut |= sentence_end[:-1] & spaced
    spans = prepared.token_spans
    ranges = list(spans) + [(min(spans[h][0], spans[c][0]), max(spans[h][1], spans[c][1])) for h, c, _ in prepared.links]
    if ranges:
        firsts, lasts = np.array(ranges).T
        # a cut before token i splits [first, last] when first < i <= last
        inside = np.bincount(firsts + 1, minlength=n + 1) - np.bincount(lasts + 1, minlength=n + 1)
        cut &= np.cumsum(inside)[1:n] == 0
    bounds = [0, *(np.flatnonzero(cut) + 1).tolist(), n]
    return list(zip(bounds[:-1], bounds[1:]))


def _member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """np.isin for a small sorted set, without isin's sorting of `values` (this runs per document)."""
    at = np.searchsorted(sorted_set, values).clip(max=len(sorted_set) - 1)
    return sorted_set[at] == values


def cut_document(prepared: Prepared, vocab, ner_labels: frozenset[str], mode: str = DEFAULT_PASSAGES) -> CutDocument:
    """The document's Doc, built once, with its spans and ents, and its passages (see the module notes)."""
    payload, tokens = prepared.payload, prepared.tokens
    doc = rebuild_doc(payload.text, tokens, vocab)
    spans = [SpacySpan(doc, a, b + 1, label) for (a, b), (_, _, label) in zip(prepared.token_spans, prepared.spans)]
    doc.spans[SPANS_KEY] = spans
    notes = list(prepared.notes)
    chosen = _entities(spans, ner_labels, payload, notes)
    _set_ents(doc, [spans[i] for i in chosen])
    in_ents = np.zeros(len(spans), dtype=bool)
    in_ents[chosen] = True
    bounds = passages(prepared, mode)
    firsts = np.array([first for first, _ in bounds], dtype=np.int64)
    offsets = tokens[firsts, 0].tolist() if len(tokens) else [0] * len(bounds)
    span_firsts = np.array([a for a, _ in prepared.token_spans], dtype=np.int64)
    span_passage = np.searchsorted(firsts, span_firsts, side="right") - 1
    links: list[list[list]] = [[] for _ in bounds]
    for h, c, label in prepared.links:
        where = int(span_passage[h])
        offset = offsets[where]
        links[where].append([prepared.spans[h][0] - offset, prepared.spans[h][1] - offset,
                             prepared.spans[c][0] - offset, prepared.spans[c][1] - offset, label])
    user_data = [{"links": links[i], "document": {"id": payload.id, "name": payload.name, "start": offsets[i]}}
                 for i in range(len(bounds))]
    return CutDocument(prepared, doc, bounds, user_data, span_passage, in_ents, notes)


def _set_ents(doc: Doc, ents: list[SpacySpan]) -> None:
    """doc.set_ents(ents, default="outside"), as one array: set_ents took twice as long (it checks
    overlaps and builds Span objects again); the entities are the same (tests/test_export_docbin.py)."""
    array = np.zeros((len(doc), 2), dtype=np.uint64)
    array[:, 0] = _IOB_OUTSIDE
    for ent in ents:
        array[ent.start, 0] = _IOB_BEGIN
        array[ent.start + 1:ent.end, 0] = _IOB_INSIDE
        array[ent.start:ent.end, 1] = ent.label
    doc.from_array([ENT_IOB, ENT_TYPE], array)


def _entities(spans: list[SpacySpan], ner_labels: frozenset[str], payload: Payload, notes: list[dict]) -> list[int]:
    """Indices of the spans in doc.ents: longest first, then leftmost; a span overlapping a chosen one
    is left out (and noted). No span crosses a passage, so per document this is the same as per passage."""
    taken: list[int] = []
    used = bytearray(len(spans[0].doc) if spans else 0)
    candidates = [i for i, s in enumerate(spans) if s.label_ in ner_labels]
    for i in sorted(candidates, key=lambda i: (-len(spans[i]), spans[i].start, spans[i].label_)):
        span = spans[i]
        if any(used[span.start:span.end]):
            blocker = next(spans[t] for t in taken if spans[t].start < span.end and span.start < spans[t].end)
            notes.append({
                "document_id": payload.id, "document": payload.name, "label": span.label_,
                "start": span.start_char, "end": span.end_char, "action": "not_in_ents",
                "reason": f"overlaps the longer {blocker.label_} {blocker.start_char}-{blocker.end_char} "
                          f"in doc.ents (kept in doc.spans[{SPANS_KEY!r}])",
            })
            continue
        used[span.start:span.end] = b"\x01" * len(span)
        taken.append(i)
    return sorted(taken, key=lambda i: spans[i].start)
