"""A trained model folder as a suggester: `DIR/<lang>/model-best` per language (what `annotator
train --out DIR` writes), or DIR itself being one pipeline. Each document gets its language's
pipeline; spans come from `doc.ents` (ner, no score) and from spancat's span group (its scores).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from annotator.errors import UserError
from annotator.suggestions.proposals import Proposal, trimmed_longest

_DEFAULT_NAME = "pipeline"  # spaCy's meta name when training was given none
# Docs per batch through the pipeline: spaCy's default (1,000) holds spancat's candidate scores of
# every document of a batch at once, gigabytes for 1,000 articles; 32 runs as fast in a fraction.
PIPE_BATCH = 32


def pipeline_folders(folder: Path, languages: Sequence[str]) -> dict[str, Path]:
    """Language -> pipeline folder, for the languages asked that have one."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"--model {folder}: no such folder; give the folder `annotator train --out` wrote")
    if (folder / "meta.json").is_file():
        return {_meta(folder)["lang"]: folder}
    found = {lang: folder / lang / "model-best" for lang in languages if (folder / lang / "model-best").is_dir()}
    if not found and not any(p.is_dir() and (p / "model-best").is_dir() for p in folder.iterdir()):
        raise UserError(f"--model {folder}: not a spaCy pipeline (no meta.json, no LANG/model-best inside); "
                        "give the folder `annotator train --out` wrote")
    return found


def model_name(folder: Path, pipelines: dict[str, Path]) -> str:
    """`model:NAME`: the pipelines' meta name, or the folder's name when training set none."""
    names = {_meta(path).get("name") for path in pipelines.values()} - {None, _DEFAULT_NAME}
    return f"model:{sorted(names)[0] if len(names) == 1 else Path(folder).resolve().name}"


def _meta(path: Path) -> dict:
    import srsly

    try:
        meta = srsly.read_json(path / "meta.json")
    except (OSError, ValueError) as exc:
        raise UserError(f"--model {path}: not a spaCy pipeline (meta.json unreadable: {exc}); "
                        "give the folder `annotator train --out` wrote") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("lang"), str):
        raise UserError(f"--model {path}: not a spaCy pipeline (meta.json names no language)")
    return meta


class ModelSuggester:
    """One loaded pipeline: its spans on Docs rebuilt from the stored tokens."""

    def __init__(self, path: Path, lang: str, labels: Sequence[str]):
        import spacy

        meta_lang = _meta(path)["lang"]
        if meta_lang != lang:
            raise UserError(f"--model {path}: a pipeline for {meta_lang!r}, used for {lang!r} documents; "
                            f"train one for {lang} (annotator train --lang {lang})")
        try:
            self.nlp = spacy.load(path)
        except Exception as exc:  # spaCy raises many kinds for a broken folder
            reason = " ".join(str(exc).split())[:200]
            raise UserError(f"--model {path}: not a spaCy pipeline that loads ({reason})") from None
        self.vocab = self.nlp.vocab
        self.span_keys = [self.nlp.get_pipe(name).key for name in self.nlp.pipe_names
                          if hasattr(self.nlp.get_pipe(name), "key")]
        unknown = sorted(set(_pipeline_labels(self.nlp)) - set(labels))
        if unknown:
            raise UserError(f"--model {path}: its labels {', '.join(unknown)} are not in this project's schema "
                            f"({', '.join(labels)}); train it on this project")

    def run(self, docs: list) -> list[list[Proposal]]:
        """(doc, proposals) of each Doc (the pipeline's components run; no tokenizer)."""
        out = []
        for doc in self.nlp.pipe(docs, batch_size=PIPE_BATCH):
            found = [(ent.label_, ent.start, ent.end, None) for ent in doc.ents]
            for key in self.span_keys:
                group = doc.spans.get(key, [])
                scores = group.attrs.get("scores") if group else None
                for i, span in enumerate(group):
                    score = float(scores[i]) if scores is not None else None
                    found.append((span.label_, span.start, span.end, score))
            out.append((doc, trimmed_longest(doc, found)))
        return out


def _pipeline_labels(nlp) -> list[str]:
    labels = []
    for name in nlp.pipe_names:
        component = nlp.get_pipe(name)
        if name in ("ner", "spancat", "spancat_singlelabel", "span_finder", "entity_ruler", "span_ruler") or \
                hasattr(component, "key"):
            labels.extend(getattr(component, "labels", ()) or ())
    return labels
