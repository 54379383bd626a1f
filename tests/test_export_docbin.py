"""The export's DocBin: spaCy's own DocBin reads back the Docs that spaCy's DocBin.add would have written.

TextAndEntsDocBin relies on DocBin's serialized format (it fills DocBin's lists itself), and the
export fills it from the stored tokens without building a Doc, so this compares it with spaCy's
DocBin on the same Docs, field for field and read back by spaCy into a vocab that has never seen
their words: a spaCy change to that format shows here.
"""

import zlib

import pytest

import spacy
import srsly
from spacy.tokens import Doc, DocBin, Span

from exports.docbin import DOCBIN_ATTRS, TextAndEntsDocBin


def _docs(vocab) -> list[Doc]:
    first = Doc(vocab, words=["Zorblax", "said", ":", "“", "We", "will", "respond", ".", "”", "\r\n", "😀"],
                spaces=[True, False, True, False, True, True, False, False, False, False, False])
    first.set_ents([Span(first, 0, 1, "SPEAKER")], default="outside")
    first.spans["sc"] = [Span(first, 0, 1, "SPEAKER"), Span(first, 3, 9, "QUOTE"), Span(first, 4, 7, "THREAT"),
                         Span(first, 0, 1, "SPEAKER", kb_id="Q42", span_id="s1")]
    first.user_data["links"] = [[24, 43, 0, 7, "said_by"]]
    first.user_data["document"] = {"id": 7, "name": "a.txt", "start": 0}
    second = Doc(vocab, words=["Le", "président", "Qwvrtz", "a", "dit", "6\u202f465", "soldats"],
                 spaces=[True, True, True, True, True, True, False])
    second.set_ents([Span(second, 1, 3, "SPEAKER"), Span(second, 5, 7, "FIGURE")], default="outside")
    second.spans["sc"] = [Span(second, 1, 3, "SPEAKER"), Span(second, 5, 7, "FIGURE")]
    second.user_data["document"] = {"id": 8, "name": "b.txt", "start": 12}
    bare = Doc(vocab, words=["Nothing"], spaces=[False])  # no ents, no spans, no user data
    return [first, second, bare]


def _read_back(data: bytes, lang: str) -> list[tuple]:
    vocab = spacy.blank(lang).vocab  # a fresh vocab: every string must come from the file
    return [
        (doc.text, [t.text for t in doc], [t.whitespace_ for t in doc], [(t.ent_iob_, t.ent_type_) for t in doc],
         [(e.start, e.end, e.label_) for e in doc.ents],
         {key: [(s.start, s.end, s.label_, s.kb_id_, s.id_) for s in group] for key, group in doc.spans.items()},
         doc.user_data, doc.has_unknown_spaces)
        for doc in DocBin().from_bytes(data).get_docs(vocab)
    ]


def test_spacy_reads_back_the_same_docs_as_from_its_own_docbin():
    docs = _docs(spacy.blank("fr").vocab)
    plain = DocBin(attrs=DOCBIN_ATTRS, store_user_data=True, docs=docs)
    fast = TextAndEntsDocBin(store_user_data=True)
    for doc in docs:
        fast.add(doc)
    expected = _read_back(plain.to_bytes(), "fr")
    assert _read_back(fast.to_bytes(), "fr") == expected
    assert [doc[0] for doc in expected] == [doc.text for doc in docs]
    # Only the strings of the columns kept: no lower-cased norms (DocBin.add stores them, unused).
    assert fast.strings < plain.strings and "zorblax" not in fast.strings
    assert {"Zorblax", "😀", "\r\n", "SPEAKER", "QUOTE", "THREAT", "FIGURE", "Q42", "s1"} <= fast.strings
    # to_bytes writes DocBin's message field for field (a field spaCy adds would show here), strings aside.
    ours, theirs = (srsly.msgpack_loads(zlib.decompress(b.to_bytes())) for b in (fast, plain))
    assert {k: v for k, v in ours.items() if k != "strings"} == {k: v for k, v in theirs.items() if k != "strings"}


def test_user_data_is_left_out_unless_asked_like_spacys_docbin():
    docs = _docs(spacy.blank("en").vocab)
    fast = TextAndEntsDocBin()
    for doc in docs:
        fast.add(doc)
    assert _read_back(fast.to_bytes(), "en") == _read_back(DocBin(attrs=DOCBIN_ATTRS, docs=docs).to_bytes(), "en")
    assert all(not doc[6] for doc in _read_back(fast.to_bytes(), "en"))


