"""Assignment benchmark: N documents x 20 annotators, overlap 0.2 (per document 2).

Prints the time of `assign_documents` (the project already open: start-up excluded) and the
ratio to a floor measured in the same run: one sqlite3 `executemany` of the very same
assignment rows into a copy of the same project (foreign keys on, as the project has them),
with its commit. Memory flatness: how much
the peak resident memory grows during assignment, for N/5 versus N documents (the plan holds
compact arrays of indices, the rows go to the database a batch at a time). Each phase runs in
its own process so that its peak memory is its own.

    python benchmarks/bench_assign.py [--docs 100000] [--annotators 20]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = 300  # words per document: the tokens blob holds 8 bytes per token


def make_project(path: Path, docs: int) -> None:
    """A project of `docs` documents (short texts: assigning never reads them; the token blobs
    are real so that word counts are)."""
    from annotator.store import create_project

    create_project(path).close()
    connection = sqlite3.connect(path)
    tokens = b"\x00" * (8 * WORDS)
    with connection:
        connection.executemany(
            "INSERT INTO documents (id, name, text, length, sha256, lang, meta, tokens, created_at) "
            "VALUES (?, ?, 'text', 4, ?, 'en', '{}', ?, '2026-12-01 00:00:00.000000')",
            ((i, f"doc-{i}.txt", f"{i:064x}", tokens) for i in range(1, docs + 1)))
    connection.close()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _resident_mb() -> float:
    """Resident memory now (Linux), to measure how far the peak rises above it."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return _peak_mb()


def phase_assign(project_file: Path, annotators: int) -> None:
    from annotator.assignment.assign import assign_documents
    from annotator.store import open_project

    project = open_project(project_file)
    names = [f"annotator-{i:02d}" for i in range(annotators)]
    before = _resident_mb()
    started = time.perf_counter()
    summary = assign_documents(project, names, overlap=0.2, per_doc=2, seed=0)
    seconds = time.perf_counter() - started
    project.close()
    rows = sum(summary.documents.values())
    print(json.dumps({"seconds": seconds, "rows": rows, "docs": summary.assigned,
                      "growth_mb": _peak_mb() - before, "loads": sorted(set(summary.documents.values())),
                      "pairs": [min(summary.pairs.values()), max(summary.pairs.values())]}))


def phase_floor(project_file: Path, assigned_file: Path, foreign_keys: bool = True) -> None:
    """The same rows, already in memory, inserted with one executemany and committed, on a
    connection set up as the project's (foreign keys checked, WAL): the database must do that
    much whoever writes the rows."""
    source = sqlite3.connect(assigned_file)
    rows = source.execute("SELECT document_id, annotator_id, position, assigned_at FROM assignments").fetchall()
    annotators = source.execute("SELECT id, name, role, created_at FROM annotators").fetchall()
    source.close()
    connection = sqlite3.connect(project_file)
    connection.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
    connection.execute("PRAGMA journal_mode=WAL")
    with connection:
        connection.executemany("INSERT INTO annotators VALUES (?, ?, ?, ?)", annotators)
    started = time.perf_counter()
    with connection:
        connection.executemany("INSERT INTO assignments (document_id, annotator_id, position, assigned_at) "
                               "VALUES (?, ?, ?, ?)", rows)
    seconds = time.perf_counter() - started
    connection.close()
    print(json.dumps({"seconds": seconds, "rows": len(rows)}))


def run_phase(*args: str) -> dict:
    output = subprocess.run([sys.executable, __file__, "--phase", *args], check=True, capture_output=True,
                            text=True, cwd=ROOT).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--annotators", type=int, default=20)
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        name, *paths = args.phase
        if name == "assign":
            phase_assign(Path(paths[0]), int(paths[1]))
        else:
            phase_floor(Path(paths[0]), Path(paths[1]), name == "floor")
        return
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for label, docs in (("small", args.docs // 5), ("big", args.docs)):
            base, assigned, floor, bare = (Path(tmp) / f"{label}-{what}.db" for what in ("base", "assigned", "floor", "bare"))
            make_project(base, docs)
            for copy in (assigned, floor, bare):
                shutil.copyfile(base, copy)
            results[label] = run_phase("assign", str(assigned), str(args.annotators))
            if label == "big":
                results["floor"] = run_phase("floor", str(floor), str(assigned))
                results["bare"] = run_phase("bare", str(bare), str(assigned))
    ours, floor, bare, small = results["big"], results["floor"], results["bare"], results["small"]
    print(f"{ours['docs']} documents x {args.annotators} annotators, overlap 0.2: {ours['rows']} assignment rows; "
          f"loads {ours['loads']}, documents per pair {ours['pairs'][0]}-{ours['pairs'][1]}")
    print(f"floor  (one executemany of the rows): {floor['seconds']:6.2f} s  "
          f"(without the foreign-key checks the project makes: {bare['seconds']:.2f} s)")
    print(f"assign (assign_documents):            {ours['seconds']:6.2f} s")
    print(f"time ratio assign/floor: {ours['seconds'] / floor['seconds']:.2f}x  (target <= 2x)")
    print(f"memory: peak grew {small['growth_mb']:.0f} MB assigning {small['docs']} documents, "
          f"{ours['growth_mb']:.0f} MB for {ours['docs']} (5x the documents; flat = about the same)")


if __name__ == "__main__":
    main()
