"""Confident learning at every integer slider position, precomputed: a slider step costs O(K²), whatever N.

The page's sliders move over the integer percentiles 0..100. For one training
(a :class:`~cleanlens.confident.ConfidentLearning`: given labels g_i and
out-of-sample probabilities p_i), :class:`SliderIndex` computes once, in
O(N K log 101) time and O(N + K² · 102) memory:

- ``T[k][q]``: class k's threshold ``t_k(q)`` at every integer q, from the same
  :func:`~cleanlens.confident.percentile` the engine uses;
- per item, its *reach* ``r_i = #{q : T[a_i][q] <= p_i[a_i]}`` (``a_i`` its
  argmax). When every ``T[k]`` is non-decreasing in q, which the index checks,
  the item is suggested under the percentile rule exactly when
  ``q_class < r_i``;
- per item, its *OOD level* ``Q_i = max_k #{q : T[k][q] <= p_i[k]}``: it is
  below every class's OOD threshold exactly when ``q_ood >= Q_i``;
- cleanlab's suggestions (which do not depend on the sliders).

Category counts, the confident joint and, when the truth is known, the score
at any ``(q_class, q_ood)`` are then lookups in cumulative tables; an item's
category is two comparisons; lists of items are produced lazily, in index
order, only as far as they are read. :meth:`SliderIndex.categorize` returns a
:class:`SliderCategorization`, which has the interface of
:class:`~cleanlens.confident.Categorization` and equals
``ConfidentLearning.categorize`` for integer percentiles (tested on random
data, ties and empty classes included). If some ``T[k]`` is not monotone (the
interpolation can in principle lose an ulp), :func:`iter_slider_index` returns
``None`` and callers use ``ConfidentLearning.categorize`` instead.

Items can be a subset of a larger dataset (``items``: the dataset index of
each of the learner's rows); everything the index returns is in dataset
indices, and the other items are reported as :data:`EXCLUDED`.

Standard library only: this runs in the browser.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from heapq import merge
from itertools import accumulate, compress, repeat
from operator import add, and_, eq, ge, gt, le, mul, ne, not_

from .confident import (
    CATEGORIES,
    CORRECT,
    LABEL_ISSUE,
    OOD,
    UNCONFIDENT,
    CategoryLists,
    ConfidentLearning,
    cleanlab_ood_thresholds,
)
from .scoring import KindScores, Score, Sweep, score_counts
from .steps import Steps, drain

PERCENTILES = range(101)
"""The slider positions the index answers for."""
LEVELS = len(PERCENTILES) + 1
"""Reach and OOD level take the values 0..101 (101: at every percentile)."""
EXCLUDED = len(CATEGORIES)
"""Category code, beside the engine's four, of an item left out of the training (the user excluded it)."""
CHUNK = 2_000
"""Items per step of :func:`iter_slider_index` (about 8 ms of work under CPython with K = 10, 20 ms in Pyodide)."""


def iter_slider_index(
    learner: ConfidentLearning,
    items: Iterable[int] | None = None,
    n_total: int | None = None,
    wrong: Iterable[int] | None = None,
    true_ood: Iterable[int] | None = None,
) -> Steps[None, SliderIndex | None]:
    """Build a :class:`SliderIndex` step by step: a generator yielding ``None`` between chunks of :data:`CHUNK`
    items; its return value (the ``StopIteration``'s ``value``) is the index, or ``None`` if a class's
    thresholds are not monotone in q.

    ``learner``: a :class:`~cleanlens.confident.ConfidentLearning` on M items;
    ``items``: the dataset index of each of its rows (ascending; default
    ``range(M)``); ``n_total``: the dataset's size (default M); ``wrong``: the
    dataset indices of the truly wrong items (label errors and truly OOD items, for :meth:`SliderIndex.score`),
    or None; ``true_ood``: those of them whose truth is OOD (for :meth:`SliderIndex.scores_by_kind`).
    """
    index = SliderIndex.__new__(SliderIndex)
    ok = yield from index._build(learner, items, n_total, wrong, true_ood)
    return index if ok else None


def slider_index(
    learner: ConfidentLearning,
    items: Iterable[int] | None = None,
    n_total: int | None = None,
    wrong: Iterable[int] | None = None,
    true_ood: Iterable[int] | None = None,
) -> SliderIndex | None:
    """:func:`iter_slider_index` run to the end."""
    return drain(iter_slider_index(learner, items, n_total, wrong, true_ood))