def test_docs_added_after_from_bytes_bring_their_strings_again():
    docs = _docs(spacy.blank("en").vocab)
    fast = TextAndEntsDocBin(store_user_data=True)
    for doc in docs:
        fast.add(doc)
    fast.from_bytes(TextAndEntsDocBin(store_user_data=True).to_bytes())  # empty: its strings replace these
    for doc in docs:
        fast.add(doc)
    plain = DocBin(attrs=DOCBIN_ATTRS, store_user_data=True, docs=docs)
    assert _read_back(fast.to_bytes(), "en") == _read_back(plain.to_bytes(), "en")


# Passages: the export writes each document's passages from its stored tokens (exports.spacy_docs.cut_document,
# TextAndEntsDocBin.add_document), never building a Doc. Each passage read back must equal the Doc built on its
# own the slow, obvious way, and written by spaCy's own DocBin.

def _payloads(project):
    from exports.reader import DocumentReader
    from exports.selection import select_export

    with project.read() as session:
        selection = select_export(session, "alice", None, False)
    return list(DocumentReader(project, selection).payloads()), selection.ner_labels


HANDMADE = ("Le président 😀 a dit « nous frapperons » hier.\r\nPuis il a ajouté : « 10 000 soldats 🚀 sont "
            "prêts ». Le ministre Qwvrtz parle.\r\n")


def _at(part: str, label: str, trim: tuple[int, int] = (0, 0)) -> tuple[int, int, str]:
    start = HANDMADE.index(part)
    return (start + trim[0], start + len(part) - trim[1], label)


# Spans of the handmade article that are not on its tokens, and what the DocBin makes of each: export.json's
# notes (span, action, where to). A span snapped onto another one with its label is merged with it.
_WIDENED, _QWVRT = _at("résident", "SPEAKER"), _at("Qwvrt", "SPEAKER")
OFF_TOKENS = [_WIDENED, _QWVRT, _at(" hier", "FIGURE"), _at("Qwvrtz ", "FIGURE"), _at("\r\n", "QUOTE"),
              _at("ministre Qwvrtz parle", "QUOTE", (3, 3))]
NOTES = {
    (_WIDENED, "snapped", _at("président", "SPEAKER")),  # inside a word: widened
    (_QWVRT, "snapped", _at("Qwvrtz", "SPEAKER")),
    (_at(" hier", "FIGURE"), "snapped", _at("hier", "FIGURE")),  # edge whitespace trimmed
    (_at("Qwvrtz ", "FIGURE"), "snapped", _at("Qwvrtz", "FIGURE")),
    (_at("ministre Qwvrtz parle", "QUOTE", (3, 3)), "snapped", _at("ministre Qwvrtz parle", "QUOTE")),
    (_at("\r\n", "QUOTE"), "dropped", None),  # only whitespace
    (_WIDENED, "merged", _at("président", "SPEAKER")),
    (_at("Qwvrtz", "SPEAKER"), "merged", _at("Qwvrtz", "SPEAKER")),
}


def _handmade_payload():
    """CRLF, emojis, overlapping ner spans (FIGURE over SPEAKER), a link across sentences and spans off
    the tokens (OFF_TOKENS)."""
    from annotator.text import tokenize
    from annotator.tokens import pack_tokens
    from exports.prepare import Payload

    quote, speaker = _at("nous frapperons", "QUOTE"), _at("président", "SPEAKER")
    figure, inner = _at("10 000 soldats", "FIGURE"), _at("soldats", "SPEAKER")
    [tokens] = tokenize([HANDMADE], "fr")
    spans = sorted([quote, speaker, figure, inner, _at("Qwvrtz", "SPEAKER"), _at("ministre Qwvrtz", "SPEAKER"),
                    *OFF_TOKENS])
    return Payload(99, "hand.txt", "fr", {}, HANDMADE, pack_tokens(tokens), spans, [(quote, speaker, "said_by")])


def test_the_handmade_spans_off_the_tokens_are_each_changed_and_noted():
    from exports.prepare import prepare

    prepared = prepare(_handmade_payload(), snap_to_tokens=True)
    noted = [((n["start"], n["end"], n["label"]), n["action"], (*n["to"], n["label"]) if "to" in n else None)
             for n in prepared.notes]
    assert len(noted) == len(NOTES) and set(noted) == NOTES
    assert {to for _, action, to in NOTES if action == "snapped"} <= set(prepared.spans)
    assert not set(OFF_TOKENS) & set(prepared.spans)


