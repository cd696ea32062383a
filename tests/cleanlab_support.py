"""Helpers of the tests that compare Cleanlens with cleanlab 2.9.0 (tests/test_counting.py,
test_filtering.py, test_health.py, test_compat.py, test_issues.py): random inputs and exact comparisons.

Inputs are drawn by hypothesis as a few parameters and built with numpy from a drawn seed (fast at any N,
and each example still shrinks to small parameters): K from 2 to ``max_k``, N up to ``max_n``, float64
or float32, probabilities continuous, with ties (small integer weights), one-hot (exact 0 and 1) or a
mix, classes absent from the labels and a class with a single item.
"""

import warnings

import numpy as np
from hypothesis import strategies as st

from cleanlens.counting_arrays import NumpyLinalg, numpy_argsort

KINDS = ("continuous", "ties", "onehot", "mixed")
FILTERS = (
    "prune_by_noise_rate",
    "prune_by_class",
    "both",
    "confident_learning",
    "predicted_neq_given",
    "low_normalized_margin",
    "low_self_confidence",
)
RANKINGS = (None, "self_confidence", "normalized_margin", "confidence_weighted_entropy")
__all__ = ["NumpyLinalg", "numpy_argsort"]


def make_inputs(n, k, dtype="float64", kind="continuous", seed=0, absent=0, single=False):
    """``(labels int64 (N,), pred_probs (N, K) of dtype)``; at least two classes present when N >= 2."""
    rng = np.random.default_rng(seed)
    present = np.sort(rng.choice(k, max(1, k - absent), replace=False))
    labels = rng.choice(present, n)
    if n >= 2 and len(present) >= 2:
        labels[0], labels[1] = present[0], present[1]
    if single and len(present) >= 3 and n >= 3:
        one = present[-1]
        labels[labels == one] = present[0]
        labels[2] = one
    probs = _probabilities(rng, labels, k, kind)
    return labels.astype(np.int64), probs.astype(dtype)


def _probabilities(rng, labels, k, kind):
    n = len(labels)
    if kind == "continuous":
        weights = rng.gamma(rng.uniform(0.2, 2.0), 1.0, (n, k))
    elif kind == "ties":
        weights = rng.choice([0.0, 0.0, 1.0, 2.0, 3.0], (n, k))
    elif kind == "onehot":
        weights = np.eye(k)[rng.integers(0, k, n)]
    else:
        weights = np.where(rng.random((n, 1)) < 0.5, rng.gamma(0.7, 1.0, (n, k)), rng.choice([0.0, 1.0, 2.0], (n, k)))
        onehot = rng.random(n) < 0.2
        weights[onehot] = np.eye(k)[rng.integers(0, k, onehot.sum())]
    # most items lean to their label, as out-of-sample probabilities do
    lean = rng.random(n) < 0.7
    weights[lean, labels[lean]] += weights[lean].sum(axis=1) * rng.uniform(0.5, 3.0)
    weights[weights.sum(axis=1) == 0, 0] = 1.0
    return weights / weights.sum(axis=1, keepdims=True)


@st.composite
def cleanlab_inputs(draw, max_n=200, max_k=12, dtypes=("float64", "float32"), kinds=KINDS):
    """``(labels, pred_probs)`` for :func:`make_inputs` with drawn parameters."""
    k = draw(st.integers(2, max_k))
    n = draw(st.integers(2, max_n))
    return make_inputs(
        n,
        k,
        draw(st.sampled_from(dtypes)),
        draw(st.sampled_from(kinds)),
        draw(st.integers(0, 2**32 - 1)),
        draw(st.integers(0, k - 2)),
        draw(st.booleans()),
    )


def quietly(call, *args, **kwargs):
    """``call(*args, **kwargs)`` with warnings silenced (cleanlab warns about small classes)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call(*args, **kwargs)


def assert_same_array(ours, theirs):
    """Equal values, shape, dtype and memory order (F-ordered where cleanlab's is)."""
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.dtype == theirs.dtype, (ours.dtype, theirs.dtype)
    assert ours.shape == theirs.shape and np.array_equal(ours, theirs), (ours, theirs)
    if ours.ndim == 2 and min(ours.shape) > 1:
        assert ours.flags.f_contiguous == theirs.flags.f_contiguous


def rows_of(frame):
    """A DataFrame's rows as dicts (the pure backend's tables)."""
    return frame.to_dict("records")


def portable_check(seeds):
    """Compare the standard-library backend of :mod:`cleanlens.compat` with cleanlab on tie-heavy inputs and
    print ``{"failures": [...], "compared": n}`` as JSON (run with numpy's SIMD sorting off: see
    tests/test_compat.py)."""
    import json

    import cleanlab.count
    import cleanlab.dataset
    import cleanlab.filter
    import cleanlab.rank

    from cleanlens import compat
    from cleanlens.compat import _common

    _common.numpy_module = lambda: None  # the standard-library backend
    failures, compared = [], 0
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        k = int(rng.integers(2, 30))
        n = int(rng.integers(2, 400))
        labels, probs = make_inputs(
            n, k, ("float64", "float32")[seed % 2], KINDS[seed % 4], seed, int(rng.integers(0, k - 1)), seed % 3 == 0
        )
        if len(set(labels.tolist())) < 2:
            continue
        given = labels.tolist()  # the pure backend reads the probabilities' dtype and their values as lists
        calls = [
            (f"{f} {r}", "filter.find_label_issues", {"filter_by": f, "return_indices_ranked_by": r})
            for f in FILTERS
            for r in (None, "normalized_margin")
        ]
        calls += [
            ("frac", "filter.find_label_issues", {"frac_noise": 0.5, "min_examples_per_class": 4}),
            ("cj", "count.compute_confident_joint", {}),
            ("nli", "count.num_label_issues", {"estimation_method": "off_diagonal_calibrated"}),
            ("ranks", "dataset.rank_classes_by_label_quality", {}),
            ("pairs", "dataset.find_overlapping_classes", {}),
            ("score", "dataset.overall_label_health_score", {"verbose": False}),
            ("scores", "rank.get_label_quality_scores", {"method": "normalized_margin"}),
        ]
        for name, path, kwargs in calls:
            module, function = path.split(".")
            theirs_kwargs = {**kwargs, "n_jobs": 1} if function == "find_label_issues" else kwargs
            ours = quietly(getattr(getattr(compat, module), function), given, probs, **kwargs)
            theirs = quietly(getattr(getattr(cleanlab, module), function), labels, probs, **theirs_kwargs)
            theirs = theirs.to_dict("records") if hasattr(theirs, "to_dict") else theirs.tolist()
            compared += 1
            if ours != theirs:
                failures.append(f"{seed} {name}")
    print(json.dumps({"failures": failures, "compared": compared}))
