"""What an import takes and what it reports (plain data: the CLI loads this for its defaults)."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_CHARS = 1_000_000  # spaCy's own default limit; a longer "article" is almost always a mistake


@dataclass
class ImportResult:
    path: str
    format: str
    records: int = 0
    documents_added: int = 0
    duplicates: int = 0
    spans_added: int = 0
    relations_added: int = 0
    finished: dict[str, int] = field(default_factory=dict)  # annotator -> documents marked done
    languages: dict[str, int] = field(default_factory=dict)  # of the documents added
    warnings: list[str] = field(default_factory=list)  # imported as given, but worth a look



@dataclass
class ImportOptions:
    format: str = "auto"
    lang: str = "auto"
    annotator: str | None = None
    text_column: str = "text"
    max_chars: int = MAX_CHARS