class _Counts:
    """Cumulative counts over (reach, OOD level) for a set of items, per rule.

    ``suggested_same[qc]`` / ``suggested_other[qc]``: items with reach > qc whose
    argmax equals / differs from the given label; ``below[qc][qo]``: items with
    reach <= qc and OOD level <= qo. For the cleanlab rule: ``cl_same``,
    ``cl_other`` (fixed) and ``cl_below[qo]``: unsuggested items with OOD level <= qo.
    """

    def __init__(self):
        self._pairs, self._same, self._cleanlab = Counter(), Counter(), Counter()

    def add(self, reach, level, same, cl_state):
        """Count items: per item its reach, OOD level, argmax == label, and cleanlab state
        (0: unsuggested, 1: suggested its label, 2: suggested another)."""
        self._pairs.update(zip(reach, level))
        self._same.update(zip(reach, same))
        self._cleanlab.update(zip(cl_state, level))

    def finish(self):
        same, other = [0] * LEVELS, [0] * LEVELS
        for (r, is_same), n in self._same.items():
            (same if is_same else other)[r] += n
        self.suggested_same, self.suggested_other = _above(same), _above(other)
        grid = [[0] * LEVELS for _ in range(LEVELS)]
        for (r, q), n in self._pairs.items():
            grid[r][q] += n
        rows = [list(accumulate(row)) for row in grid]
        self.below = [list(row) for row in zip(*[list(accumulate(column)) for column in zip(*rows)])]
        levels = [0] * LEVELS
        self.cl_same = self.cl_other = 0
        for (state, q), n in self._cleanlab.items():
            if state == 0:
                levels[q] += n
            elif state == 1:
                self.cl_same += n
            else:
                self.cl_other += n
        self.cl_below = list(accumulate(levels))
        del self._pairs, self._same, self._cleanlab

    def at(self, qc, qo, rule):
        """``(correct, label issues, ood)`` counts at the slider position."""
        if rule == "cleanlab":
            return self.cl_same, self.cl_other, self.cl_below[qo]
        return self.suggested_same[qc], self.suggested_other[qc], self.below[qc][qo]


def _above(hist):
    """``out[q] = sum(hist[q + 1:])`` for q in 0..LEVELS-1."""
    total, out = 0, [0] * LEVELS
    for r in range(LEVELS - 1, 0, -1):
        total += hist[r]
        out[r - 1] = total
    return out


