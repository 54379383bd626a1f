"""The figures of the model-in-the-loop story on the samples, for README's "Suggestions and training".

Runs tests/test_model_loop_story.py on a project file with the model trained `--steps` steps (the
test alone trains a few) and prints what the story printed: the rules' precision / recall against
carol (labelled from nothing) and against alice and bob after they decided on the suggestions,
suggestions stored, gold, the model's dev scores and suggestions per label; accepted / changed /
rejected per person; span F1 between the three people and the model. Not a speed benchmark: the
figures are counts and scores, the same on every run (the training is seeded), and the time taken.

    python benchmarks/model_loop_figures.py [--steps 200]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STORY = "tests/test_model_loop_story.py"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200, help="training steps (annotator train's default: 200)")
    args = parser.parse_args()
    env = {**os.environ, "ANNOTATOR_STORY_STEPS": str(args.steps), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("ANNOTATOR_TEST_DB_URL", None)  # on a project file: the figures do not depend on the backend
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", STORY], cwd=ROOT,
                         env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode != 0:
        sys.exit(f"the story failed:\n{run.stdout}\n{run.stderr}")
    print(run.stdout[run.stdout.index("model trained"):run.stdout.rindex("|") + 1])  # the tables, not pytest's dots
    print(f"\nthe whole story: {wall:.0f} s of wall clock, {used.ru_utime + used.ru_stime:.0f} s of CPU")


if __name__ == "__main__":
    main()
