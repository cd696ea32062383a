"""Label quality scores as cleanlab defines them (``cleanlab.rank.get_label_quality_scores``).

N items, K classes, given labels ``g_i`` in 0..K-1 and probabilities ``p_i``
(K values, each in [0, 1]). Every method gives each item one score in
[0, 1]: the lower, the more likely its given label is wrong. With
``s_i = p_i[g_i]`` (the self-confidence):

``self_confidence``
    ``s_i``.
``normalized_margin``
    ``(s_i - m_i + 1) / 2`` with ``m_i = max_{k != g_i} p_i[k]`` (needs K >= 2).
``confidence_weighted_entropy``
    ``H_i = -(sum_k xlogy(p_i[k], p_i[k])) / log(K)`` (the normalised entropy;
    ``xlogy(0, 0) = 0``; the sum is numpy's pairwise summation along the row,
    :func:`cleanlens.confident.numpy_sum`), ``c_i = H_i / max(s_i, 1e-6)``,
    score ``log(c_i + 1) / max(c_i, 1e-6)`` (needs K >= 2).

``adjust_pred_probs=True`` (not for ``confidence_weighted_entropy``, as in
cleanlab) first replaces every row by ``q_i[k] = (p_i[k] - t_k) + max(t)``
divided by the (pairwise) sum of the row's ``q_i``, with ``t`` cleanlab's
confident thresholds (:func:`cleanlens.confident.cleanlab_threshold`: each
class's mean self-confidence), which accounts for class imbalance.

Every operation is the one cleanlab's numpy code performs, in the same order,
so the scores equal cleanlab's to within an ulp or two (tested to 1e-12 on
random inputs; ``self_confidence`` and ``normalized_margin`` are bit for bit).
:func:`label_quality_order` lists the items worst first.

Two paths, one definition:

- pure Python (standard library only, for the browser):
  :func:`iter_label_quality_scores` computes the scores in steps of
  :data:`CHUNK_VALUES` probabilities so a page can pause between them;
  :func:`label_quality_scores` runs it to the end. Cost in Pyodide 314.0.5
  under Node, N = 100,000, K = 10 (``python bench/bench_cleanlab.py
  --pyodide-only``; medians of 3 runs, the garbage collector held off; the
  ranges are two runs of the benchmark on a shared 2-core machine):
  ``self_confidence`` 40-45 ms, ``normalized_margin`` 0.09-0.2 s,
  ``confidence_weighted_entropy`` 0.35-0.53 s, ``self_confidence`` with
  ``adjust_pred_probs`` 0.5-0.8 s, in steps of 4-10 ms (95th percentile);
  the worst-first order: one sort (:func:`label_quality_order`) 40-65 ms,
  or :func:`iter_label_quality_order` 80-140 ms in steps of 2-5 ms (95th
  percentile). Compute both once per training.
- numpy, when ``labels`` or ``probabilities`` is a numpy array
  (:func:`label_quality_scores` then returns a numpy array), processing
  :data:`BLOCK_ROWS` rows at a time so that temporaries stay small.
"""

from __future__ import annotations

import math
import sys
from bisect import bisect_right
from collections.abc import Sequence
from itertools import repeat
from operator import getitem

from .counting import iter_confident_thresholds
from .floats import FLOAT32, FLOAT64, Steps, check_dtype, numpy_inputs, pairwise_sum, promote, round_values, to_float32

METHODS = ("self_confidence", "normalized_margin", "confidence_weighted_entropy")
DEFAULT_METHOD = "self_confidence"
CLIPPING_LOWER_BOUND = 1e-6
"""cleanlab's ``CLIPPING_LOWER_BOUND``: the floor of the self-confidence and of ``c_i`` in
``confidence_weighted_entropy``."""
CHUNK_VALUES = 10_000
"""Probabilities per step of :func:`iter_label_quality_scores` (``max(1, CHUNK_VALUES // K)`` rows): about
10 ms of ``confidence_weighted_entropy`` in Pyodide, the slowest method."""
ORDER_CHUNK = 2_000
"""Items per step of :func:`iter_label_quality_order`."""
BLOCK_ROWS = 1 << 13
"""Rows per block of the numpy path (its temporaries are a few arrays of BLOCK_ROWS x K)."""


