"""Offsets: any text and any valid span survive the store unchanged; tokens, snapping.

The window's position map is tested against Qt itself in test_qt_positions.py.
"""

import json

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from annotator.importing import import_path
from annotator.model import Document
from annotator.queries import document_text, spans
from annotator.text import blank, rebuild_doc, tokenize
from annotator.tokens import snap

# Emoji (beyond U+FFFF), combining marks, CRLF, French elisions and guillemets, NBSP, tabs.
PIECES = ["😀", "👍🏽", "e\u0301", "\r\n", "\n", "l'Otan", "d’armes", "« prêt »", "\u00a0", "\t", "  ",
          "Putin", "said", "“", "”", ".", ",", "2024", "€", "𝔘"]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(min_size=1, max_size=5)), min_size=1, max_size=40).map(
    "".join
).filter(lambda t: t.strip() and "\x00" not in t)  # a NUL is refused by import (tests/test_import_errors.py)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts, data=st.data())
def test_any_text_and_span_round_trip_through_the_store(project, tmp_path_factory, text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    label = data.draw(st.sampled_from(["SPEAKER", "QUOTE", "THREAT", "FIGURE"]))
    record = {"text": text, "spans": [{"start": start, "end": end, "label": label}], "answer": "accept",
              "_annotator_id": "prop"}
    path = tmp_path_factory.mktemp("in") / "one.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    import_path(project, path)
    with project.read() as session:
        doc_id = session.scalar(select(Document.id).where(Document.text == text))
        stored_text, tokens = document_text(session, doc_id)
        stored = spans(session, [doc_id], ["prop"])
    assert stored_text == text
    row = stored[(stored.start == start) & (stored.end == end) & (stored.label == label)]
    assert len(row) == 1
    assert stored_text[int(row.start.iloc[0]):int(row.end.iloc[0])] == text[start:end]
    # The stored tokens rebuild the exact text without tokenizing again.
    assert rebuild_doc(stored_text, tokens, blank("xx").vocab).text == text


@given(text=texts)
@settings(max_examples=200, deadline=None)
def test_tokens_cover_the_text_and_rebuild_it(text):
    [tokens] = list(tokenize([text], "fr"))
    assert rebuild_doc(text, tokens, blank("fr").vocab).text == text
    assert np.all(tokens[:, 0] < tokens[:, 1])
    assert np.all(tokens[1:, 0] >= tokens[:-1, 1])


@given(text=texts, data=st.data())
@settings(max_examples=200, deadline=None)
def test_snapping_widens_to_token_boundaries_and_never_shrinks_content(text, data):
    [tokens] = list(tokenize([text], "en"))
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    snapped = snap(text, tokens, start, end)
    if not text[start:end].strip():
        assert snapped is None
        return
    assert snapped is not None
    s, e = snapped
    assert s in tokens[:, 0] and e in tokens[:, 1]
    assert text[start:end].strip() in text[s:e]
    assert not text[s].isspace() and not text[e - 1].isspace()


def test_snapping_examples():
    text = "Mr. Putin said « nous sommes prêts » hier."
    [tokens] = list(tokenize([text], "fr"))
    assert snap(text, tokens, 5, 8) == (4, 9)  # inside "Putin" → the whole word
    assert text[slice(*snap(text, tokens, 3, 10))] == "Putin"  # surrounding spaces are trimmed
    assert snap(text, tokens, 9, 10) is None  # only a space


def test_language_detection_from_stop_words():
    from annotator.text import detect_language

    assert detect_language("Le président russe a déclaré qu'il était prêt à négocier.") == "fr"
    assert detect_language("The Russian president said that he was ready to talk.") == "en"
    assert detect_language("Der Präsident sagte, dass er nicht bereit sei.") == "de"
    assert detect_language("12/19/2024 – 1:53 p.m.") == "xx"
