"""Confident learning: thresholds, categories, confident joint, cleanlab parity, validation."""

import math
import re
import warnings

import numpy as np
import pytest
from cleanlab.count import compute_confident_joint
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanlens.confident import (
    CATEGORIES,
    CORRECT,
    LABEL_ISSUE,
    OOD,
    RULES,
    UNCONFIDENT,
    ArrayConfidentLearning,
    ConfidentLearning,
    ProbabilityError,
    labelling_warnings,
    learner,
    numpy_mean,
    percentile,
    validate,
    validate_arrays,
)

SLIDER = list(range(0, 101, 5))


@st.composite
def labelled_probabilities(draw, max_n=40, max_k=5):
    """(labels, probabilities): rows of K non-negative values normalised to sum 1, some ties."""
    k = draw(st.integers(1, max_k))
    n = draw(st.integers(1, max_n))
    labels = draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    weights = st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0]) | st.floats(0.01, 10.0), min_size=k, max_size=k)
    rows = []
    for _ in range(n):
        w = draw(weights.filter(lambda w: sum(w) > 0))
        rows.append([x / sum(w) for x in w])
    return labels, rows


# --- percentile and mean: numpy's exact arithmetic ---------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0), min_size=1, max_size=60),
    st.floats(0.0, 100.0) | st.sampled_from(SLIDER),
)
def test_percentile_equals_numpy(values, q):
    ours = percentile(sorted(values), q)
    assert abs(ours - np.percentile(np.array(values), q)) <= 1e-12


def test_percentile_bit_identical_to_numpy_on_slider_grid():
    rng = np.random.default_rng(7)
    for n in [1, 2, 3, 7, 10, 99, 100, 101]:
        values = rng.random(n) ** 2
        for q in SLIDER + [12.5, 33.3, 99.9]:
            assert percentile(sorted(values.tolist()), q) == np.percentile(values, q)


def test_percentile_of_empty_class_is_infinite():
    assert percentile([], 50) == math.inf


def test_numpy_mean_is_bit_identical():
    rng = np.random.default_rng(3)
    for n in [1, 5, 8, 9, 100, 128, 129, 300, 1000, 1777]:
        values = rng.random(n) ** 3 * 10.0 ** rng.uniform(-6, 0, n)
        assert numpy_mean(values.tolist()) == np.mean(values)


# --- the percentile rule (docs/definitions.md) ----------------------------------------


def test_small_example_by_hand():
    labels = [0, 0, 0, 1, 1, 1]
    probs = [
        [0.9, 0.1],  # s=0.9
        [0.8, 0.2],  # s=0.8
        [0.3, 0.7],  # s=0.3, argmax 1
        [0.1, 0.9],  # s=0.9
        [0.55, 0.45],  # s=0.45, argmax 0
        [0.4, 0.6],  # s=0.6
    ]
    cl = ConfidentLearning(labels, probs)
    r = cl.categorize(class_percentile=50, ood_percentile=0)
    assert r.class_thresholds == [0.8, 0.6]
    assert r.ood_thresholds == [0.3, 0.45]
    # Item 2: argmax 1 with 0.7 >= 0.6 -> label issue. Item 4: 0.55 < 0.8 -> no
    # suggestion; 0.55 >= o_0 -> unconfident.
    assert r.suggested == [0, 0, 1, 1, None, 1]
    assert r.categories == [CORRECT, CORRECT, LABEL_ISSUE, CORRECT, UNCONFIDENT, CORRECT]
    assert r.joint == [[2, 1], [0, 2]]
    assert r.joint_ids == [[[0, 1], [2]], [[], [3, 5]]]
    assert r.counts == {"correct": 4, "label_issue": 1, "ood": 0, "unconfident": 1}
    assert r.label_issues == [2] and r.unconfident == [4] and r.flagged == [2]
    # Higher OOD thresholds: item 4 (0.55, 0.45) is below o = (0.8, 0.6)? 0.55 < 0.8 and 0.45 < 0.6 -> OOD.
    r = cl.categorize(class_percentile=50, ood_percentile=50)
    assert r.ood == [4]


