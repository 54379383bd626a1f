"""A team at once on one PostgreSQL project: P processes, each as its own annotator login, each
adding K spans one action at a time (`commands.add_span`, one transaction each) to the same article.

Prints the total throughput of P processes against one process alone in the same run (the
floor), in turns over a few rounds and their median (this machine's speed drifts with its
neighbours' load). In the same rounds, the same statements sent by the bare driver (psycopg, no
tool code) at 1 and P: what this machine allows P processes at that moment, since on 2 shared
cores that ceiling itself moves from run to run. Also the spans lost (expected P*K in the
project) and the errors, CPU per action of the clients and of their server processes (read from /proc when the server runs here) and how
busy the cores were (idle cores would mean the processes wait for each other); then the
same P processes all as the lead, whose writes take the one project lock (what every write took
before annotators got their own lock), for comparison. On 2 cores, 2x is the ceiling.

    scripts/with-postgres .venv/bin/python benchmarks/bench_team.py [--processes 8] [--spans 1000] [--rounds 3]

The server is ANNOTATOR_TEST_DB_URL (a login that may create databases and roles).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue
import resource
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PASSWORD = "bench-password"


def worker(url: str, name: str, document: int, spans: int, start, results) -> None:
    from annotator import commands
    from annotator.errors import UserError
    from annotator.store import open_project

    project = open_project(url, busy_timeout=60)
    errors = 0
    for i in range(5):  # warm up (connection, statement caches) on another article
        commands.add_span(project, document + 1, name, "QUOTE", i * 6, i * 6 + 5)
    with project.engine.connect() as connection:  # the pool's one connection: its server process
        backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    start.wait()
    began, cpu, server = time.perf_counter(), time.process_time(), server_cpu(backend)
    for i in range(spans):
        try:
            commands.add_span(project, document, name, "QUOTE", i * 6, i * 6 + 5)
        except UserError:
            errors += 1
    results.put((time.perf_counter() - began, time.process_time() - cpu, server_cpu(backend) - server, errors))
    project.close()


# What one key press sends (`add_span` on an annotator's login, the document kept by the process):
# lock, label, the document's fingerprint, person, same span, status, insert, commit.
_BARE = (
    "SELECT set_config('lock_timeout', '60000', true), pg_advisory_xact_lock_shared(%(lock)s), "
    "pg_advisory_xact_lock(%(space)s, hashtext(current_user))",
    "SELECT id FROM labels WHERE name = %(label)s",
    "SELECT length, sha256, created_at FROM documents WHERE id = %(document)s",
    "SELECT id, role FROM annotators WHERE name = %(name)s",
    'SELECT id FROM spans WHERE document_id = %(document)s AND annotator_id = %(annotator)s AND label_id = %(label_id)s '
    'AND start = %(start)s AND "end" = %(end)s',
    "SELECT * FROM document_status WHERE annotator_id = %(annotator)s AND document_id = %(document)s",
)
_BARE_INSERT = ('INSERT INTO spans (document_id, doc_length, annotator_id, label_id, start, "end", origin, created_at, '
                "updated_at) VALUES (%(document)s, %(length)s, %(annotator)s, %(label_id)s, %(start)s, %(end)s, "
                "'manual', now(), now())")


def bare_worker(url: str, name: str, document: int, spans: int, start, results) -> None:
    """The floor: the statements of a key press by the bare driver, no tool code between them."""
    import psycopg
    from sqlalchemy import make_url

    from annotator.postgres import _LOGIN_LOCK_SPACE, WRITE_LOCK_KEY

    parsed = make_url(url)
    connection = psycopg.connect(host=parsed.host, port=parsed.port, dbname=parsed.database, user=parsed.username,
                                 password=parsed.password)

    def press(document: int, at: int) -> None:
        values = {"lock": WRITE_LOCK_KEY, "space": _LOGIN_LOCK_SPACE, "label": "QUOTE", "name": name,
                  "document": document, "start": at, "end": at + 5}
        answers = []
        for statement in _BARE:
            answers.append(connection.execute(statement, values).fetchone())
            if len(answers) == 2:
                values["label_id"] = answers[1][0]
            if len(answers) == 4:
                values["annotator"] = answers[3][0]
        values["length"] = answers[2][0]
        connection.execute(_BARE_INSERT, values)
        connection.commit()

    for i in range(5):
        press(document + 1, i * 6)
    backend = connection.info.backend_pid
    start.wait()
    began, cpu, server = time.perf_counter(), time.process_time(), server_cpu(backend)
    for i in range(spans):
        press(document, i * 6)
    results.put((time.perf_counter() - began, time.process_time() - cpu, server_cpu(backend) - server, 0))
    connection.close()


def server_cpu(pid: int) -> float:
    """CPU seconds of a server process on this machine (Linux /proc), NaN where it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def busy(cpu: float, wall: float, cores: int) -> str:
    """Share of the cores' time the measured processes used (nan when the server's CPU is unknown)."""
    return f"{100 * cpu / (wall * cores):.0f}%"


