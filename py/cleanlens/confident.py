"""Confident learning on given labels and out-of-sample probabilities (pure Python).

Definitions (docs/definitions.md). N items, K classes, given labels g_i in 0..K-1,
probabilities p_i (K values summing to 1):

- self-confidence ``s_i = p_i[g_i]``; ``S_k = {s_i : g_i = k}``;
- ``t_k(q)``: the q-th percentile of ``S_k`` with linear interpolation
  (numpy.percentile's default method, reproduced bit for bit by
  :func:`percentile`); ``t_k = +inf`` when ``S_k`` is empty;
- class thresholds ``c_k = t_k(q_class)``, OOD thresholds ``o_k = t_k(q_ood)``;
- ``a_i = argmax_k p_i[k]`` (ties: lowest index); the suggested label is
  ``a_i`` if ``p_i[a_i] >= c_{a_i}``, else none;
- categories, in this order (:data:`CATEGORIES`): suggested and equal to g_i
  -> ``correct``; suggested and different -> ``label_issue``; no suggestion
  and ``p_i[k] < o_k`` for every k -> ``ood``; otherwise ``unconfident``;
- the confident joint ``C[g][s]``: the items with a suggestion, counted (and
  listed) by given label g and suggested label s.

``rule="cleanlab"`` replaces the suggestion rule by
``cleanlab.count.compute_confident_joint(labels, pred_probs, calibrate=False,
return_indices_of_off_diagonals=True)``, reproduced exactly: ``t_k`` is the
mean of ``S_k`` (numpy's pairwise summation; 2.0 for an empty class), clipped
below at 2e-6; item i is confident for class k if ``p_i[k] >= t_k - 1e-6``;
with one such class it is suggested, with several the overall argmax
``a_i`` is; the joint's diagonal is clipped to at least 1 (so there, unlike
the percentile rule, the joint's counts need not equal the ids listed in a
cell; ``joint_ids`` always lists the items). Categories under that rule:
confident items are ``correct`` or ``label_issue`` as above (the label issues
are exactly cleanlab's off-diagonal indices); an item confident for no class
is ``ood`` if ``p_i[k] < o_k`` for every k, else ``unconfident``, where
``o_k = min(t_k(q_ood), t_k)``: the OOD thresholds are kept at or below the
(mean) class thresholds, as under the percentile rule (with q_ood <= q_class);
this clipping changes no category (:func:`cleanlab_ood_thresholds`).

:class:`ConfidentLearning` sorts each class's self-confidences once; every
:meth:`ConfidentLearning.categorize` call (a slider move) is then O(N K).
Standard library only: this runs in the browser without numpy.

Under CPython with numpy, :class:`ArrayConfidentLearning` computes the same
thresholds, suggestions, categories and joint with numpy arrays (the command
line uses it; :func:`learner` picks it for numpy inputs); its
:meth:`~ArrayConfidentLearning.categorize` returns the same
:class:`Categorization`, and :func:`validate_arrays` raises the same messages
as :func:`validate`. The pure-Python code above stays the definition: tests
keep the two equal.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections import Counter
from dataclasses import dataclass
from operator import ge, getitem, indexOf, lt

from cleanlens.errors import CleanlensError

CATEGORIES = ("correct", "label_issue", "ood", "unconfident")
CORRECT, LABEL_ISSUE, OOD, UNCONFIDENT = range(4)
RULES = ("percentile", "cleanlab")
DEFAULT_CLASS_PERCENTILE = 50
DEFAULT_OOD_PERCENTILE = 15
SUM_TOLERANCE = 1e-3
"""A probability row is accepted if its sum is within this of 1."""
CLEANLAB_MARGIN = 1e-6
"""cleanlab's ``FLOATING_POINT_COMPARISON``: confident if ``p >= t - 1e-6``."""
CLEANLAB_THRESHOLD_FLOOR = 2e-6
"""cleanlab's ``CONFIDENT_THRESHOLDS_LOWER_BOUND``."""
CLEANLAB_EMPTY_THRESHOLD = 2.0
"""cleanlab's threshold for a class with no items (no probability reaches it)."""
CHUNK = 5_000
"""Items per step of :meth:`ConfidentLearning.steps` (about 5 ms of work under CPython with K = 10, 15 ms in
Pyodide)."""


