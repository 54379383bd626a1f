"""The export's DocBin: spaCy's own DocBin reads back the Docs that spaCy's DocBin.add would have written.

TextAndEntsDocBin relies on DocBin's serialized format (it fills DocBin's lists itself), so this
compares it with spaCy's DocBin on the same Docs, read back by spaCy into a vocab that has never
seen their words: a spaCy change to that format shows here.
"""

import zlib

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
