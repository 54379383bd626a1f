"""One spaCy training run, in this process, with spaCy's own loop (spacy.training.initialize.init_nlp +
spacy.training.loop.train): the loop, checkpoints, model-best and model-last are spaCy's.

What this module adds goes through spaCy's own hook for it, the training logger (`[training.logger]`):
after every step spaCy calls it — after saving the step's checkpoint — so it counts steps for the
progress bar, keeps every dev evaluation (the best one's scores are model-best's), and stops the run
when asked. Stopping there is clean: the model-best on disk is whole. A KeyboardInterrupt raised by the
progress callback stops the same way; one raised anywhere else (a second Ctrl+C) propagates.
"""

from __future__ import annotations

import io
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from spacy.training.initialize import init_nlp
from spacy.training.loop import train
from spacy.util import registry
from thinc.api import Config

from training.config import portable_config

LOGGER = "quote_annotator.training_steps.v1"
SPACY_LOGGER = {"@loggers": "spacy.ConsoleLogger.v1", "progress_bar": False}

_runs: dict[str, Run] = {}  # run id (named in the config) -> its state
_runs_lock = threading.Lock()


class Stopped(Exception):
    """Raised from the logger to end spaCy's loop at a step boundary (spaCy then saves model-last)."""


@dataclass
class Run:
    """What a run reports: `progress(steps done)`; `stop()` is polled after every step."""

    progress: Callable[[int], None]
    stop: Callable[[], bool]
    steps: int = 0
    stopped: bool = False
    evaluations: list[dict] = field(default_factory=list)  # {"step", "score", "scores"} per dev evaluation
    best: dict | None = None  # the evaluation model-best was saved at

    def log_step(self, info: dict | None) -> None:
        self.steps += 1
        if info is not None:  # spaCy scored this step on dev (and saved it, as model-best if it is the best)
            evaluation = {"step": info["step"], "score": info["score"], "scores": info["other_scores"]}
            self.evaluations.append(evaluation)
            if info["score"] == max(score for score, _ in info["checkpoints"]):  # spaCy's own test
                self.best = evaluation
        try:
            self.progress(self.steps)
        except KeyboardInterrupt:
            raise Stopped() from None
        except Exception:
            if not self.stop():
                raise
        if self.stop():
            raise Stopped()


@registry.loggers(LOGGER)
def _training_steps(run: str):
    def setup(nlp, stdout, stderr):
        with _runs_lock:
            state = _runs[run]
        return state.log_step, lambda: None

    return setup


def run_training(config: Config, output: Path | None, progress: Callable[[int], None],
                 stop: Callable[[], bool]) -> Run:
    """Train; spaCy writes `output`/model-best and model-last (None: nothing saved). A stop request ends
    the run after the current step, with `stopped` set."""
    run_id = uuid.uuid4().hex
    state = Run(progress, stop)
    config["training"]["logger"] = {"@loggers": LOGGER, "run": run_id}
    with _runs_lock:
        _runs[run_id] = state
    if output is not None:
        output.mkdir(parents=True, exist_ok=True)
    try:
        nlp = init_nlp(config)
        try:
            train(nlp, output, stdout=io.StringIO(), stderr=io.StringIO())
        except Stopped:
            state.stopped = True
    finally:
        with _runs_lock:
            del _runs[run_id]
    if output is not None and (output / "model-best").exists():
        portable_config(output / "model-best" / "config.cfg", SPACY_LOGGER)
    return state
