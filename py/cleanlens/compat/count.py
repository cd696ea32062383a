"""``cleanlab.count`` for single-label data: the confident joint, its calibration, the joint, the latent
noise estimates and the number of label issues (definitions: :mod:`cleanlens.counting`).

Each function has cleanlab 2.9.0's name, signature and defaults. With numpy the results are cleanlab's:
the same values, dtypes and array layouts; without numpy, lists and Python numbers.
"""

from __future__ import annotations

from ..counting import calibrate_confident_joint as _calibrate
from ..counting import confident_thresholds, estimate_latent_layouts
from ..counting import estimate_joint as _estimate_joint
from . import _common as c


def get_confident_thresholds(labels, pred_probs, multi_label=False):
    """Each class's mean self-confidence (2 for a class without items), clipped below at 2e-6: an array
    (K,) in the probabilities' dtype (float64 when a class has no items)."""
    c.single_label(multi_label)
    data = c.inputs(labels, pred_probs)
    if data.np is not None:
        from ..confident_arrays import confident_thresholds_array

        return confident_thresholds_array(data.labels, data.probabilities, data.n_classes)
    per_class = [[] for _ in range(data.n_classes)]
    for label, row in zip(data.labels, data.probabilities):
        per_class[label].append(row[label])
    return confident_thresholds(per_class, data.dtype)[0]


def compute_confident_joint(
    labels,
    pred_probs,
    *,
    thresholds=None,
    calibrate=True,
    multi_label=False,
    return_indices_of_off_diagonals=False,
):
    """The confident joint (K, K) int64, calibrated by default; with ``return_indices_of_off_diagonals``
    also the indices of the items counted off the diagonal (int64, ascending). ``thresholds``: per-class
    thresholds (K,) instead of the confident thresholds."""
    c.single_label(multi_label)
    data = c.inputs(labels, pred_probs)
    found = c.counts(data, thresholds=thresholds)
    if calibrate:
        joint = c.matrix(found.calibrated)
    else:
        joint = c.matrix(found.joint, fortran=found.joint_fortran)
    if return_indices_of_off_diagonals:
        off = found.off_diagonal
        return joint, (list(off) if data.np is None else off)
    return joint


def calibrate_confident_joint(confident_joint, labels, *, multi_label=False):
    """The confident joint with each row scaled to the number of items with that label and the whole to
    N, rounded to integers keeping the row totals: (K, K) int64."""
    c.single_label(multi_label)
    rows = c.as_rows(confident_joint)
    counts = c.label_counts(labels, len(rows))
    return c.matrix(_calibrate(rows, counts, _argsort(), fortran=c.is_fortran(confident_joint)))


def estimate_joint(labels, pred_probs, *, confident_joint=None, multi_label=False):
    """The joint of given and true labels (K, K), summing to 1: the calibrated confident joint (computed,
    or ``confident_joint`` calibrated with ``labels``, or used as given without labels) over its sum."""
    c.single_label(multi_label)
    if confident_joint is None:
        calibrated, fortran = c.as_rows(compute_confident_joint(labels, pred_probs)), False
    elif labels is not None:
        calibrated, fortran = c.as_rows(calibrate_confident_joint(confident_joint, labels)), False
    else:
        calibrated, fortran = c.as_rows(confident_joint), c.is_fortran(confident_joint)
    return c.matrix(_estimate_joint(calibrated, fortran=fortran), "float64", fortran)


def estimate_latent(confident_joint, labels, *, py_method="cnt", converge_latent_estimates=False):
    """``(py, noise_matrix, inverse_noise_matrix)`` from a confident joint and the given labels: the prior
    of the true labels (K,), ``P(given | true)`` and ``P(true | given)`` (K, K), noise rates clipped."""
    rows = c.as_rows(confident_joint)
    counts = c.label_counts(labels, len(rows))
    py, noise, inverse = estimate_latent_layouts(
        rows, counts, py_method, converge_latent_estimates, _linalg(), fortran=c.is_fortran(confident_joint)
    )
    return (
        c.vector(py),
        c.matrix(noise.rows, "float64", noise.fortran),
        c.matrix(inverse.rows, "float64", inverse.fortran),
    )


def estimate_py_and_noise_matrices_from_probabilities(
    labels, pred_probs, *, thresholds=None, converge_latent_estimates=True, py_method="cnt", calibrate=True
):
    """``(py, noise_matrix, inverse_noise_matrix, confident_joint)``: :func:`estimate_latent` of
    :func:`compute_confident_joint`."""
    joint = compute_confident_joint(labels, pred_probs, thresholds=thresholds, calibrate=calibrate)
    py, noise, inverse = estimate_latent(
        joint, labels, py_method=py_method, converge_latent_estimates=converge_latent_estimates
    )
    return py, noise, inverse, joint


def num_label_issues(labels, pred_probs, *, confident_joint=None, estimation_method="off_diagonal", multi_label=False):
    """The estimated number of label issues (a numpy int64): ``off_diagonal`` (the confident joint's
    off-diagonal items, near ties left out), ``off_diagonal_calibrated`` or ``off_diagonal_custom`` (N
    times one minus the trace of the joint of the calibrated, or of the given, confident joint)."""
    c.single_label(multi_label)
    if confident_joint is not None and estimation_method != "off_diagonal_custom":
        c.warn(
            "confident_joint is ignored (recomputed from labels and pred_probs) unless "
            "estimation_method='off_diagonal_custom'"
        )
    data = c.inputs(labels, pred_probs, min_classes=2)
    found = c.counts(data)
    if estimation_method == "off_diagonal_custom" and confident_joint is not None:
        result = found.num_label_issues(
            estimation_method, c.as_rows(confident_joint), fortran=c.is_fortran(confident_joint)
        )
    else:
        result = found.num_label_issues(estimation_method)
    return c.integer(result)


def _argsort():
    """numpy's argsort (cleanlab's tie order on this machine) with numpy, else the portable one."""
    if c.numpy_module() is None:
        return None
    from ..counting_arrays import numpy_argsort

    return numpy_argsort


def _linalg():
    if c.numpy_module() is None:
        return None
    from ..counting_arrays import NumpyLinalg

    return NumpyLinalg


__all__ = [
    "calibrate_confident_joint",
    "compute_confident_joint",
    "estimate_joint",
    "estimate_latent",
    "estimate_py_and_noise_matrices_from_probabilities",
    "get_confident_thresholds",
    "num_label_issues",
]
