"""A 2-D map of feature vectors: principal component analysis in pure Python (no numpy).

The page draws the demo with its stored t-SNE layout; data brought by the user
(features CSV, JSON without ``xy``) gets the first two principal components of
its standardised features instead, computed here in steps so that a browser
stays responsive:

1. the features are standardised per column (mean 0, variance 1; constant
   columns are left at 0), as the engines do before training;
2. the D x D covariance matrix is computed from column products (D(D+1)/2 sums
   of N products, ``math.sumprod`` where Python has it); with fewer items than
   features, the N x N Gram matrix instead (see :func:`iter_pca`);
3. its two leading eigenvectors come from subspace iteration (two vectors,
   orthonormalised by Gram-Schmidt after each product; at most
   :data:`MAX_ITERATIONS`, stopping when they move less than :data:`TOLERANCE`);
4. each item's position is its projection on them.

Everything is deterministic (fixed start vectors, each vector's sign chosen so
that its largest component is positive): the same data always gives the same
map. Cost: O(N D min(N, D)) for the matrix, O(min(N, D)^2) per iteration; memory O(N D + min(N, D)^2).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from operator import mul

from cleanlens.steps import Steps, drain
from cleanlens.svm import mean_and_std

MAX_ITERATIONS = 300
TOLERANCE = 1e-10
WORK_PER_STEP = 100_000
"""Multiply-adds between two yields (each lets a browser paint and handle input). Measured 2026-11-28 in
Pyodide 314 under Node: longest step 25 ms for 2,000 x 128 features (1.8 s in all), 21 ms for 25 x 10,000
(0.7 s); 86 and 114 ms before the steps counted work."""

_sumprod = getattr(math, "sumprod", None) or (lambda a, b: sum(map(mul, a, b)))


class Layout:
    """The result: ``positions`` (N pairs), ``explained`` (the fraction of the total variance along each of the
    two components) and ``dimensions`` (D)."""

    def __init__(self, positions: list[tuple[float, float]], explained: tuple[float, float], dimensions: int):
        self.positions, self.explained, self.dimensions = positions, explained, dimensions


def iter_pca(features: Sequence[Sequence[float]], work_per_step: int = WORK_PER_STEP) -> Steps[None, Layout]:
    """PCA of ``features`` (N rows of D finite numbers, N >= 1) to two dimensions, as a generator that yields
    None after about ``work_per_step`` multiply-adds and returns a :class:`Layout`. With D == 1 (or N == 1)
    the second coordinate is 0.

    With fewer items than features the N x N Gram matrix ``Z Z^T / N`` of the standardised features Z
    takes the covariance's place: it has the same nonzero eigenvalues, its eigenvectors u give the
    positions ``sqrt(N * lambda) * u`` and the loadings ``Z^T u / sqrt(N * lambda)``. Memory is
    min(N, D)^2 entries either way.
    """
    n = len(features)
    d = len(features[0]) if n else 0
    if not n or not d:
        return Layout([(0.0, 0.0)] * n, (0.0, 0.0), d)
    standard = []  # D columns of N standardised values
    work = 0
    for col in zip(*features):
        mean, std = mean_and_std(col)
        scale = 1 / std if std > 0 else 0.0
        standard.append([(v - mean) * scale for v in col])
        work += 4 * n + 50  # (three passes over the column, and a call's overhead)
        if work >= work_per_step:
            work = 0
            yield None
    yield None
    gram = d > n
    vectors_of = [list(row) for row in zip(*standard)] if gram else standard  # m vectors of one length
    m, length = len(vectors_of), len(vectors_of[0])
    matrix = [[0.0] * m for _ in range(m)]
    for a in range(m):
        va = vectors_of[a]
        for b in range(a, m):
            matrix[a][b] = matrix[b][a] = _sumprod(va, vectors_of[b]) / n
            work += length
            if work >= work_per_step:
                work = 0
                yield None
    del vectors_of
    total = math.fsum(matrix[a][a] for a in range(m)) or 1.0
    k = min(2, m)
    vectors = _orthonormal([[1.0 if j % (c + 2) == 0 else 0.5 / (1 + j) for j in range(m)] for c in range(k)])
    for _ in range(MAX_ITERATIONS):
        new = _orthonormal([[_sumprod(r, v) for r in matrix] for v in vectors])
        moved = max(1 - abs(_sumprod(a, b)) for a, b in zip(new, vectors))
        vectors = new
        work += k * m * m
        if work >= work_per_step:
            work = 0
            yield None
        if moved < TOLERANCE:
            break
    values = [_sumprod(v, [_sumprod(r, v) for r in matrix]) for v in vectors]
    explained = tuple(value / total for value in values)
    del matrix
    if gram:
        # positions sqrt(N lambda) u; the sign of each component set by its loadings Z^T u (largest positive)
        components = []
        chunk = max(1, work_per_step // n)  # columns of N products per step
        for u, value in zip(vectors, values):
            loadings = []
            for start in range(0, d, chunk):
                loadings += [_sumprod(col, u) for col in standard[start : start + chunk]]
                yield None
            sign = 1.0 if max(loadings, key=abs) >= 0 else -1.0
            components.append([sign * math.sqrt(max(value, 0.0) * n) * x for x in u])
        second = components[1] if k > 1 else [0.0] * n
        positions = list(zip(components[0], second))
        return Layout(positions, explained + ((0.0,) if k < 2 else ()), d)
    vectors = [v if max(v, key=abs) > 0 else [-x for x in v] for v in vectors]
    rows = list(zip(*standard))
    del standard
    positions = []
    for row in rows:
        xy = [_sumprod(row, v) for v in vectors]
        positions.append((xy[0], xy[1] if k > 1 else 0.0))
        work += k * d
        if work >= work_per_step:
            work = 0
            yield None
    return Layout(positions, explained + ((0.0,) if k < 2 else ()), d)


def pca(features: Sequence[Sequence[float]]) -> Layout:
    """:func:`iter_pca` run to its end: a :class:`Layout`."""
    return drain(iter_pca(features))


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