def test_empty_class_has_infinite_thresholds_and_gets_no_suggestions():
    labels = [0, 0, 1, 1]
    probs = [[0.1, 0.1, 0.8], [0.7, 0.2, 0.1], [0.2, 0.7, 0.1], [0.1, 0.8, 0.1]]
    cl = ConfidentLearning(labels, probs)
    r = cl.categorize(0, 0)
    assert r.class_thresholds[2] == math.inf and r.ood_thresholds[2] == math.inf
    assert all(s != 2 for s in r.suggested)
    assert [w.code for w in cl.warnings] == ["empty-class"] and cl.warnings[0].classes == [2]


def test_single_class_and_single_item():
    cl = ConfidentLearning([0, 0, 0], [[1.0], [1.0], [1.0]])
    r = cl.categorize()
    assert r.counts["correct"] == 3 and r.joint == [[3]]
    assert ConfidentLearning([1], [[0.2, 0.8]]).categorize().categories == [CORRECT]
    assert [w.code for w in ConfidentLearning([1, 1], [[0.5, 0.5], [0.2, 0.8]]).warnings] == ["single-class"]


@settings(max_examples=120, deadline=None)
@given(labelled_probabilities(), st.sampled_from(SLIDER), st.sampled_from(SLIDER))
def test_category_invariants(data, q_class, q_ood):
    labels, probs = data
    cl = ConfidentLearning(labels, probs)
    r = cl.categorize(q_class, q_ood)
    n = len(labels)
    assert sum(r.counts.values()) == n and len(r.categories) == n
    assert sorted(r.correct + r.label_issues + r.ood + r.unconfident) == list(range(n))
    assert sum(map(sum, r.joint)) == sum(s is not None for s in r.suggested)
    for g in range(cl.n_classes):
        for s in range(cl.n_classes):
            assert r.joint[g][s] == len(r.joint_ids[g][s])
            assert all(labels[i] == g and r.suggested[i] == s for i in r.joint_ids[g][s])
    for i, (cat, s) in enumerate(zip(r.categories, r.suggested)):
        assert (s is None) == (cat in (OOD, UNCONFIDENT))
        if cat == OOD:
            assert all(p < o for p, o in zip(probs[i], r.ood_thresholds))
        if s is not None:
            assert s == cl.argmax[i] and probs[i][s] >= r.class_thresholds[s]
            assert (cat == CORRECT) == (s == labels[i])


@settings(max_examples=80, deadline=None)
@given(labelled_probabilities(), st.sampled_from(SLIDER), st.sampled_from(SLIDER), st.sampled_from(SLIDER))
def test_raising_percentiles_is_monotone(data, q1, q2, q_ood):
    labels, probs = data
    cl = ConfidentLearning(labels, probs)
    low, high = sorted((q1, q2))
    a, b = cl.categorize(low, q_ood), cl.categorize(high, q_ood)
    suggested_low = {i for i, s in enumerate(a.suggested) if s is not None}
    suggested_high = {i for i, s in enumerate(b.suggested) if s is not None}
    assert suggested_high <= suggested_low  # a higher class percentile never adds suggestions
    assert set(b.label_issues) <= set(a.label_issues)
    # For a fixed class percentile, a higher OOD percentile never removes OOD items.
    c, d = cl.categorize(q_ood, low), cl.categorize(q_ood, high)
    assert set(c.ood) <= set(d.ood)


# --- the cleanlab rule ------------------------------------------------------


