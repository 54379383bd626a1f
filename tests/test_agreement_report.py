"""The agreement report: its JSON shape, and its values against calculations by hand.

The tiny project (three annotators, two documents) is small enough to work out
every coefficient on paper; the working is written next to each expected value.
Tokens (spaCy blank "en", stored at import):
  doc1 "Ann said  yes today": Ann[0,3) said[4,8) " "[9,10) yes[10,13) today[14,19)
       -> 4 non-space units t0..t3 (the whitespace token is not a unit)
  doc2 "Bob replied no": Bob[0,3) replied[4,11) no[12,14) -> units u0..u2
Spans:             doc1 (ana, ben, cyd finished)        doc2 (ana, ben finished; cyd not)
  ana  SPEAKER [0,3) QUOTE [10,13)                     SPEAKER [0,3)
  ben  SPEAKER [0,3) QUOTE [10,19)                     SPEAKER [0,3) QUOTE [12,14)
  cyd  SPEAKER [4,8)
Codes (t0..t3 | u0..u2):
  SPEAKER ana 1000|100  ben 1000|100  cyd 0100|---
  QUOTE   ana 0010|000  ben 0011|001  cyd 0000|---
THREAT and FIGURE have no spans at all: every coefficient is undefined there.
"""
import json
from fractions import Fraction as F

import numpy as np
import pytest

from annotator import queries
from annotator.agreement.measures import cohen_kappa, f1_from_counts, krippendorff_alpha_nominal, span_f1, unitizing_alpha
from annotator.agreement.report import LABEL_MEASURES, PAIR_MEASURES, agreement_report
from annotator.errors import UserError
from annotator.importing import ImportOptions, import_path
from annotator.store import create_project

DOC1, DOC2 = "Ann said  yes today", "Bob replied no"
WORK = {
    "ana": {DOC1: [(0, 3, "SPEAKER"), (10, 13, "QUOTE")], DOC2: [(0, 3, "SPEAKER")]},
    "ben": {DOC1: [(0, 3, "SPEAKER"), (10, 19, "QUOTE")], DOC2: [(0, 3, "SPEAKER"), (12, 14, "QUOTE")]},
    "cyd": {DOC1: [(4, 8, "SPEAKER")]},
}


@pytest.fixture
def tiny(project, tmp_path):
    for name, docs in WORK.items():
        path = tmp_path / f"{name}.jsonl"
        path.write_text("".join(json.dumps({
            "text": text, "answer": "accept", "_annotator_id": name,
            "spans": [{"start": s, "end": e, "label": lab} for s, e, lab in spans],
        }) + "\n" for text, spans in docs.items()))
        import_path(project, path, ImportOptions(format="prodigy", lang="en"))
    return project


def _approx(value):
    return pytest.approx(float(value), abs=1e-12)


def test_tiny_project_labels_match_the_hand_calculation(tiny):
    report = agreement_report(tiny, documents="any-two")  # doc2 too, which cyd did not finish
    assert report["annotators"] == ["ana", "ben", "cyd"]
    assert report["documents"] == 2
    speaker, quote, overall = (report["labels"][k] for k in ("SPEAKER", "QUOTE", "_overall"))
    # Cohen SPEAKER: ana-ben 7 identical units -> 1; ana-cyd (doc1) p_o=2/4, p_e=1/16+9/16 -> -1/3; ben-cyd same.
    assert speaker["cohen_kappa"] == _approx((1 - F(1, 3) - F(1, 3)) / 3)
    # Fleiss SPEAKER (doc1 only): counts [1,2],[2,1],[3,0],[3,0]; P=2/3, Pe=.75²+.25² -> 1/9.
    assert speaker["fleiss_kappa"] == _approx(F(1, 9))
    # Alpha SPEAKER: coincidences o00=11 o01=o10=2 o11=3; n0=13 n1=5 n=18; 1-17*4/(2*13*5).
    assert speaker["krippendorff_alpha"] == _approx(1 - F(17 * 4, 2 * 13 * 5))
    # Span F1 SPEAKER: ana-ben 2 of 2 -> 1; ana-cyd, ben-cyd 0 -> mean 1/3 (exact and overlap).
    assert speaker["span_f1_exact"] == _approx(F(1, 3))
    assert speaker["span_f1_overlap"] == _approx(F(1, 3))
    # Cohen QUOTE: ana-ben p_o=5/7, p_e=(1*3+6*4)/49 -> 4/11; ana-cyd, ben-cyd -> 0 (p_o = p_e).
    assert quote["cohen_kappa"] == _approx(F(4, 11) / 3)
    assert quote["fleiss_kappa"] == _approx(F(1, 9))  # the SPEAKER counts, reordered
    # Alpha QUOTE: o00=11 o01=o10=3 o11=1; n0=14 n1=4; 1-17*6/(2*14*4).
    assert quote["krippendorff_alpha"] == _approx(1 - F(17 * 6, 2 * 14 * 4))
    # F1 QUOTE: ana-ben exact 0 of (1, 2), overlap 1 -> 2/3; the cyd pairs 0.
    assert quote["span_f1_exact"] == 0.0
    assert quote["span_f1_overlap"] == _approx(F(2, 3) / 3)
    # _overall: one binary unit per (token, label).  Cohen: ana-ben 28 units, ones 3 and 5,
    # 2 disagreements -> 69/97; ana-cyd 16 units, ones 2 and 1, 3 disagreements -> -1/11;
    # ben-cyd ones 3 and 1, 4 disagreements -> -3/29.
    assert overall["cohen_kappa"] == _approx((F(69, 97) - F(1, 11) - F(3, 29)) / 3)
    # Fleiss: 16 units of doc1, four with P=1/3, twelve with P=1; p1=6/48 -> 5/21.
    assert overall["fleiss_kappa"] == _approx(F(5, 21))
    # Alpha: o00=58 o01=o10=5 o11=4; n0=63 n1=9 n=72 -> 1-71*10/(2*63*9).
    assert overall["krippendorff_alpha"] == _approx(1 - F(710, 1134))
    # Span F1 pooled over labels: ana-ben exact 2 of (3, 4) -> 4/7, overlap 3 -> 6/7; others 0.
    assert overall["span_f1_exact"] == _approx(F(4, 7) / 3)
    assert overall["span_f1_overlap"] == _approx(F(6, 7) / 3)
    for label in ("THREAT", "FIGURE"):
        assert report["labels"][label] == dict.fromkeys(LABEL_MEASURES)


