"""Agreement benchmark: 1,000 documents x 3 annotators x 50 spans, every measure.

Times `agreement_report` (reading the project, coding the tokens, span F1 exact and
overlap, Cohen, Fleiss, Krippendorff alpha, alpha_U, per pair, label and document) and
prints the ratio to a floor measured in the same run: the `krippendorff` package
alone computing alpha on the same units (the 4 labels and the pooled _overall
reliability matrices of the report).  Target: at most 2x.  No assertion on time.

    python benchmarks/bench_agreement.py [--docs 1000] [--spans 50]
"""
from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

import krippendorff
import numpy as np

from annotator.agreement.report import agreement_report
from annotator.agreement.units import load_units, select_annotators, select_labels
from annotator.importing import ImportOptions, import_path
from annotator.store import create_project

ROOT = Path(__file__).resolve().parents[1]
LABELS = ["SPEAKER", "QUOTE", "THREAT", "FIGURE"]
WORDS = ("the president said that his country would never accept new sanctions and that the "
         "army held 1,200 prisoners while inflation reached 9 percent in March").split()


def make_project(folder: Path, docs: int, spans: int, seed: int = 0):
    """Documents of ~400 words; alice marks `spans` word-aligned spans, bob and carol copy
    most of them with moved boundaries, other labels, or their own extra spans."""
    rng = random.Random(seed)
    texts, work = [], {name: [] for name in ("alice", "bob", "carol")}
    for i in range(docs):
        words = [rng.choice(WORDS) for _ in range(400)] + [f"doc{i}"]
        text = " ".join(words)
        starts = np.cumsum([0] + [len(w) + 1 for w in words[:-1]])
        texts.append(text)
        base = []
        for _ in range(spans):
            w = rng.randrange(0, 395)
            base.append((w, w + rng.randint(1, 5), rng.choice(LABELS)))
        for name in work:
            mine = []
            for w0, w1, label in base:
                if name != "alice":
                    roll = rng.random()
                    if roll < 0.15:
                        w0 = max(0, w0 + rng.choice((-1, 1)))
                        w1 = max(w0 + 1, w1 + rng.choice((0, 1)))
                    elif roll < 0.22:
                        label = rng.choice(LABELS)
                    elif roll < 0.28:
                        w = rng.randrange(0, 395)
                        w0, w1 = w, w + rng.randint(1, 5)
                mine.append({"start": int(starts[w0]), "end": int(starts[w1 - 1] + len(words[w1 - 1])),
                             "label": label})
            work[name].append(mine)
    project = create_project(folder / "bench.db", ROOT / "samples" / "labels.toml")
    for name, per_doc in work.items():
        path = folder / f"{name}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for text, mine in zip(texts, per_doc):
                out.write(json.dumps({"text": text, "answer": "accept", "_annotator_id": name, "spans": mine}) + "\n")
        import_path(project, path, ImportOptions(format="prodigy", lang="en"))
    return project


def krippendorff_floor(project) -> float:
    """The package alone on the report's alpha matrices (built before the clock starts)."""
    with project.read() as session:
        names = select_annotators(session, None)
        units = load_units(session, names, select_labels(session, None))
    observed = np.where(units.finished[units.unit_document].T, 1.0, np.nan)
    matrices = [units.coded[:, i, :] * observed for i in range(len(units.labels))]
    matrices.append(np.concatenate(matrices, axis=1))
    start = time.perf_counter()
    for data in matrices:
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--spans", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        project = make_project(Path(folder), args.docs, args.spans)
        print(f"built {args.docs} documents x 3 annotators x {args.spans} spans "
              f"in {time.perf_counter() - started:.1f} s")
        report_times, floor_times = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            report = agreement_report(project)
            report_times.append(time.perf_counter() - start)
            floor_times.append(krippendorff_floor(project))
        project.close()
    overall = report["labels"]["_overall"]
    print("overall: " + ", ".join(f"{k} {v:.3f}" for k, v in overall.items()))
    best, floor = min(report_times), min(floor_times)
    print(f"agreement report, every measure: {best:.2f} s (best of {args.repeat})")
    print(f"krippendorff package alone, alpha on the same units: {floor:.2f} s")
    print(f"ratio: {best / floor:.2f}x (target <= 2x)")


if __name__ == "__main__":
    main()
