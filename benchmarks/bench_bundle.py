"""Bundle benchmark: `bundle out` + `bundle in` of N documents with 50 spans each (and 10 links).

One annotator holds every document of a project built from benchmarks/synthetic.py's articles.
Timed: `bundle_out` (the project already open: start-up excluded) and `merge_bundle` after a
share of the documents were worked on offline (`--changed`, default 10%: on each of them one span
removed, one relabelled, one added, the status set to skipped — written straight into the bundle,
untimed). The floor, measured in the same run: copying the same rows (documents, spans, links,
statuses, assignments) with `INSERT … SELECT` from a copy of the project attached to a new empty
project file, foreign keys on, committed. Target: out + in <= 3x the floor.

Floor and subject take turns (`--rounds`, each on a fresh copy of the project); wall and CPU
time (of this process: SQLite works inside it) are both reported, as medians and ranges.

    python benchmarks/bench_bundle.py [--docs 10000] [--spans 50] [--changed 0.1] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COPIED = ("documents", "assignments", "document_status", "spans", "relations")  # parents first


def build(work: Path, docs: int, spans: int) -> Path:
    from annotator.assignment.assign import assign_documents
    from annotator.importing import import_path
    from annotator.store import create_project
    from synthetic import make_records

    corpus = work / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in make_records(docs, spans)),
                      encoding="utf-8")
    path = work / "bench.db"
    project = create_project(path, ROOT / "samples" / "labels.toml")
    import_path(project, corpus)
    assign_documents(project, ["bench"])
    project.close()
    return path


def work_offline(bundle: Path, share: float, seed: int = 0) -> int:
    """On a share of the bundle's documents: a span removed (with its links), one relabelled, one
    added, the status skipped. The number of documents changed."""
    rng = random.Random(seed)
    connection = sqlite3.connect(bundle, isolation_level=None)
    connection.execute("PRAGMA foreign_keys=ON")
    ids = [row[0] for row in connection.execute("SELECT id FROM documents ORDER BY id")]
    chosen = rng.sample(ids, round(len(ids) * share))
    figure = connection.execute("SELECT id FROM labels WHERE name = 'FIGURE'").fetchone()[0]
    connection.execute("BEGIN")
    for document_id in chosen:
        first, second = [row[0] for row in connection.execute(
            "SELECT id FROM spans WHERE document_id = ? AND label_id <> ? ORDER BY id LIMIT 2", (document_id, figure))]
        connection.execute("DELETE FROM spans WHERE id = ?", (first,))
        connection.execute("UPDATE OR IGNORE spans SET label_id = ? WHERE id = ?", (figure, second))
        connection.execute(
            "INSERT OR IGNORE INTO spans (id, document_id, doc_length, annotator_id, label_id, start, \"end\", origin, "
            "created_at, updated_at) SELECT (SELECT max(id) + 1 FROM spans), id, length, "
            "(SELECT id FROM annotators), ?, 0, 7, 'manual', '2026-12-03 08:00:00.000000', "
            "'2026-12-03 08:00:00.000000' FROM documents WHERE id = ?", (figure, document_id))
        connection.execute("UPDATE document_status SET status = 'skipped' WHERE document_id = ?", (document_id,))
    connection.execute("COMMIT")
    connection.close()
    return len(chosen)


class Clock:
    """Wall and CPU seconds (this process: SQLite works inside it) of what runs within it."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def floor(project_file: Path, work: Path) -> Clock:
    """The same rows copied with INSERT … SELECT between two attached SQLite files."""
    from annotator.store import create_project

    source, target = work / "floor-source.db", work / "floor-target.db"
    shutil.copyfile(project_file, source)
    create_project(target).close()
    connection = sqlite3.connect(target, isolation_level=None)
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("ATTACH DATABASE ? AS source", (str(source),))
    with Clock() as clock:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO main.annotators SELECT * FROM source.annotators WHERE name = 'bench'")
        for table in COPIED:
            connection.execute(f"INSERT INTO main.{table} SELECT * FROM source.{table}")
        connection.execute("COMMIT")
    connection.close()
    for leftover in work.glob("floor-*"):
        leftover.unlink()
    return clock


