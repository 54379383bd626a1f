"""`annotator bundle in`: merge an annotator's offline work back into the project.

Per document of the bundle (matched by the text's sha256), only that annotator's spans, links
and status are replaced, by one Change applied in one transaction; nobody else's rows change.
Which side changed since the bundle was made is told by fingerprints (annotator/bundles/
fingerprint.py; a bundle's side is hashed only for the documents it recorded as written offline,
annotator/bundles/edits.py): only the bundle → its work is taken; only the project → the project's stays
(the bundle's copy is older); both, differently → a conflict, and the merge stops unless
`prefer` says which side wins. The project's side is read only for documents whose work changed
in the bundle: the others have nothing to merge. After a merge the project remembers the bundle's fingerprints, so
merging the same bundle again changes nothing, and merging it after more offline work takes
just that work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.bundles.bundle_file import BundleRecord, open_bundle, reading
from annotator.bundles.diff import ChangeBuilder, DocumentDiff, Taken
from annotator.bundles.checks import BundleContents, check_project
from annotator.bundles.edits import edited
from annotator.bundles.fingerprint import DocumentWork, batches, fingerprints, read_work
from annotator.changes import Change, apply_in, frozen
from annotator.errors import UserError
from annotator.model import Annotator, utcnow
from annotator.settings import MERGED_BUNDLES, get_setting, set_setting
from annotator.store import Project

PREFER = ("bundle", "project")
_EMPTY = DocumentWork().fingerprint()
_LISTED = 10  # documents named in a one-line message


class MergeConflict(UserError):
    """The annotator's work on some documents changed both in the project and in the bundle."""

    def __init__(self, message: str, documents: list[str]) -> None:
        super().__init__(message)
        self.documents = documents


@dataclass
class MergeReport:
    annotator: str
    made_at: str
    documents: int  # in the bundle
    merged: list[DocumentDiff] = field(default_factory=list)  # documents whose rows changed
    conflicts: list[str] = field(default_factory=list)  # changed on both sides, decided by `prefer`
    prefer: str | None = None
    change: Change | None = None

    def totals(self) -> dict[str, int]:
        keys = ("spans_added", "spans_changed", "spans_removed", "links_added", "links_removed")
        totals = {key: sum(getattr(diff, key) for diff in self.merged) for key in keys}
        totals["statuses"] = sum(diff.status is not None for diff in self.merged)
        totals["changes"] = sum(diff.changes() for diff in self.merged)
        return totals

    def as_dict(self) -> dict:
        return {"annotator": self.annotator, "bundle_made_at": self.made_at, "documents": self.documents,
                "merged": [{"document": d.document, "document_id": d.document_id, "spans_added": d.spans_added,
                            "spans_changed": d.spans_changed, "spans_removed": d.spans_removed,
                            "links_added": d.links_added, "links_removed": d.links_removed,
                            "status": list(d.status) if d.status else None} for d in self.merged],
                "conflicts": self.conflicts, "prefer": self.prefer,
                "total": self.totals()}


def merge_bundle(project: Project, path: str | Path, prefer: str | None = None) -> MergeReport:
    """Merge the bundle at `path`; refuse (UserError, the project unchanged) what cannot be merged."""
    if prefer not in (None, *PREFER):
        raise UserError(f"--prefer {prefer}: use bundle or project")
    path = Path(path)
    bundle, record = open_bundle(path)
    try:
        with bundle.read() as bundle_session:
            with reading(path):
                contents = BundleContents.read(bundle_session, record, path)
            with project.transaction() as session:
                return _merge(session, bundle_session, contents, record, prefer, path)
    finally:
        bundle.close()


