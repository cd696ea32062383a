"""cleanlens.rank: label quality scores equal to cleanlab's, their order, the generator and numpy paths."""

import doctest
import math
import random

import numpy as np
import pytest
from cleanlab.rank import get_label_quality_scores
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanlens import rank
from cleanlens.confident import ConfidentLearning
from cleanlens.rank import (
    METHODS,
    iter_label_quality_order,
    iter_label_quality_scores,
    label_quality_order,
    label_quality_scores,
)

TOLERANCE = 1e-12
VARIANTS = [(m, False) for m in METHODS] + [(m, True) for m in METHODS if m != "confidence_weighted_entropy"]


def run(steps):
    """Drive a generator to its end, counting its yields; return (value, yields)."""
    yields = 0
    while True:
        try:
            next(steps)
            yields += 1
        except StopIteration as stop:
            return stop.value, yields


@st.composite
def labelled_probabilities(draw, max_n=30, max_k=6):
    """(labels, rows): rows of K >= 2 values summing to 1, with zeros, ties and exact one-hot rows."""
    k = draw(st.integers(2, max_k))
    n = draw(st.integers(1, max_n))
    labels = draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    weight = st.sampled_from([0.0, 0.0, 1.0, 2.0, 1e-9, 1e-300]) | st.floats(1e-6, 10.0)
    rows = []
    for _ in range(n):
        if draw(st.booleans()) and draw(st.booleans()):
            row = [0.0] * k
            row[draw(st.integers(0, k - 1))] = 1.0
        else:
            w = draw(st.lists(weight, min_size=k, max_size=k).filter(lambda w: sum(w) > 0))
            row = [x / sum(w) for x in w]
        rows.append(row)
    return labels, rows


def cleanlab_scores(labels, rows, method, adjust):
    return get_label_quality_scores(
        np.array(labels), np.array(rows, dtype=float), method=method, adjust_pred_probs=adjust
    )


@settings(max_examples=300, deadline=None)
@given(labelled_probabilities(), st.sampled_from(VARIANTS))
def test_pure_scores_equal_cleanlab(data, variant):
    labels, rows = data
    method, adjust = variant
    ours = label_quality_scores(labels, rows, method, adjust)
    assert isinstance(ours, list) and all(type(s) is float for s in ours)
    expected = cleanlab_scores(labels, rows, method, adjust)
    assert np.max(np.abs(np.array(ours) - expected)) <= TOLERANCE
    if method != "confidence_weighted_entropy":
        assert ours == expected.tolist()  # the same operations in the same order: bit for bit


@settings(max_examples=150, deadline=None)
@given(labelled_probabilities(), st.sampled_from(VARIANTS))
def test_numpy_scores_equal_cleanlab_bit_for_bit(data, variant):
    labels, rows = data
    method, adjust = variant
    ours = label_quality_scores(np.array(labels), np.array(rows), method, adjust)
    assert isinstance(ours, np.ndarray) and ours.shape == (len(labels),)
    assert ours.tolist() == cleanlab_scores(labels, rows, method, adjust).tolist()


@pytest.mark.parametrize("k", [2, 3, 10, 17])
def test_random_dirichlet_rows_equal_cleanlab(k):
    rng = np.random.default_rng(k)
    n = 3000
    probs = rng.dirichlet(np.full(k, 0.2), size=n)
    probs[:100] = np.eye(k)[rng.integers(0, k, 100)]  # exact one-hot rows
    probs[100:200] = np.round(probs[100:200], 1)  # ties and zeros
    probs[100:200] /= probs[100:200].sum(axis=1, keepdims=True)
    labels = rng.integers(0, k, n)
    labels[labels == k - 1] = 0  # an empty class: its confident threshold is 2.0
    for method, adjust in VARIANTS:
        expected = cleanlab_scores(labels, probs, method, adjust)
        pure = np.array(label_quality_scores(labels.tolist(), probs.tolist(), method, adjust))
        assert np.max(np.abs(pure - expected)) <= TOLERANCE
        assert label_quality_scores(labels, probs, method, adjust).tolist() == expected.tolist()


