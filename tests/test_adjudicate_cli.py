"""`annotator adjudicate`: agreed spans and links into gold for the whole project, from the command line.

The expected figures are worked out here with a plain loop over the rows stored in the
project (plain SQL through the driver itself, not the tool's queries), on the sample project: alice, bob and carol
finished all five articles.
"""

import hashlib
import json
from collections import Counter, defaultdict

import pytest
from typer.testing import CliRunner

from annotator.review.auto_adjudication import adjudicate_project
from annotator.changes import apply
from annotator.commands import set_status
from annotator.review.adjudication import mark_gold_done
from cli.app import app
from tests.helpers import snapshot

runner = CliRunner()
LABELS = ["SPEAKER", "QUOTE", "THREAT", "FIGURE"]
RELATIONS = ["said_by", "threatened_by"]


def _run(project, *args):
    return runner.invoke(app, ["adjudicate", project.url, "--reviewer", "rita", *map(str, args)])


def _json(project, *args) -> dict:
    result = _run(project, "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _rows(project, sql):
    connection = project.engine.raw_connection()  # sqlite3's or psycopg's own connection
    try:
        cursor = connection.cursor()
        cursor.execute(sql)
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        connection.close()


def _stored(project):
    """Per document: the finishers (status done, not gold); every span and link by annotator name."""
    finished = defaultdict(set)
    for doc, who in _rows(project, "SELECT s.document_id, a.name FROM document_status s JOIN annotators a "
                                   "ON a.id = s.annotator_id WHERE s.status = 'done' AND a.role != 'gold'"):
        finished[doc].add(who)
    spans = _rows(project, "SELECT s.document_id, a.name, l.name, s.start, s.\"end\" FROM spans s "
                           "JOIN annotators a ON a.id = s.annotator_id JOIN labels l ON l.id = s.label_id")
    links = _rows(project, "SELECT h.document_id, a.name, r.name, hl.name, h.start, h.\"end\", cl.name, c.start, c.\"end\" "
                           "FROM relations x JOIN relation_labels r ON r.id = x.label_id "
                           "JOIN annotators a ON a.id = x.annotator_id "
                           "JOIN spans h ON h.id = x.head_id JOIN labels hl ON hl.id = h.label_id "
                           "JOIN spans c ON c.id = x.child_id JOIN labels cl ON cl.id = c.label_id")
    return finished, spans, links


def _expected(project, threshold, only=None):
    """What should go in: per document, span keys and link keys with >= threshold(n) finishers' votes."""
    finished, spans, links = _stored(project)
    gold_spans, gold_links = _gold(project)
    voters = {doc: (names & set(only)) if only else names for doc, names in finished.items()}
    votes, link_votes = defaultdict(set), defaultdict(set)
    for doc, who, label, start, end in spans:
        if who in voters.get(doc, ()):
            votes[doc, (label, start, end)].add(who)
    for doc, who, relation, *ends in links:
        if who in voters.get(doc, ()):
            link_votes[doc, (relation, tuple(ends[:3]), tuple(ends[3:]))].add(who)
    considered = {doc for doc, names in voters.items() if len(names) >= 2 and len(names) >= threshold(len(names))}
    into = {(doc, key) for (doc, key), who in votes.items()
            if doc in considered and len(who) >= threshold(len(voters[doc]))}
    gold_after = into | gold_spans
    links_in = {(doc, key) for (doc, key), who in link_votes.items()
                if doc in considered and len(who) >= threshold(len(voters[doc]))
                and (doc, key[1]) in gold_after and (doc, key[2]) in gold_after}
    spans_figures = {label: {"added": 0, "in_gold": 0, "waiting": 0} for label in LABELS}
    for doc, key in votes:
        if doc in considered:
            state = "in_gold" if (doc, key) in gold_spans else "added" if (doc, key) in into else "waiting"
            spans_figures[key[0]][state] += 1
    links_figures = {name: {"added": 0, "in_gold": 0, "waiting": 0} for name in RELATIONS}
    for doc, key in link_votes:
        if doc in considered:
            state = "in_gold" if (doc, key) in gold_links else "added" if (doc, key) in links_in else "waiting"
            links_figures[key[0]][state] += 1
    return into, links_in, spans_figures, links_figures, considered


def _gold(project):
    finished, spans, links = _stored(project)
    return ({(doc, (label, start, end)) for doc, who, label, start, end in spans if who == "gold"},
            {(doc, (relation, tuple(ends[:3]), tuple(ends[3:]))) for doc, who, relation, *ends in links if who == "gold"})


def majority(n):
    return n // 2 + 1


def test_default_is_the_majority_of_each_documents_finishers(sample_project):
    into, links_in, spans_figures, links_figures, considered = _expected(sample_project, majority)
    data = _json(sample_project)
    assert data["rule"] == {"majority": True, "min_agree": None}
    assert data["annotators"] == ["alice", "bob", "carol"] and data["reviewer"] == "rita"
    assert data["documents"] == {"considered": 5, "skipped": {}, "marked_done": 0} and len(considered) == 5
    assert data["spans"] == spans_figures and data["links"] == links_figures
    assert sum(f["added"] for f in spans_figures.values()) > 100 and sum(f["waiting"] for f in spans_figures.values())
    assert sum(f["added"] for f in links_figures.values()) > 50
    assert _gold(sample_project) == (into, links_in)
    # every gold span and link records the reviewer; gold's own status shows work started
    assert {name for (name,) in _rows(sample_project, "SELECT r.name FROM spans s JOIN annotators g ON g.id = s.annotator_id "
                                      "JOIN annotators r ON r.id = s.reviewer_id WHERE g.name = 'gold'")} == {"rita"}
    assert {name for (name,) in _rows(sample_project, "SELECT r.name FROM relations x JOIN annotators g ON "
                                      "g.id = x.annotator_id JOIN annotators r ON r.id = x.reviewer_id "
                                      "WHERE g.name = 'gold'")} == {"rita"}
    assert _rows(sample_project, "SELECT DISTINCT s.status FROM document_status s JOIN annotators g "
                                 "ON g.id = s.annotator_id WHERE g.name = 'gold'") == [("in_progress",)]


def test_the_table_says_per_label_what_went_in_and_what_waits(sample_project):
    _, _, spans_figures, _, _ = _expected(sample_project, majority)
    result = _run(sample_project)
    assert result.exit_code == 0, result.output
    assert "5 documents considered, 0 skipped" in result.stdout
    quote = next(line for line in result.stdout.splitlines() if line.strip("│ ").startswith("QUOTE"))
    figures = [int(cell) for cell in quote.replace("│", " ").split()[1:]]
    assert figures == [spans_figures["QUOTE"][k] for k in ("added", "in_gold", "waiting")]
    assert "review window" in result.stdout


def test_all_three_then_majority_then_a_pair(sample_project, tmp_path):
    unanimous, unanimous_links, figures3, _, _ = _expected(sample_project, lambda n: 3)
    data = _json(sample_project, "--min-agree", 3)
    assert data["rule"] == {"majority": False, "min_agree": 3} and data["spans"] == figures3
    assert _gold(sample_project) == (unanimous, unanimous_links)
    # majority afterwards adds the spans two of three marked; the unanimous ones are already in gold
    into, links_in, figures, _, _ = _expected(sample_project, majority)
    data = _json(sample_project, "--majority")
    assert data["spans"] == figures
    assert {label: f["in_gold"] for label, f in figures.items()} == dict(Counter(k[0] for _, k in unanimous)) | {
        label: 0 for label in LABELS if label not in {k[0] for _, k in unanimous}}
    assert _gold(sample_project)[0] == into | unanimous and unanimous < into


def test_annotators_subset(sample_project):
    into, links_in, figures, links_figures, _ = _expected(sample_project, lambda n: 2, only={"alice", "carol"})
    data = _json(sample_project, "--annotators", "alice,carol", "--min-agree", 2)
    assert data["annotators"] == ["alice", "carol"]
    assert data["spans"] == figures and data["links"] == links_figures
    assert _gold(sample_project) == (into, links_in)
    # majority of two is both of them: the same result, nothing new
    again = _json(sample_project, "--annotators", "alice,carol")
    assert all(f["added"] == 0 for f in again["spans"].values())


def test_documents_with_fewer_than_two_finishers_are_skipped(sample_project):
    first, second = (doc for (doc,) in _rows(sample_project, "SELECT id FROM documents ORDER BY id LIMIT 2"))
    set_status(sample_project, first, "bob", "in_progress")
    set_status(sample_project, first, "carol", "in_progress")
    set_status(sample_project, second, "carol", "skipped")  # two finishers: majority is both
    into, links_in, figures, links_figures, considered = _expected(sample_project, majority)
    data = _json(sample_project)
    assert data["documents"] == {"considered": 4, "skipped": {"fewer than two finished annotators": 1}, "marked_done": 0}
    assert considered == set(_stored(sample_project)[0]) - {first}
    assert data["spans"] == figures and _gold(sample_project) == (into, links_in)
    assert not any(doc == first for doc, _ in into)
    three = _json(sample_project, "--min-agree", 3, "--dry-run")
    assert three["documents"] == {"considered": 3, "marked_done": 0, "skipped": {"fewer than two finished annotators": 1,
                                                              "fewer than 3 finished annotators": 1}}
    # a document whose gold set a reviewer marked done is left alone
    mark_gold_done(sample_project, second, "rita")
    again = _json(sample_project, "--min-agree", 1, "--annotators", "alice,bob")
    assert again["documents"]["skipped"] == {"fewer than two finished annotators": 1, "gold marked done": 1}


def test_running_twice_adds_nothing(sample_project):
    first = _json(sample_project)
    before = snapshot(sample_project)
    second = _json(sample_project)
    assert snapshot(sample_project) == before
    for kind in ("spans", "links"):
        for label, f in second[kind].items():
            assert f == {"added": 0, "in_gold": first[kind][label]["added"], "waiting": first[kind][label]["waiting"]}


def test_dry_run_changes_nothing_and_prints_the_same_figures(sample_project, tmp_path):
    path = sample_project.engine.url.database
    sample_project.close()  # no connection of ours touches the file meanwhile

    def digest():
        if sample_project.engine.dialect.name != "sqlite":
            return snapshot(sample_project)  # on a server: every row
        return {suffix: hashlib.sha256(open(path + suffix, "rb").read()).hexdigest()
                for suffix in ("", "-wal", "-shm") if __import__("os").path.exists(path + suffix)}

    before = digest()
    dry = _json(sample_project, "--dry-run")
    assert digest() == before and dry["dry_run"] is True
    table = _run(sample_project, "--dry-run")
    assert table.exit_code == 0 and "dry run" in table.stdout.lower() and digest() == before
    real = _json(sample_project)
    assert real["dry_run"] is False and {**real, "dry_run": True} == dry
    assert digest() != before


def test_one_change_that_undo_restores(sample_project):
    before = snapshot(sample_project)
    result = adjudicate_project(sample_project, "rita")
    assert result.change is not None and len(result.change.rows("spans")) == sum(
        f["added"] for f in result.spans.values())
    assert len(result.change.rows("relations")) == sum(f["added"] for f in result.links.values())
    after = snapshot(sample_project)
    apply(sample_project, result.change.inverse())
    assert snapshot(sample_project) == before
    apply(sample_project, result.change)
    assert snapshot(sample_project) == after


@pytest.mark.parametrize("args, message", [
    (["--min-agree", 0], "--min-agree 0: at least one annotator must agree; use 1 or more"),
    (["--min-agree", 3, "--annotators", "alice,bob"], "--min-agree 3: only 2 annotators named"),
    (["--annotators", "alice,zed"], "--annotators: no annotator named 'zed'"),
    (["--annotators", "alice"], "--annotators: name at least two annotators"),
    (["--annotators", "alice,alice"], "--annotators: name at least two annotators"),
    (["--annotators", "alice,gold"], "'gold' is the gold set"),
    (["--majority", "--min-agree", 2], "--majority or --min-agree K, not both"),
])
def test_refusals_are_one_line_and_change_nothing(sample_project, args, message):
    before = snapshot(sample_project)
    result = _run(sample_project, *args)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert snapshot(sample_project) == before


def test_reviewer_defaults_to_the_login_name(sample_project, monkeypatch):
    monkeypatch.setenv("LOGNAME", "lena")
    monkeypatch.setenv("USER", "lena")
    result = runner.invoke(app, ["adjudicate", sample_project.url, "--min-agree", 3])
    assert result.exit_code == 0, result.output
    login = sample_project.engine.url.username or "lena"  # on a server: the database login
    assert f"reviewer {login}" in result.stdout
    refused = runner.invoke(app, ["adjudicate", sample_project.url, "--reviewer", "gold"])
    assert refused.exit_code == 1 and "not a person" in refused.stderr


def _gold_done(project) -> set[int]:
    return {doc for (doc,) in _rows(project, "SELECT s.document_id FROM document_status s JOIN annotators g "
                                             "ON g.id = s.annotator_id WHERE g.name = 'gold' AND s.status = 'done'")}


def test_mark_done_closes_the_documents_where_nothing_waits(sample_project):
    into, links_in, _, _, considered = _expected(sample_project, majority)
    _, spans, links = _stored(sample_project)
    finished = _stored(sample_project)[0]
    waiting = {doc for doc, who, label, start, end in spans if who in finished.get(doc, ())
               and (doc, (label, start, end)) not in into}
    waiting |= {doc for doc, who, relation, *ends in links if who in finished.get(doc, ())
                and (doc, (relation, tuple(ends[:3]), tuple(ends[3:]))) not in links_in}
    settled = considered - waiting
    assert 0 < len(considered - settled)  # some documents keep candidates for the review window
    data = _json(sample_project, "--mark-done")
    assert data["documents"]["marked_done"] == len(settled)
    assert _gold_done(sample_project) == settled
    # a pair of people who agreed on everything they marked: every document settled and closed
    data = _json(sample_project, "--annotators", "alice,bob", "--min-agree", 1, "--mark-done")
    assert data["documents"]["marked_done"] == len(considered - settled)
    assert _gold_done(sample_project) == considered
    again = _json(sample_project, "--mark-done")  # closed documents are left alone, as a reviewer's are
    assert again["documents"] == {"considered": 0, "skipped": {"gold marked done": 5}, "marked_done": 0}


def test_mark_done_in_a_dry_run_counts_and_writes_nothing(sample_project):
    before = snapshot(sample_project)
    data = _json(sample_project, "--min-agree", 1, "--mark-done", "--dry-run")
    assert data["documents"]["marked_done"] == 5
    result = _run(sample_project, "--min-agree", 1, "--mark-done", "--dry-run")
    assert result.exit_code == 0 and "5 documents' gold would be marked done" in result.stdout
    assert snapshot(sample_project) == before
