"""Pairwise probabilities: Platt sigmoids and coupling against libsvm (through scikit-learn), degenerate folds."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.calibration import _sigmoid_calibration
from sklearn.svm import SVC

from bench.bench_engine import synthetic_blobs
from cleanlens import pairwise, svm
from cleanlens.pairwise import (
    couple,
    multiclass_probability,
    pair_probability,
    pairwise_probabilities,
    sigmoid_predict,
    sigmoid_train,
)
from cleanlens.steps import collect

# --- sigmoids -------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_sigmoid_train_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    values = rng.normal(size=120) * 2.0
    positive = (values + rng.normal(size=120) > 0.3).tolist()
    A, B = sigmoid_train(values.tolist(), positive)
    a, b = _sigmoid_calibration(values, np.array(positive, dtype=float))
    ours = [sigmoid_predict(v, A, B) for v in values]
    ref = 1.0 / (1.0 + np.exp(a * values + b))
    assert np.max(np.abs(np.array(ours) - ref)) < 1e-5


def test_sigmoid_with_one_class_follows_the_smoothed_targets():
    A, B = sigmoid_train([0.5, 1.0, 2.0], [True, True, True])
    assert 0.5 < sigmoid_predict(1.0, A, B) < 1.0
    assert sigmoid_train([], []) == (0.0, 0.0)  # no values: P = 1/2
    assert sigmoid_predict(1e6, -1.0, 0.0) == 1.0 and sigmoid_predict(-1e6, -1.0, 0.0) == 0.0


def test_pair_probability_is_clipped_as_libsvm():
    assert pair_probability(1e6, -1.0, 0.0) == 1.0 - 1e-7
    assert pair_probability(-1e6, -1.0, 0.0) == 1e-7


def test_sigmoid_paused_in_chunks_gives_the_same_fit():
    rng = np.random.default_rng(3)
    values = (rng.normal(size=3000) * 2.0).tolist()
    positive = [v + g > 0 for v, g in zip(values, rng.normal(size=3000))]
    steps, fit = collect(pairwise.iter_sigmoid_train(values, positive, due=lambda: True))
    assert fit == sigmoid_train(values, positive)
    assert len(steps) >= 3 * 3  # at least three chunks per pass, several passes


# --- coupling against libsvm ---------------------------------------------------------


def _libsvm_with_fixed_pairwise_probabilities(r):
    """scikit-learn's SVC(probability=True) on k classes whose pairwise probabilities are the constants r[i][j].

    With A = 0 and B = log(1/r - 1) libsvm's sigmoid gives r whatever the
    decision value, so ``predict_proba`` is its ``multiclass_probability(r)``
    (its clipping aside, which these r do not reach).
    """
    k = len(r)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6 * k, 2))
    y = np.arange(6 * k) % k
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # `probability` is deprecated from scikit-learn 1.9
        try:
            model = SVC(probability=True, random_state=0).fit(X, y)
        except TypeError:
            pytest.skip("this scikit-learn has no SVC(probability=True)")
    pairs = svm.class_pairs(range(k))
    model._probA = np.zeros(len(pairs))
    model._probB = np.array([math.log(1.0 / r[i][j] - 1.0) for i, j in pairs])
    return model, X


@pytest.mark.parametrize("k", [2, 3, 4, 6])
@pytest.mark.parametrize("seed", range(5))
def test_coupling_matches_libsvm_on_fixed_pairwise_probabilities(k, seed):
    rng = np.random.default_rng(seed)
    r = [[0.0] * k for _ in range(k)]
    for i, j in svm.class_pairs(range(k)):
        r[i][j] = float(rng.uniform(0.02, 0.98))
        r[j][i] = 1.0 - r[i][j]
    model, X = _libsvm_with_fixed_pairwise_probabilities(r)
    expected = model.predict_proba(X[:1])[0]
    r = [
        [pair_probability(0.0, 0.0, math.log(1.0 / r[i][j] - 1.0)) if i != j else 0.0 for j in range(k)]
        for i in range(k)
    ]
    assert np.max(np.abs(np.array(multiclass_probability(r)) - expected)) <= 1e-15
    if k > 2:
        assert couple(r) == multiclass_probability(r)
    else:  # libsvm does not couple two classes; scikit-learn's copy of it does
        assert couple(r) == [r[0][1], r[1][0]] and np.max(np.abs(np.array(couple(r)) - expected)) <= 0.005


def test_probabilities_match_libsvm_predict_proba_with_our_sigmoids():
    # The whole chain after the decision values: sigmoid, clipping, coupling.
    features, labels, _ = synthetic_blobs(n=120, dim=6, n_classes=4, seed=7, flip=0.1)
    X = np.array(svm.standardize(features))
    y = np.array(labels)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        try:
            model = SVC(kernel="rbf", C=3.0, gamma=0.05, probability=True, shrinking=False, random_state=0).fit(X, y)
        except TypeError:
            pytest.skip("this scikit-learn has no SVC(probability=True)")
    pairs = svm.class_pairs(range(4))
    rng = np.random.default_rng(1)
    sigmoids = [(float(rng.uniform(-8.0, -0.5)), float(rng.uniform(-1.0, 1.0))) for _ in pairs]  # steep: some clipped
    model._probA = np.array([a for a, _ in sigmoids])
    model._probB = np.array([b for _, b in sigmoids])
    expected = model.predict_proba(X)
    model.decision_function_shape = "ovo"
    ours = []
    for values in model.decision_function(X).tolist():
        r = [[0.0] * 4 for _ in range(4)]
        for (a, b), v, (A, B) in zip(pairs, values, sigmoids):
            r[a][b] = pair_probability(v, A, B)
            r[b][a] = 1.0 - r[a][b]
        ours.append(couple(r))
    assert np.max(np.abs(np.array(ours) - expected)) <= 1e-9


def _consistent(p):
    k = len(p)
    return [[p[i] / (p[i] + p[j]) if i != j else 0.0 for j in range(k)] for i in range(k)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.01, 1.0), min_size=3, max_size=8))
def test_coupling_recovers_probabilities_behind_consistent_pairs(weights):
    p = [w / sum(weights) for w in weights]
    coupled = couple(_consistent(p))
    assert abs(sum(coupled) - 1.0) < 1e-12
    assert max(abs(a - b) for a, b in zip(coupled, p)) < 0.01  # libsvm stops at |Qp - pQp| < 0.005 / k


@settings(max_examples=200, deadline=None)
@given(
    st.integers(3, 8).flatmap(
        lambda k: st.lists(st.floats(1e-7, 1 - 1e-7), min_size=k * (k - 1) // 2, max_size=k * (k - 1) // 2).map(
            lambda v: (k, v)
        )
    )
)
def test_coupling_gives_a_probability_vector_at_the_optimum(case):
    k, values = case
    r = [[0.0] * k for _ in range(k)]
    for (i, j), v in zip(svm.class_pairs(range(k)), values):
        r[i][j], r[j][i] = v, 1.0 - v
    p = couple(r)
    assert abs(sum(p) - 1.0) < 1e-9 and min(p) > -1e-12
    Q = [
        [sum(r[s][t] ** 2 for s in range(k) if s != t) if t == u else -r[u][t] * r[t][u] for u in range(k)]
        for t in range(k)
    ]
    Qp = [sum(Q[t][u] * p[u] for u in range(k)) for t in range(k)]
    pQp = sum(a * b for a, b in zip(p, Qp))
    assert max(abs(q - pQp) for q in Qp) < 0.005 / k + 1e-12  # libsvm's stopping rule holds


def test_coupling_with_one_or_two_classes():
    assert couple([[0.0]]) == [1.0]
    assert couple([[0.0, 0.3], [0.7, 0.0]]) == [0.3, 0.7]


# --- cross-validated pairwise probabilities -------------------------------------------


def test_two_classes_need_no_coupling():
    labels = [0, 1, 0, 1, 0, 1]
    folds = [[0, 1, 2], [3, 4, 5]]
    decisions = [[1.5], [-0.5], [0.7], [-2.0], [0.1], [0.4]]
    probabilities = pairwise_probabilities(labels, 2, folds, [[0, 1], [0, 1]], decisions)
    A, B = sigmoid_train([v for (v,) in decisions], [g == 0 for g in labels])
    for (v,), row in zip(decisions, probabilities):
        assert row == [pair_probability(v, A, B), 1.0 - pair_probability(v, A, B)]


def test_a_class_missing_from_a_training_fold_gets_probability_zero_there():
    # Fold 0's training set (fold 1) has no class 2: its items are coupled over classes 0 and 1.
    labels = [0, 1, 2, 0, 1, 0, 1, 2]
    folds = [[0, 1, 2], [3, 4], [5, 6, 7]]
    fold_classes = [[0, 1], [0, 1, 2], [0, 1, 2]]
    decisions = [
        [0.9],
        [-0.8],
        [0.1],
        [1.0, 0.5, 0.2],
        [-1.0, 0.3, 0.4],
        [0.8, 0.6, -0.1],
        [-0.7, -0.2, 0.9],
        [0.2, -0.9, -1.1],
    ]
    probabilities = pairwise_probabilities(labels, 3, folds, fold_classes, decisions)
    assert all(row[2] == 0.0 for row in probabilities[:3])
    assert all(abs(sum(row) - 1.0) < 1e-12 for row in probabilities)
    # Pair (0, 1) pools every item labelled 0 or 1; pairs with class 2 only the folds that have it.
    A, B = sigmoid_train([0.9, -0.8, 1.0, -1.0, 0.8, -0.7], [True, False, True, False, True, False])
    assert probabilities[0][:2] == [pair_probability(0.9, A, B), 1.0 - pair_probability(0.9, A, B)]


def test_a_pair_with_one_class_present_and_a_single_class_fold():
    # Class 2 has one item (in fold 1): the pooled values of pairs (0, 2) and (1, 2) hold classes 0 and 1 only.
    labels = [0, 1, 0, 1, 2, 0, 1]
    folds = [[0, 1], [2, 3, 4], [5, 6]]
    fold_classes = [[0, 1, 2], [0, 1], [0, 1, 2]]
    decisions = [[1.0, 0.5, 0.2], [-1.0, 0.3, 0.4], [0.7], [-0.6], [0.1], [0.8, 0.6, -0.1], [-0.7, -0.2, 0.9]]
    probabilities = pairwise_probabilities(labels, 3, folds, fold_classes, decisions)
    s01 = sigmoid_train([1.0, -1.0, 0.7, -0.6, 0.8, -0.7], [True, False, True, False, True, False])
    s02 = sigmoid_train([1.0, 0.8], [True, True])  # pair (0, 2): class 0 items only
    s12 = sigmoid_train([0.4, 0.9], [True, True])  # pair (1, 2): class 1 items only
    r = [[0.0] * 3 for _ in range(3)]
    for (a, b), v, (A, B) in zip([(0, 1), (0, 2), (1, 2)], decisions[0], [s01, s02, s12]):
        r[a][b] = pair_probability(v, A, B)
        r[b][a] = 1.0 - r[a][b]
    assert r[0][2] > 0.5 and r[1][2] > 0.5 and probabilities[0] == couple(r)
    assert probabilities[4] == [pair_probability(0.1, *s01), 1.0 - pair_probability(0.1, *s01), 0.0]
    assert pairwise_probabilities([0, 1, 1], 3, [[0], [1, 2]], [[1], [0]], [[], [], []]) == [
        [0, 1, 0],
        [1, 0, 0],
        [1, 0, 0],
    ]


def test_pausing_changes_nothing():
    rng = np.random.default_rng(5)
    n = 2500
    labels = rng.integers(0, 4, size=n).tolist()
    folds = [list(range(f, n, 5)) for f in range(5)]
    decisions = rng.normal(size=(n, 6)).tolist()
    plain = pairwise_probabilities(labels, 4, folds, [[0, 1, 2, 3]] * 5, decisions)
    steps = pairwise.iter_pairwise_probabilities(labels, 4, folds, [[0, 1, 2, 3]] * 5, decisions, due=lambda: True)
    fractions, paused = collect(steps)
    assert paused == plain
    assert fractions == sorted(fractions) and 0.0 <= fractions[0] and fractions[-1] <= 1.0 and len(fractions) > 20
