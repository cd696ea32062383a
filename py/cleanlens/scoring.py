"""Scores against known ground truth, by kind, and a sweep over the threshold percentiles.

Scores by kind (:class:`KindScores`, :func:`score_by_kind`), each ``precision = |flagged & wrong| /
|flagged|``, ``recall = |flagged & wrong| / |wrong|`` and ``F1 = 2 P R / (P + R)`` (0 when P + R = 0; a ratio
whose denominator is 0 is undefined and reported as ``None``, F1 too if P or R is):

- **label issues**: flagged = the items in category ``label_issue``; wrong = the *label errors*, items whose
  true class is known, is not OOD and differs from the given label (:func:`label_errors`). An OOD item is
  neither: whatever label it gets, it is not a label error, so a label issue on it counts against precision,
  and an OOD category on a label error does not count for recall;
- **out of distribution**: flagged = the items in category ``ood``; wrong = the items whose truth is ``OOD``
  (truth ``-1``, :data:`cleanlens.dataset.OOD`; :func:`true_ood`). Scored only when the truth names some
  item OOD (else ``None``: without an OOD truth the OOD list is the items least like any class,
  :data:`OOD_WITHOUT_TRUTH`).

The aggregate (:func:`truly_wrong`, :func:`score`: flagged = label issues and OOD, wrong = label errors and
true OOD) stays for the command line's and the streamed reports' ``score``.

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
UNCONFIDENT_MEANING = (
    "Unconfident: no class is probable enough to pass its class threshold, yet the item is not below every "
    "OOD threshold either; the model cannot tell, so nothing is suggested."
)
"""One sentence for the page, next to the count of unconfident items."""
OOD_WITHOUT_TRUTH = (
    "Without an OOD truth, these are the items least like any class (below every class's OOD threshold), "
    "not items known to be out of distribution."
)
"""One sentence for the page's OOD list when the data's truth names no item OOD."""


@dataclass
class Score:
    """Counts and ratios of flagged items vs truly wrong items (see the module docstring)."""

    flagged: int
    wrong: int
    true_positives: int
    precision: float | None
    recall: float | None
    f1: float | None


@dataclass
class KindScores:
    """Scores by kind (see the module docstring): ``label_issues`` (a :class:`Score`), ``ood`` (a
    :class:`Score`, or None when the truth names no item OOD)."""

    label_issues: Score
    ood: Score | None


def label_errors(labels: Sequence[int], truth: Sequence[int]) -> list[int]:
    """Indices i with ``truth[i] != -1`` and ``truth[i] != labels[i]`` (label errors), ascending."""
    if len(labels) != len(truth):
        raise ValueError(f"{len(labels)} labels but {len(truth)} true labels")
    return [i for i, (g, t) in enumerate(zip(labels, truth)) if t != -1 and t != g]


def true_ood(truth: Sequence[int]) -> list[int]:
    """Indices i with ``truth[i] == -1`` (truly out of distribution), ascending."""
    return [i for i, t in enumerate(truth) if t == -1]


def score_by_kind(
    label_issues: Iterable[int], ood: Iterable[int], labels: Sequence[int], truth: Sequence[int]
) -> KindScores:
    """:class:`KindScores` of the items listed as ``label_issues`` and as ``ood`` (indices), for given
    ``labels`` and ``truth`` (N each; -1 = OOD)."""
    errors, outside = label_errors(labels, truth), true_ood(truth)
    return KindScores(score(label_issues, errors), score(ood, outside) if outside else None)


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
    """Scores by kind over a grid of percentiles.

    ``class_percentiles``, ``ood_percentiles``: the grid axes.
    ``scores[a][b]``: the label-issue :class:`Score` of the percentile rule at
    ``class_percentiles[a]`` and ``ood_percentiles[b]`` (label issues do not
    depend on the OOD percentile: every row holds one score, repeated, so that
    the grid keeps its shape). ``ood[a][b]``: the OOD :class:`Score` there, or
    None when the truth names no item OOD.
    ``cleanlab[b]``: the cleanlab rule's label-issue :class:`Score` at
    ``ood_percentiles[b]`` (its label issues depend on neither percentile);
    ``cleanlab_ood[b]``: its OOD :class:`Score` there, or None.
    """

    class_percentiles: list[float]
    ood_percentiles: list[float]
    scores: list[list[Score]]
    cleanlab: list[Score]
    ood: list[list[Score | None]] | None = None
    cleanlab_ood: list[Score | None] | None = None


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
    """Precision, recall and F1 by kind for every (class percentile, OOD percentile) in the grid.

    ``learning``: a :class:`~cleanlens.confident.ConfidentLearning` (its given
    labels and probabilities); ``truth``: true class per item, ``-1`` for OOD.
    Items are sets of bits in Python ints: per class percentile the suggested
    items, per OOD percentile the items below every OOD threshold, so each
    cell costs a few big-integer operations. Returns a :class:`Sweep`.
    """
    labels, probabilities = learning.labels, learning.probabilities
    errors, outside = _mask(label_errors(labels, truth)), _mask(true_ood(truth))
    n_errors, n_outside = errors.bit_count(), outside.bit_count()
    disagrees = _mask(i for i, (a, g) in enumerate(zip(learning.argmax, labels)) if a != g)

    suggested_masks = []
    for q in class_percentiles:
        c = learning.thresholds(q)
        suggested_masks.append(_mask(i for i, (a, p) in enumerate(zip(learning.argmax, learning.top)) if p >= c[a]))
    below_masks = []
    for q in ood_percentiles:
        o = learning.thresholds(q)
        below_masks.append(_mask(i for i, row in enumerate(probabilities) if all(p < t for p, t in zip(row, o))))

    def issues_score(issues):
        return score_counts(issues.bit_count(), n_errors, (issues & errors).bit_count())

    def ood_score(suggested, below):
        if not n_outside:
            return None
        flagged = below & ~suggested
        return score_counts(flagged.bit_count(), n_outside, (flagged & outside).bit_count())

    scores = []
    for s in suggested_masks:
        row = issues_score(s & disagrees)
        scores.append([row] * len(below_masks))
    ood = [[ood_score(s, b) for b in below_masks] for s in suggested_masks]
    cl = learning.categorize(rule="cleanlab", ood_percentile=DEFAULT_OOD_PERCENTILE)
    cl_suggested = _mask(i for i, s in enumerate(cl.suggested) if s is not None)
    cl_issues = issues_score(_mask(cl.label_issues))
    cleanlab_ood = [ood_score(cl_suggested, b) for b in below_masks]
    return Sweep(
        list(class_percentiles),
        list(ood_percentiles),
        scores,
        [cl_issues] * len(below_masks),
        ood if n_outside else None,
        cleanlab_ood if n_outside else None,
    )
