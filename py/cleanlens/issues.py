"""What the page asks of cleanlab's rules, on plain lists and in steps: ``find_label_issues`` with any
filter, ``num_label_issues`` and the dataset health summary (standard library only).

:class:`LabelIssues` computes the per-item part once (:class:`cleanlens.counting.ConfidentCounts`), then
answers each question with a step generator (yielding ``None`` between chunks of work of a few
milliseconds, returning the answer: the convention of :meth:`cleanlens.confident.ConfidentLearning.steps`)
or a plain method that runs it to its end. Answers to ``find_label_issues`` without extra options are
kept, so switching filters back and forth costs nothing the second time.

Definitions: :mod:`cleanlens.counting`, :mod:`cleanlens.filtering`, :mod:`cleanlens.health`; they equal
cleanlab 2.9.0's (docs/compat.md). Measured in Pyodide under Node, N = 100,000, K = 10:
``LabelIssues.steps`` then ``iter_find_label_issues()`` take about 0.9 s of CPU, no step over 25 ms
(``python bench/bench_cleanlab.py --pyodide-only``).

>>> issues = LabelIssues.compute([0, 0, 1, 1, 1], [[0.9, 0.1], [0.2, 0.8], [0.1, 0.9], [0.3, 0.7], [0.6, 0.4]])
>>> issues.find_label_issues()
[False, True, False, False, True]
>>> issues.num_label_issues()
2
>>> summary = issues.health()
>>> round(summary.score, 2), [row["Class Index"] for row in summary.classes]
(0.6, [0, 1])
"""

from __future__ import annotations

from collections.abc import Sequence

from .counting import ConfidentCounts
from .filtering import DEFAULT_FILTER, FILTERS, iter_find_label_issues
from .floats import FLOAT64, Matrix, Steps
from .health import HealthSummary, iter_health_summary
from .steps import drain

__all__ = ["FILTERS", "DEFAULT_FILTER", "LabelIssues", "HealthSummary"]


class LabelIssues:
    """cleanlab's label issues and dataset health for one labelling (see the module docstring).

    ``labels``: N class indices; ``rows``: N lists of K probabilities (used as given: the caller
    validated them); ``dtype``: ``"float32"`` when the probabilities are float32 values (a float32
    ``.npy``), as cleanlab then computes in float32. Attribute ``counts``: the
    :class:`~cleanlens.counting.ConfidentCounts` (confident joint, thresholds, per-class items).
    """

    def __init__(self, counts: ConfidentCounts):
        self.counts = counts
        self._masks = {}

    @classmethod
    def steps(
        cls, labels: Sequence[int], rows: Matrix, n_classes: int | None = None, *, dtype: str = FLOAT64
    ) -> Steps[LabelIssues]:
        """Build one step by step: a generator yielding ``None`` between chunks, returning the instance."""
        counts = yield from ConfidentCounts.steps(labels, rows, n_classes, dtype=dtype)
        return cls(counts)

    @classmethod
    def compute(
        cls, labels: Sequence[int], rows: Matrix, n_classes: int | None = None, *, dtype: str = FLOAT64
    ) -> LabelIssues:
        return drain(cls.steps(labels, rows, n_classes, dtype=dtype))

    def iter_find_label_issues(self, filter_by: str = DEFAULT_FILTER, **options) -> Steps[list]:
        """``cleanlab.filter.find_label_issues(labels, pred_probs, filter_by=filter_by, **options)`` as a
        generator returning N bools (or indices, with ``return_indices_ranked_by``)."""
        if not options and filter_by in self._masks:
            return list(self._masks[filter_by])
        result = yield from iter_find_label_issues(self.counts, filter_by, **options)
        if not options:
            self._masks[filter_by] = list(result)
        return result

    def find_label_issues(self, filter_by: str = DEFAULT_FILTER, **options) -> list:
        return drain(self.iter_find_label_issues(filter_by, **options))

    def iter_num_label_issues(self, estimation_method: str = "off_diagonal") -> Steps[int]:
        """``cleanlab.count.num_label_issues`` as a generator returning an int."""
        result = yield from self.counts.iter_num_label_issues(estimation_method)
        return result

    def num_label_issues(self, estimation_method: str = "off_diagonal") -> int:
        return drain(self.iter_num_label_issues(estimation_method))

    def iter_health(self, class_names: Sequence | None = None, asymmetric: bool = False) -> Steps[HealthSummary]:
        """cleanlab's ``dataset.health_summary`` as a generator returning a :class:`HealthSummary`: the
        classes ranked by label quality, the overlapping pairs, the health score."""
        summary = yield from iter_health_summary(self.counts, class_names, asymmetric)
        return summary

    def health(self, class_names: Sequence | None = None, asymmetric: bool = False) -> HealthSummary:
        return drain(self.iter_health(class_names, asymmetric))
