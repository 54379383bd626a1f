"""The training config: the export's config.cfg (spaCy's own `init config`) with the few overrides that
make a run fit this tool — a small tok2vec that trains on a laptop's CPU in a minute or two, the step
budget, how often to score on dev, the seed — exactly as `python -m spacy train CONFIG --key value`
would apply them (benchmarks/bench_train.py runs spaCy's command with the same overrides).
"""

from __future__ import annotations

from pathlib import Path

from spacy import util
from thinc.api import Config

DEFAULT_MAX_STEPS = 200
# spaCy's efficiency default is width 96, depth 4: a quarter of the work per token for little loss on
# a few thousand words of news.
SMALL_TOK2VEC = {"components.tok2vec.model.encode.width": 64, "components.tok2vec.model.encode.depth": 2}
EVALUATIONS = 5  # dev scores per run: the best of them is model-best


def eval_frequency(max_steps: int) -> int:
    return max(1, max_steps // EVALUATIONS)


def overrides(train: Path, dev: Path, max_steps: int, seed: int) -> dict[str, object]:
    """`--section.key value` pairs for the run, as spaCy's train command takes them."""
    return {"paths.train": str(train), "paths.dev": str(dev), "system.seed": seed,
            "training.max_steps": max_steps, "training.eval_frequency": eval_frequency(max_steps),
            **SMALL_TOK2VEC}


def training_config(exported: Path, train: Path, dev: Path, max_steps: int, seed: int) -> Config:
    """The export's config.cfg with the run's overrides, not interpolated (spaCy's init_nlp wants it so)."""
    return util.load_config(exported, overrides=overrides(train, dev, max_steps, seed), interpolate=False)


def portable_config(path: Path, logger: dict) -> None:
    """Rewrite a trained pipeline's config.cfg without what only the training process knew: the paths of
    its temporary corpus and the progress logger it registered (spaCy would look that name up on load)."""
    config = Config().from_disk(path, interpolate=False)
    config["paths"]["train"] = config["paths"]["dev"] = None
    config["training"]["logger"] = logger
    config.to_disk(path)
