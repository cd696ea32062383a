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

- :func:`iter_standardize` (:func:`standardize`): z-scores per feature (population std; a constant feature
  keeps scale 1), as scikit-learn's ``StandardScaler``.
- :func:`rbf_kernel` (:func:`rbf_kernel_rows`): the N x N matrix ``K[i][j] = exp(-gamma * |x_i - x_j|^2)``,
  computed once (upper triangle, mirrored) and stored as rows of ``array('d')``;
  every fold and every class pair reuses it by indexing.
- :func:`iter_train_binary` (:func:`train_binary`): C-SVC dual solved by SMO
  with libsvm's second-order working-set selection (WSS2, Fan, Chen & Lin
  2005), stopping tolerance 1e-3, no shrinking. Returns a :class:`BinarySVC`.
- :func:`iter_one_vs_one` (:func:`one_vs_one`): libsvm's one-vs-one scheme,
  one :class:`BinarySVC` per pair of classes present in the training items
  (pairs in :func:`class_pairs` order), and every test item's pairwise
  decision values: what ``SVC(decision_function_shape="ovo")`` gives.

The probability model on top of the pairwise decision values (Platt sigmoids
and pairwise coupling) is in :mod:`cleanlens.pairwise`.

Long computations are generators, so a browser can pause them: ``iter_*``
functions take ``due``, a callable returning True when the caller wants
control back; they call it every so often (about every millisecond of work,
:data:`CHECK_WORK`) and then yield their progress, a float in [0, 1]. Their
result is the generator's return value (the ``value`` of its
``StopIteration``); :func:`cleanlens.steps.drain` runs one to its end. Without ``due`` they
never yield. Pausing changes nothing in the arithmetic: the results are
bit-identical to an uninterrupted run.

