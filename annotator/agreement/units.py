"""What the agreement report measures, read from a project as arrays.

All selected documents are laid end to end on one character axis (each
document's offsets shifted by the lengths of the documents before it, in import
order), so one searchsorted/bincount over all documents replaces a loop over
documents.  Spans are half-open, so spans of neighbouring documents never
overlap on that axis, and equal global offsets mean the same document.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import chain

import numpy as np
import pandas as pd
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from annotator import queries
from annotator.errors import UserError
from annotator.model import GOLD, MODEL, Annotator, Document, Label, Span
from annotator.tokens import unpack_tokens

_CHUNK = 500  # ids per IN (...) query
_HIGH = 1 << 32  # start * _HIGH + end packs a span's offsets in one integer


@dataclass
class Units:
    """The coding units and spans of the documents in the report (see DOCUMENT_RULES)."""

    annotators: list[str]
    labels: list[str]
    documents: pd.DataFrame     # id, name, length, offset (on the joint axis), in import order
    finished: np.ndarray        # (documents, annotators) bool: status done
    unit_document: np.ndarray   # (units,) index into documents of each non-space token
    coded: np.ndarray           # (annotators, labels, units) bool: token overlaps a span
    spans: pd.DataFrame         # document (index), annotator (index), label (index), start, end (joint axis)


def select_annotators(session: Session, wanted: list[str] | None) -> list[str]:
    """Default: everyone (gold and suggestion sources excepted) who finished a document, in order of
    first appearance; a source named explicitly (`rules`, `model:v1`) is compared like a person."""
    everyone = queries.annotators(session)
    if wanted is not None:
        wanted = list(dict.fromkeys(wanted))
        unknown = [name for name in wanted if name not in set(everyone["name"])]
        if unknown:
            raise UserError(f"--annotators: no annotator named {', '.join(map(repr, unknown))} in this project; "
                            f"known: {', '.join(everyone['name']) or 'none'}")
        return wanted
    status = queries.statuses(session)
    done = set(status.loc[status["status"] == "done", "annotator"])
    return [name for name, role in everyone.itertuples(index=False) if name in done and role != GOLD]


def select_labels(session: Session, wanted: list[str] | None) -> list[str]:
    """Default: every label of the schema, in schema order."""
    known = list(session.execute(select(Label.name).order_by(Label.position, Label.id)).scalars())
    if wanted is None:
        return known
    wanted = list(dict.fromkeys(wanted))
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise UserError(f"--labels: no label named {', '.join(map(repr, unknown))} in this project; "
                        f"known: {', '.join(known)}")
    return wanted


# Which documents a report covers: those every selected annotator finished (the default: every
# measure then compares the same documents), or those at least two of them finished.
DOCUMENT_RULES = ("all-finished", "any-two")


def load_units(session: Session, annotators: list[str], labels: list[str], documents: str = DOCUMENT_RULES[0]) -> Units:
    docs = queries.documents(session)[["id", "name", "length"]]
    status = queries.statuses(session)
    done = status[(status["status"] == "done") & status["annotator"].isin(annotators)]
    finished = np.zeros((len(docs), len(annotators)), dtype=bool)
    row = pd.Index(docs["id"]).get_indexer(done["document_id"])
    finished[row, pd.Index(annotators).get_indexer(done["annotator"])] = True
    for column, ran_on in _suggestion_sources(session, annotators).items():
        finished[:, column] = docs["id"].isin(ran_on).to_numpy()
    if documents not in DOCUMENT_RULES:
        raise UserError(f"--documents {documents!r}: use one of {', '.join(DOCUMENT_RULES)}")
    keep = finished.all(axis=1) if documents == "all-finished" else finished.sum(axis=1) >= 2
    keep &= len(annotators) >= 2  # one annotator is not a comparison (and all() of none is true)
    docs, finished = docs[keep].reset_index(drop=True), finished[keep]
    lengths = docs["length"].to_numpy(np.int64)
    docs["offset"] = np.cumsum(lengths) - lengths

    starts, ends, unit_document = _non_space_tokens(session, docs)
    spans = _spans(session, docs, annotators, labels)
    coded = _code_tokens(spans, starts, ends, len(annotators), len(labels))
    return Units(annotators, labels, docs, finished, unit_document, coded, spans)


def _suggestion_sources(session: Session, annotators: list[str]) -> dict[int, list[int]]:
    """Column of each named suggestion source -> the documents it ran on: a source marks no status,
    and has "finished" every document it made suggestions for (see annotator.suggestions.suggest)."""
    from annotator.settings import get_setting
    from annotator.suggestions.suggest import SUGGESTED_SETTING

    sources = set(session.scalars(select(Annotator.name).where(Annotator.role == MODEL, Annotator.name.in_(annotators))))
    return {i: get_setting(session, SUGGESTED_SETTING + name, []) for i, name in enumerate(annotators) if name in sources}


def _non_space_tokens(session: Session, docs: pd.DataFrame):
    """Global (start, end) of every non-space token, and its document index."""
    by_id = {}
    ids = docs["id"].tolist()
    for i in range(0, len(ids), _CHUNK):
        rows = session.execute(select(Document.id, Document.text, Document.tokens)
                               .where(Document.id.in_(ids[i:i + _CHUNK])))
        by_id.update((doc_id, (text, blob)) for doc_id, text, blob in rows)
    texts = [by_id[doc_id][0] for doc_id in ids]
    tokens = [unpack_tokens(by_id[doc_id][1]).astype(np.int64) for doc_id in ids]
    counts = np.array([len(t) for t in tokens], dtype=np.int64)
    joint = np.concatenate(tokens) if tokens else np.zeros((0, 2), dtype=np.int64)
    joint = joint + np.repeat(docs["offset"].to_numpy(), counts)[:, None]
    document = np.repeat(np.arange(len(ids)), counts)
    # A token is "space" when every character of it is whitespace: count the
    # non-space characters inside each token with a prefix sum.
    points = np.frombuffer("".join(texts).encode("utf-32-le"), dtype="<u4")
    lookup = _space_lookup()
    space = np.zeros(points.size, dtype=bool)
    small = points < lookup.size
    space[small] = lookup[points[small]]
    solid = np.concatenate([[0], np.cumsum(~space)])
    non_space = solid[joint[:, 1]] > solid[joint[:, 0]]
    return joint[non_space, 0], joint[non_space, 1], document[non_space]


@cache
def _space_lookup() -> np.ndarray:
    """str.isspace for every code point up to U+3000 (the last whitespace character)."""
    return np.array([chr(c).isspace() for c in range(0x3001)], dtype=bool)


def _spans(session: Session, docs: pd.DataFrame, annotators: list[str], labels: list[str]) -> pd.DataFrame:
    """Spans as integer indexes; read as plain integers (a frame of 10^5 ORM rows costs seconds)."""
    ann_ids = dict(session.execute(select(Annotator.name, Annotator.id).where(Annotator.name.in_(annotators))).all())
    lab_ids = dict(session.execute(select(Label.name, Label.id).where(Label.name.in_(labels))).all())
    columns = ["document", "annotator", "label", "start", "end"]
    if not ann_ids or not lab_ids:
        return pd.DataFrame({name: np.zeros(0, dtype=np.int64) for name in columns})
    n_lab, n_kinds = len(labels), len(annotators) * len(labels)
    # Two integers per span, not five: the driver's cost is per value.  Offsets
    # are < 2^31 (tokens are stored as int32), so start * 2^32 + end is exact.
    kind = (case({ann_ids[name]: i for i, name in enumerate(annotators)}, value=Span.annotator_id) * n_lab
            + case({lab_ids[name]: i for i, name in enumerate(labels)}, value=Span.label_id))
    query = (select(Span.document_id * n_kinds + kind, Span.start * _HIGH + Span.end)
             .where(Span.annotator_id.in_(list(ann_ids.values())), Span.label_id.in_(list(lab_ids.values()))))
    rows = queries.fetch_all(session, query)  # the only parameters are integer ids
    flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=2 * len(rows)).reshape(-1, 2)
    document_id, kind = np.divmod(flat[:, 0], n_kinds)
    start, end = np.divmod(flat[:, 1], _HIGH)
    document = pd.Index(docs["id"]).get_indexer(document_id)
    known = document >= 0  # documents not in the report
    document, kind, start, end = document[known], kind[known], start[known], end[known]
    offset = docs["offset"].to_numpy()[document]
    return pd.DataFrame(dict(zip(columns, (document, kind // n_lab, kind % n_lab, start + offset, end + offset))))


def _code_tokens(spans: pd.DataFrame, starts: np.ndarray, ends: np.ndarray, n_ann: int, n_lab: int) -> np.ndarray:
    """coded[a, l, u]: any of a's l-spans overlaps token u (tokens sorted, disjoint).

    Each span covers the token range [first, stop): +1 at first, -1 at stop, and a
    running sum > 0 marks covered tokens (one int array per annotator and label at a time)."""
    n = starts.size
    first = np.searchsorted(ends, spans["start"].to_numpy(), side="right")  # first token ending after start
    stop = np.searchsorted(starts, spans["end"].to_numpy(), side="left")    # first token starting at/after end
    who, label = spans["annotator"].to_numpy(), spans["label"].to_numpy()
    coded = np.zeros((n_ann, n_lab, n), dtype=bool)
    for a in range(n_ann):
        for lab in range(n_lab):
            pick = (who == a) & (label == lab)
            delta = np.bincount(first[pick], minlength=n + 1) - np.bincount(stop[pick], minlength=n + 1)
            coded[a, lab] = np.cumsum(delta[:n]) > 0
    return coded