class ProbabilityError(CleanlensError):
    """Labels or probabilities are unusable; the message names the row and column."""


@dataclass
class LabellingWarning:
    """Something odd about a labelling that the UI should show (not an error).

    ``code``: ``"single-class"``, ``"empty-class"`` or ``"small-class"``;
    ``classes``: the class indices concerned; ``message``: a sentence.
    """

    code: str
    classes: list
    message: str


def labelling_warnings(labels, n_classes, n_folds=None, names=None):
    """Warnings about degenerate labellings, as a list of :class:`LabellingWarning` (the page shows them too).

    - every item has the same label (nothing can be learned; every item is
      "correct" or unconfident);
    - classes with no items (their thresholds are +inf: nothing is suggested
      into them);
    - with ``n_folds``: classes with fewer items than folds (some folds have
      none of them, so some models never see the class).

    ``names``: the classes' names for the messages (default "class 0", "class 1", ...).
    """
    tally = Counter(labels)
    return _labelling_warnings([tally[k] for k in range(n_classes)], n_folds, names)


def _labelling_warnings(counts, n_folds=None, names=None):
    """:func:`labelling_warnings` from the number of items of each class."""
    n_classes = len(counts)
    names = names or [f"class {k}" for k in range(n_classes)]
    warnings = []
    present = [k for k in range(n_classes) if counts[k]]
    if len(present) == 1 and n_classes > 1:
        name = names[present[0]]
        warnings.append(
            LabellingWarning(
                "single-class",
                present,
                f"Every item is labelled {name}: with a single class there is nothing to confuse it with, so no label "
                "error can be found. Give some items other labels and train again.",
            )
        )
    if len(present) > 1:
        for k in range(n_classes):
            if not counts[k]:
                warnings.append(
                    LabellingWarning(
                        "empty-class",
                        [k],
                        f"No item is labelled {names[k]}: that class gets no threshold, so nothing can be suggested as "
                        f"{names[k]}.",
                    )
                )
            elif n_folds is not None and counts[k] < n_folds:
                warnings.append(
                    LabellingWarning(
                        "small-class",
                        [k],
                        f"Only {counts[k]} item{'s' if counts[k] > 1 else ''} labelled {names[k]}: fewer than the "
                        f"{n_folds} folds, so some models never see it, and its thresholds rest on very few values.",
                    )
                )
    return warnings


def validate(labels, probabilities, n_classes=None, *, tolerance=SUM_TOLERANCE, renormalize=False):
    """Check labels and probabilities; return them as ``(list of int, list of list of float)``.

    ``labels``: N integers in ``0..K-1`` (any integral type, or integral
    floats); ``probabilities``: N rows of K finite, non-negative numbers, each row summing to 1 within ``tolerance``
    (``|sum - 1| <= tolerance``). ``K`` is ``n_classes`` if given, else the row
    length. With ``renormalize=True`` rows with a positive sum are divided by
    it instead of being checked against the tolerance. Raises
    :class:`ProbabilityError` naming the first bad row (0-based) and column.
    """
    labels = list(labels)
    probabilities = [list(row) for row in probabilities]
    if len(labels) != len(probabilities):
        raise ProbabilityError(f"{len(labels)} labels but {len(probabilities)} probability rows")
    if not labels:
        raise ProbabilityError("no items")
    k = len(probabilities[0]) if n_classes is None else n_classes
    if k < 1:
        raise ProbabilityError("probability rows are empty")
    labels = [_check_label(i, label, k) for i, label in enumerate(labels)]
    return labels, [_check_row(i, row, k, tolerance, renormalize) for i, row in enumerate(probabilities)]


def _check_label(i, label, k):
    """Label ``i`` as an int in 0..k-1, or :class:`ProbabilityError` (the messages of :func:`validate`)."""
    if isinstance(label, numbers.Integral) and not isinstance(label, bool):
        label = int(label)
    elif isinstance(label, numbers.Real) and float(label).is_integer():
        label = int(label)
    else:
        raise ProbabilityError(f"label {i}: {label!r} is not an integer class index")
    if not 0 <= label < k:
        raise ProbabilityError(f"label {i}: {label} is not a class index in 0..{k - 1}")
    return label


