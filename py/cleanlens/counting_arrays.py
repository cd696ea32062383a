"""cleanlab's ``count``, ``filter`` and ``rank`` with numpy arrays (CPython): the same definitions as
:mod:`cleanlens.counting` and :mod:`cleanlens.filtering`, the per-item work vectorised.

The K x K arithmetic (calibration, rounding, latent estimates, prune counts, dataset health) is the
pure-Python code's, given numpy's argsort for its tie order (:func:`numpy_argsort`) and LAPACK and BLAS
for ``py_method="eqn"`` and ``"marginal_ps"``; the N-long work is numpy's, in the probabilities' own
dtype and with the same calls cleanlab makes where the order of equal values matters (``numpy.argsort``),
so the results are cleanlab's bit for bit on the same machine. numpy is imported by the functions.
"""

from __future__ import annotations

from collections.abc import Sequence

from .confident_arrays import confident_guesses_array, confident_thresholds_array
from .counting import (
    ESTIMATION_METHODS,
    FLOATING_POINT_COMPARISON,
    CountingError,
    Layout,
    calibrate_confident_joint,
    estimate_joint,
    trace,
)
from .filtering import LOW_SCORE, PRUNING, check_filter_arguments, prune_counts, prune_counts_to_remove
from .floats import Matrix
from .rank import label_quality_scores


def numpy_argsort(values: Sequence[float], dtype: str) -> list[int]:
    """numpy's default (unstable) argsort of ``values`` as an array of ``dtype``: cleanlab's tie order."""
    import numpy as np

    return np.argsort(np.asarray(values, dtype=dtype)).tolist()


class NumpyLinalg:
    """LAPACK and BLAS as cleanlab calls them, for :func:`cleanlens.counting.compute_py`."""

    @staticmethod
    def solve(matrix: Matrix, vector: Sequence[float]) -> list[float]:
        import numpy as np

        return np.linalg.inv(np.array(matrix, dtype=np.float64)).dot(np.array(vector, dtype=np.float64)).tolist()

    @staticmethod
    def dot(layout: Layout, vector: Sequence[float]) -> list[float]:
        import numpy as np

        matrix = np.array(layout.rows, dtype=np.float64, order="F" if layout.fortran else "C")
        return np.dot(matrix, np.array(vector, dtype=np.float64)).tolist()


class ArrayCounts:
    """:class:`cleanlens.counting.ConfidentCounts` with numpy: the same attributes, N-long ones as arrays.

    ``labels`` (intp (N,)), ``probabilities`` (N, K) in their own dtype (``dtype`` its name), ``members``
    (each class's items, ascending int arrays), ``label_counts``, ``thresholds`` (a list; the array, in
    cleanlab's dtype, is ``thresholds_array``), ``thresholds_dtype``, ``argmax``, ``guess`` and ``has``
    (each item's confident guess where ``has``), ``joint`` (K x K list), ``joint_fortran``,
    ``off_diagonal`` (int64 array), ``calibrated`` (on first use), ``argsort`` (:func:`numpy_argsort`).
    """

    def __init__(self, labels, probabilities, n_classes=None, *, thresholds=None):
        import numpy as np

        self.labels = labels = np.asarray(labels).astype(np.intp, copy=False)
        self.probabilities = probabilities = np.asarray(probabilities)
        self.n_classes = k = probabilities.shape[1] if n_classes is None else n_classes
        self.dtype = str(probabilities.dtype)
        self.argsort = numpy_argsort
        order = np.argsort(labels, kind="stable")
        bounds = np.searchsorted(labels[order], np.arange(k + 1)).tolist()
        self.members = [order[bounds[c] : bounds[c + 1]] for c in range(k)]
        self.label_counts = [len(m) for m in self.members]
        if thresholds is None:
            self.thresholds_array = confident_thresholds_array(labels, probabilities, k)
        else:
            self.thresholds_array = np.asarray(thresholds)
            if self.thresholds_array.shape != (k,):
                raise CountingError(f"thresholds must have shape ({k},), got {self.thresholds_array.shape}")
        self.thresholds = self.thresholds_array.tolist()
        self.thresholds_dtype = str(self.thresholds_array.dtype)
        self.argmax = probabilities.argmax(axis=1)
        self.guess, self.has = confident_guesses_array(probabilities, self.thresholds_array, self.argmax)
        cells = labels[self.has] * k + self.guess[self.has]
        joint = np.bincount(cells, minlength=k * k).reshape(k, k)
        np.fill_diagonal(joint, np.maximum(joint.diagonal(), 1))
        self.joint = joint.tolist()
        self.joint_fortran = bool(self.has.any())
        self.off_diagonal = np.flatnonzero(self.has & (self.guess != labels)).astype(np.int64)
        self._calibrated = None

    @property
    def calibrated(self) -> list[list[int]]:
        if self._calibrated is None:
            self._calibrated = calibrate_confident_joint(
                self.joint, self.label_counts, self.argsort, fortran=self.joint_fortran
            )
        return self._calibrated

    def near_ties(self, items):  # items: an int array; returns a bool array
        """A bool array: for each of ``items`` (an int array), whether its argmax with its given label's
        probability raised by 1e-6 (in the probabilities' dtype) is its given label."""
        import numpy as np

        rows = self.probabilities[items]
        given = self.labels[items]
        rows[np.arange(len(items)), given] += FLOATING_POINT_COMPARISON
        return rows.argmax(axis=1) == given

    def num_label_issues(
        self, estimation_method: str = "off_diagonal", confident_joint: Matrix | None = None, fortran: bool = False
    ) -> int:
        """As :meth:`cleanlens.counting.ConfidentCounts.num_label_issues`."""
        if estimation_method == "off_diagonal":
            return int(len(self.off_diagonal) - self.near_ties(self.off_diagonal).sum())
        if estimation_method == "off_diagonal_calibrated":
            joint, fortran = self.calibrated, False
        elif estimation_method == "off_diagonal_custom":
            if confident_joint is None:
                raise CountingError('estimation_method="off_diagonal_custom" needs a confident_joint')
            joint = confident_joint
        else:
            raise CountingError(
                f"unknown estimation_method {estimation_method!r}; expected one of {', '.join(ESTIMATION_METHODS)}"
            )
        calibrated = calibrate_confident_joint(joint, self.label_counts, self.argsort, fortran=fortran)
        return round((1.0 - trace(estimate_joint(calibrated))) * len(self.labels))


