"""Window benchmark: accepting one suggestion versus adding one span, on the 100,000-character
article with 2,000 spans of bench_window.py, with the rules' suggestions stored on it (the real
`suggest --patterns samples/patterns.jsonl`).

Both in the same window, taking turns so that the machine's load weighs on both alike:
  accept — Enter on a selected suggestion (my span made, the decision stored, committed to the
           file; the suggestion's outline gone, my span drawn, the next suggestion selected and
           scrolled to; repainted);
  add    — a label key on selected text (committed, drawn, repainted), the floor;
and each one's undo. Target: accept <= 1.1x add.

    python benchmarks/bench_window_suggestions.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_window import SPANS, add_and_undo, free_places, long_project, paint  # noqa: E402


def timings(repeat: int) -> dict[str, float]:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from annotator.store import open_project
    from annotator.suggestions.suggest import suggest_with_patterns
    from ui.main_window import MainWindow
    from ui.settings import Settings

    app = QApplication.instance() or QApplication([])
    work, text, spans = long_project("bench-window-suggestions-")
    project = open_project(work / "long.db")
    stored = suggest_with_patterns(project, ROOT / "samples" / "patterns.jsonl")
    window = MainWindow(project, "alice", Settings(QSettings(str(work / "long.ini"), QSettings.Format.IniFormat)))
    window.resize(1400, 860)
    window.show()
    app.processEvents()
    assert len(window.state.spans) == SPANS, len(window.state.spans)
    visible = window.suggestions.visible
    count = repeat * repeat
    chosen = visible[:: max(1, len(visible) // count)][:count]
    assert len(chosen) == count, (len(visible), count)
    times: dict[str, list[float]] = {"accept": [], "accept_undo": [], "add": [], "add_undo": []}
    for suggestion, place in zip(chosen, free_places(window, text, spans, count)):
        added, undone = add_and_undo(window, *place)
        times["add"].append(added)
        times["add_undo"].append(undone)
        accepted, undone = accept_and_undo(window, suggestion.id)
        times["accept"].append(accepted)
        times["accept_undo"].append(undone)
    shown = len(visible)
    window.close()
    project.close()
    return {"suggestions": stored.added, "shown": shown, "accepts": count,
            **{name: statistics.median(values) for name, values in times.items()},
            **{f"{name}_ratios": [a / b for a, b in zip(times[name], times[floor])]
               for name, floor in (("accept", "add"), ("accept_undo", "add_undo"))}}


def accept_and_undo(window, suggestion_id: int) -> tuple[float, float]:
    """Select the suggestion (as Tab does), then time Enter's accept and the undo, each repainted."""
    keys = window.suggestions
    keys.select(suggestion_id, reveal=True)
    paint(window.view)
    before = len(window.state.spans)
    t = time.perf_counter()
    keys.accept()
    paint(window.view)
    accepted = time.perf_counter() - t
    assert len(window.state.spans) == before + 1 and suggestion_id not in keys.layer.suggestions
    t = time.perf_counter()
    window.undo_stack.undo()
    paint(window.view)
    assert len(window.state.spans) == before and suggestion_id in keys.layer.suggestions
    return accepted, time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    t = timings(args.repeat)
    spread = lambda values: f"{min(values):.2f}–{max(values):.2f}x"  # noqa: E731
    ratios = sorted(t["accept_ratios"])
    quartiles = f"{ratios[len(ratios) // 4]:.2f}–{ratios[3 * len(ratios) // 4]:.2f}x"
    print(f"article: 100,000 characters, {SPANS:,} spans; {t['suggestions']:,} rule suggestions stored, "
          f"{t['shown']:,} shown to alice; {t['accepts']} accepts and {t['accepts']} adds in turns (medians)")
    print(f"accept one suggestion: {t['accept'] * 1000:7.1f} ms   add one span {t['add'] * 1000:7.1f} ms   "
          f"ratio {t['accept'] / t['add']:.2f}x (pairs' middle half {quartiles}, all {spread(ratios)}; "
          "target <= 1.1x)")
    print(f"undo that accept:      {t['accept_undo'] * 1000:7.1f} ms   undo the add {t['add_undo'] * 1000:7.1f} ms   "
          f"ratio {t['accept_undo'] / t['add_undo']:.2f}x")


if __name__ == "__main__":
    main()
