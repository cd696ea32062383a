"""The vectorised calibration equals the pure-Python one (cleanlens.pairwise) on the same inputs.

Bit for bit where numpy's exp and log1p equal Python's math (Pyodide); within a few ulps under CPython, whose
numpy may use SIMD loops for them. The coupling has no transcendental functions: it is compared exactly.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanlens import pairwise
from cleanlens.crossval import stratified_folds
from cleanlens.pairwise_arrays import (
    iter_pairwise_probabilities_array,
    iter_sigmoid_train_array,
    multiclass_probability_array,
    pair_probability_array,
)
from cleanlens.steps import collect, drain
from cleanlens.svm import class_pairs

ULPS = 1e-13


def _problem(seed, n, k, scale=2.0):
    """Labels, folds, each fold's training classes and random decision values, as crossval hands them over."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, n).tolist()
    folds = stratified_folds(labels, 5, seed=seed)
    fold_classes = []
    for test in folds:
        held = set(test)
        fold_classes.append(sorted({labels[i] for i in range(n) if i not in held}))
    decisions = [None] * n
    for f, test in enumerate(folds):
        width = len(class_pairs(fold_classes[f]))
        for i in test:
            decisions[i] = (rng.normal(size=width) * scale).tolist()
    return labels, k, folds, fold_classes, decisions


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(5, 300),
    k=st.integers(2, 8),
    scale=st.sampled_from([0.1, 2.0, 30.0]),
)
def test_equals_the_pure_python_calibration(seed, n, k, scale):
    problem = _problem(seed, n, k, scale)
    plain = pairwise.pairwise_probabilities(*problem)
    vectorised = drain(iter_pairwise_probabilities_array(*problem))
    assert np.abs(np.array(plain) - np.array(vectorised)).max() <= ULPS


@pytest.mark.parametrize(
    "values, positive",
    [
        ([], []),
        ([1.0, 0.8, 2.5], [True, True, True]),
        ([-1.0, -0.2], [False, False]),
        ([0.3, -0.4, 2.0, -3.0, 0.1], [True, False, True, False, False]),
        ([50.0, -40.0, 0.0], [True, False, True]),  # separable: the line search ends it
    ],
)
def test_sigmoid_fit_equals_the_pure_python_fit(values, positive):
    A, B = pairwise.sigmoid_train(values, positive)
    a, b = drain(iter_sigmoid_train_array(np.array(values, dtype=float), np.array(positive, dtype=bool)))
    assert math.isclose(A, a, rel_tol=ULPS, abs_tol=ULPS) and math.isclose(B, b, rel_tol=ULPS, abs_tol=ULPS)


def test_pair_probability_is_clipped_as_the_pure_python_one():
    values = np.array([-1e3, -2.0, 0.0, 0.5, 1e3])
    for A, B in [(-1.5, 0.2), (2.0, -0.3), (0.0, 0.0)]:
        expected = [pairwise.pair_probability(v, A, B) for v in values]
        assert np.abs(pair_probability_array(values, A, B) - expected).max() <= ULPS


@pytest.mark.parametrize("k", [2, 3, 5, 12])
def test_coupling_equals_the_pure_python_coupling_exactly(k):
    rng = np.random.default_rng(k)
    m = 200
    r = np.zeros((m, k, k))
    for x in range(k):
        for y in range(x + 1, k):
            r[:, x, y] = rng.uniform(1e-7, 1 - 1e-7, size=m)
            r[:, y, x] = 1.0 - r[:, x, y]
    r[0] = 0.5  # every pair undecided: converges at once
    expected = [pairwise.multiclass_probability(item.tolist()) for item in r]
    assert multiclass_probability_array(r).tolist() == expected


def test_degenerate_folds_as_the_pure_python_calibration():
    # A single-class training fold, a fold without class 2, and no pairs at all.
    cases = [
        ([0, 1, 2, 0, 1, 0, 1, 2], 3, [[0, 1, 2], [3, 4], [5, 6, 7]], [[0, 1], [0, 1, 2], [0, 1, 2]]),
        ([0, 1, 0, 1, 2, 0, 1], 3, [[0, 1], [2, 3, 4], [5, 6]], [[0, 1, 2], [0, 1], [0, 1, 2]]),
        ([0, 1, 1], 3, [[0], [1, 2]], [[1], [0]]),
    ]
    rng = np.random.default_rng(0)
    for labels, k, folds, fold_classes in cases:
        decisions = [None] * len(labels)
        for f, test in enumerate(folds):
            for i in test:
                decisions[i] = rng.normal(size=len(class_pairs(fold_classes[f]))).tolist()
        plain = pairwise.pairwise_probabilities(labels, k, folds, fold_classes, decisions)
        vectorised = drain(iter_pairwise_probabilities_array(labels, k, folds, fold_classes, decisions))
        assert np.abs(np.array(plain) - np.array(vectorised)).max() <= ULPS


def test_pausing_changes_nothing_and_reports_progress():
    problem = _problem(3, 2500, 4)
    plain = drain(iter_pairwise_probabilities_array(*problem))
    fractions, paused = collect(iter_pairwise_probabilities_array(*problem, due=lambda: True))
    assert paused == plain
    assert fractions == sorted(fractions) and 0.0 <= fractions[0] and fractions[-1] <= 1.0 and len(fractions) > 5
