"""The page's categories under a rule that flags a fixed set of items: cleanlab's ``find_label_issues`` (pure).

``find_label_issues`` (any ``filter_by``, :mod:`cleanlens.filtering`) names the label issues without the
sliders; the page still sorts every other item into correct, out of distribution or unconfident, and moves the
OOD slider. For N items with given labels ``g_i``, argmax ``a_i``, cleanlab's confident suggestion ``c_i`` (or
none: the ``confident-joint`` rule's, :mod:`cleanlens.sliders`) and OOD level ``Q_i`` (the item is below every
class's OOD threshold at ``q_ood`` exactly when ``q_ood >= Q_i``), and a mask ``F`` of the flagged items:

- ``F_i`` -> **label issue**, suggested ``a_i`` (the label Accept assigns: :mod:`cleanlens.fixing`);
- else ``c_i == g_i`` -> **correct** (suggested ``g_i``);
- else no ``c_i`` and ``q_ood >= Q_i`` -> **out of distribution**;
- else **unconfident** (an item confident of another class that the rule does not flag is among these).

The joint the page draws is then ``(given, suggested)`` over the items with a suggestion: correct items on
the diagonal, label issues off it, so every cell's items are those of one list. Counts, the joint and the
category of any item are O(K²) / O(1) per OOD slider position from tables built once per mask (O(N)), like
:class:`~cleanlens.sliders.SliderCategorization`, whose interface :class:`FlaggedCategorization` has.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import accumulate, compress, repeat
from operator import and_, eq, le, not_, or_

from .confident import (
    CATEGORIES,
    CORRECT,
    LABEL_ISSUE,
    OOD,
    UNCONFIDENT,
    Categorization,
    ConfidentLearning,
    cleanlab_ood_thresholds,
)
from .sliders import EXCLUDED, LEVELS, SliderCategorization, SliderIndex, _Cell, _PerItem

RULE = "find-label-issues"
"""The rule's name in the page (and its URL)."""


class FlaggedTables:
    """What :class:`FlaggedCategorization` needs of one mask, computed once: ``flagged`` (per learner row),
    ``correct`` (rows not flagged whose confident suggestion is their label), the OOD candidates' cumulative
    counts by level, and the joint without the OOD slider."""

    def __init__(self, index: SliderIndex, flagged: Sequence[bool]) -> None:
        labels, argmax, k = index.learner.labels, index.learner.argmax, index.n_classes
        self.flagged = [bool(f) for f in flagged]
        if len(self.flagged) != len(labels):
            raise ValueError(f"{len(self.flagged)} flags for {len(labels)} items")
        kept = list(map(not_, self.flagged))
        self.correct = list(map(and_, kept, map(eq, index.cl_code, labels)))
        candidates = list(map(and_, kept, map(eq, index.cl_code, repeat(-1))))
        self.candidates = candidates
        hist = [0] * LEVELS
        for level in compress(index.level, candidates):
            hist[level] += 1
        self.ood_at = list(accumulate(hist))
        self.joint = [[0] * k for _ in range(k)]
        for g, n in Counter(compress(labels, self.correct)).items():
            self.joint[g][g] = n
        for (g, a), n in Counter(zip(compress(labels, self.flagged), compress(argmax, self.flagged))).items():
            self.joint[g][a] += n
        self.n_issues, self.n_correct = sum(self.flagged), sum(self.correct)


