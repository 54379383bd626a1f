"""spaCy export benchmark: N documents with 50 spans each (and 10 links), project -> .spacy.

Prints documents per second of `export_project` (from the project file to train/dev .spacy
and config.cfg, on all cores and on one), and, measured in the same run on the same texts
and spans:
- the naive recipe from spaCy's documentation: per document `nlp.make_doc(text)`,
  `doc.char_span(start, end, label)` per span (into doc.spans["sc"]: the spans overlap, so
  doc.ents cannot hold them), `DocBin.add`, then `DocBin.to_disk`;
- the floor: spaCy's `DocBin.add` + `to_bytes` of prebuilt Docs (the Docs are built untimed,
  500 at a time to bound memory), with the export's DocBin attributes and, like the export,
  srsly's msgpack encoders looked up once (see exports.spacy_docs) — what writing the Docs
  costs with spaCy's own DocBin, in one process. The export writes with
  exports.docbin.TextAndEntsDocBin, which skips DocBin.add's per-token string loop, so its
  ratio to the floor can go below 1.
Target: export time at most 0.5x the naive recipe's. No assertion: figures only.

    python benchmarks/bench_export.py [--docs 10000] [--spans 50] [--passages paragraph]

The whole CLI export (start-up included) against the naive recipe: benchmarks/bench_export_cli.py.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def naive(records: list[dict], path: Path) -> None:
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    docbin = DocBin()
    for record in records:
        doc = nlp.make_doc(record["text"])
        doc.spans["sc"] = [doc.char_span(s["start"], s["end"], label=s["label"]) for s in record["spans"]]
        docbin.add(doc)
    docbin.to_disk(path)


def floor(records: list[dict], chunk: int = 500) -> float:
    import spacy
    from spacy.tokens import DocBin

    from exports.docbin import DOCBIN_ATTRS
    from exports.spacy_docs import _msgpack_hooks_looked_up_once

    nlp = spacy.blank("en")
    spent = 0.0
    for offset in range(0, len(records), chunk):
        docs = []
        for record in records[offset:offset + chunk]:
            doc = nlp.make_doc(record["text"])
            doc.spans["sc"] = [doc.char_span(s["start"], s["end"], label=s["label"]) for s in record["spans"]]
            docs.append(doc)
        with _msgpack_hooks_looked_up_once():
            started = time.perf_counter()
            docbin = DocBin(attrs=DOCBIN_ATTRS, store_user_data=True)
            for doc in docs:
                docbin.add(doc)
            docbin.to_bytes()
            spent += time.perf_counter() - started
    return spent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--spans", type=int, default=50)
    parser.add_argument("--passages", default=None, help="document, paragraph or sentence (default: the export's)")
    args = parser.parse_args()

    from annotator.importing import import_path
    from annotator.store import create_project
    from exports import ExportOptions, export_project
    from exports.spacy_config import write_config
    from synthetic import make_records

    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        started = time.perf_counter()
        records = make_records(args.docs, args.spans)
        corpus = work / "corpus.jsonl"
        corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        project = create_project(work / "bench.db", ROOT / "samples" / "labels.toml")
        import_path(project, corpus)
        print(f"setup (corpus + import, untimed): {time.perf_counter() - started:.1f} s; "
              f"{args.docs:,} documents x {args.spans} spans, {os.cpu_count()} cores")

        # Warm-up, untimed: the file's pages in the OS cache, spaCy's default config for "en" built once.
        export_project(project, work / "warm-up", ExportOptions(source="bench", format="csv"))
        write_config(work / "warm-up.cfg", "en", ["ner", "spancat"], 10)
        timings, cpu = {}, {}
        for name, jobs in (("export, all cores", None), ("export, one process", 1)):
            with measured(name, timings, cpu):
                options = ExportOptions(source="bench", jobs=jobs)
                options.passages = args.passages or options.passages
                result = export_project(project, work / f"out-{jobs}", options)
        splits = result.summary["spacy"]["languages"]["en"]["splits"]
        passages = sum(split["passages"] for split in splits.values())
        with measured("naive recipe", timings, cpu):
            naive(records, work / "naive.spacy")
        timings["floor"] = cpu["floor"] = floor(records)
        project.close()

    print(f"{passages:,} Docs (--passages {result.summary['spacy']['passages']}) in train + dev; "
          f"{result.summary['adjusted']}")
    width = max(map(len, timings))
    for name, seconds in timings.items():
        print(f"{name:<{width}}  {seconds:7.2f} s  {args.docs / seconds:9,.0f} docs/s  "
              f"{seconds / timings['naive recipe']:5.2f}x naive  {seconds / timings['floor']:5.2f}x floor  "
              f"(CPU {cpu[name]:6.2f} s, all processes)")
    print("target: export (all cores) <= 0.50x naive (wall clock; on a busy machine compare CPU too)")


@contextmanager
def measured(name: str, timings: dict, cpu: dict):
    """Wall clock, and CPU time of this process and its finished children (the export's workers)."""
    def used() -> float:
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    started, started_cpu = time.perf_counter(), used()
    yield
    timings[name], cpu[name] = time.perf_counter() - started, used() - started_cpu


if __name__ == "__main__":
    main()
