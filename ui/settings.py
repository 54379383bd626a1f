"""What the window remembers between runs (QSettings): annotator, recent projects, last document, theme."""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QSettings

MAX_RECENT = 8


class Settings:
    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store or QSettings("quote-annotator", "annotator")

    @property
    def annotator(self) -> str:
        return str(self.store.value("annotator", "") or "")

    @annotator.setter
    def annotator(self, name: str) -> None:
        self.store.setValue("annotator", name)

    @property
    def theme(self) -> str:
        return str(self.store.value("theme", "light") or "light")

    @theme.setter
    def theme(self, value: str) -> None:
        self.store.setValue("theme", value)

    def recent_projects(self) -> list[str]:
        value = self.store.value("recent", []) or []
        return [value] if isinstance(value, str) else list(value)

    def add_recent(self, path: str) -> None:
        recent = [path] + [p for p in self.recent_projects() if p != path]
        self.store.setValue("recent", recent[:MAX_RECENT])

    def last_document(self, project_url: str, annotator: str) -> int | None:
        value = self.store.value(f"last-document/{_key(project_url, annotator)}")
        return int(value) if value not in (None, "") else None

    def set_last_document(self, project_url: str, annotator: str, document_id: int) -> None:
        self.store.setValue(f"last-document/{_key(project_url, annotator)}", document_id)
        self.store.sync()  # a crash right after still resumes here


def _key(project_url: str, annotator: str) -> str:
    return hashlib.sha1(f"{project_url}\n{annotator}".encode()).hexdigest()[:16]
