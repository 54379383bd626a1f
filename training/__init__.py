"""Training spaCy pipelines on a project's own annotations: `annotator train` and `annotator learning-curve`.

This package sits between the commands (cli/, ui/) and exports/: it trains on exactly the files the
spaCy export writes (passages, split, config.cfg), with spaCy's own training loop. No Qt here.
The public names load on first use, so importing the package does not load spaCy.
"""

from annotator.lazy_names import lazy_getattr

_PUBLIC = {
    "TrainOptions": "training.train",
    "TrainResult": "training.train",
    "train_project": "training.train",
    "CurveOptions": "training.curve",
    "learning_curve": "training.curve",
}
__all__ = sorted(_PUBLIC)

__getattr__ = lazy_getattr(__name__, _PUBLIC)
