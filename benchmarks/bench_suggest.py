"""Suggest benchmark: `suggest --patterns` and `suggest --model` over 1,000 documents.

Each is timed whole (reading the texts, rebuilding Docs from the stored tokens, matching or
running the pipeline, links, writing the suggestions in one transaction) and printed as a ratio
to a floor measured in the same run on the same texts:
- rules: spaCy's bare `SpanRuler` (the same patterns, "context" left out) in `nlp.pipe`;
- model: the same pipeline's `nlp.pipe`.
Targets: at most 1.3x each. No assertion on time. The model is a tiny spancat trained a few
steps on the sample annotations (as the tests build it), unless --model DIR is given.

    python benchmarks/bench_suggest.py [--docs 1000] [--repeat 3] [--model DIR]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from synthetic import ROOT, article, english_pieces

from annotator.importing import ImportOptions, import_path
from annotator.store import create_project
from annotator.suggestions.pipelines import PIPE_BATCH
from annotator.suggestions.suggest import suggest_with_model, suggest_with_patterns

PATTERNS = ROOT / "samples" / "patterns.jsonl"


def make_project(folder: Path, docs: int):
    rng = random.Random(0)
    pieces = english_pieces("paragraph")
    texts = [article(rng, pieces, f"Article {i}.", "\n\n") for i in range(docs)]
    path = folder / "articles.jsonl"
    path.write_text("".join(json.dumps({"text": t, "meta": {"lang": "en"}}) + "\n" for t in texts), encoding="utf-8")
    project = create_project(folder / "bench.db", ROOT / "samples" / "labels.toml")
    import_path(project, path, ImportOptions(format="jsonl", lang="en"))
    return project, texts


def span_ruler_floor(texts: list[str]) -> float:
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("span_ruler", config={"phrase_matcher_attr": "LOWER"})
    lines = [json.loads(line) for line in PATTERNS.read_text(encoding="utf-8").splitlines() if line.strip()]
    ruler.add_patterns([{"label": p["label"], "pattern": p["pattern"]} for p in lines])
    start = time.perf_counter()
    for _ in nlp.pipe(texts):
        pass
    return time.perf_counter() - start


def model_floor(model: Path, texts: list[str]) -> float:
    import spacy

    nlp = spacy.load(model / "en" / "model-best")
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=PIPE_BATCH):  # the batch suggest uses (memory, see there)
        pass
    return time.perf_counter() - start


def timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    parser.add_argument("--model", type=Path, help="a folder `annotator train --out` wrote (default: a tiny one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        project, texts = make_project(Path(folder), args.docs)
        model = args.model
        if model is None:
            sys.path.insert(0, str(ROOT))
            from tests.tiny_model import build_tiny_model

            model = build_tiny_model(Path(folder) / "model")
        rules, rules_floor, models, models_floor = [], [], [], []
        for _ in range(args.repeat):  # in turns, so that both see the same machine
            rules.append(timed(lambda: suggest_with_patterns(project, PATTERNS)))
            rules_floor.append(span_ruler_floor(texts))
            models.append(timed(lambda: suggest_with_model(project, model)))
            models_floor.append(model_floor(model, texts))
        with project.read() as session:
            from sqlalchemy import func, select

            from annotator.model import Span
            stored = session.scalar(select(func.count()).select_from(Span))
        project.close()
    print(f"{args.docs} documents of ~5,000 characters; {stored} suggestions stored (best of {args.repeat})")
    print(f"suggest --patterns: {min(rules):.2f} s; bare SpanRuler nlp.pipe: {min(rules_floor):.2f} s; "
          f"ratio {min(rules) / min(rules_floor):.2f}x (target <= 1.3x)")
    print(f"suggest --model: {min(models):.2f} s; the pipeline's nlp.pipe: {min(models_floor):.2f} s; "
          f"ratio {min(models) / min(models_floor):.2f}x (target <= 1.3x)")


if __name__ == "__main__":
    main()
