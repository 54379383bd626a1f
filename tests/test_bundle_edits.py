"""A bundle remembers which documents were written offline, so a merge hashes only those; any way
of writing the file counts, and a merge that cannot trust the record hashes every document."""

import sqlite3

from annotator.bundles.merge import merge_bundle
from annotator.store import open_project
from tests.bundle_work import alices_bundle, handed_out, work_of


def _write(path, *statements: str) -> None:
    """Offline work done with a plain SQLite shell, not the tool."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA foreign_keys=ON")
    for statement in statements:
        connection.execute(statement)
    connection.close()


def _merged_as_in_bundle(project, path) -> bool:
    bundle = open_project(path)
    try:
        in_bundle = work_of(bundle)
    finally:
        bundle.close()
    return {sha: work_of(project)[sha] for sha in in_bundle} == in_bundle


def test_spans_deleted_with_a_sqlite_shell_are_merged(sample_project, tmp_path):
    project = handed_out(sample_project)
    path = alices_bundle(project, tmp_path)
    _write(path, "DELETE FROM spans WHERE id = (SELECT min(id) FROM spans)")
    assert merge_bundle(project, path).totals()["spans_removed"] == 1
    assert _merged_as_in_bundle(project, path)


def test_label_names_swapped_in_the_bundle_relabel_every_document(sample_project, tmp_path):
    # no span row changes, yet the work on every document does: a fingerprint is made of names
    project = handed_out(sample_project)
    path = alices_bundle(project, tmp_path)
    before = work_of(project)
    _write(path, "UPDATE labels SET name = 'SWAP' WHERE name = 'QUOTE'",
           "UPDATE labels SET name = 'QUOTE' WHERE name = 'SPEAKER'",
           "UPDATE labels SET name = 'SPEAKER' WHERE name = 'SWAP'")
    report = merge_bundle(project, path)
    assert len(report.merged) == report.documents  # she marked quotes and speakers on each
    assert _merged_as_in_bundle(project, path) and work_of(project) != before


def test_with_a_recording_trigger_dropped_every_document_is_compared(sample_project, tmp_path):
    project = handed_out(sample_project)
    path = alices_bundle(project, tmp_path)
    _write(path, "DROP TRIGGER bundle_edits_spans_delete", "DELETE FROM spans WHERE id = (SELECT min(id) FROM spans)")
    assert merge_bundle(project, path).totals()["spans_removed"] == 1
    assert _merged_as_in_bundle(project, path)