Conventions follow libsvm: for a class pair (a, b) with a < b the items of class
a are +1 and come first, those of class b are -1, each in index order; the
decision value ``f(x) = sum_s coef_s K(x, x_s) - rho`` is positive for class a.
(scikit-learn's binary ``decision_function`` is ``-f``: positive means class b.)
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter, mul

from .steps import Due, Steps, drain, scaled

Rows = Sequence[Sequence[float]]
"""N rows of D floats (features), or the kernel's N rows of N."""

TAU = 1e-12
"""libsvm's floor for a non-positive curvature in the SMO step."""

CHECK_WORK = 4096
"""Elementary steps (about one item visited by an inner loop) between two calls of ``due()``.

An SMO iteration over a pair of n items visits each of them about three
times, ~0.7 us per item-iteration in Pyodide (2026-11-28, AMD EPYC, 2 shared
cores; 0.2-0.3 us in CPython): the solver asks every ``max(1, CHECK_WORK // n)``
iterations, i.e. about every 1-3 ms of Pyodide time, whatever n. A call of
``due()`` costs ~0.4 us in Pyodide.
"""


def standardize(features: Rows) -> list[list[float]]:
    """Return ``features`` z-scored per column; see :func:`iter_standardize`."""
    return drain(iter_standardize(features))


def mean_and_std(column: Sequence[float]) -> tuple[float, float]:
    """Mean and population std (divide by N) of ``column``, N >= 1 finite floats.

    Values near the largest float (squares above about 1e308) are scaled by the column's largest
    magnitude first, so that nothing overflows; other columns are computed directly, bit for bit as
    before.
    """
    n = len(column)
    try:
        mean = math.fsum(column) / n
        return mean, math.sqrt(math.fsum((x - mean) ** 2 for x in column) / n)
    except OverflowError:
        big = max(map(abs, column))
        scaled = [x / big for x in column]
        mean = math.fsum(scaled) / n
        return mean * big, math.sqrt(math.fsum((x - mean) ** 2 for x in scaled) / n) * big


def iter_standardize(features: Rows, due: Due | None = None) -> Steps[float, list[list[float]]]:
    """Z-score ``features`` per column: ``(x - mean) / std`` (a generator).

    ``features`` is a list of N >= 1 rows of D >= 1 floats. The std is the population std
    (divide by N); a column with std 0 is only centred (scale 1), as
    scikit-learn's ``StandardScaler``. Returns a new list of N lists (the
    generator's return value). Asks ``due()`` after each column's statistics
    and every ``CHECK_WORK // D`` rows, and then yields its progress.
    """
    n, dim = len(features), len(features[0])
    means, scales = [], []
    for c in range(dim):
        if due is not None and due():
            yield 0.5 * c / dim
        mean, std = mean_and_std([row[c] for row in features])
        means.append(mean)
        scales.append(std if std > 0.0 else 1.0)
    check_every = max(1, CHECK_WORK // dim)
    out = []
    for i, row in enumerate(features):
        if due is not None and i % check_every == 0 and due():
            yield 0.5 + 0.5 * i / n
        out.append([(x - m) / s for x, m, s in zip(row, means, scales)])
    return out


def rbf_kernel_rows(features: Rows, gamma: float) -> Iterator[array]:
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


def rbf_kernel(features: Rows, gamma: float) -> list[array]:
    """The RBF kernel matrix as a list of ``array('d')`` rows; see :func:`rbf_kernel_rows`."""
    return list(rbf_kernel_rows(features, gamma))


@dataclass
class BinarySVC:
    """A trained two-class SVM over rows of a precomputed kernel matrix.

    ``support``: indices (into the kernel matrix) of the support vectors;
    ``coef``: ``y_s * alpha_s`` for each of them; ``rho``: the offset.
    ``iterations``: SMO iterations used.
    """

    support: list[int]
    coef: list[float]
    rho: float
    iterations: int

    def __post_init__(self) -> None:
        self._pick = itemgetter(*self.support) if len(self.support) > 1 else None

    def value(self, kernel_row: Sequence[float]) -> float:
        """The decision value ``f(x) = sum_s coef_s K(x, x_s) - rho`` of the item whose kernel row this is."""
        if self._pick is not None:
            return sum(map(mul, self.coef, self._pick(kernel_row))) - self.rho
        if self.support:
            return self.coef[0] * kernel_row[self.support[0]] - self.rho
        return -self.rho

    def decision(self, kernel: Rows, items: Iterable[int]) -> list[float]:
        """Decision values ``f(x_i)`` for each index in ``items``."""
        return [self.value(kernel[i]) for i in items]


def train_binary(
    kernel: Rows,
    positive: Sequence[int],
    negative: Sequence[int],
    C: float,
    tol: float = 1e-3,
    max_iter: int | None = None,
) -> BinarySVC:
    """Train a C-SVC on a precomputed kernel and return a :class:`BinarySVC`; see :func:`iter_train_binary`."""
    return drain(iter_train_binary(kernel, positive, negative, C, tol, max_iter))


def iter_train_binary(
    kernel: Rows,
    positive: Sequence[int],
    negative: Sequence[int],
    C: float,
    tol: float = 1e-3,
    max_iter: int | None = None,
    due: Due | None = None,
) -> Steps[float, BinarySVC]:
    """Train a C-SVC on a precomputed kernel; libsvm's solver without shrinking (a generator).

    ``kernel``: full kernel matrix rows (see :func:`rbf_kernel`); ``positive``,
    ``negative``: item indices of the +1 and -1 class (libsvm order: positives
    first). Solves ``min 1/2 a'Qa - e'a`` subject to ``0 <= a <= C``, ``y'a = 0``
    with ``Q_ij = y_i y_j K_ij`` (``K_ij`` rounded to single precision, as in
    libsvm's kernel cache), by SMO with second-order working-set selection
    and the stopping rule ``m(a) - M(a) < tol``. ``max_iter`` defaults to
    libsvm's ``max(10_000_000, 100 n)``. Returns a :class:`BinarySVC` (the
    generator's return value). ``due()`` is asked every
    ``max(1, CHECK_WORK // n)`` iterations; when it returns True the solver
    yields 0.0 (its share of the work done is not known in advance).

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
    check_every = max(1, CHECK_WORK // n)
    while iterations < max_iter:
        if due is not None and iterations % check_every == 0 and due():
            yield 0.0
        # i: maximal v over I_up; on ties libsvm keeps the last index.
        gmax, i = -inf, -1
        for t in items:
            if up[t] and v[t] >= gmax:
                gmax, i = v[t], t
        if i < 0:
            break
        ki = row(i)
        vmin, j = _select_j(items, low, v, gmax, diag[i], diag, ki)
        if gmax - vmin < tol or j < 0:
            break
        iterations += 1
        kj = row(j)
        yi, yj = y[i], y[j]
        ai, aj = alpha[i], alpha[j]
        ni, nj = _pair_step(yi, yj, ai, aj, v[i], v[j], diag[i] + diag[j], ki[j], C)
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
    if due is not None:
        yield from _release(sub_rows, check_every, due)
    return BinarySVC(support=support, coef=coef, rho=rho, iterations=iterations)


def _select_j(items, low, v, gmax, dii, diag, ki):
    """libsvm's second-order choice of j for the chosen i: ``(vmin, j)``.

    Over I_low (``low[t]``) with ``v_j < gmax``, the j of minimal ``-(gmax - v_j)^2 / curvature`` (the last
    on ties), or -1; ``vmin``: the smallest ``v_t`` over I_low (for the stopping rule). ``dii``, ``ki``:
    i's kernel diagonal entry and kernel row (single precision).
    """
    inf = math.inf
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
    return vmin, j


def _pair_step(yi, yj, ai, aj, vi, vj, dii_djj, kij, C):
    """One SMO step on the pair (i, j): the new ``(alpha_i, alpha_j)``, clipped to the box [0, C]^2.

    libsvm's update (``Solver::Solve``): ``vi``, ``vj`` as in :func:`iter_train_binary` (``G_t = -y_t v_t``);
    ``dii_djj``: ``K_ii + K_jj``; ``kij``: ``K_ij`` (single precision).
    """
    Gi, Gj = -yi * vi, -yj * vj
    if yi != yj:
        quad = dii_djj + 2.0 * yi * yj * kij
        delta = (-Gi - Gj) / (quad if quad > 0.0 else TAU)
        return _clip_opposite(ai + delta, aj + delta, ai - aj, C)
    quad = dii_djj - 2.0 * kij
    delta = (Gi - Gj) / (quad if quad > 0.0 else TAU)
    return _clip_same(ai - delta, aj + delta, ai + aj, C)


def _clip_opposite(ni, nj, diff, C):
    """Labels of opposite signs: ``alpha_i - alpha_j = diff`` stays, both within [0, C]."""
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
    return ni, nj


def _clip_same(ni, nj, total, C):
    """Labels of the same sign: ``alpha_i + alpha_j = total`` stays, both within [0, C]."""
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
    return ni, nj


def _release(rows, check_every, due):
    """Drop cached kernel rows a few at a time, yielding 1.0 when ``due()``: freeing all of them at once
    (~600 lists of 1,067 floats for N = 2,000) took 18-28 ms in Pyodide."""
    for count, t in enumerate(list(rows)):
        del rows[t]
        if count % check_every == 0 and due():
            yield 1.0


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


OneVsOne = tuple[list[int], dict[tuple[int, int], BinarySVC], list[list[float]]]
"""What :func:`iter_one_vs_one` returns: ``(classes, models, decisions)``."""


def class_pairs(classes: Iterable[int]) -> list[tuple[int, int]]:
    """The one-vs-one pairs ``(a, b)``, a < b, in libsvm's order: (0,1), (0,2), ..., (1,2), ..."""
    classes = sorted(classes)
    return [(a, b) for i, a in enumerate(classes) for b in classes[i + 1 :]]


def one_vs_one(
    kernel: Rows, labels: Sequence[int], train: Sequence[int], test: Sequence[int], C: float, tol: float = 1e-3
) -> OneVsOne:
    """Train the pairwise SVMs on ``train`` and decide ``test``; see :func:`iter_one_vs_one`."""
    return drain(iter_one_vs_one(kernel, labels, train, test, C, tol))


def iter_one_vs_one(
    kernel: Rows,
    labels: Sequence[int],
    train: Sequence[int],
    test: Sequence[int],
    C: float,
    tol: float = 1e-3,
    due: Due | None = None,
) -> Steps[float, OneVsOne]:
    """libsvm's one-vs-one classifier: train one SVM per class pair, then decide the test items (a generator).

    ``kernel``: the full kernel matrix rows; ``labels``: the label of every
    item (indexed like the kernel); ``train``, ``test``: item indices. For
    each pair ``(a, b)`` of :func:`class_pairs` over the classes present in
    ``train``, a :class:`BinarySVC` is trained on the training items of class
    a (+1) and b (-1), each in the order of ``train``, as libsvm does.

    Returns ``(classes, models, decisions)`` (the generator's return value):
    the sorted classes present in ``train``; ``{(a, b): BinarySVC}``; and for
    each test item the list of its decision values, one per pair in
    :func:`class_pairs` order (positive means class a). This is
    ``SVC(decision_function_shape="ovo").decision_function`` for three or more
    classes; for two classes it is one value, minus scikit-learn's binary
    ``decision_function``. With one class present there are no models and
    every test item gets an empty list. When ``due()`` returns True it yields
    its progress: the share of pairs trained (95%), then of test items decided.
    """
    by_class = {}
    for t in train:
        by_class.setdefault(labels[t], []).append(t)
    classes = sorted(by_class)
    pairs = class_pairs(classes)
    models = {}
    for p, (a, b) in enumerate(pairs):
        steps = iter_train_binary(kernel, by_class[a], by_class[b], C, tol, due=due)
        models[(a, b)] = yield from scaled(steps, 0.95 * p / len(pairs), 0.95 / len(pairs))
    ordered = [models[pair] for pair in pairs]
    check_every = max(1, CHECK_WORK // max(1, sum(len(m.support) for m in ordered)))
    decisions = []
    for r, i in enumerate(test):
        if due is not None and r % check_every == 0 and due():
            yield 0.95 + 0.05 * r / len(test)
        row = kernel[i]
        decisions.append([m.value(row) for m in ordered])
    return classes, models, decisions
