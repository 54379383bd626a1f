"""A project on PostgreSQL against the same project in a file, in one run.

  open   — open the 100,000-character article with 2,000 spans in the window (read text, tokens,
           spans and links, draw and paint), from a database versus from a file (target <= 1.3x);
           the core's read alone (text, tokens, spans, links) is printed too;
  import — import N articles of ~5,000 characters (bench_import's corpus) into a database
           versus into a file (target <= 1.5x).
The two sides take turns, so that the machine's load weighs on both alike. It needs a server
where it may create databases: run it beside a throw-away cluster,

    scripts/with-postgres .venv/bin/python benchmarks/bench_postgres.py [--docs 10000] [--repeat 7]

or give ANNOTATOR_TEST_DB_URL (a superuser's URL) yourself. Its databases are dropped afterwards.
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

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import make_corpus  # noqa: E402
from bench_window import ROOT, SPANS, article, build_project, paint, word_spans  # noqa: E402

sys.path.insert(0, str(ROOT))


class Server:
    """Databases made for this run on the server of ANNOTATOR_TEST_DB_URL, dropped at the end."""

    def __init__(self, url: str):
        from sqlalchemy import create_engine, make_url
        from sqlalchemy.pool import NullPool

        self.url = make_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.made: list[str] = []

    def new(self) -> str:
        name = f"bench_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self.admin.connect() as connection:
            for name in self.made:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()


def open_times(file_target: Path, server_target: str, repeat: int) -> dict[str, float]:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from annotator.annotations import DocumentAnnotations
    from annotator.queries import document_text
    from annotator.store import open_project
    from ui.main_window import MainWindow
    from ui.settings import Settings

    app = QApplication.instance() or QApplication([])
    text = article()
    spans = word_spans(text, SPANS)
    for target in (file_target, server_target):
        build_project(target, text, spans)
    work = Path(tempfile.mkdtemp(prefix="bench-postgres-"))
    windows = {}
    for kind, target in (("file", file_target), ("server", server_target)):
        window = MainWindow(open_project(target), "alice",
                            Settings(QSettings(str(work / f"{kind}.ini"), QSettings.Format.IniFormat)))
        window.resize(1400, 860)
        window.show()
        app.processEvents()
        assert len(window.state.spans) == SPANS, (kind, len(window.state.spans))
        windows[kind] = window
    times: dict[str, list[float]] = {f"{what}_{kind}": [] for what in ("open", "read") for kind in windows}
    for _ in range(repeat):
        for kind, window in windows.items():
            document = window.current_document()
            app.processEvents()
            started = time.perf_counter()
            window.open_document(document)  # reads everything from the project again
            paint(window.view)
            times[f"open_{kind}"].append(time.perf_counter() - started)
            started = time.perf_counter()
            with window.project.read() as session:
                document_text(session, document)
                DocumentAnnotations.load(session, document, "alice")
            times[f"read_{kind}"].append(time.perf_counter() - started)
    for window in windows.values():
        window.project.close()
        window.close()
    return {name: statistics.median(values) for name, values in times.items()}


def import_times(corpus: Path, file_target: Path, server_target: str) -> dict[str, float]:
    from annotator.importing import import_path
    from annotator.store import create_project
    from annotator.text import blank

    blank("en"), blank("fr")  # spaCy loaded before either clock starts
    times = {}
    for kind, target in (("file", file_target), ("server", server_target)):
        project = create_project(target)
        started = time.perf_counter()
        import_path(project, corpus)
        times[kind] = time.perf_counter() - started
        project.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    url = os.environ.get("ANNOTATOR_TEST_DB_URL")
    if not url:
        sys.exit("error: no server — run it as `scripts/with-postgres python benchmarks/bench_postgres.py`")
    server = Server(url)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            opened = open_times(Path(tmp) / "long.db", server.new(), args.repeat)
            print(f"open the {SPANS}-span article in the window: file {opened['open_file'] * 1000:6.1f} ms, "
                  f"server {opened['open_server'] * 1000:6.1f} ms = {opened['open_server'] / opened['open_file']:.2f}x"
                  " (target <= 1.3x)")
            print(f"  the core's read alone:                   file {opened['read_file'] * 1000:6.1f} ms, "
                  f"server {opened['read_server'] * 1000:6.1f} ms = {opened['read_server'] / opened['read_file']:.2f}x")
            corpus = Path(tmp) / "corpus.jsonl"
            make_corpus(corpus, args.docs)
            imported = import_times(corpus, Path(tmp) / "import.db", server.new())
            print(f"import {args.docs} articles: file {imported['file']:6.2f} s, server {imported['server']:6.2f} s = "
                  f"{imported['server'] / imported['file']:.2f}x (target <= 1.5x)")
    finally:
        server.drop_all()


if __name__ == "__main__":
    main()