def test_tiny_project_pairs_and_documents(tiny):
    report = agreement_report(tiny, documents="any-two")
    keys = ["SPEAKER", "QUOTE", "THREAT", "FIGURE", "_overall"]
    assert [(p["a"], p["b"], p["label"]) for p in report["pairs"]] == [
        (a, b, k) for a, b in (("ana", "ben"), ("ana", "cyd"), ("ben", "cyd")) for k in keys]
    ana_ben = {p["label"]: p for p in report["pairs"] if (p["a"], p["b"]) == ("ana", "ben")}
    assert ana_ben["QUOTE"]["cohen_kappa"] == _approx(F(4, 11))
    assert ana_ben["_overall"]["span_f1_overlap"] == _approx(F(6, 7))
    assert set(report["pairs"][0]) == {"a", "b", "label", *PAIR_MEASURES}
    detail = {(d["document_id"], d["label"]): d for d in report["documents_detail"]}
    assert len(report["documents_detail"]) == 2 * len(keys)
    with tiny.read() as session:
        documents = queries.documents(session)
    doc1, doc2 = documents["id"].tolist()
    assert [(d["document_id"], d["document"]) for d in report["documents_detail"][::len(keys)]] == \
        list(zip(documents["id"], documents["name"]))
    # doc1 SPEAKER among ana, ben, cyd: o00=7 o01=o10=2 o11=1; n0=9 n1=3 -> 1-11*4/(2*27) = 5/27.
    assert detail[(doc1, "SPEAKER")]["krippendorff_alpha"] == _approx(F(5, 27))
    assert detail[(doc1, "SPEAKER")]["span_f1_overlap"] == _approx(F(1, 3))
    # doc2 among ana and ben only: SPEAKER identical -> 1; QUOTE o00=4 o01=o10=1; n0=5 n1=1 -> 0.
    assert detail[(doc2, "SPEAKER")]["krippendorff_alpha"] == 1.0
    assert detail[(doc2, "QUOTE")]["krippendorff_alpha"] == _approx(0)
    assert detail[(doc2, "QUOTE")]["span_f1_overlap"] == 0.0
    assert detail[(doc2, "THREAT")] == {"document_id": doc2, "document": documents["name"][1], "label": "THREAT",
                                        "krippendorff_alpha": None, "span_f1_overlap": None}


def test_by_default_only_the_documents_every_compared_annotator_finished(tiny):
    report = agreement_report(tiny)  # cyd did not finish doc2: doc1 alone
    with tiny.read() as session:
        doc1 = int(queries.documents(session)["id"].iloc[0])
    assert report["documents"] == 1 and report["document_rule"] == "all-finished"
    assert {d["document_id"] for d in report["documents_detail"]} == {doc1}
    # SPEAKER over doc1 alone, as doc1's row above: o00=7 o01=o10=2 o11=1 -> 5/27; Fleiss as before (doc1 only).
    assert report["labels"]["SPEAKER"]["krippendorff_alpha"] == _approx(F(5, 27))
    assert report["labels"]["SPEAKER"]["fleiss_kappa"] == _approx(F(1, 9))
    # Cohen ana-ben on doc1 alone: SPEAKER identical -> 1 (it was 1 over both documents too).
    ana_ben = {p["label"]: p for p in report["pairs"] if (p["a"], p["b"]) == ("ana", "ben")}
    assert ana_ben["SPEAKER"]["cohen_kappa"] == 1.0
    assert agreement_report(tiny, ["ana", "ben"])["documents"] == 2  # both finished both
    with pytest.raises(UserError, match="--documents 'some'"):
        agreement_report(tiny, documents="some")