class FlaggedCategorization(SliderCategorization):
    """The page's categories under a flagging rule at OOD percentile ``q_ood`` (see the module docstring)."""

    def __init__(self, index: SliderIndex, tables: FlaggedTables, q_ood: int) -> None:
        self.index, self.tables = index, tables
        self.rule = RULE
        self.class_percentile, self.ood_percentile = float("nan"), float(q_ood)
        self._qc, self._qo = -1, q_ood
        k = index.n_classes
        self.class_thresholds = list(index.learner.cleanlab_thresholds)
        self.ood_thresholds = cleanlab_ood_thresholds([t[q_ood] for t in index.thresholds], self.class_thresholds)
        self.joint = [list(row) for row in tables.joint]
        m = len(index.items)
        ood = tables.ood_at[q_ood]
        self.counts = {
            "correct": tables.n_correct,
            "label_issue": tables.n_issues,
            "ood": ood,
            "unconfident": m - tables.n_correct - tables.n_issues - ood,
        }
        if index.n_total > m:
            self.counts["excluded"] = index.n_total - m
        self.categories = _PerItem(self, self.row_category, EXCLUDED)
        self.suggested = _PerItem(self, self.row_suggestion, None)
        self.joint_ids = [[_Cell(self, g, s, self.joint[g][s]) for s in range(k)] for g in range(k)]
        self._lists = {}

    def row_suggestion(self, j: int) -> int | None:
        tables, index = self.tables, self.index
        if tables.flagged[j]:
            return index.learner.argmax[j]
        return index.learner.labels[j] if tables.correct[j] else None

    def row_category(self, j: int) -> int:
        tables = self.tables
        if tables.flagged[j]:
            return LABEL_ISSUE
        if tables.correct[j]:
            return CORRECT
        return OOD if tables.candidates[j] and self.index.level[j] <= self._qo else UNCONFIDENT

    def _rows(self, category: int) -> Iterator[int]:
        tables, index = self.tables, self.index
        rows = range(len(index.items))
        if category == LABEL_ISSUE:
            return compress(rows, tables.flagged)
        if category == CORRECT:
            return compress(rows, tables.correct)
        below = map(le, index.level, repeat(self._qo))
        if category == OOD:
            return compress(rows, map(and_, tables.candidates, below))
        others = map(not_, map(and_, tables.candidates, below))
        rest = map(and_, map(not_, tables.flagged), map(not_, tables.correct))
        return compress(rows, map(and_, rest, others))

    def cell_rows(self, g: int, s: int) -> Iterator[int]:
        tables, index = self.tables, self.index
        rows = range(len(index.items))
        labels = index.learner.labels
        key = map(and_, map(eq, labels, repeat(g)), map(eq, index.learner.argmax, repeat(s)))
        flagged = map(and_, tables.flagged, key)
        if g != s:
            return compress(rows, flagged)
        return compress(rows, map(or_, flagged, map(and_, tables.correct, map(eq, labels, repeat(g)))))


def categorize_flagged(index: SliderIndex, tables: FlaggedTables, q_ood: int) -> FlaggedCategorization:
    """The page's categories under a flagging rule at the integer OOD percentile ``q_ood`` (0..100)."""
    if not (isinstance(q_ood, int) and 0 <= q_ood <= 100):
        raise ValueError(f"the OOD percentile must be a whole number in 0..100, got {q_ood!r}")
    return FlaggedCategorization(index, tables, q_ood)


def categorize_flagged_lists(learner: ConfidentLearning, flagged: Sequence[bool], q_ood: float) -> Categorization:
    """The same categories from a :class:`~cleanlens.confident.ConfidentLearning` at any OOD percentile, in
    O(N K) (for when no slider index exists: its thresholds were not monotone, or ``q_ood`` is not whole)."""
    cleanlab = learner.categorize(50, q_ood, rule="cleanlab")
    k, labels, argmax = learner.n_classes, learner.labels, learner.argmax
    categories, suggested = [], []
    joint_ids = [[[] for _ in range(k)] for _ in range(k)]
    for i, g in enumerate(labels):
        code, c = cleanlab.categories[i], cleanlab.suggested[i]
        if flagged[i]:
            code, s = LABEL_ISSUE, argmax[i]
        elif c == g:
            code, s = CORRECT, g
        else:
            code, s = (OOD if code == OOD else UNCONFIDENT), None
        categories.append(code)
        suggested.append(s)
        if s is not None:
            joint_ids[g][s].append(i)
    return Categorization(
        rule=RULE,
        class_percentile=float("nan"),
        ood_percentile=float(q_ood),
        class_thresholds=cleanlab.class_thresholds,
        ood_thresholds=cleanlab.ood_thresholds,
        suggested=suggested,
        categories=categories,
        counts={name: categories.count(code) for code, name in enumerate(CATEGORIES)},
        joint=[[len(cell) for cell in row] for row in joint_ids],
        joint_ids=joint_ids,
    )
