"""The model-in-the-loop story on the samples, through the commands and the decisions people make.

The lead imports the five sample articles and carol's sample annotations (labelled from nothing),
measures the starter rules against carol and suggests with them on alice's and bob's queues; alice
decides in the window, bob decides differently, each adds a few spans of their own from their
sample work and finishes; the reviewer pre-merges gold and marks it done; the lead trains a model
on gold, suggests with it, and puts it in the agreement table beside the three people. Every
expected number is worked out here from what the story did.

`ANNOTATOR_STORY_STEPS=N` trains N steps instead of a few; `-s` shows the figures the story
prints (benchmarks/model_loop_figures.py runs it so for README's "Suggestions and training").
"""

import csv
import json
import os
from collections import Counter
from collections.abc import Callable

from PySide6.QtCore import Qt

from annotator import queries
from annotator.review.adjudication import mark_gold_done
from annotator.commands import add_span, set_status
from annotator.schema import project_schema
from annotator.suggestions.decisions import Suggestion, accept, accept_all, reject, visible_suggestions
from tests.conftest import SAMPLES
from tests.helpers import cli_ok
from tests.ui_helpers import open_window

STEPS = int(os.environ.get("ANNOTATOR_STORY_STEPS", "12"))  # a few: the loop is tested, not the model
PATTERNS = SAMPLES / "patterns.jsonl"
ACCEPT_ALL = "Ctrl+Shift+Enter"
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
OWN_SPANS = 2  # per person and document, taken from their sample annotations
THREAT_WORDS = ("strike", "weapons", "respond", "consequences", "frapper", "armes")


def _json(*args):
    return json.loads(cli_ok(*args, "--json"))


# --------------------------------------------------------------------------- deciding on suggestions

Keys = Callable[[Suggestion, str], str]  # a suggestion and its text -> the key pressed on it


def accept_in_window(qtbot, window, document_id: int, keys: Keys | str) -> list[tuple[Suggestion, str]]:
    """The window's person decides on the document's suggestions by key on the article: Tab selects
    the first in text order, then `keys` says Enter (accept), X (reject) or a label's key 1-4
    (accept as that label) for each, the selection moving on by itself; keys == "Ctrl+Shift+Enter"
    accepts them all with that one key. The keys pressed, per suggestion."""
    window.open_document(document_id)
    visible, text = list(window.suggestions.visible), window.presenter.text
    if keys == ACCEPT_ALL:
        qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL | SHIFT)
        return [(s, "Enter") for s in visible]
    pressed = []
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    while window.suggestions.selected is not None:
        chosen = next(s for s in window.suggestions.visible if s.id == window.suggestions.selected)
        key = keys(chosen, text[chosen.start:chosen.end])
        qtbot.keyClick(window.view, {"Enter": Qt.Key.Key_Return, "X": Qt.Key.Key_X}.get(key, key))
        pressed.append((chosen, key))
    assert window.suggestions.visible == [] and len(pressed) == len(visible)
    return pressed


def _decide(project, document_id: int, annotator: str, keys: Keys | str) -> list[tuple[Suggestion, str]]:
    """What each key does, by the core API: the keys pressed, per suggestion."""
    with project.read() as session:
        visible = visible_suggestions(session, document_id, annotator)
        text, _ = queries.document_text(session, document_id)
        by_key = {label.key: label.name for label in project_schema(session).labels}
    if keys == ACCEPT_ALL:
        accept_all(project, document_id, annotator)
        return [(s, "Enter") for s in visible]
    pressed = [(s, keys(s, text[s.start:s.end])) for s in visible]
    for suggestion, key in pressed:
        if key == "X":
            reject(project, suggestion.id, annotator)
        else:
            accept(project, suggestion.id, annotator, None if key == "Enter" else by_key[key])
    return pressed


def alice_keys(suggestion: Suggestion, text: str) -> str:
    """Alice takes speakers, quotes and figures; a threat rule marks a word, not the threat: X."""
    return "X" if suggestion.label == "THREAT" else "Enter"


def bob_keys(suggestion: Suggestion, text: str) -> str:
    """Bob reads a quote that threatens as a THREAT (key 3) and finds the figure rule noisy."""
    if suggestion.label == "QUOTE" and any(word in text.lower() for word in THREAT_WORDS):
        return "3"
    return "X" if suggestion.label == "FIGURE" else "Enter"


def _tally(pressed: list[tuple[Suggestion, str]]) -> Counter:
    return Counter("rejected" if key == "X" else "accepted" if key == "Enter" else "changed" for _, key in pressed)


