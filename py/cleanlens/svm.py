"""A small RBF support vector classifier in pure Python (standard library only).

It reproduces what scikit-learn's ``SVC(kernel="rbf")`` computes (scikit-learn
wraps libsvm) step by step: the same working-set choices and updates, with the
kernel values the solver reads rounded to single precision as in libsvm's
kernel cache (``Qfloat``), so it takes the same iterations and finds the same
support vectors as ``SVC(shrinking=False)``: decision values agree to ~1e-12.
scikit-learn's default ``shrinking=True`` occasionally takes a different path
to a solution within the same tolerance; decision values then differ by up to
~1e-3 (the stopping tolerance). The built-in engine in :mod:`cleanlens.crossval`
and the scikit-learn engine thus fit the same model. Everything here runs in
the browser (Pyodide) without numpy.

Pieces, each a plain function:

- :func:`standardize`: z-scores per feature (population std; a constant feature
  keeps scale 1), as scikit-learn's ``StandardScaler``.
- :func:`rbf_kernel` (:func:`rbf_kernel_rows`): the N x N matrix ``K[i][j] = exp(-gamma * |x_i - x_j|^2)``,
  computed once (upper triangle, mirrored) and stored as rows of ``array('d')``;
  every fold and every class pair reuses it by indexing.
- :func:`train_binary`: C-SVC dual solved by SMO with libsvm's second-order
  working-set selection (WSS2, Fan, Chen & Lin 2005), stopping tolerance 1e-3,
  no shrinking. Returns a :class:`BinarySVC`.
- :func:`train_one_vs_one`, :func:`ovr_decision_function`: libsvm's one-vs-one
  scheme and scikit-learn's ``decision_function_shape="ovr"`` aggregation
  (votes plus a squashed sum of pairwise confidences).
- :func:`sigmoid_train`, :func:`sigmoid_predict`: Platt scaling by libsvm's
  Newton method with Platt's prior-corrected targets; it minimises the same
  objective as scikit-learn's ``_sigmoid_calibration`` (which uses L-BFGS).

Conventions follow libsvm: for a class pair (a, b) with a < b the items of class
a are +1 and come first, those of class b are -1, each in index order; the
decision value ``f(x) = sum_s coef_s K(x, x_s) - rho`` is positive for class a.
(scikit-learn's binary ``decision_function`` is ``-f``: positive means class b.)
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass
from operator import itemgetter, mul

TAU = 1e-12
"""libsvm's floor for a non-positive curvature in the SMO step."""


def standardize(features):
    """Return ``features`` z-scored per column: ``(x - mean) / std``.

    ``features`` is a list of N rows of D floats. The std is the population std
    (divide by N); a column with std 0 is only centred (scale 1), as
    scikit-learn's ``StandardScaler``. Returns a new list of lists.
    """
    n = len(features)
    columns = list(zip(*features))
    means = [math.fsum(col) / n for col in columns]
    scales = []
    for col, mean in zip(columns, means):
        std = math.sqrt(math.fsum((x - mean) ** 2 for x in col) / n)
        scales.append(std if std > 0.0 else 1.0)
    return [[(x - m) / s for x, m, s in zip(row, means, scales)] for row in features]


def rbf_kernel_rows(features, gamma):
    """Yield the rows of the RBF kernel matrix ``K[i][j] = exp(-gamma * |x_i - x_j|^2)``.

    ``features``: N rows of D floats. Yields N ``array('d')`` rows of the full
    symmetric matrix (diagonal exactly 1.0), one at a time so a caller can
    report progress or pause between rows. Each pair is computed once: row i
    copies its first i entries from the rows before it.
    """
    if not gamma > 0.0:
        raise ValueError(f"gamma must be positive, got {gamma!r}")
    points = [tuple(row) for row in features]
    neg_gamma = -gamma
    exp, dist = math.exp, math.dist
    rows = []
    for i, xi in enumerate(points):
        row = array("d", [rows[j][i] for j in range(i)])
        row.append(1.0)
        row.extend([exp(neg_gamma * dist(xi, xj) ** 2) for xj in points[i + 1 :]])
        rows.append(row)
        yield row


