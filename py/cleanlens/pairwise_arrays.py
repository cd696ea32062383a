"""libsvm's probability model with numpy arrays: :mod:`cleanlens.pairwise`'s definitions, the per-item work
vectorised (the scikit-learn engine's calibration).

Same inputs, same definitions and the same operations in the same order as :mod:`cleanlens.pairwise`:
the sums of :func:`iter_sigmoid_train` run left to right (``numpy.cumsum``, never numpy's pairwise
``sum``), and the coupling's fixed-point iteration runs for every item at once, each item stopping at its
own sweep. The results therefore equal the pure-Python code's bit for bit wherever numpy's ``exp`` and
``log1p`` equal Python's ``math`` (Pyodide: both are the C library's); elsewhere (CPython with SIMD
loops) they differ by an ulp or so per item. numpy is imported by the functions.

Why: the pure-Python calibration was half of the scikit-learn engine's time, e.g. 7.6 of 15.0 s for
10,000 x 32 features and K = 10 in Pyodide 0.27.7 (Node, 2 shared cores, 2026-12-05).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .pairwise import (
    HESSIAN_RIDGE,
    MAX_NEWTON_ITERATIONS,
    MIN_PROBABILITY,
    line_search,
    newton_direction,
    platt_start,
)
from .steps import Due, Steps, scaled
from .svm import class_pairs


def _sequential_sum(terms: Any, start: float = 0.0) -> float:
    """``start + terms[0] + terms[1] + ...`` left to right, as a Python loop adds (numpy's ``sum`` is pairwise)."""
    import numpy as np

    if len(terms) == 0:
        return start
    total = np.cumsum(np.concatenate(([start], terms)))[-1]
    return float(total)


def _exp_minus_abs(z: Any) -> Any:
    """``exp(-|z|)``: libsvm's ``exp(-z)`` for ``z >= 0`` and ``exp(z)`` below, without overflow."""
    import numpy as np

    return np.exp(-np.abs(z))


def iter_sigmoid_train_array(values: Any, positive: Any, due: Due | None = None) -> Steps[float, tuple[float, float]]:
    """:func:`cleanlens.pairwise.iter_sigmoid_train` on arrays (a generator; returns ``(A, B)``).

    ``values``: float64 array of shape (M,); ``positive``: bool array of shape (M,). Yields 0.0 between
    Newton iterations when ``due()`` returns True.
    """
    import numpy as np

    hi, lo, B = platt_start(float(np.count_nonzero(positive)), len(positive))
    t = np.where(positive, hi, lo)
    v = np.asarray(values, dtype=np.float64)

    def objective(A: float, B: float) -> float:
        z = v * A + B
        linear = np.where(z >= 0.0, t * z, (t - 1.0) * z)
        return _sequential_sum(linear + np.log1p(_exp_minus_abs(z)))

    A = 0.0
    fval = objective(A, B)
    for _ in range(MAX_NEWTON_ITERATIONS):
        if due is not None and due():
            yield 0.0
        z = v * A + B
        e = _exp_minus_abs(z)
        up = z >= 0.0
        p = np.where(up, e / (1.0 + e), 1.0 / (1.0 + e))
        q = np.where(up, 1.0 / (1.0 + e), e / (1.0 + e))
        d2 = p * q
        h11 = _sequential_sum(v * v * d2, HESSIAN_RIDGE)
        h22 = _sequential_sum(d2, HESSIAN_RIDGE)
        h21 = _sequential_sum(v * d2)
        d1 = t - p
        g1 = _sequential_sum(v * d1)
        g2 = _sequential_sum(d1)
        direction = newton_direction(h11, h22, h21, g1, g2)
        if direction is None:
            break
        for nA, nB, bound in line_search(A, B, fval, direction):
            nf = objective(nA, nB)
            if nf < bound:
                A, B, fval = nA, nB, nf
                break
        else:
            break  # line search failed: keep the last point, as libsvm does
    return A, B


def pair_probability_array(values: Any, A: float, B: float) -> Any:
    """:func:`cleanlens.pairwise.pair_probability` of every value (float64 array in, same shape out)."""
    import numpy as np

    z = values * A + B
    e = _exp_minus_abs(z)
    sigmoid = np.where(z >= 0.0, e / (1.0 + e), 1.0 / (1.0 + e))
    return np.minimum(np.maximum(sigmoid, MIN_PROBABILITY), 1.0 - MIN_PROBABILITY)


def multiclass_probability_array(r: Any) -> Any:
    """:func:`cleanlens.pairwise.multiclass_probability` of M items at once.

    ``r``: float64 array of shape (M, k, k), ``r[m, i, j]`` item m's probability of class i against class
    j (k >= 2). Returns an (M, k) array. Every item runs libsvm's sweeps until its own stopping rule holds
    (at most ``max(100, k)``), with the pure-Python code's operations in its order.
    """
    import numpy as np

    m, k = r.shape[0], r.shape[1]
    Q = np.zeros((m, k, k))
    for t in range(k):
        for j in range(t):
            Q[:, t, t] += r[:, j, t] * r[:, j, t]
            Q[:, t, j] = Q[:, j, t]
        for j in range(t + 1, k):
            Q[:, t, t] += r[:, j, t] * r[:, j, t]
            Q[:, t, j] = -r[:, j, t] * r[:, t, j]
    p = np.full((m, k), 1.0 / k)
    eps = 0.005 / k
    active = np.arange(m)
    for _ in range(max(100, k)):
        Qa, pa = Q[active], p[active]
        Qp = np.zeros((len(active), k))
        pQp = np.zeros(len(active))
        for t in range(k):
            total = np.zeros(len(active))
            for j in range(k):
                total += Qa[:, t, j] * pa[:, j]
            Qp[:, t] = total
            pQp += pa[:, t] * total
        going = np.abs(Qp - pQp[:, None]).max(axis=1) >= eps
        active, Qa, pa, Qp, pQp = active[going], Qa[going], pa[going], Qp[going], pQp[going]
        if len(active) == 0:
            break
        for t in range(k):
            Qt = Qa[:, t, :]
            diff = (-Qp[:, t] + pQp) / Qt[:, t]
            pa[:, t] += diff
            pQp = (pQp + diff * (diff * Qt[:, t] + 2.0 * Qp[:, t])) / (1.0 + diff) / (1.0 + diff)
            scale = (1.0 + diff)[:, None]
            Qp = (Qp + diff[:, None] * Qt) / scale
            pa = pa / scale
        p[active] = pa
    return p


def iter_pairwise_probabilities_array(
    labels: Sequence[int],
    n_classes: int,
    folds: Sequence[Sequence[int]],
    fold_classes: Sequence[Sequence[int]],
    decisions: Sequence[Sequence[float]],
    due: Due | None = None,
) -> Steps[float, list[list[float]]]:
    """:func:`cleanlens.pairwise.iter_pairwise_probabilities`, vectorised (a generator).

    Same inputs (N labels, K = ``n_classes``, F folds, their classes, each item's pairwise decision values)
    and the same result: N lists of K floats (the generator's return value). Yields its progress in [0, 1]
    (sigmoids 20%, coupling 80%) when ``due()`` returns True.
    """
    import numpy as np

    n = len(labels)
    y = np.asarray(labels, dtype=np.int64)
    fold_of = np.zeros(n, dtype=np.int64)
    for f, test in enumerate(folds):
        fold_of[np.asarray(test, dtype=np.int64)] = f
    fold_pairs = [class_pairs(classes) for classes in fold_classes]
    pairs = sorted(set().union(*fold_pairs))
    column = {pair: c for c, pair in enumerate(pairs)}
    values = np.full((n, len(pairs)), np.nan)
    has_pair = np.zeros((len(folds), len(pairs)), dtype=bool)
    for f, test in enumerate(folds):
        if not fold_pairs[f] or not len(test):
            continue
        columns = [column[pair] for pair in fold_pairs[f]]
        values[np.ix_(np.asarray(test, dtype=np.int64), columns)] = np.asarray([decisions[i] for i in test])
        has_pair[f, columns] = True

    sigmoids = {}
    for c, (a, b) in enumerate(pairs):
        chosen = ((y == a) | (y == b)) & has_pair[fold_of, c]
        steps = iter_sigmoid_train_array(values[chosen, c], y[chosen] == a, due)
        sigmoids[(a, b)] = yield from scaled(steps, 0.2 * c / len(pairs), 0.2 / len(pairs))

    probabilities = np.zeros((n, n_classes))
    for f, test in enumerate(folds):
        if due is not None and due():
            yield 0.2 + 0.8 * f / len(folds)
        items = np.asarray(test, dtype=np.int64)
        classes = list(fold_classes[f])
        k = len(classes)
        if k == 1:
            probabilities[items, classes[0]] = 1.0
            continue
        r = np.zeros((len(items), k, k))
        for x, y_ in fold_pairs[f]:
            ix, iy = classes.index(x), classes.index(y_)
            r[:, ix, iy] = pair_probability_array(values[items, column[(x, y_)]], *sigmoids[(x, y_)])
            r[:, iy, ix] = 1.0 - r[:, ix, iy]
        coupled = np.stack([r[:, 0, 1], r[:, 1, 0]], axis=1) if k == 2 else multiclass_probability_array(r)
        probabilities[np.ix_(items, classes)] = coupled
    return probabilities.tolist()
