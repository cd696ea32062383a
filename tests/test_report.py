"""cleanlens.report: export rows, audit, CSV read by plain pandas, neutralised formulas, file names."""

import doctest
import io
import json
import math
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleanlens import report
from cleanlens.dataset import Dataset
from cleanlens.rank import label_quality_scores
from cleanlens.web.state import ExplorerState

from .test_web_state import probabilities_for, tiny_dataset

NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)
INFO = {
    "engine": "builtin",
    "engine_version": "cleanlens 0.1.0",
    "C": 3.0,
    "gamma": 0.003,
    "seed": 0,
    "folds": 5,
    "seconds": 0.1,
}
HOSTILE = ["=1+1", "+cmd", "-1", "@SUM(A1)", "\tx", "'quoted", '=HYPERLINK("http://x","y")', "a,b\nc"]
"""Texts a spreadsheet would run as formulas (or that need quoting): used as ids and class names."""


def trained_state(data=None, source_name="tiny.json"):
    data = data or tiny_dataset()
    state = ExplorerState(data, source_name=source_name, source_sha256="ab" * 32)
    state.finish_training(list(data.given), probabilities_for(data.given, k=len(data.classes)), INFO)
    return state


def read(text, **kwargs):
    return pd.read_csv(io.StringIO(text), **kwargs)


def test_rows_follow_the_engine_and_the_decisions():
    state = trained_state()
    result = state.analysis()
    issue = result.label_issues[0]
    assert state.accept(issue)
    state.exclude(5)
    state.relabel(7, 2)
    scores = label_quality_scores(state.training.labels, state.training.probabilities)
    rows = report.export_rows(state.dataset, result, scores, state.labels, state.work.decisions)
    assert [r["id"] for r in rows] == state.dataset.ids
    assert list(rows[0]) == list(report.FIELDS)
    assert rows[issue]["decision"] == "accept" and rows[issue]["is_label_issue"] is True
    assert rows[issue]["final_label"] == state.dataset.classes[result.suggested[issue]] == rows[issue]["suggested"]
    assert rows[5]["decision"] == "exclude" and rows[7]["decision"] == "relabel" and rows[8]["decision"] is None
    for i, row in enumerate(rows):
        assert row["category"] == ["correct", "label_issue", "ood", "unconfident"][result.categories[i]]
        assert row["is_label_issue"] == (row["category"] == "label_issue")
        assert row["label_quality"] == state.training.self_confidence[i]


def test_csv_reads_with_plain_pandas_and_the_audit_is_a_second_file():
    state = trained_state()
    result = state.analysis()
    state.accept(result.label_issues[0])
    state.exclude(4)
    state.relabel(7, 2)
    rows = probabilities_for(state.labels)
    rows[4] = None  # as the page passes them: no row for an excluded item
    state.finish_training(list(state.labels), rows, INFO, excluded={4})
    result = state.analysis()
    name, text = state.export("csv", now=NOW, probabilities=True)
    assert name == "tiny-fixes.csv"
    assert not text.startswith("#") and text.splitlines()[0] == ",".join(report.FIELDS + ("p_a", "p_b", "p_c"))
    df = read(text)
    assert df.shape == (18, 11)
    for column in ("id", "given", "suggested", "category", "decision", "final_label"):
        assert pd.api.types.is_string_dtype(df[column]) or df[column].dtype == object  # str (pandas 3), object (2)
    assert pd.api.types.is_bool_dtype(df["is_label_issue"])
    for column in ("label_quality", "p_a", "p_b", "p_c"):
        assert pd.api.types.is_float_dtype(df[column])
    assert df["id"].tolist() == state.dataset.ids
    assert df["final_label"].tolist() == [state.dataset.classes[k] for k in state.labels]
    assert df["category"].iloc[4] == "excluded" and math.isnan(df["label_quality"].iloc[4])
    assert np.isnan(df.loc[4, ["p_a", "p_b", "p_c"]].to_numpy(float)).all()
    assert df["decision"].iloc[4] == "exclude" and df["decision"].iloc[7] == "relabel"
    assert df["decision"].isna().sum() == 18 - 3
    probabilities = state.training.probabilities
    for i in range(18):
        if i != 4:  # values read back exactly
            assert df["label_quality"].iloc[i] == state.training.self_confidence[i]
            assert df.loc[i, ["p_a", "p_b", "p_c"]].tolist() == probabilities[i]
        sug = result.suggested[i]
        assert (df["suggested"].iloc[i] if sug is not None else None) == (
            None if sug is None else state.dataset.classes[sug]
        )
        assert df["is_label_issue"].iloc[i] == (result.categories[i] == 1)
    audit_name, audit_text = state.export("audit", now=NOW)
    assert audit_name == "tiny-fixes-audit.json"
    audit = json.loads(audit_text)
    assert audit["items_file"] == "tiny-fixes.csv"
    assert audit["audit"]["dataset_sha256"] == "ab" * 32 and audit["audit"]["created"] == "2026-11-28T12:00:00Z"
    assert audit["audit"]["label_quality_method"] == "self_confidence"
    assert audit["audit"]["rule"] == "percentile" and audit["audit"]["engine"] == "builtin"
    assert audit["audit"]["counts"]["excluded"] == 1


