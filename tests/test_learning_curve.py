"""`annotator learning-curve`: dev F1 per label against the number of training documents."""

import json
import re

from typer.testing import CliRunner

from cli.app import app
from tests.helpers import snapshot
from training.corpus import export_training_data
from training.curve import CurveOptions, curve_plan, subset_sizes


def test_subset_sizes_are_at_least_one_and_distinct():
    assert subset_sizes(3, (0.25, 0.5, 0.75, 1.0)) == [(0.25, 1), (0.5, 2), (1.0, 3)]
    assert subset_sizes(8, (0.25, 0.5, 0.75, 1.0)) == [(0.25, 2), (0.5, 4), (0.75, 6), (1.0, 8)]
    assert subset_sizes(1, (0.25, 1.0)) == [(0.25, 1)]


def test_the_subsets_are_nested_and_the_same_for_a_seed(sample_project, tmp_path):
    data = export_training_data(sample_project, tmp_path / "data", "alice", None, ["ner"], 0.2, 0)
    en, fr = data.languages["en"], data.languages["fr"]
    assert curve_plan(en, CurveOptions(seed=0)) == curve_plan(en, CurveOptions(seed=0))
    unit, order, sizes = curve_plan(en, CurveOptions(seed=0))
    assert unit == "documents" and sorted(order) == [doc["id"] for doc in en.documents["train"]]
    assert [size for _, size in sizes] == [1, 2, 3]
    assert {tuple(curve_plan(en, CurveOptions(seed=seed))[1]) for seed in range(6)} != {tuple(order)}  # seeds differ
    unit, order, sizes = curve_plan(fr, CurveOptions(seed=0))  # one French article: its passages were split
    assert unit == "passages" and sorted(order) == list(range(fr.passages["train"])) and len(sizes) == 4


def test_learning_curve_prints_json_and_writes_a_self_contained_plot(sample_project, tmp_path):
    before = snapshot(sample_project)
    out = tmp_path / "curve"
    result = CliRunner().invoke(app, ["learning-curve", sample_project.url, "--source", "alice", "--lang", "en",
                                      "--components", "ner", "--max-steps", "2", "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    curve = json.loads(result.stdout)
    assert curve == json.loads((out / "learning_curve.json").read_text(encoding="utf-8"))
    assert curve["source"] == "alice" and curve["f1_of"] == "ner" and curve["labels"] == ["SPEAKER", "FIGURE"]
    en = curve["languages"]["en"]
    assert en["unit"] == "documents" and en["train_units"] == 3 and len(en["dev"]) == 1
    points = en["points"]
    assert [p["units"] for p in points] == [1, 2, 3] and [p["share"] for p in points] == [0.25, 0.5, 1.0]
    chosen = [{d["id"] for d in p["documents"]} for p in points]
    assert chosen[0] < chosen[1] < chosen[2] and not chosen[2] & {d["id"] for d in en["dev"]}
    for point in points:
        assert set(point["f1"]) == {"SPEAKER", "FIGURE", "_overall"}
        assert all(v is None or 0 <= v <= 1 for v in point["f1"].values())
    page = (out / "learning_curve.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 1 and page.count("<polyline") >= 1
    assert not re.search(r"<script|\bhref=|\bsrc=|@import|url\(", page)  # nothing outside the file
    assert snapshot(sample_project) == before

    table = CliRunner().invoke(app, ["agreement", sample_project.url, "--format", "html", "--out",
                                     str(tmp_path / "agreement.html"), "--learning-curve",
                                     str(out / "learning_curve.json")])
    assert table.exit_code == 0, table.output
    report = (tmp_path / "agreement.html").read_text(encoding="utf-8")
    assert "<h2>Per label</h2>" in report and "<h2>Learning curve</h2>" in report and "<polyline" in report


def test_agreement_refuses_a_file_that_is_no_learning_curve(sample_project, tmp_path):
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"labels": 3}', encoding="utf-8")
    for arguments, message in ((["--format", "html", "--learning-curve", str(wrong)], "not a learning_curve.json"),
                               (["--learning-curve", str(wrong)], "only the html report shows it"),
                               (["--format", "html", "--learning-curve", str(tmp_path / "none.json")],
                                "cannot read it")):
        result = CliRunner().invoke(app, ["agreement", sample_project.url, *arguments])
        assert result.exit_code == 1 and result.stderr.startswith("error: --learning-curve") and message in result.stderr
