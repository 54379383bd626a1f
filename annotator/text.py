"""Text, tokens and offsets.

Offsets everywhere are Python code points into the text exactly as imported.
Tokens come from spaCy's blank pipeline of the document's language and are
stored at import as (start, end) pairs, so that snapping and export never
tokenize again. The window's positions (UTF-16, one per line break) are mapped in
annotator/qt_positions.py, which needs no spaCy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache

import numpy as np
import spacy
from spacy.attrs import IDX, LENGTH
from spacy.tokens import Doc
from spacy.util import get_lang_class
from spacy.vocab import Vocab

from annotator.tokens import TOKEN_DTYPE

# Languages the detector chooses between; any spaCy language code can be given explicitly.
DETECTABLE = ("en", "fr", "de", "es", "it", "nl", "pt")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@cache
def blank(lang: str) -> spacy.Language:
    """spaCy's blank pipeline for a language (its tokenizer, no model)."""
    nlp = spacy.blank(lang)
    nlp.max_length = 10**9  # only the tokenizer runs; the import enforces its own limit
    return nlp


def check_language(lang: str) -> str:
    """Return a spaCy language code or raise ValueError with the reason."""
    try:
        get_lang_class(lang)
    except Exception:
        raise ValueError(f"unknown language code {lang!r}; use a spaCy code such as en or fr") from None
    return lang


@cache
def _stop_word_languages() -> dict[str, tuple[int, ...]]:
    """Each stop word of the DETECTABLE languages -> the indices of the languages that have it."""
    index: dict[str, list[int]] = {}
    for i, lang in enumerate(DETECTABLE):
        for word in get_lang_class(lang).Defaults.stop_words:
            index.setdefault(word, []).append(i)
    return {word: tuple(langs) for word, langs in index.items()}


def detect_language(text: str, sample: int = 1000) -> str:
    """The language whose spaCy stop words are most frequent in the text's opening.

    A news article's first 1,000 characters (about 170 words) hold enough function words
    to decide between the languages in DETECTABLE; text with none is 'xx' (multi-language).
    """
    words = _WORD.findall(text[:sample].lower())
    index = _stop_word_languages()
    scores = [0] * len(DETECTABLE)
    for word in words:
        for lang in index.get(word, ()):
            scores[lang] += 1
    best = max(range(len(DETECTABLE)), key=scores.__getitem__)
    return DETECTABLE[best] if words and scores[best] >= max(2, len(words) // 20) else "xx"


def token_array(doc: Doc) -> np.ndarray:
    """A doc's tokens as an (n, 2) int32 array of code-point (start, end) offsets."""
    if len(doc) == 0:
        return np.zeros((0, 2), dtype=TOKEN_DTYPE)
    array = doc.to_array([IDX, LENGTH]).astype(np.int64)
    array[:, 1] += array[:, 0]
    return array.astype(TOKEN_DTYPE)


def tokenize(texts: Iterable[str], lang: str, batch_size: int = 256) -> Iterator[np.ndarray]:
    """Token offsets of each text, streaming."""
    for doc in blank(lang).tokenizer.pipe(texts, batch_size=batch_size):
        yield token_array(doc)


def rebuild_doc(text: str, tokens: np.ndarray, vocab: Vocab) -> Doc:
    """The spaCy Doc of a stored text without tokenizing it again.

    spaCy's tokenizer leaves at most one space after a token, so a gap between
    stored tokens (or after the last one) is exactly that space.
    """
    starts, ends = tokens[:, 0], tokens[:, 1]
    words = [text[s:e] for s, e in zip(starts.tolist(), ends.tolist())]
    following = np.append(starts[1:], len(text))
    spaces = (following > ends).tolist()
    return Doc(vocab, words=words, spaces=spaces)
