"""`annotator train` and Review → Train model: one spaCy pipeline per language of the project.

`train_project(project, out, options, progress, cancelled)` exports the source's finished documents
the way `annotator export --format spacy` does (into a temporary folder), trains each language with
spaCy's loop (training.run), and writes

    out/<lang>/model-best    the pipeline with the best dev score (spacy.load it)
    out/<lang>/scores.json   P/R/F per label on dev, the source, the documents, the date, the steps

The files are written in a hidden folder beside `out` and moved into place at the end, so `out` never
holds a half-written model. `cancelled()` (Ctrl+C in the CLI, Cancel in the window) stops after the
current step and keeps the best model so far; languages not reached are listed as not trained.
`progress(done, total)` counts steps over all languages. The project is only read.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from annotator.errors import UserError
from annotator.store import Project
from exports.export import check_new_folder, staged_folder
from training.config import DEFAULT_MAX_STEPS, eval_frequency, training_config
from training.corpus import LanguageData, TrainingData, export_training_data
from training.run import Run, run_training
from training.scores import component_scores

SCORES = "scores.json"
MODEL = "model-best"


@dataclass
class TrainOptions:
    source: str | None = None  # gold, majority or an annotator's name; None: the export's default
    lang: str | None = None  # one language only; None: every language, one model each
    max_steps: int = DEFAULT_MAX_STEPS
    components: list[str] = field(default_factory=lambda: ["ner", "spancat"])
    seed: int = 0
    dev: float = 0.2  # share of documents in dev


@dataclass
class TrainResult:
    out: Path
    languages: dict[str, dict]  # lang -> what its scores.json holds
    not_trained: dict[str, str]  # lang -> why (stopped before it, too few documents)
    stopped: bool  # a stop request ended the run early
    warnings: list[str]


def check_options(options: TrainOptions) -> None:
    if options.max_steps < 1:
        raise UserError(f"--max-steps: {options.max_steps} is not a number of steps; give 1 or more (e.g. 200)")
    if not 0 < options.dev < 1:
        raise UserError(f"--dev: {options.dev} is not a share between 0 and 1 (for example 0.2)")


def train_project(project: Project, out: str | Path, options: TrainOptions | None = None,
                  progress: Callable[[int, int], None] | None = None,
                  cancelled: Callable[[], bool] | None = None) -> TrainResult:
    options = options or TrainOptions()
    progress = progress or (lambda done, total: None)
    cancelled = cancelled or (lambda: False)
    out = Path(out)
    check_options(options)
    check_new_folder(out)
    with tempfile.TemporaryDirectory(prefix="annotator-train-") as work, staged_folder(out) as folder:
        data = export_training_data(project, Path(work) / "data", options.source, options.lang,
                                    options.components, options.dev, options.seed, cancelled)
        steps = options.max_steps + 1  # spaCy counts steps 0 to max_steps
        total = steps * len(data.languages)
        languages, not_trained, stopped = {}, {}, False
        for number, (lang, corpus) in enumerate(data.languages.items()):
            if stopped or cancelled():
                stopped = True
                not_trained[lang] = "stopped before it started"
                continue
            run = run_training(
                training_config(corpus.folder / "config.cfg", corpus.path("train"), corpus.path("dev"),
                                options.max_steps, options.seed),
                Path(work) / f"run-{lang}", lambda done, offset=number * steps: progress(offset + done, total),
                cancelled)
            stopped = run.stopped
            (folder / lang).mkdir()
            shutil.move(Path(work) / f"run-{lang}" / MODEL, folder / lang / MODEL)
            languages[lang] = scores_summary(data, corpus, options, run)
            (folder / lang / SCORES).write_text(json.dumps(languages[lang], ensure_ascii=False, indent=2) + "\n",
                                                encoding="utf-8")
        if not languages:
            raise UserError("training stopped before any model was saved; nothing was written")
    return TrainResult(out, languages, not_trained, stopped, data.warnings)


def scores_summary(data: TrainingData, corpus: LanguageData, options: TrainOptions, run: Run) -> dict:
    """What scores.json holds for one language."""
    best = run.best
    return {
        "lang": corpus.lang,
        "source": data.source,
        "annotator": data.annotator,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "components": data.components,
        "scores": component_scores(best["scores"], data.components, data.labels),
        "best_step": best["step"],
        "steps": run.steps,
        "max_steps": options.max_steps,
        "stopped": run.stopped,
        "eval_frequency": eval_frequency(options.max_steps),
        "evaluations": [{"step": e["step"], "score": round(e["score"], 4)} for e in run.evaluations],
        "seed": options.seed,
        "dev_share": options.dev,
        "split": corpus.split,
        "documents": corpus.documents,
        "passages": corpus.passages,
        "spans": corpus.spans,
        "model": MODEL,
    }
