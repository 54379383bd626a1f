"""What a bundle is: a project file whose settings hold a bundle record, and opening one to merge.

The record names the project (its id), the annotator, when and from where it was made, and the
fingerprint of the annotator's work on each document at that moment (keyed by the text's
sha256), from which a merge tells what changed on each side since.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import DatabaseError

from annotator.errors import UserError
from annotator.settings import BUNDLE, get_setting
from annotator.store import Project, open_project

_MAKE_ONE = "make one with `annotator bundle out PROJECT --annotator NAME --out FILE`"


@dataclass(frozen=True)
class BundleRecord:
    id: str  # this bundle's own id (a uuid hex): the project remembers what it merged from it
    project_id: str
    annotator: str
    made_at: str  # ISO 8601, UTC
    source: str  # where the project was (a path, or a URL without its password)
    fingerprints: dict[str, str]  # document sha256 -> fingerprint of the annotator's work then

    def as_setting(self) -> dict:
        return {"id": self.id, "project_id": self.project_id, "annotator": self.annotator, "made_at": self.made_at,
                "source": self.source, "fingerprints": self.fingerprints}

    @classmethod
    def from_setting(cls, value, where: Path) -> BundleRecord:
        try:
            record = cls(**{name: value[name] for name in cls.__dataclass_fields__})
        except (TypeError, KeyError):
            raise UserError(f"{where}: the bundle's record is damaged (missing or wrong fields); {_MAKE_ONE}") from None
        if not (isinstance(record.fingerprints, dict) and isinstance(record.annotator, str)):
            raise UserError(f"{where}: the bundle's record is damaged (wrong fields); {_MAKE_ONE}")
        return record


def check_complete(path: Path) -> None:
    """Refuse a file shorter than its own header says (cut off while copied or downloaded):
    SQLite would read what is there and miss the rest without a word."""
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise UserError(f"{path}: cannot read the bundle ({exc.strerror}) — check the path and its "
                        "permissions") from None
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return  # opening it says what it is instead
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    header_valid = pages > 0 and header[24:28] == header[92:96]  # SQLite's own rule for trusting the count
    size = path.stat().st_size
    if header_valid and size < page_size * pages:
        raise UserError(f"{path}: the bundle is truncated ({size} of {page_size * pages} bytes) — "
                        "copy the whole file again from the annotator's machine")


def open_bundle(path: str | Path) -> tuple[Project, BundleRecord]:
    """The bundle, opened, and its record. Refuses anything that is not a complete bundle of a
    schema this version knows (a newer one is left untouched)."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no bundle file there; {_MAKE_ONE}")
    check_complete(path)
    bundle = open_project(path)
    try:
        with reading(path), bundle.read() as session:
            value = get_setting(session, BUNDLE)
        if value is None:
            raise UserError(f"{path}: a project file, not a bundle (it holds no bundle record); {_MAKE_ONE}")
        return bundle, BundleRecord.from_setting(value, path)
    except BaseException:
        bundle.close()
        raise


@contextmanager
def reading(path: Path) -> Iterator[None]:
    """A bundle that turns out damaged while read is one line, never a traceback."""
    try:
        yield
    except (DatabaseError, sqlite3.DatabaseError) as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise UserError(f"{path}: the bundle is damaged ({reason}) — copy the whole file again "
                        "from the annotator's machine") from None
