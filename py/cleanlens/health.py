"""cleanlab's ``dataset`` module for single-label data, with the standard library: the classes ranked by
label quality, the overlapping class pairs and the overall label health score.

All three start from the **joint** ``J`` (:func:`cleanlens.counting.estimate_joint` of the calibrated
confident joint: ``J[g][t]`` estimates the fraction of items with given label g and true label t) and N.
Definitions (cleanlab 2.9.0's documented behaviour):

- **Classes** (:func:`classes_by_label_quality`), one row per class k, ascending by label quality:
  ``Label Issues`` = ``round(N (sum_t J[k][t] - J[k][k]))`` (items labelled k that belong elsewhere),
  ``Inverse Label Issues`` = ``round(N (sum_g J[g][k] - J[k][k]))``, ``Label Noise`` = the first
  difference divided by the row sum (at least 1e-6), ``Inverse Label Noise`` likewise by the column sum,
  ``Label Quality Score`` = 1 - ``Label Noise``.
- **Overlapping pairs** (:func:`overlapping_classes`): every pair a < b with ``Joint Probability``
  ``J[a][b] + J[b][a]`` (``asymmetric=True``: every ordered pair a != b with ``J[a][b]``) and
  ``Num Overlapping Examples`` = ``round(N x that)``, descending by joint probability.
- **Health score** (:func:`health_score`): ``1 - num_label_issues / N`` from labels and probabilities
  (:meth:`cleanlens.counting.ConfidentCounts.num_label_issues`), or the trace of J from a joint alone.

Rounding is half to even (numpy's). Rows are dicts with cleanlab's column names (its DataFrames' rows),
sorted as pandas sorts them (``argsort``: numpy's portable sort by default, :mod:`cleanlens.floats`).
:func:`iter_health_summary` computes all three for the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .counting import ConfidentCounts, estimate_joint, trace
from .floats import FLOAT64, Argsort, Matrix, Steps, Vector, column_sums, portable_argsort, row_sums

EPSILON = 1e-6
"""The floor of the row and column sums that the noise rates divide by (cleanlab's ``EPSILON``)."""
CLASS_COLUMNS = (
    "Class Index",
    "Label Issues",
    "Inverse Label Issues",
    "Label Noise",
    "Inverse Label Noise",
    "Label Quality Score",
)
PAIR_COLUMNS = ("Class Index A", "Class Index B", "Num Overlapping Examples", "Joint Probability")


def classes_by_label_quality(
    joint: Matrix,
    num_examples: int,
    class_names: Sequence | None = None,
    argsort: Argsort | None = None,
    *,
    fortran: bool = False,
) -> list[dict]:
    """``cleanlab.dataset.rank_classes_by_label_quality`` from a joint: one dict per class, worst first
    (with ``class_names``, each row also has ``"Class Name"``). ``fortran``: the joint is F-ordered."""
    rows = class_rows(joint, num_examples, class_names, fortran=fortran)
    order = (argsort or portable_argsort)([r["Label Quality Score"] for r in rows], FLOAT64)
    return [rows[i] for i in order]


def class_rows(
    joint: Matrix, num_examples: int, class_names: Sequence | None = None, *, fortran: bool = False
) -> list[dict]:
    """:func:`classes_by_label_quality`'s rows in class order."""
    k = len(joint)
    given_totals = row_sums(joint, contiguous=not fortran)
    true_totals = column_sums(joint, contiguous=fortran)
    given_noise = [given_totals[c] - joint[c][c] for c in range(k)]
    true_noise = [true_totals[c] - joint[c][c] for c in range(k)]
    rows = []
    for c in range(k):
        noise = given_noise[c] / max(given_totals[c], EPSILON)
        row = {"Class Name": class_names[c]} if class_names is not None else {}
        row.update(
            {
                "Class Index": c,
                "Label Issues": round(given_noise[c] * num_examples),
                "Inverse Label Issues": round(true_noise[c] * num_examples),
                "Label Noise": noise,
                "Inverse Label Noise": true_noise[c] / max(true_totals[c], EPSILON),
                "Label Quality Score": 1 - noise,
            }
        )
        rows.append(row)
    return rows


def overlapping_classes(
    joint: Matrix,
    num_examples: int,
    asymmetric: bool = False,
    class_names: Sequence | None = None,
    argsort: Argsort | None = None,
) -> list[dict]:
    """``cleanlab.dataset.find_overlapping_classes`` from a joint: one dict per pair, most overlapping first
    (with ``class_names``, also ``"Class Name A"`` and ``"Class Name B"``)."""
    rows = pair_rows(joint, num_examples, asymmetric, class_names)
    return [rows[i] for i in descending_order([r["Joint Probability"] for r in rows], argsort)]


def pair_rows(
    joint: Matrix, num_examples: int, asymmetric: bool = False, class_names: Sequence | None = None
) -> list[dict]:
    """:func:`overlapping_classes`'s rows in row-major order of the pairs."""
    k = len(joint)
    if asymmetric:
        pairs = [(a, b, joint[a][b]) for a in range(k) for b in range(k) if a != b]
    else:
        pairs = [(a, b, joint[a][b] + joint[b][a]) for a in range(k) for b in range(a + 1, k)]
    rows = []
    for a, b, p in pairs:
        row = {"Class Name A": class_names[a], "Class Name B": class_names[b]} if class_names is not None else {}
        row.update(
            {
                "Class Index A": a,
                "Class Index B": b,
                "Num Overlapping Examples": round(p * num_examples),
                "Joint Probability": p,
            }
        )
        rows.append(row)
    return rows


def descending_order(values: Vector, argsort: Argsort | None = None) -> list[int]:
    """pandas' descending sort (``sort_values(ascending=False)``): the values reversed, sorted ascending by
    ``argsort``, the result reversed; equal values stay in index order with a stable sort."""
    n = len(values)
    order = (argsort or portable_argsort)(values[::-1], FLOAT64)
    return [n - 1 - i for i in order][::-1]


def health_score(num_examples: int, num_issues: int | None = None, joint: Matrix | None = None) -> tuple[float, int]:
    """``(score, number of issues)``: ``1 - num_issues / N``, or from ``joint`` alone its trace and
    ``round(N (1 - trace))``."""
    if num_issues is not None:
        return 1 - num_issues / num_examples, num_issues
    t = trace(joint)
    return t, round(num_examples * (1 - t))


@dataclass
class HealthSummary:
    """What :func:`iter_health_summary` returns: ``classes`` (:func:`classes_by_label_quality`),
    ``overlapping`` (:func:`overlapping_classes`), ``score`` and ``num_issues`` (:func:`health_score`),
    ``joint`` (K x K) and ``n_items``."""

    classes: list = field(default_factory=list)
    overlapping: list = field(default_factory=list)
    score: float = 1.0
    num_issues: int = 0
    joint: list = field(default_factory=list)
    n_items: int = 0


def iter_health_summary(
    counts: ConfidentCounts, class_names: Sequence | None = None, asymmetric: bool = False
) -> Steps[HealthSummary]:
    """cleanlab's ``dataset.health_summary`` (without its printing) as a generator: yields ``None`` between
    steps, returns a :class:`HealthSummary`. ``counts``: with cleanlab's default thresholds."""
    n = len(counts.labels)
    joint = estimate_joint(counts.calibrated)
    yield
    classes = classes_by_label_quality(joint, n, class_names, counts.argsort)
    overlapping = overlapping_classes(joint, n, asymmetric, class_names, counts.argsort)
    yield
    issues = yield from counts.iter_num_label_issues()
    score, issues = health_score(n, issues)
    return HealthSummary(classes, overlapping, score, issues, joint, n)
