"""The command line and the .npy / CSV readers."""

import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from cleanlab.count import compute_confident_joint

from bench.bench_engine import synthetic_blobs
from cleanlens.array_files import read_labels, read_matrix
from cleanlens.arrays_io import InputError, parse_npy
from cleanlens.cli import main, read_dataset
from cleanlens.confident import ConfidentLearning

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def case():
    """Labels, probabilities (Dirichlet around the truth) and truth for 60 items, 3 classes."""
    rng = np.random.default_rng(11)
    truth = rng.integers(0, 3, 60)
    truth[:4] = -1
    labels = np.where(rng.random(60) < 0.85, np.maximum(truth, 0), rng.integers(0, 3, 60))
    alpha = np.ones((60, 3)) + 4.0 * np.eye(3)[np.maximum(truth, 0)] * (truth >= 0)[:, None]
    probs = np.array([rng.dirichlet(a) for a in alpha])
    return labels, probs, truth


@pytest.fixture
def files(case, tmp_path):
    labels, probs, truth = case
    np.save(tmp_path / "labels.npy", labels)
    np.save(tmp_path / "probs.npy", probs)
    np.save(tmp_path / "truth.npy", truth)
    np.savetxt(tmp_path / "labels.csv", labels, fmt="%d", header="label", comments="")
    np.savetxt(tmp_path / "probs.csv", probs, delimiter=",", fmt="%.17g")
    return tmp_path


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def run_json(capsys, *argv):
    status, out, err = run(capsys, *argv, "--json")
    assert status == 0, err
    return json.loads(out)


def test_json_report_from_npy_matches_the_library(capsys, case, files):
    labels, probs, truth = case
    report = run_json(
        capsys,
        "find-issues",
        "--labels",
        files / "labels.npy",
        "--pred-probs",
        files / "probs.npy",
        "--truth",
        files / "truth.npy",
    )
    expected = ConfidentLearning(labels.tolist(), probs.tolist()).categorize(50, 15)
    assert report["classes"] == ["0", "1", "2"] and report["n_items"] == 60
    assert report["confident_joint"] == expected.joint
    assert report["thresholds"] == {"class": expected.class_thresholds, "ood": expected.ood_thresholds}
    for key in ("correct", "label_issues", "ood", "unconfident"):
        assert report[key] == getattr(expected, key) and report[key] == sorted(report[key])
    wrong = {i for i in range(60) if truth[i] == -1 or truth[i] != labels[i]}
    flagged = set(expected.label_issues) | set(expected.ood)
    assert report["score"]["true_positives"] == len(flagged & wrong) and report["score"]["wrong"] == len(wrong)


def test_csv_inputs_give_the_same_report(capsys, files):
    a = run_json(
        capsys,
        "find-issues",
        "--labels",
        files / "labels.npy",
        "--pred-probs",
        files / "probs.npy",
        "--class-percentile",
        "30",
        "--ood-percentile",
        "10",
    )
    b = run_json(
        capsys,
        "find-issues",
        "--labels",
        files / "labels.csv",
        "--pred-probs",
        files / "probs.csv",
        "--class-percentile",
        "30",
        "--ood-percentile",
        "10",
    )
    assert a == b


