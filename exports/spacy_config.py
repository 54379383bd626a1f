"""config.cfg through spaCy's own machinery (`spacy init config`), for one language.

Two settings differ from spaCy's CPU/efficiency defaults, both so that training works on this data:
- spancat's suggester proposes every span of 1 to N tokens, N being the longest exported span
  (`spacy.ngram_range_suggester.v1`); the default (1-3 tokens) could never propose a quote;
- `paths.train` / `paths.dev` stay null: pass them on the command line (`--paths.train ...`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

from spacy.cli.init_config import init_config
from thinc.api import Config

COMPONENTS = ("ner", "spancat")


@cache
def _default_config(lang: str, components: tuple[str, ...]) -> str:
    return init_config(lang=lang, pipeline=list(components), optimize="efficiency", gpu=False, silent=True).to_str()


def load_defaults(lang: str, components: Sequence[str]) -> None:
    """Build spaCy's default config now (cached; ~0.2 s), e.g. while worker processes build the Docs."""
    _default_config(lang, tuple(components))


def write_config(path: Path, lang: str, components: Sequence[str], longest_span: int) -> None:
    config = Config().from_str(_default_config(lang, tuple(components)), interpolate=False)
    if "spancat" in components:
        config["components"]["spancat"]["suggester"] = {
            "@misc": "spacy.ngram_range_suggester.v1", "min_size": 1, "max_size": max(longest_span, 1),
        }
    config.to_disk(path)
