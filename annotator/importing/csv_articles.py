"""A CSV of articles (one row per article, a text column), read with pandas in chunks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from annotator.importing.records import BadRecord, Progress, Record, open_regular

def read_csv(path: Path, progress: Progress, text_column: str) -> Iterator[Record]:
    """CSV of articles through pandas, in chunks; other columns become the document's metadata.

    A table of a CSV export (spans.csv, links.csv, documents.csv) is refused: read as articles,
    spans.csv made one "document" per span text. Its folder imports with --format csv.
    """
    if path.stat().st_size == 0:
        raise BadRecord(None, "the file is empty; nothing to import", path)
    line = 2  # the header is line 1; fields may span lines, so count their newlines
    seen = False
    with open_regular(path) as handle:
        try:
            chunks = pd.read_csv(handle, dtype=str, keep_default_na=False, chunksize=2000, encoding="utf-8-sig")
            for chunk in chunks:
                _refuse_export_table(path, [str(c) for c in chunk.columns])
                if text_column not in chunk.columns:
                    columns = ", ".join(map(str, chunk.columns))
                    raise BadRecord(1, f"no column {text_column!r} (columns: {columns}); choose one with --text-column")
                newlines = chunk.apply(lambda column: column.str.count("\n")).sum(axis=1).tolist()
                for (_, row), extra in zip(chunk.iterrows(), newlines):
                    seen = True
                    meta = {k: v for k, v in row.items() if k != text_column and v != ""}
                    text = row[text_column]
                    if not text.strip():
                        raise BadRecord(line, f"column {text_column!r} is empty")
                    name = meta.get("name") or meta.get("id") or f"{path.name}:{line}"
                    lang = meta.get("lang") or meta.get("language")
                    yield Record(line=line, text=text, name=str(name), meta=meta, lang=lang)
                    line += 1 + extra
                progress(handle.tell())
        except UnicodeDecodeError as exc:
            raise BadRecord(None, f"not UTF-8 ({exc.reason}); re-save the file as UTF-8", path) from None
        except pd.errors.EmptyDataError:
            raise BadRecord(None, "the file is empty; nothing to import", path) from None
        except pd.errors.ParserError as exc:
            raise BadRecord(None, f"not valid CSV ({exc}); fix the file", path) from None
    if not seen:
        raise BadRecord(None, "the file has a header but no rows; nothing to import", path)



def _refuse_export_table(path: Path, columns: list[str]) -> None:
    from annotator.importing.csv_folder import table_kind

    kind = table_kind(columns)
    if kind is not None:
        shown = ", ".join(columns[:6]) + (", ..." if len(columns) > 6 else "")
        raise BadRecord(1, f"this is a table of {kind} (columns {shown}), not articles; import the CSV export "
                           f"folder that holds it with --format csv: "
                           f"annotator import PROJECT {path.parent} --format csv")
