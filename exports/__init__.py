"""Training-data exports (spaCy DocBin + config, Prodigy / doccano JSONL, CSV). No Qt here.

The public names load on first use (PEP 562), so that the worker processes of a large spaCy
export, which import only exports.spacy_docs, do not also load pandas, SQLAlchemy and Alembic.
"""

from importlib import import_module

_PUBLIC = {
    "FORMATS": "exports.export",
    "PASSAGE_MODES": "exports.export",
    "ExportOptions": "exports.export",
    "ExportResult": "exports.export",
    "export_project": "exports.export",
    "ExportCancelled": "exports.reader",
    "available_sources": "exports.selection",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'exports' has no attribute {name!r}")
