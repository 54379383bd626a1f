"""Progress benchmark: `team_progress` on N documents x 20 annotators (overlap 0.2, built by
bench_assign's project and the real `assign_documents`), each annotator having finished about
half of their queue over the last 10 days.

Prints the time of `team_progress` as `annotator progress` calls it (project open, imports done:
start-up excluded; best of 3), and with the list of shared documents `--json` adds,
and the ratio to a floor measured in the same run: one GROUP BY query that counts the statuses
per annotator and status, on a plain sqlite3 connection to the same file (best of 3). Progress
must also relate every assignment to its status (remaining work, shared documents done by all),
which that floor never reads; so the ratio to a second floor is printed too: the same GROUP BY
over the assignments LEFT JOIN their statuses (the statuses of the assigned documents, todo
included).

    python benchmarks/bench_progress.py [--docs 100000] [--annotators 20]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_assign import make_project  # noqa: E402  (the same project as the assignment benchmark)

FLOOR = "SELECT annotator_id, status, count(*) FROM document_status GROUP BY annotator_id, status"
FLOOR_ASSIGNED = ("SELECT a.annotator_id, s.status, count(*) FROM assignments a LEFT JOIN document_status s "
                  "ON s.document_id = a.document_id AND s.annotator_id = a.annotator_id GROUP BY a.annotator_id, s.status")
RUNS = 3


def add_work(path: Path) -> int:
    """Statuses for the first half of every queue: mostly done, every 10th skipped, every 7th still in
    progress, finished at times spread over the last 10 days (some outside the 7-day rate window)."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    connection = sqlite3.connect(path)
    held = connection.execute(
        "SELECT a.document_id, a.annotator_id, a.position FROM assignments a JOIN "
        "(SELECT annotator_id, count(*) AS n FROM assignments GROUP BY annotator_id) q USING (annotator_id) "
        "WHERE a.position < q.n / 2").fetchall()

    def rows():
        for document_id, annotator_id, position in held:
            when = (now - timedelta(minutes=position % (10 * 24 * 60))).strftime("%Y-%m-%d %H:%M:%S.%f")
            status = "in_progress" if position % 7 == 6 else "skipped" if position % 10 == 9 else "done"
            yield document_id, annotator_id, status, when, None if status == "in_progress" else when, when

    with connection:
        connection.executemany("INSERT INTO document_status (document_id, annotator_id, status, started_at, "
                               "finished_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)", rows())
    connection.close()
    return len(held)


def best(run) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--annotators", type=int, default=20)
    args = parser.parse_args()
    from annotator.assignment.assign import assign_documents
    from annotator.team.progress import team_progress
    from annotator.store import open_project

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "progress.db"
        make_project(path, args.docs)
        project = open_project(path)
        assign_documents(project, [f"annotator-{i:02d}" for i in range(args.annotators)], overlap=0.2, per_doc=2)
        statuses = add_work(path)
        connection = sqlite3.connect(path)
        floor = best(lambda: connection.execute(FLOOR).fetchall())
        floor_assigned = best(lambda: connection.execute(FLOOR_ASSIGNED).fetchall())
        connection.close()
        report = team_progress(project)
        ours = best(lambda: team_progress(project))
        listed = best(lambda: team_progress(project, detail=True))
        project.close()
    print(f"{args.docs} documents x {args.annotators} annotators, overlap 0.2: {report.total.assigned} assignments, "
          f"{statuses} statuses, {report.shared} shared documents ({report.ready} ready)")
    print(f"floor    (one GROUP BY counting the statuses): {floor * 1000:7.1f} ms")
    print(f"progress (team_progress):                     {ours * 1000:7.1f} ms")
    print(f"floor of the assigned documents (the same GROUP BY over assignments LEFT JOIN statuses): "
          f"{floor_assigned * 1000:.1f} ms")
    print(f"time ratio progress/floor: {ours / floor:.2f}x  (target <= 2x); "
          f"progress/floor of the assigned documents: {ours / floor_assigned:.2f}x")
    print(f"with every shared document listed (progress --json): {listed * 1000:.1f} ms, {listed / floor:.2f}x the floor")


if __name__ == "__main__":
    main()
