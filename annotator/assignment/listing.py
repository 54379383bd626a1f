"""`annotator assign --show`: document -> annotators, keyed by document name.

Names may repeat (two files called `index.txt`); a repeated name is keyed `NAME #ID` for every
document carrying it, and `ids` maps each key to its document id, so no document hides another.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from annotator.assignment.table import holders_of
from annotator.model import Annotator, Document
from annotator.store import Project


def assignment_listing(project: Project) -> dict:
    """{"documents": {key: [annotators]}, "overlap": [keys held by several], "ids": {key: id}};
    documents in import order, unassigned ones with an empty list."""
    with project.read() as session:
        names = dict(session.execute(select(Annotator.id, Annotator.name)).all())
        documents = session.execute(select(Document.id, Document.name).order_by(Document.id)).all()
        held = holders_of(session)
    repeated = Counter(name for _, name in documents)
    listing: dict = {"documents": {}, "overlap": [], "ids": {}}
    for id_, name in documents:
        key = name if repeated[name] == 1 else f"{name} #{id_}"
        holders = [names[a] for a in held.get(id_, [])]
        listing["documents"][key] = holders
        listing["ids"][key] = id_
        if len(holders) > 1:
            listing["overlap"].append(key)
    return listing