def label_quality_scores(
    labels: Sequence[int],
    probabilities: Sequence[Sequence[float]],
    method: str = DEFAULT_METHOD,
    adjust_pred_probs: bool = False,
    *,
    confident_thresholds: Sequence[float] | None = None,
    thresholds_dtype: str = FLOAT64,
    dtype: str = FLOAT64,
):
    """Label quality score of every item (see the module docstring for each method's definition).

    Parameters
    ----------
    labels : sequence of int, shape (N,)
        Given labels, class indices in 0..K-1.
    probabilities : sequence of sequences of float, shape (N, K)
        Out-of-sample predicted probabilities, each in [0, 1] (rows are not
        checked to sum to 1, as in cleanlab).
    method : {"self_confidence", "normalized_margin", "confidence_weighted_entropy"}
    adjust_pred_probs : bool
        Subtract cleanlab's confident thresholds and renormalise first (not
        with ``confidence_weighted_entropy``).
    confident_thresholds : sequence of float, shape (K,), optional
        With ``adjust_pred_probs``: the thresholds, if already known (e.g.
        ``ConfidentLearning.cleanlab_thresholds``), in ``thresholds_dtype``;
        computed otherwise.
    dtype : {"float64", "float32"}
        Lists only: the dtype the probabilities had (float32 values are
        computed in float32 as numpy does; :mod:`cleanlens.floats`). A numpy
        array's own dtype decides instead.

    Returns
    -------
    list of float, shape (N,)
        The scores, in [0, 1], lower = more likely mislabelled; a numpy array
        of shape (N,) when ``labels`` or ``probabilities`` is a numpy array
        (float32 for float32 probabilities, except ``confidence_weighted_entropy``:
        float64, as cleanlab's).

    Raises
    ------
    ValueError
        An unknown method, ``adjust_pred_probs`` with
        ``confidence_weighted_entropy``, K < 2 for a method that needs it,
        rows of different lengths, or a label outside 0..K-1.

    Examples
    --------
    >>> labels = [0, 1, 1]
    >>> probabilities = [[0.9, 0.1], [0.8, 0.2], [0.5, 0.5]]
    >>> label_quality_scores(labels, probabilities)
    [0.9, 0.2, 0.5]
    >>> [round(s, 6) for s in label_quality_scores(labels, probabilities, "normalized_margin")]
    [0.9, 0.2, 0.5]
    >>> [round(s, 6) for s in label_quality_scores(labels, probabilities, "confidence_weighted_entropy")]
    [0.804899, 0.423352, 0.549306]
    >>> [round(s, 6) for s in label_quality_scores(labels, probabilities, adjust_pred_probs=True)]
    [0.580645, 0.483871, 0.677419]
    >>> import numpy as np
    >>> label_quality_scores(np.array(labels), np.array(probabilities))
    array([0.9, 0.2, 0.5])
    """
    if numpy_inputs(labels, probabilities) is not None:
        return _scores_numpy(labels, probabilities, method, adjust_pred_probs, confident_thresholds)
    steps = iter_label_quality_scores(
        labels,
        probabilities,
        method,
        adjust_pred_probs,
        confident_thresholds=confident_thresholds,
        thresholds_dtype=thresholds_dtype,
        dtype=dtype,
    )
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


