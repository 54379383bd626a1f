"""The whole CLI export against the naive recipe, start-up included: N one-paragraph articles.

Builds a project of N articles (default 2,000) of about 5,000 characters written as one
paragraph (no line break: sentences of the sample articles joined by spaces), 50 spans each
and 10 links (a quote to a speaker near it), then times as subprocesses, start-up included:
- `annotator export PROJECT --out DIR --format spacy --source bench --passages MODE`, for each
  MODE (document, paragraph, sentence);
- the naive recipe (NAIVE below): per article `nlp.make_doc`, `doc.char_span` per span into
  doc.spans["sc"], `DocBin.add` (one Doc per article), then `DocBin.to_disk`.
Rounds alternate the commands, so a busy machine slows them alike; medians are printed, with
each command's ratio to the naive recipe's median. Target: the default mode <= 0.50x naive.

    python benchmarks/bench_export_cli.py [--docs 2000] [--spans 50] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ANNOTATOR = Path(sys.executable).with_name("annotator")
MODES = ("document", "paragraph", "sentence")

NAIVE = """
import json, sys
import spacy
from spacy.tokens import DocBin

nlp = spacy.blank("en")
docbin = DocBin()
with open(sys.argv[1], encoding="utf-8") as lines:
    for line in lines:
        record = json.loads(line)
        doc = nlp.make_doc(record["text"])
        doc.spans["sc"] = [doc.char_span(s["start"], s["end"], label=s["label"]) for s in record["spans"]]
        docbin.add(doc)
docbin.to_disk(sys.argv[2])
"""


def timed(command: list[str]) -> tuple[float, float]:
    """Wall clock and CPU time (user + system, the command and its worker processes)."""
    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    started, started_cpu = time.perf_counter(), cpu()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started, cpu() - started_cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=2_000)
    parser.add_argument("--spans", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--modes", default=",".join(MODES), help="passages modes to time; 'none' leaves the option out")
    parser.add_argument("--one-process", action="store_true", help="also time the default mode with --jobs 1")
    args = parser.parse_args()

    from annotator.importing import import_path
    from annotator.store import create_project
    from exports.export import ExportOptions
    from synthetic import make_records

    default = ExportOptions().passages
    modes = args.modes.split(",")
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        started = time.perf_counter()
        corpus = work / "corpus.jsonl"
        records = make_records(args.docs, args.spans, one_paragraph=True, nearest_speaker=True)
        corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        project = create_project(work / "bench.db", ROOT / "samples" / "labels.toml")
        import_path(project, corpus)
        project.close()
        naive_script = work / "naive.py"
        naive_script.write_text(NAIVE, encoding="utf-8")
        print(f"setup (corpus + import, untimed): {time.perf_counter() - started:.1f} s; {args.docs:,} one-paragraph "
              f"articles x {args.spans} spans; default --passages {default}")

        def export(mode: str, *more: str) -> list[str]:
            out = work / f"out-{mode}{''.join(more)}"
            shutil.rmtree(out, ignore_errors=True)
            return [str(ANNOTATOR), "export", str(work / "bench.db"), "--out", str(out), "--format", "spacy",
                    "--source", "bench", *([] if mode == "none" else ["--passages", mode]), *more]

        commands = {"naive recipe": lambda: [sys.executable, str(naive_script), str(corpus), str(work / "naive.spacy")],
                    **{f"export --passages {m}": (lambda m=m: export(m)) for m in modes}}
        if args.one_process:
            commands[f"export --passages {default} --jobs 1"] = lambda: export(default, "--jobs", "1")
        timed(export(modes[0]))  # warm-up, untimed: the file's pages in the OS cache
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, command in commands.items():
                runs[name].append(timed(command()))
        passages = {}
        for mode in modes:
            summary = json.loads((work / f"out-{mode}" / "export.json").read_text(encoding="utf-8"))
            passages[mode] = sum(s["passages"] for s in summary["spacy"]["languages"]["en"]["splits"].values())

    wall = {name: statistics.median(w for w, _ in r) for name, r in runs.items()}
    cpu = {name: statistics.median(c for _, c in r) for name, r in runs.items()}
    width = max(map(len, runs))
    for name, timings in runs.items():
        mode = name.split()[2] if name.startswith("export") else ""
        extra = f"  {passages[mode]:7,} Docs" if mode in passages else ""
        print(f"{name:<{width}}  wall {wall[name]:6.2f} s {wall[name] / wall['naive recipe']:5.2f}x naive  "
              f"CPU {cpu[name]:6.2f} s {cpu[name] / cpu['naive recipe']:5.2f}x naive  "
              f"(wall of each run: {', '.join(f'{w:.2f}' for w, _ in timings)}){extra}")
    print(f"medians of {args.rounds} rounds; target: export --passages {default} <= 0.50x naive (wall clock, start-up "
          "included; on a busy machine compare CPU too)")


if __name__ == "__main__":
    main()
