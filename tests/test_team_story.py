"""The whole team story on one project, through the commands and keys people use: the lead imports
300 articles, puts five annotators on the team and hands the articles out with a planned overlap;
two annotators work in the window, one offline in a bundle; the lead imports 50 more and assigns
again (nothing already assigned moves); the bundle merges back; progress and agreement count what
was done. Every expected number is worked out here from what the story did."""

import json
from collections import Counter

from PySide6.QtCore import Qt
from sqlalchemy import select

from annotator.commands import add_span, set_status
from annotator.model import Assignment, Document
from annotator.store import open_project
from tests.assign_helpers import assignment_rows, queue_of
from tests.conftest import SAMPLES
from tests.helpers import cli_ok
from tests.ui_helpers import open_window

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
ASSIGN = ("--overlap", "0.2", "--per-doc", "2", "--seed", "11")


def _articles(folder, count: int, start: int):
    """`count` short distinct articles (the opening words of the sample paragraphs, numbered) as
    one JSONL file to import."""
    paragraphs = [" ".join(p.split()[:12]) for path in sorted((SAMPLES / "articles").glob("*.txt"))
                  for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.split()) >= 4]
    path = folder / f"articles-{start}.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(start, start + count):
            text = f"{paragraphs[i % len(paragraphs)]} (article {i})"
            out.write(json.dumps({"text": text, "meta": {"name": f"article-{i:03}"}}) + "\n")
    return path


def _work_in_the_window(qtbot, project, name, settings, first: list[int], walk: int) -> list[int]:
    """`name` opens the window on her queue, marks the first word of each document SPEAKER with the
    keyboard and Ctrl+Enter's it done: first the documents `first` (picked in the list), then the
    next `walk` her queue offers. The documents she finished, in order."""
    queue = queue_of(project, name)
    window = open_window(qtbot, project, name, settings)
    assert window.documents.visible_ids() == queue  # her queue, in assignment order
    assert window.current_document() == queue[0]
    finished: list[int] = []
    for step in range(len(first) + walk):
        if step < len(first):
            window.open_document(first[step])
        document = window.current_document()
        assert document in queue and document not in finished
        qtbot.keyClick(window.view, Qt.Key.Key_Right, CTRL | SHIFT)
        qtbot.keyClick(window.view, Qt.Key.Key_1)  # SPEAKER: the opening word
        qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL)  # done: on to the next in her queue
        finished.append(document)
        remaining = [d for d in queue if d not in finished]
        assert window.current_document() in remaining
        assert window.documents.visible_ids() == remaining
    window.close()
    return finished


def test_the_team_story(qtbot, project, databases, tmp_path):
    # On a server a person is a login: named so that the test run drops it afterwards.
    alice, bob, carol, dave, erin = team = [(databases.prefix if databases else "") + n
                                            for n in ("alice", "bob", "carol", "dave", "erin")]
    url = project.url

    # The lead: 300 articles, five annotators, a plan with 20 % of the articles labelled twice.
    cli_ok("import", url, _articles(tmp_path, 300, 0))
    for name in team:
        assert "added as annotator" in cli_ok("team", "add", url, name)
    cli_ok("assign", url, "--annotators", ",".join(team), *ASSIGN)
    planned = assignment_rows(project)
    holders = Counter(document for document, _, _ in planned)
    assert len(holders) == 300 and Counter(holders.values()) == {1: 240, 2: 60}
    assert Counter(who for _, who, _ in planned) == dict.fromkeys(team, 72)  # 360 / 5

    # alice and bob in the window: first two articles they share, then what their queues offer next.
    shared = [d for d in queue_of(project, alice) if d in set(queue_of(project, bob))][:2]
    assert len(shared) == 2  # the plan gives every pair about 60 / 10 shared articles
    done = {alice: _work_in_the_window(qtbot, project, alice, tmp_path / "alice.ini", shared, 3),
            bob: _work_in_the_window(qtbot, project, bob, tmp_path / "bob.ini", shared, 2)}

    # carol offline: her bundle, three articles marked and finished in it with the core commands.
    bundle = tmp_path / "carol.annot"
    cli_ok("bundle", "out", url, "--annotator", carol, "--out", bundle)
    offline = open_project(str(bundle))
    try:
        with offline.read() as session:
            carols = session.execute(select(Document.id, Document.sha256).join(
                Assignment, Assignment.document_id == Document.id).order_by(Assignment.position)).all()
        assert len(carols) == 72
        for document_id, _ in carols[:3]:
            add_span(offline, document_id, carol, "SPEAKER", 0, 3)
            set_status(offline, document_id, carol, "done")
    finally:
        offline.close()

    # The lead meanwhile: 50 more articles, assigned again; nothing assigned before moves.
    cli_ok("import", url, _articles(tmp_path, 50, 300))
    cli_ok("assign", url, "--annotators", ",".join(team), *ASSIGN)
    after = assignment_rows(project)
    assert planned <= after
    new = Counter(document for document, _, _ in after - planned)
    assert len(new) == 50 and not set(new) & set(holders) and Counter(new.values()) == {1: 40, 2: 10}
    held = Counter(who for _, who, _ in after)
    assert held == dict.fromkeys(team, 84)  # (360 + 60) / 5: the new articles keep the load balanced

    # carol's work merges back: her three articles, one span added on each.
    merged = json.loads(cli_ok("bundle", "in", url, bundle, "--json"))
    assert len(merged["merged"]) == 3 and merged["total"]["spans_added"] == 3
    with project.read() as session:
        ids = dict(session.execute(select(Document.sha256, Document.id)).all())
    done[carol] = [ids[sha] for _, sha in carols[:3]]
    again = json.loads(cli_ok("bundle", "in", url, bundle, "--json"))
    assert again["total"]["changes"] == 0 and again["merged"] == []

    # Progress counts exactly that work.
    report = json.loads(cli_ok("progress", url, "--json"))
    assert report["documents"] == 350 and report["unassigned"] == 0
    for name in team:
        row = report["annotators"][name]
        finished = len(done.get(name, []))
        assert (row["assigned"], row["done"], row["skipped"], row["remaining"]) == (84, finished, 0, 84 - finished)
        assert row["spans"]["SPEAKER"] == finished and sum(row["spans"].values()) == finished
    assert report["total"]["done"] == 5 + 4 + 3 and report["total"]["assigned"] == 420
    holding: dict[int, set[str]] = {}
    for document, who, _ in after:
        holding.setdefault(document, set()).add(who)
    two = {d: people for d, people in holding.items() if len(people) == 2}
    ready = [d for d, people in two.items() if all(d in done.get(p, []) for p in people)]
    assert len(two) == 70 and (report["overlap"]["documents"], report["overlap"]["ready"]) == (70, len(ready))
    assert sorted(d["document_id"] for d in report["overlap"]["detail"] if d["ready"]) == sorted(ready)
    assert set(shared) <= set(ready)

    # Agreement between alice and bob: on the articles both finished, and it says how many.
    agreement = json.loads(cli_ok("agreement", url, "--annotators", f"{alice},{bob}", "--format", "json"))
    both = set(done[alice]) & set(done[bob])
    assert agreement["documents"] == len(both) >= 2 and agreement["document_rule"] == "all-finished"
    assert agreement["labels"]["SPEAKER"]["krippendorff_alpha"] is not None
