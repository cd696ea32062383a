"""Engine settings that fit the data: scikit-learn's ``gamma='scale'`` and a small search for C and gamma (pure).

- :func:`scale_gamma`: scikit-learn's ``gamma="scale"``, ``1 / (D * var(Z))`` of the standardised features Z
  (N x D, the variance over all N * D values, as ``numpy.var``). Each standardised column has variance 1
  except a constant one (0), so it is ``1 / (number of non-constant columns)``. The page uses it for features
  other than the demo's, which keeps its measured ``gamma = 0.003`` (:data:`cleanlens.crossval.DEFAULT_GAMMA`;
  docs/engine.md).
- :func:`iter_tune` ("Tune"): cross-validates once per cell of a small grid (:data:`GRID`: C in
  :data:`C_VALUES` x gamma in ``scale_gamma * GAMMA_FACTORS``) with the page's engine, folds and seed, and
  picks the cell with the lowest out-of-fold log loss against the given labels (``mean(-log(max(p_i[g_i],
  1e-15)))``; ties: the first cell in grid order). Time-sliced: a step generator of :class:`TuneProgress`
  (one per pause of the cross-validation in progress), cancelled by the ``cancelled`` convention of
  :mod:`cleanlens.steps`.

Why log loss on the given labels: it is what the data can say without a truth column, and it scores the
probabilities themselves (confident learning works on them), not only their argmax. Measured on wine and
breast_cancer with 5% of the labels flipped (``python3 build.py bench fixing``; docs/engine.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .crossval import (
    DEFAULT_FOLDS,
    DEFAULT_SEED,
    DEFAULT_SLICE_SECONDS,
    CrossValError,
    CVResult,
    iter_out_of_sample_probabilities,
)
from .steps import Due, Steps, cancellable, drain, relay

C_VALUES = (0.3, 1.0, 3.0, 10.0)
"""The C values of the grid."""
GAMMA_FACTORS = (0.25, 1.0, 4.0)
"""The grid's gamma values, as multiples of :func:`scale_gamma`."""
LOG_LOSS_FLOOR = 1e-15
"""Probabilities are clipped below at this in the log loss, so that a 0 costs ~34.5, not infinity."""


def iter_scale_gamma(features: Sequence[Sequence[float]], due: Due | None = None) -> Steps[None, float]:
    """:func:`scale_gamma` as a step generator: yields ``None`` between columns when ``due()`` says so."""
    if not len(features) or not len(features[0]):
        raise CrossValError("no features to compute gamma from")
    varying = 0
    for c in range(len(features[0])):
        first = features[0][c]
        if any(row[c] != first for row in features):
            varying += 1
        if due is not None and due():
            yield None
    return 1.0 / max(1, varying)


def scale_gamma(features: Sequence[Sequence[float]]) -> float:
    """scikit-learn's ``gamma="scale"`` on the standardised ``features`` (N rows of D floats): ``1 / (D *
    var(Z))`` = 1 / (number of columns that are not constant); 1.0 if every column is constant.

    >>> scale_gamma([[0.0, 5.0, 1.0], [1.0, 5.0, 3.0], [2.0, 5.0, 2.0]])
    0.5
    """
    return drain(iter_scale_gamma(features))


def grid(gamma_scale: float) -> list[tuple[float, float]]:
    """The search grid: ``(C, gamma)`` for C in :data:`C_VALUES`, gamma in ``gamma_scale * GAMMA_FACTORS``."""
    return [(c, gamma_scale * f) for c in C_VALUES for f in GAMMA_FACTORS]


def log_loss(labels: Sequence[int], probabilities: Sequence[Sequence[float]]) -> float:
    """Mean of ``-log(max(p_i[g_i], 1e-15))``: the probabilities' log loss against the given labels."""
    return sum(-math.log(max(row[g], LOG_LOSS_FLOOR)) for g, row in zip(labels, probabilities)) / len(labels)


@dataclass(frozen=True)
class TuneProgress:
    """One pause of :func:`iter_tune`: ``cell`` of ``n_cells`` being cross-validated (0-based), its ``C`` and
    ``gamma``, ``fraction`` of the whole search done (0..1), and the best ``(C, gamma, log loss)`` so far (or
    None)."""

    cell: int
    n_cells: int
    C: float
    gamma: float
    fraction: float
    best: tuple[float, float, float] | None


@dataclass(frozen=True)
class TuneResult:
    """The search's answer: the chosen ``C`` and ``gamma``, every cell's ``(C, gamma, log loss)`` in grid
    order, and the chosen cell's :class:`~cleanlens.crossval.CVResult` (its probabilities can be shown at
    once, without training again)."""

    C: float
    gamma: float
    log_loss: float
    scores: list[tuple[float, float, float]]
    result: CVResult


def iter_tune(
    features: Sequence[Sequence[float]],
    labels: Sequence[int],
    n_classes: int,
    cells: Sequence[tuple[float, float]] | None = None,
    *,
    engine: str = "auto",
    n_folds: int = DEFAULT_FOLDS,
    seed: int = DEFAULT_SEED,
    slice_seconds: float | None = DEFAULT_SLICE_SECONDS,
    cancelled: Callable[[], bool] | None = None,
) -> Steps[TuneProgress, TuneResult]:
    """Choose C and gamma by out-of-fold log loss (see the module docstring): a step generator of
    :class:`TuneProgress`, returning a :class:`TuneResult`.

    ``features``, ``labels``, ``n_classes``, ``engine``, ``n_folds``, ``seed``, ``slice_seconds``: as
    :func:`cleanlens.crossval.iter_out_of_sample_probabilities` (every cell uses the same folds); ``cells``:
    the ``(C, gamma)`` pairs to try (default :func:`grid` of :func:`scale_gamma`); ``cancelled()``: asked at
    every pause, stops the search with :class:`cleanlens.steps.Cancelled` when True.
    """
    if cells is None:
        gamma_scale = yield from relay(iter_scale_gamma(features, None), lambda _: None)
        cells = grid(gamma_scale)
    cells = [(float(c), float(g)) for c, g in cells]
    if not cells:
        raise CrossValError("no (C, gamma) to try")
    steps = _iter_cells(features, labels, n_classes, cells, engine, n_folds, seed, slice_seconds)
    result = yield from (steps if cancelled is None else cancellable(steps, cancelled))
    return result


def _iter_cells(features, labels, n_classes, cells, engine, n_folds, seed, slice_seconds):
    scores, best, chosen = [], None, None
    for index, (c, gamma) in enumerate(cells):
        run = iter_out_of_sample_probabilities(
            features, labels, n_classes, engine=engine, C=c, gamma=gamma, n_folds=n_folds, seed=seed,
            slice_seconds=slice_seconds,
        )  # fmt: skip

        def progress(step, index=index, c=c, gamma=gamma, best=best):
            return TuneProgress(index, len(cells), c, gamma, (index + step.fraction) / len(cells), best)

        result = yield from relay(run, progress)
        loss = log_loss(labels, result.probabilities)
        scores.append((c, gamma, loss))
        if best is None or loss < best[2]:
            best, chosen = (c, gamma, loss), result
    return TuneResult(best[0], best[1], best[2], scores, chosen)


def tune(
    features: Sequence[Sequence[float]],
    labels: Sequence[int],
    n_classes: int,
    cells: Sequence[tuple[float, float]] | None = None,
    **options: Any,
) -> TuneResult:
    """:func:`iter_tune` run to its end (same arguments)."""
    return drain(iter_tune(features, labels, n_classes, cells, **options))