def _check_row(i, row, k, tolerance, renormalize):
    """Probability row ``i`` as a list of K floats (divided by its sum with ``renormalize``), or
    :class:`ProbabilityError` (the messages of :func:`validate`)."""
    if len(row) != k:
        raise ProbabilityError(f"probability row {i}: {len(row)} values, expected {k}")
    values = []
    for j, p in enumerate(row):
        if isinstance(p, bool) or not isinstance(p, numbers.Real):
            raise ProbabilityError(f"probability row {i}, column {j}: not a number: {p!r}")
        p = float(p)
        if not math.isfinite(p):
            raise ProbabilityError(f"probability row {i}, column {j}: not finite: {p!r}")
        if p < 0.0:
            raise ProbabilityError(f"probability row {i}, column {j}: negative: {p!r}")
        values.append(p)
    total = math.fsum(values)
    if renormalize:
        if not total > 0.0:
            raise ProbabilityError(f"probability row {i}: sums to 0, cannot renormalise")
        values = [p / total for p in values]
    elif abs(total - 1.0) > tolerance:
        raise ProbabilityError(
            f"probability row {i}: sums to {total:.6g}, not 1 (tolerance {tolerance:g}; renormalise to accept it)"
        )
    return values


def percentile(sorted_values, q):
    """The q-th percentile of ascending ``sorted_values``, bit for bit as ``numpy.percentile``.

    numpy's default ("linear") method, with its exact arithmetic: virtual
    index ``v = (n - 1) * (q / 100)``, ``i = floor(v)``, ``g = v - i``, then
    ``a + (b - a) * g`` if ``g < 0.5`` else ``b - (b - a) * (1 - g)`` with
    ``a, b`` the i-th and (i+1)-th values.

    Parameters
    ----------
    sorted_values : sequence of float, shape (n,)
        Ascending values (a class's self-confidences).
    q : float
        The percentile, 0 <= q <= 100.

    Returns
    -------
    float
        The percentile; ``+inf`` when ``sorted_values`` is empty.

    Examples
    --------
    >>> percentile([0.2, 0.4, 0.9], 50)
    0.4
    >>> percentile([0.2, 0.4, 0.9], 25)
    0.30000000000000004
    >>> percentile([], 50)
    inf
    """
    n = len(sorted_values)
    if n == 0:
        return math.inf
    if not 0.0 <= q <= 100.0:
        raise ValueError(f"percentile must be in [0, 100], got {q!r}")
    virtual = (n - 1) * (q / 100.0)
    if virtual >= n - 1:
        return sorted_values[-1]
    i = math.floor(virtual)
    gamma = virtual - i
    a, b = sorted_values[i], sorted_values[i + 1]
    diff = b - a
    return b - diff * (1.0 - gamma) if gamma >= 0.5 else a + diff * gamma


def numpy_sum(values):
    """Sum of a sequence of floats as ``numpy.sum`` computes it for a contiguous float64 array (or along the
    last axis of a C-ordered one): pairwise summation, blocks of 8 up to 128."""
    return _pairwise_sum(values, 0, len(values))


def numpy_mean(values):
    """Mean as ``numpy.mean`` computes it for float64 (pairwise summation, blocks of 8 up to 128)."""
    return _pairwise_sum(values, 0, len(values)) / len(values)


def cleanlab_threshold(self_confidences, mean=numpy_mean):
    """cleanlab's confident threshold of one class (``cleanlab.count.get_confident_thresholds``), a float.

    The mean of the class's self-confidences, in item order, clipped below at
    :data:`CLEANLAB_THRESHOLD_FLOOR`; :data:`CLEANLAB_EMPTY_THRESHOLD` for a
    class with no items. ``mean``: :func:`numpy_mean` for a list, ``numpy.mean``
    for a contiguous float64 array (the same value).
    """
    if not len(self_confidences):
        return CLEANLAB_EMPTY_THRESHOLD
    return max(float(mean(self_confidences)), CLEANLAB_THRESHOLD_FLOOR)