def test_cleanlab_rule_equals_cleanlab(capsys, case, files):
    labels, probs, _ = case
    report = run_json(
        capsys,
        "find-issues",
        "--labels",
        files / "labels.npy",
        "--pred-probs",
        files / "probs.npy",
        "--thresholds",
        "cleanlab",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        joint, indices = compute_confident_joint(labels, probs, calibrate=False, return_indices_of_off_diagonals=True)
    assert report["confident_joint"] == joint.tolist() and report["label_issues"] == indices.tolist()


def test_human_report(capsys, files):
    status, out, err = run(
        capsys,
        "find-issues",
        "--labels",
        files / "labels.npy",
        "--pred-probs",
        files / "probs.npy",
        "--truth",
        files / "truth.npy",
    )
    assert status == 0 and err == ""
    assert "Confident joint (rows: given label, columns: suggested label):" in out
    assert "Correct " in out and "precision" in out


def _demo_json(path, n=60):
    features, labels, truth = synthetic_blobs(n=n, dim=6, n_classes=3, seed=8)
    names = ["ant", "bee", "cat"]
    items = [
        {"id": f"i{i}", "image": None, "given": names[g], "truth": "OOD" if i == 0 else names[t], "embedding": x}
        for i, (x, g, t) in enumerate(zip(features, labels, truth))
    ]
    path.write_text(json.dumps({"classes": names, "items": items, "provenance": {}}))
    return features, labels


def test_dataset_json_runs_cross_validation(capsys, tmp_path):
    _demo_json(tmp_path / "demo.json")
    report = run_json(
        capsys,
        "find-issues",
        "--dataset",
        tmp_path / "demo.json",
        "--engine",
        "builtin",
        "--folds",
        "3",
        "--seed",
        "2",
        "--C",
        "3",
        "--gamma",
        "0.1",
    )
    engine = report["engine"]
    assert (engine["name"], engine["folds"], engine["seed"], engine["C"], engine["gamma"]) == (
        "builtin",
        3,
        2,
        3.0,
        0.1,
    )
    assert report["classes"] == ["ant", "bee", "cat"] and report["ids"][0] == "i0"
    assert "score" in report and report["score"]["wrong"] >= 1
    n = report["n_items"]
    assert sorted(report["correct"] + report["label_issues"] + report["ood"] + report["unconfident"]) == list(range(n))


def test_dataset_csv(capsys, tmp_path):
    features, labels = _demo_json(tmp_path / "unused.json", n=40)
    lines = ["id,label," + ",".join(f"f{j}" for j in range(6))]
    lines += [f"r{i},{'xyz'[g]}," + ",".join(repr(v) for v in row) for i, (row, g) in enumerate(zip(features, labels))]
    (tmp_path / "data.csv").write_text("\n".join(lines) + "\n")
    ds = read_dataset(tmp_path / "data.csv")
    assert ds.classes == ["x", "y", "z"] and ds.given == labels and ds.features == features and ds.truth is None
    report = run_json(capsys, "find-issues", "--dataset", tmp_path / "data.csv", "--engine", "sklearn")
    assert report["engine"]["name"] == "sklearn" and "score" not in report


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: ["--labels", d / "missing.npy", "--pred-probs", d / "probs.npy"], "missing.npy: cannot read"),
        (lambda d: ["--labels", d / "labels.npy", "--pred-probs", d / "bad.npy"], "bad.npy: not a .npy file"),
        (
            lambda d: ["--labels", d / "labels.npy", "--pred-probs", d / "nan.npy"],
            "probability row 5, column 1: not finite",
        ),
        (lambda d: ["--labels", d / "labels.npy", "--pred-probs", d / "sum.csv"], "probability row 2: sums to"),
        (
            lambda d: ["--labels", d / "labels.npy", "--pred-probs", d / "text.csv"],
            "text.csv: line 3, column 2: not a number: 'abc'",
        ),
        (
            lambda d: ["--labels", d / "labels.npy", "--pred-probs", d / "short.npy"],
            "labels.npy has 60 rows but short.npy has 10: they must have one row per item",
        ),
        (lambda d: ["--labels", d / "probs.npy", "--pred-probs", d / "probs.npy"], "labels must be one column"),
        (lambda d: ["--labels", d / "labels.npy", "--pred-probs", d / "labels.npy"], "expected a 2-D array"),
        (lambda d: ["--labels", d / "labels.npy"], "needs --labels and --pred-probs"),
        (
            lambda d: ["--labels", d / "labels.npy", "--pred-probs", d / "probs.npy", "--class-percentile", "101"],
            "must be between 0 and 100",
        ),
        (lambda d: ["--dataset", d / "labels.csv", "--labels", d / "labels.npy"], "either --dataset or --labels"),
        (lambda d: ["--dataset", d / "labels.csv"], "line 1: no numeric columns"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, case, files, make, message):
    labels, probs, _ = case
    (files / "bad.npy").write_bytes(b"not numpy at all")
    nan = probs.copy()
    nan[5, 1] = np.nan
    np.save(files / "nan.npy", nan)
    off = probs.copy()
    off[2] *= 1.1
    np.savetxt(files / "sum.csv", off, delimiter=",")
    (files / "text.csv").write_text("0.5,0.5,0\n0.2,0.3,0.5\n0.1,abc,0.9\n")
    np.save(files / "short.npy", probs[:10])
    status, out, err = run(capsys, "find-issues", *make(files))
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("cleanlens: error: ") and message in err