def _cleanlab(labels, probs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn warns about single-label confusion matrices
        return compute_confident_joint(
            np.array(labels), np.array(probs), calibrate=False, return_indices_of_off_diagonals=True
        )


def test_cleanlab_rule_equals_cleanlab_on_random_inputs():
    rng = np.random.default_rng(2026)
    for case in range(300):
        k = int(rng.integers(1, 7))
        n = int(rng.integers(1, 150))
        probs = rng.dirichlet(np.ones(k) * rng.uniform(0.1, 3.0), n)
        if case % 3 == 0:  # ties and exact threshold hits
            probs = np.round(probs, 1) + 1e-9
            probs = probs / probs.sum(axis=1, keepdims=True)
        labels = rng.integers(0, max(1, k - (case % 4 == 0)), n)  # sometimes a class has no items
        joint, indices = _cleanlab(labels, probs)
        r = ConfidentLearning(labels.tolist(), probs.tolist()).categorize(rule="cleanlab")
        assert r.joint == joint.tolist(), case
        assert r.label_issues == indices.tolist(), case


@settings(max_examples=60, deadline=None)
@given(labelled_probabilities(max_n=30, max_k=4), st.sampled_from(SLIDER))
def test_cleanlab_rule_equals_cleanlab_property(data, q_ood):
    labels, probs = data
    joint, indices = _cleanlab(labels, probs)
    r = ConfidentLearning(labels, probs).categorize(ood_percentile=q_ood, rule="cleanlab")
    assert r.joint == joint.tolist()
    assert r.label_issues == indices.tolist()
    assert sum(r.counts.values()) == len(labels)
    for i in r.ood:
        assert r.suggested[i] is None and all(p < o for p, o in zip(probs[i], r.ood_thresholds))


def test_cleanlab_thresholds_clip_and_big_value_for_missing_class():
    cl = ConfidentLearning([0, 0], [[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
    r = cl.categorize(rule="cleanlab")
    assert r.class_thresholds == [2e-6, 2.0, 2.0]
    # Nobody reaches a threshold (0 < 2e-6 - 1e-6, 1 < 2 - 1e-6): an empty joint, diagonal clipped to 1.
    assert r.joint == [[1, 0, 0], [0, 1, 0], [0, 0, 1]] == _cleanlab([0, 0], [[0.0, 1.0, 0.0]] * 2)[0].tolist()
    assert r.joint_ids == [[[], [], []], [[], [], []], [[], [], []]]


def test_unknown_rule():
    with pytest.raises(ValueError, match="unknown threshold rule"):
        ConfidentLearning([0], [[1.0]]).categorize(rule="median")


# --- validation -------------------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "probs", "message"),
    [
        ([0, 1], [[0.5, 0.5]], "2 labels but 1 probability rows"),
        ([0, 2], [[0.5, 0.5], [0.5, 0.5]], "label 1: 2 is not a class index in 0..1"),
        ([0, 0.5], [[0.5, 0.5], [0.5, 0.5]], "label 1: 0.5 is not an integer"),
        ([0, 1], [[0.5, 0.5], [0.5]], "probability row 1: 1 values, expected 2"),
        ([0, 1], [[0.5, 0.5], [math.nan, 1.0]], "probability row 1, column 0: not finite"),
        ([0, 1], [[0.5, 0.5], [0.0, math.inf]], "probability row 1, column 1: not finite"),
        ([0, 1], [[1.5, -0.5], [0.5, 0.5]], "probability row 0, column 1: negative"),
        ([0, 1], [[0.5, 0.5], [0.6, 0.6]], "probability row 1: sums to 1.2, not 1"),
        ([0, 1], [[0.5, 0.5], [0.5, "x"]], "probability row 1, column 1: not a number"),
        ([], [], "no items"),
    ],
)
def test_validation_errors_name_the_row(labels, probs, message):
    with pytest.raises(ProbabilityError, match=message.replace("(", r"\(").replace(".", r"\.")):
        validate(labels, probs)


def test_validation_tolerance_and_renormalise():
    validate([0], [[0.5, 0.5009]])  # within 1e-3
    with pytest.raises(ProbabilityError):
        validate([0], [[0.5, 0.502]])
    _, probs = validate([0, 1], [[1.0, 3.0], [2.0, 2.0]], renormalize=True)
    assert probs == [[0.25, 0.75], [0.5, 0.5]]
    with pytest.raises(ProbabilityError, match="sums to 0"):
        validate([0], [[0.0, 0.0]], renormalize=True)
    labels, _ = validate([1.0, 0.0], [[0.5, 0.5], [0.5, 0.5]])
    assert labels == [1, 0] and all(type(x) is int for x in labels)


def test_labelling_warnings():
    assert labelling_warnings([0, 1, 1], 2) == []
    codes = [w.code for w in labelling_warnings([0, 0, 1, 1, 1, 1, 1], 3, n_folds=5)]
    assert codes == ["small-class", "empty-class"]  # by class: 0 has 2 items, 2 none
    (single,) = labelling_warnings([2, 2, 2], 3, n_folds=5)
    assert single.code == "single-class" and single.classes == [2] and "Every item is labelled" in single.message


def test_categories_order_is_the_design_order():
    assert CATEGORIES == ("correct", "label_issue", "ood", "unconfident")


def test_numpy_inputs_are_accepted():
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(3), 40)
    labels = rng.integers(0, 3, 40)
    a = ConfidentLearning(labels, probs.astype(np.float32)).categorize()
    b = ConfidentLearning(labels.tolist(), probs.astype(np.float32).tolist()).categorize()
    assert a == b


# --- the numpy path: ArrayConfidentLearning equals ConfidentLearning ------------------------


def assert_same_learners(labels, rows, n_classes=None):
    pure = ConfidentLearning(labels, rows, n_classes)
    array = ArrayConfidentLearning(np.array(labels), np.array(rows, dtype=float), n_classes)
    assert array.labels.tolist() == pure.labels and array.probabilities.tolist() == pure.probabilities
    assert array.class_counts == pure.class_counts and array.cleanlab_thresholds == pure.cleanlab_thresholds
    assert [s.tolist() for s in array.sorted_self_confidences] == pure.sorted_self_confidences
    assert array.warnings == pure.warnings
    for rule in RULES:
        for q_class, q_ood in [(50, 15), (0, 0), (100, 100), (100, 0), (33.3, 12.5)] + [(q, q // 2) for q in SLIDER]:
            assert array.categorize(q_class, q_ood, rule) == pure.categorize(q_class, q_ood, rule), (rule, q_class)


@settings(max_examples=200, deadline=None)
@given(labelled_probabilities(max_n=50, max_k=6))
def test_numpy_path_equals_the_pure_path(data):
    labels, rows = data
    assert_same_learners(labels, rows)


@pytest.mark.parametrize("seed", range(4))
def test_numpy_path_equals_the_pure_path_with_ties_and_empty_classes(seed):
    rng = np.random.default_rng(seed)
    k = 4
    rows = np.round(rng.dirichlet(np.full(k, 0.5), 300), 1)  # many ties, at the thresholds too
    rows[rows.sum(axis=1) == 0, 0] = 1.0
    rows /= rows.sum(axis=1, keepdims=True)
    labels = rng.integers(0, k, 300)
    labels[labels == 3] = 1  # class 3 empty: infinite thresholds, cleanlab's 2.0
    assert_same_learners(labels.tolist(), rows.tolist())
    assert_same_learners(labels.tolist(), rows.tolist(), n_classes=k)
    assert_same_learners([2] * 5, np.eye(3)[[2, 2, 1, 0, 2]].tolist())  # one class: single-class warning


def test_numpy_path_equals_cleanlab():
    rng = np.random.default_rng(21)
    probs = rng.dirichlet(np.full(7, 0.3), 5000)
    labels = rng.integers(0, 7, 5000)
    joint, issues = compute_confident_joint(labels, probs, calibrate=False, return_indices_of_off_diagonals=True)
    result = ArrayConfidentLearning(labels, probs).categorize(rule="cleanlab")
    assert result.joint == joint.tolist() and result.label_issues == issues.tolist()


def test_learner_picks_the_path():
    labels, rows = [0, 1, 1], [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]
    assert type(learner(labels, rows)) is ConfidentLearning
    assert type(learner(np.array(labels), rows)) is ArrayConfidentLearning
    assert type(learner(labels, rows, backend="numpy")) is ArrayConfidentLearning
    assert type(learner(np.array(labels), np.array(rows), backend="python")) is ConfidentLearning
    with pytest.raises(ValueError, match="unknown backend"):
        learner(labels, rows, backend="gpu")
    assert learner(labels, rows, backend="numpy").categorize() == learner(labels, rows).categorize()


@pytest.mark.parametrize(
    ("labels", "probs", "kwargs"),
    [
        ([0, 1], [[0.5, 0.5]], {}),
        ([0, 2], [[0.5, 0.5], [0.5, 0.5]], {}),
        ([0, -1], [[0.5, 0.5], [0.5, 0.5]], {}),
        ([0, 0.5], [[0.5, 0.5], [0.5, 0.5]], {}),
        ([0, math.nan], [[0.5, 0.5], [0.5, 0.5]], {}),
        ([0, 1], [[0.5, 0.5], [0.5]], {}),
        ([0, 1], [[0.5, 0.5], [math.nan, 1.0]], {}),
        ([0, 1], [[0.5, 0.5], [0.0, math.inf]], {}),
        ([0, 1], [[1.5, -0.5], [0.5, 0.5]], {}),
        ([0, 1], [[0.6, 0.6], [1.5, -0.5]], {}),  # the first bad row wins, whatever the problem
        ([0, 1], [[0.5, 0.5], [0.6, 0.6]], {}),
        ([0, 1], [[0.5, 0.5], [0.5, 0.5 + 1e-3]], {}),  # at the tolerance: accepted exactly as validate does
        ([0, 1], [[0.5, 0.5], [0.5, 0.5 + 1.0000001e-3]], {}),
        ([0, 1], [[0.5, 0.5], [0.5, "x"]], {}),
        ([], [], {}),
        ([0, 1], [[0.5, 0.5], [0.5, 0.5]], {"n_classes": 3}),
        ([0, 1], [[1.0, 3.0], [0.0, 0.0]], {"renormalize": True}),
        ([0, 1], [[1.0, 3.0], [2.0, 2.0]], {"renormalize": True}),
        ([0, 1], [[1e-300, 3e-300], [0.1, 0.7]], {"renormalize": True}),
        ([True, False], [[0.5, 0.5], [0.5, 0.5]], {}),
        ([0, 1], np.zeros((2, 0)), {}),
    ],
)
def test_validate_arrays_raises_what_validate_raises(labels, probs, kwargs):
    try:
        array = np.array(probs, dtype=float)
    except (TypeError, ValueError):  # ragged rows, text: an object array
        array = np.array(probs, dtype=object)
    try:
        expected = validate(labels, probs if isinstance(probs, list) else probs.tolist(), **kwargs)
    except ProbabilityError as exc:
        with pytest.raises(ProbabilityError) as raised:
            validate_arrays(np.array(labels), array, **kwargs)
        assert str(raised.value) == str(exc)
    else:
        labels_out, probs_out = validate_arrays(np.array(labels), array, **kwargs)
        assert labels_out.tolist() == expected[0] and probs_out.tolist() == expected[1]
        assert labels_out.dtype == np.intp and probs_out.dtype == np.float64 and probs_out.flags.c_contiguous


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from([0.0, 0.25, 0.5, 0.5005, 0.501, 1.0, -0.1, math.inf, math.nan]) | st.floats(0, 2),
            min_size=3,
            max_size=3,
        ),
        min_size=1,
        max_size=8,
    ),
    st.booleans(),
)
def test_validate_arrays_property(rows, renormalize):
    labels = [i % 3 for i in range(len(rows))]
    try:
        expected = validate(labels, rows, renormalize=renormalize)
    except ProbabilityError as exc:
        with pytest.raises(ProbabilityError, match="^" + re.escape(str(exc)) + "$"):
            validate_arrays(np.array(labels), np.array(rows), renormalize=renormalize)
    else:
        got = validate_arrays(np.array(labels), np.array(rows), renormalize=renormalize)
        assert got[1].tolist() == expected[1]


def test_fortran_and_float32_inputs():
    rng = np.random.default_rng(2)
    probs = rng.dirichlet(np.ones(3), 40).astype(np.float32)
    labels = rng.integers(0, 3, 40).astype(np.uint8)
    array = ArrayConfidentLearning(labels, np.asfortranarray(probs))
    assert array.probabilities.flags.c_contiguous
    assert array.categorize() == ConfidentLearning(labels.tolist(), probs.tolist()).categorize()


def test_under_the_cleanlab_rule_ood_thresholds_stay_at_or_below_the_means_and_no_category_changes():
    import random

    rng = random.Random(5)
    for _ in range(200):
        k = rng.randint(2, 5)
        labels = [rng.randrange(k) for _ in range(rng.randint(k, 40))]
        rows = []
        for _ in labels:
            raw = [rng.random() ** rng.choice([1, 4]) + 1e-9 for _ in range(k)]
            rows.append([x / sum(raw) for x in raw])
        learner = ConfidentLearning(labels, rows, k)
        q = rng.randint(0, 100)
        clipped = learner.categorize(50, q, rule="cleanlab")
        assert all(o <= c for o, c in zip(clipped.ood_thresholds, clipped.class_thresholds))
        unclipped = learner.thresholds(q)
        expected = [
            "ood" if s is None and all(p < o for p, o in zip(row, unclipped)) else None
            for s, row in zip(clipped.suggested, rows)
        ]
        assert [c == 2 for c in clipped.categories] == [e == "ood" for e in expected]  # 2: OOD


# --- float32 probabilities: cleanlab computes in float32 ------------------------------------


def test_float32_reproducer_from_the_issue():
    labels = [0, 0, 2, 1]
    probs = np.array([[0.1, 1e-6, 0.9 - 1e-6], [0.9, 0, 0.1], [0, 0, 1], [1, 0, 0]], dtype=np.float32)
    pure = ConfidentLearning(labels, probs.tolist(), dtype="float32").categorize(rule="cleanlab")
    array = ArrayConfidentLearning(np.array(labels), probs).categorize(rule="cleanlab")
    for r in (pure, array):
        assert r.joint == [[1, 1, 0], [1, 1, 0], [0, 0, 1]] and r.label_issues == [0, 3]
    # in float64 the second probability of item 0 misses class 1's threshold by a rounding error
    assert ConfidentLearning(labels, probs.tolist()).categorize(rule="cleanlab").label_issues == [3]


@settings(max_examples=80, deadline=None)
@given(labelled_probabilities(max_n=40, max_k=5), st.integers(0, 2**32 - 1))
def test_cleanlab_rule_in_float32_equals_cleanlab(data, seed):
    labels, probs = data
    noise = np.random.default_rng(seed).uniform(-1e-6, 1e-6, (len(probs), len(probs[0])))
    probs32 = np.clip(np.array(probs) + noise * (np.array(probs) > 0), 0, 1).astype(np.float32)
    joint, indices = _cleanlab(labels, probs32)
    for learning in (
        ConfidentLearning(labels, probs32.tolist(), dtype="float32", tolerance=1e-2),
        ArrayConfidentLearning(np.array(labels), probs32, tolerance=1e-2),
    ):
        r = learning.categorize(rule="cleanlab")
        assert learning.dtype == "float32"
        assert r.joint == joint.tolist() and r.label_issues == indices.tolist()