def _slow_passage_docs(prepared, bounds, ner_labels, vocab) -> list[Doc]:
    """Each passage built on its own: its text, rebuilt tokens, Spans by characters, its own ents and user data."""
    from annotator.text import rebuild_doc

    text, tokens, docs = prepared.payload.text, prepared.tokens, []
    for first, end in bounds:
        start = int(tokens[first, 0])
        stop = int(tokens[end, 0]) if end < len(tokens) else len(text)
        doc = rebuild_doc(text[start:stop], tokens[first:end] - start, vocab)
        inside = [i for i, (s, e, _) in enumerate(prepared.spans) if start <= s and e <= stop]
        spans = [doc.char_span(prepared.spans[i][0] - start, prepared.spans[i][1] - start, prepared.spans[i][2])
                 for i in inside]
        doc.spans["sc"] = spans
        ents: list[Span] = []
        for candidate in sorted((s for s in spans if s.label_ in ner_labels), key=lambda s: (-len(s), s.start)):
            if all(candidate.end <= e.start or e.end <= candidate.start for e in ents):
                ents.append(candidate)
        doc.set_ents(ents, default="outside")
        doc.user_data["links"] = [[prepared.spans[h][0] - start, prepared.spans[h][1] - start, prepared.spans[c][0] - start,
                                   prepared.spans[c][1] - start, label] for h, c, label in prepared.links if h in inside]
        doc.user_data["document"] = {"id": prepared.payload.id, "name": prepared.payload.name, "start": start}
        docs.append(doc)
    return docs


def test_passages_read_back_as_the_docs_built_one_by_one(sample_project):
    from annotator.text import blank
    from exports.docbin import WordKeys
    from exports.prepare import prepare
    from exports.spacy_docs import PASSAGE_MODES, cut_document

    payloads, ner_labels = _payloads(sample_project)
    for lang in ("en", "fr"):
        vocab = blank(lang).vocab
        for mode in PASSAGE_MODES:
            fast, slow, keys = TextAndEntsDocBin(store_user_data=True), [], WordKeys()
            for payload in [p for p in payloads + [_handmade_payload()] if p.lang == lang]:
                prepared = prepare(payload, snap_to_tokens=True)
                cut = cut_document(prepared, keys, frozenset(ner_labels), mode)
                fast.add_document(cut.arrays, cut.bounds, cut.user_data)
                slow += _slow_passage_docs(prepared, cut.bounds, ner_labels, vocab)
            plain = DocBin(attrs=DOCBIN_ATTRS, store_user_data=True, docs=slow)
            expected = _read_back(plain.to_bytes(), lang)
            assert _read_back(fast.to_bytes(), lang) == expected, mode
            assert len(expected) == len(slow) and [doc[0] for doc in expected] == [doc.text for doc in slow]
            ours, theirs = (srsly.msgpack_loads(zlib.decompress(b.to_bytes())) for b in (fast, plain))
            # The strings read back are checked above: every one spaCy needs is there, and no other.
            assert set(ours.pop("strings")) <= set(theirs.pop("strings"))
            assert ours == theirs  # every other field of DocBin's message (ORTH, SPACY, spans, user data...)
            if lang == "fr":
                assert any("\r\n" in doc.text for doc in slow) and any(doc[4] for doc in expected)
                assert any(len(doc.spans["sc"]) > len(doc.ents) for doc in slow)  # overlaps stay in spans
    assert len(expected) > 10 and any(doc[4] for doc in expected) and any(doc[6]["links"] for doc in expected)


def test_a_chosen_few_passages_read_back_alone_and_nothing_may_cross_their_edges():
    from dataclasses import replace

    from annotator.text import blank
    from exports.docbin import WordKeys
    from exports.prepare import prepare
    from exports.spacy_docs import cut_document

    vocab = blank("fr").vocab
    prepared = prepare(_handmade_payload(), snap_to_tokens=True)
    cut = cut_document(prepared, WordKeys(), frozenset({"SPEAKER", "FIGURE"}), "sentence")
    assert len(cut.bounds) == 3
    chosen = [cut.bounds[0], cut.bounds[2]]  # the middle passage's spans (the figure) are left out
    fast = TextAndEntsDocBin(store_user_data=True)
    fast.add_document(cut.arrays, chosen, [cut.user_data[0], cut.user_data[2]])
    slow = _slow_passage_docs(prepared, chosen, {"SPEAKER", "FIGURE"}, vocab)
    assert _read_back(fast.to_bytes(), "fr") == _read_back(DocBin(attrs=DOCBIN_ATTRS, store_user_data=True,
                                                                  docs=slow).to_bytes(), "fr")
    first, _ = prepared.token_spans[prepared.spans.index(_at("nous frapperons", "QUOTE"))]
    everything = len(prepared.tokens)
    with pytest.raises(ValueError, match="span"):
        TextAndEntsDocBin().add_document(cut.arrays, [(0, first + 1), (first + 1, everything)])
    no_spans = replace(cut.arrays, span_groups={})
    first, last = prepared.token_spans[prepared.spans.index(_at("10 000 soldats", "FIGURE"))]  # an entity
    assert last > first
    with pytest.raises(ValueError, match="entity"):
        TextAndEntsDocBin().add_document(no_spans, [(0, first + 1), (first + 1, everything)])
    TextAndEntsDocBin().add_document(no_spans, [(0, first), (first, everything)])  # at its edge: fine
