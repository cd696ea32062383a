"""cleanlens.compat against cleanlab 2.9.0: the same names, signatures and defaults; with numpy the same
results (values, dtypes, memory order, DataFrames); without numpy (the standard-library backend) the
same values as cleanlab computes with numpy's portable sort (checked in a subprocess that turns numpy's
SIMD sorting off)."""

import inspect
import json
import os
import subprocess
import sys

import cleanlab.count
import cleanlab.dataset
import cleanlab.filter
import cleanlab.rank
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanlens import compat
from cleanlens.compat import _common

from .cleanlab_support import FILTERS, RANKINGS, assert_same_array, cleanlab_inputs, make_inputs, quietly

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUNCTIONS = {
    "count": [
        "get_confident_thresholds",
        "compute_confident_joint",
        "calibrate_confident_joint",
        "estimate_joint",
        "estimate_latent",
        "estimate_py_and_noise_matrices_from_probabilities",
        "num_label_issues",
    ],
    "filter": ["find_label_issues", "find_predicted_neq_given"],
    "rank": ["get_label_quality_scores", "order_label_issues"],
    "dataset": [
        "rank_classes_by_label_quality",
        "find_overlapping_classes",
        "overall_label_health_score",
        "health_summary",
    ],
}


@pytest.mark.parametrize("module, name", [(m, f) for m, names in FUNCTIONS.items() for f in names])
def test_names_signatures_and_defaults_are_cleanlabs(module, name):
    ours = inspect.signature(getattr(getattr(compat, module), name))
    theirs = inspect.signature(getattr(getattr(cleanlab, module), name))
    assert [(p.name, p.kind, p.default) for p in ours.parameters.values()] == [
        (p.name, p.kind, p.default) for p in theirs.parameters.values()
    ]


def both(call_path, *args, **kwargs):
    """``(ours, cleanlab's)`` for ``"module.function"`` called with the same arguments."""
    module, name = call_path.split(".")
    ours = quietly(getattr(getattr(compat, module), name), *args, **kwargs)
    kwargs = {**kwargs, "n_jobs": 1} if name == "find_label_issues" else kwargs
    return ours, quietly(getattr(getattr(cleanlab, module), name), *args, **kwargs)


def assert_same(ours, theirs):
    if isinstance(theirs, pd.DataFrame):
        pd.testing.assert_frame_equal(ours, theirs)
    elif isinstance(theirs, tuple):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_same(a, b)
    elif isinstance(theirs, dict):
        assert ours.keys() == theirs.keys()
        for key in theirs:
            assert_same(ours[key], theirs[key])
    elif isinstance(theirs, np.ndarray):
        assert_same_array(ours, theirs)
    else:
        assert type(ours) is type(theirs) and ours == theirs, (ours, theirs)


@settings(max_examples=40, deadline=None)
@given(cleanlab_inputs(max_k=15))
def test_count_with_numpy_equals_cleanlab(data):
    labels, probs = data
    joint = cleanlab.count.compute_confident_joint(labels, probs, calibrate=False)
    calls = [
        ("count.get_confident_thresholds", (labels, probs), {}),
        ("count.compute_confident_joint", (labels, probs), {}),
        (
            "count.compute_confident_joint",
            (labels, probs),
            {"calibrate": False, "return_indices_of_off_diagonals": True},
        ),
        ("count.compute_confident_joint", (labels, probs), {"thresholds": np.full(probs.shape[1], 0.4, probs.dtype)}),
        ("count.calibrate_confident_joint", (joint, labels), {}),
        ("count.estimate_joint", (labels, probs), {}),
        ("count.estimate_joint", (labels, probs), {"confident_joint": joint}),
        ("count.estimate_joint", (None, probs), {"confident_joint": joint}),
        ("count.estimate_latent", (joint, labels), {"converge_latent_estimates": True}),
        ("count.estimate_py_and_noise_matrices_from_probabilities", (labels, probs), {}),
    ]
    for path, args, kwargs in calls:
        try:
            expected = quietly(getattr(cleanlab.count, path.split(".")[1]), *args, **kwargs)
        except np.linalg.LinAlgError:
            continue
        assert_same(quietly(getattr(compat.count, path.split(".")[1]), *args, **kwargs), expected)
    for method in ("off_diagonal", "off_diagonal_calibrated"):
        assert_same(*both("count.num_label_issues", labels, probs, estimation_method=method))
    assert_same(
        *both("count.num_label_issues", labels, probs, confident_joint=joint, estimation_method="off_diagonal_custom")
    )
    for py_method in ("cnt", "eqn", "marginal", "marginal_ps"):
        try:
            expected = quietly(cleanlab.count.estimate_latent, joint, labels, py_method=py_method)
        except np.linalg.LinAlgError:
            continue
        assert_same(compat.count.estimate_latent(joint, labels, py_method=py_method), expected)


@settings(max_examples=40, deadline=None)
@given(cleanlab_inputs(max_k=15), st.sampled_from(RANKINGS))
def test_filter_and_rank_with_numpy_equal_cleanlab(data, ranked_by):
    labels, probs = data
    for filter_by in FILTERS:
        assert_same(
            *both("filter.find_label_issues", labels, probs, filter_by=filter_by, return_indices_ranked_by=ranked_by)
        )
    options = {"frac_noise": 0.6, "min_examples_per_class": 3, "filter_by": "both", "rank_by_kwargs": {}}
    assert_same(*both("filter.find_label_issues", labels, probs, **options))
    assert_same(*both("filter.find_predicted_neq_given", labels, probs))
    for method in RANKINGS[1:]:
        for adjust in (False, True) if method != "confidence_weighted_entropy" else (False,):
            assert_same(*both("rank.get_label_quality_scores", labels, probs, method=method, adjust_pred_probs=adjust))
    mask = cleanlab.filter.find_label_issues(labels, probs, n_jobs=1)
    assert_same(*both("rank.order_label_issues", mask, labels, probs, rank_by=ranked_by or "normalized_margin"))


