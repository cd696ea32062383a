"""cleanlens.filtering (pure Python) against cleanlab.filter.find_label_issues and
cleanlab.rank.order_label_issues: every filter, every ranking, frac_noise, num_to_remove_per_class,
min_examples_per_class, a given confident joint; bit for bit with numpy's argsort passed in."""

import numpy as np
import pytest
from cleanlab.count import compute_confident_joint
from cleanlab.filter import find_label_issues
from cleanlab.rank import order_label_issues
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanlens.counting import ConfidentCounts
from cleanlens.filtering import FilterError, iter_find_label_issues, iter_order_label_issues
from cleanlens.steps import drain

from .cleanlab_support import FILTERS, RANKINGS, cleanlab_inputs, make_inputs, numpy_argsort, quietly


def counts_for(labels, probs, argsort=numpy_argsort):
    return ConfidentCounts.compute(
        labels.tolist(), probs.tolist(), probs.shape[1], dtype=str(probs.dtype), argsort=argsort
    )


def cleanlab(labels, probs, **options):
    return quietly(find_label_issues, labels, probs, n_jobs=1, **options)


def ours(counts, **options):
    return drain(iter_find_label_issues(counts, **options))


@settings(max_examples=50, deadline=None)
@given(cleanlab_inputs(), st.sampled_from(RANKINGS))
def test_every_filter_equals_cleanlab(data, ranked_by):
    labels, probs = data
    counts = counts_for(labels, probs)
    for filter_by in FILTERS:
        expected = cleanlab(labels, probs, filter_by=filter_by, return_indices_ranked_by=ranked_by)
        assert ours(counts, filter_by=filter_by, return_indices_ranked_by=ranked_by) == expected.tolist(), filter_by


@settings(max_examples=50, deadline=None)
@given(
    cleanlab_inputs(),
    st.sampled_from(["prune_by_noise_rate", "prune_by_class", "both"]),
    st.sampled_from([1.0, 0.8, 0.5, 0.0]),
    st.integers(0, 6),
)
def test_frac_noise_and_min_examples_per_class(data, filter_by, frac_noise, min_examples):
    labels, probs = data
    options = {"filter_by": filter_by, "frac_noise": frac_noise, "min_examples_per_class": min_examples}
    assert ours(counts_for(labels, probs), **options) == cleanlab(labels, probs, **options).tolist()


@settings(max_examples=50, deadline=None)
@given(
    cleanlab_inputs(kinds=("continuous", "mixed")), st.sampled_from(["prune_by_class", "prune_by_noise_rate", "both"])
)
def test_num_to_remove_per_class(data, filter_by):
    labels, probs = data
    k = probs.shape[1]
    remove = np.random.default_rng(len(labels)).integers(0, 4, k).tolist()
    counts = counts_for(labels, probs)
    options = {"filter_by": filter_by, "num_to_remove_per_class": remove}
    try:
        result = ours(counts, **options)
    except FilterError:  # cleanlab divides by zero here (a class no other label is confidently counted as)
        return
    assert result == cleanlab(labels, probs, **options).tolist()


@settings(max_examples=40, deadline=None)
@given(cleanlab_inputs(), st.sampled_from(["prune_by_noise_rate", "prune_by_class", "both", "confident_learning"]))
def test_a_given_confident_joint(data, filter_by):
    labels, probs = data
    joint = compute_confident_joint(labels, probs, calibrate=False)  # F-ordered, as cleanlab returns it
    counts = counts_for(labels, probs)
    options = {"filter_by": filter_by, "frac_noise": 0.7}
    result = ours(counts, confident_joint=joint.tolist(), confident_joint_fortran=True, **options)
    assert result == cleanlab(labels, probs, confident_joint=joint, **options).tolist()


@settings(max_examples=40, deadline=None)
@given(cleanlab_inputs(), st.sampled_from(RANKINGS[1:]), st.booleans())
def test_order_label_issues(data, rank_by, adjust):
    labels, probs = data
    if adjust and rank_by == "confidence_weighted_entropy":
        adjust = False  # cleanlab refuses the combination, as we do
    mask = np.random.default_rng(len(labels)).random(len(labels)) < 0.3
    kwargs = {"adjust_pred_probs": adjust}
    expected = quietly(order_label_issues, mask, labels, probs, rank_by=rank_by, rank_by_kwargs=kwargs)
    assert (
        drain(iter_order_label_issues(counts_for(labels, probs), mask.tolist(), rank_by, kwargs)) == expected.tolist()
    )


@pytest.mark.parametrize("n, k, dtype", [(50_000, 10, "float64"), (20_000, 50, "float32")])
def test_large_inputs(n, k, dtype):
    labels, probs = make_inputs(n, k, dtype, "mixed", seed=7 * n + k, absent=2, single=True)
    counts = counts_for(labels, probs)
    for filter_by in ("prune_by_noise_rate", "low_self_confidence"):
        assert ours(counts, filter_by=filter_by) == cleanlab(labels, probs, filter_by=filter_by).tolist()


def test_arguments_cleanlab_refuses():
    labels, probs = make_inputs(30, 3, seed=1)
    counts = counts_for(labels, probs)
    with pytest.raises(FilterError, match="unknown filter_by"):
        ours(counts, filter_by="prune_by_magic")
    with pytest.raises(FilterError, match="num_to_remove_per_class works with"):
        ours(counts, filter_by="confident_learning", num_to_remove_per_class=[1, 1, 1])
    with pytest.raises(FilterError, match="3 classes"):
        ours(counts, num_to_remove_per_class=[1, 1])
    with pytest.raises(FilterError, match="return_indices_ranked_by"):
        ours(counts, return_indices_ranked_by="margin")


def test_a_class_with_one_item_is_never_pruned():
    labels = np.array([0, 0, 0, 1, 1, 1, 2])
    probs = np.array([[0.9, 0.05, 0.05]] * 3 + [[0.1, 0.8, 0.1]] * 3 + [[0.9, 0.05, 0.05]])  # item 6 looks like 0
    counts = counts_for(labels, probs)
    for filter_by in ("prune_by_noise_rate", "prune_by_class", "both"):
        mask = ours(counts, filter_by=filter_by)
        assert mask[6] is False and mask == cleanlab(labels, probs, filter_by=filter_by).tolist()
    assert ours(counts, filter_by="confident_learning")[6] is True  # the off-diagonal counts it
