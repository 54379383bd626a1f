"""A document's text and tokens as a key press needs them, kept by the process once read.

Documents never change once imported (nothing updates or deletes one), so marking a span in a
100,000-character article need not fetch the article and its tokens again on every key press:
the store is asked for the document's length, fingerprint (sha256) and creation time, and
sends text and tokens only when the fingerprint is not the one kept — in the same one query.
Kept per database and document, for the few documents a person works on at once.
"""

from __future__ import annotations

from sqlalchemy import String, bindparam, case, null, select
from sqlalchemy.orm import Session

from annotator.errors import UserError
from annotator.model import Document

_KEEP = 8  # documents kept (the oldest read goes first)

_documents = Document.__table__
_unless_known = _documents.c.sha256 == bindparam("known", type_=String)
_READ = select(_documents.c.length, _documents.c.sha256, _documents.c.created_at,
               case((_unless_known, null()), else_=_documents.c.text),
               case((_unless_known, null()), else_=_documents.c.tokens)).where(_documents.c.id == bindparam("id"))

# (database, id) -> (sha256, created_at, text, tokens); created_at tells this document from one
# with the same id and text in another project made at the same path or URL since (whose tokens
# may come from another tokenizer).
_kept: dict[tuple[str, int], tuple] = {}


def document_text(session: Session, document_id: int):
    """(length, text, tokens) of a document; UserError when there is no such document."""
    from annotator.tokens import unpack_tokens  # numpy loads here: assigning documents needs none

    key = (session.get_bind().url.render_as_string(hide_password=True), document_id)
    kept = _kept.get(key)
    found = session.execute(_READ, {"id": document_id, "known": kept[0] if kept else None}).first()
    if found is None:
        raise UserError(f"document {document_id} does not exist; pick a document from the list")
    length, sha256, created_at, text, blob = found
    if kept is not None and kept[:2] == (sha256, created_at):
        return length, kept[2], kept[3]
    if text is None:  # the same text, but not the document kept: read it whole
        found = session.execute(_READ, {"id": document_id, "known": None}).first()
        length, sha256, created_at, text, blob = found
    tokens = unpack_tokens(blob)
    _kept.pop(key, None)
    while len(_kept) >= _KEEP:
        del _kept[next(iter(_kept))]
    _kept[key] = (sha256, created_at, text, tokens)
    return length, text, tokens
