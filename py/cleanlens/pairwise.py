"""Class probabilities from pairwise SVM decision values: libsvm's probability model in pure Python.

Both engines of :mod:`cleanlens.crossval` train the same one-vs-one SVMs and
hand their out-of-fold decision values to this module, so their
probabilities differ only by the decision values they computed. Standard
library only (it runs in the browser without numpy).

Definitions. K classes; for a pair ``(a, b)``, ``a < b``, in
:func:`cleanlens.svm.class_pairs` order, an SVM trained on the items of class a
(+1) and b (-1) gives the decision value ``f_ab(x)`` (positive means a).

1. Pairwise probability (Platt 2000, with the improvements of Lin, Lin & Weng
   2007 that libsvm uses): ``r_ab(x) = P(a | a or b, x) = 1 / (1 + exp(A_ab
   f_ab(x) + B_ab))``, clipped to ``[1e-7, 1 - 1e-7]`` (:data:`MIN_PROBABILITY`),
   and ``r_ba = 1 - r_ab``. ``(A_ab, B_ab)`` are fitted by
   :func:`sigmoid_train`, libsvm's ``sigmoid_train``: Newton's method with
   backtracking on the cross-entropy of Platt's smoothed targets,
   ``(N+ + 1) / (N+ + 2)`` for the class-a items and ``1 / (N- + 2)`` for the
   class-b items.
2. Coupling (Wu, Lin & Weng 2004, method 2; libsvm's
   ``multiclass_probability``, :func:`couple`): ``p`` minimises
   ``sum_a sum_{b != a} (r_ba p_a - r_ab p_b)^2`` subject to ``sum_a p_a = 1``,
   solved by libsvm's fixed-point iteration (at most ``max(100, K)``
   sweeps, stopping when every ``|(Qp)_t - p'Qp| < 0.005 / K``). With two
   classes libsvm does not couple: ``p = (r_ab, r_ba)``.

In cross-validation (:func:`iter_pairwise_probabilities`) each fold's SVMs
decide that fold's held-out items; for each pair ``(a, b)`` one sigmoid is
fitted on the pooled out-of-fold decision values ``f_ab`` of all items
labelled a or b, and every item's probabilities are computed from its own
fold's decision values with these sigmoids. libsvm's ``SVC(probability=True)``
fits the same sigmoids on decision values from an internal 5-fold
cross-validation of its training set; here the outer folds already provide
out-of-fold values, so no SVM is trained twice.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

from .steps import Due, Steps, drain, scaled
from .svm import class_pairs

MIN_PROBABILITY = 1e-7
"""libsvm's ``min_prob``: pairwise probabilities are clipped to ``[1e-7, 1 - 1e-7]`` before coupling."""

CHUNK = 1024
"""Values per inner-loop chunk of :func:`iter_sigmoid_train` between two calls of ``due()``.

~2 us per value and Newton pass in Pyodide (2026-11-28, AMD EPYC, 2 shared
cores), so about 2 ms between calls.
"""


MAX_NEWTON_ITERATIONS = 100
HESSIAN_RIDGE = 1e-12
GRADIENT_TOLERANCE = 1e-5
MIN_STEP = 1e-10
SUFFICIENT_DECREASE = 1e-4
"""libsvm's ``sigmoid_train`` settings: Newton iterations, the ridge added to the Hessian's diagonal, the gradient
that ends the fit, the smallest backtracking step and the Armijo constant of the line search."""


def platt_start(positives: float, n: int) -> tuple[float, float, float]:
    """``(hi, lo, B)``: Platt's smoothed targets ``(N+ + 1) / (N+ + 2)`` of the positives and ``1 / (N- + 2)`` of
    the negatives, and the starting ``B = log((N- + 1) / (N+ + 1))`` (``positives``: N+ as a float; ``n``: all)."""
    prior0 = n - positives
    hi, lo = (positives + 1.0) / (positives + 2.0), 1.0 / (prior0 + 2.0)
    return hi, lo, math.log((prior0 + 1.0) / (positives + 1.0))