def rbf_kernel(features, gamma):
    """The RBF kernel matrix as a list of ``array('d')`` rows; see :func:`rbf_kernel_rows`."""
    return list(rbf_kernel_rows(features, gamma))


@dataclass
class BinarySVC:
    """A trained two-class SVM over rows of a precomputed kernel matrix.

    ``support``: indices (into the kernel matrix) of the support vectors;
    ``coef``: ``y_s * alpha_s`` for each of them; ``rho``: the offset.
    ``iterations``: SMO iterations used.
    """

    support: list
    coef: list
    rho: float
    iterations: int

    def decision(self, kernel, items):
        """Decision values ``f(x_i) = sum_s coef_s K[i][s] - rho`` for each index in ``items``."""
        if not self.support:
            return [-self.rho] * len(items)
        pick = itemgetter(*self.support)
        coef, rho = self.coef, self.rho
        if len(self.support) == 1:
            c = coef[0]
            return [c * pick(kernel[i]) - rho for i in items]
        return [sum(map(mul, coef, pick(kernel[i]))) - rho for i in items]


def train_binary(kernel, positive, negative, C, tol=1e-3, max_iter=None):
    """Train a C-SVC on a precomputed kernel; libsvm's solver without shrinking.

    ``kernel``: full kernel matrix rows (see :func:`rbf_kernel`); ``positive``,
    ``negative``: item indices of the +1 and -1 class (libsvm order: positives
    first). Solves ``min 1/2 a'Qa - e'a`` subject to ``0 <= a <= C``, ``y'a = 0``
    with ``Q_ij = y_i y_j K_ij`` (``K_ij`` rounded to single precision, as in
    libsvm's kernel cache), by SMO with second-order working-set selection
    and the stopping rule ``m(a) - M(a) < tol``. ``max_iter`` defaults to
    libsvm's ``max(10_000_000, 100 n)``. Returns a :class:`BinarySVC`.

    In the code ``f_t = sum_s y_s a_s K_ts``, so the gradient is
    ``G_t = y_t f_t - 1``; the solver keeps ``v_t = -y_t G_t = y_t - f_t``.
    """
    if not (C > 0.0):
        raise ValueError(f"C must be positive, got {C!r}")
    index = list(positive) + list(negative)
    n = len(index)
    if not positive or not negative:
        raise ValueError("train_binary needs items of both classes")
    y = [1.0] * len(positive) + [-1.0] * len(negative)
    if max_iter is None:
        max_iter = max(10_000_000, 100 * n)
    pick = itemgetter(*index)
    sub_rows = {}

    def row(t):
        r = sub_rows.get(t)
        if r is None:
            # Single precision, as libsvm's kernel cache: same rounding, same path.
            r = sub_rows[t] = array("f", pick(kernel[index[t]])).tolist()
        return r

    diag = [kernel[t][t] for t in index]
    alpha = [0.0] * n
    v = list(y)  # v_t = y_t - f_t; all alphas start at 0, so f = 0
    # Membership of I_up (alpha_t can move towards y_t) and I_low, kept in sync with alpha.
    up = [yt > 0 for yt in y]
    low = [yt < 0 for yt in y]
    inf = math.inf
    items = range(n)
    iterations = 0
    while iterations < max_iter:
        # i: maximal v over I_up; on ties libsvm keeps the last index.
        gmax, i = -inf, -1
        for t in items:
            if up[t] and v[t] >= gmax:
                gmax, i = v[t], t
        if i < 0:
            break
        # j: over I_low with v_j < gmax, minimal -(gmax - v_j)^2 / curvature (last on ties).
        ki = row(i)
        dii = diag[i]
        vmin, j, best = inf, -1, inf
        for t in items:
            if low[t]:
                vt = v[t]
                if vt < vmin:
                    vmin = vt
                gd = gmax - vt
                if gd > 0.0:
                    quad = dii + diag[t] - 2.0 * ki[t]
                    obj = -(gd * gd) / (quad if quad > 0.0 else TAU)
                    if obj <= best:
                        best, j = obj, t
        if gmax - vmin < tol or j < 0:
            break
        iterations += 1
        kj = row(j)
        yi, yj = y[i], y[j]
        ai, aj = alpha[i], alpha[j]
        Gi, Gj = -yi * v[i], -yj * v[j]
        if yi != yj:
            quad = diag[i] + diag[j] + 2.0 * yi * yj * ki[j]
            delta = (-Gi - Gj) / (quad if quad > 0.0 else TAU)
            diff = ai - aj
            ni, nj = ai + delta, aj + delta
            if diff > 0.0:
                if nj < 0.0:
                    nj, ni = 0.0, diff
            elif ni < 0.0:
                ni, nj = 0.0, -diff
            if diff > 0.0:
                if ni > C:
                    ni, nj = C, C - diff
            elif nj > C:
                nj, ni = C, C + diff
        else:
            quad = diag[i] + diag[j] - 2.0 * ki[j]
            delta = (Gi - Gj) / (quad if quad > 0.0 else TAU)
            total = ai + aj
            ni, nj = ai - delta, aj + delta
            if total > C:
                if ni > C:
                    ni, nj = C, total - C
            elif nj < 0.0:
                nj, ni = 0.0, total
            if total > C:
                if nj > C:
                    nj, ni = C, total - C
            elif ni < 0.0:
                ni, nj = 0.0, total
        alpha[i], alpha[j] = ni, nj
        ci, cj = yi * (ni - ai), yj * (nj - aj)
        v = [vt - (ci * a + cj * b) for vt, a, b in zip(v, ki, kj)]  # libsvm's rounding: G += (Q_i da_i + Q_j da_j)
        for t in (i, j):
            a = alpha[t]
            at_upper, at_lower = a >= C, a <= 0.0
            up[t] = (not at_upper) if y[t] > 0 else (not at_lower)
            low[t] = (not at_lower) if y[t] > 0 else (not at_upper)

    rho = _rho(alpha, y, v, C)
    support = [index[t] for t in range(n) if alpha[t] > 0.0]
    coef = [y[t] * alpha[t] for t in range(n) if alpha[t] > 0.0]
    return BinarySVC(support=support, coef=coef, rho=rho, iterations=iterations)