def test_json_carries_the_audit_and_the_same_rows():
    state = trained_state()
    name, text = state.export("json", now=NOW)
    assert name == "tiny-fixes.json"
    data = json.loads(text)
    assert data["audit"]["class_thresholds"].keys() == {"a", "b", "c"}
    df = read(state.export("csv", now=NOW)[1])
    assert len(df) == len(data["items"]) == len(state.dataset.ids)
    for (_, r), j in zip(df.iterrows(), data["items"]):
        assert r["id"] == j["id"] and r["category"] == j["category"] and r["is_label_issue"] == j["is_label_issue"]
        assert r["label_quality"] == j["label_quality"]
        assert (None if pd.isna(r["suggested"]) else r["suggested"]) == j["suggested"]


def test_hostile_ids_and_class_names_are_neutralised_in_csv_only():
    classes = HOSTILE[:4]
    data = tiny_dataset(n_per_class=3, classes=classes)
    data.ids = [HOSTILE[i % len(HOSTILE)] + str(i // len(HOSTILE) or "") for i in range(len(data.ids))]
    state = trained_state(data)
    text = state.export("csv", now=NOW, probabilities=True)[1]
    df = read(text)
    for column in ("id", "given", "final_label"):
        for value in df[column]:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (column, value)
    assert "'=1+1" in df["given"].tolist() and "'-1" in df["given"].tolist() and "'@SUM(A1)" in df["id"].tolist()
    assert df.columns.tolist()[-4:] == ["p_=1+1", "p_+cmd", "p_-1", "p_@SUM(A1)"]  # a letter first
    restored = {c: df[c].str.replace(r"^'(?=[=+\-@\t\r'])", "", regex=True) for c in ("id", "given", "final_label")}
    assert restored["id"].tolist() == data.ids
    assert restored["given"].tolist() == [classes[k] for k in data.given]
    items = json.loads(state.export("json", now=NOW)[1])["items"]
    assert [r["id"] for r in items] == data.ids  # JSON keeps the texts


def test_numbers_are_never_neutralised():
    text = report.to_csv(
        [
            {"id": "-1", "score": -1.0, "p": 0.5, "tiny": 5e-324, "flag": False},
            {"id": "+2", "score": -0.0, "p": 1.0, "tiny": 1e-300, "flag": True},
        ]
    )
    assert text.splitlines() == ["id,score,p,tiny,flag", "'-1,-1.0,0.5,5e-324,False", "'+2,-0.0,1.0,1e-300,True"]
    df = read(text)
    assert df["score"].tolist() == [-1.0, -0.0] and df["p"].tolist() == [0.5, 1.0]
    assert df["tiny"].tolist() == [5e-324, 1e-300] and df["flag"].tolist() == [False, True]
    assert df["id"].tolist() == ["'-1", "'+2"]


@given(st.text())
def test_neutralize_round_trips(text):
    assert report.unneutralize(report.neutralize(text)) == text
    assert not report.neutralize(text).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_numeric_class_names_and_ids_of_a_npy_pair():
    """A .npy pair: ids 0..N-1 and classes "0".."K-1" are read by pandas as numbers, as documented."""
    data = tiny_dataset(n_per_class=3, classes=("0", "1", "2"))
    data.ids = [str(i) for i in range(len(data.ids))]
    state = trained_state(data, source_name="labels_1000.npy + pred_probs_1000.npy")
    name, text = state.export("csv", now=NOW)
    assert name == "labels_1000-fixes.csv"
    df = read(text)
    assert df["id"].dtype == np.int64 and df["given"].dtype == np.int64 and df["final_label"].dtype == np.int64
    assert df["suggested"].dtype == (np.float64 if df["suggested"].isna().any() else np.int64)
    assert df["id"].tolist() == list(range(9))
    as_text = read(text, dtype=str, keep_default_na=False)
    assert as_text["id"].tolist() == data.ids and as_text["label_quality"].astype(float).notna().all()


@pytest.mark.parametrize(
    "source, stem",
    [
        ("labels.npy + pred_probs.npy", "labels"),
        ("labels_1000.npy + pred_probs_1000.npy", "labels_1000"),
        ("fashion3.json", "fashion3"),
        ("my data.v2.csv", "my data.v2"),
        ("", "cleanlens"),
        ("...", "cleanlens"),
        (".hidden", "hidden"),
        ('a/b\\c:d*e?f"g<h>i|j.csv', "a_b_c_d_e_f_g_h_i_j"),
        ("tab\there\x00.csv", "tab_here"),
        ("CON.csv", "CON"),
        ("trailing. .csv", "trailing"),
        ("é" * 200 + ".csv", "é" * 60),
    ],
)
def test_file_names_come_from_the_data_and_are_safe(source, stem):
    assert report.export_stem(source) == stem
    for kind in report.KINDS:
        name = report.export_file_name(source, kind)
        assert len(name.encode("utf-8")) <= 255 and not name.startswith((".", " "))
        assert not any(c in name for c in '<>:"/\\|?*') and all(ord(c) >= 32 for c in name)
        assert name.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL"}


def test_export_kinds_and_the_unexported_flag():
    state = trained_state()
    state.work.unexported = True
    state.export("audit", now=NOW)
    assert state.work.unexported  # the audit alone holds no fixes
    state.export("csv", now=NOW)
    assert not state.work.unexported
    with pytest.raises(ValueError, match="unknown export kind"):
        state.export("xlsx")


def test_other_label_quality_methods():
    state = trained_state()
    df = read(state.export("csv", now=NOW, method="normalized_margin")[1])
    expected = label_quality_scores(state.training.labels, state.training.probabilities, "normalized_margin")
    assert df["label_quality"].tolist() == expected
    assert (
        json.loads(state.export("audit", now=NOW, method="normalized_margin")[1])["audit"]["label_quality_method"]
        == "normalized_margin"
    )


def test_infinite_thresholds_are_null_in_json():
    state = trained_state()
    for i in range(6, 12):
        state.relabel(i, 0)
    state.finish_training(list(state.labels), probabilities_for(state.labels), state.training.info)
    data = json.loads(state.export("json", now=NOW)[1])
    assert data["audit"]["class_thresholds"]["b"] is None
    assert json.loads(state.export("audit", now=NOW)[1])["audit"]["class_thresholds"]["b"] is None


def test_docstring_examples():
    assert doctest.testmod(report).failed == 0


def test_pandas_reads_a_dataset_with_excluded_items_and_no_probabilities():
    data = Dataset(
        classes=["cat", "dog"], ids=["x", "y", "z"], images=[None] * 3, given=[0, 1, 1], features=None, truth=None
    )
    state = ExplorerState(data, source_name="pets.csv")
    rows = [[0.9, 0.1], None, [0.8, 0.2]]
    state.work.decisions[1] = "exclude"
    state.finish_training([0, 1, 1], rows, {"engine": "file"}, excluded={1})
    df = read(state.export("csv", now=NOW)[1])
    assert df["category"].tolist()[1] == "excluded" and math.isnan(df["label_quality"][1])
    assert df["label_quality"][[0, 2]].tolist() == [0.9, 0.2]


def _digits_like(n=60, k=3):
    """A .npy pair's dataset (ids and classes 0..) with probabilities, and its analysis of the file's labels."""
    from cleanlens.confident import ConfidentLearning

    rng = np.random.default_rng(0)
    truth = rng.integers(0, k, n)
    rows = rng.dirichlet(np.ones(k), n)
    rows[np.arange(n), truth] += 1.0
    rows = (rows / rows.sum(axis=1, keepdims=True)).tolist()
    given = np.where(np.arange(n) % 10 == 3, (truth + 1) % k, truth).tolist()
    data = Dataset(
        classes=[str(c) for c in range(k)],
        ids=[str(i) for i in range(n)],
        images=[None] * n,
        given=given,
        truth=None,
        features=None,
    )
    return data, rows, ConfidentLearning(given, rows).categorize(50, 15)


def test_decisions_never_change_the_analysis_columns():
    """The issue's d0004: after Accept all, given / suggested / category are still those of the file's analysis."""
    data, rows, result = _digits_like()
    scores = label_quality_scores(data.given, rows)
    before = report.export_rows(data, result, scores, data.given, {})
    labels, decisions = list(data.given), {}
    for i in result.label_issues:
        labels[i], decisions[i] = result.suggested[i], "accept"
    after = report.export_rows(data, result, scores, labels, decisions)
    analysis = ("id", "given", "suggested", "category", "is_label_issue", "label_quality")
    assert [[r[c] for c in analysis] for r in before] == [[r[c] for c in analysis] for r in after]
    i = result.label_issues[0]
    assert after[i]["decision"] == "accept" and after[i]["final_label"] == after[i]["suggested"] != after[i]["given"]
    assert list(after[0]) == list(report.FIELDS)
    audit = report.audit_header(data, result, {"engine": "file"}, "labels.npy + pred_probs.npy", "0" * 64, NOW,
                                decisions=decisions, plan="find_label_issues")  # fmt: skip
    assert audit["basis"] == {
        "labels": "file",
        "relabelled": 0,
        "probabilities": "file",
        "statement": "the file's labels and the file's pred_probs; decisions are marks on this analysis",
    }
    assert (
        audit["decisions"] == {"accept": len(result.label_issues)} and audit["accept_all_rule"] == "find_label_issues"
    )


def test_an_analysis_of_other_labels_says_so_in_rows_and_audit():
    data, rows, _ = _digits_like()
    from cleanlens.confident import ConfidentLearning

    analysed = list(data.given)
    analysed[0] = (analysed[0] + 1) % 3
    result = ConfidentLearning(analysed, rows).categorize(50, 15)
    out = report.export_rows(data, result, [None] * len(rows), analysed, {}, analysed=analysed)
    assert (
        list(out[0])[:3] == ["id", "given", report.ANALYSED_FIELD] and out[0][report.ANALYSED_FIELD] != out[0]["given"]
    )
    basis = report.audit_header(data, result, INFO, "x.csv", "0" * 64, NOW, analysed=analysed)["basis"]
    assert basis["labels"] == "relabelled" and basis["relabelled"] == 1 and basis["probabilities"] == "cross-validation"


def test_numeric_class_names_are_written_as_integers():
    """A .npy pair's suggested class is written "1", never "1.0"; pandas' Int64 reads it back as integers."""
    data, rows, result = _digits_like()
    text = report.to_csv(report.export_rows(data, result, [0.5] * len(rows), data.given, {}))
    suggested = [line.split(",")[2] for line in text.splitlines()[1:]]
    assert set(suggested) <= {"", "0", "1", "2"} and "" in suggested
    df = read(text, dtype={"suggested": "Int64"})
    assert str(df["suggested"].dtype) == "Int64" and df["given"].dtype == np.int64