def test_numpy_path_block_boundaries(monkeypatch):
    monkeypatch.setattr(rank, "BLOCK_ROWS", 7)
    rng = np.random.default_rng(5)
    probs = rng.dirichlet(np.ones(4), size=50)
    labels = rng.integers(0, 4, 50)
    for method, adjust in VARIANTS:
        assert (
            label_quality_scores(labels, probs, method, adjust).tolist()
            == cleanlab_scores(labels, probs, method, adjust).tolist()
        )


@pytest.mark.parametrize("scipy_imported", [True, False])
def test_numpy_entropy_uses_the_c_library_log(monkeypatch, scipy_imported):
    import sys

    import scipy.special  # noqa: F401 (cleanlab imports it anyway)

    if not scipy_imported:
        monkeypatch.delitem(sys.modules, "scipy.special")
    rng = np.random.default_rng(9)
    probs = rng.dirichlet(np.full(5, 0.05), size=500)  # many confident rows: the entropy is small
    labels = rng.integers(0, 5, 500)
    expected = cleanlab_scores(labels, probs, "confidence_weighted_entropy", False)
    assert label_quality_scores(labels, probs, "confidence_weighted_entropy").tolist() == expected.tolist()


def test_given_confident_thresholds_are_used():
    labels = [0, 0, 1, 1, 2]
    rows = [[0.7, 0.2, 0.1], [0.5, 0.4, 0.1], [0.3, 0.6, 0.1], [0.1, 0.1, 0.8], [0.2, 0.2, 0.6]]
    thresholds = ConfidentLearning(labels, rows).cleanlab_thresholds
    for method in ("self_confidence", "normalized_margin"):
        computed = label_quality_scores(labels, rows, method, True)
        assert label_quality_scores(labels, rows, method, True, confident_thresholds=thresholds) == computed
        assert (
            label_quality_scores(
                np.array(labels), np.array(rows), method, True, confident_thresholds=thresholds
            ).tolist()
            == computed
        )


def test_errors():
    rows = [[0.5, 0.5], [1.0, 0.0]]
    with pytest.raises(ValueError, match="unknown label quality method"):
        label_quality_scores([0, 1], rows, "margin")
    with pytest.raises(ValueError, match="not supported for confidence_weighted_entropy"):
        label_quality_scores([0, 1], rows, "confidence_weighted_entropy", True)
    with pytest.raises(ValueError, match="2 labels but 1 probability rows"):
        label_quality_scores([0, 1], rows[:1])
    with pytest.raises(ValueError, match="different lengths"):
        label_quality_scores([0, 1], [[0.5, 0.5], [1.0]])
    with pytest.raises(ValueError, match="class indices in 0..1"):
        label_quality_scores([0, 2], rows)
    with pytest.raises(ValueError, match="class indices in 0..1"):
        label_quality_scores([-1, 0], rows)
    with pytest.raises(ValueError, match="needs at least 2 classes"):
        label_quality_scores([0], [[1.0]], "normalized_margin")
    with pytest.raises(ValueError, match="3 confident thresholds for 2 classes"):
        label_quality_scores([0, 1], rows, adjust_pred_probs=True, confident_thresholds=[0.5, 0.5, 0.5])
    with pytest.raises(ValueError, match="class indices in 0..1"):
        label_quality_scores(np.array([0, 2]), np.array(rows))
    with pytest.raises(ValueError, match="integers"):
        label_quality_scores(np.array([0.0, 1.0]), np.array(rows))
    assert label_quality_scores([0], [[1.0]]) == [1.0]  # self-confidence needs no second class
    assert label_quality_scores([], []) == []


