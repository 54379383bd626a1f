"""Key press benchmark: marking one span (`commands.add_span`: one unit of work that checks,
snaps, builds its Change and writes it) in a 100,000-character article, on a file and, when
ANNOTATOR_TEST_DB_URL names a server where it may create a database, on PostgreSQL.

Floor, in turns with the subject on the same project: the same span row written by the bare
driver (sqlite3 / psycopg) in a transaction of its own — the least a saved key press can cost.
Prints the median CPU and wall time per key press of each and their ratios.

    .venv/bin/python benchmarks/bench_key_press.py [--presses 500] [--rounds 3]
    scripts/with-postgres .venv/bin/python benchmarks/bench_key_press.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = 20_000  # "word " * 20,000: 100,000 characters, 20,000 tokens
INSERT = ('INSERT INTO spans (document_id, doc_length, annotator_id, label_id, start, "end", origin, '
          "created_at, updated_at) VALUES ({marks})")


def measure(project, raw, marker: str, presses: int, rounds: int) -> None:
    from sqlalchemy import text

    from annotator import commands
    from annotator.model import utcnow

    with project.read() as session:
        length = session.execute(text("SELECT length FROM documents WHERE id = 1")).scalar()
        label = session.execute(text("SELECT id FROM labels WHERE name = 'QUOTE'")).scalar()
    commands.add_span(project, 1, "alice", "QUOTE", 0, 4)  # alice's row, the pool's connection, caches
    with project.read() as session:
        alice = session.execute(text("SELECT id FROM annotators WHERE name = 'alice'")).scalar()
    statement = INSERT.format(marks=", ".join([marker] * 9))  # its id from the store, as an import's
    word = 1
    subject, floor = [], []
    for _ in range(rounds):
        began, cpu = time.perf_counter(), time.process_time()
        for _ in range(presses):
            commands.add_span(project, 1, "alice", "QUOTE", word * 5, word * 5 + 4)
            word += 1
        subject.append(((time.process_time() - cpu) / presses, (time.perf_counter() - began) / presses))
        began, cpu = time.perf_counter(), time.process_time()
        for _ in range(presses):
            now = utcnow()
            raw.execute(statement, (1, length, alice, label, word * 5, word * 5 + 4, "manual", now, now))
            raw.commit()
            word += 1
        floor.append(((time.process_time() - cpu) / presses, (time.perf_counter() - began) / presses))
    cpu, wall = (statistics.median(s[i] for s in subject) for i in (0, 1))
    floor_cpu, floor_wall = (statistics.median(f[i] for f in floor) for i in (0, 1))
    print(f"  add_span: {1000 * cpu:.2f} ms CPU, {1000 * wall:.2f} ms wall per key press; bare driver insert "
          f"{1000 * floor_cpu:.2f} / {1000 * floor_wall:.2f} ms: {cpu / floor_cpu:.1f}x CPU, {wall / floor_wall:.1f}x wall")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if WORDS < args.presses * args.rounds * 2 + 2:
        sys.exit("too many presses for the article's words")
    from annotator.importing import import_path
    from annotator.store import create_project

    folder = Path(tempfile.mkdtemp())
    article = folder / "article.txt"
    article.write_text("word " * WORDS, encoding="utf-8")

    import sqlite3

    project = create_project(folder / "project.db")
    import_path(project, article)
    print(f"file, a {5 * WORDS:,}-character article ({args.rounds} rounds of {args.presses}, in turns):")
    with sqlite3.connect(folder / "project.db") as raw:
        measure(project, raw, "?", args.presses, args.rounds)
    project.close()

    server = os.environ.get("ANNOTATOR_TEST_DB_URL")
    if server:
        import psycopg
        from sqlalchemy import create_engine, make_url, text

        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        database = f"bench_key_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{database}"'))
        url = make_url(server).set(database=database)
        project = create_project(url.render_as_string(hide_password=False))
        import_path(project, article)
        print("PostgreSQL, the same article and presses (superuser login):")
        with psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False)) as raw:
            measure(project, raw, "%s", args.presses, args.rounds)
        project.close()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{database}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