def find_label_issues_array(
    counts: ArrayCounts,
    filter_by: str = "prune_by_noise_rate",
    frac_noise: float = 1.0,
    num_to_remove_per_class: Sequence[float] | None = None,
    min_examples_per_class: int = 1,
    return_indices_ranked_by: str | None = None,
    rank_by_kwargs: dict | None = None,
    confident_joint: Matrix | None = None,
    confident_joint_fortran: bool = False,
):
    """:func:`cleanlens.filtering.iter_find_label_issues` with numpy: a bool array (N,), or the flagged
    items' indices (int64) worst first with ``return_indices_ranked_by``."""
    import numpy as np

    check_filter_arguments(filter_by, frac_noise, num_to_remove_per_class, counts.n_classes, return_indices_ranked_by)
    labels, n = counts.labels, len(counts.labels)
    if filter_by in PRUNING:
        if confident_joint is None:
            joint, fortran = counts.calibrated, False
        else:
            joint, fortran = confident_joint, confident_joint_fortran
        prune = prune_counts(joint, min_examples_per_class, frac_noise, counts.argsort, fortran=fortran)
        if num_to_remove_per_class is not None:
            prune = prune_counts_to_remove(prune, counts.label_counts, num_to_remove_per_class, counts.argsort)
        mask = _pruned(counts, filter_by, prune, min_examples_per_class)
    else:
        mask = np.zeros(n, dtype=bool)
        if filter_by == "confident_learning":
            mask[counts.off_diagonal] = True
        elif filter_by == "predicted_neq_given":
            mask = counts.argmax != labels
        else:
            scores = label_quality_scores(labels, counts.probabilities, filter_by[4:])
            mask[np.argsort(scores)[: counts.num_label_issues()]] = True
    if filter_by not in LOW_SCORE:
        flagged = np.flatnonzero(mask)
        mask[flagged[counts.near_ties(flagged)]] = False
    if return_indices_ranked_by is None:
        return mask
    return order_label_issues_array(labels, counts.probabilities, mask, return_indices_ranked_by, rank_by_kwargs)


def _pruned(counts, filter_by, prune, min_examples_per_class):
    """The pruning filters' mask (before near ties are removed), class by class as cleanlab prunes."""
    import numpy as np

    mask = np.zeros(len(counts.labels), dtype=bool)
    for k, members in enumerate(counts.members):
        n = len(members)
        if n <= max(1, min_examples_per_class):  # a class's mask is kept only if it has more than one item
            continue
        rows = counts.probabilities[members]
        by_class = by_noise = None
        if filter_by != "prune_by_noise_rate":
            by_class = np.zeros(n, dtype=bool)
            m = n - prune[k][k]
            if m >= 1:
                by_class[np.argsort(rows[:, k])[:m]] = True
        if filter_by != "prune_by_class":
            by_noise = np.zeros(n, dtype=bool)
            for j in range(counts.n_classes):
                m = prune[j][k]
                if j != k and m > 0:
                    by_noise[np.argsort(-(rows[:, j] - rows[:, k]))[:m]] = True
        chosen = by_noise if by_class is None else by_class if by_noise is None else by_class & by_noise
        mask[members] = chosen
    return mask


def order_label_issues_array(
    labels, probabilities, mask, rank_by: str = "self_confidence", rank_by_kwargs: dict | None = None
):
    """``cleanlab.rank.order_label_issues``: the indices where ``mask`` is true (int64), ordered by numpy's
    argsort of their label quality scores (``rank_by_kwargs`` may hold ``adjust_pred_probs``)."""
    import numpy as np

    kwargs = dict(rank_by_kwargs or {})
    adjust = bool(kwargs.pop("adjust_pred_probs", False))
    if kwargs:
        raise CountingError(f"unsupported rank_by_kwargs: {', '.join(sorted(kwargs))}")
    scores = label_quality_scores(labels, probabilities, rank_by, adjust)
    issues = np.arange(len(labels))[mask]
    return issues[np.argsort(scores[mask])]
