"""Start-up: `annotator stats` on a small project against the floor `python -c "import sqlalchemy, typer"`.

Every command pays its start-up before it does anything, so commands import spaCy, pandas and
Qt only where they use them. Both are run as whole processes, alternately, several times in the
same run; the script prints medians of wall time and peak memory (max RSS) and their ratios.
Target: stats <= 2x the floor. Also shown: `annotator --help` and `annotator --version`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RUNS = 9


def run(argv: list[str]) -> tuple[float, float]:
    """(seconds, peak MB) of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {process.stderr.read().decode()}")
    process.stderr.close()
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        project = str(Path(folder) / "small.db")
        annotator = str(BIN / "annotator")
        subprocess.run([annotator, "init", project], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([annotator, "import", project, str(ROOT / "samples" / "articles"),
                        *map(str, sorted((ROOT / "samples" / "annotations").glob("*.jsonl")))],
                       check=True, stdout=subprocess.DEVNULL)
        commands = {
            "floor: python -c 'import sqlalchemy, typer'": [sys.executable, "-c", "import sqlalchemy, typer"],
            "annotator stats (5 documents)": [annotator, "stats", project],
            "annotator --help": [annotator, "--help"],
            "annotator --version": [annotator, "--version"],
        }
        figures: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(RUNS):  # alternate, so that a busy moment hurts every command alike
            for name, argv in commands.items():
                figures[name].append(run(argv))
    floor_s = statistics.median(s for s, _ in figures[next(iter(commands))])
    floor_mb = statistics.median(m for _, m in figures[next(iter(commands))])
    print(f"medians of {RUNS} runs each")
    for name, values in figures.items():
        seconds = statistics.median(s for s, _ in values)
        megabytes = statistics.median(m for _, m in values)
        print(f"{name:<46} {seconds:6.3f} s {seconds / floor_s:5.2f}x   {megabytes:6.1f} MB {megabytes / floor_mb:5.2f}x")
    print("target: annotator stats <= 2x the floor's time")


if __name__ == "__main__":
    main()
