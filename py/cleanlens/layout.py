"""A 2-D map of feature vectors: principal component analysis in pure Python (no numpy).

The page draws the demo with its stored t-SNE layout; data brought by the user
(features CSV, JSON without ``xy``) gets the first two principal components of
its standardised features instead, computed here in steps so that a browser
stays responsive:

1. the features are standardised per column (mean 0, variance 1; constant
   columns are left at 0), as the engines do before training;
2. the D x D covariance matrix is computed from column products (D(D+1)/2 sums
   of N products, ``math.sumprod`` where Python has it);
3. its two leading eigenvectors come from subspace iteration (two vectors,
   orthonormalised by Gram-Schmidt after each product; at most
   :data:`MAX_ITERATIONS`, stopping when they move less than :data:`TOLERANCE`);
4. each item's position is its projection on them.

Everything is deterministic (fixed start vectors, each vector's sign chosen so
that its largest component is positive): the same data always gives the same
map. Cost: O(N D^2) for the covariance, O(D^2) per iteration.
"""

from __future__ import annotations

import math
from operator import mul

from cleanlens.svm import mean_and_std

MAX_ITERATIONS = 300
TOLERANCE = 1e-10
STEP_ROWS = 64
"""Work between two yields (each lets a browser paint and handle input): STEP_ROWS // 8 covariance columns, or
4 * STEP_ROWS projected rows."""

_sumprod = getattr(math, "sumprod", None) or (lambda a, b: sum(map(mul, a, b)))


class Layout:
    """The result: ``positions`` (N pairs), ``explained`` (the fraction of the total variance along each of the
    two components) and ``dimensions`` (D)."""

    def __init__(self, positions, explained, dimensions):
        self.positions, self.explained, self.dimensions = positions, explained, dimensions


def iter_pca(features, step_rows=STEP_ROWS):
    """PCA of ``features`` (N rows of D finite numbers, N >= 1) to two dimensions, as a generator that yields
    None between chunks of work and returns a :class:`Layout`. With D == 1 the second coordinate is 0."""
    n = len(features)
    d = len(features[0]) if n else 0
    if not n or not d:
        return Layout([(0.0, 0.0)] * n, (0.0, 0.0), d)
    columns = list(zip(*features))
    standard = []
    for col in columns:
        mean, std = mean_and_std(col)
        scale = 1 / std if std > 0 else 0.0
        standard.append([(v - mean) * scale for v in col])
    del columns
    yield None
    # the covariance from column products: D(D+1)/2 sums of N products each (C loops with math.sumprod)
    cov = [[0.0] * d for _ in range(d)]
    for a in range(d):
        col = standard[a]
        for b in range(a, d):
            cov[a][b] = cov[b][a] = _sumprod(col, standard[b]) / n
        if a % max(1, step_rows // 8) == 0:
            yield None
    rows = list(zip(*standard))
    del standard
    total = math.fsum(cov[a][a] for a in range(d)) or 1.0
    k = min(2, d)
    vectors = [[1.0 if j % (c + 2) == 0 else 0.5 / (1 + j) for j in range(d)] for c in range(k)]
    vectors = _orthonormal(vectors)
    for iteration in range(MAX_ITERATIONS):
        products = [[_sumprod(r, v) for r in cov] for v in vectors]
        new = _orthonormal(products)
        moved = max(1 - abs(_sumprod(a, b)) for a, b in zip(new, vectors))
        vectors = new
        if iteration % 20 == 19:
            yield None
        if moved < TOLERANCE:
            break
    vectors = [v if max(v, key=abs) > 0 else [-x for x in v] for v in vectors]
    explained = tuple(_sumprod(v, [_sumprod(r, v) for r in cov]) / total for v in vectors)
    positions = []
    for start in range(0, n, step_rows * 4):
        for row in rows[start : start + step_rows * 4]:
            xy = [_sumprod(row, v) for v in vectors]
            positions.append((xy[0], xy[1] if k > 1 else 0.0))
        yield None
    return Layout(positions, explained + ((0.0,) if k < 2 else ()), d)


def pca(features):
    """:func:`iter_pca` run to its end: a :class:`Layout`."""
    steps = iter_pca(features)
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


def _orthonormal(vectors):
    """Gram-Schmidt: the vectors made orthonormal in order (a vector that vanishes is replaced by a unit axis)."""
    out = []
    for v in vectors:
        w = list(v)
        for u in out:
            dot = _sumprod(w, u)
            w = [a - dot * b for a, b in zip(w, u)]
        norm = math.sqrt(_sumprod(w, w))
        if norm < 1e-300:
            w = [1.0 if j == len(out) else 0.0 for j in range(len(v))]
            for u in out:
                dot = _sumprod(w, u)
                w = [a - dot * b for a, b in zip(w, u)]
            norm = math.sqrt(_sumprod(w, w)) or 1.0
        out.append([a / norm for a in w])
    return out
