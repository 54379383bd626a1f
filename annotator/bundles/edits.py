"""Which documents of a bundle were written since it was made, kept by the bundle file itself.

A merge needs the fingerprint of the bundle's work on every document; on one left alone offline
it is the fingerprint taken when the bundle was made, and hashing its spans again cost about as
much as copying them out. So the bundle gets triggers, installed once its rows are in: every
insert, update or delete of a span, link or status names its document in `bundle_edits`, and any
change to labels, relation labels, annotators or documents (names and offsets the fingerprint is
made of) names document 0, "all of them". Whatever writes the file — the window, the CLI, a
SQLite shell — fires them. When a trigger is missing (a migration rebuilt a table, someone
dropped one) the merge fingerprints every document, as without them.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

EVERY_DOCUMENT = 0
_TABLE = "bundle_edits"
_EVENTS = ("INSERT", "UPDATE", "DELETE")


def _rows_documents(row: str) -> dict[str, str]:
    """table -> the SELECT naming the documents a row (NEW or OLD) of it touches."""
    return {
        "spans": f"SELECT {row}.document_id",
        "document_status": f"SELECT {row}.document_id",
        # a link counts on its ends' documents (a deleted end was recorded when it went)
        "relations": f"SELECT document_id FROM spans WHERE id IN ({row}.head_id, {row}.child_id)",
        **{table: f"SELECT {EVERY_DOCUMENT}" for table in ("labels", "relation_labels", "annotators", "documents")},
    }


def _triggers() -> dict[str, str]:
    """trigger name -> its CREATE statement."""
    found = {}
    for table in _rows_documents("NEW"):
        for event in _EVENTS:
            rows = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}[event]
            inserts = " ".join(f"INSERT OR IGNORE INTO {_TABLE} (document_id) {_rows_documents(row)[table]};"
                               for row in rows)
            name = f"{_TABLE}_{table}_{event.lower()}"
            found[name] = f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN {inserts} END"
    return found


def install(session: Session) -> None:
    """Start recording, in the bundle's open transaction (its rows are all in: none is recorded)."""
    session.connection().exec_driver_sql(f"CREATE TABLE {_TABLE} (document_id INTEGER PRIMARY KEY)")
    for statement in _triggers().values():
        session.connection().exec_driver_sql(statement)


def edited(session: Session) -> set[int] | None:
    """The bundle's documents written since it was made; None when that is unknown (a bundle made
    before the triggers, a trigger gone) or every document may have changed."""
    connection = session.connection()
    present = {name for (name,) in connection.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    if not _triggers().keys() <= present:
        return None
    documents = {document_id for (document_id,) in connection.exec_driver_sql(f"SELECT document_id FROM {_TABLE}")}
    return None if EVERY_DOCUMENT in documents else documents
