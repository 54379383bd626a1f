"""Training-data exports (spaCy DocBin + config, Prodigy / doccano JSONL, CSV). No Qt here.

The public names load on first use (PEP 562), so that the worker processes of a large spaCy
export, which import only exports.spacy_docs, do not also load pandas, SQLAlchemy and Alembic.
"""

from annotator.lazy_names import lazy_getattr

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

__getattr__ = lazy_getattr(__name__, _PUBLIC)