def _rho(alpha, y, v, C):
    """libsvm's ``calculate_rho``: mean of ``y_t G_t = -v_t`` over free alphas, else the midpoint of the bounds."""
    upper, lower = math.inf, -math.inf
    free = []
    for a, yt, vt in zip(alpha, y, v):
        yG = -vt
        if a >= C:
            if yt < 0:
                upper = min(upper, yG)
            else:
                lower = max(lower, yG)
        elif a <= 0.0:
            if yt > 0:
                upper = min(upper, yG)
            else:
                lower = max(lower, yG)
        else:
            free.append(yG)
    if free:
        total = 0.0
        for x in free:  # sequential, as libsvm (sum() is compensated from Python 3.12)
            total += x
        return total / len(free)
    return (upper + lower) / 2.0


def class_pairs(classes):
    """The one-vs-one pairs ``(a, b)``, a < b, in libsvm's order: (0,1), (0,2), ..., (1,2), ..."""
    classes = sorted(classes)
    return [(a, b) for i, a in enumerate(classes) for b in classes[i + 1 :]]


def train_one_vs_one(kernel, items, labels, C, tol=1e-3, cancel=None):
    """One :class:`BinarySVC` per pair of classes present among ``items``.

    ``items``: indices into the kernel used for training; ``labels``: the label
    of every item (indexed like the kernel). Returns ``(classes, models)``:
    the sorted classes present and a dict ``{(a, b): BinarySVC}`` over
    :func:`class_pairs`. ``cancel()``, if given, is called before each pair.
    """
    by_class = {}
    for t in items:
        by_class.setdefault(labels[t], []).append(t)
    classes = sorted(by_class)
    models = {}
    for a, b in class_pairs(classes):
        if cancel is not None:
            cancel()
        models[(a, b)] = train_binary(kernel, by_class[a], by_class[b], C, tol)
    return classes, models


