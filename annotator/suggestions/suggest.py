"""Storing one source's suggestions over many documents (`annotator suggest`).

A source is an annotators row of role "model" (`rules`, or `model:NAME`); its spans have origin
"suggested" and a score where the component gives one. A re-run on the same documents replaces
the source's suggestions there: a span suggested again keeps its row — its id, so the decisions
people made on it stay with it — and gets the new score; a span not suggested again is removed
with its links and the decisions on it; new spans are added; the source's links there are all
made anew. Everything is written in one transaction, after every document was matched.

The documents a source ran on are kept in the setting `suggested:<source>` (a sorted id list): a
source marks no status, and the agreement report counts it as having finished those documents.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from annotator import queries
from annotator.change_builder import ChangeBuilder
from annotator.changes import TABLES, frozen
from annotator.errors import UserError
from annotator.model import MODEL, Annotator, Assignment, Document, DocumentStatus, Label, RelationLabel, utcnow
from annotator.settings import get_setting, set_setting
from annotator.store import Project
from annotator.suggestions.proposals import LinkProposal, Proposal, propose_links
from annotator.tokens import unpack_tokens

DOCS = ("queue", "all")
RULES = "rules"
SUGGESTED_SETTING = "suggested:"  # + source name
_BATCH = 500  # documents read and matched at a time
_FINISHED = ("done", "skipped")


@dataclass
class SuggestSummary:
    source: str
    documents: int  # documents the source ran on
    spans: dict[str, int]  # label -> suggestions now stored on those documents
    added: int
    kept: int  # suggested again: row, score updated, decisions kept
    removed: int  # not suggested again (with their decisions)
    links: int
    skipped: dict[str, int] = field(default_factory=dict)  # language -> documents with no pipeline for it

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def suggest_with_patterns(project: Project, patterns: Path, for_annotator: str | None = None,
                          docs: str | None = None, progress: Callable[[int, int], None] | None = None) -> SuggestSummary:
    from annotator.suggestions.patterns import RuleMatcher, read_patterns

    with project.read() as session:
        labels = schema_labels(session)
        targets = documents_to_suggest(session, for_annotator, docs)
    rules = read_patterns(patterns, labels)
    matchers: dict[str, RuleMatcher] = {}

    def matcher(lang: str) -> RuleMatcher:
        if lang not in matchers:
            matchers[lang] = RuleMatcher(rules, lang)
        return matchers[lang]

    return _suggest(project, RULES, targets, matcher, progress)


def suggest_with_model(project: Project, folder: Path, for_annotator: str | None = None,
                       docs: str | None = None, progress: Callable[[int, int], None] | None = None) -> SuggestSummary:
    from annotator.suggestions.pipelines import ModelSuggester, model_name, pipeline_folders

    with project.read() as session:
        labels = schema_labels(session)
        targets = documents_to_suggest(session, for_annotator, docs)
    languages = sorted({lang for _, lang in targets})
    folders = {lang: path for lang, path in pipeline_folders(folder, languages).items() if lang in languages}
    if not folders:
        raise UserError(f"--model {folder}: no pipeline for the documents' language ({', '.join(languages)}); "
                        f"train one for it (annotator train --lang {languages[0]})")
    models = {lang: ModelSuggester(path, lang, labels) for lang, path in folders.items()}
    skipped = Counter(lang for _, lang in targets if lang not in models)
    summary = _suggest(project, model_name(folder, folders), [t for t in targets if t[1] in models],
                       models.__getitem__, progress)
    summary.skipped = dict(skipped)
    return summary


def documents_to_suggest(session: Session, for_annotator: str | None, docs: str | None) -> list[tuple[int, str]]:
    """(id, lang) of the documents: every one (`all`, the default without --for), or the queue of
    `for_annotator` (`queue`, the default with it): their assigned documents not done or skipped."""
    docs = docs or ("queue" if for_annotator else "all")
    if docs not in DOCS:
        raise UserError(f"--docs {docs!r}: use one of {', '.join(DOCS)}")
    if docs == "all":
        found = session.execute(select(Document.id, Document.lang).order_by(Document.id)).all()
        if not found:
            raise UserError("the project has no documents; import some first (`annotator import PROJECT FILES`)")
        return [tuple(row) for row in found]
    if not for_annotator:
        raise UserError("--docs queue needs --for NAME (whose queue)")
    person = session.scalar(select(Annotator.id).where(Annotator.name == for_annotator))
    if person is None:
        raise UserError(f"--for: no annotator named {for_annotator!r} in this project; "
                        f"known: {', '.join(session.scalars(select(Annotator.name))) or 'none'}")
    finished = select(DocumentStatus.document_id).where(DocumentStatus.annotator_id == person,
                                                        DocumentStatus.status.in_(_FINISHED))
    found = session.execute(select(Document.id, Document.lang).join(Assignment, Assignment.document_id == Document.id)
                            .where(Assignment.annotator_id == person, Document.id.not_in(finished))
                            .order_by(Assignment.position)).all()
    if not found:
        raise UserError(f"{for_annotator}'s queue is empty (nothing assigned and unfinished); "
                        "assign documents first, or give --docs all")
    return [tuple(row) for row in found]


def schema_labels(session: Session) -> list[str]:
    return list(session.scalars(select(Label.name).order_by(Label.position, Label.id)))


def _suggest(project: Project, source: str, targets: list[tuple[int, str]], suggester_for,
             progress) -> SuggestSummary:
    found = propose_all(project, targets, suggester_for, progress)
    with project.transaction() as session:
        return _store(session, source, found)


def propose_all(project: Project, targets: list[tuple[int, str]], suggester_for, progress=None) -> dict:
    """document id -> (length, proposals, link proposals), read and matched _BATCH documents at a time;
    `suggester_for(lang)` gives the suggester of a language."""
    from spacy.pipeline import Sentencizer

    from annotator.text import rebuild_doc

    sentencizer = Sentencizer()
    with project.read() as session:
        relations = {name: (tuple(heads), tuple(children)) for name, heads, children in session.execute(
            select(RelationLabel.name, RelationLabel.head_labels, RelationLabel.child_labels))}
    found: dict[int, tuple[int, list[Proposal], list[LinkProposal]]] = {}
    for first in range(0, len(targets), _BATCH):
        batch = targets[first:first + _BATCH]
        with project.read() as session:
            rows = queries.document_texts(session, [doc_id for doc_id, _ in batch])
        by_lang: dict[str, list] = {}
        for doc_id, lang, text, blob in rows[["id", "lang", "text", "tokens"]].itertuples(index=False):
            by_lang.setdefault(lang, []).append((doc_id, text, blob))
        for lang, items in by_lang.items():
            suggester = suggester_for(lang)
            docs = [rebuild_doc(text, unpack_tokens(blob), suggester.vocab) for _, text, blob in items]
            for (doc_id, text, _), (doc, proposals) in zip(items, suggester.run(docs)):
                found[doc_id] = (len(text), proposals, propose_links(doc, proposals, relations, sentencizer))
        if progress is not None:
            progress(min(first + _BATCH, len(targets)), len(targets))
    return found


def _store(session: Session, source: str, found: dict) -> SuggestSummary:
    """Replace the source's suggestions on these documents: one Change (kept spans keep their ids,
    and so the decisions people made on them; spans no longer suggested go with their links and
    decisions)."""
    build = ChangeBuilder(session)
    source_id = _source_id(build, source)
    label_ids = dict(session.execute(select(Label.name, Label.id)).all())
    relation_ids = dict(session.execute(select(RelationLabel.name, RelationLabel.id)).all())
    spans, relations, decisions = TABLES["spans"], TABLES["relations"], TABLES["suggestion_decisions"]
    ids = sorted(found)
    build.touch(*ids)
    existing = {}
    for chunk in _chunks(ids):
        for row in session.execute(select(spans).where(spans.c.annotator_id == source_id,
                                                       spans.c.document_id.in_(chunk))).mappings():
            existing[(row["document_id"], row["label_id"], row["start"], row["end"])] = frozen(row)
    wanted = {(doc, label_ids[p.label], p.start, p.end): (p.score, length)
              for doc, (length, proposals, _) in found.items() for p in proposals}
    gone = [row for key, row in existing.items() if key not in wanted]
    for chunk in _chunks([row["id"] for row in existing.values()]):  # the source's links are made anew
        for row in session.execute(select(relations).where(relations.c.annotator_id == source_id,
                                                           relations.c.head_id.in_(chunk))).mappings():
            build.delete("relations", frozen(row))
    for chunk in _chunks([row["id"] for row in gone]):
        for row in session.execute(select(relations).where(
                or_(relations.c.head_id.in_(chunk), relations.c.child_id.in_(chunk)))).mappings():
            build.delete("relations", frozen(row))
        for row in session.execute(select(decisions).where(decisions.c.suggestion_id.in_(chunk))).mappings():
            build.delete("suggestion_decisions", frozen(row))
    for row in gone:
        build.delete("spans", row)
    now = utcnow()
    span_ids = {}
    new = 0
    for key, (score, length) in wanted.items():
        if key in existing:
            span_ids[key] = existing[key]["id"]
            if existing[key]["score"] != score:
                build.update("spans", existing[key], score=score)
            continue
        doc, label, start, end = key
        span_ids[key] = build.insert("spans", {
            "document_id": doc, "doc_length": length, "annotator_id": source_id, "label_id": label, "start": start,
            "end": end, "origin": "suggested", "score": score, "reviewer_id": None, "created_at": now,
            "updated_at": now})
        new += 1
    links = 0
    for doc, (_, proposals, proposed_links) in found.items():
        for link in proposed_links:
            head, child = proposals[link.head], proposals[link.child]
            build.insert("relations", {
                "head_id": span_ids[(doc, label_ids[head.label], head.start, head.end)],
                "child_id": span_ids[(doc, label_ids[child.label], child.start, child.end)],
                "label_id": relation_ids[link.relation], "annotator_id": source_id, "reviewer_id": None,
                "created_at": now})
            links += 1
    build.apply(f"suggestions of {source}")
    done = set(get_setting(session, SUGGESTED_SETTING + source, [])) | set(ids)
    set_setting(session, SUGGESTED_SETTING + source, sorted(done))
    counts = Counter(label for _, label, _, _ in wanted)
    return SuggestSummary(source, len(ids), {name: counts[label_ids[name]] for name in schema_labels(session)}, new,
                          len(wanted) - new, len(gone), links)


def _source_id(build: ChangeBuilder, name: str) -> int:
    """The source's annotators row (role model), made on first use; a person's name is refused."""
    found = build.session.execute(select(Annotator.id, Annotator.role).where(Annotator.name == name)).first()
    if found is not None:
        if found.role != MODEL:
            raise UserError(f"{name!r} is a {found.role} of this project, not a suggestion source; "
                            "rename the model folder (its name becomes model:NAME)")
        return found.id
    return build.insert("annotators", {"name": name, "role": MODEL, "created_at": utcnow(), "removed_at": None})


def _chunks(values: list, size: int = 500):
    for i in range(0, len(values), size):
        yield values[i:i + size]
