"""Offline bundles: `bundle out` holds one annotator's documents and work and nothing else, and
`bundle in` brings back exactly her work, leaves every other row as it was, and is a no-op the
second time. On files and on PostgreSQL (the bundle itself is always a file)."""

from sqlalchemy import select, text

from annotator.bundles.merge import merge_bundle
from annotator.changes import apply
from annotator.commands import add_span
from annotator.model import Annotator, Assignment, Document, Label
from annotator.settings import BUNDLE, get_setting, project_id
from annotator.store import open_project
from tests.bundle_work import alices_bundle, handed_out, others_rows, work_of, work_offline
from tests.helpers import snapshot


def test_a_bundle_holds_her_assigned_documents_and_work_and_nobody_elses(sample_project, tmp_path):
    project = handed_out(sample_project)
    before = snapshot(project)
    path = alices_bundle(project, tmp_path)
    assert snapshot(project) == before  # the project is only read
    assert [p.name for p in path.parent.iterdir()] == ["alice.annot"]  # nothing half-written left beside it
    with project.read() as session:
        alice = session.scalar(select(Annotator.id).where(Annotator.name == "alice"))
        hers = set(session.scalars(select(Document.sha256).join(Assignment, Assignment.document_id == Document.id)
                                   .where(Assignment.annotator_id == alice)))
        labels = session.execute(select(Label.name, Label.color, Label.key, Label.guideline).order_by(Label.id)).all()
        the_project = project_id(session)
    assert 0 < len(hers) < 5
    bundle = open_project(path)  # an ordinary project file
    with bundle.read() as session:
        assert set(session.scalars(select(Document.sha256))) == hers
        assert session.scalars(select(Annotator.name)).all() == ["alice"]
        assert session.execute(select(Label.name, Label.color, Label.key, Label.guideline)
                               .order_by(Label.id)).all() == labels
        assert project_id(session) == the_project
        record = get_setting(session, BUNDLE)
    bundle.close()
    assert record["annotator"] == "alice" and record["project_id"] == the_project
    assert set(record["fingerprints"]) == hers
    everything = work_of(project)
    assert work_of(open_project(path)) == {sha: everything[sha] for sha in hers}


def test_offline_work_merges_back_and_nobody_elses_rows_change(sample_project, tmp_path):
    project = handed_out(sample_project)
    path = alices_bundle(project, tmp_path)
    sha, counts = work_offline(path)
    others = others_rows(project)
    report = merge_bundle(project, path)
    assert others_rows(project) == others
    [merged] = report.merged
    assert (merged.spans_added, merged.spans_changed, merged.spans_removed) == (
        counts["spans_added"], counts["spans_changed"], counts["spans_removed"])
    assert merged.links_added >= 1 and merged.status == ("done", "skipped")
    assert report.totals()["changes"] == merged.changes() and not report.conflicts
    in_bundle = work_of(open_project(path))
    assert {key: work_of(project)[key] for key in in_bundle} == in_bundle


def test_merging_the_same_bundle_again_changes_nothing(sample_project, tmp_path):
    project = handed_out(sample_project)
    path = alices_bundle(project, tmp_path)
    work_offline(path)
    merge_bundle(project, path)
    after_first = snapshot(project)
    again = merge_bundle(project, path)
    assert again.totals()["changes"] == 0 and not again.merged and not again.change
    assert snapshot(project) == after_first


def test_more_offline_work_after_a_merge_is_merged_without_a_conflict(sample_project, tmp_path):
    project = handed_out(sample_project)
    path = alices_bundle(project, tmp_path)
    work_offline(path)
    merge_bundle(project, path)
    bundle = open_project(path)
    with bundle.read() as session:
        document_id = session.scalars(select(Document.id).order_by(Document.id.desc())).first()
    add_span(bundle, document_id, "alice", "FIGURE", 0, 1)
    bundle.close()
    report = merge_bundle(project, path)
    assert [(d.spans_added, d.spans_removed) for d in report.merged] == [(1, 0)]
    in_bundle = work_of(open_project(path))
    assert {key: work_of(project)[key] for key in in_bundle} == in_bundle


def test_the_merge_is_one_change_whose_inverse_restores_the_project(sample_project, tmp_path):
    project = handed_out(sample_project)
    path = alices_bundle(project, tmp_path)
    sha, _ = work_offline(path)
    before = others_rows(project), work_of(project)
    report = merge_bundle(project, path)
    with project.read() as session:
        document_id = session.scalar(select(Document.id).where(Document.sha256 == sha))
    assert report.change.documents() == {document_id}  # what every view is told to redraw
    apply(project, report.change.inverse())
    assert (others_rows(project), work_of(project)) == before


def test_fingerprints_read_in_bulk_equal_those_of_the_work_read_whole(sample_project):
    """The database writes the lines a fingerprint hashes; they must be exactly what Python writes
    from the work read row by row (a score too), on either backend."""
    from annotator.bundles.fingerprint import fingerprints, read_work

    with sample_project.transaction() as session:
        session.execute(text("UPDATE spans SET score = 0.1 + id / 3.0, origin = 'accepted' WHERE id % 7 = 0"))
    with sample_project.read() as session:
        alice = session.scalar(select(Annotator.id).where(Annotator.name == "alice"))
        documents = session.scalars(select(Document.id)).all()
        bulk = fingerprints(session, alice, documents)
        whole = {d: work.fingerprint() for d, work in read_work(session, alice, documents).items()}
        nobody = fingerprints(session, None, documents)
    assert bulk == whole and len(set(bulk.values())) == len(documents)
    assert set(nobody.values()) == {read_work(None, None, [1])[1].fingerprint()}
