"""`annotator assign`: hand the unassigned documents to the named annotators (a planned share
of them to several), and what the project's assignment looks like afterwards.

Stable: only documents nobody holds are planned, so a re-run after an import assigns the new
ones and moves nothing. `order="uncertain"` queues the planned documents whose model suggestions
are least certain first (who gets which document does not change, only the queue's order). `docs="all"` also re-plans the documents nobody has started (no status
beyond todo, no span but gold's); a document someone has started keeps its annotators.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import combinations

from sqlalchemy import func, select

from annotator.assignment import table
from annotator.assignment.plan import check_request, plan
from annotator.change_builder import ChangeBuilder
from annotator.errors import UserError
from annotator.model import Document, utcnow
from annotator.store import Project

DOCS = ("unassigned", "all")
BALANCE = ("docs", "words")
ORDERS = ("plan", "uncertain")


@dataclass(frozen=True)
class AssignSummary:
    created: tuple[str, ...]  # annotators that did not exist (made with role annotator)
    assigned: int  # documents planned by this run
    replanned: int  # of them, documents taken back from their annotators first (docs="all")
    documents: dict[str, int]  # name -> documents held, after the run (the named annotators)
    words: dict[str, int] | None  # name -> words held, with balance="words"
    pairs: dict[tuple[str, str], int]  # (a, b) -> documents both hold

    def as_dict(self) -> dict:
        return {"created": list(self.created), "assigned": self.assigned, "replanned": self.replanned,
                "documents": self.documents, "words": self.words,
                "pairs": [{"annotators": list(pair), "shared": n} for pair, n in self.pairs.items()]}


def assign_documents(project: Project, names: list[str], overlap: float = 0.0, per_doc: int = 2, seed: int = 0,
                     docs: str = "unassigned", balance: str = "docs", order: str = "plan") -> AssignSummary:
    """Plan and write the assignment in one transaction; refuse bad input before writing."""
    names = _checked_names(names)
    check_request(len(names), overlap, per_doc)
    if docs not in DOCS or balance not in BALANCE or order not in ORDERS:
        raise UserError(f"--docs is one of {', '.join(DOCS)}, --balance one of {', '.join(BALANCE)} "
                        f"and --order one of {', '.join(ORDERS)}")
    with project.transaction() as session:
        if not session.scalar(select(func.count()).select_from(Document)):
            raise UserError("the project has no documents; import some first (`annotator import PROJECT FILES`)")
        build = ChangeBuilder(session)
        ids_by_name, created = table.annotator_ids(session, names, build)
        retaken = table.unstarted_assignments(session) if docs == "all" else []
        for row in retaken:
            build.delete("assignments", row)
        # The new annotators and the documents taken back go first (one Change), so that loads
        # and the planned set see them; the planned rows follow a batch at a time.
        build.apply("take back documents nobody started" if retaken else f"add {', '.join(created)}")
        ids = [ids_by_name[name] for name in names]
        by_words = balance == "words"
        loads = table.current_loads(session, ids, by_words)
        documents, weights = table.unassigned_documents(session, by_words)
        planned = plan(weights, len(ids), overlap, per_doc, seed,
                       loads.words if by_words else loads.documents,
                       loads.shared_words if by_words else loads.shared_documents, loads.pairs)
        if order == "uncertain":
            planned = _least_certain_first(session, documents, planned)
        now = utcnow()
        positions = list(loads.next_position)
        words = loads.words
        pairs = Counter(loads.pairs)

        def rows():
            for doc, group in planned:
                for a in group:
                    yield {"document_id": documents[doc], "annotator_id": ids[a], "position": positions[a],
                           "assigned_at": now}
                    positions[a] += 1
                    words[a] += weights[doc]
                if len(group) > 1:
                    pairs.update(combinations(sorted(group), 2))

        table.write_in_batches(session, f"assign {len(documents)} documents", rows())
        # The totals after the run, counted while writing (no second pass over the table).
        held = [positions[a] - loads.next_position[a] + loads.documents[a] for a in range(len(ids))]
        return AssignSummary(
            tuple(created), len(documents), len({r["document_id"] for r in retaken}), dict(zip(names, held)),
            dict(zip(names, words)) if by_words else None,
            {(names[i], names[j]): pairs[i, j] for i, j in combinations(range(len(names)), 2)})


def _least_certain_first(session, documents, planned) -> list:
    """The plan in queue order by the documents' mean |score - 0.5| of model suggestions, lowest
    first; documents without scored suggestions after them, in the plan's order."""
    from annotator.suggestions.measures import document_uncertainty

    certainty = document_uncertainty(session)
    return sorted(planned, key=lambda item: (documents[item[0]] not in certainty,
                                             certainty.get(documents[item[0]], 0.0)))


def _checked_names(names: list[str]) -> list[str]:
    cleaned = [name.strip() for name in names if name.strip()]
    if not cleaned:
        raise UserError("no annotators given; name them with --annotators alice,bob")
    repeated = sorted({name for name in cleaned if cleaned.count(name) > 1})
    if repeated:
        raise UserError(f"--annotators names {repeated[0]!r} twice; give each annotator once")
    return cleaned
