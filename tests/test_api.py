"""cleanlens.find_issues: the page's export, the command line's report and cleanlab's findings, as a DataFrame."""

import io
import json

import numpy as np
import pandas as pd
import pytest
from cleanlab.count import compute_confident_joint, num_label_issues
from cleanlab.filter import find_label_issues
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict

import cleanlens
from cleanlens import userdata
from cleanlens.api import COLUMNS
from cleanlens.cli import main
from cleanlens.errors import CleanlensError
from cleanlens.web.state import ExplorerState


@pytest.fixture(scope="module")
def digits():
    """scikit-learn's digits (1,797 x 10) with 8% of the labels changed, and out-of-sample probabilities."""
    x, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(3)
    flip = rng.random(len(y)) < 0.08
    labels = np.where(flip, (y + rng.integers(1, 10, len(y))) % 10, y)
    model = LogisticRegression(max_iter=300)
    pred_probs = cross_val_predict(model, x / 16.0, labels, cv=5, method="predict_proba")
    return labels, pred_probs


def cli_report(tmp_path, labels, pred_probs, *argv):
    np.save(tmp_path / "labels.npy", labels)
    np.save(tmp_path / "pred_probs.npy", pred_probs)
    out = tmp_path / "report.json"
    argv = ["find-issues", "--labels", tmp_path / "labels.npy", "--pred-probs", tmp_path / "pred_probs.npy", *argv]
    assert main([str(a) for a in argv] + ["--out", str(out)]) == 0
    return json.loads(out.read_text())


@pytest.mark.parametrize(
    ("options", "argv"),
    [
        ({"rule": "percentile"}, []),
        ({"rule": "cleanlab", "ood_percentile": 30}, ["--thresholds", "cleanlab", "--ood-percentile", "30"]),
        ({"rule": "percentile", "class_percentile": 20, "rank_by": "normalized_margin"},
         ["--class-percentile", "20", "--rank-by", "normalized_margin"]),
    ],
)  # fmt: skip
def test_the_command_lines_report(digits, tmp_path, capsys, options, argv):
    labels, pred_probs = digits
    df = cleanlens.find_issues(labels, pred_probs, **options)
    report = cli_report(tmp_path, labels, pred_probs, *argv)
    capsys.readouterr()
    assert list(df.columns) == list(COLUMNS) and len(df) == report["n_items"] == len(labels)
    assert df["id"].tolist() == [str(i) for i in range(len(labels))]
    assert df["given"].tolist() == [str(g) for g in report["given"]]
    suggested = [None if pd.isna(s) else s for s in df["suggested"]]  # (pandas 3's str dtype: NaN)
    assert suggested == [None if s is None else str(s) for s in report["suggested"]]
    for name, key in (
        ("correct", "correct"),
        ("label_issue", "label_issues"),
        ("ood", "ood"),
        ("unconfident", "unconfident"),
    ):
        assert np.flatnonzero(df["category"] == name).tolist() == report[key]
    assert df["is_label_issue"].tolist() == [c == "label_issue" for c in df["category"]]
    assert df["label_quality"].tolist() == report["label_quality"]
    meta = df.attrs["cleanlens"]
    assert meta["confident_joint"] == report["confident_joint"] and meta["counts"] == report["counts"]


def test_the_cleanlab_rule_is_cleanlabs(digits):
    labels, pred_probs = digits
    df = cleanlens.find_issues(labels, pred_probs, rule="cleanlab")
    joint, off_diagonal = compute_confident_joint(
        labels, pred_probs, calibrate=False, return_indices_of_off_diagonals=True
    )
    assert df.attrs["cleanlens"]["confident_joint"] == joint.tolist()
    assert np.flatnonzero(df["is_label_issue"]).tolist() == sorted(off_diagonal.tolist())


