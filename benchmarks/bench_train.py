"""`annotator train` against spaCy's own `python -m spacy train` on the same files, config and steps.

Builds the sample project (samples/), exports it once with `annotator export --format spacy` (the
floor gets the export for free), then times as subprocesses, start-up included:
- `annotator train PROJECT --out DIR --source majority --lang en --max-steps N` (its own export,
  spaCy's loop in process, progress hook, scores.json, the move into place);
- `python -m spacy train en/config.cfg --paths.train … --paths.dev … --output DIR` with the same
  overrides training.config gives a run (small tok2vec, N steps, dev scored every N/5 steps, seed).
Rounds alternate the two, so a busy machine slows them alike; medians of wall clock and of CPU
time are printed, and the ratio train / spacy train. Target: <= 1.2x.

    python benchmarks/bench_train.py [--steps 100] [--rounds 2]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
ANNOTATOR = Path(sys.executable).with_name("annotator")

from bench_export_cli import timed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    from training.config import overrides

    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        project = work / "samples.db"
        subprocess.run([ANNOTATOR, "init", project, "--labels", ROOT / "samples" / "labels.toml"], check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([ANNOTATOR, "import", project, ROOT / "samples" / "articles",
                        *sorted((ROOT / "samples" / "annotations").glob("*.jsonl"))], check=True,
                       stdout=subprocess.DEVNULL)
        export = work / "export"
        subprocess.run([ANNOTATOR, "export", project, "--out", export, "--source", "majority"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        en = export / "en"
        options = [f"--{key}={value}" for key, value in
                   overrides(en / "train.spacy", en / "dev.spacy", args.steps, 0).items()]
        commands = {
            "annotator train": lambda n: [ANNOTATOR, "train", project, "--out", work / f"train-{n}", "--source",
                                          "majority", "--lang", "en", "--max-steps", str(args.steps)],
            "spacy train": lambda n: [sys.executable, "-m", "spacy", "train", en / "config.cfg", "--output",
                                      work / f"spacy-{n}", *options],
        }
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for round_number in range(args.rounds):
            for name, command in commands.items():
                times[name].append(timed([str(part) for part in command(round_number)]))
        print(f"samples (en: 3 training documents, 1 dev), {args.steps} steps, {args.rounds} rounds; medians:")
        medians = {}
        for name, runs in times.items():
            wall, cpu = (statistics.median(run[i] for run in runs) for i in (0, 1))
            medians[name] = (wall, cpu)
            print(f"  {name:16} wall {wall:6.1f} s   cpu {cpu:6.1f} s")
        (wall, cpu), (floor_wall, floor_cpu) = medians["annotator train"], medians["spacy train"]
        print(f"ratio annotator train / spacy train: wall {wall / floor_wall:.2f}x, cpu {cpu / floor_cpu:.2f}x "
              "(target <= 1.2x)")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"({time.perf_counter() - started:.0f} s)")
