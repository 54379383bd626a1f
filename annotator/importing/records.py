"""Records: what every reader yields, and the way to the reader of a format.

Each reader yields records lazily (memory stays flat in the number of records) and raises
BadRecord with the line number and the reason at the first bad one; the import turns that into
`file:line: reason`. Readers load only for their format (pandas only for CSV).
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

FORMATS = ("txt", "jsonl", "csv", "prodigy", "doccano")


_NOT_REGULAR = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISDIR, "a folder"), (stat.S_ISSOCK, "a socket"),
                (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


class BadRecord(Exception):
    def __init__(self, line: int | None, reason: str, file: Path | None = None) -> None:
        super().__init__(reason)
        self.line, self.reason, self.file = line, reason, file


@dataclass
class Record:
    line: int
    text: str
    name: str
    meta: dict = field(default_factory=dict)
    lang: str | None = None
    annotator: str | None = None  # set when the record carries an annotator's work
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    relations: list[tuple[int, int, str]] = field(default_factory=list)  # (head span index, child span index, label)
    status: str = "done"  # the annotator's status of the document (an accepted record is finished work)
    file: Path | None = None  # the file `line` is in, when it is not the imported path (a folder's table)


Progress = Callable[[int], None]  # called with the number of bytes read so far


def open_regular(path: Path) -> BinaryIO:
    """Open a regular file for reading, or raise BadRecord saying why not.

    A named pipe would block the import forever and a device would never end, so only regular
    files are read. The file is opened without blocking and checked on its descriptor, so
    nothing can be swapped in between the check and the read."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        if os.path.islink(path):
            raise BadRecord(None, f"a broken symbolic link (to {os.readlink(path)}); fix or remove it", path) from None
        raise BadRecord(None, "no such file; check the path", path) from None
    except PermissionError:
        raise BadRecord(None, "cannot read the file (permission denied); make it readable "
                              "(chmod u+r) or leave it out", path) from None
    except OSError as exc:
        raise BadRecord(None, f"cannot open the file ({exc.strerror}); check the path", path) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = next((name for test, name in _NOT_REGULAR if test(mode)), "not a plain file")
        raise BadRecord(None, f"not a regular file ({kind}): only regular files are read; "
                              "copy its content into a file or remove it", path)
    return os.fdopen(fd, "rb")



def read_all(path: Path) -> bytes:
    with open_regular(path) as handle:
        try:
            return handle.read()
        except OSError as exc:
            raise BadRecord(None, f"cannot read the file ({exc.strerror}); check the disk or the copy", path) from None



def detect_format(path: Path) -> str:
    """Choose the format from the extension and, for JSONL, the first record's keys.

    A folder is a CSV export when it holds documents.csv, else a folder of .txt files.
    """
    if path.is_dir():
        return "csv" if (path / "documents.csv").is_file() else "txt"
    if path.suffix.lower() == ".txt":
        return "txt"
    if path.suffix.lower() == ".csv":
        return "csv"
    if path.suffix.lower() in (".jsonl", ".json", ".ndjson"):
        with open_regular(path) as handle:
            for line in handle:
                if line.strip():
                    try:
                        first = json.loads(line)
                    except (ValueError, RecursionError):
                        return "jsonl"  # the JSONL reader reports the bad line
                    if isinstance(first, dict):
                        if "answer" in first or "_input_hash" in first or "spans" in first:
                            return "prodigy"
                        if "label" in first or "entities" in first:
                            return "doccano"
                    return "jsonl"
        return "jsonl"
    raise BadRecord(None, f"cannot tell the format from the extension {path.suffix!r}; pass --format", path)



def records(path: Path, fmt: str, progress: Progress, annotator: str | None, text_column: str) -> Iterator[Record]:
    """The records of a path in a format (FORMATS); each reader's module loads only when used."""
    if not path.is_dir():
        open_regular(path).close()  # a pipe, a device or an unreadable file: refused before any reader looks
    if fmt == "txt":
        from annotator.importing.text_files import read_txt

        return read_txt(path, progress)
    if path.is_dir():
        if fmt == "csv":
            from annotator.importing.csv_folder import read_csv_folder

            return read_csv_folder(path, progress, annotator)
        raise BadRecord(None, f"a folder can only be imported as txt, or as csv when a CSV export wrote it, "
                              f"not as {fmt}", path)
    if fmt == "csv":
        from annotator.importing.csv_articles import read_csv

        return read_csv(path, progress, text_column)
    from annotator.importing import json_formats

    if fmt == "jsonl":
        return json_formats.read_jsonl(path, progress)
    if fmt == "prodigy":
        return json_formats.read_prodigy(path, progress, annotator)
    if fmt == "doccano":
        return json_formats.read_doccano(path, progress, annotator)
    raise BadRecord(None, f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", path)
