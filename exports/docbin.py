"""A DocBin that writes text and entities only, from arrays: no Doc, no per-token loop.

spaCy's `DocBin.add` makes a Token object per token and collects nine strings from it (text,
tag, lemma, norm, morph, dep, entity type, KB id, entity id), whatever attributes the DocBin
keeps. A DocBin that keeps only ORTH, ENT_IOB and ENT_TYPE (plus SPACY) needs, to read its Docs
back, the strings of those columns and of the span labels, so `TextAndEntsDocBin` collects
exactly those. Everything else is DocBin's own code and format; the file is read by spaCy's
plain `DocBin().from_disk(path)`, and the Docs read back are the same as with `DocBin.add`
(tests/test_export_docbin.py checks it against spaCy's DocBin, so a spaCy change would show).

What it stores of a Doc is a `DocArrays`: DocBin's token columns, the spaces, each token's
first character and the span groups as rows of spaCy's own span struct. `DocArrays.from_doc`
takes them from a Doc; the export builds them straight from the tokens stored at import
(exports.spacy_docs), with a `WordKeys` cache, so that a word's key is computed once per shard.
`add_document(arrays, bounds, user_data)` adds slices of one document as Docs of their own:
what `add` would store for each passage built as a Doc on its own (its tokens, spaces,
entities, span groups re-based to the passage, the given user data), so a passage costs a few
slices and msgpack calls. spaCy's DocBin has no such call; its message format does not know
where a Doc came from.
`to_bytes` is DocBin's, compressed at zlib's fastest level: DocBin's default level took about a
seventh of the export's time, for files about 15% smaller.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import srsly
from spacy.attrs import ENT_IOB, ENT_TYPE, IDX, ORTH, SPACY
from spacy.strings import StringStore
from spacy.tokens import Doc, DocBin

DOCBIN_ATTRS = ["ORTH", "ENT_IOB", "ENT_TYPE"]
COLUMNS = DocBin(attrs=DOCBIN_ATTRS).attrs  # DocBin's order of its token columns (ORTH first)
ORTH_COLUMN, IOB_COLUMN, TYPE_COLUMN = (COLUMNS.index(attr) for attr in (ORTH, ENT_IOB, ENT_TYPE))
# spaCy's SpanGroup.to_bytes packs each span as struct ">QQQllll": id, kb_id, label, start, end, start_char, end_char.
SPAN_ROW = np.dtype([("id", ">u8"), ("kb_id", ">u8"), ("label", ">u8"), ("start", ">i4"), ("end", ">i4"),
                     ("start_char", ">i4"), ("end_char", ">i4")])
_EMPTY_SPAN_GROUPS = srsly.msgpack_dumps([])  # what SpanGroups.to_bytes writes for a Doc without span groups
_IOB_INSIDE = 1


class WordKeys(dict):
    """word -> its key (the vocab's: a hash, or a symbol's id), each computed once; `strings`
    gives the word of a key back, as a vocab's StringStore does."""

    def __init__(self) -> None:
        super().__init__()
        self.strings = StringStore()

    def __missing__(self, word: str) -> int:
        key = self[word] = self.strings.add(word)
        return key


@dataclass
class SpanRows:
    """One span group as SpanGroup.to_bytes packs it: its name, attrs and spans (SPAN_ROW, in order)."""

    name: str
    rows: np.ndarray
    attrs: dict = field(default_factory=dict)


@dataclass
class DocArrays:
    """What DocBin stores of one Doc, in document offsets."""

    tokens: np.ndarray  # (n, 3) uint64: DocBin's columns, in COLUMNS' order
    spaces: np.ndarray  # (n, 1) bool: whether a space follows each token
    token_starts: np.ndarray  # (n + 1,) int64: each token's first character, then the end of the text
    span_groups: dict[str, SpanRows]  # doc.spans' key -> its group
    strings: object  # key -> string, for every key in tokens and span rows (a StringStore)
    has_unknown_spaces: bool = False
    cats: dict = field(default_factory=dict)

    @classmethod
    def from_doc(cls, doc: Doc) -> DocArrays:
        groups = {}
        for key, group in doc.spans.items():
            message = srsly.msgpack_loads(group.to_bytes())  # the spans as spaCy packs them, in one call
            rows = np.frombuffer(b"".join(message["spans"]), dtype=SPAN_ROW).copy()
            groups[key] = SpanRows(message["name"], rows, message["attrs"])
        tokens = doc.to_array(COLUMNS).reshape((len(doc), len(COLUMNS)))
        spaces = np.asarray(doc.to_array(SPACY).reshape((-1, 1)), dtype=bool)
        end = doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0  # not len(doc.text): a loop over tokens
        starts = np.append(doc.to_array(IDX).astype(np.int64), end)
        return cls(tokens, spaces, starts, groups, doc.vocab.strings, doc.has_unknown_spaces, dict(doc.cats))