class SliderIndex:
    """Everything a slider step needs, precomputed for one training; see the module docstring.

    Build it with :func:`iter_slider_index` or :func:`slider_index`. Per learner
    row j: ``reach[j]``, ``level[j]``, ``cleanlab[j]`` (cleanlab's suggestion or None).
    """

    def _build(self, learner, items, n_total, wrong, true_ood=None):
        k = learner.n_classes
        m = len(learner.labels)
        self.learner = learner
        self.n_classes = k
        self.items = list(range(m)) if items is None else list(items)
        self.n_total = m if n_total is None else n_total
        self.identity = self.items == list(range(self.n_total))
        self.row_of = None if self.identity else {i: j for j, i in enumerate(self.items)}
        self.thresholds = [list(col) for col in zip(*[learner.thresholds(q) for q in PERCENTILES])]
        if any(t[q] > t[q + 1] for t in self.thresholds for q in range(len(PERCENTILES) - 1)):
            return False
        yield
        labels, argmax, top, thresholds = learner.labels, learner.argmax, learner.top, self.thresholds
        self.reach, self.level, self.cleanlab, self.cl_code, self.cl_cell = [], [], [], [], []
        self.same = list(map(eq, argmax, labels))
        self.cell = list(map(add, map(mul, labels, repeat(k)), argmax))  # g * K + a
        counts = self.counts = _Counts()
        if wrong is not None:
            wrong = self._rows(wrong, m)
            outside = set(self._rows(true_ood or (), m)) & set(wrong)
            self.n_wrong, self.n_ood = len(wrong), len(outside)
            kind = [0] * m  # 1: a label error, 2: truly OOD
            for j in wrong:
                kind[j] = 2 if j in outside else 1
            self.error_counts, self.ood_counts = _Counts(), _Counts()
        else:
            self.error_counts = self.ood_counts = None
        cells = Counter()
        for start in range(0, m, CHUNK):
            stop = min(m, start + CHUNK)
            rows = learner.probabilities[start:stop]
            reach = list(map(bisect_right, map(thresholds.__getitem__, argmax[start:stop]), top[start:stop]))
            columns = zip(*rows)  # per class, the items' probabilities
            level = list(
                map(max, repeat(0), *[map(bisect_right, repeat(t), column) for t, column in zip(thresholds, columns)])
            )
            cleanlab = learner.cleanlab_suggestions(start, stop)
            state = [0 if s is None else 1 if s == g else 2 for s, g in zip(cleanlab, labels[start:stop])]
            same = self.same[start:stop]
            counts.add(reach, level, same, state)
            if wrong is not None:
                for code, tally in ((1, self.error_counts), (2, self.ood_counts)):
                    keep = [c == code for c in kind[start:stop]]
                    tally.add(*(list(compress(x, keep)) for x in (reach, level, same, state)))
            cells.update(zip(self.cell[start:stop], reach))
            self.reach += reach
            self.level += level
            self.cleanlab += cleanlab
            self.cl_code += [-1 if s is None else s for s in cleanlab]
            self.cl_cell += [-1 if s is None else g * k + s for g, s in zip(labels[start:stop], cleanlab)]
            yield
        counts.finish()
        if self.error_counts is not None:
            self.error_counts.finish()
            self.ood_counts.finish()
        hists = {}
        for (key, r), n in cells.items():
            hists.setdefault(key, [0] * LEVELS)[r] += n
        self._cell_above = {key: _above(hist) for key, hist in hists.items()}
        self._cl_joint = [[0] * k for _ in range(k)]
        for key, n in Counter(self.cl_cell).items():
            if key >= 0:
                self._cl_joint[key // k][key % k] = n
        self._cl_sizes = [list(row) for row in self._cl_joint]  # before cleanlab's clipping of the diagonal
        for c in range(k):
            self._cl_joint[c][c] = max(self._cl_joint[c][c], 1)
        return True

    def categorize(self, q_class: int, q_ood: int, rule: str = "percentile") -> SliderCategorization:
        """The :class:`SliderCategorization` at integer percentiles ``q_class``, ``q_ood`` (0..100)."""
        if q_class not in PERCENTILES or q_ood not in PERCENTILES:
            raise ValueError(f"the slider index answers for integer percentiles 0..100, got {q_class!r}, {q_ood!r}")
        if rule not in ("percentile", "cleanlab"):
            raise ValueError(f"unknown threshold rule {rule!r}")
        return SliderCategorization(self, int(q_class), int(q_ood), rule)

    def _rows(self, indices, m):
        """The learner rows of the dataset ``indices`` it holds, ascending."""
        if self.row_of is None:
            return sorted({i for i in indices if 0 <= i < m})
        return sorted({self.row_of[i] for i in indices if i in self.row_of})

    def moved(self, before: tuple[int, int, str], after: tuple[int, int, str]) -> list[int] | None:
        """The dataset items whose category may differ between two slider positions ``(q_class, q_ood, rule)``
        (a superset of those that do), or None for "any item" (the rule changed).

        An item is suggested exactly when ``q_class < reach`` and below every OOD threshold exactly when
        ``q_ood >= level``, so moving a slider from a to b can change only the items whose reach (or level) is in
        ``(min(a, b), max(a, b)]``: a slider step touches O(those items), not O(N). The buckets of items by reach
        and by level are built on the first call (O(N)).
        """
        (qc0, qo0, rule0), (qc1, qo1, rule1) = before, after
        if rule0 != rule1:
            return None
        if not hasattr(self, "_by_reach"):
            self._by_reach, self._by_level = [[] for _ in range(LEVELS)], [[] for _ in range(LEVELS)]
            for j, (r, q) in enumerate(zip(self.reach, self.level)):
                self._by_reach[r].append(j)
                self._by_level[q].append(j)
        rows: list[int] = []
        if rule1 == "percentile":
            for r in range(min(qc0, qc1) + 1, max(qc0, qc1) + 1):
                rows += self._by_reach[r]
        for q in range(min(qo0, qo1) + 1, max(qo0, qo1) + 1):
            rows += self._by_level[q]
        items = self.items
        return rows if self.identity else [items[j] for j in rows]

    def score(self, q_class: int, q_ood: int, rule: str = "percentile") -> Score | None:
        """The aggregate :class:`~cleanlens.scoring.Score` of the flagged items (label issues and OOD) against
        the truly wrong items given at build time, or None if none were given."""
        if self.error_counts is None:
            return None
        _, issues, ood = self.counts.at(q_class, q_ood, rule)
        _, error_issues, error_ood = self.error_counts.at(q_class, q_ood, rule)
        _, ood_issues, ood_ood = self.ood_counts.at(q_class, q_ood, rule)
        return score_counts(issues + ood, self.n_wrong, error_issues + error_ood + ood_issues + ood_ood)

    def scores_by_kind(self, q_class: int, q_ood: int, rule: str = "percentile") -> KindScores | None:
        """The :class:`~cleanlens.scoring.KindScores` at the slider position: label issues against the label
        errors, OOD against the truly OOD items (None without any); None if no truth was given."""
        if self.error_counts is None:
            return None
        _, issues, ood = self.counts.at(q_class, q_ood, rule)
        _, error_issues, _ = self.error_counts.at(q_class, q_ood, rule)
        _, _, ood_ood = self.ood_counts.at(q_class, q_ood, rule)
        n_errors = self.n_wrong - self.n_ood
        ood_score = score_counts(ood, self.n_ood, ood_ood) if self.n_ood else None
        return KindScores(score_counts(issues, n_errors, error_issues), ood_score)

    def sweep(self, class_percentiles: Sequence[int], ood_percentiles: Sequence[int]) -> Sweep | None:
        """:func:`cleanlens.scoring.sweep` from the index (O(K^2) a cell), or None without a truth."""
        if self.error_counts is None:
            return None
        cells = [[self.scores_by_kind(qc, qo) for qo in ood_percentiles] for qc in class_percentiles]
        cleanlab = [self.scores_by_kind(0, qo, "cleanlab") for qo in ood_percentiles]
        return Sweep(
            list(class_percentiles),
            list(ood_percentiles),
            [[c.label_issues for c in row] for row in cells],
            [c.label_issues for c in cleanlab],
            [[c.ood for c in row] for row in cells] if self.n_ood else None,
            [c.ood for c in cleanlab] if self.n_ood else None,
        )


class SliderCategorization(CategoryLists):
    """Confident learning at one slider position, answered from a :class:`SliderIndex`.

    Has the attributes and methods of :class:`~cleanlens.confident.Categorization`
    (in dataset indices; items outside the training have category
    :data:`EXCLUDED` and no suggestion, and ``counts["excluded"]`` counts them
    when there are any). ``counts``, ``joint`` and the thresholds are computed
    at once (O(K²)); ``categories``, ``suggested`` and ``joint_ids`` are
    sequences computed per item on access; :meth:`iter_items` lists a category
    lazily.
    """

    def __init__(self, index: SliderIndex, q_class: int, q_ood: int, rule: str):
        self.index = index
        self.rule = rule
        self.class_percentile = float(q_class)
        self.ood_percentile = float(q_ood)
        self._qc, self._qo = q_class, q_ood
        k = index.n_classes
        if rule == "cleanlab":
            self.class_thresholds = list(index.learner.cleanlab_thresholds)
            self.joint = [list(row) for row in index._cl_joint]
        else:
            self.class_thresholds = [t[q_class] for t in index.thresholds]
            self.joint = [[0] * k for _ in range(k)]
            for key, above in index._cell_above.items():
                self.joint[key // k][key % k] = above[q_class]
        self.ood_thresholds = [t[q_ood] for t in index.thresholds]
        if rule == "cleanlab":  # (changes no category: see confident.cleanlab_ood_thresholds)
            self.ood_thresholds = cleanlab_ood_thresholds(self.ood_thresholds, self.class_thresholds)
        correct, issues, ood = index.counts.at(q_class, q_ood, rule)
        m = len(index.items)
        self.counts = {"correct": correct, "label_issue": issues, "ood": ood, "unconfident": m - correct - issues - ood}
        if index.n_total > m:
            self.counts["excluded"] = index.n_total - m
        self.categories = _PerItem(self, self.row_category, EXCLUDED)
        self.suggested = _PerItem(self, self.row_suggestion, None)
        sizes = index._cl_sizes if rule == "cleanlab" else self.joint
        self.joint_ids = [[_Cell(self, g, s, sizes[g][s]) for s in range(k)] for g in range(k)]
        self._lists = {}

    # --- per row (the learner's index j) ------------------------------------------------

    def row_suggestion(self, j: int) -> int | None:
        """The suggested class of learner row ``j``, or None."""
        index = self.index
        if self.rule == "cleanlab":
            return index.cleanlab[j]
        return index.learner.argmax[j] if index.reach[j] > self._qc else None

    def row_category(self, j: int) -> int:
        """The category code of learner row ``j``."""
        index = self.index
        s = self.row_suggestion(j)
        if s is not None:
            return CORRECT if s == index.learner.labels[j] else LABEL_ISSUE
        return OOD if index.level[j] <= self._qo else UNCONFIDENT

    # --- lists ---------------------------------------------------------------------------------

    def _rows(self, category: int) -> Iterator[int]:
        """The learner rows in ``category`` (a code), ascending, as a lazy iterator (filtered at C speed)."""
        index = self.index
        rows = range(len(index.items))
        if self.rule == "cleanlab":
            suggested = list(map(ge, index.cl_code, repeat(0)))
            if category == CORRECT:
                return compress(rows, map(eq, index.cl_code, index.learner.labels))
            if category == LABEL_ISSUE:
                return compress(rows, map(and_, suggested, map(ne, index.cl_code, index.learner.labels)))
            unsuggested = map(not_, suggested)
        else:
            if category in (CORRECT, LABEL_ISSUE):
                suggested = map(gt, index.reach, repeat(self._qc))
                same = index.same if category == CORRECT else map(not_, index.same)
                return compress(rows, map(and_, suggested, same))
            unsuggested = map(le, index.reach, repeat(self._qc))
        below = map(le, index.level, repeat(self._qo))
        return compress(rows, map(and_, unsuggested, below if category == OOD else map(not_, below)))

    def cell_rows(self, g: int, s: int) -> Iterator[int]:
        """The learner rows in confident-joint cell (g, s), ascending, as a lazy iterator."""
        index = self.index
        key = g * index.n_classes + s
        rows = range(len(index.items))
        if self.rule == "cleanlab":
            return compress(rows, map(eq, index.cl_cell, repeat(key)))
        return compress(rows, map(and_, map(eq, index.cell, repeat(key)), map(gt, index.reach, repeat(self._qc))))

    def iter_items(self, category: str) -> Iterator[int]:
        """Dataset indices of the items in ``category`` (a name from :data:`~cleanlens.confident.CATEGORIES`),
        ascending, produced lazily."""
        rows = self._rows(CATEGORIES.index(category))
        items = self.index.items
        return rows if self.index.identity else (items[j] for j in rows)

    def items(self, category: str) -> list[int]:
        """Ascending dataset indices of the items in ``category`` (cached)."""
        if category not in self._lists:
            self._lists[category] = list(self.iter_items(category))
        return self._lists[category]

    @property
    def flagged(self) -> list[int]:
        """Items flagged as wrong: label issues and OOD items, ascending."""
        return list(merge(self.label_issues, self.ood))


class _PerItem:
    """A read-only sequence over dataset indices, computed per item from the learner's row."""

    def __init__(self, result, of_row, outside):
        index = result.index
        self._of_row, self._outside = of_row, outside
        self._len = index.n_total
        self._row = index.row_of

    def __len__(self):
        return self._len

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._len))]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError(i)
        if self._row is None:
            return self._of_row(i)
        j = self._row.get(i)
        return self._outside if j is None else self._of_row(j)

    def __iter__(self):
        return (self[i] for i in range(self._len))


class _Cell:
    """The dataset indices in one confident-joint cell, ascending: its size is known, its items are found
    when first read (and only as far as they are read when iterated)."""

    def __init__(self, result, g, s, size):
        self._result, self._g, self._s, self._size = result, g, s, size
        self._ids = None

    def _items(self):
        rows = self._result.cell_rows(self._g, self._s)
        index = self._result.index
        return rows if index.identity else (index.items[j] for j in rows)

    def _load(self):
        if self._ids is None:
            self._ids = list(self._items())
        return self._ids

    def __len__(self):
        return self._size

    def __getitem__(self, i):
        return self._load()[i]

    def __iter__(self):
        return iter(self._ids) if self._ids is not None else self._items()

    def __eq__(self, other):
        return list(self) == list(other)