def _pairwise_sum(a, start, n):
    if n < 8:
        total = 0.0
        for i in range(start, start + n):
            total += a[i]
        return total
    if n <= 128:
        r = a[start : start + 8]
        end = start + n - n % 8
        for base in range(start + 8, end, 8):
            for k in range(8):
                r[k] += a[base + k]
        total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        for i in range(end, start + n):
            total += a[i]
        return total
    half = n // 2
    half -= half % 8
    return _pairwise_sum(a, start, half) + _pairwise_sum(a, start + half, n - half)


def cleanlab_ood_thresholds(ood_thresholds, class_thresholds):
    """The OOD thresholds under the cleanlab rule: ``min(o_k, c_k)``, kept at or below the class thresholds.

    The page promises that an OOD threshold is never above its class threshold; under the cleanlab rule the
    class threshold is a mean, which a percentile OOD threshold can exceed. Clipping changes no category:
    an item with no cleanlab suggestion has ``p[k] < c_k - 1e-6`` for every k already, so it is below
    ``min(o_k, c_k)`` exactly when it is below ``o_k``. (When ``o_k >= c_k`` for every class, every item
    confident for no class is therefore OOD.)
    """
    return [min(o, c) for o, c in zip(ood_thresholds, class_thresholds)]


class CategoryLists:
    """The items of each category by name; a class that has ``items(category)`` gets these from it."""

    @property
    def label_issues(self):
        return self.items("label_issue")

    @property
    def ood(self):
        return self.items("ood")

    @property
    def unconfident(self):
        return self.items("unconfident")

    @property
    def correct(self):
        return self.items("correct")


@dataclass
class Categorization(CategoryLists):
    """The result of :meth:`ConfidentLearning.categorize`.

    ``rule``, ``class_percentile``, ``ood_percentile``: the inputs.
    ``class_thresholds``, ``ood_thresholds``: K floats each (c_k and o_k; under
    the cleanlab rule ``class_thresholds`` are cleanlab's t_k).
    ``suggested``: per item, the suggested class or None.
    ``categories``: per item, an index into :data:`CATEGORIES`.
    ``counts``: category name -> number of items.
    ``joint``: K x K counts ``joint[g][s]``; ``joint_ids``: the item indices in
    each cell, ascending.
    """

    rule: str
    class_percentile: float
    ood_percentile: float
    class_thresholds: list
    ood_thresholds: list
    suggested: list
    categories: list
    counts: dict
    joint: list
    joint_ids: list

    def items(self, category):
        """Ascending indices of the items in ``category`` (a name from :data:`CATEGORIES`)."""
        code = CATEGORIES.index(category)
        return [i for i, c in enumerate(self.categories) if c == code]

    def iter_items(self, category):
        """The same as :meth:`items`, as an iterator."""
        return iter(self.items(category))

    @property
    def flagged(self):
        """Items flagged as wrong: label issues and OOD items, ascending."""
        return [i for i, c in enumerate(self.categories) if c == LABEL_ISSUE or c == OOD]