def _merge(session: Session, bundle_session: Session, contents: BundleContents, record: BundleRecord,
           prefer: str | None, path: Path) -> MergeReport:
    found = check_project(session, contents, record, path)
    annotator_id, first = _annotator(session, record.annotator)
    merged = get_setting(session, MERGED_BUNDLES, {})
    earlier = merged.get(record.id, {}).get("fingerprints", {})
    report = MergeReport(record.annotator, record.made_at, len(contents.documents), prefer=prefer)
    bundle_ids = list(contents.documents)
    with reading(path):
        in_bundle = _bundle_fingerprints(bundle_session, contents, record)
    changed = [bundle_id for bundle_id in bundle_ids if in_bundle[bundle_id] != _base(
        contents.documents[bundle_id][0], earlier, record)]
    project_ids = {bundle_id: found.documents[contents.documents[bundle_id][0]] for bundle_id in changed}
    in_project = fingerprints(session, annotator_id, [project_ids[bundle_id][0] for bundle_id in changed])
    taken: list[tuple[int, int, int, str]] = []  # bundle id, project id, length, name
    for bundle_id in changed:
        sha, name = contents.documents[bundle_id]
        project_id, length = project_ids[bundle_id]
        here = in_project[project_id]
        if here == in_bundle[bundle_id]:
            continue  # the same work on both sides
        if here != _base(sha, earlier, record):
            report.conflicts.append(name)
            if prefer != "bundle":
                continue
        taken.append((bundle_id, project_id, length, name))
    if report.conflicts and prefer is None:
        raise _conflict(report.conflicts, record)
    builder = ChangeBuilder(session, bundle_session, annotator_id, contents.annotator_id, found.labels,
                            found.relation_labels)
    for batch in batches(taken):
        with reading(path):
            theirs = read_work(bundle_session, contents.annotator_id, [bundle_id for bundle_id, *_ in batch])
        mine = read_work(session, annotator_id, [project_id for _, project_id, *_ in batch])
        report.merged.extend(builder.add([
            Taken(name, project_id, bundle_id, length, mine[project_id], theirs[bundle_id])
            for bundle_id, project_id, length, name in batch]))
    report.change = builder.change(f"merge {record.annotator}'s bundle of {record.made_at[:10]}",
                                   first if taken else ())
    if report.change:
        apply_in(session, report.change)
    remembered = {sha: in_bundle[bundle_id] for bundle_id, (sha, _) in contents.documents.items()
                  if in_bundle[bundle_id] != record.fingerprints.get(sha)}
    if remembered != earlier:
        set_setting(session, MERGED_BUNDLES, {**merged, record.id: {"annotator": record.annotator,
                                                                   "fingerprints": remembered}})
    report.merged = [diff for diff in report.merged if diff.changes()]
    return report


def _bundle_fingerprints(bundle_session: Session, contents: BundleContents, record: BundleRecord) -> dict[int, str]:
    """bundle document id -> fingerprint of her work there. A document the bundle has not written
    since it was made still has the fingerprint it was made with; only the others are hashed."""
    written = edited(bundle_session)
    known = {bundle_id: record.fingerprints.get(sha) for bundle_id, (sha, _) in contents.documents.items()}
    unchanged = {} if written is None else {bundle_id: fingerprint for bundle_id, fingerprint in known.items()
                                            if fingerprint is not None and bundle_id not in written}
    return {**unchanged, **fingerprints(bundle_session, contents.annotator_id,
                                        [bundle_id for bundle_id in known if bundle_id not in unchanged])}


def _base(sha: str, earlier: dict[str, str], record: BundleRecord) -> str:
    """What her work on the document was when the bundle was made, or last merged from it (a
    document added to the bundle later: no work)."""
    return earlier.get(sha) or record.fingerprints.get(sha, _EMPTY)


def _annotator(session: Session, name: str) -> tuple[int, list]:
    """The annotator's id in the project; a new annotator row (to insert) if she is no longer there."""
    found = session.scalar(select(Annotator.id).where(Annotator.name == name))
    if found is not None:
        return found, []
    row = {"id": (session.scalar(select(func.max(Annotator.id))) or 0) + 1, "name": name, "role": "annotator",
           "created_at": utcnow()}
    return row["id"], [("annotators", frozen(row))]


def _conflict(names: list[str], record: BundleRecord) -> MergeConflict:
    shown = ", ".join(names[:_LISTED]) + (f" and {len(names) - _LISTED} more" if len(names) > _LISTED else "")
    return MergeConflict(
        f"{len(names)} document{'s' if len(names) != 1 else ''} changed both in the project and in "
        f"{record.annotator}'s bundle since it was made ({record.made_at}): {shown} — nothing was merged; "
        "run again with --prefer bundle (take the bundle's work on them) or --prefer project (keep the project's)",
        names)
