"""cleanlens.health (pure Python) against cleanlab.dataset: classes ranked by label quality, overlapping
class pairs, the overall label health score, from labels and probabilities or from a joint alone."""

import numpy as np
from cleanlab.count import estimate_joint
from cleanlab.dataset import find_overlapping_classes, overall_label_health_score, rank_classes_by_label_quality
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanlens import counting
from cleanlens.counting import ConfidentCounts
from cleanlens.health import classes_by_label_quality, health_score, iter_health_summary, overlapping_classes
from cleanlens.steps import drain

from .cleanlab_support import cleanlab_inputs, numpy_argsort, rows_of


@settings(max_examples=60, deadline=None)
@given(cleanlab_inputs(max_k=20), st.booleans(), st.booleans())
def test_tables_and_score_equal_cleanlabs(data, asymmetric, named):
    labels, probs = data
    k = probs.shape[1]
    names = [f"class {c}" for c in range(k)] if named else None
    counts = ConfidentCounts.compute(labels.tolist(), probs.tolist(), k, dtype=str(probs.dtype), argsort=numpy_argsort)
    summary = drain(iter_health_summary(counts, names, asymmetric))
    assert summary.joint == estimate_joint(labels, probs).tolist()
    assert summary.classes == rows_of(rank_classes_by_label_quality(labels, probs, class_names=names))
    expected = find_overlapping_classes(labels, probs, asymmetric=asymmetric, class_names=names)
    assert summary.overlapping == rows_of(expected)
    if len(set(labels.tolist())) >= 2:  # cleanlab's num_label_issues needs two classes
        assert summary.score == overall_label_health_score(labels, probs, verbose=False)


@settings(max_examples=40, deadline=None)
@given(cleanlab_inputs(max_k=20), st.booleans())
def test_from_a_joint_alone(data, fortran):
    labels, probs = data
    joint = estimate_joint(labels, probs)
    if fortran:
        joint = np.asfortranarray(joint)
    n = len(labels) + 3
    ranked = classes_by_label_quality(joint.tolist(), n, None, numpy_argsort, fortran=fortran)
    assert ranked == rows_of(rank_classes_by_label_quality(joint=joint, num_examples=n))
    pairs = overlapping_classes(joint.tolist(), n, False, None, numpy_argsort)
    assert pairs == rows_of(find_overlapping_classes(joint=joint, num_examples=n))
    score, _ = health_score(n, joint=joint.tolist())
    assert score == overall_label_health_score(joint=joint, num_examples=n, verbose=False)


def test_rounding_is_half_to_even():
    joint = [[0.25, 0.125], [0.125, 0.5]]
    rows = classes_by_label_quality(joint, 4)
    assert [r["Label Issues"] for r in sorted(rows, key=lambda r: r["Class Index"])] == [0, 0]  # 0.5 -> 0
    assert counting.trace(joint) == 0.75
