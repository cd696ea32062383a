"""The slider index gives exactly ConfidentLearning.categorize at every integer slider position."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanlens.confident import CATEGORIES, ConfidentLearning
from cleanlens.scoring import score, score_by_kind, sweep, true_ood, truly_wrong
from cleanlens.sliders import EXCLUDED, slider_index


def random_case(seed, n=60, k=3, ties=False, empty_class=False):
    rng = random.Random(seed)
    labels = [rng.randrange(k) for _ in range(n)]
    if empty_class and k > 2:
        labels = [g if g != k - 1 else 0 for g in labels]
    rows = []
    for g in labels:
        if ties:
            raw = [rng.choice((1.0, 2.0, 3.0)) for _ in range(k)]
        else:
            raw = [rng.random() ** 3 + (2.0 if rng.random() < 0.7 and c == g else 0.0) for c in range(k)]
        total = sum(raw)
        rows.append([x / total for x in raw])
    return labels, rows


def assert_same(fast, slow):
    assert fast.class_thresholds == slow.class_thresholds
    assert fast.ood_thresholds == slow.ood_thresholds
    assert list(fast.categories) == slow.categories
    assert list(fast.suggested) == slow.suggested
    assert fast.counts == slow.counts
    assert fast.joint == slow.joint
    assert [[list(c) for c in row] for row in fast.joint_ids] == slow.joint_ids
    for name in CATEGORIES:
        assert fast.items(name) == slow.items(name)
        assert list(fast.iter_items(name)) == slow.items(name)
    assert fast.flagged == slow.flagged


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    "shape",
    [dict(), dict(k=2), dict(k=5, n=120), dict(ties=True), dict(empty_class=True, k=4), dict(n=1), dict(n=7, k=6)],
)
def test_equals_the_engine_at_every_slider_position(seed, shape):
    labels, rows = random_case(seed, **shape)
    learner = ConfidentLearning(labels, rows)
    index = slider_index(learner)
    assert index is not None
    for qc in range(0, 101, 7):
        for qo in range(0, 101, 9):
            for rule in ("percentile", "cleanlab"):
                assert_same(index.categorize(qc, qo, rule), learner.categorize(qc, qo, rule))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 40),
    st.integers(1, 5),
    st.integers(0, 10**6),
    st.integers(0, 100),
    st.integers(0, 100),
    st.sampled_from(["percentile", "cleanlab"]),
    st.booleans(),
)
def test_random_positions(n, k, seed, qc, qo, rule, ties):
    labels, rows = random_case(seed, n=n, k=k, ties=ties)
    learner = ConfidentLearning(labels, rows, k)
    index = slider_index(learner)
    assert_same(index.categorize(qc, qo, rule), learner.categorize(qc, qo, rule))


def test_a_subset_of_the_dataset_reports_dataset_indices_and_excluded_items():
    labels, rows = random_case(3, n=50)
    keep = [i for i in range(50) if i % 7]
    learner = ConfidentLearning([labels[i] for i in keep], [rows[i] for i in keep])
    index = slider_index(learner, items=keep, n_total=50)
    fast = index.categorize(50, 15)
    slow = learner.categorize(50, 15)
    expected = [EXCLUDED] * 50
    for j, i in enumerate(keep):
        expected[i] = slow.categories[j]
    assert list(fast.categories) == expected
    assert fast.counts == dict(slow.counts, excluded=50 - len(keep))
    assert fast.label_issues == [keep[j] for j in slow.label_issues]
    assert [[list(c) for c in row] for row in fast.joint_ids] == [
        [[keep[j] for j in c] for c in row] for row in slow.joint_ids
    ]
    assert fast.suggested[0] is None and fast.categories[0] == EXCLUDED


@pytest.mark.parametrize("seed", range(4))
def test_scores_equal_scoring_on_the_flagged_items(seed):
    labels, rows = random_case(seed, n=80, k=3)
    rng = random.Random(seed)
    truth = [g if rng.random() < 0.8 else rng.choice([-1, 0, 1, 2]) for g in labels]
    wrong = truly_wrong(labels, truth)
    learner = ConfidentLearning(labels, rows)
    index = slider_index(learner, wrong=wrong)
    for qc in range(0, 101, 10):
        for qo in range(0, 101, 10):
            for rule in ("percentile", "cleanlab"):
                assert index.score(qc, qo, rule) == score(learner.categorize(qc, qo, rule).flagged, wrong)


@pytest.mark.parametrize("seed", range(3))
def test_scores_by_kind_and_the_sweep_equal_scoring(seed):
    labels, rows = random_case(seed, n=80, k=3)
    rng = random.Random(seed)
    truth = [g if rng.random() < 0.8 else rng.choice([-1, 0, 1, 2]) for g in labels]
    learner = ConfidentLearning(labels, rows)
    index = slider_index(learner, wrong=truly_wrong(labels, truth), true_ood=true_ood(truth))
    for qc in range(0, 101, 20):
        for qo in range(0, qc + 1, 20):
            for rule in ("percentile", "cleanlab"):
                r = learner.categorize(qc, qo, rule)
                assert index.scores_by_kind(qc, qo, rule) == score_by_kind(r.label_issues, r.ood, labels, truth)
    grid = list(range(0, 101, 25))
    assert index.sweep(grid, grid) == sweep(learner, truth, grid, grid)
    no_ood = [max(t, 0) for t in truth]
    plain = slider_index(learner, wrong=truly_wrong(labels, no_ood), true_ood=true_ood(no_ood))
    assert plain.scores_by_kind(50, 15).ood is None and plain.sweep(grid, grid).ood is None
    assert slider_index(learner).scores_by_kind(50, 15) is None


def test_integer_percentiles_only():
    learner = ConfidentLearning([0, 1], [[0.9, 0.1], [0.2, 0.8]])
    with pytest.raises(ValueError):
        slider_index(learner).categorize(50.5, 10)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(0, 100),
    st.integers(0, 100),
    st.integers(0, 100),
    st.integers(0, 100),
    st.sampled_from(["percentile", "cleanlab"]),
)
def test_moved_names_every_item_whose_category_changes(seed, qc0, qo0, qc1, qo1, rule):
    labels, rows = random_case(seed, n=120, k=3, ties=seed % 3 == 0)
    learner = ConfidentLearning(labels, rows, 3)
    index = slider_index(learner)
    qo0, qo1 = min(qo0, qc0), min(qo1, qc1)
    before, after = index.categorize(qc0, qo0, rule), index.categorize(qc1, qo1, rule)
    changed = {i for i in range(len(labels)) if before.categories[i] != after.categories[i]}
    assert changed <= set(index.moved((qc0, qo0, rule), (qc1, qo1, rule)))
    assert index.moved((qc0, qo0, "percentile"), (qc1, qo1, "cleanlab")) is None
