"""Import articles and annotations: readers per format (records), the read phase and the write phase.

`import_path(project, path, options, progress)` is the entry point. The public names load on
first use (PEP 562), so that a command reaching only for the options (the CLI's defaults) does
not load spaCy and pandas.
"""

from annotator.lazy_names import lazy_getattr

_PUBLIC = {
    "MAX_CHARS": "annotator.importing.options",
    "ImportOptions": "annotator.importing.options",
    "ImportResult": "annotator.importing.options",
    "import_path": "annotator.importing.pipeline",
    "FORMATS": "annotator.importing.records",
}
__all__ = sorted(_PUBLIC)

__getattr__ = lazy_getattr(__name__, _PUBLIC)
