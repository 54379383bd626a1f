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

No spaCy Doc is built: what the DocBin stores of a document's Doc (exports.docbin.DocArrays:
its words' keys, spaces, entity columns and span rows) is computed once, straight from the
tokens stored at import, each word's key looked up in one cache per shard; its passages are
slices of those arrays written by TextAndEntsDocBin.add_document, so a passage costs little
more than its share of the document (tests/test_export_docbin.py compares them with spaCy's).

Each passage's Doc holds:
- its text, rebuilt from the tokens stored at import (as annotator.text.rebuild_doc does);
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

from exports.docbin import (COLUMNS, IOB_COLUMN, ORTH_COLUMN, SPAN_ROW, TYPE_COLUMN, DocArrays, SpanRows,
                            TextAndEntsDocBin, WordKeys)
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
    """A document's arrays (spans and ents set) and its passages: token ranges and their user data."""

    prepared: Prepared
    arrays: DocArrays
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
    keys = WordKeys()  # one cache of word keys for the shard: a word's key is computed once
    ner_labels = frozenset(task.ner_labels)
    docbins = {split: TextAndEntsDocBin(store_user_data=True) for split in task.paths}  # text and entities only
    stats = {split: ShardStats() for split in task.paths}
    with _msgpack_hooks_looked_up_once():
        for payload in task.payloads:
            cut = cut_document(prepare(payload, snap_to_tokens=True), keys, ner_labels, task.passages)
            if len(task.paths) == 1:
                [split] = task.paths
                docbins[split].add_document(cut.arrays, cut.bounds, cut.user_data)
                cut.count(stats[split])
            else:
                text, starts = payload.text, cut.arrays.token_starts.tolist()
                texts = [text[starts[a]:starts[b]] for a, b in cut.bounds]
                labels = [set() for _ in cut.bounds]
                for where, (_, _, label) in zip(cut.span_passage.tolist(), cut.prepared.spans):
                    labels[where].add(label)
                train, dev, _ = split_passages(texts, labels, task.dev_share, task.seed)
                for split, chosen in (("train", train), ("dev", dev)):
                    docbins[split].add_document(cut.arrays, [cut.bounds[i] for i in chosen],
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


def cut_document(prepared: Prepared, keys: WordKeys, ner_labels: frozenset[str],
                 mode: str = DEFAULT_PASSAGES) -> CutDocument:
    """The document's arrays (spans and ents set), built once, and its passages (see the module notes)."""
    payload, tokens = prepared.payload, prepared.tokens
    arrays = document_arrays(payload.text, tokens, keys)
    notes = list(prepared.notes)
    spans = _span_rows(prepared, keys)
    arrays.span_groups[SPANS_KEY] = SpanRows(SPANS_KEY, spans)
    chosen = _entities(prepared, ner_labels, notes)
    _set_ents(arrays.tokens, spans[chosen])
    in_ents = np.zeros(len(spans), dtype=bool)
    in_ents[chosen] = True
    bounds = passages(prepared, mode)
    firsts = np.array([first for first, _ in bounds], dtype=np.int64)
    offsets = arrays.token_starts[firsts].tolist()
    span_passage = np.searchsorted(firsts, spans["start"], side="right") - 1
    links: list[list[list]] = [[] for _ in bounds]
    for h, c, label in prepared.links:
        where = int(span_passage[h])
        offset = offsets[where]
        links[where].append([prepared.spans[h][0] - offset, prepared.spans[h][1] - offset,
                             prepared.spans[c][0] - offset, prepared.spans[c][1] - offset, label])
    user_data = [{"links": links[i], "document": {"id": payload.id, "name": payload.name, "start": offsets[i]}}
                 for i in range(len(bounds))]
    return CutDocument(prepared, arrays, bounds, user_data, span_passage, in_ents, notes)


def document_arrays(text: str, tokens: np.ndarray, keys: WordKeys) -> DocArrays:
    """What DocBin stores of the Doc that annotator.text.rebuild_doc builds (no entities, no spans yet),
    without building it: the words' keys from `keys`, a space after a token when the next starts later."""
    starts, ends = tokens[:, 0].astype(np.int64), tokens[:, 1].astype(np.int64)
    words = map(text.__getitem__, map(slice, starts.tolist(), ends.tolist()))
    columns = np.zeros((len(tokens), len(COLUMNS)), dtype=np.uint64)
    columns[:, ORTH_COLUMN] = np.fromiter(map(keys.__getitem__, words), dtype=np.uint64, count=len(tokens))
    columns[:, IOB_COLUMN] = _IOB_OUTSIDE
    token_starts = np.append(starts, len(text))
    spaces = (token_starts[1:] > ends).reshape((-1, 1))
    return DocArrays(columns, spaces, token_starts, {}, keys.strings)


def _span_rows(prepared: Prepared, keys: WordKeys) -> np.ndarray:
    """doc.spans["sc"] as SpanGroup.to_bytes packs it: each span of the export, in order, on its tokens."""
    rows = np.zeros(len(prepared.spans), dtype=SPAN_ROW)
    if prepared.spans:
        rows["label"] = [keys[label] for _, _, label in prepared.spans]
        rows["start"], rows["end"] = np.array(prepared.token_spans).T + [[0], [1]]
        rows["start_char"], rows["end_char"] = np.array([(s, e) for s, e, _ in prepared.spans]).T
    return rows


def _set_ents(columns: np.ndarray, ents: np.ndarray) -> None:
    """The ENT_IOB and ENT_TYPE columns of doc.set_ents(ents, default="outside") (tests/test_export_docbin.py)."""
    for label, start, end in zip(ents["label"].tolist(), ents["start"].tolist(), ents["end"].tolist()):
        columns[start, IOB_COLUMN] = _IOB_BEGIN
        columns[start + 1:end, IOB_COLUMN] = _IOB_INSIDE
        columns[start:end, TYPE_COLUMN] = label


def _entities(prepared: Prepared, ner_labels: frozenset[str], notes: list[dict]) -> list[int]:
    """Indices of the spans in doc.ents: longest first (in tokens), then leftmost; a span overlapping a
    chosen one is left out (and noted). No span crosses a passage, so per document this is the same as
    per passage."""
    spans, token_spans, payload = prepared.spans, prepared.token_spans, prepared.payload
    taken: list[int] = []
    used = bytearray(len(prepared.tokens))
    candidates = [i for i, (_, _, label) in enumerate(spans) if label in ner_labels]
    for i in sorted(candidates, key=lambda i: (token_spans[i][0] - token_spans[i][1], token_spans[i][0], spans[i][2])):
        first, last = token_spans[i]
        if any(used[first:last + 1]):
            blocker = next(spans[t] for t in taken if token_spans[t][0] <= last and first <= token_spans[t][1])
            start, end, label = spans[i]
            notes.append({
                "document_id": payload.id, "document": payload.name, "label": label,
                "start": start, "end": end, "action": "not_in_ents",
                "reason": f"overlaps the longer {blocker[2]} {blocker[0]}-{blocker[1]} "
                          f"in doc.ents (kept in doc.spans[{SPANS_KEY!r}])",
            })
            continue
        used[first:last + 1] = b"\x01" * (last + 1 - first)
        taken.append(i)
    return sorted(taken, key=lambda i: token_spans[i][0])