def out_and_in(project_file: Path, work: Path, share: float):
    """`bundle out` then, after the offline work, `bundle in`, on a fresh copy of the project (open:
    start-up excluded)."""
    from annotator.bundles.merge import merge_bundle
    from annotator.bundles.out import bundle_out
    from annotator.store import open_project

    copy, bundle = work / "project.db", work / "bench.annot"
    shutil.copyfile(project_file, copy)
    project = open_project(copy)
    with Clock() as out:
        summary = bundle_out(project, "bench", bundle)
    changed = work_offline(bundle, share)
    with Clock() as merged:
        report = merge_bundle(project, bundle)
    project.close()
    for leftover in work.glob("project.db*"):
        leftover.unlink()
    for leftover in work.glob("bench.annot*"):
        leftover.unlink()
    return out, merged, summary, changed, report


def spread(values: list[float]) -> str:
    low, high = min(values), max(values)
    return f"{low:.2f}x" if len(values) == 1 else f"{sorted(values)[len(values) // 2]:.2f}x ({low:.2f}-{high:.2f}x)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--spans", type=int, default=50)
    parser.add_argument("--changed", type=float, default=0.1, help="share of the documents worked on offline")
    parser.add_argument("--rounds", type=int, default=3, help="floor and subject in turns, this many times each")
    parser.add_argument("--keep", type=Path, help="a folder to keep the built project in, and reuse it from")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        started = time.perf_counter()
        built = args.keep / f"bench-{args.docs}x{args.spans}.db" if args.keep else None
        if built is None or not built.exists():
            made = build(work, args.docs, args.spans)
            if built is not None:
                shutil.copyfile(made, built)
        project_file = built or made
        print(f"setup (corpus + import + assign, untimed): {time.perf_counter() - started:.1f} s")
        ratios: dict[str, list[float]] = {key: [] for key in ("wall", "cpu", "out", "in", "out cpu", "in cpu")}
        for round_number in range(args.rounds):
            # Taking turns: which goes first alternates, so a neighbour's burst hits both alike.
            if round_number % 2:
                out, merged, summary, changed, report = out_and_in(project_file, work, args.changed)
                base = floor(project_file, work)
            else:
                base = floor(project_file, work)
                out, merged, summary, changed, report = out_and_in(project_file, work, args.changed)
            ratios["wall"].append((out.wall + merged.wall) / base.wall)
            ratios["cpu"].append((out.cpu + merged.cpu) / base.cpu)
            for name, clock in (("out", out), ("in", merged)):
                ratios[name].append(clock.wall / base.wall)
                ratios[f"{name} cpu"].append(clock.cpu / base.cpu)
            print(f"round {round_number + 1}: floor {base.wall:5.2f} s (CPU {base.cpu:5.2f} s), "
                  f"out {out.wall:5.2f} s (CPU {out.cpu:5.2f} s), in {merged.wall:5.2f} s (CPU {merged.cpu:5.2f} s): "
                  f"{ratios['wall'][-1]:.2f}x wall, {ratios['cpu'][-1]:.2f}x CPU")
    totals = report.totals()
    print(f"{summary.documents:,} documents, {summary.spans:,} spans, {summary.links:,} links in the bundle; "
          f"{changed:,} documents worked on offline: merged {len(report.merged):,} documents, "
          f"{totals['changes']:,} changes")
    print(f"medians (range) of {args.rounds} rounds, floor = INSERT … SELECT of the same rows:")
    print(f"  bundle out: {spread(ratios['out'])} wall, {spread(ratios['out cpu'])} CPU")
    print(f"  bundle in:  {spread(ratios['in'])} wall, {spread(ratios['in cpu'])} CPU")
    print(f"  ratio (out + in) / floor: {spread(ratios['wall'])} wall, {spread(ratios['cpu'])} CPU  (target <= 3x)")


if __name__ == "__main__":
    main()
