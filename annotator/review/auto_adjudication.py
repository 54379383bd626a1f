"""Adjudicating a whole project at once: what enough finished annotators agree on goes into gold.

A document's voters are the annotators who finished it (status done, gold excepted), or only
those of them named.  A span goes into gold when at least K voters marked the same label,
start and end (K = `min_agree`, or by default more than half of the document's voters); a
link when at least K of them drew the same relation between two spans that gold holds once
the spans are in.  Everything else waits for the review window.  Skipped: documents with
fewer than two voters (nothing to agree on), fewer than K voters, or whose gold set a
reviewer already marked done.  With `mark_done`, a document the run leaves with nothing waiting
(every candidate in gold) has its gold marked done, in the same Change.

The rules are annotator.review.adjudication's (votes, agreed, the gold insertions): this module only
picks the voters and the threshold per document and adds up what happened.  A run is one
transaction that builds one Change and applies it once; a dry run reads only.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.review.adjudication import (
    GOLD, insert_gold_spans, agreed, check_reviewer, finished, gold_id, insert_gold_links,
    link_votes, span_votes,
)
from annotator.change_builder import ChangeBuilder
from annotator.changes import Change
from annotator.errors import UserError
from annotator.model import Annotator, Document, DocumentStatus, Label, RelationLabel
from annotator.rules import move_status
from annotator.store import Project

FEWER_THAN_TWO = "fewer than two finished annotators"
GOLD_DONE = "gold marked done"
STATES = ("added", "in_gold", "waiting")


@dataclass
class Adjudication:
    """What a run put into gold (or would, for a dry run), per label and relation."""

    dry_run: bool
    min_agree: int | None  # None: the majority of each document's voters
    annotators: list[str]  # whose votes count (where they finished the document)
    reviewer: str
    considered: int = 0
    marked_done: int = 0  # documents whose gold this run marked done (or would)
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> documents
    spans: dict[str, dict[str, int]] = field(default_factory=dict)  # label -> added, in_gold, waiting
    links: dict[str, dict[str, int]] = field(default_factory=dict)  # relation -> added, in_gold, waiting
    change: Change | None = None  # None for a dry run

    def as_dict(self) -> dict:
        return {"dry_run": self.dry_run, "rule": {"majority": self.min_agree is None, "min_agree": self.min_agree},
                "annotators": self.annotators, "reviewer": self.reviewer,
                "documents": {"considered": self.considered, "skipped": self.skipped,
                              "marked_done": self.marked_done},
                "spans": self.spans, "links": self.links}


def adjudicate_project(project: Project, reviewer: str, annotators: Sequence[str] | None = None,
                       min_agree: int | None = None, dry_run: bool = False, mark_done: bool = False) -> Adjudication:
    """Put into gold what at least `min_agree` (default: most) of each document's finishers marked
    alike; with `mark_done`, close the gold of each document where nothing is left waiting."""
    if min_agree is not None and min_agree < 1:
        raise UserError(f"--min-agree {min_agree}: at least one annotator must agree; use 1 or more")
    if dry_run:
        with project.read() as session:
            return _run(session, reviewer, annotators, min_agree, mark_done, write=False)
    with project.transaction() as session:
        return _run(session, reviewer, annotators, min_agree, mark_done, write=True)


def _run(session: Session, reviewer: str, annotators: Sequence[str] | None, min_agree: int | None,
         mark_done: bool, write: bool) -> Adjudication:
    check_reviewer(session, reviewer)
    gold = gold_id(session)  # refuses a non-gold annotator that holds the name
    pool = _pool(session, annotators, min_agree)
    finishers = finished(session)
    if annotators is None:  # everyone: those who finished something (not, say, a reviewer's own row)
        anyone = set().union(*finishers.values())
        pool = {annotator_id: name for annotator_id, name in pool.items() if annotator_id in anyone}
    result = Adjudication(not write, min_agree, list(pool.values()), reviewer)
    labels = dict(session.execute(select(Label.id, Label.name).order_by(Label.position, Label.id)).all())
    relations = dict(session.execute(select(RelationLabel.id, RelationLabel.name)
                                     .order_by(RelationLabel.position, RelationLabel.id)).all())
    result.spans = {name: dict.fromkeys(STATES, 0) for name in labels.values()}
    result.links = {name: dict.fromkeys(STATES, 0) for name in relations.values()}

    voters, needed = _voters(session, finishers, pool, min_agree, gold, result.skipped)
    result.considered = len(voters)
    votes, drawn = span_votes(session, voters), link_votes(session, voters)
    gold_voter = {document_id: {gold} for document_id in voters} if gold is not None else {}
    gold_spans = span_votes(session, gold_voter) if gold_voter else {}
    gold_links = link_votes(session, gold_voter) if gold_voter else {}
    spans_in: dict[int, list] = {}
    links_in: dict[int, list] = {}
    settled: list[int] = []  # documents where every candidate is in gold after this run
    for document_id in sorted(voters):
        k = needed[document_id]
        in_gold = set(gold_spans.get(document_id, ()))
        new_spans = [key for key in agreed(votes[document_id], k) if key not in in_gold]
        after = in_gold | set(new_spans)
        linked = set(gold_links.get(document_id, ()))
        new_links = [key for key in agreed(drawn[document_id], k)
                     if key not in linked and key[1] in after and key[2] in after]
        _count(result.spans, votes[document_id], in_gold, set(new_spans), lambda key: labels[key[0]])
        _count(result.links, drawn[document_id], linked, set(new_links), lambda key: relations[key[0]])
        spans_in[document_id], links_in[document_id] = new_spans, new_links
        if all(key in after for key in votes[document_id]) and \
                all(key in linked or key in new_links for key in drawn[document_id]):
            settled.append(document_id)
    if mark_done:
        result.marked_done = len(settled)
    if write:
        build = ChangeBuilder(session)
        if any(spans_in.values()):
            insert_gold_spans(build, spans_in, reviewer)
        if any(links_in.values()):
            insert_gold_links(build, links_in, reviewer)
        if mark_done:
            for document_id in settled:
                move_status(build, document_id, gold_id(build, create=True), "done")
        result.change = build.apply(_description(result))
    return result


def _pool(session: Session, annotators: Sequence[str] | None, min_agree: int | None) -> dict[int, str]:
    """id -> name of the annotators whose votes count, in the order they joined the project."""
    people = dict(session.execute(select(Annotator.id, Annotator.name).where(Annotator.role != GOLD)
                                  .order_by(Annotator.id)).all())
    if annotators is None:
        return people
    named = list(dict.fromkeys(annotators))
    by_name = {name: annotator_id for annotator_id, name in people.items()}
    gold_names = {GOLD, *session.scalars(select(Annotator.name).where(Annotator.role == GOLD))}
    for name in named:
        if name in gold_names:
            raise UserError(f"--annotators: {name!r} is the gold set, not an annotator; name the people whose work counts")
        if name not in by_name:
            raise UserError(f"--annotators: no annotator named {name!r} in this project; "
                            f"known: {', '.join(people.values()) or 'none'}")
    if len(named) < 2:
        raise UserError(f"--annotators: name at least two annotators (you named {', '.join(named) or 'none'}); "
                        "agreement needs two, or accept one person's spans in the review window")
    if min_agree is not None and min_agree > len(named):
        raise UserError(f"--min-agree {min_agree}: only {len(named)} annotators named ({', '.join(named)}); "
                        f"use at most {len(named)}")
    wanted = {by_name[name] for name in named}
    return {annotator_id: name for annotator_id, name in people.items() if annotator_id in wanted}


def _voters(session: Session, finishers: dict[int, set[int]], pool: dict[int, str], min_agree: int | None,
            gold: int | None, skipped: dict[str, int]) -> tuple[dict[int, set[int]], dict[int, int]]:
    """The documents to adjudicate: their voters and how many of them must agree; the rest counted in `skipped`."""
    done_by_gold = set(session.scalars(select(DocumentStatus.document_id).where(
        DocumentStatus.annotator_id == gold, DocumentStatus.status == "done"))) if gold is not None else set()
    voters, needed = {}, {}
    for document_id in session.scalars(select(Document.id).order_by(Document.id)):
        ids = finishers.get(document_id, set()) & pool.keys()
        k = min_agree if min_agree is not None else len(ids) // 2 + 1
        reason = (FEWER_THAN_TWO if len(ids) < 2 else f"fewer than {k} finished annotators" if len(ids) < k
                  else GOLD_DONE if document_id in done_by_gold else None)
        if reason is None:
            voters[document_id], needed[document_id] = ids, k
        else:
            skipped[reason] = skipped.get(reason, 0) + 1
    return voters, needed


def _count(figures: dict[str, dict[str, int]], votes: dict, in_gold: set, added: set, name) -> None:
    """Every candidate (a key any voter marked) is in gold already, goes in now, or waits for a reviewer."""
    for key in votes:
        figures[name(key)]["in_gold" if key in in_gold else "added" if key in added else "waiting"] += 1


def _description(result: Adjudication) -> str:
    spans = sum(f["added"] for f in result.spans.values())
    links = sum(f["added"] for f in result.links.values())
    return f"adjudicate: {spans} span{'s' if spans != 1 else ''} and {links} link{'s' if links != 1 else ''} into gold"
