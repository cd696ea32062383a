"""Confident learning with numpy arrays (CPython): the same results as :mod:`cleanlens.confident`, faster.

:class:`ArrayConfidentLearning` computes the same thresholds, suggestions, categories and joint as
:class:`~cleanlens.confident.ConfidentLearning` with numpy arrays (the command line uses it;
:func:`learner` picks it for numpy inputs); its :meth:`~ArrayConfidentLearning.categorize` returns the
same :class:`~cleanlens.confident.Categorization`, and :func:`validate_arrays` raises the same messages as
:func:`~cleanlens.labelling.validate`. The pure-Python code stays the definition: tests keep the two equal.
:func:`confident_thresholds_array` and :func:`confident_guesses_array` are cleanlab's thresholds and
guesses (:mod:`cleanlens.counting`) in the probabilities' own dtype, as cleanlab computes them.

numpy is imported by the functions that need it, never at import time (the browser imports this module's
callers without numpy).
"""

from __future__ import annotations

import math

from .confident import (
    CATEGORIES,
    CORRECT,
    DEFAULT_CLASS_PERCENTILE,
    DEFAULT_OOD_PERCENTILE,
    LABEL_ISSUE,
    OOD,
    RULES,
    UNCONFIDENT,
    Categorization,
    ConfidentLearning,
    cleanlab_ood_thresholds,
    percentile,
)
from .counting import CONFIDENT_THRESHOLDS_LOWER_BOUND, EMPTY_CLASS_THRESHOLD, FLOATING_POINT_COMPARISON
from .floats import numpy_inputs
from .labelling import SUM_TOLERANCE, ProbabilityError, _check_label, _check_row, _labelling_warnings, validate

BACKENDS = ("auto", "python", "numpy")
"""``learner(backend=...)``: numpy for numpy arrays (``auto``), or as asked."""