def test_renormalize_option(capsys, case, files):
    labels, probs, _ = case
    np.save(files / "scaled.npy", probs * 3.0)
    assert run(capsys, "find-issues", "--labels", files / "labels.npy", "--pred-probs", files / "scaled.npy")[0] == 2
    a = run_json(
        capsys, "find-issues", "--labels", files / "labels.npy", "--pred-probs", files / "scaled.npy", "--renormalize"
    )
    b = run_json(capsys, "find-issues", "--labels", files / "labels.npy", "--pred-probs", files / "probs.npy")
    assert a["label_issues"] == b["label_issues"]


def test_module_entry_point_from_repo_root(files):
    env = dict(os.environ, PYTHONPATH="py")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "cleanlens",
            "find-issues",
            "--labels",
            str(files / "labels.npy"),
            "--pred-probs",
            str(files / "probs.npy"),
            "--json",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert set(json.loads(proc.stdout)) >= {
        "classes",
        "thresholds",
        "confident_joint",
        "label_issues",
        "ood",
        "unconfident",
    }


# --- the .npy reader ----------------------------------------------------------


@pytest.mark.parametrize(
    "dtype", ["<f8", ">f8", "<f4", ">f4", "<f2", "<i8", ">i8", "<i4", ">i2", "|i1", "|u1", "<u2", ">u4", "<u8", "|b1"]
)
@pytest.mark.parametrize("fortran", [False, True])
def test_parse_npy_matches_numpy(tmp_path, dtype, fortran):
    values = (np.arange(12).reshape(4, 3) % 5).astype(dtype)
    values = np.asfortranarray(values) if fortran else np.ascontiguousarray(values)
    np.save(tmp_path / "a.npy", values)
    shape, flat = parse_npy((tmp_path / "a.npy").read_bytes())
    assert shape == (4, 3) and flat == np.load(tmp_path / "a.npy").ravel().tolist()


def test_parse_npy_formats_and_errors(tmp_path):
    from numpy.lib import format as npformat

    with open(tmp_path / "v2.npy", "wb") as f:
        npformat.write_array(f, np.array([1.5, 2.5]), version=(2, 0))
    assert parse_npy((tmp_path / "v2.npy").read_bytes()) == ((2,), [1.5, 2.5])
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(InputError, match="unsupported dtype '\\|O'"):
        parse_npy((tmp_path / "obj.npy").read_bytes(), "obj.npy")
    data = (tmp_path / "v2.npy").read_bytes()
    with pytest.raises(InputError, match="truncated"):
        parse_npy(data[:-3])
    np.save(tmp_path / "labels.npy", np.array([0.0, 2.0, 1.0]))
    assert read_labels(tmp_path / "labels.npy") == [0, 2, 1]
    np.save(tmp_path / "bad_labels.npy", np.array([0.0, 1.5]))
    with pytest.raises(InputError, match="row 1: label 1.5 is not an integer"):
        read_labels(tmp_path / "bad_labels.npy")
    np.save(tmp_path / "cube.npy", np.zeros((2, 2, 2)))
    with pytest.raises(InputError, match="1-D or 2-D"):
        read_matrix(tmp_path / "cube.npy")