def newton_direction(h11: float, h22: float, h21: float, g1: float, g2: float) -> tuple[float, float, float] | None:
    """Newton's step ``(dA, dB)`` for the Hessian ``[[h11, h21], [h21, h22]]`` and gradient ``(g1, g2)``, with the
    directional derivative ``gd``; None when the gradient is within :data:`GRADIENT_TOLERANCE` (converged)."""
    if abs(g1) < GRADIENT_TOLERANCE and abs(g2) < GRADIENT_TOLERANCE:
        return None
    det = h11 * h22 - h21 * h21
    dA = -(h22 * g1 - h21 * g2) / det
    dB = -(-h21 * g1 + h11 * g2) / det
    return dA, dB, g1 * dA + g2 * dB


def line_search(A: float, B: float, fval: float, direction: tuple[float, float, float]) -> Iterator[tuple[float, ...]]:
    """libsvm's backtracking from ``(A, B)`` (objective ``fval``) along ``direction`` (:func:`newton_direction`):
    the candidates ``(A + s dA, B + s dB, bound)`` for ``s = 1, 1/2, ...`` down to :data:`MIN_STEP`; the first
    whose objective is below ``bound = fval + SUFFICIENT_DECREASE * s * gd`` is taken. The caller computes the
    objective (in steps or not) and stops at the one taken; none taken: the fit ends at ``(A, B)``."""
    dA, dB, gd = direction
    step = 1.0
    while step >= MIN_STEP:
        yield A + step * dA, B + step * dB, fval + SUFFICIENT_DECREASE * step * gd
        step /= 2.0


COUPLING_CHECK = 128
"""Items between two calls of ``due()`` in the coupling: ``max(1, COUPLING_CHECK // K^2)``.

:func:`couple` took 136 us per item for K = 3 and 168 us for K = 10 in
Pyodide on random pairwise probabilities (37 and 93 us in CPython;
2026-11-28, AMD EPYC, 2 shared cores): about 2 ms between calls.
"""


def sigmoid_train(values: Sequence[float], positive: Sequence[bool]) -> tuple[float, float]:
    """Platt's sigmoid for one pair; returns ``(A, B)``. See :func:`iter_sigmoid_train`."""
    return drain(iter_sigmoid_train(values, positive))


def iter_sigmoid_train(
    values: Sequence[float], positive: Sequence[bool], due: Due | None = None
) -> Steps[float, tuple[float, float]]:
    """Fit ``P(positive | v) = 1 / (1 + exp(A v + B))``: libsvm's ``sigmoid_train`` (a generator).

    ``values``: decision values (floats); ``positive``: booleans, True for the
    positive class (a), same length. Targets are Platt's prior-corrected
    ``(N+ + 1) / (N+ + 2)`` and ``1 / (N- + 2)``; from ``A = 0``,
    ``B = log((N- + 1) / (N+ + 1))`` Newton's method with backtracking (at most
    100 iterations, gradient tolerance 1e-5, Hessian ridge 1e-12, minimum step
    1e-10; sums in libsvm's order). Returns ``(A, B)`` (the generator's
    return value). With one class only the fit follows the smoothed targets
    (e.g. positives only: ``P`` near ``(N+ + 1) / (N+ + 2)``); with no values
    it returns ``(0.0, 0.0)``, i.e. ``P = 1/2``. Asks ``due()`` every
    :data:`CHUNK` values and then yields 0.0.
    """
    hi, lo, B = platt_start(float(sum(1 for p in positive if p)), len(positive))
    targets = [hi if p else lo for p in positive]
    parts = [(values[s : s + CHUNK], targets[s : s + CHUNK]) for s in range(0, len(values), CHUNK)]
    exp, log1p = math.exp, math.log1p

    def objective(A, B):
        total = 0.0
        for part_values, part_targets in parts:
            if due is not None and due():
                yield 0.0
            for v, t in zip(part_values, part_targets):
                z = v * A + B
                total += t * z + log1p(exp(-z)) if z >= 0.0 else (t - 1.0) * z + log1p(exp(z))
        return total

    A = 0.0
    fval = yield from objective(A, B)
    for _ in range(MAX_NEWTON_ITERATIONS):
        h11 = h22 = HESSIAN_RIDGE
        h21 = g1 = g2 = 0.0
        for part_values, part_targets in parts:
            if due is not None and due():
                yield 0.0
            for v, t in zip(part_values, part_targets):
                z = v * A + B
                if z >= 0.0:
                    e = exp(-z)
                    p, q = e / (1.0 + e), 1.0 / (1.0 + e)
                else:
                    e = exp(z)
                    p, q = 1.0 / (1.0 + e), e / (1.0 + e)
                d2 = p * q
                h11 += v * v * d2
                h22 += d2
                h21 += v * d2
                d1 = t - p
                g1 += v * d1
                g2 += d1
        direction = newton_direction(h11, h22, h21, g1, g2)
        if direction is None:
            break
        for nA, nB, bound in line_search(A, B, fval, direction):
            nf = yield from objective(nA, nB)
            if nf < bound:
                A, B, fval = nA, nB, nf
                break
        else:
            break  # line search failed: keep the last point, as libsvm does
    return A, B


