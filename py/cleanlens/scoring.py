"""Scores against known ground truth, and a sweep over the threshold percentiles.

An item is *truly wrong* if its true class differs from its given label or it
is truly out of distribution (truth ``-1``, :data:`cleanlens.dataset.OOD`).
An item is *flagged* if its category is ``label_issue`` or ``ood``. Then
``precision = |flagged & wrong| / |flagged|``, ``recall = |flagged & wrong| /
|wrong|`` and ``F1 = 2 P R / (P + R)`` (0 when P + R = 0). A ratio whose
denominator is 0 is undefined and reported as ``None`` (F1 too if P or R is).

Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .confident import DEFAULT_OOD_PERCENTILE

if TYPE_CHECKING:
    from .confident import ConfidentLearning

SWEEP_PERCENTILES = tuple(range(0, 101, 5))
"""The default grid: 0, 5, ..., 100 (the sliders' steps)."""


@dataclass
class Score:
    """Counts and ratios of flagged items vs truly wrong items (see the module docstring)."""

    flagged: int
    wrong: int
    true_positives: int
    precision: float | None
    recall: float | None
    f1: float | None


def truly_wrong(labels: Sequence[int], truth: Sequence[int]) -> list[int]:
    """Indices i with ``truth[i] == -1`` (OOD) or ``truth[i] != labels[i]``, ascending."""
    if len(labels) != len(truth):
        raise ValueError(f"{len(labels)} labels but {len(truth)} true labels")
    return [i for i, (g, t) in enumerate(zip(labels, truth)) if t == -1 or t != g]


def score_counts(flagged: int, wrong: int, true_positives: int) -> Score:
    """A :class:`Score` from the three counts."""
    precision = true_positives / flagged if flagged else None
    recall = true_positives / wrong if wrong else None
    if precision is None or recall is None:
        f1 = None
    elif precision + recall == 0.0:
        f1 = 0.0
    else:
        f1 = 2.0 * precision * recall / (precision + recall)
    return Score(flagged, wrong, true_positives, precision, recall, f1)


def score(flagged: Iterable[int], wrong: Iterable[int]) -> Score:
    """Score the ``flagged`` indices against the ``wrong`` indices (any iterables of ints)."""
    flagged, wrong = set(flagged), set(wrong)
    return score_counts(len(flagged), len(wrong), len(flagged & wrong))


@dataclass
class Sweep:
    """Scores over a grid of percentiles.

    ``class_percentiles``, ``ood_percentiles``: the grid axes.
    ``scores[a][b]``: the :class:`Score` of the percentile rule at
    ``class_percentiles[a]`` and ``ood_percentiles[b]``.
    ``cleanlab[b]``: the :class:`Score` of the cleanlab rule at
    ``ood_percentiles[b]`` (its label issues do not depend on a class
    percentile; the OOD percentile still decides which non-confident items are OOD).
    """

    class_percentiles: list[float]
    ood_percentiles: list[float]
    scores: list[list[Score]]
    cleanlab: list[Score]


def _mask(indices: Iterable[int]) -> int:
    bits = 0
    for i in indices:
        bits |= 1 << i
    return bits


def sweep(
    learning: ConfidentLearning,
    truth: Sequence[int],
    class_percentiles: Sequence[float] = SWEEP_PERCENTILES,
    ood_percentiles: Sequence[float] = SWEEP_PERCENTILES,
) -> Sweep:
    """Precision, recall and F1 for every (class percentile, OOD percentile) in the grid.

    ``learning``: a :class:`~cleanlens.confident.ConfidentLearning` (its given
    labels and probabilities); ``truth``: true class per item, ``-1`` for OOD.
    Items are sets of bits in Python ints: per class percentile the suggested
    items, per OOD percentile the items below every OOD threshold, so each
    cell costs a few big-integer operations. Returns a :class:`Sweep`.
    """
    labels, probabilities = learning.labels, learning.probabilities
    wrong = _mask(truly_wrong(labels, truth))
    n_wrong = wrong.bit_count()
    disagrees = _mask(i for i, (a, g) in enumerate(zip(learning.argmax, labels)) if a != g)

    suggested_masks = []
    for q in class_percentiles:
        c = learning.thresholds(q)
        suggested_masks.append(_mask(i for i, (a, p) in enumerate(zip(learning.argmax, learning.top)) if p >= c[a]))
    below_masks = []
    for q in ood_percentiles:
        o = learning.thresholds(q)
        below_masks.append(_mask(i for i, row in enumerate(probabilities) if all(p < t for p, t in zip(row, o))))

    def cell(suggested, issues, below):
        flagged = issues | (below & ~suggested)
        return score_counts(flagged.bit_count(), n_wrong, (flagged & wrong).bit_count())

    scores = [[cell(s, s & disagrees, b) for b in below_masks] for s in suggested_masks]
    cl = learning.categorize(rule="cleanlab", ood_percentile=DEFAULT_OOD_PERCENTILE)
    cl_suggested = _mask(i for i, s in enumerate(cl.suggested) if s is not None)
    cl_issues = _mask(cl.label_issues)
    cleanlab = [cell(cl_suggested, cl_issues, b) for b in below_masks]
    return Sweep(list(class_percentiles), list(ood_percentiles), scores, cleanlab)
