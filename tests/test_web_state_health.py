"""cleanlens.web.state.health: what the Dataset health tab shows, against cleanlab's dataset module, and when the
state computes it (once per training, never on a slider step)."""

import random
import warnings
from functools import lru_cache

import numpy as np
import pytest
from cleanlab.count import num_label_issues
from cleanlab.dataset import find_overlapping_classes, rank_classes_by_label_quality
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from cleanlens.dataset import Dataset
from cleanlens.issues import LabelIssues
from cleanlens.web.changes import RESULTS
from cleanlens.web.state import ExplorerState
from cleanlens.web.state.health import PAIRS_SHOWN, dataset_health

from .render_support import INFO, trained


@lru_cache(maxsize=1)
def digits():
    """scikit-learn's digits with 6% of the labels flipped, and out-of-sample probabilities (10 classes)."""
    X, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(0)
    noisy = y.copy()
    flip = rng.choice(len(y), size=round(len(y) * 0.06), replace=False)
    noisy[flip] = (noisy[flip] + rng.integers(1, 10, size=len(flip))) % 10
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=300))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pred_probs = cross_val_predict(model, X, noisy, cv=5, method="predict_proba")
    return noisy, pred_probs


def dirichlet_rows(n, k, seed=0):
    """n labels and Dirichlet(1) probability rows over k classes (every pair of classes overlaps)."""
    rng = random.Random(seed)
    labels, rows = [], []
    for i in range(n):
        w = [rng.gammavariate(1.0, 1.0) for _ in range(k)]
        rows.append([x / sum(w) for x in w])
        labels.append(i % k)
    return labels, rows


def test_the_tab_shows_cleanlabs_dataset_health_on_digits():
    """cleanlab's numbers from the same joint. (The page's joint is the calibrated confident joint with equal
    values ordered as numpy's portable sort orders them, like ``find-issues --ties portable``: on these digits
    two of its cells differ by one from cleanlab's on this machine, whose numpy sorts with SIMD.)"""
    labels, pred_probs = digits()
    summary = LabelIssues.compute(labels.tolist(), pred_probs.tolist(), 10).health()
    health = dataset_health(summary)
    joint, n = np.array(summary.joint), len(labels)
    assert health.num_label_issues == num_label_issues(labels, pred_probs)
    assert health.score == 1 - num_label_issues(labels, pred_probs) / n
    assert health.n_items == n
    ranked = rank_classes_by_label_quality(joint=joint, num_examples=n)
    assert [c.index for c in health.classes] == ranked["Class Index"].tolist()
    for c, (_, row) in zip(health.classes, ranked.iterrows()):
        assert (c.label_issues, c.inverse_label_issues) == (row["Label Issues"], row["Inverse Label Issues"])
        assert c.inverse_label_noise == pytest.approx(row["Inverse Label Noise"], abs=1e-12)
        assert c.label_quality == pytest.approx(row["Label Quality Score"], abs=1e-12)
    pairs = find_overlapping_classes(joint=joint, num_examples=n)
    pairs = pairs[pairs["Joint Probability"] > 0]
    assert health.n_pairs == 45 and health.n_overlapping == len(pairs) > PAIRS_SHOWN
    assert len(health.pairs) == PAIRS_SHOWN
    # equal probabilities (here several pairs of 8 examples) are ordered as pandas' sort with numpy's portable
    # sort, cleanlab's with this machine's: the same rows, the same sequence of probabilities
    shown = [p.joint_probability for p in health.pairs]
    assert shown == pytest.approx(pairs["Joint Probability"].head(PAIRS_SHOWN).tolist(), abs=1e-12)
    every = dataset_health(summary, pairs_shown=45).pairs
    assert sorted((p.a, p.b, p.overlapping) for p in every) == sorted(
        zip(pairs["Class Index A"], pairs["Class Index B"], pairs["Num Overlapping Examples"])
    )
    assert every[:PAIRS_SHOWN] == health.pairs


def test_pairs_without_overlap_are_not_listed_and_fewer_pairs_are_listed_whole():
    labels, rows = dirichlet_rows(30, 3)
    health = dataset_health(LabelIssues.compute(labels, rows, 3).health())
    assert health.n_pairs == health.n_overlapping == len(health.pairs) == 3
    confident = [[0.9 if j == y else 0.05 for j in range(3)] for y in labels]  # nothing overlaps
    health = dataset_health(LabelIssues.compute(labels, confident, 3).health())
    assert (health.pairs, health.n_overlapping, health.n_pairs, health.num_label_issues) == ((), 0, 3, 0)
    assert health.score == 1.0


def test_fifty_classes_list_every_class_and_the_most_overlapping_pairs():
    labels, rows = dirichlet_rows(2_000, 50)
    summary = LabelIssues.compute(labels, rows, 50).health()
    health = dataset_health(summary, pairs_shown=7)
    assert sorted(c.index for c in health.classes) == list(range(50))
    assert (health.n_pairs, len(health.pairs)) == (1225, 7)
    shown = [p.joint_probability for p in health.pairs]
    assert shown == sorted(shown, reverse=True) == [r["Joint Probability"] for r in summary.overlapping[:7]]


def test_the_state_computes_it_with_the_training_and_never_on_a_slider_step():
    state = ExplorerState(trained().dataset)
    assert state.health() is None  # before training
    state = trained()
    health = state.health()
    summary = state.training.health
    state.set_class_percentile(80)
    state.set_ood_percentile(5)
    state.set_rule("confident-joint")
    state.choose_cell(0, 1)
    assert state.health() is health and state.training.health is summary
    assert health == dataset_health(LabelIssues.compute(state.training.labels, state.training.probabilities).health())
    changes = state.finish_training(state.training.labels, state.training.probabilities, dict(INFO))
    assert RESULTS in changes and state.health() is not health and state.training.health is not summary


def test_excluded_items_are_left_out():
    data = Dataset(
        classes=["a", "b", "c"],
        ids=[f"x{i}" for i in range(30)],
        images=[None] * 30,
        given=[i % 3 for i in range(30)],
        features=[[float(i)] for i in range(30)],
    )
    labels, rows = dirichlet_rows(30, 3, seed=4)
    state = ExplorerState(data)
    excluded = frozenset({0, 7})
    rows = [None if i in excluded else row for i, row in enumerate(rows)]
    state.finish_training(labels, rows, dict(INFO), excluded)
    kept = [i for i in range(30) if i not in excluded]
    expected = LabelIssues.compute([labels[i] for i in kept], [rows[i] for i in kept], 3).health()
    assert state.health() == dataset_health(expected) and state.health().n_items == 28
