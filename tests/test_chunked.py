"""Streaming in blocks (cleanlens.chunked, cleanlens.tables, cleanlens.cli_stream) equals the in-memory path."""

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cleanlab.count import get_confident_thresholds

from cleanlens.chunked import (
    NO_SUGGESTION,
    class_statistics,
    cleanlab_thresholds,
    find_issues_streamed,
    per_class_values,
)
from cleanlens.cli import main
from cleanlens.cli_issues import health_section
from cleanlens.confident import ArrayConfidentLearning, percentile
from cleanlens.counting_arrays import ArrayCounts, find_label_issues_array, numpy_argsort
from cleanlens.rank import label_quality_scores
from cleanlens.tables import ArrayTable, NpyTable


def synthetic(n, k, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k)).astype(np.float32) + 3.0 * np.eye(k, dtype=np.float32)[truth]
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    labels = np.where(rng.random(n) < 0.05, rng.integers(0, k, n), truth)
    return labels, probs.astype(dtype), truth


@pytest.mark.parametrize("rule", ["percentile", "cleanlab"])
def test_two_million_rows_in_blocks_equal_the_in_memory_path(tmp_path, rule):
    """The threshold rule, and cleanlab's find_label_issues (default filter), num_label_issues and health."""
    labels, probs, _ = synthetic(2_000_000, 6)
    np.save(tmp_path / "p.npy", probs)
    streamed = find_issues_streamed(labels, NpyTable(tmp_path / "p.npy"), rule=rule, class_percentile=35,
                                    filter_by="prune_by_noise_rate", health=True)  # fmt: skip
    counts = ArrayCounts(labels, probs)  # (cleanlab's find_label_issues, default filter)
    found = streamed.issues
    issues = find_label_issues_array(counts)
    assert np.array_equal(np.concatenate([m for _, m in found.mask.blocks()]), issues) and found.count == issues.sum()
    assert found.num_label_issues == counts.num_label_issues() > 0
    classes = [str(c) for c in range(6)]
    assert found.health == health_section(counts.calibrated, len(labels), classes, numpy_argsort,
                                          counts.num_label_issues())  # fmt: skip
    del counts
    memory = ArrayConfidentLearning(labels, probs)
    expected = memory.categorize(35, 15, rule=rule)
    items = streamed.items
    assert streamed.joint == expected.joint and streamed.counts == expected.counts
    assert streamed.class_thresholds == expected.class_thresholds
    assert streamed.ood_thresholds == expected.ood_thresholds
    assert np.array_equal(items.categories, np.array(expected.categories, dtype=np.int8))
    suggested = np.array([NO_SUGGESTION if s is None else s for s in expected.suggested])
    assert np.array_equal(items.suggested, suggested)
    assert np.array_equal(
        np.asarray(items.quality, dtype=np.float64), label_quality_scores(memory.labels, memory.probabilities)
    )


def test_percentiles_by_selection_are_numpys_exactly():
    rng = np.random.default_rng(5)
    for n in (1, 2, 3, 10, 1001):
        values = rng.random(n)
        for q in (0, 0.5, 15, 33.3, 50, 99.9, 100):
            percentiles, mean = class_statistics(values, [q])
            assert percentiles[q] == percentile(np.sort(values), q) == np.percentile(values, q)
        assert mean == np.mean(values)
    assert class_statistics(np.empty(0), [50]) == ({50: float("inf")}, None)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("absent", [False, True])
def test_cleanlab_thresholds_are_cleanlabs_in_its_dtype(dtype, absent):
    """cleanlab's thresholds from the per-class means, float32 values in float32 (a class absent: float64), a
    mean under 2e-6 clipped."""
    labels, probs, _ = synthetic(3_000, 4, seed=8, dtype=dtype)
    probs[labels == 1] = np.array([1 - 3e-7, 1e-7, 1e-7, 1e-7], dtype=dtype)
    if absent:
        labels[labels == 2] = 0
    kept = probs[np.arange(len(labels)), labels]
    stats = [class_statistics(v, [50], dtype) for v in per_class_values(labels, kept, 4)]
    thresholds = cleanlab_thresholds(stats)
    expected = get_confident_thresholds(labels, probs)
    assert thresholds.dtype == expected.dtype and thresholds.tobytes() == expected.tobytes()
    assert thresholds.dtype == (np.float64 if absent else dtype)