class TextAndEntsDocBin(DocBin):
    """DocBin(attrs=["ORTH", "ENT_IOB", "ENT_TYPE"]) filled from arrays (same Docs read back as with `add`)."""

    def __init__(self, store_user_data: bool = False) -> None:
        super().__init__(attrs=DOCBIN_ATTRS, store_user_data=store_user_data)
        assert self.attrs == COLUMNS
        self._keys_seen = {0}  # string keys whose string is in self.strings (0: no entity type)
        self._packer = srsly.msgpack.Packer(use_bin_type=True)  # srsly.msgpack_dumps's packer, built once

    def from_bytes(self, bytes_data: bytes) -> TextAndEntsDocBin:
        self._keys_seen = {0}  # the strings are replaced
        return super().from_bytes(bytes_data)

    def add(self, doc: Doc) -> None:
        self.add_document(DocArrays.from_doc(doc), [(0, len(doc))], [doc.user_data])

    def add_passages(self, doc: Doc, bounds: Sequence[tuple[int, int]],
                     user_data: Sequence[dict] | None = None) -> None:
        """add_document for a Doc."""
        self.add_document(DocArrays.from_doc(doc), bounds, user_data)

    def add_document(self, document: DocArrays, bounds: Sequence[tuple[int, int]],
                     user_data: Sequence[dict] | None = None) -> None:
        """Add tokens [first, end) of the document for each (first, end) as a Doc of its own, with
        user_data[i] as its user data ({} when not given). The ranges are in order and do not overlap;
        they need not cover the document (a span starting outside them is left out). No entity or span
        may cross a range's edge (ValueError)."""
        tokens = document.tokens
        self._add_strings(_distinct(tokens[:, [ORTH_COLUMN, TYPE_COLUMN]].ravel()).tolist(), document.strings)
        firsts = np.array([first for first, _ in bounds], dtype=np.int64)
        stops = np.array([end for _, end in bounds], dtype=np.int64)
        continues = np.append(tokens[:, IOB_COLUMN] == _IOB_INSIDE, False)  # token i is inside an entity
        if len(bounds) and (continues[firsts].any() or continues[stops].any()):
            raise ValueError("an entity crosses a passage's edge")
        groups = self._span_groups(document, firsts, stops, document.token_starts[firsts])
        flags = {"has_unknown_spaces": document.has_unknown_spaces}
        for i, (first, end) in enumerate(bounds):
            self.tokens.append(tokens[first:end])
            self.spaces.append(document.spaces[first:end])
            self.flags.append(dict(flags))
            self.cats.append(dict(document.cats))
            if self.store_user_data:
                self.user_data.append(self._packer.pack(user_data[i] if user_data is not None else {}))
            self.span_groups.append(groups[i])

    def _add_strings(self, keys: list[int], strings) -> None:
        # Few keys are new after the first Docs, so only those are looked up.
        new = set(keys) - self._keys_seen
        self.strings.update(strings[key] for key in new)
        self._keys_seen |= new

    def _span_groups(self, document: DocArrays, firsts: np.ndarray, stops: np.ndarray,
                     starts_char: np.ndarray) -> list[bytes]:
        """Per passage, the bytes SpanGroups.to_bytes writes for the passage's Doc: each group of the
        document holding the spans inside the passage, in their order, re-based to the passage."""
        if not document.span_groups:
            return [_EMPTY_SPAN_GROUPS] * len(firsts)
        per_passage: list[dict[bytes, list[str]]] = [{} for _ in firsts]
        strings = document.strings
        for key, group in document.span_groups.items():
            spans = group.rows.copy()
            # DocBin.add's strings of span groups: each label; a KB id or span id that the vocab knows.
            self._add_strings(spans["label"].tolist(), strings)
            for column in ("kb_id", "id"):
                self.strings.update(strings[k] for k in set(spans[column].tolist()) if k in strings)
            where = np.searchsorted(firsts, spans["start"], side="right") - 1
            inside = (where >= 0) & (spans["start"] < stops[where.clip(min=0)]) if len(firsts) else where >= 0
            if np.any(spans["end"][inside] > stops[where[inside]]):
                raise ValueError(f"a span of doc.spans[{key!r}] crosses a passage's edge")
            where = np.where(inside, where, len(firsts))  # past the last passage: left out
            for column, shift in (("start", firsts), ("end", firsts), ("start_char", starts_char),
                                  ("end_char", starts_char)):
                spans[column] -= np.append(shift, 0)[where]
            blob, size = spans.tobytes(), SPAN_ROW.itemsize
            order = np.argsort(where, kind="stable")
            cuts = np.searchsorted(where[order], np.arange(len(firsts) + 1)).tolist()
            order = order.tolist()
            for i, packed in enumerate(per_passage):
                chunk = [blob[j * size:(j + 1) * size] for j in order[cuts[i]:cuts[i + 1]]]
                group_bytes = self._packer.pack({"name": group.name, "attrs": group.attrs, "spans": chunk})
                packed.setdefault(group_bytes, []).append(key)
        return [self._packer.pack(packed) for packed in per_passage]

    def to_bytes(self) -> bytes:
        """DocBin.to_bytes (same message) at zlib level 1; spaCy's from_bytes reads any level."""
        tokens = np.vstack(self.tokens) if self.tokens else np.asarray([])
        spaces = np.vstack(self.spaces) if self.spaces else np.asarray([])
        msg = {
            "version": self.version,
            "attrs": self.attrs,
            "tokens": tokens.tobytes("C"),
            "spaces": spaces.tobytes("C"),
            "lengths": np.asarray([len(t) for t in self.tokens], dtype="int32").tobytes("C"),
            "strings": sorted(self.strings),
            "cats": self.cats,
            "flags": self.flags,
            "span_groups": self.span_groups,
        }
        if self.store_user_data:
            msg["user_data"] = self.user_data
        return zlib.compress(srsly.msgpack_dumps(msg), 1)


def _distinct(keys: np.ndarray) -> np.ndarray:
    """np.unique by sorting (numpy 2's np.unique hashes, several times slower on a Doc's keys)."""
    keys = np.sort(keys)
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys
