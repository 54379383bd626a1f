"""`annotator assign --move-from bob --to alice,carol`: hand one annotator's unfinished documents
to others. Finished work (done or skipped) stays his; so do his spans on the documents handed
over (nothing is deleted: they are simply no longer in his queue). A document never goes to
someone who already holds it; the receivers' loads are balanced (least loaded first, placing
first the documents with fewest possible receivers), and each document goes to the end of its
receiver's queue in the order it had in his."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from annotator.assignment import table
from annotator.change_builder import ChangeBuilder
from annotator.changes import frozen
from annotator.errors import UserError
from annotator.model import Assignment, utcnow
from annotator.store import Project


@dataclass(frozen=True)
class MoveSummary:
    moved: dict[str, int]  # receiver -> documents received
    kept: int  # unfinished documents every receiver already held (they stay with the giver)
    finished: int  # the giver's finished documents, which stay his

    def as_dict(self) -> dict:
        return {"moved": self.moved, "kept": self.kept, "finished": self.finished}


def move_documents(project: Project, giver: str, receivers: list[str]) -> MoveSummary:
    receivers = [name.strip() for name in receivers if name.strip()]
    if not receivers:
        raise UserError("--move-from needs --to A,B: the annotators who take the documents over")
    if giver in receivers:
        raise UserError(f"--to names {giver!r}, who gives the documents; leave them out of --to")
    with project.transaction() as session:
        ids, _ = table.annotator_ids(session, [giver, *receivers], None)
        giver_id, receiver_ids = ids[giver], [ids[name] for name in receivers]
        finished = table.finished_documents(session, giver_id)
        held = session.execute(select(Assignment.__table__).where(Assignment.annotator_id == giver_id)
                               .order_by(Assignment.position)).mappings().all()
        unfinished = [frozen(row) for row in held if row["document_id"] not in finished]
        holders = table.holders_of(session, [row["document_id"] for row in unfinished])
        loads = table.current_loads(session, receiver_ids)
        load = [(loads.documents[i], i) for i in range(len(receivers))]
        eligible = [[i for i in range(len(receivers)) if receiver_ids[i] not in holders[row["document_id"]]]
                    for row in unfinished]
        # The documents with fewest possible receivers are placed first, so the free ones can even out.
        receiver: dict[int, int] = {}
        for step in sorted(range(len(unfinished)), key=lambda s: (len(eligible[s]), s)):
            if eligible[step]:
                _, i = min(load[i] for i in eligible[step])
                load[i] = (load[i][0] + 1, i)
                receiver[step] = i
        positions = list(loads.next_position)
        build = ChangeBuilder(session)
        now, moved = utcnow(), dict.fromkeys(receivers, 0)
        for step, row in enumerate(unfinished):  # into the receivers' queues in the giver's order
            if step not in receiver:
                continue
            i = receiver[step]
            build.insert("assignments", {"document_id": row["document_id"], "annotator_id": receiver_ids[i],
                                         "position": positions[i], "assigned_at": now})
            build.delete("assignments", row)
            positions[i] += 1
            moved[receivers[i]] += 1
        build.apply(f"hand {giver}'s unfinished documents over")
        return MoveSummary(moved, len(unfinished) - len(receiver), len([r for r in held if r["document_id"] in finished]))