def test_generator_yields_in_chunks_of_rows(monkeypatch):
    monkeypatch.setattr(rank, "CHUNK_VALUES", 30)  # 10 rows of K = 3 per step
    rng = random.Random(2)
    labels = [rng.randrange(3) for _ in range(95)]
    rows = [[x / sum(w) for x in w] for w in ([rng.random() + 0.01 for _ in range(3)] for _ in range(95))]
    for method, adjust in VARIANTS:
        scores, yields = run(iter_label_quality_scores(labels, rows, method, adjust))
        assert scores == label_quality_scores(labels, rows, method, adjust)
        assert yields == 2 * 10 + (3 if adjust else 0)  # 10 chunks checked, 3 thresholds, 10 chunks scored
        thresholds = [0.5, 0.5, 0.5]
        if adjust:
            assert run(iter_label_quality_scores(labels, rows, method, True, confident_thresholds=thresholds))[1] == 20


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([0.0, 0.25, 0.5, 1.0]) | st.floats(0.0, 1.0), max_size=300), st.integers(1, 50))
def test_order_is_ascending_with_ties_by_index(scores, chunk):
    expected = sorted(range(len(scores)), key=lambda i: (scores[i], i))
    assert label_quality_order(scores) == expected
    assert label_quality_order(np.array(scores)).tolist() == expected
    rank.ORDER_CHUNK, saved = chunk, rank.ORDER_CHUNK
    try:
        assert run(iter_label_quality_order(scores))[0] == expected
    finally:
        rank.ORDER_CHUNK = saved


def test_order_generator_splits_the_work():
    rng = random.Random(4)
    scores = [rng.random() ** 3 for _ in range(50_000)]
    order, yields = run(iter_label_quality_order(scores))
    assert order == label_quality_order(scores)
    assert yields >= 1.5 * len(scores) / rank.ORDER_CHUNK  # distributing, then sorting buckets of about ORDER_CHUNK
    scores += [1.0] * 30_000  # equal scores share a bucket, sorted in linear time
    assert run(iter_label_quality_order(scores))[0] == label_quality_order(scores)


def test_definitions_by_hand():
    labels = [0, 1, 2]
    rows = [[0.6, 0.3, 0.1], [0.6, 0.3, 0.1], [0.0, 0.0, 1.0]]
    assert label_quality_scores(labels, rows) == [0.6, 0.3, 1.0]
    assert label_quality_scores(labels, rows, "normalized_margin") == [(0.6 - 0.3 + 1) / 2, (0.3 - 0.6 + 1) / 2, 1.0]
    entropy = -(0.6 * math.log(0.6) + 0.3 * math.log(0.3) + 0.1 * math.log(0.1)) / math.log(3)
    cwe = label_quality_scores(labels, rows, "confidence_weighted_entropy")
    assert cwe[0] == pytest.approx(math.log(entropy / 0.6 + 1) / (entropy / 0.6), abs=1e-15)
    assert cwe[2] == 0.0  # a one-hot row on its label: no entropy


def test_docstring_examples():
    assert doctest.testmod(rank, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0


@settings(max_examples=100, deadline=None)
@given(labelled_probabilities(), st.sampled_from(VARIANTS))
def test_float32_scores_are_cleanlabs(data, variant):
    """float32 probabilities: cleanlab's scores are float32 (float64 for confidence_weighted_entropy), computed
    in float32; the numpy path equals them bit for bit, the pure path too except the entropy (scipy takes the
    float32 logarithm, for which the rounded float64 one stands in: 1e-6)."""
    labels, rows = data
    method, adjust = variant
    probs = np.array(rows, dtype=np.float32)
    expected = get_label_quality_scores(np.array(labels), probs, method=method, adjust_pred_probs=adjust)
    ours = label_quality_scores(np.array(labels), probs, method, adjust)
    assert ours.dtype == expected.dtype and ours.tolist() == expected.tolist()
    pure = label_quality_scores(labels, probs.tolist(), method, adjust, dtype="float32")
    if method == "confidence_weighted_entropy":
        assert np.max(np.abs(np.array(pure) - expected)) <= 1e-6
    else:
        assert pure == expected.tolist()