@pytest.mark.parametrize("filter_by", ["prune_by_noise_rate", "both", "low_normalized_margin"])
def test_find_label_issues_rules_are_cleanlabs(digits, filter_by):
    """rule=<filter_by>: the label issues are cleanlab's find_label_issues; the rest is the cleanlab rule's."""
    labels, pred_probs = digits
    df = cleanlens.find_issues(labels, pred_probs, rule=filter_by)
    flagged = find_label_issues(labels, pred_probs, filter_by=filter_by, n_jobs=1)
    assert df["is_label_issue"].tolist() == flagged.tolist() and flagged.any()
    assert df.attrs["cleanlens"]["num_label_issues"] == num_label_issues(labels, pred_probs)
    assert df.attrs["cleanlens"]["counts"]["label_issue"] == flagged.sum()
    joint = cleanlens.find_issues(labels, pred_probs, rule="cleanlab")
    assert df.attrs["cleanlens"]["confident_joint"] == joint.attrs["cleanlens"]["confident_joint"]
    elsewhere = (joint["category"] == "label_issue").to_numpy()
    kept = ~flagged & ~elsewhere
    for column in ("category", "suggested"):
        assert df[column][kept].fillna("-").tolist() == joint[column][kept].fillna("-").tolist()
    assert set(df["category"][~flagged & elsewhere]) <= {"ood", "unconfident"}
    assert df["suggested"][~flagged & elsewhere].isna().all()
    others = np.where(np.arange(10) == labels[:, None], -np.inf, pred_probs).argmax(axis=1).astype(str)
    guess = np.where(elsewhere, joint["suggested"].fillna("-").to_numpy(), others)
    assert df["suggested"][flagged].tolist() == guess[flagged].tolist()


def test_the_pages_csv_export(digits):
    """The first six columns of the page's CSV export of the same files, as pandas reads them."""
    labels, pred_probs = digits
    names = [f"digit {c}" for c in range(10)]
    files = []
    for name, array in (("labels.npy", labels), ("pred_probs.npy", pred_probs)):
        buffer = io.BytesIO()
        np.save(buffer, array)
        files.append((name, buffer.getvalue()))
    loaded = userdata.load_files(files, class_names=names)
    state = ExplorerState(
        loaded.dataset, source_name=loaded.source_name, given_probabilities=loaded.probabilities, is_demo=False
    )
    state.finish_training(state.labels, loaded.probabilities, {"engine": "file"})
    _, text = state.export("csv")
    page = pd.read_csv(io.StringIO(text), dtype={"id": str})[list(COLUMNS)]
    df = cleanlens.find_issues(labels, pred_probs, class_names=names)
    expected = page.astype({"suggested": object}).where(page.notna(), None)
    mine = df.astype({"suggested": object}).where(df.notna(), None)
    assert mine.to_dict("list") == expected.to_dict("list")


def test_ids_class_names_and_memory_maps(digits, tmp_path):
    labels, pred_probs = digits
    np.save(tmp_path / "p.npy", pred_probs.astype(np.float32))
    mapped = np.load(tmp_path / "p.npy", mmap_mode="r")
    ids = [f"img-{i:04d}" for i in range(len(labels))]
    df = cleanlens.find_issues(labels, mapped, ids=ids, class_names=list("abcdefghij"))
    same = cleanlens.find_issues(labels, pred_probs.astype(np.float32).astype(np.float64))
    assert df["id"].tolist() == ids and df["given"].tolist() == [list("abcdefghij")[g] for g in labels]
    assert df["category"].tolist() == same["category"].tolist()
    assert df["label_quality"].tolist() == same["label_quality"].tolist()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda g, p: cleanlens.find_issues(g[:-1], p), "labels has 1,796 rows but pred_probs has 1,797"),
        (lambda g, p: cleanlens.find_issues(np.where(np.arange(len(g)) == 5, 12, g), p),
         "labels: row 5: label 12 is not a class index 0..9 (pred_probs has 10 columns)"),
        (lambda g, p: cleanlens.find_issues(g, p * 2), "probability row 0: sums to 2, not 1"),
        (lambda g, p: cleanlens.find_issues(g, p, class_names=["a"] * 10), "class_names"),
        (lambda g, p: cleanlens.find_issues(g, p, ids=["x"] * len(g)), "ids must be distinct"),
        (lambda g, p: cleanlens.find_issues(g, p, rule="nope"), "unknown rule 'nope'"),
        (lambda g, p: cleanlens.find_issues(g, p, class_percentile=101), "class_percentile must be a number"),
        (lambda g, p: cleanlens.find_issues(g.astype(str), p), "labels must be class indices"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line(digits, call, message):
    labels, pred_probs = digits
    with pytest.raises(CleanlensError) as error:
        call(labels, pred_probs)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_renormalize_and_unknown_options(digits):
    labels, pred_probs = digits
    df = cleanlens.find_issues(labels, pred_probs * 2, renormalize=True)
    assert df["category"].tolist() == cleanlens.find_issues(labels, pred_probs)["category"].tolist()
    with pytest.raises(TypeError, match="unknown options threshold"):
        cleanlens.find_issues(labels, pred_probs, threshold=3)
