"""Bundle benchmark: `bundle out` + `bundle in` of N documents with 50 spans each (and 10 links).

One annotator holds every document of a project built from benchmarks/synthetic.py's articles.
Timed: `bundle_out` (the project already open: start-up excluded) and `merge_bundle` after a
share of the documents were worked on offline (`--changed`, default 10%: on each of them one span
removed, one relabelled, one added, the status set to skipped — written straight into the bundle,
untimed). The floor, measured in the same run: copying the same rows (documents, spans, links,
statuses, assignments) with `INSERT … SELECT` from a copy of the project attached to a new empty
project file, foreign keys on, committed. Target: out + in <= 3x the floor.

    python benchmarks/bench_bundle.py [--docs 10000] [--spans 50] [--changed 0.1]
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


def floor(project_file: Path, work: Path) -> float:
    """The same rows copied with INSERT … SELECT between two attached SQLite files."""
    from annotator.store import create_project

    source, target = work / "floor-source.db", work / "floor-target.db"
    shutil.copyfile(project_file, source)
    create_project(target).close()
    connection = sqlite3.connect(target, isolation_level=None)
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("ATTACH DATABASE ? AS source", (str(source),))
    started = time.perf_counter()
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("INSERT INTO main.annotators SELECT * FROM source.annotators WHERE name = 'bench'")
    for table in COPIED:
        connection.execute(f"INSERT INTO main.{table} SELECT * FROM source.{table}")
    connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    connection.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--spans", type=int, default=50)
    parser.add_argument("--changed", type=float, default=0.1, help="share of the documents worked on offline")
    parser.add_argument("--keep", type=Path, help="a folder to keep the built project in, and reuse it from")
    args = parser.parse_args()

    from annotator.bundles.merge import merge_bundle
    from annotator.bundles.out import bundle_out
    from annotator.store import open_project

    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        started = time.perf_counter()
        built = args.keep / f"bench-{args.docs}x{args.spans}.db" if args.keep else None
        if built is None or not built.exists():
            made = build(work, args.docs, args.spans)
            if built is not None:
                shutil.copyfile(made, built)
        project_file = work / "project.db"
        shutil.copyfile(built or made, project_file)
        print(f"setup (corpus + import + assign, untimed): {time.perf_counter() - started:.1f} s")
        floor_seconds = floor(project_file, work)
        project = open_project(project_file)
        bundle = work / "bench.annot"
        started = time.perf_counter()
        summary = bundle_out(project, "bench", bundle)
        out_seconds = time.perf_counter() - started
        changed = work_offline(bundle, args.changed)
        started = time.perf_counter()
        report = merge_bundle(project, bundle)
        in_seconds = time.perf_counter() - started
        project.close()
    totals = report.totals()
    print(f"{summary.documents:,} documents, {summary.spans:,} spans, {summary.links:,} links in the bundle; "
          f"{changed:,} documents worked on offline: merged {len(report.merged):,} documents, "
          f"{totals['changes']:,} changes")
    print(f"floor (INSERT … SELECT of the same rows): {floor_seconds:6.2f} s")
    print(f"bundle out:                               {out_seconds:6.2f} s  ({out_seconds / floor_seconds:.2f}x)")
    print(f"bundle in:                                {in_seconds:6.2f} s  ({in_seconds / floor_seconds:.2f}x)")
    print(f"ratio (out + in) / floor: {(out_seconds + in_seconds) / floor_seconds:.2f}x  (target <= 3x)")


if __name__ == "__main__":
    main()
