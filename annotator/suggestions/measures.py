"""How good suggestions are, and what people did with them.

rules_check: a rule file's precision and recall per label against a reference — an annotator
(on the documents they finished) or `majority` (a span more than half of a document's finishers
marked alike, on documents someone finished) — exact (same start, end, label) and overlap (a
one-to-one matching of same-label spans sharing a character, as the agreement report's span F1).
decision_counts: per person, how many suggestions they accepted, changed or rejected.
document_uncertainty: per document, how sure the models' scored suggestions are (for the queue).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator import queries
from annotator.agreement.measures import overlap_matching
from annotator.errors import UserError
from annotator.model import DECISIONS, MODEL, Annotator, Span, SuggestionDecision
from annotator.store import Project

MAJORITY = "majority"


def rules_check(project: Project, patterns: Path, against: list[str]) -> dict:
    """{"documents": {reference: n}, "labels": {reference: {label: {precision_exact, recall_exact,
    precision_overlap, recall_overlap, suggested, reference}}}}."""
    from annotator.suggestions.patterns import RuleMatcher, read_patterns
    from annotator.suggestions.suggest import propose_all, schema_labels

    with project.read() as session:
        labels = schema_labels(session)
        references = {name: _reference(session, name) for name in against}
        langs = dict(queries.documents(session)[["id", "lang"]].itertuples(index=False))
    rules = read_patterns(patterns, labels)
    wanted = sorted({doc for _, docs in references.values() for doc in docs})
    matchers: dict = {}
    found = propose_all(project, [(doc, langs[doc]) for doc in wanted],
                        lambda lang: matchers.setdefault(lang, RuleMatcher(rules, lang)))
    proposed = pd.DataFrame([(doc, p.label, p.start, p.end) for doc, (_, proposals, _) in found.items()
                             for p in proposals], columns=["document_id", "label", "start", "end"])
    out = {"documents": {}, "labels": {}}
    for name, (spans, docs) in references.items():
        mine = proposed[proposed["document_id"].isin(docs)]
        out["documents"][name] = len(docs)
        out["labels"][name] = {label: _precision_recall(mine[mine["label"] == label], spans[spans["label"] == label])
                               for label in labels}
    return out


def _reference(session: Session, name: str) -> tuple[pd.DataFrame, set[int]]:
    """(document_id, label, start, end) of the reference, and the documents it covers."""
    statuses = queries.statuses(session)
    roles = dict(queries.annotators(session).itertuples(index=False))
    done = statuses[(statuses["status"] == "done") & statuses["annotator"].map(roles).isin(["annotator", "reviewer", "lead"])]
    if name == MAJORITY:
        spans = queries.spans(session, document_ids=sorted(set(done["document_id"])))
        spans = spans.merge(done[["document_id", "annotator"]], on=["document_id", "annotator"])
        finishers = done.groupby("document_id").size()
        votes = spans.groupby(["document_id", "label", "start", "end"]).size().rename("votes").reset_index()
        kept = votes[votes["votes"] * 2 > votes["document_id"].map(finishers)]
        return kept[["document_id", "label", "start", "end"]], set(done["document_id"])
    if roles.get(name) is None:
        raise UserError(f"--against: no annotator named {name!r} in this project; known: {', '.join(roles)}, majority")
    docs = set(statuses.loc[(statuses["annotator"] == name) & (statuses["status"] == "done"), "document_id"])
    spans = queries.spans(session, document_ids=sorted(docs), annotators=[name])
    return spans[["document_id", "label", "start", "end"]], docs


def _precision_recall(proposed: pd.DataFrame, reference: pd.DataFrame) -> dict:
    exact = len(proposed.merge(reference, on=["document_id", "label", "start", "end"]))
    shift = 1 << 32  # documents laid end to end: a span never overlaps another document's
    a = proposed.sort_values(["document_id", "start", "end"])
    partner = overlap_matching(a["document_id"] * shift + a["start"], a["document_id"] * shift + a["end"],
                               reference["document_id"] * shift + reference["start"],
                               reference["document_id"] * shift + reference["end"])
    overlap = int((partner >= 0).sum())

    def ratio(n: int, total: int) -> float | None:
        return n / total if total else None

    return {"precision_exact": ratio(exact, len(proposed)), "recall_exact": ratio(exact, len(reference)),
            "precision_overlap": ratio(overlap, len(proposed)), "recall_overlap": ratio(overlap, len(reference)),
            "suggested": len(proposed), "reference": len(reference)}


def decision_counts(session: Session, annotators: list[str]) -> dict[str, dict[str, int]]:
    """name -> {accepted, changed, rejected}: what each named person did with suggestions."""
    counts = {name: dict.fromkeys(DECISIONS, 0) for name in annotators}
    for name, decision, count in session.execute(
            select(Annotator.name, SuggestionDecision.decision, func.count())
            .join(Annotator, Annotator.id == SuggestionDecision.annotator_id)
            .where(Annotator.name.in_(annotators))
            .group_by(Annotator.name, SuggestionDecision.decision)):
        counts[name][decision] = count
    return counts


def document_uncertainty(session: Session) -> dict[int, float]:
    """document id -> mean |score - 0.5| of its scored suggestions (any source); 0 is least certain.
    Documents without a scored suggestion are absent."""
    sources = select(Annotator.id).where(Annotator.role == MODEL)
    return {doc: float(value) for doc, value in session.execute(
        select(Span.document_id, func.avg(func.abs(Span.score - 0.5)))
        .where(Span.annotator_id.in_(sources), Span.score.is_not(None)).group_by(Span.document_id))}