def iter_label_quality_scores(
    labels: Sequence[int],
    probabilities: Sequence[Sequence[float]],
    method: str = DEFAULT_METHOD,
    adjust_pred_probs: bool = False,
    *,
    confident_thresholds: Sequence[float] | None = None,
    thresholds_dtype: str = FLOAT64,
    dtype: str = FLOAT64,
    validated: bool = False,
) -> Steps[list[float]]:
    """:func:`label_quality_scores` (pure Python) as a generator, for a page that must stay responsive.

    Yields ``None`` after checking each chunk of ``max(1, CHUNK_VALUES // K)``
    rows, after each class's confident threshold (with ``adjust_pred_probs``
    and no ``confident_thresholds``: pass ``ConfidentLearning.cleanlab_thresholds``
    to skip them) and after scoring each chunk; returns the list of N scores
    (the ``value`` of the ``StopIteration`` that ends it). Same parameters and
    errors as :func:`label_quality_scores`; lists (or any sequences) only.
    ``validated=True``: the caller checked the rows and labels (they are not
    checked again).

    Examples
    --------
    >>> steps = iter_label_quality_scores([0, 1], [[0.7, 0.3], [0.6, 0.4]])
    >>> while True:
    ...     try:
    ...         next(steps)  # a page would pause here
    ...     except StopIteration as stop:
    ...         scores = stop.value
    ...         break
    >>> scores
    [0.7, 0.4]
    """
    n = len(labels)
    if len(probabilities) != n:
        raise ValueError(f"{n} labels but {len(probabilities)} probability rows")
    k = len(probabilities[0]) if n else 0
    check_dtype(dtype)
    _check_arguments(method, adjust_pred_probs, n, k)
    score_rows = {
        "self_confidence": _self_confidence,
        "normalized_margin": _normalized_margin,
        "confidence_weighted_entropy": _confidence_weighted_entropy,
    }[method]
    rows_per_step = max(1, CHUNK_VALUES // k) if n else 1
    chunks = [(start, start + rows_per_step) for start in range(0, n, rows_per_step)]
    if adjust_pred_probs and confident_thresholds is not None and len(confident_thresholds) != k:
        raise ValueError(f"{len(confident_thresholds)} confident thresholds for {k} classes")
    per_class = [[] for _ in range(k)] if adjust_pred_probs and confident_thresholds is None else None
    for start, stop in chunks if not validated or per_class is not None else ():
        given, rows = labels[start:stop], probabilities[start:stop]
        if not validated:  # every row and label checked before any score, one chunk per step
            _check_chunk(given, rows, k)
        if per_class is not None:
            for label, s in zip(given, map(getitem, rows, given)):
                per_class[label].append(s)
        yield
    score_dtype = FLOAT64 if method == "confidence_weighted_entropy" else dtype
    if adjust_pred_probs and per_class is None:
        thresholds = [float(t) for t in confident_thresholds]
    elif adjust_pred_probs:  # (pass confident_thresholds to skip this)
        thresholds, thresholds_dtype = yield from iter_confident_thresholds(per_class, dtype)
    if adjust_pred_probs:
        score_dtype = promote(dtype, check_dtype(thresholds_dtype))
    scores = []
    for start, stop in chunks:
        rows = probabilities[start:stop]
        if adjust_pred_probs:
            rows = _adjusted(rows, thresholds, score_dtype)
        scores += score_rows(rows, labels[start:stop], k, score_dtype if adjust_pred_probs else dtype)
        yield
    return scores


def label_quality_order(scores: Sequence[float]):
    """Item indices by ascending score, worst first; ties by index.

    Parameters
    ----------
    scores : sequence of float, shape (N,)
        From :func:`label_quality_scores`.

    Returns
    -------
    list of int, shape (N,)
        A permutation of 0..N-1 (a numpy array of indices if ``scores`` is
        one). One sort, O(N log N): compute it once per training. For items
        that are a subset of a dataset (scores of the trained items only),
        ``[items[j] for j in order]`` gives dataset indices, still ties by
        index when ``items`` is ascending.

    Examples
    --------
    >>> label_quality_order([0.5, 0.1, 0.5, 0.0])
    [3, 1, 0, 2]
    """
    np = numpy_inputs(scores)
    if np is not None:
        return np.argsort(scores, kind="stable")
    return sorted(range(len(scores)), key=scores.__getitem__)  # sorted() is stable: ties keep index order


def iter_label_quality_order(scores: Sequence[float]) -> Steps[list[int]]:
    """:func:`label_quality_order` (pure Python) as a generator, for a page that must stay responsive.

    Yields ``None`` between steps of about :data:`ORDER_CHUNK` items and
    returns the order (the ``value`` of the ``StopIteration``), equal to
    :func:`label_quality_order`'s. A sort cannot pause, so this one splits
    the range of the scores at quantiles of a sample into buckets of about
    :data:`ORDER_CHUNK` items, distributes the items in index order, then
    sorts each bucket (a stable sort: ties stay in index order); many equal
    scores in one bucket cost linear time. Scores must not be NaN.

    Examples
    --------
    >>> steps = iter_label_quality_order([0.5, 0.1, 0.5, 0.0])
    >>> while True:
    ...     try:
    ...         next(steps)
    ...     except StopIteration as stop:
    ...         order = stop.value
    ...         break
    >>> order
    [3, 1, 0, 2]
    """
    n = len(scores)
    key = scores.__getitem__
    n_buckets = max(1, n // ORDER_CHUNK)
    sample = sorted(scores[:: max(1, n // (16 * n_buckets))])  # about 16 values per bucket
    pivots = sorted({sample[b * len(sample) // n_buckets] for b in range(1, n_buckets)})
    buckets = [[] for _ in range(len(pivots) + 1)]
    for start in range(0, n, ORDER_CHUNK):
        stop = min(n, start + ORDER_CHUNK)
        for i, b in zip(range(start, stop), map(bisect_right, repeat(pivots), scores[start:stop])):
            buckets[b].append(i)
        yield
    order, pending = [], 0
    for bucket in buckets:
        bucket.sort(key=key)
        order += bucket
        pending += len(bucket)
        if pending >= ORDER_CHUNK:
            pending = 0
            yield
    return order


# --- pure Python --------------------------------------------------------------------------


def _check_chunk(labels, rows, k):
    if any(len(row) != k for row in rows):
        raise ValueError(f"probability rows of different lengths (the first has {k})")
    if not 0 <= min(labels) <= max(labels) < k:
        raise ValueError(f"labels must be class indices in 0..{k - 1}")


def _check_arguments(method, adjust_pred_probs, n, k):
    if method not in METHODS:
        raise ValueError(f"unknown label quality method {method!r}; expected one of {', '.join(METHODS)}")
    if adjust_pred_probs and method == "confidence_weighted_entropy":
        raise ValueError("adjust_pred_probs is not supported for confidence_weighted_entropy (as in cleanlab)")
    if n and k < (1 if method == "self_confidence" else 2):
        raise ValueError(f"{method} needs at least 2 classes, got {k}")


def _adjusted(rows, thresholds, dtype=FLOAT64):
    """Rows with the thresholds subtracted, shifted by their maximum and renormalised (cleanlab's order), in
    ``dtype``."""
    shift = max(thresholds)
    out = []
    if dtype == FLOAT32:
        f = to_float32
        for row in rows:
            q = [f(f(p - t) + shift) for p, t in zip(row, thresholds)]
            total = pairwise_sum(q, FLOAT32)
            out.append(round_values([x / total for x in q], FLOAT32))
        return out
    for row in rows:
        q = [(p - t) + shift for p, t in zip(row, thresholds)]
        total = pairwise_sum(q)
        out.append([x / total for x in q])
    return out


def _self_confidence(rows, given, k, dtype=FLOAT64):
    return list(map(getitem, rows, given))


def _normalized_margin(rows, given, k, dtype=FLOAT64):
    scores = []
    for row, g in zip(rows, given):
        s = row[g]
        top = max(row)
        # the largest probability of another class: the top one unless only the given label has it
        other = top if s < top else sorted(row)[-2]
        if dtype == FLOAT32:
            scores.append(to_float32(to_float32(s - other) + 1.0) / 2.0)
        else:
            scores.append((s - other + 1.0) / 2.0)
    return scores


def _confidence_weighted_entropy(rows, given, k, dtype=FLOAT64):
    """float64 scores; for float32 rows the entropy's terms and their sum are float32 (scipy's ``xlogy``
    takes the float32 logarithm, which the float64 one rounded stands in for: 1e-6 apart at worst)."""
    log = math.log
    log_k = log(k)
    floor = CLIPPING_LOWER_BOUND
    scores = []
    if dtype == FLOAT32:
        f = to_float32
        s_floor = to_float32(floor)
        for row, g in zip(rows, given):
            entropy = -pairwise_sum([f(p * f(log(p))) if p > 0.0 else 0.0 for p in row], FLOAT32) / log_k
            c = entropy / max(row[g], s_floor)
            scores.append(log(c + 1.0) / max(c, floor))
        return scores
    for row, g in zip(rows, given):
        entropy = -pairwise_sum([p * log(p) if p > 0.0 else 0.0 for p in row]) / log_k
        c = entropy / max(row[g], floor)
        scores.append(log(c + 1.0) / max(c, floor))
    return scores


# --- numpy --------------------------------------------------------------------------------


def _scores_numpy(labels, probabilities, method, adjust_pred_probs, confident_thresholds):
    import numpy as np

    from .confident_arrays import confident_thresholds_array

    labels = np.asarray(labels)
    probabilities = np.asarray(probabilities)
    if probabilities.dtype != np.float32:  # float32 is computed in float32, as cleanlab does; the rest in float64
        probabilities = probabilities.astype(np.float64, copy=False)
    if labels.ndim != 1 or probabilities.ndim != 2 or len(labels) != len(probabilities):
        raise ValueError(
            f"expected labels (N,) and probabilities (N, K), got shapes {labels.shape} and {probabilities.shape}"
        )
    n, k = probabilities.shape
    _check_arguments(method, adjust_pred_probs, n, k)
    if n and labels.dtype.kind not in "iu":
        raise ValueError(f"labels must be integers (class indices), got dtype {labels.dtype}")
    if n and (labels.min() < 0 or labels.max() >= k):
        raise ValueError(f"labels must be class indices in 0..{k - 1}")
    if adjust_pred_probs:
        if confident_thresholds is None:
            confident_thresholds = confident_thresholds_array(labels, probabilities, k)
        thresholds = np.asarray(confident_thresholds)
        if thresholds.dtype.kind != "f":
            thresholds = thresholds.astype(np.float64)
        if thresholds.shape != (k,):
            raise ValueError(f"{thresholds.size} confident thresholds for {k} classes")
    if method == "confidence_weighted_entropy":
        out_dtype = np.float64
    else:
        out_dtype = np.result_type(probabilities, thresholds) if adjust_pred_probs else probabilities.dtype
    scores = np.empty(n, dtype=out_dtype)
    for start in range(0, n, BLOCK_ROWS):
        p = probabilities[start : start + BLOCK_ROWS]
        g = labels[start : start + BLOCK_ROWS]
        if adjust_pred_probs:
            p = p - thresholds
            p += thresholds.max()
            p /= p.sum(axis=1, keepdims=True)
        rows = np.arange(len(g))
        s = p[rows, g]
        if method == "self_confidence":
            scores[start : start + len(g)] = s
        elif method == "normalized_margin":
            others = p.copy()
            others[rows, g] = -np.inf
            scores[start : start + len(g)] = (s - others.max(axis=1) + 1) / 2
        else:
            entropy = -np.sum(_xlogx(p), axis=1) / np.log(k)
            c = entropy / np.clip(s, CLIPPING_LOWER_BOUND, None)
            scores[start : start + len(g)] = np.log(c + 1) / np.clip(c, CLIPPING_LOWER_BOUND, None)
    return scores


def _xlogx(p):
    """``xlogy(p, p)`` (``p * log(p)``, 0 where p is 0) with the C library's ``log``, as scipy computes it.

    numpy's own ``log`` may differ in the last bit, which ``confidence_weighted_entropy`` amplifies for
    confident rows; so scipy's ``xlogy`` if scipy is already imported, else Python's ``math.log`` (the C
    library's) mapped over the values (about 0.1 s per million; importing scipy costs more). For float32,
    scipy's float32 ``xlogy`` (the C library's ``logf``), imported if need be; without scipy, the float64
    logarithm rounded to float32 (1e-6 apart at worst).
    """
    import numpy as np

    special = sys.modules.get("scipy.special")
    if special is None and p.dtype == np.float32:
        try:
            import scipy.special as special
        except ImportError:
            flat = np.where(p > 0.0, p, 1.0).ravel().tolist()
            logs = np.fromiter(map(math.log, flat), np.float64, len(flat)).astype(np.float32)
            return p * logs.reshape(p.shape)
    if special is not None:
        return special.xlogy(p, p)
    flat = np.where(p > 0.0, p, 1.0).ravel().tolist()
    return p * np.fromiter(map(math.log, flat), np.float64, len(flat)).reshape(p.shape)
