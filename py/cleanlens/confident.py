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
With float32 probabilities (``dtype="float32"``: the values are float32's, e.g. read from a float32
``.npy``), cleanlab computes its thresholds and cutoffs in float32, and so does the cleanlab rule here
(:mod:`cleanlens.counting`, :mod:`cleanlens.floats`); the percentile rule is the same in both.

:class:`ConfidentLearning` sorts each class's self-confidences once; every
:meth:`ConfidentLearning.categorize` call (a slider move) is then O(N K).
Standard library only: this runs in the browser without numpy. Input checks and labelling warnings are
in :mod:`cleanlens.labelling`; the numpy counterpart, :class:`ArrayConfidentLearning` (the command line's),
is in :mod:`cleanlens.confident_arrays` (both importable from here too).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from operator import getitem, indexOf, lt

from .counting import (
    CONFIDENT_THRESHOLDS_LOWER_BOUND,
    EMPTY_CLASS_THRESHOLD,
    FLOATING_POINT_COMPARISON,
    confident_guesses,
    confident_thresholds,
    cutoffs,
)
from .floats import FLOAT64, Steps, check_dtype, mean, pairwise_sum
from .labelling import (  # noqa: F401 (the names this module has always exported)
    SUM_TOLERANCE,
    LabellingWarning,
    ProbabilityError,
    _check_label,
    _check_row,
    _labelling_warnings,
    labelling_warnings,
    validate,
)

CATEGORIES = ("correct", "label_issue", "ood", "unconfident")
CORRECT, LABEL_ISSUE, OOD, UNCONFIDENT = range(4)
RULES = ("percentile", "cleanlab")
DEFAULT_CLASS_PERCENTILE = 50
DEFAULT_OOD_PERCENTILE = 15
CLEANLAB_MARGIN = FLOATING_POINT_COMPARISON
"""cleanlab's ``FLOATING_POINT_COMPARISON``: confident if ``p >= t - 1e-6``."""
CLEANLAB_THRESHOLD_FLOOR = CONFIDENT_THRESHOLDS_LOWER_BOUND
"""cleanlab's ``CONFIDENT_THRESHOLDS_LOWER_BOUND``."""
CLEANLAB_EMPTY_THRESHOLD = EMPTY_CLASS_THRESHOLD
"""cleanlab's threshold for a class with no items (no probability reaches it)."""
CHUNK = 5_000
"""Items per step of :meth:`ConfidentLearning.steps` (about 5 ms of work under CPython with K = 10, 15 ms in
Pyodide)."""
_ARRAY_NAMES = {
    "BACKENDS",
    "ArrayConfidentLearning",
    "class_self_confidences",
    "learner",
    "numpy_inputs",
    "validate_arrays",
}


def __getattr__(name):
    """The numpy names (:mod:`cleanlens.confident_arrays`), imported on first use."""
    if name in _ARRAY_NAMES:
        from . import confident_arrays

        return getattr(confident_arrays, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def percentile(sorted_values: Sequence[float], q: float) -> float:
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


def numpy_sum(values: Sequence[float]) -> float:
    """Sum of a sequence of floats as ``numpy.sum`` computes it for a contiguous float64 array (or along the
    last axis of a C-ordered one): :func:`cleanlens.floats.pairwise_sum`."""
    return pairwise_sum(values)


def numpy_mean(values: Sequence[float]) -> float:
    """Mean as ``numpy.mean`` computes it for float64 (:func:`cleanlens.floats.mean`)."""
    return mean(values)


def cleanlab_threshold(self_confidences: Sequence[float], mean: Callable = numpy_mean) -> float:
    """cleanlab's confident threshold of one class (``cleanlab.count.get_confident_thresholds``) for float64
    probabilities, a float: the mean of the class's self-confidences, in item order, clipped below at
    :data:`CLEANLAB_THRESHOLD_FLOOR`; :data:`CLEANLAB_EMPTY_THRESHOLD` for a class with no items. ``mean``:
    :func:`numpy_mean` for a list, ``numpy.mean`` for a contiguous float64 array (the same value).
    :func:`cleanlens.counting.confident_thresholds` handles float32 too.
    """
    if not len(self_confidences):
        return CLEANLAB_EMPTY_THRESHOLD
    return max(float(mean(self_confidences)), CLEANLAB_THRESHOLD_FLOOR)


def cleanlab_ood_thresholds(ood_thresholds: Sequence[float], class_thresholds: Sequence[float]) -> list[float]:
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
    def label_issues(self) -> list[int]:
        return self.items("label_issue")

    @property
    def ood(self) -> list[int]:
        return self.items("ood")

    @property
    def unconfident(self) -> list[int]:
        return self.items("unconfident")

    @property
    def correct(self) -> list[int]:
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

    def items(self, category: str) -> list[int]:
        """Ascending indices of the items in ``category`` (a name from :data:`CATEGORIES`)."""
        code = CATEGORIES.index(category)
        return [i for i, c in enumerate(self.categories) if c == code]

    def iter_items(self, category: str) -> Iterator[int]:
        """The same as :meth:`items`, as an iterator."""
        return iter(self.items(category))

    @property
    def flagged(self) -> list[int]:
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
    dtype : {"float64", "float32"}
        The probabilities' dtype (float32: values float32 holds, e.g. from a
        float32 ``.npy``): the cleanlab rule computes in it, as cleanlab does.
        Renormalised rows are float64.

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
        self,
        labels,
        probabilities,
        n_classes=None,
        *,
        tolerance=SUM_TOLERANCE,
        renormalize=False,
        validated=False,
        dtype=FLOAT64,
    ):
        for _ in self._setup(labels, probabilities, n_classes, tolerance, renormalize, validated, dtype):
            pass

    @classmethod
    def steps(
        cls,
        labels: Sequence[int],
        probabilities: Sequence[Sequence[float]],
        n_classes: int | None = None,
        *,
        validated: bool = False,
        dtype: str = FLOAT64,
    ) -> Steps[ConfidentLearning]:
        """Build a :class:`ConfidentLearning` step by step: a generator that yields ``None`` between chunks
        of :data:`CHUNK` items and returns the instance (the ``value`` of its ``StopIteration``)."""
        self = cls.__new__(cls)
        yield from self._setup(labels, probabilities, n_classes, SUM_TOLERANCE, False, validated, dtype)
        return self

    def _setup(self, labels, probabilities, n_classes, tolerance, renormalize, validated, dtype):
        self.dtype = FLOAT64 if renormalize else check_dtype(dtype)
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
        self.sorted_self_confidences = []
        for s in self_confidences:
            self.sorted_self_confidences.append(sorted(s))
            yield
        self.cleanlab_thresholds, self.cleanlab_thresholds_dtype = confident_thresholds(self_confidences, self.dtype)
        self.warnings = labelling_warnings(self.labels, k)
        self._cleanlab_suggested = None  # computed on first use; independent of the percentiles

    def thresholds(self, q: float) -> list[float]:
        """Per-class thresholds ``t_k(q)``: the q-th percentile of each class's self-confidences."""
        return [percentile(s, q) for s in self.sorted_self_confidences]

    def categorize(
        self,
        class_percentile: float = DEFAULT_CLASS_PERCENTILE,
        ood_percentile: float = DEFAULT_OOD_PERCENTILE,
        rule: str = "percentile",
    ) -> Categorization:
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

    def cleanlab_suggestions(self, start: int = 0, stop: int | None = None) -> list[int | None]:
        """cleanlab's suggested label (or None) for items ``start..stop-1`` (see the module docstring).

        An item is confident for class k if ``p[k] >= t_k - 1e-6``: with one such class it is suggested,
        with several the overall argmax is, with none nothing is.
        """
        cuts = cutoffs(self.cleanlab_thresholds, self.cleanlab_thresholds_dtype)
        return confident_guesses(self.probabilities[start:stop], self.argmax[start:stop], self.top[start:stop], cuts)
