"""One finished training: the labels it saw, the items it left out, what it produced (pure; no DOM).

:class:`Training` holds a cross-validation's (or a probabilities file's) results with everything derived from
them once: the confident-learning learner, the label quality of each item and the items ranked by it, the
slider index (counts, joint and score at every integer slider position in O(K²)) and histogram bins.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import filterfalse
from operator import getitem
from typing import TYPE_CHECKING, Any

from cleanlens import __version__, fixing, rank
from cleanlens.confident import ConfidentLearning
from cleanlens.errors import CleanlensError
from cleanlens.flagged import RULE as FLAGGING_RULE
from cleanlens.flagged import FlaggedTables, categorize_flagged, categorize_flagged_lists
from cleanlens.issues import DEFAULT_FILTER, LabelIssues
from cleanlens.scoring import SWEEP_PERCENTILES, Sweep, score, score_by_kind, sweep, true_ood, truly_wrong
from cleanlens.sliders import EXCLUDED, PERCENTILES, iter_slider_index

from .view import ENGINE_RULES, PLAN_RULES

if TYPE_CHECKING:
    from collections.abc import Container, Sequence

    from cleanlens.confident import Categorization
    from cleanlens.crossval import CVResult
    from cleanlens.scoring import KindScores, Score
    from cleanlens.sliders import SliderCategorization
    from cleanlens.steps import Steps

QUALITY_METHOD = rank.DEFAULT_METHOD
"""The label quality score the page ranks by (:mod:`cleanlens.rank`)."""


def _first_index(values, predicate):
    """The first index of ascending `values` where the monotone `predicate` holds (len(values) if none)."""
    lo, hi = 0, len(values)
    while lo < hi:
        mid = (lo + hi) // 2
        if predicate(values[mid]):
            hi = mid
        else:
            lo = mid + 1
    return lo


def training_info(result: CVResult, sklearn_importable: bool = False) -> dict[str, Any]:
    """How a cross-validation's probabilities were made, as the page shows and saves it (a dict).

    ``result``: a :class:`~cleanlens.crossval.CVResult`; ``sklearn_importable``: whether the page could have
    used scikit-learn (the read-out says why the built-in engine ran).
    """
    return {
        "engine": result.engine,
        "engine_version": result.versions.get("scikit-learn", f"cleanlens {__version__}"),
        "C": result.C,
        "gamma": result.gamma,
        "folds": result.n_folds,
        "seed": result.seed,
        "seconds": result.seconds,
        "sklearn_importable": sklearn_importable,
    }


class TrainingError(CleanlensError):
    """The current labels and decisions leave nothing to train on; the message says why."""


class Training:
    """One finished cross-validation run: the labels it saw, what it left out, what it produced.

    Besides the results it holds each trained item's label quality score (``quality``: cleanlab's
    :data:`QUALITY_METHOD`, None for excluded items) and the items ordered by it, worst first
    (``quality_order``), computed once.

    ``labels``: N labels at the start of the run (all items); ``excluded``: the
    items left out of it; ``probabilities``: N rows, ``None`` for excluded items;
    ``info``: how they were made (engine, seed, ...); ``truth``: the dataset's
    true labels, if known (for scores). The confident-learning results are
    computed on the other items and reported with the dataset's item indices:
    at integer slider positions from a :class:`~cleanlens.sliders.SliderIndex`
    (O(K²) per position), otherwise by ``ConfidentLearning.categorize``.

    Build it with :meth:`steps` (a generator that yields between chunks of work
    and returns the training, so a browser stays responsive at N = 100,000) or
    directly (the same, run to the end).
    """

    def __init__(
        self,
        labels: Sequence[int],
        probabilities: Sequence[Sequence[float] | None],
        info: dict[str, Any],
        excluded: frozenset[int] = frozenset(),
        truth: Sequence[int] | None = None,
    ) -> None:
        for _ in self._setup(labels, probabilities, info, excluded, truth):
            pass

    @classmethod
    def steps(
        cls,
        labels: Sequence[int],
        probabilities: Sequence[Sequence[float] | None],
        info: dict[str, Any],
        excluded: frozenset[int] = frozenset(),
        truth: Sequence[int] | None = None,
    ) -> Steps[None, Training]:
        self = cls.__new__(cls)
        yield from self._setup(labels, probabilities, info, excluded, truth)
        return self

    def _setup(self, labels, probabilities, info, excluded, truth):
        self.labels, self.probabilities, self.info = list(labels), probabilities, dict(info)
        self.excluded = frozenset(excluded)
        self.active = list(filterfalse(self.excluded.__contains__, range(len(self.labels))))
        if not self.active:
            raise TrainingError("every item is excluded: include some items again to analyse them")
        everything = len(self.active) == len(self.labels)
        rows = self.probabilities if everything else [self.probabilities[i] for i in self.active]
        given = self.labels if everything else [self.labels[i] for i in self.active]
        self.learner = yield from ConfidentLearning.steps(given, rows, len(rows[0]), validated=True)
        scores = yield from rank.iter_label_quality_scores(
            given, rows, QUALITY_METHOD, confident_thresholds=self.learner.cleanlab_thresholds
        )
        order = yield from rank.iter_label_quality_order(scores)
        self.quality_order = order if everything else [self.active[j] for j in order]
        """The trained items by label quality, worst first (ties by index)."""
        if everything:
            self.quality = scores
        else:
            self.quality = [None] * len(self.labels)
            for i, score in zip(self.active, scores):
                self.quality[i] = score
        wrong = ood = None
        if truth is not None:
            wrong, ood = truly_wrong(self.labels, truth), true_ood(truth)
        self.index = yield from iter_slider_index(self.learner, self.active, len(self.labels), wrong, ood)
        self._truth = truth
        confidences = list(map(getitem, rows, given))
        if everything:
            self.self_confidence = confidences
        else:
            self.self_confidence = [None] * len(self.labels)
            for i, s in zip(self.active, confidences):
                self.self_confidence[i] = s
        self.issues = yield from LabelIssues.steps(given, rows, len(rows[0]))
        """cleanlab's find_label_issues, num_label_issues and health for the trained items (:mod:`cleanlens.issues`)."""
        self._flagged = {}
        yield from self.iter_prepare(DEFAULT_FILTER)
        self._order = {}
        self._bins = {}
        self._plans = {}

    def iter_prepare(self, filter_by: str) -> Steps[None, None]:
        """Compute ``find_label_issues(filter_by=filter_by)`` if not done yet (a step generator): what the
        ``find-label-issues`` rule shows with that filter."""
        if filter_by not in self._flagged:
            mask = yield from self.issues.iter_find_label_issues(filter_by)
            self._flagged[filter_by] = (mask, None if self.index is None else FlaggedTables(self.index, mask))

    def prepared(self, filter_by: str) -> bool:
        """True if the ``find-label-issues`` rule with ``filter_by`` can be shown at once."""
        return filter_by in self._flagged

    def categorize(
        self, q_class: float, q_ood: float, rule: str, filter_by: str = DEFAULT_FILTER
    ) -> Categorization | SliderCategorization:
        """The categorisation at the given percentiles under the page's ``rule``
        (:data:`cleanlens.web.state.view.RULES`), indexed by dataset item (excluded items: EXCLUDED)."""
        if rule == FLAGGING_RULE:
            if filter_by not in self._flagged:
                for _ in self.iter_prepare(filter_by):
                    pass
            mask, tables = self._flagged[filter_by]
            if tables is not None and q_ood in PERCENTILES:
                return categorize_flagged(self.index, tables, q_ood)
            result = categorize_flagged_lists(self.learner, mask, q_ood)
        else:
            rule = ENGINE_RULES[rule]
            if self.index is not None and q_class in PERCENTILES and q_ood in PERCENTILES:
                return self.index.categorize(q_class, q_ood, rule)
            result = self.learner.categorize(q_class, q_ood, rule=rule)
        if not self.excluded:
            return result
        n, active = len(self.labels), self.active
        categories, suggested = [EXCLUDED] * n, [None] * n
        for j, i in enumerate(active):
            categories[i], suggested[i] = result.categories[j], result.suggested[j]
        joint_ids = [[[active[j] for j in cell] for cell in row] for row in result.joint_ids]
        return replace(
            result,
            categories=categories,
            suggested=suggested,
            joint_ids=joint_ids,
            counts=dict(result.counts, excluded=len(self.excluded)),
        )

    def moved(self, before: tuple[float, float, str], after: tuple[float, float, str]) -> list[int] | None:
        """The items whose category may differ between two slider positions ``(q_class, q_ood, rule)``, or None
        when that is not known cheaply (see :meth:`cleanlens.sliders.SliderIndex.moved`)."""
        positions = (before[0], before[1], after[0], after[1])
        if self.index is None or any(q not in PERCENTILES for q in positions):
            return None
        return self.index.moved(before, after)

    def score(self, q_class: float, q_ood: float, rule: str, filter_by: str = DEFAULT_FILTER) -> Score | None:
        """The score of the flagged items against the truly wrong ones (excluded items left out), or None."""
        if self._truth is None:
            return None
        if rule != FLAGGING_RULE and self.index is not None and q_class in PERCENTILES and q_ood in PERCENTILES:
            return self.index.score(q_class, q_ood, ENGINE_RULES[rule])
        excluded = self.excluded
        wrong = [i for i in truly_wrong(self.labels, self._truth) if i not in excluded]
        return score(self.categorize(q_class, q_ood, rule, filter_by).flagged, wrong)

    def scores_by_kind(
        self, q_class: float, q_ood: float, rule: str, filter_by: str = DEFAULT_FILTER
    ) -> KindScores | None:
        """The score by kind (:class:`~cleanlens.scoring.KindScores`: label issues against the label errors, OOD
        against the items the truth calls OOD) of the trained items, or None without a truth."""
        if self._truth is None:
            return None
        if rule != FLAGGING_RULE and self.index is not None and q_class in PERCENTILES and q_ood in PERCENTILES:
            return self.index.scores_by_kind(q_class, q_ood, ENGINE_RULES[rule])
        result = self.categorize(q_class, q_ood, rule, filter_by)
        truth = [self._truth[i] for i in self.active]
        row = {i: j for j, i in enumerate(self.active)}
        issues = [row[i] for i in result.label_issues]
        return score_by_kind(issues, [row[i] for i in result.ood], [self.labels[i] for i in self.active], truth)

    # ------------------------------------------------------------ Accept all (cleanlens.fixing)

    @staticmethod
    def plan_key(rule: str, filter_by: str, q_class: float) -> tuple:
        """What the Accept-all plan of the page's ``rule`` depends on."""
        return (rule, filter_by if rule == FLAGGING_RULE else None, q_class if rule == "percentile" else None)

    def planned(self, rule: str, filter_by: str, q_class: float) -> fixing.Plan | None:
        """The plan of :meth:`iter_plan` if it was computed, else None."""
        return self._plans.get(self.plan_key(rule, filter_by, q_class))

    def iter_plan(self, rule: str, filter_by: str, q_class: float) -> Steps[None, fixing.Plan]:
        """What Accept all would change under the page's ``rule`` (a step generator returning the
        :class:`~cleanlens.fixing.Plan`, cached): of the trained items, on the labels trained on. Its items are
        rows of the trained items: :meth:`plan_changes` gives dataset items."""
        key = self.plan_key(rule, filter_by, q_class)
        if key not in self._plans:
            rows = [self.probabilities[i] for i in self.active]
            given = [self.labels[i] for i in self.active]
            self._plans[key] = yield from fixing.iter_plan(
                given, rows, PLAN_RULES[rule], class_percentile=q_class, issues=self.issues, filter_by=filter_by
            )
        return self._plans[key]

    def plan_changes(
        self, plan: fixing.Plan, accept: str, n: int | None, decided: Container[int]
    ) -> list[tuple[int, int]]:
        """``(dataset item, new label)`` pairs that Accept all changes (:meth:`cleanlens.fixing.Plan.changes`), the
        items in ``decided`` (dataset items) left out."""
        active = self.active
        rows = {j for j, i in enumerate(active) if i in decided}
        return [(active[j], s) for j, s in plan.changes(accept, n, rows)]

    def plan_summary(self, plan: fixing.Plan, accept: str, n: int | None, decided: Container[int]) -> str:
        """What Accept all will do, in a sentence (:meth:`cleanlens.fixing.Plan.summary`; with the truth if known)."""
        active = self.active
        rows = {j for j, i in enumerate(active) if i in decided}
        truth = None if self._truth is None else [self._truth[i] for i in active]
        return plan.summary(accept, n, rows, truth)

    def sweep(self) -> Sweep | None:
        """Scores over the threshold grid (:func:`cleanlens.scoring.sweep`), or None without the truth."""
        if self._truth is None:
            return None
        if self.index is None:
            return sweep(self.learner, [self._truth[i] for i in self.active])
        grid = list(SWEEP_PERCENTILES)
        return Sweep(
            grid,
            grid,
            [[self.index.score(qc, qo) for qo in grid] for qc in grid],
            [self.index.score(0, qo, "cleanlab") for qo in grid],
        )

    def histogram(self, k: int, lo: float, n_bins: int) -> list[int]:
        """Counts of class k's self-confidences in ``n_bins`` equal bins over [lo, 1] (cached per training).

        Value v falls in bin ``int((v - lo) / (1 - lo) * n_bins)``, clipped to 0..n_bins-1; the values are sorted,
        so each bin edge is found by bisection (O(n_bins log N), not O(N)).
        """
        key = (k, lo, n_bins)
        if key not in self._bins:
            span = (1.0 - lo) or 1.0
            values = self.learner.sorted_self_confidences[k]
            bin_of = lambda v: max(0, min(n_bins - 1, int((v - lo) / span * n_bins)))  # noqa: E731
            # ends[b]: how many values fall in bins 0..b (bin_of is non-decreasing in v)
            ends = [_first_index(values, lambda v, b=b: bin_of(v) > b) for b in range(n_bins)]
            self._bins[key] = [ends[0]] + [ends[b] - ends[b - 1] for b in range(1, n_bins)]
        return self._bins[key]
