"""Window benchmark: a 100,000-character article with 2,000 spans (and a link from each QUOTE
to a SPEAKER), and a 10,000-document project.

Prints, each as a ratio to a bare-Qt floor measured in the same run:
  open   — open the document in the window and paint it, versus a QPlainTextEdit
           given the same text and 2,000 ExtraSelections, painted;
  add    — add one span (committed to the project file, then repainted), versus
           adding one ExtraSelection to that QPlainTextEdit and repainting;
and adding one span (and undoing it) on the long article versus on a 5,000-character article
with 50 spans, each in a window of the same size, taking turns: one span should cost what it
costs, whatever else the article holds (target <= 1.2x); and the resident memory of the window with a 10,000-document project open versus an
empty project (each in its own process). Targets: open <= 1.5x, add <= 2x, memory <= 1.5x.

    python benchmarks/bench_window.py [--repeat 7] [--docs 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SPANS = 2_000
CHARS = 100_000
SHORT_SPANS, SHORT_CHARS = 50, 5_000  # the article one span is measured against
COLORS = {"SPEAKER": "#7ecbf1", "QUOTE": "#fbd76a", "THREAT": "#fb7f74", "FIGURE": "#bddbcc"}


def article() -> str:
    paragraphs = []
    for file in sorted((ROOT / "samples" / "articles").glob("*.txt")):
        paragraphs += [p for p in file.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    text, i = [], 0
    while sum(len(p) + 2 for p in text) < CHARS:
        text.append(paragraphs[i % len(paragraphs)])
        i += 1
    return "\n\n".join(text)[:CHARS]


def word_spans(text: str, count: int, seed: int = 0) -> list[tuple[int, int, str]]:
    """`count` spans on word boundaries: phrases of 1-6 words, one in four nested in the previous."""
    import re

    words = [(m.start(), m.end()) for m in re.finditer(r"\w+", text)]
    rng = random.Random(seed)
    step = len(words) // count
    spans = []
    for i in range(count):
        first = i * step
        if i % 4 == 3 and spans:  # nested inside the previous span's first word
            start, end, _ = spans[-1]
            spans.append((start, words[(i - 1) * step][1], "THREAT"))
            continue
        last = min(first + rng.randint(0, 5), len(words) - 1)
        spans.append((words[first][0], words[last][1], ("SPEAKER", "QUOTE", "FIGURE")[i % 3]))
    return spans


def said_by_links(spans: list[dict]) -> list[dict]:
    """Each QUOTE linked to the nearest SPEAKER before it, as an annotator would (drawn as arcs)."""
    links, speaker = [], None
    for span in spans:
        if span["label"] == "SPEAKER":
            speaker = span
        elif span["label"] == "QUOTE" and speaker is not None:
            links.append({"head_span": span, "child_span": speaker, "label": "said_by"})
    return links


def build_project(target: Path | str, text: str, spans) -> None:
    """A project (a file, or an empty database's URL) holding the article and its spans, by alice."""
    from annotator.importing import ImportOptions, import_path
    from annotator.store import create_project

    shown = [{"start": s, "end": e, "label": label} for s, e, label in spans]
    record = {"text": text, "answer": "accept", "meta": {"name": "long.txt"}, "spans": shown,
              "relations": said_by_links(shown)}
    source = Path(tempfile.mkdtemp(prefix="bench-article-")) / "long.jsonl"
    source.write_text(json.dumps(record) + "\n", encoding="utf-8")
    project = create_project(target)
    import_path(project, source, ImportOptions(format="prodigy", annotator="alice"))
    project.close()


def long_project(prefix: str) -> tuple[Path, str, list[tuple[int, int, str]]]:
    """A new folder holding long.db: the long article with SPANS spans; the folder, text and spans."""
    text = article()
    spans = word_spans(text, SPANS)
    work = Path(tempfile.mkdtemp(prefix=prefix))
    build_project(work / "long.db", text, spans)
    return work, text, spans


def paint(view) -> None:
    view.viewport().repaint()  # synchronous paint of the visible lines


def timings(repeat: int) -> dict[str, float]:
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
    from PySide6.QtWidgets import QApplication, QPlainTextEdit, QTextEdit

    from annotator.store import open_project
    from ui.main_window import MainWindow
    from ui.settings import Settings

    app = QApplication.instance() or QApplication([])
    work, text, spans = long_project("bench-window-")

    # the floor: bare Qt with the same text and selections
    floor = QPlainTextEdit()
    floor.setReadOnly(True)
    floor.resize(1000, 760)
    floor.show()
    formats = {}
    for label, color in COLORS.items():
        formats[label] = QTextCharFormat()
        formats[label].setBackground(QColor(color))

    def selection(start, end, label):
        chosen = QTextEdit.ExtraSelection()
        cursor = QTextCursor(floor.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        chosen.cursor, chosen.format = cursor, formats[label]
        return chosen

    floor_open, floor_add = [], []
    for _ in range(repeat):
        floor.setPlainText("")
        app.processEvents()
        t = time.perf_counter()
        floor.setPlainText(text)
        selections = [selection(s, e, label) for s, e, label in spans]
        floor.setExtraSelections(selections)
        paint(floor)
        floor_open.append(time.perf_counter() - t)
        for k in range(repeat):
            t = time.perf_counter()
            selections.append(selection(100 + k, 110 + k, "QUOTE"))
            floor.setExtraSelections(selections)
            paint(floor)
            floor_add.append(time.perf_counter() - t)
    floor.close()

    def open_window(name: str):
        window = MainWindow(open_project(work / name), "alice",
                            Settings(QSettings(str(work / f"{name}.ini"), QSettings.Format.IniFormat)))
        window.resize(1400, 860)
        window.show()
        app.processEvents()
        return window

    window = open_window("long.db")
    document = window.current_document()
    assert len(window.state.spans) == SPANS, len(window.state.spans)
    links = len(window.state.links)
    window_open = []
    for _ in range(repeat):
        app.processEvents()
        t = time.perf_counter()
        window.open_document(document)  # reads text and spans from the file again
        paint(window.view)
        window_open.append(time.perf_counter() - t)
    # The same action on a short article, in a window of its own: what one span costs by itself.
    # The two take turns, so that the machine's load weighs on both alike.
    short = text[:SHORT_CHARS]
    short_spans = word_spans(short, SHORT_SPANS)
    build_project(work / "short.db", short, short_spans)
    short_window = open_window("short.db")
    assert len(short_window.state.spans) == SHORT_SPANS, len(short_window.state.spans)
    count = repeat * repeat
    times: dict[str, list[float]] = {"add": [], "undo": [], "short_add": [], "short_undo": []}
    for long_place, short_place in zip(free_places(window, text, spans, count),
                                       free_places(short_window, short, short_spans, count)):
        for shown, place, name in ((window, long_place, ""), (short_window, short_place, "short_")):
            added, undone = add_and_undo(shown, *place)
            times[f"{name}add"].append(added)
            times[f"{name}undo"].append(undone)
    window.close()
    short_window.close()
    median = statistics.median
    return {"open": median(window_open), "open_floor": median(floor_open), "add_floor": median(floor_add),
            "links": links, **{name: median(values) for name, values in times.items()}}


def free_places(window, text: str, spans, count: int) -> list[tuple[int, int]]:
    """`count` places spread over the article where, once snapped to tokens, there is no FIGURE."""
    from annotator.queries import document_text
    from annotator.tokens import snap

    with window.project.read() as session:
        _, tokens = document_text(session, window.current_document())
    taken = {(s, e) for s, e, label in spans if label == "FIGURE"}
    free = []
    for m in range(200, len(text) - 100, 23):
        snapped = snap(text, tokens, m, m + 7)
        if snapped and snapped not in taken and snapped not in free:
            free.append(snapped)
    free = free[:: max(1, len(free) // count)]
    assert len(free) >= count, (len(free), count)
    return free[:count]


def add_and_undo(window, start: int, end: int) -> tuple[float, float]:
    """Add a FIGURE there (committed to the file, then repainted) and undo it, so that the article
    keeps its spans; the time of each."""
    from PySide6.QtGui import QTextCursor

    before = len(window.state.spans)
    cursor = window.view.textCursor()
    cursor.setPosition(window.view._to_qt(start))
    cursor.setPosition(window.view._to_qt(end), QTextCursor.MoveMode.KeepAnchor)
    window.view.setTextCursor(cursor)
    t = time.perf_counter()
    window.mark("FIGURE")
    paint(window.view)
    added = time.perf_counter() - t
    assert len(window.state.spans) == before + 1
    t = time.perf_counter()
    window.undo_stack.undo()
    paint(window.view)
    assert len(window.state.spans) == before
    return added, time.perf_counter() - t


def memory_child(kind: str, docs: int) -> None:
    """Run in a subprocess: open the window on an empty or a big project, print RSS in MiB."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from annotator.store import open_project
    from ui.main_window import MainWindow
    from ui.settings import Settings

    app = QApplication([])
    project = open_project(kind)
    window = MainWindow(project, "alice", Settings(QSettings(str(Path(kind).with_suffix(".ini")),
                                                             QSettings.Format.IniFormat)))
    window.show()
    for _ in range(5):
        app.processEvents()
    rss = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
               if line.startswith("VmRSS:"))
    print(json.dumps({"rss_mib": rss / 1024, "documents": window.documents.model.rowCount()}))
    window.close()


def memory(docs: int) -> dict[str, float]:
    from annotator.importing import import_path
    from annotator.store import create_project

    work = Path(tempfile.mkdtemp(prefix="bench-window-mem-"))
    empty, big = work / "empty.db", work / "big.db"
    create_project(empty).close()
    paragraphs = article().split("\n\n")
    with (work / "docs.jsonl").open("w", encoding="utf-8") as out:
        for i in range(docs):
            body = "\n\n".join(paragraphs[(i + j) % len(paragraphs)] for j in range(3))
            out.write(json.dumps({"text": f"Article {i}.\n\n{body}", "meta": {"name": f"doc-{i:05d}"}}) + "\n")
    project = create_project(big)
    import_path(project, work / "docs.jsonl")
    project.close()
    result = {}
    for name, path in (("empty", empty), ("big", big)):
        output = subprocess.run([sys.executable, __file__, "--memory-child", str(path)], check=True,
                                capture_output=True, text=True).stdout
        result[name] = json.loads(output.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--memory-child")
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child, args.docs)
        return
    t = timings(args.repeat)
    print(f"article: {CHARS:,} characters, {SPANS:,} spans, {t['links']:,} links (median of {args.repeat} opens, {args.repeat ** 2} adds)")
    print(f"open + paint:      window {t['open'] * 1000:7.1f} ms   floor {t['open_floor'] * 1000:7.1f} ms   "
          f"ratio {t['open'] / t['open_floor']:.2f}x (target <= 1.5x)")
    print(f"add one span:      window {t['add'] * 1000:7.1f} ms   floor {t['add_floor'] * 1000:7.1f} ms   "
          f"ratio {t['add'] / t['add_floor']:.2f}x (target <= 2x)")
    print(f"add, by size:      {SPANS:,} spans {t['add'] * 1000:7.1f} ms   {SHORT_CHARS:,} characters / "
          f"{SHORT_SPANS} spans {t['short_add'] * 1000:7.1f} ms   ratio {t['add'] / t['short_add']:.2f}x "
          "(target <= 1.2x)")
    print(f"undo that add:     {SPANS:,} spans {t['undo'] * 1000:7.1f} ms   {SHORT_CHARS:,} characters / "
          f"{SHORT_SPANS} spans {t['short_undo'] * 1000:7.1f} ms   ratio {t['undo'] / t['short_undo']:.2f}x")
    m = memory(args.docs)
    print(f"memory (RSS):      {m['big']['documents']:,} documents {m['big']['rss_mib']:.0f} MiB   "
          f"empty project {m['empty']['rss_mib']:.0f} MiB   ratio {m['big']['rss_mib'] / m['empty']['rss_mib']:.2f}x "
          "(target <= 1.5x)")


if __name__ == "__main__":
    main()