def test_out_writes_the_complete_report_and_the_text_report_is_cut(capsys, tmp_path):
    rng = np.random.default_rng(3)
    n = 400
    labels = rng.integers(0, 2, n)
    probs = np.full((n, 2), 0.5)
    probs[np.arange(n), 1 - labels] = 0.95  # every item confidently another class: N label issues
    probs[np.arange(n), labels] = 0.05
    np.save(tmp_path / "l.npy", labels)
    np.save(tmp_path / "p.npy", probs)
    status, out, err = run(
        capsys,
        "find-issues",
        "--labels",
        tmp_path / "l.npy",
        "--pred-probs",
        tmp_path / "p.npy",
        "--out",
        tmp_path / "report.json",
    )
    assert status == 0 and err == ""
    report = json.loads((tmp_path / "report.json").read_text())
    assert len(report["label_issues"]) == n
    listed = [line for line in out.splitlines() if line.startswith("  ") and "->" in line]
    assert len(listed) == 20
    assert f"  … {n - 20:,} more; use --json or --out FILE" in out.splitlines()
    assert run_json(capsys, "find-issues", "--labels", tmp_path / "l.npy", "--pred-probs", tmp_path / "p.npy") == report
    status, out, err = run(
        capsys,
        "find-issues",
        "--labels",
        tmp_path / "l.npy",
        "--pred-probs",
        tmp_path / "p.npy",
        "--out",
        tmp_path / "missing" / "r.json",
    )
    assert status == 2 and err == "cleanlens: error: r.json: cannot write: No such file or directory\n"


def test_unexpected_failures_are_one_line_with_exit_2(capsys, monkeypatch, files):
    import cleanlens.cli as cli
    import cleanlens.cli_stream as cli_stream

    def boom(args):
        raise RuntimeError("something\nbroke")

    monkeypatch.setattr(cli, "find_issues", boom)
    argv = ["find-issues", "--labels", files / "labels.npy", "--pred-probs", files / "probs.npy"]
    status, out, err = run(capsys, *argv, "--in-memory")
    assert (status, out, err) == (2, "", "cleanlens: error: internal error: RuntimeError: something broke\n")
    monkeypatch.setattr(cli_stream, "analyse", boom)  # the streamed path (the default for .npy)
    assert run(capsys, *argv) == (2, "", "cleanlens: error: internal error: RuntimeError: something broke\n")

    def deep(args):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(cli, "find_issues", deep)
    assert run(capsys, "find-issues")[2] == "cleanlens: error: the input is too deeply nested to read\n"


@pytest.mark.parametrize(
    ("labels", "probs", "message"),
    [
        (
            np.array([0, 1, 3]),
            np.full((3, 3), 1 / 3),
            "labels.npy: row 2: label 3 is not a class index 0..2 (probs.npy has 3 columns)",
        ),
        (np.zeros(0, dtype=int), np.zeros((0, 3)), "labels.npy and probs.npy have no rows (shapes (0,) and (0, 3))"),
        (
            np.array([0, 0, 0]),
            np.ones((3, 1)),
            "probs.npy: shape (3, 1): pred_probs needs one column per class, and at least 2",
        ),
        (
            np.array([0, 1, 1]),
            np.full((2, 2), 0.5),
            "labels.npy has 3 rows but probs.npy has 2: they must have one row per item",
        ),
    ],
)
def test_label_and_shape_checks_are_the_pages(capsys, tmp_path, labels, probs, message):
    np.save(tmp_path / "labels.npy", labels)
    np.save(tmp_path / "probs.npy", probs)
    status, out, err = run(
        capsys, "find-issues", "--labels", tmp_path / "labels.npy", "--pred-probs", tmp_path / "probs.npy"
    )
    assert status == 2 and err == f"cleanlens: error: {message}" + err[len(message) + 18 :] and err.count("\n") == 1


