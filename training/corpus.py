"""The training data: exactly what `annotator export --format spacy` writes (passages, split, config.cfg),
written into a working folder, with the documents each split holds read back from the DocBins.

A language needs a dev set to be scored: at least MIN_DOCUMENTS finished documents, or a single
document that the export can split by passage (exports.spacy_export). A language that has neither
is refused with how many documents it has and how many it needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from spacy.tokens import DocBin

from annotator.errors import UserError
from annotator.store import Project
from annotator.text import blank
from exports.selection import Selection, select_export
from exports.spacy_export import export_spacy
from exports.split import MIN_SPLIT_PASSAGES

MIN_DOCUMENTS = 2  # one to train on, one for the dev set that scores it
SPLITS = ("train", "dev")


@dataclass
class LanguageData:
    lang: str
    folder: Path  # config.cfg, train.spacy, dev.spacy
    split: dict  # export.json's: {"by": "document"} or {"by": "passage", ...}
    documents: dict[str, list[dict]]  # split -> [{"id", "name"}] in id order
    passages: dict[str, int]  # split -> Docs in it
    spans: dict[str, dict[str, int]]  # split -> label -> spans in doc.spans["sc"]
    ents: dict[str, dict[str, int]]  # split -> label -> entities in doc.ents

    def path(self, split: str) -> Path:
        return self.folder / f"{split}.spacy"


@dataclass
class TrainingData:
    source: str  # as asked: gold, majority or an annotator's name
    annotator: str  # whose annotations (the gold row's name, "majority" or the annotator)
    components: list[str]  # checked, in spaCy's pipeline order
    labels: dict[str, list[str]]  # component -> the labels it learns
    languages: dict[str, LanguageData]
    warnings: list[str]


def export_training_data(project: Project, folder: Path, source: str | None, lang: str | None,
                         components: list[str], dev_share: float, seed: int,
                         cancelled: Callable[[], bool] | None = None) -> TrainingData:
    """Export the source's finished documents (of `lang`, or of every language) into `folder`."""
    with project.read() as session:
        try:
            selection = select_export(session, source)
        except UserError as exc:
            if str(exc).startswith("nothing to export"):
                raise UserError(f"nothing to train on: {_who(source)} finished a document yet; training needs "
                                f"at least {MIN_DOCUMENTS} finished documents per language (one to train on, one "
                                "for the dev set)") from None
            raise
    if lang is not None:
        selection = _one_language(selection, lang)
    counts = selection.documents["lang"].value_counts().to_dict()
    try:
        section, _notes, warnings = export_spacy(project, selection, folder, components, dev_share, seed,
                                                 lambda done, total: None, cancelled or (lambda: False))
    except UserError as exc:
        if str(exc).startswith("nothing to write"):
            raise UserError("; ".join(_too_few(lang, counts[lang], selection.source) for lang in sorted(counts))) \
                from None
        raise
    left_out = section.get("left_out", {})
    warnings = [w for w in warnings if w not in left_out.values()]
    warnings += [_too_few(lang, counts[lang], selection.source) + "; not trained" for lang in left_out]
    languages = {}
    for lang, summary in section["languages"].items():
        data = _language(lang, folder / summary["path"], summary)
        if not data.passages["dev"]:
            raise UserError(_too_few(lang, counts[lang], selection.source))
        languages[lang] = data
    components = next(iter(section["languages"].values()))["components"]
    labels = {"ner": selection.ner_labels, "spancat": selection.labels}
    return TrainingData(selection.source, selection.writer, components, labels, languages, warnings)


def _who(source: str | None) -> str:
    return "no annotator has" if source in (None, "majority") else f"{source} has not"


def _too_few(lang: str, documents: int, source: str) -> str:
    return (f"{lang}: too few documents for a dev set: {source} finished {documents} document(s) in {lang}; "
            f"training needs at least {MIN_DOCUMENTS} (one to train on, one to score it), or a single document of "
            f"at least {MIN_SPLIT_PASSAGES} distinct paragraphs; finish more documents in {lang}")


def _one_language(selection: Selection, lang: str) -> Selection:
    documents = selection.documents[selection.documents["lang"] == lang]
    if documents.empty:
        found = sorted(selection.documents["lang"].unique())
        raise UserError(f"--lang {lang}: {selection.source} finished no document in {lang}; "
                        f"its documents are in {', '.join(found)}")
    ids = set(documents["id"])
    return replace(selection, documents=documents.reset_index(drop=True),
                   spans=selection.spans[selection.spans["document_id"].isin(ids)].reset_index(drop=True),
                   relations=selection.relations[selection.relations["document_id"].isin(ids)].reset_index(drop=True))


def _language(lang: str, folder: Path, summary: dict) -> LanguageData:
    documents = {split: _documents(folder / f"{split}.spacy", lang) for split in SPLITS}
    splits = summary["splits"]
    return LanguageData(lang, folder, summary["split"], documents,
                        {split: splits[split]["passages"] for split in SPLITS},
                        {split: splits[split]["spans"] for split in SPLITS},
                        {split: splits[split]["ents"] for split in SPLITS})


def read_docs(path: Path, lang: str) -> list:
    """The Docs of a .spacy file, or of a folder of shards."""
    vocab = blank(lang).vocab
    files = sorted(path.glob("*.spacy")) if path.is_dir() else [path]
    return [doc for file in files for doc in DocBin().from_disk(file).get_docs(vocab)]


def _documents(path: Path, lang: str) -> list[dict]:
    seen = {}
    for doc in read_docs(path, lang):
        where = doc.user_data["document"]
        seen[where["id"]] = where["name"]
    return [{"id": doc_id, "name": name} for doc_id, name in sorted(seen.items())]