def ovr_decision_function(kernel, classes, models, items):
    """scikit-learn's one-vs-rest shaped ``SVC.decision_function`` for ``items``.

    For each item: ``votes[k] + s[k] / (3 (|s[k]| + 1))`` where for each pair
    (a, b) with decision value f, class a gets the vote if ``f >= 0`` else b, and
    ``s[a] += f``, ``s[b] -= f`` (``sklearn.utils.multiclass._ovr_decision_function``).
    Returns one list per item with one value per entry of ``classes``.
    With two classes it returns ``[[-f], ...]``: scikit-learn's binary
    decision function (positive means the second class).
    """
    if len(classes) == 2:
        return [[-v] for v in models[(classes[0], classes[1])].decision(kernel, items)]
    position = {c: k for k, c in enumerate(classes)}
    m = len(classes)
    votes = [[0.0] * m for _ in items]
    sums = [[0.0] * m for _ in items]
    for (a, b), model in models.items():
        pa, pb = position[a], position[b]
        for r, value in enumerate(model.decision(kernel, items)):
            sums[r][pa] += value
            sums[r][pb] -= value
            votes[r][pb if value < 0.0 else pa] += 1.0
    return [[v + s / (3.0 * (abs(s) + 1.0)) for v, s in zip(vr, sr)] for vr, sr in zip(votes, sums)]


def sigmoid_train(values, positive):
    """Platt's sigmoid ``P(y=1 | v) = 1 / (1 + exp(A v + B))``, libsvm's ``sigmoid_train``.

    ``values``: decision values; ``positive``: booleans (True = positive class).
    Targets are Platt's prior-corrected ``(N+ + 1)/(N+ + 2)`` and ``1/(N- + 2)``;
    Newton's method with backtracking (libsvm: at most 100 iterations, gradient
    tolerance 1e-5, Hessian ridge 1e-12, minimum step 1e-10). Returns ``(A, B)``.
    """
    prior1 = float(sum(1 for p in positive if p))
    prior0 = len(positive) - prior1
    hi, lo = (prior1 + 1.0) / (prior1 + 2.0), 1.0 / (prior0 + 2.0)
    targets = [hi if p else lo for p in positive]
    exp, log1p = math.exp, math.log1p

    def objective(A, B):
        total = 0.0
        for v, t in zip(values, targets):
            z = v * A + B
            total += t * z + log1p(exp(-z)) if z >= 0.0 else (t - 1.0) * z + log1p(exp(z))
        return total

    A, B = 0.0, math.log((prior0 + 1.0) / (prior1 + 1.0))
    fval = objective(A, B)
    for _ in range(100):
        h11 = h22 = 1e-12
        h21 = g1 = g2 = 0.0
        for v, t in zip(values, targets):
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
        if abs(g1) < 1e-5 and abs(g2) < 1e-5:
            break
        det = h11 * h22 - h21 * h21
        dA = -(h22 * g1 - h21 * g2) / det
        dB = -(-h21 * g1 + h11 * g2) / det
        gd = g1 * dA + g2 * dB
        step = 1.0
        while step >= 1e-10:
            nA, nB = A + step * dA, B + step * dB
            nf = objective(nA, nB)
            if nf < fval + 1e-4 * step * gd:
                A, B, fval = nA, nB, nf
                break
            step /= 2.0
        else:
            break  # line search failed: keep the last point, as libsvm does
    return A, B


def sigmoid_predict(value, A, B):
    """``1 / (1 + exp(A v + B))`` computed without overflow."""
    z = value * A + B
    if z >= 0.0:
        e = math.exp(-z)
        return e / (1.0 + e)
    return 1.0 / (1.0 + math.exp(z))
