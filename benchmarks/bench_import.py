"""Import benchmark: N articles of about 5,000 characters from JSONL.

Prints documents per second and peak memory for `import_path`, and the ratio to a
floor measured in the same run: spaCy's blank `nlp.pipe` over the same texts plus a
bare sqlite3 `executemany` of the rows. Memory flatness: peak memory of importing
N/5 versus N records. Each phase runs in its own process so that peak memory is its own.
Also how long the import holds the write lock (from its BEGIN IMMEDIATE to its COMMIT),
during which every other annotator's save waits: reading, checking and tokenizing happen
before it.

    python benchmarks/bench_import.py [--docs 10000] [--spans 50]

With --spans, the articles are English Prodigy records of one annotator, each with that many
spans and a fifth as many links (benchmarks/synthetic.py): the import then also writes the
annotations (one Change per batch); the floor stays the texts' tokenizing and insert.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from synthetic import ARTICLES, article, make_records, paragraphs

ROOT = Path(__file__).resolve().parents[1]


def make_corpus(path: Path, docs: int, seed: int = 0, spans: int = 0) -> None:
    """Unique ~5,000-character articles, each shuffled from the paragraphs of one sample
    article, so that each has one language (4 in 5 English, 1 in 5 French, as the samples).
    The language goes into the file only as a benchmark key (`_lang`), which the import ignores.
    """
    if spans:
        with path.open("w", encoding="utf-8") as out:
            for record in make_records(docs, spans, seed):
                out.write(json.dumps({**record, "_lang": "en"}, ensure_ascii=False) + "\n")
        return
    rng = random.Random(seed)
    sources = [("fr" if file.name.startswith("003_") else "en", paragraphs(file))
               for file in sorted(ARTICLES.glob("*.txt"))]
    with path.open("w", encoding="utf-8") as out:
        for i in range(docs):
            lang, pieces = sources[i % len(sources)]
            text = article(rng, pieces, f"{i}.", "\n\n")
            record = {"text": text, "meta": {"id": f"doc-{i}"}, "_lang": lang}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def phase_import(corpus: Path, workdir: Path) -> None:
    from annotator.importing import import_path
    from annotator.store import create_project
    from annotator.text import blank

    blank("en"), blank("fr")  # both sides load spaCy before the clock starts
    from sqlalchemy import event

    project = create_project(workdir / "bench.db")
    lock = {}

    @event.listens_for(project.engine, "before_cursor_execute")
    def _begin(_conn, _cursor, statement, *_):
        if statement == "BEGIN IMMEDIATE":
            lock.setdefault("taken", time.perf_counter())

    @event.listens_for(project.engine, "commit")
    def _commit(_conn):
        if "taken" in lock:
            lock.setdefault("released", time.perf_counter())

    started = time.perf_counter()
    result = import_path(project, corpus)  # languages detected, as by default
    seconds = time.perf_counter() - started
    project.close()
    _report(seconds, result.documents_added, lock_seconds=lock["released"] - lock["taken"])


def phase_floor(corpus: Path, workdir: Path) -> None:
    """The least any import must do: read the texts, tokenize each with its language's
    blank pipeline (known here for free), and insert the rows."""
    import spacy

    pipelines = {lang: spacy.blank(lang) for lang in ("en", "fr")}
    started = time.perf_counter()
    with corpus.open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    rows = []
    for lang, nlp in pipelines.items():
        texts = [r["text"] for r in records if r["_lang"] == lang]
        rows += [(text, len(doc)) for text, doc in zip(texts, nlp.pipe(texts, batch_size=256))]
    connection = sqlite3.connect(workdir / "floor.db")
    connection.execute("CREATE TABLE documents (id INTEGER PRIMARY KEY, text TEXT, tokens INTEGER)")
    with connection:
        connection.executemany("INSERT INTO documents (text, tokens) VALUES (?, ?)", rows)
    connection.close()
    _report(time.perf_counter() - started, len(rows))


def _report(seconds: float, docs: int, **extra: float) -> None:
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "docs": docs, "peak_mb": peak_mb, **extra}))


def run_phase(name: str, corpus: Path) -> dict:
    with tempfile.TemporaryDirectory() as workdir:
        output = subprocess.run([sys.executable, __file__, "--phase", name, str(corpus), workdir],
                                check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--spans", type=int, default=0, help="annotated records with this many spans each")
    parser.add_argument("--phase", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        name, corpus, workdir = args.phase
        {"import": phase_import, "floor": phase_floor}[name](Path(corpus), Path(workdir))
        return
    with tempfile.TemporaryDirectory() as tmp:
        big, small = Path(tmp) / "big.jsonl", Path(tmp) / "small.jsonl"
        make_corpus(big, args.docs, spans=args.spans)
        make_corpus(small, args.docs // 5, spans=args.spans)
        what = f", {args.spans} spans each" if args.spans else ""
        print(f"corpus: {args.docs} articles{what}, {big.stat().st_size / 1e6:.1f} MB of JSONL")
        floor = run_phase("floor", big)
        ours = run_phase("import", big)
        ours_small = run_phase("import", small)
    print(f"floor  (nlp.pipe + executemany): {floor['seconds']:7.2f} s  {floor['docs'] / floor['seconds']:7.0f} docs/s  peak {floor['peak_mb']:6.0f} MB")
    print(f"import (annotator import_path):  {ours['seconds']:7.2f} s  {ours['docs'] / ours['seconds']:7.0f} docs/s  peak {ours['peak_mb']:6.0f} MB")
    print(f"time ratio import/floor: {ours['seconds'] / floor['seconds']:.2f}x  (target <= 1.5x)")
    print(f"write lock held: {ours['lock_seconds']:.2f} s of {ours['seconds']:.2f} s "
          f"({ours['lock_seconds'] / ours['seconds']:.0%}; reading, checking and tokenizing come before it)")
    print(f"memory: peak {ours_small['peak_mb']:.0f} MB for {ours_small['docs']} docs vs {ours['peak_mb']:.0f} MB for "
          f"{ours['docs']} docs: ratio {ours['peak_mb'] / ours_small['peak_mb']:.2f}x for 5x the records (flat = 1.0x)")


if __name__ == "__main__":
    main()
