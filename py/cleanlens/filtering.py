"""cleanlab's ``filter.find_label_issues`` for single-label data, with the standard library.

Definitions (cleanlab 2.9.0's documented behaviour; notation of :mod:`cleanlens.counting`; ``C`` is the
confident joint, calibrated unless the caller passes one):

- **Prune counts** ``P = C^T`` (``P[j][k]``: items labelled k whose true class is j), adjusted
  (:func:`prune_counts`): each diagonal value raised to ``min_examples_per_class``, the increase taken
  evenly from the column's non-zero off-diagonal values (not below 0); off-diagonal values multiplied
  by ``frac_noise``, the difference added to the diagonal; truncated to integers. With
  ``num_to_remove_per_class`` ``r``, each row of ``P / (column sums)`` is rescaled so that its
  off-diagonal values sum to ``r_k`` and its diagonal is ``n_k - r_k``, then rounded keeping row totals.
- **Filters** (:data:`FILTERS`), per class k with more than ``min_examples_per_class`` items:

  - ``prune_by_class``: the ``n_k - P[k][k]`` items labelled k with the smallest ``p[k]``;
  - ``prune_by_noise_rate`` (the default): for each other class j, the ``P[j][k]`` items labelled k with
    the largest margin ``p[j] - p[k]`` (in the probabilities' dtype); an item may be taken for several j;
  - ``both``: items taken by both;
  - ``confident_learning``: the confident joint's off-diagonal items;
  - ``predicted_neq_given``: items whose argmax is not their label;
  - ``low_self_confidence`` and ``low_normalized_margin``: the ``num_label_issues`` items with the
    lowest label quality score (:mod:`cleanlens.rank`).

  A class with a single item is never flagged by the first three (cleanlab writes a class's result
  back only when it has more than one item).
- **Near ties** (:func:`cleanlens.counting.near_tie`) are then unflagged, except for the ``low_``
  filters.
- ``return_indices_ranked_by``: the flagged items' indices ordered by their label quality score
  (:func:`order_label_issues`), instead of the N-long mask.

"Smallest" and "largest" follow ``argsort`` (:mod:`cleanlens.floats`): numpy's portable sort by default
(cleanlab's results on a machine without SIMD sorting), numpy's own when it is passed in (then the
results are cleanlab's on that machine, bit for bit).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress
from operator import sub

from .counting import ConfidentCounts, round_preserving_row_totals
from .errors import CleanlensError
from .floats import (
    FLOAT64,
    Argsort,
    Matrix,
    Steps,
    column_sums,
    pairwise_sum,
    portable_argsort,
    promote,
    round_values,
    smallest,
)
from .rank import METHODS, iter_label_quality_order, iter_label_quality_scores

FILTERS = (
    "prune_by_noise_rate",
    "prune_by_class",
    "both",
    "confident_learning",
    "predicted_neq_given",
    "low_normalized_margin",
    "low_self_confidence",
)
DEFAULT_FILTER = "prune_by_noise_rate"
PRUNING = ("prune_by_noise_rate", "prune_by_class", "both")
"""The filters that prune by the confident joint (``frac_noise`` and ``num_to_remove_per_class`` apply)."""
LOW_SCORE = ("low_normalized_margin", "low_self_confidence")


class FilterError(CleanlensError):
    """Arguments cleanlab would reject, or for which it would divide by zero."""


def check_filter_arguments(
    filter_by: str,
    frac_noise: float,
    num_to_remove_per_class: Sequence[int] | None,
    n_classes: int,
    return_indices_ranked_by: str | None,
) -> None:
    """Raise :class:`FilterError` for arguments :func:`iter_find_label_issues` cannot take."""
    if filter_by not in FILTERS:
        raise FilterError(f"unknown filter_by {filter_by!r}; expected one of {', '.join(FILTERS)}")
    if num_to_remove_per_class is not None:
        if filter_by not in PRUNING:
            raise FilterError(f"num_to_remove_per_class works with filter_by {', '.join(PRUNING)}, not {filter_by!r}")
        if len(num_to_remove_per_class) != n_classes:
            raise FilterError(
                f"num_to_remove_per_class has {len(num_to_remove_per_class)} values for {n_classes} classes"
            )
    if return_indices_ranked_by is not None and return_indices_ranked_by not in METHODS:
        raise FilterError(
            f"unknown return_indices_ranked_by {return_indices_ranked_by!r}; expected one of {', '.join(METHODS)}"
        )


def prune_counts(
    confident_joint: Matrix,
    min_examples_per_class: int = 1,
    frac_noise: float = 1.0,
    argsort: Argsort | None = None,
    *,
    fortran: bool = False,
) -> list[list[int]]:
    """The prune count matrix ``P`` (K x K ints; see the module docstring), before ``num_to_remove_per_class``;
    ``fortran``: the confident joint is F-ordered (then ``P``, its transpose, is C-ordered)."""
    k = len(confident_joint)
    p = [[confident_joint[j][i] for j in range(k)] for i in range(k)]  # P = C^T
    diagonal = [p[c][c] for c in range(k)]
    raised = [max(d, min_examples_per_class) for d in diagonal]
    nonzero = [max(sum(1 for i in range(k) if p[i][j] != 0) - 1.0, 1.0) for j in range(k)]
    taken = [(raised[j] - diagonal[j]) / nonzero[j] for j in range(k)]
    m = [[max(p[i][j] - taken[j], 0) for j in range(k)] for i in range(k)]
    for c in range(k):
        m[c][c] = raised[c]
    scaled = [[x * frac_noise for x in row] for row in m]
    for c in range(k):
        scaled[c][c] = m[c][c]
    # P's column sums: pairwise down each column when P (a transposed view) is F-ordered
    moved = column_sums([[a - b for a, b in zip(ra, rb)] for ra, rb in zip(m, scaled)], contiguous=not fortran)
    for c in range(k):
        scaled[c][c] = m[c][c] + moved[c]
    return [[int(x) for x in row] for row in scaled]


def prune_counts_to_remove(
    prune: Matrix,
    label_counts: Sequence[int],
    num_to_remove_per_class: Sequence[float],
    argsort: Argsort | None = None,
) -> list[list[int]]:
    """``P`` rescaled to remove ``num_to_remove_per_class[k]`` items of class k (see the module docstring)."""
    k = len(prune)
    remove = list(num_to_remove_per_class)
    totals = [pairwise_sum(row) for row in prune]
    if 0 in totals:
        raise FilterError("num_to_remove_per_class: a row of the prune counts sums to 0 (cleanlab divides by 0 here)")
    # cleanlab divides P[i][j] by the sum of row j (numpy broadcasts the row sums along the rows)
    rates = [[prune[i][j] / totals[j] for j in range(k)] for i in range(k)]
    noise = [pairwise_sum(row) - row[i] for i, row in enumerate(rates)]
    for i in range(k):
        if noise[i] == 0.0:
            raise FilterError(
                f"num_to_remove_per_class: no item of another label is confidently counted as class {i}, so its "
                "noise rates cannot be scaled (cleanlab divides by 0 here)"
            )
    scaled = [[x * remove[i] / noise[i] for x in rates[i]] for i in range(k)]
    for c in range(k):
        scaled[c][c] = label_counts[c] - remove[c]
    return round_preserving_row_totals(scaled, argsort)


def _class_columns(counts, k):
    """Class k's probability columns: K tuples of its items' values, in item order."""
    return list(zip(*[counts.rows[i] for i in counts.members[k]]))


def prune_by_class(
    counts: ConfidentCounts, prune: Matrix, k: int, min_examples_per_class: int, columns: Matrix | None = None
) -> list[int]:
    """Positions (within class k's items) of the items ``prune_by_class`` flags."""
    n = counts.label_counts[k]
    if n <= min_examples_per_class:
        return []
    m = n - prune[k][k]
    if m < 1:
        return []
    columns = columns or _class_columns(counts, k)
    return smallest(list(columns[k]), m, counts.dtype, counts.argsort)


def iter_prune_by_noise_rate(
    counts: ConfidentCounts, prune: Matrix, k: int, min_examples_per_class: int, columns: Matrix | None = None
) -> Steps[set[int]]:
    """Positions (within class k's items) of the items ``prune_by_noise_rate`` flags, as a generator that
    yields after each other class j (its return value is a set)."""
    n = counts.label_counts[k]
    flagged = set()
    if n <= min_examples_per_class:
        return flagged
    columns = columns or _class_columns(counts, k)
    own = columns[k]
    for j in range(counts.n_classes):
        m = prune[j][k]
        if j == k or m <= 0:
            continue
        # cleanlab sorts -(p[j] - p[k]), which is p[k] - p[j] exactly (rounding is symmetric)
        keys = round_values(list(map(sub, own, columns[j])), counts.dtype)
        flagged.update(smallest(keys, m, counts.dtype, counts.argsort))
        yield
    return flagged


def iter_find_label_issues(
    counts: ConfidentCounts,
    filter_by: str = DEFAULT_FILTER,
    frac_noise: float = 1.0,
    num_to_remove_per_class: Sequence[float] | None = None,
    min_examples_per_class: int = 1,
    return_indices_ranked_by: str | None = None,
    rank_by_kwargs: dict | None = None,
    confident_joint: Matrix | None = None,
    confident_joint_fortran: bool = False,
) -> Steps[list]:
    """``cleanlab.filter.find_label_issues`` as a generator: yields ``None`` between steps and returns a
    list of N bools, or with ``return_indices_ranked_by`` the flagged items' indices, worst first.

    ``counts``: a :class:`~cleanlens.counting.ConfidentCounts` with cleanlab's default thresholds.
    ``confident_joint``: the caller's (used as given by the pruning filters, ignored by the others;
    ``confident_joint_fortran``: it is F-ordered). Other arguments as cleanlab's.
    """
    k = counts.n_classes
    check_filter_arguments(filter_by, frac_noise, num_to_remove_per_class, k, return_indices_ranked_by)
    n = len(counts.labels)
    if filter_by in PRUNING:
        joint, fortran = (
            (counts.calibrated, False) if confident_joint is None else (confident_joint, confident_joint_fortran)
        )
        prune = prune_counts(joint, min_examples_per_class, frac_noise, counts.argsort, fortran=fortran)
        if num_to_remove_per_class is not None:
            prune = prune_counts_to_remove(prune, counts.label_counts, num_to_remove_per_class, counts.argsort)
        yield
        mask = yield from _iter_pruning(counts, filter_by, prune, min_examples_per_class)
    elif filter_by == "confident_learning":
        mask = _mask(n, counts.off_diagonal)
    elif filter_by == "predicted_neq_given":
        mask = [a != g for a, g in zip(counts.argmax, counts.labels)]
    else:
        scores = yield from iter_label_quality_scores(
            counts.labels, counts.rows, filter_by[4:], dtype=counts.dtype, validated=True
        )
        wanted = yield from counts.iter_num_label_issues()
        chosen = yield from _iter_smallest(scores, wanted, _score_dtype(counts, filter_by[4:], False), counts.argsort)
        mask = _mask(n, chosen)
    if filter_by not in LOW_SCORE:
        flagged = list(compress(range(n), mask))
        ties = yield from counts.iter_near_ties(flagged)
        for i in compress(flagged, ties):
            mask[i] = False
    if return_indices_ranked_by is None:
        return mask
    order = yield from iter_order_label_issues(counts, mask, return_indices_ranked_by, rank_by_kwargs)
    return order


def _iter_smallest(values, m, dtype, argsort):
    """:func:`cleanlens.floats.smallest` of N values in steps: a stable order built a bucket at a time
    (:func:`cleanlens.rank.iter_label_quality_order`), whose first m items are the set unless equal values
    straddle the m-th place (then one sort, the given or numpy's portable one)."""
    if argsort is not None or m <= 0 or m >= len(values):
        return smallest(values, m, dtype, argsort)
    order = yield from iter_label_quality_order(values)
    if values[order[m - 1]] == values[order[m]]:
        return smallest(values, m, dtype)
    return order[:m]


def _mask(n, items):
    mask = [False] * n
    for i in items:
        mask[i] = True
    return mask


def _iter_pruning(counts, filter_by, prune, min_examples_per_class):
    mask = [False] * len(counts.labels)
    for k in range(counts.n_classes):
        members = counts.members[k]
        if len(members) <= 1:  # cleanlab keeps a class's mask only if it has more than one item
            continue
        columns = _class_columns(counts, k)
        yield
        by_class = None
        if filter_by != "prune_by_noise_rate":
            by_class = set(prune_by_class(counts, prune, k, min_examples_per_class, columns))
            yield
        if filter_by == "prune_by_class":
            chosen = by_class
        else:
            chosen = yield from iter_prune_by_noise_rate(counts, prune, k, min_examples_per_class, columns)
            if by_class is not None:
                chosen &= by_class
        for position in chosen:
            mask[members[position]] = True
    return mask


def _score_dtype(counts, method, adjust_pred_probs, thresholds_dtype=None):
    """The dtype of cleanlab's label quality scores for these inputs."""
    if method == "confidence_weighted_entropy":
        return FLOAT64
    if adjust_pred_probs:
        return promote(counts.dtype, thresholds_dtype or counts.thresholds_dtype)
    return counts.dtype


def iter_order_label_issues(
    counts: ConfidentCounts, mask: Sequence[bool], rank_by: str = "self_confidence", rank_by_kwargs: dict | None = None
) -> Steps[list[int]]:
    """``cleanlab.rank.order_label_issues`` as a generator: the indices of the items where ``mask`` is
    true, ordered by ``argsort`` of their label quality scores (``rank_by``; ``rank_by_kwargs`` may hold
    ``adjust_pred_probs``)."""
    kwargs = dict(rank_by_kwargs or {})
    adjust = bool(kwargs.pop("adjust_pred_probs", False))
    if kwargs:
        raise FilterError(f"unsupported rank_by_kwargs: {', '.join(sorted(kwargs))}")
    scores = yield from iter_label_quality_scores(
        counts.labels,
        counts.rows,
        rank_by,
        adjust,
        confident_thresholds=counts.thresholds if adjust else None,
        thresholds_dtype=counts.thresholds_dtype,
        dtype=counts.dtype,
        validated=True,
    )
    items = [i for i, x in enumerate(mask) if x]
    order = (counts.argsort or portable_argsort)([scores[i] for i in items], _score_dtype(counts, rank_by, adjust))
    yield
    return [items[j] for j in order]