@settings(max_examples=40, deadline=None)
@given(cleanlab_inputs(max_k=15), st.booleans())
def test_dataset_with_numpy_equals_cleanlab(data, named):
    labels, probs = data
    names = [f"c{c}" for c in range(probs.shape[1])] if named else None
    assert_same(*both("dataset.rank_classes_by_label_quality", labels, probs, class_names=names))
    for asymmetric in (False, True):
        assert_same(*both("dataset.find_overlapping_classes", labels, probs, asymmetric=asymmetric, class_names=names))
    assert_same(*both("dataset.overall_label_health_score", labels, probs, verbose=False))
    joint = cleanlab.count.estimate_joint(labels, probs)
    assert_same(*both("dataset.overall_label_health_score", joint=joint, num_examples=len(labels), verbose=False))
    cj = cleanlab.count.compute_confident_joint(labels, probs)
    assert_same(*both("dataset.rank_classes_by_label_quality", confident_joint=cj, num_examples=len(labels)))
    assert_same(*both("dataset.find_overlapping_classes", confident_joint=cj))
    assert_same(*both("dataset.health_summary", labels, probs, class_names=names, verbose=False))


def test_lists_and_series_are_accepted():
    labels, probs = make_inputs(80, 4, seed=2)
    expected = cleanlab.filter.find_label_issues(labels, probs, n_jobs=1)
    assert_same_array(compat.filter.find_label_issues(labels.tolist(), probs), expected)
    assert_same_array(compat.filter.find_label_issues(pd.Series(labels), probs), expected)


def test_outside_the_subset_raises_not_implemented():
    labels, probs = make_inputs(20, 3, seed=1)
    calls = [
        lambda: compat.filter.find_label_issues([[0], [1]], probs[:2], multi_label=True),
        lambda: compat.count.compute_confident_joint(labels, probs, multi_label=True),
        lambda: compat.count.num_label_issues(labels, probs, multi_label=True),
        lambda: compat.dataset.rank_classes_by_label_quality(labels, probs, multi_label=True),
        lambda: compat.dataset.overall_label_health_score(labels, probs, multi_label=True),
    ]
    for call in calls:
        with pytest.raises(NotImplementedError, match="single-label"):
            call()


@pytest.mark.parametrize(
    "labels, probs, message",
    [
        ([0, 1, 5], [[0.5, 0.5]] * 3, "at least 6 columns"),
        ([0, -1], [[0.5, 0.5]] * 2, "non-negative"),
        ([0, 1.5], [[0.5, 0.5]] * 2, "integers"),
        ([0, 1], [[0.5, 1.5], [0.5, 0.5]], "between 0 and 1"),
        ([0, 1], [[0.5, 0.5]], "same length"),
        ([1, 1, 1], [[0.5, 0.5]] * 3, "at least 2 classes"),
    ],
)
def test_bad_inputs_raise_value_errors(labels, probs, message):
    with pytest.raises(ValueError, match=message):
        compat.filter.find_label_issues(np.array(labels), np.array(probs))


def test_without_numpy_results_are_lists(monkeypatch):
    labels, probs = make_inputs(60, 3, seed=4)
    monkeypatch.setattr(_common, "numpy_module", lambda: None)
    mask = compat.filter.find_label_issues(labels.tolist(), probs.tolist())
    assert isinstance(mask, list) and all(isinstance(x, bool) for x in mask)
    assert isinstance(compat.count.num_label_issues(labels.tolist(), probs.tolist()), int)
    table = compat.dataset.rank_classes_by_label_quality(labels.tolist(), probs.tolist())
    assert isinstance(table, list) and set(table[0]) == {
        "Class Index",
        "Label Issues",
        "Inverse Label Issues",
        "Label Noise",
        "Inverse Label Noise",
        "Label Quality Score",
    }


def test_standard_library_backend_equals_cleanlab_with_numpys_portable_sort():
    """numpy's SIMD sorting turned off, cleanlab orders equal values as numpy's portable sort does: then the
    standard-library backend gives its results exactly, ties included (tie-heavy inputs, K up to 29)."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    simd = [feature for feature in __cpu_dispatch__ if __cpu_features__.get(feature)]
    env = dict(os.environ, NPY_DISABLE_CPU_FEATURES=" ".join(simd))
    script = (
        "import sys; sys.path[:0] = ['py', '.']; from tests.cleanlab_support import portable_check; portable_check(40)"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["compared"] > 400 and result["failures"] == []


def test_large_inputs_with_numpy():
    labels, probs = make_inputs(50_000, 50, "float32", "mixed", seed=50, absent=3, single=True)
    for filter_by in ("prune_by_noise_rate", "both", "low_normalized_margin"):
        assert_same(*both("filter.find_label_issues", labels, probs, filter_by=filter_by))
    assert_same(*both("count.num_label_issues", labels, probs, estimation_method="off_diagonal_calibrated"))
    assert_same(*both("dataset.health_summary", labels, probs, verbose=False))
