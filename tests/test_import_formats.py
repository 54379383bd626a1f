"""Every import format, into real project files."""

import json

import numpy as np
import pytest
from sqlalchemy import select

from annotator.importing import ImportOptions, import_path
from annotator.model import Annotator, Document, DocumentStatus, Label, Relation, Span
from annotator.text import blank
from annotator.tokens import unpack_tokens

EN = "Vladimir Putin said on Tuesday that Russia would respond. “We will act,” he said."
FR = "Le président russe a déclaré qu'il était « prêt » à offrir des armes à l'Otan, d'après l'AFP."


def _write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _documents(project):
    with project.read() as session:
        return session.execute(select(Document.name, Document.text, Document.lang, Document.meta)
                               .order_by(Document.id)).all()


def _spans(project):
    with project.read() as session:
        return session.execute(
            select(Annotator.name, Label.name, Span.start, Span.end, Span.origin)
            .join(Annotator, Annotator.id == Span.annotator_id).join(Label, Label.id == Span.label_id)
            .order_by(Annotator.name, Span.start, Label.name)
        ).all()


def _statuses(project):
    with project.read() as session:
        return sorted(session.execute(
            select(Annotator.name, DocumentStatus.document_id, DocumentStatus.status)
            .join(Annotator, Annotator.id == DocumentStatus.annotator_id)
        ).all())