def test_unitizing_alpha_lays_the_finished_documents_end_to_end(tiny):
    report = agreement_report(tiny, annotators=["ana", "ben"])  # both finished both: 19 + 14 characters
    units = [(0, "Q", 10, 3), (1, "Q", 10, 9), (1, "Q", 19 + 12, 2), (0, "S", 0, 3), (1, "S", 0, 3),
             (0, "S", 19, 3), (1, "S", 19, 3)]
    expected = unitizing_alpha(units, 0, 33, 2, ["S", "Q", "T", "F"])
    assert report["labels"]["QUOTE"]["unitizing_alpha"] == _approx(expected["per_category"]["Q"])
    assert report["labels"]["SPEAKER"]["unitizing_alpha"] == 1.0
    assert report["labels"]["THREAT"]["unitizing_alpha"] is None
    assert report["labels"]["_overall"]["unitizing_alpha"] == _approx(expected["overall"])
    # With cyd, only doc1 is finished by all three: cyd's SPEAKER disagrees there.
    assert agreement_report(tiny)["labels"]["SPEAKER"]["unitizing_alpha"] < 1.0


def test_filters_keep_the_order_given_and_one_label_overall_equals_the_label(tiny):
    report = agreement_report(tiny, annotators=["ben", "ana"], labels=["QUOTE"])
    assert report["annotators"] == ["ben", "ana"]
    assert list(report["labels"]) == ["QUOTE", "_overall"]
    assert report["labels"]["_overall"] == report["labels"]["QUOTE"]
    assert [(p["a"], p["b"], p["label"]) for p in report["pairs"]] == [("ben", "ana", "QUOTE"), ("ben", "ana", "_overall")]
    assert {d["label"] for d in report["documents_detail"]} == {"QUOTE", "_overall"}


def test_unknown_names_in_filters_are_refused(tiny):
    with pytest.raises(UserError, match="--annotators: no annotator named 'zoe'"):
        agreement_report(tiny, annotators=["ana", "zoe"])
    with pytest.raises(UserError, match="--labels: no label named 'PERSON'"):
        agreement_report(tiny, labels=["PERSON"])


def test_undefined_values_are_null(fresh_target, tiny, tmp_path):
    with pytest.raises(UserError, match="needs at least two annotators; you named one \\(ana\\)"):
        agreement_report(tiny, annotators=["ana", "ana"])  # one person is not a comparison
    fresh = create_project(fresh_target("empty.db"))
    empty = agreement_report(fresh)  # nobody finished anything
    fresh.close()
    assert empty["annotators"] == [] and empty["documents"] == 0
    assert all(v is None for measures in empty["labels"].values() for v in measures.values())


# --------------------------------------------------------------------------- samples
def _slow_codes(text, tokens, spans, label):
    """Token coding written the plain way: a loop over tokens."""
    out = []
    for start, end in tokens.tolist():
        if text[start:end].isspace():
            continue
        out.append(int(any(s < end and e > start for s, e, lab in spans if lab == label)))
    return out


def test_sample_project_against_a_plain_recomputation(sample_project):
    report = agreement_report(sample_project)
    assert report["annotators"] == ["alice", "bob", "carol"] and report["documents"] == 5
    assert list(report["labels"]) == ["SPEAKER", "QUOTE", "THREAT", "FIGURE", "_overall"]
    assert len(report["pairs"]) == 3 * 5 and len(report["documents_detail"]) == 5 * 5
    with sample_project.read() as session:
        spans = queries.spans(session)
        docs = [(i, *queries.document_text(session, i)) for i in queries.documents(session)["id"]]
    own = {(r[1], r[2]): [(s, e, lab) for s, e, lab in zip(r[0]["start"], r[0]["end"], r[0]["label"])]
           for r in ((g, *k) for k, g in spans.groupby(["document_id", "annotator"]))}
    pair = {(p["a"], p["b"], p["label"]): p for p in report["pairs"]}
    for label in ("SPEAKER", "QUOTE"):
        codes = {who: sum((_slow_codes(t, tok, own.get((d, who), []), label) for d, t, tok in docs), [])
                 for who in report["annotators"]}
        assert pair[("alice", "bob", label)]["cohen_kappa"] == _approx(cohen_kappa(codes["alice"], codes["bob"]))
        assert report["labels"][label]["krippendorff_alpha"] == _approx(
            krippendorff_alpha_nominal(np.array([codes[w] for w in report["annotators"]], dtype=float)))
        for mode in ("exact", "overlap"):
            counts = np.sum([span_f1([x for x in own.get((d, "bob"), []) if x[2] == label],
                                     [x for x in own.get((d, "carol"), []) if x[2] == label], mode)
                             for d, _, _ in docs], axis=0)
            assert pair[("bob", "carol", label)][f"span_f1_{mode}"] == _approx(f1_from_counts(*counts))
