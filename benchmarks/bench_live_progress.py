"""Live progress benchmark: what the window's poll of others' progress costs (ui/live_refresh.py,
annotator/team/live_progress.py) on a project of N documents (default 10,000) where 6 people have
statuses on about half of them each (~30,000 statuses).

  unchanged — `ProgressWatch.poll()` when nothing was written since the last poll: SQLite's
              `PRAGMA data_version`, or one small query on PostgreSQL (median of 300);
  refresh   — `poll()` after another program changed one status: the marker, then every
              document's counts re-read, and the list's texts made from them (median of 15).

Floors, measured in the same run on the same project: for `unchanged`, a bare `SELECT 1` on a
plain driver connection (sqlite3 / psycopg) — one round trip, the least any question can cost;
for `refresh`, the bare `SELECT document_id, status, count(*) ... GROUP BY document_id, status`
over every status on that plain connection, which is all the counts say. It runs on a file, and
also on PostgreSQL when ANNOTATOR_TEST_DB_URL names a server where it may create a database:

    .venv/bin/python benchmarks/bench_live_progress.py [--docs 10000]
    scripts/with-postgres .venv/bin/python benchmarks/bench_live_progress.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PEOPLE = 6
STATUSES = ("done", "done", "in_progress", "skipped")
FLOOR = "SELECT document_id, status, count(*) FROM document_status GROUP BY document_id, status"
POLL_SECONDS = 3.0  # ui/live_refresh.POLL_MS


def fill(project, docs: int) -> int:
    """N short documents, six people, and statuses on about half of the documents each."""
    from annotator.model import Annotator, Document, DocumentStatus

    now = datetime.now(timezone.utc)
    statuses = [{"document_id": d, "annotator_id": p, "status": STATUSES[(d + p) % 4], "started_at": now,
                 "finished_at": now, "updated_at": now}
                for p in range(1, PEOPLE + 1) for d in range(1, docs + 1) if (d * 7 + p) % 2 == 0]
    with project.engine.begin() as connection:
        connection.execute(Document.__table__.insert(), [
            {"id": d, "name": f"doc-{d}.txt", "text": "text", "length": 4, "sha256": f"{d:064x}", "lang": "en",
             "meta": {}, "tokens": b"", "created_at": now} for d in range(1, docs + 1)])
        connection.execute(Annotator.__table__.insert(), [
            {"id": p, "name": f"person-{p}", "role": "annotator", "created_at": now} for p in range(1, PEOPLE + 1)])
        connection.execute(DocumentStatus.__table__.insert(), statuses)
    return len(statuses)


def timed(run, times: int) -> float:
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        spent.append(time.perf_counter() - started)
    return statistics.median(spent)


def measure(target: str, plain, docs: int) -> dict:
    from annotator.commands import set_status
    from annotator.team.live_progress import ProgressWatch, others_text
    from annotator.store import create_project, open_project

    project = create_project(target)
    statuses = fill(project, docs)
    writer = open_project(target)  # another program, changing one status between refreshes
    watch = ProgressWatch(project, "person-1")
    shown: dict[int, tuple] = {}

    def refresh() -> None:  # what the window does: poll, then find the rows to redraw
        counts = watch.poll().counts
        assert counts is not None, "the marker did not move"
        changed = [document for document in shown.keys() | counts.keys() if shown.get(document) != counts.get(document)]
        shown.clear()
        shown.update(counts)
        for document in changed:
            others_text(counts.get(document))

    refresh()
    unchanged = timed(lambda: watch.poll(), 300)
    rounds = iter(range(10**6))

    def one_write_then_refresh() -> float:
        set_status(writer, 1 + next(rounds) % docs, "person-2", "done" if len(shown) % 2 else "skipped")
        started = time.perf_counter()
        refresh()
        return time.perf_counter() - started

    full = statistics.median(one_write_then_refresh() for _ in range(15))
    cursor = plain.cursor()

    def ask(sql: str) -> None:
        cursor.execute(sql)
        cursor.fetchall()

    floor_unchanged = timed(lambda: ask("SELECT 1"), 300)
    floor_full = timed(lambda: ask(FLOOR), 15)
    watch.close()
    writer.close()
    project.close()
    return {"statuses": statuses, "documents shown": len(shown), "unchanged": unchanged, "full": full,
            "floor unchanged": floor_unchanged, "floor full": floor_full}


def report(where: str, figures: dict, docs: int) -> None:
    print(f"{where}: {docs} documents, {figures['statuses']} statuses of {PEOPLE} people "
          f"({figures['documents shown']} documents with others' progress)")
    print(f"  nothing changed: {figures['unchanged'] * 1e6:8.1f} µs   floor (SELECT 1): "
          f"{figures['floor unchanged'] * 1e6:8.1f} µs   ratio {figures['unchanged'] / figures['floor unchanged']:.2f}x"
          f"   = {figures['unchanged'] / POLL_SECONDS * 100:.4f}% of one core at one poll per {POLL_SECONDS:g} s")
    print(f"  full refresh:    {figures['full'] * 1e3:8.2f} ms   floor (the GROUP BY): "
          f"{figures['floor full'] * 1e3:8.2f} ms   ratio {figures['full'] / figures['floor full']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10_000)
    args = parser.parse_args()
    import sqlite3

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "live.db"
        with closing(sqlite3.connect(path, isolation_level=None)) as plain:  # opened before the project exists:
            report("file", measure(str(path), plain, args.docs), args.docs)  # sqlite3 creates nothing until asked
    server = os.environ.get("ANNOTATOR_TEST_DB_URL")
    if server:
        report("postgresql", on_server(server, args.docs), args.docs)


def on_server(url: str, docs: int) -> dict:
    import psycopg
    from sqlalchemy import create_engine, make_url, text
    from sqlalchemy.pool import NullPool

    admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"bench_live_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    target = make_url(url).set(database=name)
    try:
        plain = psycopg.connect(target.set(drivername="postgresql").render_as_string(hide_password=False),
                                autocommit=True)
        try:
            return measure(target.render_as_string(hide_password=False), plain, docs)
        finally:
            plain.close()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            for role in ("annotator", "reviewer", "lead"):
                connection.execute(text(f'DROP ROLE IF EXISTS "{name}_{role}"'))
        admin.dispose()


if __name__ == "__main__":
    main()