def run(urls: list[str], names: list[str], document: int, spans: int,
        target=worker) -> tuple[float, float, float, int]:
    """Wall seconds from the common start to the last finish, client and server CPU seconds, errors."""
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    processes = [context.Process(target=target, args=(url, name, document, spans, start, results))
                 for url, name in zip(urls, names)]
    for process in processes:
        process.start()
    time.sleep(3 + len(processes))  # every process has opened the project and waits
    began = time.perf_counter()
    start.set()
    outcomes = []
    while len(outcomes) < len(processes):  # a worker that died says so instead of leaving this waiting
        try:
            outcomes.append(results.get(timeout=5))
        except queue.Empty:
            if any(process.exitcode not in (None, 0) for process in processes):
                sys.exit("a worker failed (its traceback is above)")
    wall = time.perf_counter() - began
    for process in processes:
        process.join()
    return wall, sum(o[1] for o in outcomes), sum(o[2] for o in outcomes), sum(o[3] for o in outcomes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--spans", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    server = os.environ.get("ANNOTATOR_TEST_DB_URL")
    if not server:
        sys.exit("set ANNOTATOR_TEST_DB_URL, e.g. run under scripts/with-postgres")
    from sqlalchemy import create_engine, func, make_url, select, text

    from annotator.importing import import_path
    from annotator.model import Annotator, Span
    from annotator.store import create_project
    from annotator.team.members import team_add

    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    database = f"bench_team_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    target = make_url(server).set(database=database)
    lead_url = target.render_as_string(hide_password=False)
    lead = create_project(lead_url)
    for words in ("word ", "warm "):  # the measured article (each span: one word), and one to warm up on
        article = Path(os.environ.get("TMPDIR", "/tmp")) / f"{database}.txt"
        article.write_text(words * (args.spans * 6 // 5 + 10), encoding="utf-8")
        import_path(lead, article)
        article.unlink()
    names = [f"{database}_p{i}" for i in range(args.processes)]
    for name in names:
        team_add(lead, name, "annotator", PASSWORD)
    urls = [target.set(username=name, password=PASSWORD).render_as_string(hide_password=False) for name in names]

    def spans_of(who: list[str]) -> int:
        with lead.read() as session:
            return session.scalar(select(func.count()).select_from(Span).join(Annotator, Annotator.id == Span.annotator_id)
                                  .where(Annotator.name.in_(who), Span.document_id == 1))

    expected = args.processes * args.spans
    cores = len(os.sched_getaffinity(0))
    ratios, machine = [], []  # the tool's ratio, and the bare driver's in the same round
    for round_ in range(1, args.rounds + 1):  # in turns: the machine's other load meets both alike
        with lead.transaction() as session:
            session.execute(text("DELETE FROM spans"))
        alone, alone_cpu, alone_server, alone_errors = run(urls[:1], names[:1], 1, args.spans)
        with lead.transaction() as session:
            session.execute(text("DELETE FROM spans"))
        team, team_cpu, team_server, team_errors = run(urls, names, 1, args.spans)
        kept = spans_of(names)
        ratios.append((expected / team) / (args.spans / alone))
        print(f"round {round_}: one annotator alone: {args.spans} spans in {alone:.2f} s ({args.spans / alone:.0f}/s), "
              f"CPU per action {1000 * alone_cpu / args.spans:.2f} ms client, "
              f"{1000 * alone_server / args.spans:.2f} ms server, {alone_errors} errors")
        print(f"round {round_}: {args.processes} annotators at once: {expected} spans in {team:.2f} s "
              f"({expected / team:.0f}/s), throughput {ratios[-1]:.2f}x one alone, CPU per action "
              f"{1000 * team_cpu / expected:.2f} ms client, {1000 * team_server / expected:.2f} ms server; "
              f"lost {expected - kept}, errors {team_errors}")
        # Waiting shows as cores left idle; what the same actions cost more at once than alone is
        # the price of sharing the cores (16 processes' caches), not of waiting for each other.
        print(f"round {round_}: cores busy with the clients and their server processes: "
              f"{busy(alone_cpu + alone_server, alone, cores)} alone, {busy(team_cpu + team_server, team, cores)} "
              f"at once ({cores} cores); CPU per action at once "
              f"{(team_cpu + team_server) / (alone_cpu + alone_server) * args.spans / expected:.2f}x alone")
        # The floor of this round: the same statements with no tool code, at 1 and at P.
        bare = []
        for who in (1, args.processes):
            with lead.transaction() as session:
                session.execute(text("DELETE FROM spans"))
            wall, cpu, server_time, _ = run(urls[:who], names[:who], 1, args.spans, bare_worker)
            bare.append((wall, cpu, server_time))
        machine.append((expected / bare[1][0]) / (args.spans / bare[0][0]))
        print(f"round {round_}: the bare driver, same statements: alone {args.spans / bare[0][0]:.0f}/s, CPU per action "
              f"{1000 * bare[0][1] / args.spans:.2f} ms client; {args.processes} at once {expected / bare[1][0]:.0f}/s "
              f"({machine[-1]:.2f}x alone), CPU per action {1000 * bare[1][1] / expected:.2f} ms client; "
              f"the tool reached {ratios[-1] / machine[-1]:.0%} of that ratio")
    print(f"throughput of {args.processes} at once / one alone, median of {len(ratios)} rounds: "
          f"{statistics.median(ratios):.2f}x (rounds: {', '.join(f'{r:.2f}x' for r in ratios)}); the bare driver's "
          f"in the same rounds: {statistics.median(machine):.2f}x (rounds: {', '.join(f'{r:.2f}x' for r in machine)})")

    with lead.transaction() as session:
        session.execute(text("DELETE FROM spans"))
    leads = [f"{database}_lead{i}" for i in range(args.processes)]
    for name in leads:
        team_add(lead, name, "lead", PASSWORD)
    lead_urls = [target.set(username=name, password=PASSWORD).render_as_string(hide_password=False) for name in leads]
    locked, _, _, locked_errors = run(lead_urls, leads, 1, args.spans)
    print(f"{args.processes} leads at once (one project lock): {expected} spans in {locked:.2f} s "
          f"({(expected / locked) / (args.spans / alone):.2f}x one alone), errors {locked_errors}; "
          f"annotators' own locks: {locked / team:.2f}x faster than that")
    print(f"peak memory of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    lead.close()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{database}" WITH (FORCE)'))
        for name in names + leads:
            connection.execute(text(f'DROP ROLE "{name}"'))
        for group in ("annotator", "reviewer", "lead"):
            connection.execute(text(f'DROP ROLE IF EXISTS "{database}_{group}"'))
    admin.dispose()


if __name__ == "__main__":
    main()