class ConfidentLearning:
    """Per-probabilities precomputation for fast, repeated categorisation.

    Built once from labels and probabilities, validated by :func:`validate`
    unless ``validated=True`` says the caller already did (the rows are then
    used as given; the browser passes what :mod:`cleanlens.userdata` or
    :mod:`cleanlens.crossval` produced). Holds each class's sorted
    self-confidences, every item's argmax and top probability, and cleanlab's
    thresholds. :meth:`steps` builds one in chunks, yielding between them, so a
    browser tab stays responsive at N = 100,000.

    Parameters
    ----------
    labels : sequence of int, shape (N,)
        Given labels, class indices 0..K-1.
    probabilities : sequence of sequences of float, shape (N, K)
        Out-of-sample predicted probabilities, rows summing to 1.
    n_classes : int, optional
        K; default the rows' length.
    tolerance : float
        How far a row's sum may be from 1.
    renormalize : bool
        Divide each row by its sum instead of checking it.
    validated : bool
        Skip the validation (the caller guarantees valid input).

    Examples
    --------
    >>> learner = ConfidentLearning([0, 0, 1, 1], [[0.9, 0.1], [0.2, 0.8], [0.3, 0.7], [0.4, 0.6]])
    >>> result = learner.categorize(class_percentile=50, ood_percentile=15)
    >>> result.counts
    {'correct': 2, 'label_issue': 1, 'ood': 0, 'unconfident': 1}
    >>> result.label_issues, result.suggested
    ([1], [0, 1, 1, None])
    >>> result.joint
    [[1, 1], [0, 1]]
    """

    def __init__(
        self, labels, probabilities, n_classes=None, *, tolerance=SUM_TOLERANCE, renormalize=False, validated=False
    ):
        for _ in self._setup(labels, probabilities, n_classes, tolerance, renormalize, validated):
            pass

    @classmethod
    def steps(cls, labels, probabilities, n_classes=None, *, validated=False):
        """Build a :class:`ConfidentLearning` step by step: a generator that yields ``None`` between chunks
        of :data:`CHUNK` items and returns the instance (the ``value`` of its ``StopIteration``)."""
        self = cls.__new__(cls)
        yield from self._setup(labels, probabilities, n_classes, SUM_TOLERANCE, False, validated)
        return self

    def _setup(self, labels, probabilities, n_classes, tolerance, renormalize, validated):
        if validated:
            labels, probabilities = list(labels), list(probabilities)
            if not labels or len(labels) != len(probabilities):
                raise ProbabilityError(f"{len(labels)} labels but {len(probabilities)} probability rows")
        else:
            labels, probabilities = validate(
                labels, probabilities, n_classes, tolerance=tolerance, renormalize=renormalize
            )
            yield
        self.labels, self.probabilities = labels, probabilities
        self.n_classes = k = len(probabilities[0]) if n_classes is None else n_classes
        self.argmax, self.top = [], []
        self_confidences = [[] for _ in range(k)]
        for start in range(0, len(labels), CHUNK):
            rows, given = probabilities[start : start + CHUNK], labels[start : start + CHUNK]
            top = list(map(max, rows))
            self.top += top
            self.argmax += map(indexOf, rows, top)  # the first maximum: ties go to the lowest index
            for label, s in zip(given, map(getitem, rows, given)):
                self_confidences[label].append(s)
            yield
        self.class_counts = [len(s) for s in self_confidences]
        self.sorted_self_confidences, self.cleanlab_thresholds = [], []
        for s in self_confidences:
            self.sorted_self_confidences.append(sorted(s))
            self.cleanlab_thresholds.append(cleanlab_threshold(s))
            yield
        self.warnings = labelling_warnings(self.labels, k)
        self._cleanlab_suggested = None  # computed on first use; independent of the percentiles

    def thresholds(self, q):
        """Per-class thresholds ``t_k(q)``: the q-th percentile of each class's self-confidences."""
        return [percentile(s, q) for s in self.sorted_self_confidences]

    def categorize(
        self, class_percentile=DEFAULT_CLASS_PERCENTILE, ood_percentile=DEFAULT_OOD_PERCENTILE, rule="percentile"
    ):
        """Suggested labels, categories and confident joint; see the module docstring.

        Returns a :class:`Categorization`.
        """
        if rule not in RULES:
            raise ValueError(f"unknown threshold rule {rule!r}; expected one of {', '.join(RULES)}")
        k = self.n_classes
        ood_thresholds = self.thresholds(ood_percentile)
        if rule == "percentile":
            class_thresholds = self.thresholds(class_percentile)
            suggested = [a if p >= class_thresholds[a] else None for a, p in zip(self.argmax, self.top)]
        else:
            class_thresholds = list(self.cleanlab_thresholds)
            ood_thresholds = cleanlab_ood_thresholds(ood_thresholds, class_thresholds)
            if self._cleanlab_suggested is None:
                self._cleanlab_suggested = self.cleanlab_suggestions()
            suggested = self._cleanlab_suggested
        categories = []
        joint_ids = [[[] for _ in range(k)] for _ in range(k)]
        for i, (s, g, row) in enumerate(zip(suggested, self.labels, self.probabilities)):
            if s is not None:
                categories.append(CORRECT if s == g else LABEL_ISSUE)
                joint_ids[g][s].append(i)
            elif all(map(lt, row, ood_thresholds)):
                categories.append(OOD)
            else:
                categories.append(UNCONFIDENT)
        joint = [[len(cell) for cell in row] for row in joint_ids]
        if rule == "cleanlab":
            for c in range(k):
                joint[c][c] = max(joint[c][c], 1)
        counts = {name: categories.count(code) for code, name in enumerate(CATEGORIES)}
        return Categorization(
            rule=rule,
            class_percentile=float(class_percentile),
            ood_percentile=float(ood_percentile),
            class_thresholds=class_thresholds,
            ood_thresholds=ood_thresholds,
            suggested=list(suggested),
            categories=categories,
            counts=counts,
            joint=joint,
            joint_ids=joint_ids,
        )

    def cleanlab_suggestions(self, start=0, stop=None):
        """cleanlab's suggested label (or None) for items ``start..stop-1`` (see the module docstring).

        An item is confident for class k if ``p[k] >= t_k - 1e-6``: with one such class it is suggested,
        with several the overall argmax is, with none nothing is.
        """
        cutoffs = [t - CLEANLAB_MARGIN for t in self.cleanlab_thresholds]
        suggested = []
        for row, a in zip(self.probabilities[start:stop], self.argmax[start:stop]):
            confident = list(map(ge, row, cutoffs))
            n = confident.count(True)
            suggested.append(None if n == 0 else confident.index(True) if n == 1 else a)
        return suggested


