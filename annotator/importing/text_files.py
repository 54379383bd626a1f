"""Plain-text articles: one article per .txt file, a file or every *.txt below a folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from annotator.importing.records import BadRecord, Progress, Record, read_all

def read_txt(path: Path, progress: Progress) -> Iterator[Record]:
    """One article per file: a file, or every *.txt below a folder, in name order."""
    # Not only regular files: a pipe, a broken link or an unreadable file named *.txt is refused
    # by name rather than skipped or waited on.
    files = sorted(p for p in path.rglob("*.txt") if not p.is_dir()) if path.is_dir() else [path]
    if not files:
        raise BadRecord(None, "no .txt files in this folder", path)
    done = 0
    for file in files:
        raw = read_all(file)
        done += len(raw)
        text = _decode(raw, file)
        if raw and not text.strip():
            raise BadRecord(1, "the file holds only whitespace; remove it or add the article", file)
        if not raw:
            raise BadRecord(None, "the file is empty; remove it or add the article", file)
        name = str(file.relative_to(path)) if path.is_dir() else file.name
        yield Record(line=1, text=text, name=_storable(name), meta={"source": _storable(file.name)})
        progress(done)



def _storable(file_name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (Python keeps them as lone surrogates,
    which cannot be stored) become U+FFFD. Only the document's name changes, never its text."""
    return os.fsencode(file_name).decode("utf-8", "replace")



def _decode(raw: bytes, file: Path) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BadRecord(line, f"not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                              "re-save the file as UTF-8", file) from None