def sigmoid_predict(value: float, A: float, B: float) -> float:
    """``1 / (1 + exp(A v + B))`` computed without overflow (libsvm's ``sigmoid_predict``)."""
    z = value * A + B
    if z >= 0.0:
        e = math.exp(-z)
        return e / (1.0 + e)
    return 1.0 / (1.0 + math.exp(z))


def pair_probability(value: float, A: float, B: float) -> float:
    """``r_ab``: :func:`sigmoid_predict` clipped to ``[MIN_PROBABILITY, 1 - MIN_PROBABILITY]``, as libsvm."""
    return min(max(sigmoid_predict(value, A, B), MIN_PROBABILITY), 1.0 - MIN_PROBABILITY)


def couple(r: Sequence[Sequence[float]]) -> list[float]:
    """Class probabilities from pairwise ones, as libsvm's ``svm_predict_probability`` does after the sigmoids.

    ``r``: k x k nested lists, ``r[i][j]`` the probability of class i against
    class j (``r[i][j] + r[j][i] = 1``; the diagonal is ignored). Returns k
    floats: ``[1.0]`` for k = 1; ``[r[0][1], r[1][0]]`` for k = 2 (libsvm does
    not couple two classes; scikit-learn's copy of libsvm does, which moves
    ``p`` by up to its stopping tolerance, ~2e-3); :func:`multiclass_probability`
    for k >= 3.
    """
    k = len(r)
    if k == 1:
        return [1.0]
    if k == 2:
        return [r[0][1], r[1][0]]
    return multiclass_probability(r)


def multiclass_probability(r: Sequence[Sequence[float]]) -> list[float]:
    """libsvm's ``multiclass_probability``: Wu, Lin & Weng's method 2 (see the module docstring).

    ``r`` as in :func:`couple`, k >= 2. Builds ``Q[t][t] = sum_{j != t} r[j][t]^2``,
    ``Q[t][j] = -r[j][t] r[t][j]``, starts from ``p = 1/k`` and sweeps
    ``p_t += (p'Qp - (Qp)_t) / Q[t][t]``, renormalising, until every
    ``|(Qp)_t - p'Qp| < 0.005 / k`` (at most ``max(100, k)`` sweeps); every
    operation in libsvm's order. Returns k floats summing to 1.
    """
    k = len(r)
    Q = [[0.0] * k for _ in range(k)]
    for t in range(k):
        for j in range(t):
            Q[t][t] += r[j][t] * r[j][t]
            Q[t][j] = Q[j][t]
        for j in range(t + 1, k):
            Q[t][t] += r[j][t] * r[j][t]
            Q[t][j] = -r[j][t] * r[t][j]
    p = [1.0 / k] * k
    Qp = [0.0] * k
    eps = 0.005 / k
    for _ in range(max(100, k)):
        pQp = 0.0
        for t in range(k):
            total = 0.0
            for j in range(k):
                total += Q[t][j] * p[j]
            Qp[t] = total
            pQp += p[t] * total
        if max(abs(q - pQp) for q in Qp) < eps:
            break
        for t in range(k):
            Qt = Q[t]
            diff = (-Qp[t] + pQp) / Qt[t]
            p[t] += diff
            pQp = (pQp + diff * (diff * Qt[t] + 2.0 * Qp[t])) / (1.0 + diff) / (1.0 + diff)
            scale = 1.0 + diff
            Qp = [(q + diff * qt) / scale for q, qt in zip(Qp, Qt)]
            p = [x / scale for x in p]
    return p