def test_block_sizes_do_not_change_anything():
    labels, probs, _ = synthetic(5_000, 4, seed=2, dtype=np.float64)
    a = find_issues_streamed(labels, ArrayTable(probs), rule="cleanlab", method="confidence_weighted_entropy")
    b = find_issues_streamed(labels, ArrayTable(probs), rule="cleanlab", method="confidence_weighted_entropy", rows=7)
    assert a.joint == b.joint and a.class_thresholds == b.class_thresholds
    assert np.array_equal(a.items.categories, b.items.categories)
    assert np.array_equal(a.items.quality, b.items.quality)


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_parquet_is_read_by_row_group_and_equals_npy(tmp_path, capsys):
    labels, probs, truth = synthetic(20_000, 5, seed=3)
    np.save(tmp_path / "l.npy", labels)
    np.save(tmp_path / "p.npy", probs)
    np.save(tmp_path / "t.npy", truth)
    columns = {"id": [f"x{i}" for i in range(len(labels))], "label": labels}
    columns.update({f"p_{c}": probs[:, c] for c in range(5)})
    columns["truth"] = truth
    pq.write_table(pa.table(columns), tmp_path / "all.parquet", row_group_size=3_000)
    pq.write_table(pa.table({"y": labels}), tmp_path / "labels.parquet", row_group_size=3_000)
    expected = run(capsys, "find-issues", "--labels", tmp_path / "l.npy", "--pred-probs", tmp_path / "p.npy",
                   "--truth", tmp_path / "t.npy", "--json", "--in-memory")  # fmt: skip
    for lab, truth_file in ((tmp_path / "all.parquet", tmp_path / "all.parquet"), (tmp_path / "labels.parquet",
                                                                                   tmp_path / "t.npy")):  # fmt: skip
        got = run(capsys, "find-issues", "--labels", lab, "--pred-probs", tmp_path / "all.parquet", "--truth",
                  truth_file, "--json")  # fmt: skip
        assert got == expected and json.loads(got[1])["score"]["wrong"] > 0


@pytest.mark.parametrize(
    ("make", "argv", "message"),
    [
        (lambda d: pq.write_table(pa.table({"a": [0, 1], "b": [1, 0]}), d / "x.parquet"),
         ["--labels", "x.parquet", "--pred-probs", "p.npy"],
         "x.parquet: 2 columns ('a', 'b') and none is named 'label': labels need one column, or a column named"),
        (lambda d: pq.write_table(pa.table({"label": [0, 1], "p_0": [0.5, 0.5], "note": ["a", "b"]}), d / "x.parquet"),
         ["--labels", "x.parquet", "--pred-probs", "x.parquet"], "x.parquet: column 'note' is string, not numbers"),
        (lambda d: pq.write_table(pa.table({"label": [0, 1], "id": ["a", "b"]}), d / "x.parquet"),
         ["--labels", "x.parquet", "--pred-probs", "x.parquet"],
         "x.parquet: no probability columns (every column is one of label, truth, id, image)"),
        (lambda d: (d / "x.parquet").write_bytes(b"PAR1 not really"),
         ["--labels", "x.parquet", "--pred-probs", "p.npy"], "x.parquet: not a Parquet file"),
        (lambda d: (d / "t.npy").write_bytes((d / "p.npy").read_bytes()[:-9]),
         ["--labels", "l.npy", "--pred-probs", "t.npy"], "t.npy: truncated: 71 data bytes, expected 80 for shape"),
    ],
)  # fmt: skip
def test_bad_files_are_one_line_and_exit_2(tmp_path, capsys, make, argv, message):
    np.save(tmp_path / "l.npy", np.array([0, 1, 0, 1, 1]))
    np.save(tmp_path / "p.npy", np.full((5, 2), 0.5))
    make(tmp_path)
    status, out, err = run(capsys, "find-issues", *[tmp_path / a if a.endswith(("npy", "parquet")) else a
                                                   for a in argv])  # fmt: skip
    assert status == 2 and out == "" and err.startswith(f"cleanlens: error: {message}") and err.count("\n") == 1
