"""Projects handed out to alice, bob and carol, alice's bundle and her offline work, and what the bundle
tests compare."""

from pathlib import Path

from sqlalchemy import select

from annotator.assignment.assign import assign_documents
from annotator.bundles.out import bundle_out
from annotator.model import Annotator, Document, Label, Relation, RelationLabel, Span
from annotator.settings import MERGED_BUNDLES
from annotator.store import Project, open_project
from tests.helpers import snapshot

# The tables holding an annotator's work, and where their rows name her.
WORK_TABLES = ("spans", "relations", "document_status")


def handed_out(project: Project) -> Project:
    """The sample project (every sample annotator has marked every article) with its five articles
    assigned: alice holds three of them."""
    assign_documents(project, ["alice", "bob", "carol"], overlap=0.4, per_doc=2, seed=4)
    return project


def alices_bundle(project: Project, folder: Path, name: str = "alice.annot") -> Path:
    """alice's bundle, in a folder of its own below `folder`."""
    (folder / "bundles").mkdir(exist_ok=True)
    path = folder / "bundles" / name
    bundle_out(project, "alice", path)
    return path


def others_rows(project: Project, annotator: str = "alice") -> dict[str, list[tuple]]:
    """Every row of every table except the annotator's work and the project's record of merges:
    what a merge of her bundle must leave byte for byte as it was."""
    with project.read() as session:
        mine = session.scalar(select(Annotator.id).where(Annotator.name == annotator))
        columns = {name: [c.name for c in Span.metadata.tables[name].columns] for name in WORK_TABLES}
    rows = snapshot(project)
    for name in WORK_TABLES:
        at = columns[name].index("annotator_id")
        rows[name] = [row for row in rows[name] if row[at] != mine]
    key = [c.name for c in Span.metadata.tables["project_settings"].columns].index("key")
    rows["project_settings"] = [row for row in rows["project_settings"] if row[key] != MERGED_BUNDLES]
    return rows


def work_of(project: Project, annotator: str = "alice") -> dict[str, tuple]:
    """sha256 -> (spans, links, status) of the annotator, by names and offsets (ids differ between
    a project and its bundle)."""
    from annotator.model import DocumentStatus

    with project.read() as session:
        shas = dict(session.execute(select(Document.id, Document.sha256)).all())
        labels = dict(session.execute(select(Label.id, Label.name)).all())
        relations = dict(session.execute(select(RelationLabel.id, RelationLabel.name)).all())
        mine = session.scalar(select(Annotator.id).where(Annotator.name == annotator))
        spans = {row.id: row for row in session.execute(select(Span).where(Span.annotator_id == mine)).scalars()}
        work: dict[str, tuple] = {}
        for span in spans.values():
            work.setdefault(shas[span.document_id], (set(), set(), [None]))[0].add(
                (labels[span.label_id], span.start, span.end, span.origin))
        for link in session.execute(select(Relation).where(Relation.annotator_id == mine)).scalars():
            head, child = spans[link.head_id], spans[link.child_id]
            work.setdefault(shas[head.document_id], (set(), set(), [None]))[1].add(
                (relations[link.label_id], labels[head.label_id], head.start, labels[child.label_id], child.start))
        for status in session.execute(select(DocumentStatus).where(DocumentStatus.annotator_id == mine)).scalars():
            work.setdefault(shas[status.document_id], (set(), set(), [None]))[2][0] = status.status
    return {sha: (spans_, links, status[0]) for sha, (spans_, links, status) in work.items()}


def work_offline(path: Path) -> tuple[str, dict[str, int]]:
    """A day's work in the bundle through the core commands, on its first document: one span
    added, one removed, one relabelled, one link drawn, the document marked done. Its sha256, and
    the span and link counts the merge should report."""
    from annotator.commands import add_link, add_span, delete_span, relabel_span, set_status
    from annotator.errors import UserError

    bundle = open_project(path)
    try:
        with bundle.read() as session:
            document_id, sha = session.execute(select(Document.id, Document.sha256).order_by(Document.id)).first()
            spans = session.execute(select(Span.id, Label.name).join(Label, Label.id == Span.label_id)
                                    .where(Span.document_id == document_id).order_by(Span.id)).all()
        delete_span(bundle, spans[0].id)
        for label in ("FIGURE", "THREAT", "SPEAKER"):
            try:
                relabel_span(bundle, spans[1].id, label)
                break
            except UserError:
                continue
        quote = add_span(bundle, document_id, "alice", "QUOTE", 0, 1).focus_span
        speaker = next(s.id for s in spans[2:] if s.name == "SPEAKER")
        add_link(bundle, quote, speaker, "alice")
        set_status(bundle, document_id, "alice", "skipped")
    finally:
        bundle.close()
    return sha, {"spans_added": 1, "spans_changed": 1, "spans_removed": 1}