# --- numpy (CPython) ---------------------------------------------------------------------

BACKENDS = ("auto", "python", "numpy")
"""``learner(backend=...)``: numpy for numpy arrays (``auto``), or as asked."""


def numpy_inputs(*values):
    """The numpy module if any of ``values`` is a numpy array, else None (never imports numpy)."""
    np = sys.modules.get("numpy")
    if np is not None and any(isinstance(v, np.ndarray) for v in values):
        return np
    return None


def learner(
    labels,
    probabilities,
    n_classes=None,
    *,
    backend="auto",
    tolerance=SUM_TOLERANCE,
    renormalize=False,
    validated=False,
):
    """A :class:`ConfidentLearning` or, with numpy, an :class:`ArrayConfidentLearning`: the same results.

    ``backend``: ``"auto"`` (numpy when ``labels`` or ``probabilities`` is a
    numpy array), ``"python"`` or ``"numpy"``. Other arguments as for
    :class:`ConfidentLearning`.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    use_numpy = backend == "numpy" or (backend == "auto" and numpy_inputs(labels, probabilities) is not None)
    cls = ArrayConfidentLearning if use_numpy else ConfidentLearning
    return cls(labels, probabilities, n_classes, tolerance=tolerance, renormalize=renormalize, validated=validated)


def validate_arrays(labels, probabilities, n_classes=None, *, tolerance=SUM_TOLERANCE, renormalize=False, start=0):
    """:func:`validate` with numpy: ``(labels, probabilities)`` as an intp array (N,) and a C-ordered float64
    array (N, K), or the :class:`ProbabilityError` :func:`validate` raises for the same input.

    ``start``: the row number of the first row, for messages about a block of a larger array
    (:mod:`cleanlens.chunked`).

    The checks are vectorised; the first offending label or row is then checked by the same code as
    :func:`validate`, which words the message. Row sums are compared with the tolerance exactly
    (:func:`math.fsum`, for the rows whose numpy sum is within 1e-9 of the limit), and ``renormalize``
    divides by the exact sums, so the values equal :func:`validate`'s.
    """
    import numpy as np

    labels, probabilities = np.asarray(labels), np.asarray(probabilities)
    numeric = labels.dtype.kind in "biuf" and probabilities.dtype.kind in "iuf" and probabilities.ndim == 2
    if not numeric or labels.ndim != 1:  # ragged, text, objects, bools: the pure checks word the problem
        labels, probabilities = validate(
            labels.tolist(), probabilities.tolist(), n_classes, tolerance=tolerance, renormalize=renormalize
        )
        return np.array(labels, dtype=np.intp), np.array(probabilities, dtype=np.float64)
    n = len(labels)
    if n != len(probabilities):
        raise ProbabilityError(f"{n} labels but {len(probabilities)} probability rows")
    if not n:
        raise ProbabilityError("no items")
    k = probabilities.shape[1] if n_classes is None else n_classes
    if k < 1:
        raise ProbabilityError("probability rows are empty")
    if labels.dtype.kind == "f":
        bad = ~np.isfinite(labels) | (labels != np.floor(labels)) | (labels < 0) | (labels >= k)
    else:
        bad = (labels < 0) | (labels >= k)
    if bad.any():
        i = int(np.argmax(bad))
        _check_label(start + i, labels[i].item(), k)
    labels = labels.astype(np.intp)
    if probabilities.shape[1] != k:
        _check_row(start, probabilities[0].tolist(), k, tolerance, renormalize)
    probabilities = np.ascontiguousarray(probabilities, dtype=np.float64)
    bad_values = ~np.isfinite(probabilities) | (probabilities < 0.0)
    first_bad = int(np.argmax(bad_values.any(axis=1))) if bad_values.any() else n
    if renormalize:
        totals = np.concatenate(
            [
                np.fromiter(map(math.fsum, probabilities[at : at + 8192].tolist()), np.float64)
                for at in range(0, first_bad, 8192)
            ]
            or [np.zeros(0)]
        )[:first_bad]
        unusable = np.flatnonzero(~(totals > 0.0))
        first_bad = int(unusable[0]) if unusable.size else first_bad
    else:
        sums = probabilities[:first_bad].sum(axis=1)
        for i in np.flatnonzero(np.abs(sums - 1.0) > tolerance - 1e-9).tolist():
            if abs(math.fsum(probabilities[i].tolist()) - 1.0) > tolerance:
                first_bad = i
                break
    if first_bad < n:
        _check_row(start + first_bad, probabilities[first_bad].tolist(), k, tolerance, renormalize)
    if renormalize:
        probabilities = probabilities / totals[:, None]
    return labels, probabilities


class ArrayConfidentLearning:
    """:class:`ConfidentLearning` with numpy arrays (CPython): :meth:`categorize` returns the same
    :class:`Categorization`, value for value (tested on random inputs, both rules, ties and empty classes).

    ``labels`` (N,) and ``probabilities`` (N, K): arrays or anything numpy converts; validated by
    :func:`validate_arrays` unless ``validated=True``. Attributes: ``labels`` (intp array (N,)),
    ``probabilities`` (float64 array (N, K)), ``n_classes``, ``class_counts``, ``argmax`` and ``top`` (arrays
    (N,)), ``sorted_self_confidences`` (K ascending arrays), ``cleanlab_thresholds`` (K floats),
    ``warnings``. The work is numpy's: O(N K) per :meth:`categorize`, plus one sort of each class's
    self-confidences when built.
    """

    def __init__(
        self, labels, probabilities, n_classes=None, *, tolerance=SUM_TOLERANCE, renormalize=False, validated=False
    ):
        import numpy as np

        if validated:
            labels = np.asarray(labels, dtype=np.intp)
            probabilities = np.ascontiguousarray(probabilities, dtype=np.float64)
            if not len(labels) or len(labels) != len(probabilities):
                raise ProbabilityError(f"{len(labels)} labels but {len(probabilities)} probability rows")
        else:
            labels, probabilities = validate_arrays(
                labels, probabilities, n_classes, tolerance=tolerance, renormalize=renormalize
            )
        n = len(labels)
        k = probabilities.shape[1] if n_classes is None else n_classes
        self.labels, self.probabilities, self.n_classes = labels, probabilities, k
        self.argmax = probabilities.argmax(axis=1)  # the first maximum, as in ConfidentLearning
        self.top = probabilities[np.arange(n), self.argmax]
        per_class = class_self_confidences(labels, probabilities, k)
        self.class_counts = [len(s) for s in per_class]
        self.cleanlab_thresholds = [cleanlab_threshold(s, np.mean) for s in per_class]
        self.sorted_self_confidences = [np.sort(s) for s in per_class]
        self.warnings = _labelling_warnings(self.class_counts)
        self._cleanlab = None  # (suggested, has a suggestion), computed on first use

    def thresholds(self, q):
        """Per-class thresholds ``t_k(q)`` (floats), as :meth:`ConfidentLearning.thresholds`."""
        return [float(percentile(s, q)) for s in self.sorted_self_confidences]

    def categorize(
        self, class_percentile=DEFAULT_CLASS_PERCENTILE, ood_percentile=DEFAULT_OOD_PERCENTILE, rule="percentile"
    ):
        """As :meth:`ConfidentLearning.categorize`: a :class:`Categorization` of Python lists."""
        import numpy as np

        if rule not in RULES:
            raise ValueError(f"unknown threshold rule {rule!r}; expected one of {', '.join(RULES)}")
        k, labels, probabilities = self.n_classes, self.labels, self.probabilities
        ood_thresholds = self.thresholds(ood_percentile)
        if rule == "percentile":
            class_thresholds = self.thresholds(class_percentile)
            suggested = self.argmax
            has = self.top >= np.array(class_thresholds)[suggested]
        else:
            class_thresholds = list(self.cleanlab_thresholds)
            ood_thresholds = cleanlab_ood_thresholds(ood_thresholds, class_thresholds)
            if self._cleanlab is None:
                self._cleanlab = self._cleanlab_suggestions()
            suggested, has = self._cleanlab
        same = suggested == labels
        ood = (probabilities < np.array(ood_thresholds)).all(axis=1)
        codes = np.where(has, np.where(same, CORRECT, LABEL_ISSUE), np.where(ood, OOD, UNCONFIDENT)).astype(np.int8)
        items = np.flatnonzero(has)
        cells = labels[items] * k + suggested[items]
        joint = np.bincount(cells, minlength=k * k).reshape(k, k)
        if rule == "cleanlab":
            np.fill_diagonal(joint, np.maximum(joint.diagonal(), 1))
        order = _stable_order(cells, k * k)  # item order within each cell
        ends = np.cumsum(np.bincount(cells, minlength=k * k)).tolist()
        ids = items[order]
        joint_ids = [
            [ids[(ends[g * k + s - 1] if g * k + s else 0) : ends[g * k + s]].tolist() for s in range(k)]
            for g in range(k)
        ]
        suggested_list = suggested.tolist()
        for i in np.flatnonzero(~has).tolist():
            suggested_list[i] = None
        counts = np.bincount(codes, minlength=len(CATEGORIES)).tolist()
        return Categorization(
            rule=rule,
            class_percentile=float(class_percentile),
            ood_percentile=float(ood_percentile),
            class_thresholds=class_thresholds,
            ood_thresholds=ood_thresholds,
            suggested=suggested_list,
            categories=codes.tolist(),
            counts=dict(zip(CATEGORIES, counts)),
            joint=joint.tolist(),
            joint_ids=joint_ids,
        )

    def _cleanlab_suggestions(self):
        """``(suggested, has)``: cleanlab's suggestion per item where ``has`` (see the module docstring)."""
        import numpy as np

        cutoffs = np.array([t - CLEANLAB_MARGIN for t in self.cleanlab_thresholds])
        confident = self.probabilities >= cutoffs
        n_confident = confident.sum(axis=1)
        suggested = np.where(n_confident > 1, self.argmax, confident.argmax(axis=1))
        return suggested, n_confident > 0


def class_self_confidences(labels, probabilities, k):
    """Each class's self-confidences ``p_i[g_i]``, in item order: K contiguous float64 arrays (numpy).

    Contiguous, so ``numpy.mean`` sums each as cleanlab's ``get_confident_thresholds`` does.
    """
    import numpy as np

    order = _stable_order(labels, k)
    grouped = probabilities[order, labels[order]]
    bounds = np.searchsorted(labels[order], np.arange(k + 1)).tolist()
    return [grouped[bounds[c] : bounds[c + 1]] for c in range(k)]


def _stable_order(codes, size):
    """``argsort(codes, kind="stable")`` for integer codes in 0..size-1 (16-bit codes: numpy's radix sort)."""
    import numpy as np

    if size <= np.iinfo(np.int16).max:
        codes = codes.astype(np.int16)
    return np.argsort(codes, kind="stable")