def test_truth_and_csv_errors_exit_2(capsys, files, tmp_path):
    (tmp_path / "t.csv").write_text("0\n1\n" + "1" * 200_000 + "\n")
    status, _, err = run(
        capsys,
        "find-issues",
        "--labels",
        files / "labels.npy",
        "--pred-probs",
        files / "probs.npy",
        "--truth",
        tmp_path / "t.csv",
    )
    assert status == 2 and err == "cleanlens: error: t.csv: line 3: a value is longer than 131,072 characters\n"
    np.save(tmp_path / "bad_truth.npy", np.full(60, 7))
    status, _, err = run(
        capsys,
        "find-issues",
        "--labels",
        files / "labels.npy",
        "--pred-probs",
        files / "probs.npy",
        "--truth",
        tmp_path / "bad_truth.npy",
    )
    assert status == 2 and "bad_truth.npy: row 0: 7 is not a class index in 0..2 or -1 (OOD)" in err


def test_no_class_limit_on_the_command_line(capsys, tmp_path):
    k = 60
    np.save(tmp_path / "l.npy", np.arange(k))
    np.save(tmp_path / "p.npy", np.eye(k) * 0.9 + 0.1 / k)
    assert (
        run_json(capsys, "find-issues", "--labels", tmp_path / "l.npy", "--pred-probs", tmp_path / "p.npy")["n_items"]
        == k
    )


def test_huge_integers_in_csv(capsys, tmp_path):
    """Found by the fuzz test: a 400-digit integer in a CSV of probabilities was an OverflowError."""
    (tmp_path / "h.csv").write_text("9" * 400 + "\n")
    status, _, err = run(capsys, "find-issues", "--labels", tmp_path / "h.csv", "--pred-probs", tmp_path / "h.csv")
    assert status == 2 and err == "cleanlens: error: h.csv: row 0: label inf is not an integer class index\n"


# --- with and without numpy: the same reports and the same messages ------------------------


def run_both(capsys, monkeypatch, *argv):
    """Run the command line with numpy and as without it; return both (status, out, err)."""
    import cleanlens.cli as cli

    with_numpy = run(capsys, *argv)
    with monkeypatch.context() as m:
        m.setattr(cli, "numpy_module", lambda: None)
        without = run(capsys, *argv)
    return with_numpy, without


def test_numpy_and_pure_paths_give_the_same_reports(capsys, monkeypatch, case, files):
    labels, probs, truth = case
    np.save(files / "p32f.npy", np.asfortranarray(probs.astype(np.float32)))
    np.save(files / "pbig.npy", probs.astype(">f8"))
    np.save(files / "lfloat.npy", labels.astype(np.float16).reshape(-1, 1))
    np.save(files / "lu8.npy", labels.astype(np.uint8))
    np.save(files / "scaled.npy", probs * 3.0)
    for argv in (
        ["--labels", files / "labels.npy", "--pred-probs", files / "probs.npy", "--truth", files / "truth.npy"],
        ["--labels", files / "labels.csv", "--pred-probs", files / "probs.csv", "--thresholds", "cleanlab"],
        ["--labels", files / "lfloat.npy", "--pred-probs", files / "p32f.npy", "--class-percentile", "30"],
        ["--labels", files / "lu8.npy", "--pred-probs", files / "pbig.npy", "--rank-by", "confidence_weighted_entropy"],
        [
            "--labels",
            files / "labels.npy",
            "--pred-probs",
            files / "scaled.npy",
            "--renormalize",
            "--rank-by",
            "normalized_margin",
            "--ood-percentile",
            "40",
        ],
    ):
        # cleanlab's sections: numpy's portable sort in both (the default, numpy's own, needs numpy)
        argv = [*argv, "--ties", "portable"]
        (s1, out1, err1), (s2, out2, err2) = run_both(capsys, monkeypatch, "find-issues", *argv, "--json")
        assert s1 == s2 == 0 and err1 == err2 == ""
        a, b = json.loads(out1), json.loads(out2)
        quality_a, quality_b = a.pop("label_quality"), b.pop("label_quality")
        assert a == b
        assert np.max(np.abs(np.array(quality_a) - quality_b)) <= 1e-12  # rank: one ulp apart at most
        text1, text2 = run_both(capsys, monkeypatch, "find-issues", *argv)
        assert text1 == text2


