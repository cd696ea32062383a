"""What the Dataset health tab shows: cleanlab's dataset health summary of the trained items (pure; no DOM).

The summary (:class:`cleanlens.health.HealthSummary`: cleanlab's ``dataset.health_summary`` without its
printing) is computed once per training, in steps, with the rest of it (:attr:`~.training.Training.health`),
never on a slider step. This module picks what the tab shows of it:

- the **overall label health score** (``1 - num_label_issues / N``) and ``num_label_issues`` (cleanlab's
  ``count.num_label_issues``, its default ``off_diagonal`` estimate);
- the **classes ranked by label quality**, worst first (``rank_classes_by_label_quality``): per class k its
  ``Label Issues`` (items labelled k that belong elsewhere), ``Inverse Label Issues`` (items of class k
  labelled as another class), ``Inverse Label Noise`` (the latter as a share of the items that are truly k)
  and ``Label Quality Score`` (1 - the share of items labelled k that belong elsewhere);
- the **overlapping class pairs** with some overlap, most overlapping first, at most :data:`PAIRS_SHOWN`
  (``find_overlapping_classes``): ``Joint Probability`` ``J[a][b] + J[b][a]`` and ``Num Overlapping Examples``
  ``round(N x that)``.

N is the number of trained items (excluded items are left out, as from every result).
"""

from __future__ import annotations

from dataclasses import dataclass

from cleanlens.health import PAIR_COLUMNS, HealthSummary

OVERLAPPING = PAIR_COLUMNS[2]
"""cleanlab's column ``Num Overlapping Examples``."""
PAIRS_SHOWN = 20
"""The tab lists at most this many overlapping class pairs (as the command line's text report)."""


@dataclass(frozen=True)
class ClassHealth:
    """One class of :func:`dataset_health`: cleanlab's ``rank_classes_by_label_quality`` columns the tab shows."""

    index: int
    label_issues: int
    inverse_label_issues: int
    inverse_label_noise: float
    label_quality: float


@dataclass(frozen=True)
class PairHealth:
    """One pair of classes ``a < b`` of :func:`dataset_health` (cleanlab's ``find_overlapping_classes`` row)."""

    a: int
    b: int
    joint_probability: float
    overlapping: int


@dataclass(frozen=True)
class DatasetHealth:
    """The tab's numbers: ``score`` and ``num_label_issues`` of ``n_items`` trained items, ``classes`` (every
    class, worst label quality first), ``pairs`` (the overlapping pairs shown, most overlap first),
    ``n_overlapping`` (the pairs with a joint probability above 0) and ``n_pairs`` (every pair of classes,
    K (K - 1) / 2)."""

    score: float
    num_label_issues: int
    n_items: int
    classes: tuple[ClassHealth, ...]
    pairs: tuple[PairHealth, ...]
    n_overlapping: int
    n_pairs: int


def dataset_health(summary: HealthSummary, pairs_shown: int = PAIRS_SHOWN) -> DatasetHealth:
    """The tab's :class:`DatasetHealth` from a training's summary (rows by cleanlab's column names, in
    cleanlab's order): every class, and the first ``pairs_shown`` pairs whose joint probability is above 0."""
    classes = tuple(
        ClassHealth(
            row["Class Index"],
            row["Label Issues"],
            row["Inverse Label Issues"],
            row["Inverse Label Noise"],
            row["Label Quality Score"],
        )
        for row in summary.classes
    )
    overlapping = [row for row in summary.overlapping if row["Joint Probability"] > 0]
    pairs = tuple(
        PairHealth(row["Class Index A"], row["Class Index B"], row["Joint Probability"], row[OVERLAPPING])
        for row in overlapping[:pairs_shown]
    )
    return DatasetHealth(
        summary.score, summary.num_issues, summary.n_items, classes, pairs, len(overlapping), len(summary.overlapping)
    )
