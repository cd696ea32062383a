"""cleanlens.counting (pure Python) against cleanlab.count: thresholds, the confident joint, its
calibration, the joint, the latent estimates and num_label_issues, bit for bit.

Given numpy's argsort (cleanlab's tie order on this machine) and LAPACK/BLAS for ``eqn``/``marginal_ps``,
every result equals cleanlab's exactly; the pure defaults (numpy's portable sort, Gaussian elimination)
are checked in tests/test_compat.py (against cleanlab with numpy's portable sort) and below (1e-12).
"""

import numpy as np
import pytest
from cleanlab.count import (
    calibrate_confident_joint,
    compute_confident_joint,
    estimate_joint,
    estimate_latent,
    get_confident_thresholds,
    num_label_issues,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanlens import counting
from cleanlens.counting import ConfidentCounts, estimate_latent_layouts
from cleanlens.floats import FLOAT32

from .cleanlab_support import NumpyLinalg, cleanlab_inputs, make_inputs, numpy_argsort, quietly

EXAMPLES = settings(max_examples=60, deadline=None)


def counts_for(labels, probs, **options):
    return ConfidentCounts.compute(labels.tolist(), probs.tolist(), probs.shape[1], dtype=str(probs.dtype), **options)


@EXAMPLES
@given(cleanlab_inputs())
def test_confident_joint_and_calibration_equal_cleanlabs(data):
    labels, probs = data
    counts = counts_for(labels, probs, argsort=numpy_argsort)
    thresholds = get_confident_thresholds(labels, probs)
    assert counts.thresholds == thresholds.tolist() and counts.thresholds_dtype == str(thresholds.dtype)
    joint, off = compute_confident_joint(labels, probs, calibrate=False, return_indices_of_off_diagonals=True)
    assert counts.joint == joint.tolist() and counts.off_diagonal == off.tolist()
    assert counts.joint_fortran == (joint.flags.f_contiguous and not joint.flags.c_contiguous)
    assert counts.calibrated == compute_confident_joint(labels, probs).tolist()
    assert counting.estimate_joint(counts.calibrated) == estimate_joint(labels, probs).tolist()
    assert (
        counting.calibrate_confident_joint(
            joint.tolist(), counts.label_counts, numpy_argsort, fortran=counts.joint_fortran
        )
        == calibrate_confident_joint(joint, labels).tolist()
    )


@EXAMPLES
@given(cleanlab_inputs())
def test_num_label_issues_equals_cleanlabs(data):
    labels, probs = data
    if len(set(labels.tolist())) < 2:  # cleanlab requires two classes
        labels[0] = (labels[1] + 1) % probs.shape[1]
    counts = counts_for(labels, probs, argsort=numpy_argsort)
    for method in ("off_diagonal", "off_diagonal_calibrated"):
        assert counts.num_label_issues(method) == num_label_issues(labels, probs, estimation_method=method)
    joint = compute_confident_joint(labels, probs, calibrate=False)
    ours = counts.num_label_issues("off_diagonal_custom", joint.tolist(), fortran=True)
    assert ours == quietly(
        num_label_issues, labels, probs, confident_joint=joint, estimation_method="off_diagonal_custom"
    )


@EXAMPLES
@given(
    cleanlab_inputs(max_k=10),
    st.sampled_from(["cnt", "eqn", "marginal", "marginal_ps"]),
    st.booleans(),
    st.booleans(),
)
def test_latent_estimates_equal_cleanlabs(data, py_method, converge, calibrated):
    labels, probs = data
    joint = compute_confident_joint(labels, probs, calibrate=calibrated)
    fortran = bool(joint.flags.f_contiguous and not joint.flags.c_contiguous)
    try:
        expected = quietly(estimate_latent, joint, labels, py_method=py_method, converge_latent_estimates=converge)
    except np.linalg.LinAlgError:  # a singular noise matrix: numpy refuses it, and so do we
        with pytest.raises(ValueError):
            counting.estimate_latent(joint.tolist(), np.bincount(labels, minlength=joint.shape[0]).tolist(), py_method)
        return
    counts = np.bincount(labels, minlength=joint.shape[0]).tolist()
    py, noise, inverse = estimate_latent_layouts(
        joint.tolist(), counts, py_method, converge, NumpyLinalg, fortran=fortran
    )
    assert py == expected[0].tolist() and noise.rows == expected[1].tolist() and inverse.rows == expected[2].tolist()
    assert noise.fortran == expected[1].flags.f_contiguous and inverse.fortran == expected[2].flags.f_contiguous
    if py_method in ("cnt", "marginal"):  # no linear algebra: the pure default is exact too
        assert estimate_latent_layouts(joint.tolist(), counts, py_method, converge, fortran=fortran)[0] == py


@settings(max_examples=40, deadline=None)
@given(cleanlab_inputs(max_k=8, kinds=("continuous",)), st.sampled_from(["eqn", "marginal_ps"]))
def test_pure_linear_algebra_is_within_1e_12_for_well_conditioned_noise(data, py_method):
    labels, probs = data
    joint = compute_confident_joint(labels, probs)
    counts = np.bincount(labels, minlength=joint.shape[0]).tolist()
    _, noise, _ = (np.array(m) for m in counting.estimate_latent(joint.tolist(), counts, "cnt"))
    if np.linalg.cond(noise) > 100:  # the 1e-12 promise is for well-conditioned noise matrices
        return
    ours = counting.estimate_latent(joint.tolist(), counts, py_method, True)
    expected = quietly(estimate_latent, joint, labels, py_method=py_method, converge_latent_estimates=True)
    for a, b in zip(ours, expected):
        assert np.max(np.abs(np.array(a) - b)) <= 1e-12


@EXAMPLES
@given(cleanlab_inputs(), st.sampled_from(["float64", "float32", "list"]))
def test_given_thresholds_in_their_dtype(data, thresholds_dtype):
    labels, probs = data
    rng = np.random.default_rng(len(labels))
    thresholds = rng.uniform(0.0, 1.0, probs.shape[1])
    given_thresholds = thresholds.tolist() if thresholds_dtype == "list" else thresholds.astype(thresholds_dtype)
    counts = counts_for(
        labels,
        probs,
        thresholds=np.asarray(given_thresholds).tolist(),
        thresholds_dtype=str(np.asarray(given_thresholds).dtype),
    )
    joint, off = compute_confident_joint(
        labels, probs, thresholds=given_thresholds, calibrate=False, return_indices_of_off_diagonals=True
    )
    assert counts.joint == joint.tolist() and counts.off_diagonal == off.tolist()


def test_float32_reproducer_from_the_issue():
    labels = np.array([0, 0, 2, 1])
    probs = np.array([[0.1, 1e-6, 0.9 - 1e-6], [0.9, 0, 0.1], [0, 0, 1], [1, 0, 0]], dtype=np.float32)
    counts = counts_for(labels, probs)
    assert counts.dtype == FLOAT32
    assert counts.joint == [[1, 1, 0], [1, 1, 0], [0, 0, 1]] and counts.off_diagonal == [0, 3]
    joint, off = compute_confident_joint(labels, probs, calibrate=False, return_indices_of_off_diagonals=True)
    assert counts.joint == joint.tolist() and counts.off_diagonal == off.tolist()


@pytest.mark.parametrize("n, k, dtype", [(50_000, 10, "float32"), (20_000, 50, "float64")])
def test_large_inputs(n, k, dtype):
    labels, probs = make_inputs(n, k, dtype, "mixed", seed=n + k, absent=1, single=True)
    counts = counts_for(labels, probs, argsort=numpy_argsort)
    assert counts.calibrated == compute_confident_joint(labels, probs).tolist()
    assert counts.num_label_issues() == num_label_issues(labels, probs)
    assert counts.num_label_issues("off_diagonal_calibrated") == num_label_issues(
        labels, probs, estimation_method="off_diagonal_calibrated"
    )


def test_steps_yield_in_chunks_and_give_the_same_counts():
    labels, probs = make_inputs(12_000, 4, seed=3)
    steps = ConfidentCounts.steps(labels.tolist(), probs.tolist())
    yields = 0
    while True:
        try:
            next(steps)
            yields += 1
        except StopIteration as stop:
            counts = stop.value
            break
    assert yields >= 2 * (12_000 // counting.CHUNK)
    assert counts.joint == counts_for(labels, probs).joint


def test_round_preserving_sum_keeps_the_rounded_total():
    for values in ([0.5, 0.5, 1.0], [1.4, 1.4, 1.2], [2.5, 0.25, 0.25], [0.0, 0.0]):
        ints = counting.round_preserving_sum(values)
        assert sum(ints) == round(sum(values)) and all(isinstance(x, int) for x in ints)
