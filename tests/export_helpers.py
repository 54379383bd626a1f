"""Small hand-made projects for the export tests, built through the real importer."""

import json
from pathlib import Path

import numpy as np
from spacy.tokens import DocBin
from spacy.training import Corpus

from annotator import queries
from annotator.importing import ImportOptions, import_path
from annotator.store import Project
from annotator.text import blank

EMOJI = "Le président 😀 a dit « nous frapperons » hier.\r\nPuis il a ajouté : « 10 000 soldats 🚀 sont prêts ».\r\n"
CRLF = "Putin said on Tuesday: “We will respond.”\r\n\r\nThe minister added that 6,465 soldiers were ready.\r\n"


def span(text: str, part: str, label: str, occurrence: int = 0) -> dict:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(part, start + 1)
    return {"start": start, "end": start + len(part), "label": label}


def link(head: dict, child: dict, label: str) -> dict:
    return {"head_span": head, "child_span": child, "label": label}


def add_work(project: Project, tmp_path: Path, annotator: str, records: list[dict], lang: str = "auto") -> None:
    """Import `records` ({"text", "spans", "relations"}) as `annotator`'s finished work."""
    path = tmp_path / f"{annotator}-{len(list(tmp_path.glob('*.jsonl')))}.jsonl"
    lines = [json.dumps({"answer": "accept", "_annotator_id": annotator, **r}, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_path(project, path, ImportOptions(format="prodigy", lang=lang))


def project_texts(project: Project) -> dict[int, str]:
    with project.read() as session:
        ids = queries.documents(session)["id"].tolist()
        return dict(zip(ids, queries.document_texts(session, ids)["text"]))


def read_docs(path: Path, lang: str) -> list:
    """The Docs of a .spacy file, or of a folder of shards, as spaCy's training reader sees them."""
    nlp = blank(lang)
    if path.is_dir():
        return [example.reference for example in Corpus(path)(nlp)]
    return list(DocBin().from_disk(path).get_docs(nlp.vocab))


def exported_spans(docs) -> set[tuple[int, int, int, str]]:
    """(document id, start, end, label) in the project's offsets, from doc.spans["sc"]."""
    found = set()
    for doc in docs:
        where = doc.user_data["document"]
        found |= {(where["id"], where["start"] + s.start_char, where["start"] + s.end_char, s.label_)
                  for s in doc.spans["sc"]}
    return found


def tokens_of(project: Project, document_id: int) -> np.ndarray:
    with project.read() as session:
        return queries.document_text(session, document_id)[1]
