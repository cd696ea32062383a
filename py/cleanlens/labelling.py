"""Checking given labels and probabilities, and the warnings a degenerate labelling deserves.

:func:`validate` turns labels and probability rows into ``(list of int, list of list of float)`` or raises
:class:`ProbabilityError` naming the first bad row and column; :func:`labelling_warnings` lists what the
page should say about a labelling with one class, empty classes or classes smaller than the folds.
Standard library only; the numpy counterpart of :func:`validate` is
:func:`cleanlens.confident_arrays.validate_arrays` (the same messages).
"""

from __future__ import annotations

import math
import numbers
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import CleanlensError

SUM_TOLERANCE = 1e-3
"""A probability row is accepted if its sum is within this of 1."""


class ProbabilityError(CleanlensError):
    """Labels or probabilities are unusable; the message names the row and column."""


@dataclass
class LabellingWarning:
    """Something odd about a labelling that the UI should show (not an error).

    ``code``: ``"single-class"``, ``"empty-class"`` or ``"small-class"``;
    ``classes``: the class indices concerned; ``message``: a sentence.
    """

    code: str
    classes: list
    message: str


def labelling_warnings(
    labels: Sequence[int], n_classes: int, n_folds: int | None = None, names: Sequence[str] | None = None
) -> list[LabellingWarning]:
    """Warnings about degenerate labellings, as a list of :class:`LabellingWarning` (the page shows them too).

    - every item has the same label (nothing can be learned; every item is
      "correct" or unconfident);
    - classes with no items (their thresholds are +inf: nothing is suggested
      into them);
    - with ``n_folds``: classes with fewer items than folds (some folds have
      none of them, so some models never see the class).

    ``names``: the classes' names for the messages (default "class 0", "class 1", ...).
    """
    tally = Counter(labels)
    return _labelling_warnings([tally[k] for k in range(n_classes)], n_folds, names)


def _labelling_warnings(counts, n_folds=None, names=None):
    """:func:`labelling_warnings` from the number of items of each class."""
    n_classes = len(counts)
    names = names or [f"class {k}" for k in range(n_classes)]
    warnings = []
    present = [k for k in range(n_classes) if counts[k]]
    if len(present) == 1 and n_classes > 1:
        name = names[present[0]]
        warnings.append(
            LabellingWarning(
                "single-class",
                present,
                f"Every item is labelled {name}: with a single class there is nothing to confuse it with, so no label "
                "error can be found. Give some items other labels and train again.",
            )
        )
    if len(present) > 1:
        for k in range(n_classes):
            if not counts[k]:
                warnings.append(
                    LabellingWarning(
                        "empty-class",
                        [k],
                        f"No item is labelled {names[k]}: that class gets no threshold, so nothing can be suggested as "
                        f"{names[k]}.",
                    )
                )
            elif n_folds is not None and counts[k] < n_folds:
                warnings.append(
                    LabellingWarning(
                        "small-class",
                        [k],
                        f"Only {counts[k]} item{'s' if counts[k] > 1 else ''} labelled {names[k]}: fewer than the "
                        f"{n_folds} folds, so some models never see it, and its thresholds rest on very few values.",
                    )
                )
    return warnings


def validate(
    labels: Sequence,
    probabilities: Sequence[Sequence],
    n_classes: int | None = None,
    *,
    tolerance: float = SUM_TOLERANCE,
    renormalize: bool = False,
) -> tuple[list[int], list[list[float]]]:
    """Check labels and probabilities; return them as ``(list of int, list of list of float)``.

    ``labels``: N integers in ``0..K-1`` (any integral type, or integral
    floats); ``probabilities``: N rows of K finite, non-negative numbers, each row summing to 1 within ``tolerance``
    (``|sum - 1| <= tolerance``). ``K`` is ``n_classes`` if given, else the row
    length. With ``renormalize=True`` rows with a positive sum are divided by
    it instead of being checked against the tolerance. Raises
    :class:`ProbabilityError` naming the first bad row (0-based) and column.
    """
    labels = list(labels)
    probabilities = [list(row) for row in probabilities]
    if len(labels) != len(probabilities):
        raise ProbabilityError(f"{len(labels)} labels but {len(probabilities)} probability rows")
    if not labels:
        raise ProbabilityError("no items")
    k = len(probabilities[0]) if n_classes is None else n_classes
    if k < 1:
        raise ProbabilityError("probability rows are empty")
    labels = [_check_label(i, label, k) for i, label in enumerate(labels)]
    return labels, [_check_row(i, row, k, tolerance, renormalize) for i, row in enumerate(probabilities)]


def _check_label(i, label, k):
    """Label ``i`` as an int in 0..k-1, or :class:`ProbabilityError` (the messages of :func:`validate`)."""
    if isinstance(label, numbers.Integral) and not isinstance(label, bool):
        label = int(label)
    elif isinstance(label, numbers.Real) and float(label).is_integer():
        label = int(label)
    else:
        raise ProbabilityError(f"label {i}: {label!r} is not an integer class index")
    if not 0 <= label < k:
        raise ProbabilityError(f"label {i}: {label} is not a class index in 0..{k - 1}")
    return label


def _check_row(i, row, k, tolerance, renormalize):
    """Probability row ``i`` as a list of K floats (divided by its sum with ``renormalize``), or
    :class:`ProbabilityError` (the messages of :func:`validate`)."""
    if len(row) != k:
        raise ProbabilityError(f"probability row {i}: {len(row)} values, expected {k}")
    values = []
    for j, p in enumerate(row):
        if isinstance(p, bool) or not isinstance(p, numbers.Real):
            raise ProbabilityError(f"probability row {i}, column {j}: not a number: {p!r}")
        p = float(p)
        if not math.isfinite(p):
            raise ProbabilityError(f"probability row {i}, column {j}: not finite: {p!r}")
        if p < 0.0:
            raise ProbabilityError(f"probability row {i}, column {j}: negative: {p!r}")
        values.append(p)
    total = math.fsum(values)
    if renormalize:
        if not total > 0.0:
            raise ProbabilityError(f"probability row {i}: sums to 0, cannot renormalise")
        values = [p / total for p in values]
    elif abs(total - 1.0) > tolerance:
        raise ProbabilityError(
            f"probability row {i}: sums to {total:.6g}, not 1 (tolerance {tolerance:g}; renormalise to accept it)"
        )
    return values