def _own_spans(project, person: str, sample: str, document_id: int) -> int:
    """The first OWN_SPANS spans of `sample`'s annotations of this article that `person` lacks,
    marked by hand; how many."""
    with project.read() as session:
        text, _ = queries.document_text(session, document_id)
        mine = queries.spans(session, document_ids=[document_id], annotators=[person])
    have = set(zip(mine["label"], mine["start"], mine["end"]))
    lines = (SAMPLES / "annotations" / f"{sample}.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    record = next(r for r in records if r["text"] == text)
    missing = [s for s in record["spans"] if (s["label"], s["start"], s["end"]) not in have][:OWN_SPANS]
    for span in missing:
        add_span(project, document_id, person, span["label"], span["start"], span["end"], exact=True)
    return len(missing)


# --------------------------------------------------------------------------- the story


def test_the_model_loop_story(qtbot, project, databases, tmp_path):
    # On a server a person is a login: named so that the test run drops it afterwards.
    alice, bob, carol, rita = (((databases.prefix if databases else "") + n) for n in ("alice", "bob", "carol", "rita"))
    url, figures = project.url, {}

    # The lead: the articles, carol's work from nothing, the team, alice's and bob's queues.
    cli_ok("import", url, SAMPLES / "articles")
    cli_ok("import", url, SAMPLES / "annotations" / "carol.jsonl", "--annotator", carol)
    cli_ok("team", "add", url, alice)
    cli_ok("team", "add", url, bob)
    cli_ok("team", "add", url, rita, "--role", "reviewer")
    cli_ok("assign", url, "--annotators", f"{alice},{bob}", "--overlap", "1", "--per-doc", "2")
    with project.read() as session:
        documents = queries.documents(session)
    ids, langs = documents["id"].tolist(), dict(zip(documents["id"], documents["lang"]))
    english = [d for d in ids if langs[d] == "en"]

    # The rules, measured against carol before anyone sees them; then suggested on both queues.
    figures["rules"] = _json("rules-check", url, "--patterns", PATTERNS, "--against", carol)
    assert figures["rules"]["documents"] == {carol: 5}
    for label, row in figures["rules"]["labels"][carol].items():
        assert 0 <= row["precision_exact"] <= row["precision_overlap"] <= 1, label
    for person in (alice, bob):
        stored = _json("suggest", url, "--patterns", PATTERNS, "--for", person)
        assert stored["source"] == "rules" and stored["documents"] == 5
    figures["suggested"] = stored["spans"]
    suggested = sum(stored["spans"].values())
    assert stored["added"] == 0 and stored["kept"] == suggested  # bob's run found alice's: nothing doubled

    # Suggestions are nobody's annotations: stats count them apart, exports leave them out.
    stats = _json("stats", url)
    assert stats["suggestions"]["rules"] == stored["spans"]
    assert sum(stats["annotators"][alice]["spans"].values()) == 0
    carol_spans = sum(stats["annotators"][carol]["spans"].values())
    cli_ok("export", url, "--out", tmp_path / "before", "--format", "csv", "--source", "majority")
    with (tmp_path / "before" / "spans.csv").open(encoding="utf-8", newline="") as rows:
        exported = list(csv.DictReader(rows))
    assert len(exported) == carol_spans > 0  # carol alone finished: her spans are the majority's, no rule's

    # Alice in the window (the French article all at once), bob likewise with other choices; each
    # adds spans of their own and finishes every article.
    decided, own = {alice: Counter(), bob: Counter()}, Counter()
    window = open_window(qtbot, project, alice, tmp_path / "settings.ini")
    for document in ids:
        decided[alice] += _tally(accept_in_window(qtbot, window, document,
                                                  ACCEPT_ALL if langs[document] == "fr" else alice_keys))
        decided[bob] += _tally(_decide(project, document, bob, bob_keys))
        for person, sample in ((alice, "alice"), (bob, "bob")):
            own[person] += _own_spans(project, person, sample, document)
            set_status(project, document, person, "done")
    for person in (alice, bob):
        assert sum(decided[person].values()) == suggested  # each decided on every suggestion once
    assert decided[alice]["rejected"] > 0 and decided[bob]["changed"] > 0 and decided[alice] != decided[bob]
    figures["decided"] = {person: dict(decided[person], own=own[person]) for person in (alice, bob)}

    stats = _json("stats", url)
    with project.read() as session:
        origins = queries.spans(session, annotators=[alice, bob]).groupby("annotator")["origin"].value_counts()
    for person in (alice, bob):
        taken = decided[person]["accepted"] + decided[person]["changed"]
        assert sum(stats["annotators"][person]["spans"].values()) == taken + own[person]
        assert origins[person].to_dict() == {k: n for k, n in (*decided[person].items(), ("manual", own[person]))
                                             if k != "rejected" and n}
        assert stats["annotators"][person]["done"] == 5
    assert stats["suggestions"]["rules"] == stored["spans"]  # accepting copies; the suggestion stays a suggestion

    # The reviewer: gold from what at least two of the three marked alike, marked done.
    gold = _json("adjudicate", url, "--reviewer", rita)
    for document in ids:
        mark_gold_done(project, document, rita)
    figures["gold"] = {label: row["added"] for label, row in gold["spans"].items()}
    assert sum(figures["gold"].values()) > 0

    # The lead: a model trained on gold, its suggestions, the model in the agreement table.
    models = tmp_path / "v1"
    cli_ok("train", url, "--out", models, "--source", "gold", "--lang", "en", "--max-steps", STEPS)
    scores = json.loads((models / "en" / "scores.json").read_text(encoding="utf-8"))
    figures["train"] = scores["scores"]
    assert scores["source"] == "gold" and [len(scores["documents"][s]) for s in ("train", "dev")] == [3, 1]
    for prf in scores["scores"]["spancat"]["labels"].values():
        assert prf is None or all(0 <= prf[m] <= 1 for m in "prf")
    by_model = _json("suggest", url, "--model", models)
    assert by_model["source"] == "model:v1" and by_model["documents"] == 4 and by_model["skipped"] == {"fr": 1}
    figures["model_suggested"] = by_model["spans"]

    people = [alice, bob, carol]
    report = _json_agreement(url, [*people, "model:v1"])
    assert report["annotators"] == [*people, "model:v1"] and report["documents"] == len(english)
    overall = {(p["a"], p["b"]): p for p in report["pairs"] if p["label"] == "_overall"}
    for person in people:
        f1 = overall[(person, "model:v1")]["span_f1_overlap"]
        assert isinstance(f1, float) and 0 <= f1 <= 1
    assert overall[(alice, bob)]["span_f1_exact"] < 1  # different choices: not trivially alike
    for person in (alice, bob):
        counted = report["suggestion_decisions"][person]
        assert counted == {kind: decided[person][kind] for kind in ("accepted", "changed", "rejected")}
    assert report["suggestion_decisions"][carol] == {"accepted": 0, "changed": 0, "rejected": 0}
    figures["agreement"] = report
    figures["rules_after"] = _json("rules-check", url, "--patterns", PATTERNS, "--against", f"{alice},{bob}")
    table = cli_ok("agreement", url, "--annotators", ",".join([*people, "model:v1"]))
    assert "model:v1" in table and all(person in table for person in people)
    assert sorted(_json_agreement(url, [])["annotators"]) == sorted(people)  # by default: the people only
    print(_figures_text(figures, people))


def _json_agreement(url: str, names: list[str]) -> dict:
    return json.loads(cli_ok("agreement", url, *(["--annotators", ",".join(names)] if names else []), "--format", "json"))


def _figures_text(figures: dict, people: list[str]) -> str:
    """The story's figures as Markdown tables, as README shows them (pytest -s prints them)."""
    def cell(value) -> str:
        return "—" if value is None else f"{value:.2f}"

    carol = people[-1]
    lines = [f"model trained {STEPS} steps", "", "| label | rules vs carol: P / R exact (overlap) | "
             + " | ".join(f"rules vs {p}, after" for p in people[:2]) + " | suggested | gold | train dev P / R / F "
             "(spancat) | model suggested |", "|---" * 8 + "|"]
    for label, row in figures["rules"]["labels"][carol].items():
        after = [figures["rules_after"]["labels"][p][label] for p in people[:2]]
        prf = figures["train"]["spancat"]["labels"].get(label)
        lines.append(f"| {label} | {cell(row['precision_exact'])} / {cell(row['recall_exact'])} "
                     f"({cell(row['precision_overlap'])} / {cell(row['recall_overlap'])}) | "
                     + " | ".join(f"{cell(a['precision_exact'])} / {cell(a['recall_exact'])}" for a in after)
                     + f" | {figures['suggested'].get(label, 0)} | {figures['gold'].get(label, 0)} | "
                     + ("—" if prf is None else " / ".join(f"{prf[m]:.3f}" for m in "prf"))
                     + f" | {figures['model_suggested'].get(label, 0)} |")
    lines += ["", "| person | accepted | changed | rejected | own spans |", "|---" * 5 + "|"]
    lines += [f"| {p} | {d.get('accepted', 0)} | {d.get('changed', 0)} | {d.get('rejected', 0)} | {d['own']} |"
              for p, d in figures["decided"].items()]
    names = [*people, "model:v1"]
    pairs = {frozenset((p["a"], p["b"])): p for p in figures["agreement"]["pairs"] if p["label"] == "_overall"}
    lines += ["", f"span F1 exact (overlap), all labels, on the {figures['agreement']['documents']} articles "
              "all four finished", "", "| | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for a in names:
        lines.append(f"| {a} | " + " | ".join("—" if a == b else f"{cell(pairs[frozenset((a, b))]['span_f1_exact'])} "
                                              f"({cell(pairs[frozenset((a, b))]['span_f1_overlap'])})"
                                              for b in names) + " |")
    return "\n".join(lines)