def test_numpy_and_pure_paths_give_the_same_messages(capsys, monkeypatch, case, files, tmp_path):
    labels, probs, truth = case
    bad = {
        "lhalf.npy": np.where(np.arange(60) == 7, 1.5, labels),
        "lnan.npy": np.where(np.arange(60) == 3, np.nan, labels),
        "lneg.npy": np.where(np.arange(60) == 9, -1, labels),
        "lbig.npy": np.where(np.arange(60) == 11, 3, labels),
        "lhuge.npy": np.where(np.arange(60) == 2, 2**64 - 1, labels.astype(np.uint64)).astype(np.uint64),
        "lfloat_big.npy": np.where(np.arange(60) == 5, 1e20, labels),
        "lbool.npy": labels.astype(bool),
        "pnan.npy": np.where(np.arange(180).reshape(60, 3) == 100, np.nan, probs),
        "pneg.npy": np.where(np.arange(180).reshape(60, 3) == 31, -0.25, probs),
        "psum.npy": probs * np.where(np.arange(60) == 20, 1.01, 1.0)[:, None],
        "pzero.npy": probs * np.where(np.arange(60) == 4, 0.0, 1.0)[:, None],
        "tbig.npy": np.where(np.arange(60) == 6, 5, truth),
        "tneg.npy": np.where(np.arange(60) == 6, -2, truth),
        "tshort.npy": truth[:5],
    }
    for name, values in bad.items():
        np.save(tmp_path / name, values)
    (tmp_path / "lhuge.csv").write_text("\n".join(["0"] * 30 + ["99999999999999999999"] + ["1"] * 29) + "\n")
    (tmp_path / "lmixed.csv").write_text("\n".join(["0"] * 30 + ["99999999999999999999", "1.5"] + ["1"] * 28) + "\n")
    lab, p = files / "labels.npy", files / "probs.npy"
    cases = [
        [tmp_path / "lhalf.npy", p],
        [tmp_path / "lnan.npy", p],
        [tmp_path / "lneg.npy", p],
        [tmp_path / "lbig.npy", p],
        [tmp_path / "lhuge.npy", p],
        [tmp_path / "lfloat_big.npy", p],
        [tmp_path / "lhuge.csv", p],
        [tmp_path / "lmixed.csv", p],
        [lab, tmp_path / "pnan.npy"],
        [lab, tmp_path / "pneg.npy"],
        [lab, tmp_path / "psum.npy"],
        [lab, tmp_path / "pzero.npy", "--renormalize"],
        [lab, tmp_path / "pzero.npy"],
        [lab, p, "--truth", tmp_path / "tbig.npy"],
        [lab, p, "--truth", tmp_path / "tneg.npy"],
        [lab, p, "--truth", tmp_path / "tshort.npy"],
    ]
    for labels_file, probs_file, *more in cases:
        argv = ["find-issues", "--labels", labels_file, "--pred-probs", probs_file, *more]
        (s1, out1, err1), (s2, out2, err2) = run_both(capsys, monkeypatch, *argv)
        assert (s1, out1, err1) == (s2, out2, err2) and s1 == 2 and err1.startswith("cleanlens: error: "), argv
    (s1, out1, _), (s2, out2, _) = run_both(
        capsys, monkeypatch, "find-issues", "--labels", tmp_path / "lbool.npy", "--pred-probs", p, "--json",
        "--ties", "portable",
    )  # fmt: skip
    assert s1 == s2 == 0 and out1 == out2


# --- cleanlab's find_label_issues and dataset health (--filter-by, --health) ------------------


