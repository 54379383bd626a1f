"""Training-data exports (spaCy DocBin + config, Prodigy / doccano JSONL, CSV). No Qt here."""

from exports.export import FORMATS, ExportOptions, ExportResult, export_project
from exports.reader import ExportCancelled

__all__ = ["FORMATS", "ExportCancelled", "ExportOptions", "ExportResult", "export_project"]
