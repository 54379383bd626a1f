"""When alice's work on a document changed both in the project and in her bundle since it was
made, the merge stops and names those documents; --prefer bundle|project decides. A document
changed only in the project keeps the project's work (the bundle's copy of it is older)."""

import pytest
from sqlalchemy import select

from annotator.bundles.merge import MergeConflict, merge_bundle
from annotator.commands import add_span
from annotator.model import Document
from annotator.store import open_project
from tests.bundle_work import alices_bundle, handed_out, others_rows, work_of, work_offline
from tests.helpers import snapshot


def _documents(project) -> list[tuple[int, str, str]]:
    with project.read() as session:
        return session.execute(select(Document.id, Document.sha256, Document.name).order_by(Document.id)).all()


@pytest.fixture
def diverged(sample_project, tmp_path):
    """alice's first bundled document changed on both sides, her second only in the project, and
    her last only in the bundle."""
    project = handed_out(sample_project)
    path = alices_bundle(project, tmp_path)
    bundle = open_project(path)
    bundled = _documents(bundle)
    assert len(bundled) == 3
    add_span(bundle, bundled[-1][0], "alice", "FIGURE", 0, 1)
    bundle.close()
    both, _ = work_offline(path)
    ids = {sha: (id_, name) for id_, sha, name in _documents(project)}
    add_span(project, ids[both][0], "alice", "FIGURE", 20, 21)  # not what the bundle added
    add_span(project, ids[bundled[1][1]][0], "alice", "FIGURE", 20, 21)
    names = {"both": ids[both][1], "project": ids[bundled[1][1]][1], "bundle": ids[bundled[-1][1]][1]}
    shas = {"both": both, "project": bundled[1][1], "bundle": bundled[-1][1]}
    return project, path, names, shas


def test_the_merge_stops_and_names_the_documents_changed_on_both_sides(diverged):
    project, path, names, _ = diverged
    before = snapshot(project)
    with pytest.raises(MergeConflict) as conflict:
        merge_bundle(project, path)
    assert conflict.value.documents == [names["both"]]
    message = str(conflict.value)
    assert "1 document changed both in the project and in alice's bundle" in message and names["both"] in message
    assert "--prefer bundle" in message and "--prefer project" in message and "\n" not in message
    assert snapshot(project) == before


def test_prefer_bundle_takes_the_bundles_work_where_both_changed(diverged):
    project, path, names, shas = diverged
    online, offline, others = work_of(project), work_of(open_project(path)), others_rows(project)
    report = merge_bundle(project, path, prefer="bundle")
    merged = work_of(project)
    assert merged[shas["both"]] == offline[shas["both"]]
    assert merged[shas["bundle"]] == offline[shas["bundle"]]
    assert merged[shas["project"]] == online[shas["project"]]  # changed only here: kept
    assert report.conflicts == [names["both"]]
    assert sorted(d.document for d in report.merged) == sorted([names["both"], names["bundle"]])
    assert others_rows(project) == others


def test_prefer_project_keeps_the_projects_work_where_both_changed(diverged):
    project, path, names, shas = diverged
    online, offline = work_of(project), work_of(open_project(path))
    report = merge_bundle(project, path, prefer="project")
    merged = work_of(project)
    assert merged[shas["both"]] == online[shas["both"]]
    assert merged[shas["project"]] == online[shas["project"]]
    assert merged[shas["bundle"]] == offline[shas["bundle"]]
    assert report.conflicts == [names["both"]] and report.prefer == "project"
    assert [d.document for d in report.merged] == [names["bundle"]]
    after = snapshot(project)
    again = merge_bundle(project, path)  # decided once: the same bundle merges again without a conflict
    assert again.totals()["changes"] == 0 and snapshot(project) == after