@pytest.fixture(scope="module")
def digits_files(tmp_path_factory):
    """scikit-learn's digits with 6% of the labels flipped, out-of-sample probabilities from a logistic
    regression (the issue's example), as .npy files in float64 and float32."""
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    features, truth = load_digits(return_X_y=True)
    rng = np.random.default_rng(0)
    labels = truth.copy()
    flip = rng.random(len(labels)) < 0.06
    labels[flip] = (labels[flip] + rng.integers(1, 10, flip.sum())) % 10
    from threadpoolctl import threadpool_limits

    with warnings.catch_warnings(), threadpool_limits(1):  # BLAS threads only contend on a shared machine
        warnings.simplefilter("ignore")
        probs = cross_val_predict(LogisticRegression(max_iter=2000), features, labels, cv=5, method="predict_proba")
    folder = tmp_path_factory.mktemp("digits")
    np.save(folder / "labels.npy", labels)
    np.save(folder / "probs.npy", probs)
    np.save(folder / "probs32.npy", probs.astype(np.float32))
    return folder, labels, probs


@pytest.mark.parametrize("probs_file", ["probs.npy", "probs32.npy"])
def test_filter_by_and_health_json_equal_cleanlab(capsys, digits_files, probs_file):
    from cleanlab.dataset import find_overlapping_classes, overall_label_health_score, rank_classes_by_label_quality
    from cleanlab.filter import find_label_issues

    folder, labels, _ = digits_files
    probs = np.load(folder / probs_file)
    names = [str(c) for c in range(10)]
    for filter_by in ("prune_by_noise_rate", "prune_by_class", "both", "confident_learning", "low_self_confidence"):
        argv = ["find-issues", "--labels", folder / "labels.npy", "--pred-probs", folder / probs_file]
        report = run_json(capsys, *argv, "--filter-by", filter_by, "--health")
        found = report["find_label_issues"]
        expected = find_label_issues(labels, probs, filter_by=filter_by, n_jobs=1)
        assert found["label_issues"] == np.flatnonzero(expected).tolist() and found["count"] == expected.sum()
        assert found["filter_by"] == filter_by and found["ties"] == "numpy"
    health = report["health"]
    assert health["classes"] == rank_classes_by_label_quality(labels, probs, class_names=names).to_dict("records")
    pairs = find_overlapping_classes(labels, probs, class_names=names).to_dict("records")
    assert health["overlapping_classes"] == pairs
    assert health["overall_label_health_score"] == overall_label_health_score(labels, probs, verbose=False)


def test_ties_portable_is_the_pages(capsys, digits_files):
    """On digits, equal values straddle a cut-off in the calibration's rounding: cleanlab (numpy's SIMD sort
    here) and numpy's portable sort (the page) disagree by one item; --ties portable says what the page
    says."""
    from cleanlens.issues import LabelIssues

    folder, labels, probs = digits_files
    argv = ["find-issues", "--labels", folder / "labels.npy", "--pred-probs", folder / "probs.npy", "--health"]
    report = run_json(capsys, *argv, "--ties", "portable")
    page = LabelIssues.compute(labels.tolist(), probs.tolist())
    assert report["find_label_issues"]["label_issues"] == [i for i, x in enumerate(page.find_label_issues()) if x]
    assert report["find_label_issues"]["ties"] == "portable"
    assert report["health"]["overall_label_health_score"] == page.health().score


def test_health_text_report(capsys, digits_files):
    folder, _, _ = digits_files
    status, out, err = run(
        capsys, "find-issues", "--labels", folder / "labels.npy", "--pred-probs", folder / "probs.npy", "--health"
    )
    assert status == 0 and err == ""
    assert "cleanlab find_label_issues (filter_by=prune_by_noise_rate): " in out
    assert "Dataset health: label health score " in out and "Classes by label quality" in out
    assert "Overlapping classes, most first" in out and "more pairs; use --json" in out
