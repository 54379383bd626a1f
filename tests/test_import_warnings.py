"""Spans off token boundaries are imported exactly as given, and the import says how many and shows some."""

import json

from sqlalchemy import select
from typer.testing import CliRunner

from cli.app import app
from annotator.importing import ImportOptions, import_path
from annotator.model import Label, Span

TEXT = "Vladimir Putin warned the West.\n\nThe minister said 2028.\n\nNothing else."
FR = "Le président a offert des armes à l'Otan, d'après l'AFP."


def _at(text, part, length=None):
    start = text.index(part)
    return start, start + (len(part) if length is None else length)


ALIGNED = [(*_at(TEXT, "Vladimir Putin"), "SPEAKER"), (*_at(TEXT, "The minister"), "SPEAKER")]
OFF = [
    (*_at(TEXT, "Vlad"), "QUOTE"),  # ends inside "Vladimir"
    (*_at(TEXT, " Putin"), "QUOTE"),  # starts with the space before "Putin"
    (*_at(TEXT, "2028.\n\n"), "FIGURE"),  # ends with the paragraph break (a whitespace token)
    (*_at(TEXT, "inister said"), "QUOTE"),  # starts inside "minister"
]


def _prodigy(path, text, spans, annotator="alice"):
    record = {"text": text, "answer": "accept", "_annotator_id": annotator,
              "meta": {"id": "putin-1"}, "spans": [{"start": s, "end": e, "label": l} for s, e, l in spans]}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _stored(project):
    with project.read() as session:
        return sorted(session.execute(
            select(Span.start, Span.end, Label.name).join(Label, Label.id == Span.label_id)).all())


def test_the_cli_warns_with_the_count_and_examples_and_stores_the_spans_unchanged(project, tmp_path):
    path = _prodigy(tmp_path / "alice.jsonl", TEXT, ALIGNED + OFF)
    result = CliRunner().invoke(app, ["import", project.url, str(path)])
    assert result.exit_code == 0, result.output
    assert "6 spans" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings[0] == ("warning: 4 spans are not on token boundaries (QUOTE 3, FIGURE 1): stored exactly as "
                           "given; the spaCy export will snap them to whole tokens and list each change in export.json")
    assert warnings[1:] == [
        'warning: e.g. alice.jsonl:1 (putin-1): QUOTE 0-4 "Vlad" ends inside a token',
        'warning: e.g. alice.jsonl:1 (putin-1): QUOTE 8-14 " Putin" starts with whitespace',
        f'warning: e.g. alice.jsonl:1 (putin-1): FIGURE {OFF[2][0]}-{OFF[2][1]} "2028.\\n\\n" ends with whitespace',
        f'warning: e.g. alice.jsonl:1 (putin-1): QUOTE {OFF[3][0]}-{OFF[3][1]} "inister said" starts inside a token',
    ]
    assert _stored(project) == sorted(ALIGNED + OFF)


def test_only_the_first_five_are_shown_and_long_texts_are_shortened(project, tmp_path):
    words = [(*_at(TEXT, word, len(word) - 1), "QUOTE") for word in ("Vladimir", "Putin", "warned", "West", "minister", "said")]
    long_one = (1, len(TEXT) - 2, "QUOTE")
    result = import_path(project, _prodigy(tmp_path / "a.jsonl", TEXT, [long_one] + words))
    assert result.warnings[0].startswith("7 spans are not on token boundaries (QUOTE 7)")
    assert len(result.warnings) == 1 + 5
    assert result.warnings[1] == r'e.g. a.jsonl:1 (putin-1): QUOTE 1-69 "ladimir Putin warne… 2028.\n\nNothing els" ' \
                                 "starts inside a token and ends inside a token"
    assert _stored(project) == sorted([long_one] + words)


def test_spans_on_token_boundaries_bring_no_warning(project, tmp_path):
    result = CliRunner().invoke(app, ["import", project.url, str(_prodigy(tmp_path / "a.jsonl", TEXT, ALIGNED))])
    assert result.exit_code == 0
    assert "warning" not in result.stderr
    assert import_path(project, _prodigy(tmp_path / "b.jsonl", TEXT, ALIGNED, "bob")).warnings == []


def test_the_tokens_checked_are_the_stored_ones(project, tmp_path):
    # Stored as French, "l'Otan" is two tokens, so "Otan" is a whole token: no warning, though an
    # English tokenizer (asked for here, but the text is already stored) would keep "l'Otan" whole.
    (tmp_path / "fr.txt").write_text(FR, encoding="utf-8")
    import_path(project, tmp_path / "fr.txt", ImportOptions(lang="fr"))
    otan = [(*_at(FR, "Otan"), "FIGURE")]
    assert import_path(project, _prodigy(tmp_path / "a.jsonl", FR, otan), ImportOptions(lang="en")).warnings == []
    fresh_text = FR.replace("Le président", "Le ministre")
    start, end = _at(fresh_text, "Otan")
    fresh = import_path(project, _prodigy(tmp_path / "b.jsonl", fresh_text, [(start, end, "FIGURE")]),
                        ImportOptions(lang="en"))
    assert fresh.warnings[1].endswith(f'FIGURE {start}-{end} "Otan" starts inside a token')


def test_the_import_dialog_shows_the_warnings(qtbot, project, tmp_path):
    from ui.import_dialog import ImportDialog

    dialog = ImportDialog(project, None)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(_prodigy(tmp_path / "alice.jsonl", TEXT, ALIGNED + OFF)))
    with qtbot.waitSignal(dialog.succeeded, timeout=10_000):
        dialog.begin()
    lines = dialog.message.text().splitlines()
    assert lines[0] == "alice.jsonl: 1 new documents, 0 already present, 6 spans, 0 links"
    assert lines[1].startswith("warning: 4 spans are not on token boundaries (QUOTE 3, FIGURE 1)")
    assert 'warning: e.g. alice.jsonl:1 (putin-1): QUOTE 0-4 "Vlad" ends inside a token' in lines
