"""Stream a selection's documents as Payloads, a batch of texts at a time (memory stays flat)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pandas as pd

from annotator import queries
from annotator.errors import UserError
from annotator.store import Project
from exports.prepare import Payload
from exports.selection import Selection

BATCH = 256


class ExportCancelled(UserError):
    """The caller asked to stop; nothing was written."""


class DocumentReader:
    """Reads a selection's documents; its span and link lookups are built once, then sliced per document."""

    def __init__(self, project: Project, selection: Selection) -> None:
        self.project, self.selection = project, selection
        self.spans = _by_document(selection.spans)
        self.links = _by_document(selection.relations)

    def payloads(self, document_ids: Sequence[int] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> Iterator[Payload]:
        """The documents (all of the selection's, or the given ids), in id order."""
        ids = self.selection.documents["id"].tolist() if document_ids is None else sorted(document_ids)
        for offset in range(0, len(ids), BATCH):
            if cancelled and cancelled():
                raise ExportCancelled("export cancelled; nothing was written")
            with self.project.read() as session:
                rows = queries.document_texts(session, ids[offset:offset + BATCH])
            for row in rows.itertuples(index=False):
                yield Payload(
                    id=row.id, name=row.name, lang=row.lang, meta=row.meta or {}, text=row.text, tokens=row.tokens,
                    spans=[(s, e, label) for s, e, label in self.spans(row.id)],
                    links=[((hs, he, hl), (cs, ce, cl), label) for hs, he, hl, cs, ce, cl, label in self.links(row.id)],
                )


def _by_document(frame: pd.DataFrame) -> Callable[[int], list[tuple]]:
    """A lookup document id -> its rows as tuples (all columns but document_id), by sorted slices."""
    frame = frame.sort_values("document_id", kind="stable")
    doc_ids = frame["document_id"].to_numpy()
    columns = [c for c in frame.columns if c != "document_id"]
    values = [frame[c].tolist() for c in columns]

    def rows(document_id: int) -> list[tuple]:
        lo, hi = np.searchsorted(doc_ids, [document_id, document_id + 1])
        return list(zip(*(column[lo:hi] for column in values)))

    return rows
