"""Synthetic articles and annotations for the benchmarks, built from the sample articles.

Shared by bench_import.py, bench_export.py and bench_export_cli.py, so that they measure the
same kind of text: unique articles of about 5,000 characters shuffled from real paragraphs (or
sentences), with token-aligned spans that overlap freely, as annotators' spans do.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "samples" / "articles"
LABELS = ("SPEAKER", "QUOTE", "THREAT", "FIGURE")
ARTICLE_CHARS = 5_000


def paragraphs(file: Path) -> list[str]:
    return [p for p in file.read_text(encoding="utf-8").split("\n\n") if p.strip()]


def english_pieces(unit: str) -> list[str]:
    """The English sample articles' paragraphs, or their sentences (unit "sentence")."""
    files = [f for f in sorted(ARTICLES.glob("*.txt")) if not f.name.startswith("003_")]  # 003 is French
    if unit == "paragraph":
        return [p for f in files for p in paragraphs(f)]
    return [s for f in files for p in f.read_text(encoding="utf-8").split("\n") if p.strip()
            for s in re.split(r"(?<=[.!?”\"])\s+", p.strip()) if s]


def article(rng: random.Random, pieces: list[str], first: str, joiner: str) -> str:
    """`first`, then pieces drawn at random until the article holds about ARTICLE_CHARS characters."""
    parts, size = [first], 0
    while size < ARTICLE_CHARS:
        parts.append(rng.choice(pieces))
        size += len(parts[-1]) + len(joiner)
    return joiner.join(parts)


def make_records(docs: int, spans: int, seed: int = 0, one_paragraph: bool = False,
                 nearest_speaker: bool = False) -> list[dict]:
    """Prodigy records of unique English articles, each with `spans` token-aligned spans (1-12
    tokens, overlapping freely) and spans // 5 links from a QUOTE to a SPEAKER: the nearest one
    (attribution is local in news) or any one. Articles are paragraphs joined by blank lines, or
    with `one_paragraph` sentences joined by spaces (a page scraped without its line breaks)."""
    from annotator.text import tokenize

    rng = random.Random(seed)
    pieces, joiner = (english_pieces("sentence"), " ") if one_paragraph else (english_pieces("paragraph"), "\n\n")
    texts = [article(rng, pieces, f"Article {i}.", joiner) for i in range(docs)]
    records = []
    for text, tokens in zip(texts, tokenize(texts, "en")):
        words = [i for i, (s, e) in enumerate(tokens.tolist()) if not text[s:e].isspace()]
        chosen = set()
        while len(chosen) < spans:
            first = rng.choice(words)
            last = min(first + rng.randint(0, 11), len(tokens) - 1)
            while text[tokens[last][0]:tokens[last][1]].isspace():
                last -= 1
            chosen.add((int(tokens[first][0]), int(tokens[last][1]), rng.choice(LABELS)))
        items = [{"start": s, "end": e, "label": label} for s, e, label in sorted(chosen)]
        quotes = [x for x in items if x["label"] == "QUOTE"]
        speakers = [x for x in items if x["label"] == "SPEAKER"]

        def speaker_of(quote: dict) -> dict:
            if nearest_speaker:
                return min(speakers, key=lambda s: abs(s["start"] - quote["start"]))
            return rng.choice(speakers)

        links = [{"head_span": q, "child_span": speaker_of(q), "label": "said_by"}
                 for q in quotes[: spans // 5]] if speakers else []
        records.append({"text": text, "spans": items, "relations": links, "answer": "accept",
                        "_annotator_id": "bench", "meta": {"lang": "en"}})
    return records
