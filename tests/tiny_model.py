"""A tiny real spaCy pipeline for tests of `suggest --model`: spancat trained a few steps on the
sample annotations of one language, written where `annotator train --out DIR` puts it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import SAMPLES


def sample_examples(nlp, lang: str, rename: dict[str, str] | None = None):
    from spacy.training import Example

    from annotator.text import detect_language

    examples = []
    for line in (SAMPLES / "annotations" / "alice.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if detect_language(record["text"]) != lang:
            continue
        doc = nlp.make_doc(record["text"])
        spans = [doc.char_span(s["start"], s["end"], label=(rename or {}).get(s["label"], s["label"]),
                               alignment_mode="expand") for s in record["spans"]]
        doc.spans["sc"] = [span for span in spans if span is not None]
        examples.append(Example(nlp.make_doc(record["text"]), doc))
    return examples


def build_tiny_model(folder: Path, lang: str = "en", name: str = "v1", steps: int = 4,
                     rename: dict[str, str] | None = None, meta_lang: str | None = None) -> Path:
    """`folder/<lang>/model-best`: spacy.blank(lang) + spancat, `steps` updates; returns folder."""
    import spacy

    nlp = spacy.blank(meta_lang or lang)
    nlp.add_pipe("spancat", config={"spans_key": "sc", "threshold": 0.2})
    examples = sample_examples(nlp, lang, rename)
    nlp.initialize(lambda: examples)
    for _ in range(steps):
        nlp.update(examples)
    nlp.meta["name"] = name
    (folder / lang).mkdir(parents=True, exist_ok=True)
    nlp.to_disk(folder / lang / "model-best")
    return folder
