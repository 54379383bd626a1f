"""`annotator learning-curve`: does more labelling still pay? Train on 25 / 50 / 75 / 100 % of the
training documents and score each model on the same dev set.

The data is the train command's (training.corpus: the spaCy export's passages, split and config);
each point is a full spaCy run with the same step budget and seed (training.run), nothing saved.
Subsets are nested and deterministic for the seed: a seeded shuffle of the training documents, of
which each point takes the first 25 %, 50 %, … (at least one; sizes that round alike are one point).
A language whose only document the export split by passage gets its curve over passages instead.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from spacy.tokens import DocBin

from annotator.errors import UserError
from annotator.store import Project
from training.config import training_config
from training.corpus import LanguageData, export_training_data, read_docs
from training.run import run_training
from training.scores import component_scores, label_f1
from training.train import TrainOptions, check_options

SHARES = (0.25, 0.5, 0.75, 1.0)


@dataclass
class CurveOptions(TrainOptions):
    shares: tuple[float, ...] = SHARES


def subset_sizes(units: int, shares: tuple[float, ...]) -> list[tuple[float, int]]:
    """(share, number of units) per point: at least 1, sizes that round alike only once."""
    sizes: dict[int, float] = {}
    for share in shares:
        sizes.setdefault(min(units, max(1, round(share * units))), share)
    return [(share, size) for size, share in sorted(sizes.items())]


def learning_curve(project: Project, options: CurveOptions | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   cancelled: Callable[[], bool] | None = None) -> dict:
    """The curve per language: {"languages": {lang: {"unit", "points": [{"units", "f1": {label: F1}, …}]}}, …}.
    A stop request ends it after the current step; the points finished so far are kept."""
    options = options or CurveOptions()
    progress = progress or (lambda done, total: None)
    cancelled = cancelled or (lambda: False)
    check_options(options)
    if not options.shares or not all(0 < share <= 1 for share in options.shares):
        raise UserError(f"shares {options.shares}: give shares of the training documents between 0 and 1")
    steps = options.max_steps + 1
    with tempfile.TemporaryDirectory(prefix="annotator-curve-") as work:
        data = export_training_data(project, Path(work) / "data", options.source, options.lang,
                                    options.components, options.dev, options.seed, cancelled)
        plans = {lang: curve_plan(corpus, options) for lang, corpus in data.languages.items()}
        total = steps * sum(len(sizes) for _, _, sizes in plans.values())
        done, stopped, languages = 0, False, {}
        for lang, corpus in data.languages.items():
            unit, order, sizes = plans[lang]
            points = []
            for share, size in sizes:
                if stopped:
                    break
                subset = Path(work) / f"{lang}-{size}.spacy"
                chosen = _write_subset(corpus, unit, order[:size], subset)
                run = run_training(
                    training_config(corpus.folder / "config.cfg", subset, corpus.path("dev"), options.max_steps,
                                    options.seed),
                    None, lambda step, offset=done: progress(offset + step, total), cancelled)
                done += steps
                if run.stopped:  # fewer steps than the other points: not comparable, left out
                    stopped = True
                    break
                scores = component_scores(run.best["scores"], data.components, data.labels)
                points.append({"share": share, "units": size, unit: chosen, "best_step": run.best["step"],
                               "f1": label_f1(scores), "scores": scores})
            languages[lang] = {"unit": unit, "train_units": len(order), "dev": corpus.documents["dev"],
                               "dev_passages": corpus.passages["dev"], "points": points}
    if not any(language["points"] for language in languages.values()):
        raise UserError("learning curve stopped before its first point; nothing to show")
    return {
        "source": data.source, "annotator": data.annotator,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "components": data.components, "f1_of": "spancat" if "spancat" in data.components else "ner",
        "labels": data.labels["spancat" if "spancat" in data.components else "ner"],
        "max_steps": options.max_steps, "seed": options.seed, "dev_share": options.dev,
        "stopped": stopped, "languages": languages, "warnings": data.warnings,
    }


def curve_plan(corpus: LanguageData, options: CurveOptions) -> tuple[str, list, list[tuple[float, int]]]:
    """(unit, the units in their seeded order, the points' sizes): documents, or passages for a
    language split by passage."""
    if corpus.split["by"] == "document":
        unit, units = "documents", [doc["id"] for doc in corpus.documents["train"]]
    else:
        unit, units = "passages", list(range(corpus.passages["train"]))
    order = [units[i] for i in np.random.default_rng(options.seed).permutation(len(units))]
    return unit, order, subset_sizes(len(units), options.shares)


def _write_subset(corpus: LanguageData, unit: str, chosen: list, path: Path) -> list:
    """Write the train Docs of the chosen documents (or passages) to `path`; the chosen, as listed."""
    docs = read_docs(corpus.path("train"), corpus.lang)
    wanted = set(chosen)
    if unit == "documents":
        kept = [doc for doc in docs if doc.user_data["document"]["id"] in wanted]
        names = {doc["id"]: doc["name"] for doc in corpus.documents["train"]}
        listed = [{"id": doc_id, "name": names[doc_id]} for doc_id in sorted(wanted)]
    else:
        kept = [doc for i, doc in enumerate(docs) if i in wanted]
        listed = sorted(wanted)
    DocBin(docs=kept, store_user_data=True).to_disk(path)
    return listed
