"""What `bundle in` refuses, each with one line saying what and what to do, the project left
exactly as it was; and what `bundle out` refuses, leaving no file."""

import sqlite3

import pytest
from sqlalchemy import text

from annotator.bundles.merge import merge_bundle
from annotator.bundles.out import bundle_out
from annotator.commands import add_span
from annotator.errors import UserError
from annotator.importing import import_path
from annotator.store import create_project, open_project
from tests.bundle_work import alices_bundle, handed_out, work_offline
from tests.conftest import SAMPLES
from tests.helpers import snapshot


@pytest.fixture
def bundled(sample_project, tmp_path):
    """The handed-out sample project and alice's bundle, with a day's offline work in it."""
    path = alices_bundle(handed_out(sample_project), tmp_path)
    work_offline(path)
    return sample_project, path


def _refused(project, path, *words: str) -> str:
    before = snapshot(project)
    with pytest.raises(UserError) as refusal:
        merge_bundle(project, path)
    message = str(refusal.value)
    assert "\n" not in message and all(word in message for word in words), message
    assert snapshot(project) == before
    return message


def test_a_bundle_of_another_project_is_refused(bundled, fresh_target):
    _, path = bundled
    other = create_project(fresh_target("other.db"), SAMPLES / "labels.toml")  # the same articles, another project
    import_path(other, SAMPLES / "articles")
    _refused(other, path, "another project", "merge it into the project it came from")
    other.close()


def test_a_bundle_holding_someone_elses_work_is_refused(bundled):
    project, path = bundled
    bundle = open_project(path)
    with bundle.read() as session:
        document_id = session.execute(text("SELECT min(id) FROM documents")).scalar()
    add_span(bundle, document_id, "mallory", "FIGURE", 0, 1)  # opened under another name
    bundle.close()
    _refused(project, path, "holds alice's work", "1 of mallory", "--annotator alice")


def test_labels_the_project_no_longer_has_are_refused(bundled):
    project, path = bundled
    with project.transaction() as session:
        session.execute(text("UPDATE labels SET name = 'NUMBER' WHERE name = 'FIGURE'"))
    _refused(project, path, "labels the project no longer has: FIGURE")


def test_documents_deleted_from_the_project_are_refused(bundled):
    project, path = bundled
    bundle = open_project(path)
    with bundle.read() as session:
        sha, name = session.execute(text("SELECT sha256, name FROM documents ORDER BY id LIMIT 1")).one()
    bundle.close()
    with project.transaction() as session:
        session.execute(text("DELETE FROM documents WHERE sha256 = :sha"), {"sha": sha})
    _refused(project, path, "1 of the bundle's documents are not in the project", name, "import them")


def test_a_truncated_bundle_is_refused(bundled, tmp_path):
    project, path = bundled
    data = path.read_bytes()
    cut = tmp_path / "cut.annot"
    cut.write_bytes(data[: len(data) // 2])
    _refused(project, cut, "truncated", "copy the whole file again")
    cut.write_bytes(data[:60])
    _refused(project, cut, "not an SQLite database")


def test_a_file_that_is_no_bundle_is_refused(bundled, tmp_path):
    project, _ = bundled
    notes = tmp_path / "notes.annot"
    notes.write_text("my notes\n" * 50, encoding="utf-8")
    _refused(project, notes, "not a project file")
    plain = tmp_path / "plain.db"
    create_project(plain).close()
    _refused(project, plain, "not a bundle", "bundle out")
    _refused(project, tmp_path / "missing.annot", "no bundle file there")


def test_a_bundle_of_a_newer_schema_is_refused_and_left_untouched(bundled):
    project, path = bundled
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.close()
    data = path.read_bytes()
    _refused(project, path, "newer version of this tool", "upgrade the tool")
    assert path.read_bytes() == data


@pytest.mark.parametrize("name, words", [
    ("nobody", ("no annotator named 'nobody'",)),
    ("gold", ("is a gold, not an annotator",)),
])
def test_bundle_out_refuses_who_is_not_an_annotator(sample_project, tmp_path, name, words):
    with sample_project.transaction() as session:
        session.execute(text("INSERT INTO annotators (id, name, role, created_at) "
                             "VALUES (99, 'gold', 'gold', '2026-12-01 00:00:00')"))
    with pytest.raises(UserError) as refusal:
        bundle_out(sample_project, name, tmp_path / "out.annot")
    assert all(word in str(refusal.value) for word in words), refusal.value
    assert not (tmp_path / "out.annot").exists()


def test_bundle_out_refuses_an_annotator_with_nothing_assigned_and_an_existing_file(sample_project, tmp_path):
    with pytest.raises(UserError, match="alice has no documents assigned; assign some first"):
        bundle_out(sample_project, "alice", tmp_path / "out.annot")
    handed_out(sample_project)
    (tmp_path / "taken.annot").write_text("keep me", encoding="utf-8")
    with pytest.raises(UserError, match="a file already exists there"):
        bundle_out(sample_project, "alice", tmp_path / "taken.annot")
    assert (tmp_path / "taken.annot").read_text(encoding="utf-8") == "keep me"
    with pytest.raises(UserError, match="no such folder"):
        bundle_out(sample_project, "alice", tmp_path / "missing" / "out.annot")
    assert sorted(p.name for p in tmp_path.iterdir() if "annot" in p.name) == ["taken.annot"]