def learner(
    labels,
    probabilities,
    n_classes=None,
    *,
    backend="auto",
    tolerance=SUM_TOLERANCE,
    renormalize=False,
    validated=False,
    dtype="float64",
):
    """A :class:`ConfidentLearning` or, with numpy, an :class:`ArrayConfidentLearning`: the same results.

    ``backend``: ``"auto"`` (numpy when ``labels`` or ``probabilities`` is a
    numpy array), ``"python"`` or ``"numpy"``. Other arguments as for
    :class:`ConfidentLearning` (``dtype``: the probabilities' dtype, ``"float32"`` for float32 values).
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    use_numpy = backend == "numpy" or (backend == "auto" and numpy_inputs(labels, probabilities) is not None)
    cls = ArrayConfidentLearning if use_numpy else ConfidentLearning
    options = {"tolerance": tolerance, "renormalize": renormalize, "validated": validated, "dtype": dtype}
    return cls(labels, probabilities, n_classes, **options)


def validate_arrays(
    labels,
    probabilities,
    n_classes: int | None = None,
    *,
    tolerance: float = SUM_TOLERANCE,
    renormalize: bool = False,
    start: int = 0,
) -> tuple:
    """:func:`validate` with numpy: ``(labels, probabilities)`` as an intp array (N,) and a C-ordered float64
    array (N, K), or the :class:`ProbabilityError` :func:`validate` raises for the same input.

    ``start``: the row number of the first row, for messages about a block of a larger array
    (:mod:`cleanlens.chunked`).

    The checks are vectorised; the first offending label or row is then checked by the same code as
    :func:`validate`, which words the message. Row sums are compared with the tolerance exactly
    (:func:`math.fsum`, for the rows whose numpy sum is within 1e-9 of the limit), and ``renormalize``
    divides by the exact sums, so the values equal :func:`validate`'s.
    """
    import numpy as np

    labels, probabilities = np.asarray(labels), np.asarray(probabilities)
    numeric = labels.dtype.kind in "biuf" and probabilities.dtype.kind in "iuf" and probabilities.ndim == 2
    if not numeric or labels.ndim != 1:  # ragged, text, objects, bools: the pure checks word the problem
        labels, probabilities = validate(
            labels.tolist(), probabilities.tolist(), n_classes, tolerance=tolerance, renormalize=renormalize
        )
        return np.array(labels, dtype=np.intp), np.array(probabilities, dtype=np.float64)
    n = len(labels)
    if n != len(probabilities):
        raise ProbabilityError(f"{n} labels but {len(probabilities)} probability rows")
    if not n:
        raise ProbabilityError("no items")
    k = probabilities.shape[1] if n_classes is None else n_classes
    if k < 1:
        raise ProbabilityError("probability rows are empty")
    if labels.dtype.kind == "f":
        bad = ~np.isfinite(labels) | (labels != np.floor(labels)) | (labels < 0) | (labels >= k)
    else:
        bad = (labels < 0) | (labels >= k)
    if bad.any():
        i = int(np.argmax(bad))
        _check_label(start + i, labels[i].item(), k)
    labels = labels.astype(np.intp)
    if probabilities.shape[1] != k:
        _check_row(start, probabilities[0].tolist(), k, tolerance, renormalize)
    probabilities = np.ascontiguousarray(probabilities, dtype=np.float64)
    bad_values = ~np.isfinite(probabilities) | (probabilities < 0.0)
    first_bad = int(np.argmax(bad_values.any(axis=1))) if bad_values.any() else n
    if renormalize:
        totals = np.concatenate(
            [
                np.fromiter(map(math.fsum, probabilities[at : at + 8192].tolist()), np.float64)
                for at in range(0, first_bad, 8192)
            ]
            or [np.zeros(0)]
        )[:first_bad]
        unusable = np.flatnonzero(~(totals > 0.0))
        first_bad = int(unusable[0]) if unusable.size else first_bad
    else:
        sums = probabilities[:first_bad].sum(axis=1)
        for i in np.flatnonzero(np.abs(sums - 1.0) > tolerance - 1e-9).tolist():
            if abs(math.fsum(probabilities[i].tolist()) - 1.0) > tolerance:
                first_bad = i
                break
    if first_bad < n:
        _check_row(start + first_bad, probabilities[first_bad].tolist(), k, tolerance, renormalize)
    if renormalize:
        probabilities = probabilities / totals[:, None]
    return labels, probabilities


class ArrayConfidentLearning:
    """:class:`ConfidentLearning` with numpy arrays (CPython): :meth:`categorize` returns the same
    :class:`Categorization`, value for value (tested on random inputs, both rules, ties and empty classes).

    ``labels`` (N,) and ``probabilities`` (N, K): arrays or anything numpy converts; validated by
    :func:`validate_arrays` unless ``validated=True``. Attributes: ``labels`` (intp array (N,)),
    ``probabilities`` (float64 array (N, K)), ``n_classes``, ``class_counts``, ``argmax`` and ``top`` (arrays
    (N,)), ``sorted_self_confidences`` (K ascending arrays), ``cleanlab_thresholds`` (K floats),
    ``dtype`` (``"float32"`` for a float32 array, unless renormalised, else ``"float64"``: the dtype
    cleanlab's thresholds are computed in), ``warnings``. The work is numpy's: O(N K) per
    :meth:`categorize`, plus one sort of each class's self-confidences when built.
    """

    def __init__(
        self,
        labels,
        probabilities,
        n_classes=None,
        *,
        tolerance=SUM_TOLERANCE,
        renormalize=False,
        validated=False,
        dtype=None,
    ):
        import numpy as np

        if dtype is None:
            dtype = "float32" if getattr(probabilities, "dtype", None) == np.float32 and not renormalize else "float64"
        self.dtype = dtype
        if validated:
            labels = np.asarray(labels, dtype=np.intp)
            probabilities = np.ascontiguousarray(probabilities, dtype=np.float64)
            if not len(labels) or len(labels) != len(probabilities):
                raise ProbabilityError(f"{len(labels)} labels but {len(probabilities)} probability rows")
        else:
            labels, probabilities = validate_arrays(
                labels, probabilities, n_classes, tolerance=tolerance, renormalize=renormalize
            )
        n = len(labels)
        k = probabilities.shape[1] if n_classes is None else n_classes
        self.labels, self.probabilities, self.n_classes = labels, probabilities, k
        self.argmax = probabilities.argmax(axis=1)  # the first maximum, as in ConfidentLearning
        self.top = probabilities[np.arange(n), self.argmax]
        per_class = class_self_confidences(labels, probabilities, k)
        self.class_counts = [len(s) for s in per_class]
        self._in_dtype = probabilities.astype(np.float32) if dtype == "float32" else probabilities
        self._thresholds = confident_thresholds_array(labels, self._in_dtype, k)
        self.cleanlab_thresholds = self._thresholds.tolist()
        self.sorted_self_confidences = [np.sort(s) for s in per_class]
        self.warnings = _labelling_warnings(self.class_counts)
        self._cleanlab = None  # (suggested, has a suggestion), computed on first use

    def thresholds(self, q: float) -> list[float]:
        """Per-class thresholds ``t_k(q)`` (floats), as :meth:`ConfidentLearning.thresholds`."""
        return [float(percentile(s, q)) for s in self.sorted_self_confidences]

    def categorize(
        self,
        class_percentile: float = DEFAULT_CLASS_PERCENTILE,
        ood_percentile: float = DEFAULT_OOD_PERCENTILE,
        rule: str = "percentile",
    ) -> Categorization:
        """As :meth:`ConfidentLearning.categorize`: a :class:`Categorization` of Python lists."""
        import numpy as np

        if rule not in RULES:
            raise ValueError(f"unknown threshold rule {rule!r}; expected one of {', '.join(RULES)}")
        k, labels, probabilities = self.n_classes, self.labels, self.probabilities
        ood_thresholds = self.thresholds(ood_percentile)
        if rule == "percentile":
            class_thresholds = self.thresholds(class_percentile)
            suggested = self.argmax
            has = self.top >= np.array(class_thresholds)[suggested]
        else:
            class_thresholds = list(self.cleanlab_thresholds)
            ood_thresholds = cleanlab_ood_thresholds(ood_thresholds, class_thresholds)
            if self._cleanlab is None:
                self._cleanlab = self._cleanlab_suggestions()
            suggested, has = self._cleanlab
        same = suggested == labels
        ood = (probabilities < np.array(ood_thresholds)).all(axis=1)
        codes = np.where(has, np.where(same, CORRECT, LABEL_ISSUE), np.where(ood, OOD, UNCONFIDENT)).astype(np.int8)
        items = np.flatnonzero(has)
        cells = labels[items] * k + suggested[items]
        joint = np.bincount(cells, minlength=k * k).reshape(k, k)
        if rule == "cleanlab":
            np.fill_diagonal(joint, np.maximum(joint.diagonal(), 1))
        order = _stable_order(cells, k * k)  # item order within each cell
        ends = np.cumsum(np.bincount(cells, minlength=k * k)).tolist()
        ids = items[order]
        joint_ids = [
            [ids[(ends[g * k + s - 1] if g * k + s else 0) : ends[g * k + s]].tolist() for s in range(k)]
            for g in range(k)
        ]
        suggested_list = suggested.tolist()
        for i in np.flatnonzero(~has).tolist():
            suggested_list[i] = None
        counts = np.bincount(codes, minlength=len(CATEGORIES)).tolist()
        return Categorization(
            rule=rule,
            class_percentile=float(class_percentile),
            ood_percentile=float(ood_percentile),
            class_thresholds=class_thresholds,
            ood_thresholds=ood_thresholds,
            suggested=suggested_list,
            categories=codes.tolist(),
            counts=dict(zip(CATEGORIES, counts)),
            joint=joint.tolist(),
            joint_ids=joint_ids,
        )

    def _cleanlab_suggestions(self):
        """``(suggested, has)``: cleanlab's suggestion per item where ``has`` (see the module docstring)."""
        return confident_guesses_array(self._in_dtype, self._thresholds, self.argmax)


def confident_thresholds_array(labels, probabilities, k: int):
    """cleanlab's confident thresholds (:func:`cleanlens.counting.confident_thresholds`) as numpy computes
    them: an array (K,) of the probabilities' dtype, float64 when a class has no items."""
    import numpy as np

    means = [np.mean(s) if len(s) else EMPTY_CLASS_THRESHOLD for s in class_self_confidences(labels, probabilities, k)]
    return np.clip(np.array(means), CONFIDENT_THRESHOLDS_LOWER_BOUND, None)


def confident_guesses_array(probabilities, thresholds, argmax=None):
    """``(guess, has)``: each item's confident guess (:func:`cleanlens.counting.confident_guesses`), valid
    where ``has`` (the item is confident for some class). ``thresholds``: an array (K,) in its own dtype
    (the cutoff ``thresholds - 1e-6`` is computed in it, the comparison in numpy's common dtype)."""
    import numpy as np

    confident = probabilities >= thresholds - FLOATING_POINT_COMPARISON
    n_confident = confident.sum(axis=1)
    if argmax is None:
        argmax = probabilities.argmax(axis=1)
    return np.where(n_confident > 1, argmax, confident.argmax(axis=1)), n_confident > 0


def class_self_confidences(labels, probabilities, k: int) -> list:
    """Each class's self-confidences ``p_i[g_i]``, in item order: K contiguous arrays of the probabilities'
    dtype (numpy).

    Contiguous, so ``numpy.mean`` sums each as cleanlab's ``get_confident_thresholds`` does.
    """
    import numpy as np

    order = _stable_order(labels, k)
    grouped = probabilities[order, labels[order]]
    bounds = np.searchsorted(labels[order], np.arange(k + 1)).tolist()
    return [grouped[bounds[c] : bounds[c + 1]] for c in range(k)]


def _stable_order(codes, size):
    """``argsort(codes, kind="stable")`` for integer codes in 0..size-1 (16-bit codes: numpy's radix sort)."""
    import numpy as np

    if size <= np.iinfo(np.int16).max:
        codes = codes.astype(np.int16)
    return np.argsort(codes, kind="stable")