def pairwise_probabilities(
    labels: Sequence[int],
    n_classes: int,
    folds: Sequence[Sequence[int]],
    fold_classes: Sequence[Sequence[int]],
    decisions: Sequence[Sequence[float]],
) -> list[list[float]]:
    """Out-of-sample class probabilities; see :func:`iter_pairwise_probabilities`."""
    return drain(iter_pairwise_probabilities(labels, n_classes, folds, fold_classes, decisions))


def iter_pairwise_probabilities(
    labels: Sequence[int],
    n_classes: int,
    folds: Sequence[Sequence[int]],
    fold_classes: Sequence[Sequence[int]],
    decisions: Sequence[Sequence[float]],
    due: Due | None = None,
) -> Steps[float, list[list[float]]]:
    """Calibrate pooled out-of-fold pairwise decision values and couple them (a generator).

    Inputs (N items, K = ``n_classes``, F folds):

    - ``labels``: N given labels in ``0..K-1``;
    - ``folds``: F lists of item indices, the held-out items of each fold
      (a partition of ``0..N-1``);
    - ``fold_classes``: F sorted lists, the classes in each fold's training
      set (the classes its SVMs know);
    - ``decisions``: N lists; ``decisions[i]`` has one decision value per pair
      of ``class_pairs(fold_classes[f])`` for the fold f holding item i
      (empty if that fold's training set had one class).

    For each pair (a, b) that some fold has, :func:`sigmoid_train` is fitted
    on the values ``f_ab`` of the items labelled a or b whose fold has the
    pair, in item order, a = positive. Then item i of fold f gets
    :func:`couple` of its clipped pairwise probabilities over the classes of
    ``fold_classes[f]``, and probability 0 for the other classes (a fold's
    model cannot predict a class it never saw; with one class it predicts
    that class with probability 1).

    Returns N lists of K floats (the generator's return value). When ``due()``
    returns True it yields its progress in [0, 1] (sigmoids 20%, coupling 80%).
    """
    n = len(labels)
    fold_of = [0] * n
    for f, test in enumerate(folds):
        for i in test:
            fold_of[i] = f
    pair_index = [{pair: p for p, pair in enumerate(class_pairs(classes))} for classes in fold_classes]
    pairs = sorted(set().union(*pair_index))
    sigmoids = {}
    for q, (a, b) in enumerate(pairs):
        values, positive = [], []
        for i, label in enumerate(labels):
            if label == a or label == b:
                p = pair_index[fold_of[i]].get((a, b))
                if p is not None:
                    values.append(decisions[i][p])
                    positive.append(label == a)
        steps = iter_sigmoid_train(values, positive, due)
        sigmoids[(a, b)] = yield from scaled(steps, 0.2 * q / len(pairs), 0.2 / len(pairs))

    k_max = max(len(classes) for classes in fold_classes)
    check_every = max(1, COUPLING_CHECK // (k_max * k_max))
    probabilities = []
    for i in range(n):
        if due is not None and i % check_every == 0 and due():
            yield 0.2 + 0.8 * i / n
        classes = fold_classes[fold_of[i]]
        k = len(classes)
        r = [[0.0] * k for _ in range(k)]
        values = iter(decisions[i])
        for x in range(k):
            for y in range(x + 1, k):
                r[x][y] = pair_probability(next(values), *sigmoids[(classes[x], classes[y])])
                r[y][x] = 1.0 - r[x][y]
        row = [0.0] * n_classes
        for c, p in zip(classes, couple(r)):
            row[c] = p
        probabilities.append(row)
    return probabilities
