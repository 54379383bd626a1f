"""What an export holds: the source's documents, spans and links, read through annotator.queries.

Sources:
- an annotator's name: that annotator's spans and links;
- `gold`: the spans and links of the annotator row whose role is "gold" (the adjudicated set);
- `majority`: a span is kept when more than half of the annotators who finished the document
  marked the same start, end and label; a link when more than half of them drew it between
  two such spans with the same label.
Without a source, the default is gold once a gold document is marked done, else majority
(`default_source`; the window's chooser lists it first).
By default only the documents the source finished are exported (for `majority`: the documents
at least one annotator finished); `all_documents` exports every document.
Spans are keyed by (document_id, start, end, label), so the three sources share one shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from annotator import queries
from annotator.errors import UserError
from annotator.schema import project_schema

SPECIAL_SOURCES = ("gold", "majority")
SPAN_KEY = ["document_id", "start", "end", "label"]


@dataclass
class Selection:
    source: str  # as asked: an annotator's name, "gold" or "majority"
    writer: str  # the name written as the annotator of the exported annotations
    documents: pd.DataFrame  # id, name, lang, length
    spans: pd.DataFrame  # document_id, start, end, label (unique rows)
    relations: pd.DataFrame  # document_id, head_start, head_end, head_label, child_start, child_end, child_label, label
    labels: list[str]  # the exported labels, in schema order
    ner_labels: list[str]  # of those, the ones the schema marks for doc.ents
    dropped_links: int  # links left out because one end's label is not exported


def select_export(
    session: Session,
    source: str | None,
    labels: Sequence[str] | None = None,
    all_documents: bool = False,
) -> Selection:
    source = default_source(session) if source is None else source
    schema = project_schema(session)
    labels = _check_labels(schema, labels)
    ner_labels = [label.name for label in schema.labels if label.ner and label.name in labels]
    documents = queries.documents(session)
    statuses = queries.statuses(session)
    done = statuses[statuses["status"] == "done"]
    if source == "majority":
        writer = "majority"
        gold = queries.annotators(session).query("role == 'gold'")["name"]
        spans, relations, finished = _majority(session, done[~done["annotator"].isin(gold)])  # people only
    else:
        writer = _gold_annotator(session) if source == "gold" else _annotator(session, source)
        spans, relations = queries.annotator_work(session, writer)
        relations = _relation_ends(spans, relations)
        spans = spans[SPAN_KEY].drop_duplicates()
        finished = set(done.loc[done["annotator"] == writer, "document_id"])
    if not all_documents:
        documents = documents[documents["id"].isin(finished)]
    ids = set(documents["id"])
    spans = spans[spans["document_id"].isin(ids) & spans["label"].isin(labels)]
    relations = relations[relations["document_id"].isin(ids)]
    kept = relations["head_label"].isin(labels) & relations["child_label"].isin(labels)
    if documents.empty:
        raise UserError(_nothing_to_export(source, all_documents, statuses.empty))
    return Selection(
        source=source,
        writer=writer,
        documents=documents[["id", "name", "lang", "length"]].reset_index(drop=True),
        spans=spans.sort_values(SPAN_KEY).reset_index(drop=True),
        relations=relations.loc[kept, _RELATION_COLUMNS].reset_index(drop=True),
        labels=labels,
        ner_labels=ner_labels,
        dropped_links=int((~kept).sum()),
    )


_RELATION_COLUMNS = ["document_id", "head_start", "head_end", "head_label",
                     "child_start", "child_end", "child_label", "label"]


def available_sources(session: Session) -> list[str]:
    """What --source accepts in this project, for a chooser: the default first, then the other of gold (once
    there is one) and majority, then each annotator who worked on a document (not a reviewer's own row)."""
    annotators = queries.annotators(session)
    worked = set(queries.statuses(session)["annotator"])
    named = [name for name, role in annotators.itertuples(index=False) if role != "gold" and name in worked]
    special = (["gold"] if (annotators["role"] == "gold").any() else []) + ["majority"]
    first = default_source(session)
    return [first] + [name for name in special if name != first] + named


def default_source(session: Session) -> str:
    """gold once a reviewer marked a gold document done (exporting gold exports only those), else majority."""
    annotators = queries.annotators(session)
    gold = set(annotators.loc[annotators["role"] == "gold", "name"])
    statuses = queries.statuses(session)
    done = statuses["annotator"].isin(gold) & (statuses["status"] == "done")
    return "gold" if done.any() else "majority"


def _check_labels(schema, labels: Sequence[str] | None) -> list[str]:
    known = [label.name for label in schema.labels]
    if not labels:
        return known
    unknown = [label for label in labels if label not in known]
    if unknown:
        raise UserError(f"--labels: unknown label {unknown[0]!r}; the schema has {', '.join(known)}")
    return [label for label in known if label in labels]


def _annotator(session: Session, name: str) -> str:
    names = queries.annotators(session)["name"].tolist()
    if name not in names:
        choices = ", ".join(names + list(SPECIAL_SOURCES))
        raise UserError(f"--source: no annotator named {name!r} in this project; use one of {choices}")
    return name


def _gold_annotator(session: Session) -> str:
    annotators = queries.annotators(session)
    gold = annotators.loc[annotators["role"] == "gold", "name"].tolist()
    if not gold:
        raise UserError("--source gold: the project has no gold set yet; make one with `annotator adjudicate` "
                        "or the review window, or export --source majority or NAME")
    return gold[0]


def _relation_ends(spans: pd.DataFrame, relations: pd.DataFrame) -> pd.DataFrame:
    """Relations with each end given as (start, end, label) of its span, instead of a span id."""
    ends = spans.set_index("id")[["start", "end", "label"]]
    merged = relations.join(ends.add_prefix("head_"), on="head_id", how="inner")
    return merged.join(ends.add_prefix("child_"), on="child_id", how="inner")


def _majority(session: Session, done: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, set[int]]:
    finishers = done[["document_id", "annotator"]]
    needed = finishers.groupby("document_id").size().rename("finishers")
    spans = queries.spans(session, document_ids=needed.index.tolist())
    spans = spans.merge(finishers, on=["document_id", "annotator"])  # only finishers' work counts
    relations = _relation_ends(spans, queries.relations(session, document_ids=needed.index.tolist()))
    relations = relations.merge(finishers, on=["document_id", "annotator"])
    kept_spans = _more_than_half(spans, SPAN_KEY, needed)
    kept_relations = _more_than_half(relations, _RELATION_COLUMNS, needed)
    for end in ("head", "child"):
        key = kept_spans.rename(columns={c: f"{end}_{c}" for c in ("start", "end", "label")})
        kept_relations = kept_relations.merge(key, on=["document_id", f"{end}_start", f"{end}_end", f"{end}_label"])
    return kept_spans, kept_relations, set(needed.index)


def _more_than_half(frame: pd.DataFrame, key: list[str], needed: pd.Series) -> pd.DataFrame:
    votes = frame.groupby(key)["annotator"].nunique().rename("votes").reset_index()
    votes = votes.join(needed, on="document_id")
    return votes.loc[votes["votes"] * 2 > votes["finishers"], key].reset_index(drop=True)


def _nothing_to_export(source: str, all_documents: bool, no_statuses: bool) -> str:
    if all_documents:
        return "nothing to export: the project has no documents; import some with `annotator import`"
    who = "no annotator has" if source == "majority" else f"{source} has"
    return f"nothing to export: {who} finished any document yet; finish some, or pass --all to export unfinished ones"