def test_txt_file_keeps_line_ends_and_drops_the_bom(project, tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes("\ufeffThe minister said it.\r\nThis is the second line.\r\n".encode("utf-8"))
    result = import_path(project, path)
    assert (result.format, result.documents_added) == ("txt", 1)
    [(name, text, lang, meta)] = _documents(project)
    assert text == "The minister said it.\r\nThis is the second line.\r\n"
    assert (name, lang, meta) == ("crlf.txt", "en", {"source": "crlf.txt"})


def test_txt_folder_imports_one_document_per_file_and_detects_languages(project, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(EN, encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text(FR, encoding="utf-8")
    (tmp_path / "in" / "notes.md").write_text("ignored", encoding="utf-8")
    result = import_path(project, tmp_path / "in")
    assert result.documents_added == 2 and result.languages == {"en": 1, "fr": 1}
    assert [(d.name, d.lang) for d in _documents(project)] == [("a.txt", "en"), ("b.txt", "fr")]


def test_documents_keep_the_import_order_across_languages(project, tmp_path):
    records = [{"text": f"{EN} ({i})"} if i % 2 else {"text": f"{FR} ({i})"} for i in range(6)]
    import_path(project, _write_jsonl(tmp_path / "mixed.jsonl", records))
    assert [d.text for d in _documents(project)] == [r["text"] for r in records]
    assert [d.lang for d in _documents(project)] == ["fr", "en"] * 3


def test_tokens_are_stored_at_import_and_equal_spacys(project, tmp_path):
    import_path(project, _write_jsonl(tmp_path / "d.jsonl", [{"text": FR}]))
    with project.read() as session:
        blob = session.scalar(select(Document.tokens))
    stored = unpack_tokens(blob)
    doc = blank("fr")(FR)
    assert stored.tolist() == [[t.idx, t.idx + len(t.text)] for t in doc]


def test_jsonl_with_meta_and_forced_language(project, tmp_path):
    path = _write_jsonl(tmp_path / "docs.jsonl", [{"text": EN, "meta": {"id": "art-1", "source": "AFP"}}, {"text": FR}])
    result = import_path(project, path, ImportOptions(lang="fr"))
    assert result.records == 2
    docs = _documents(project)
    assert [(d.name, d.lang) for d in docs] == [("art-1", "fr"), ("docs.jsonl:2", "fr")]
    assert docs[0].meta == {"id": "art-1", "source": "AFP"}


def test_csv_with_a_chosen_text_column_and_multiline_fields(project, tmp_path):
    path = tmp_path / "docs.csv"
    path.write_text('id,body,section\n1,"Line one\nline two",world\n2,' + '"' + FR + '",europe\n', encoding="utf-8")
    import_path(project, path, ImportOptions(text_column="body"))
    docs = _documents(project)
    assert [d.text for d in docs] == ["Line one\nline two", FR]
    assert docs[0].meta == {"id": "1", "section": "world"} and docs[1].lang == "fr"


def test_prodigy_spans_relations_and_answers(project, tmp_path):
    quote = (EN.index("We"), EN.index(",”"))
    speaker = (0, len("Vladimir Putin"))
    spans = [{"start": speaker[0], "end": speaker[1], "label": "SPEAKER", "token_start": 0, "token_end": 1},
             {"start": quote[0], "end": quote[1], "label": "QUOTE"}]
    relation = {"head": 9, "child": 0, "label": "said_by", "head_span": spans[1], "child_span": spans[0]}
    records = [
        {"text": EN, "spans": spans, "relations": [relation], "answer": "accept", "_annotator_id": "alice",
         "_session_id": "ds-alice"},
        {"text": EN, "spans": spans[:1], "answer": "accept", "_session_id": "ds-bob"},  # no _annotator_id
        {"text": FR, "spans": [], "answer": "accept", "_annotator_id": "alice"},  # done with no spans
        {"text": "A rejected text.", "spans": [{"start": 0, "end": 1, "label": "QUOTE"}], "answer": "reject",
         "_annotator_id": "alice"},
        {"text": "An ignored text.", "answer": "ignore", "_annotator_id": "carol"},
    ]
    result = import_path(project, _write_jsonl(tmp_path / "db-out.jsonl", records))
    assert result.format == "prodigy"
    assert [d.text for d in _documents(project)] == [EN, FR]
    assert _spans(project) == [
        ("alice", "SPEAKER", *speaker, "imported"), ("alice", "QUOTE", *quote, "imported"),
        ("ds-bob", "SPEAKER", *speaker, "imported"),
    ]
    assert _statuses(project) == [("alice", 1, "done"), ("alice", 2, "done"), ("ds-bob", 1, "done")]
    with project.read() as session:
        assert session.scalar(select(Relation.label_id).join(Span, Span.id == Relation.head_id)) is not None
    assert result.relations_added == 1 and result.finished == {"alice": 2, "ds-bob": 1}


def test_prodigy_annotator_option_overrides_the_record(project, tmp_path):
    records = [{"text": EN, "spans": [{"start": 0, "end": 8, "label": "SPEAKER"}], "answer": "accept",
                "_annotator_id": "someone"}]
    import_path(project, _write_jsonl(tmp_path / "p.jsonl", records), ImportOptions(annotator="dora"))
    assert [s[0] for s in _spans(project)] == ["dora"]


def test_doccano_both_shapes(project, tmp_path):
    old = [{"text": EN, "label": [[0, 14, "SPEAKER"], [36, 42, "FIGURE"]]}]
    new = [{"text": FR, "entities": [{"id": 7, "label": "SPEAKER", "start_offset": 3, "end_offset": 18},
                                     {"id": 8, "label": "QUOTE", "start_offset": 42, "end_offset": 48}],
            "relations": [{"id": 1, "from_id": 8, "to_id": 7, "type": "said_by"}]}]
    assert import_path(project, _write_jsonl(tmp_path / "a.jsonl", old), ImportOptions(annotator="eve")).format == "doccano"
    result = import_path(project, _write_jsonl(tmp_path / "b.jsonl", new), ImportOptions(format="doccano", annotator="eve"))
    assert result.relations_added == 1
    assert [(s[1], s[2], s[3]) for s in _spans(project)] == [
        ("SPEAKER", 0, 14), ("SPEAKER", 3, 18), ("FIGURE", 36, 42), ("QUOTE", 42, 48)]
    assert [s[2] for s in _statuses(project)] == ["done", "done"]


def test_the_same_text_twice_is_one_document_and_annotations_merge(project, tmp_path):
    first = [{"text": EN, "spans": [{"start": 0, "end": 14, "label": "SPEAKER"}], "answer": "accept", "_annotator_id": "bob"}]
    second = [{"text": EN, "spans": [{"start": 0, "end": 14, "label": "SPEAKER"},
                                     {"start": 36, "end": 42, "label": "FIGURE"}], "answer": "accept", "_annotator_id": "bob"}]
    (tmp_path / "plain.txt").write_text(EN, encoding="utf-8")
    import_path(project, tmp_path / "plain.txt")
    import_path(project, _write_jsonl(tmp_path / "1.jsonl", first))
    result = import_path(project, _write_jsonl(tmp_path / "2.jsonl", second + second))
    assert (result.documents_added, result.duplicates, result.spans_added) == (0, 2, 1)
    assert len(_documents(project)) == 1
    assert [(s[1], s[2], s[3]) for s in _spans(project)] == [("SPEAKER", 0, 14), ("FIGURE", 36, 42)]
    assert _statuses(project) == [("bob", 1, "done")]


def test_import_streams_in_batches(project, tmp_path):
    texts = [f"Article number {i}: the minister said that {i} prisoners were held." for i in range(1203)]
    result = import_path(project, _write_jsonl(tmp_path / "many.jsonl", [{"text": t} for t in texts]))
    assert result.documents_added == 1203
    with project.read() as session:
        assert session.scalars(select(Document.text).order_by(Document.id)).all() == texts


@pytest.mark.parametrize("fmt", ["txt", "jsonl"])
def test_progress_reaches_the_file_size(project, tmp_path, fmt):
    path = tmp_path / f"x.{fmt}"
    path.write_text(EN if fmt == "txt" else json.dumps({"text": EN}) + "\n", encoding="utf-8")
    seen = []
    import_path(project, path, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (path.stat().st_size, path.stat().st_size)
    assert np.all(np.diff([d for d, _ in seen]) >= 0)
