"""cleanlab's ``count`` module for single-label data, with the standard library: the confident joint,
its calibration, the joint, the latent noise estimates and the number of label issues.

N items, K classes, given labels ``g_i`` in 0..K-1, predicted probabilities ``p_i`` (K values, in the
dtype ``float64`` or ``float32``: :mod:`cleanlens.floats`). Definitions (Northcutt, Jiang and Chuang,
"Confident learning", JAIR 2021, section 3; cleanlab 2.9.0's documented behaviour):

- **Confident thresholds** ``t_k``: the mean of ``p_i[k]`` over the items labelled k (numpy's mean in
  the probabilities' dtype), 2.0 for a class with no items; clipped below at 2e-6
  (:func:`confident_thresholds`). With float32 probabilities and every class present the thresholds
  are float32; with a class absent they are float64 (numpy turns the list holding 2 into float64).
- **Confident classes** of item i: the k with ``p_i[k] >= t_k - 1e-6`` (the subtraction in the
  thresholds' dtype). Its **guess**: the only confident class, or with several its argmax
  (``a_i``, the first largest probability), or none (:func:`confident_guesses`).
- **Confident joint** ``C[g][s]``: items counted by given label g and guess s; its diagonal is raised
  to at least 1. The **off-diagonal indices**: the items whose guess differs from their label.
- **Calibrated joint** (:func:`calibrate_confident_joint`): each row scaled to the number of items
  with that label (``C[i][j] / sum_j C[i][j] * n_i``), then all of it to sum to N, and rounded to
  integers keeping each row's total (:func:`round_preserving_row_totals`).
- **Joint** (:func:`estimate_joint`): the calibrated joint divided by its sum.
- **Latent estimates** (:func:`estimate_latent`): the prior of the true labels ``py``, the noise
  matrix ``P(given | true)`` (columns of C normalised) and the inverse noise matrix
  ``P(true | given)`` (rows of C normalised, transposed), noise rates clipped to [0, 0.9999) with the
  columns renormalised; ``py`` by ``py_method`` (:data:`PY_METHODS`), clipped to [1e-6, 1] and
  normalised.
- **Near ties** (:func:`near_tie`): an item whose argmax would be its given label if that
  probability were 1e-6 higher is never counted as a label issue.
- **Number of label issues** (:func:`num_label_issues`): ``off_diagonal``: the off-diagonal items that
  are not near ties; ``off_diagonal_calibrated`` and ``off_diagonal_custom``: ``rint(N (1 - trace J))``
  with J the joint of the (re)calibrated confident joint.

Every operation is the one cleanlab's numpy code performs, in the same order and dtype, so the results
are cleanlab's bit for bit, except ``py_method="eqn"`` and ``"marginal_ps"`` (numpy asks LAPACK and
BLAS, whose rounding depends on the machine: here within 1e-12 for a well-conditioned noise matrix) and
the order among exactly equal values where cleanlab sorts: numpy's default sort orders them differently
with and without SIMD; ``argsort`` is numpy's portable sort by default (:mod:`cleanlens.floats`), numpy's
own when passed in. Matrices are lists of rows.
:class:`ConfidentCounts` computes the per-item part once, in steps (a page can pause between them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import compress, repeat
from operator import add, ge, getitem, indexOf, le, ne, not_

from .errors import CleanlensError
from .floats import (
    FLOAT32,
    FLOAT64,
    Argsort,
    Matrix,
    Steps,
    Vector,
    check_dtype,
    column_sums,
    iter_pairwise_sum,
    matrix_sum,
    pairwise_sum,
    portable_argsort,
    promote,
    round_values,
    row_sums,
    sequential_sum,
    to_float32,
)

FLOATING_POINT_COMPARISON = 1e-6
"""cleanlab's margin: confident if ``p >= t - 1e-6``; near ties are within it."""
CONFIDENT_THRESHOLDS_LOWER_BOUND = 2e-6
EMPTY_CLASS_THRESHOLD = 2.0
"""The threshold of a class with no items: no probability reaches it."""
TINY_VALUE = 1e-100
"""The floor of every denominator (cleanlab's ``TINY_VALUE``)."""
CLIPPING_LOWER_BOUND = 1e-6
NOISE_RATE_CEILING = 0.9999
ESTIMATION_METHODS = ("off_diagonal", "off_diagonal_calibrated", "off_diagonal_custom")
PY_METHODS = ("cnt", "eqn", "marginal", "marginal_ps")


class CountingError(CleanlensError):
    """Arguments the confident-joint computations cannot take (an unknown method, a singular noise matrix
    for ``py_method="eqn"``, thresholds of the wrong length)."""


CHUNK = 5_000
"""Items per step of :meth:`ConfidentCounts.steps` (about 15 ms in Pyodide with K = 10)."""
NEAR_TIE_CHUNK = 10_000
"""Items checked for near ties per step (about 10 ms in Pyodide with K = 10)."""


def value_counts(labels: Sequence[int], n_classes: int) -> list[int]:
    """The number of items with each label, 0..K-1 (cleanlab's ``value_counts_fill_missing_classes``)."""
    tally = Counter(labels)
    return [tally[k] for k in range(n_classes)]


# --- thresholds and guesses ------------------------------------------------------------------


def threshold_floor(dtype: str) -> float:
    """2e-6 in ``dtype``."""
    return to_float32(CONFIDENT_THRESHOLDS_LOWER_BOUND) if dtype == FLOAT32 else CONFIDENT_THRESHOLDS_LOWER_BOUND


def confident_thresholds(per_class: Sequence[Vector], dtype: str = FLOAT64) -> tuple[list[float], str]:
    """``(thresholds, their dtype)`` from each class's self-confidences ``per_class`` (K sequences, in item
    order), as ``cleanlab.count.get_confident_thresholds`` computes them (see the module docstring)."""
    steps = iter_confident_thresholds(per_class, dtype)
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


def iter_confident_thresholds(per_class: Sequence[Vector], dtype: str = FLOAT64) -> Steps[tuple[list[float], str]]:
    """:func:`confident_thresholds` as a generator (it yields after each class, and within long classes)."""
    means = []
    for values in per_class:
        if len(values):
            total = yield from iter_pairwise_sum(values, dtype)
            quotient = total / len(values)
            means.append(to_float32(quotient) if dtype == FLOAT32 else quotient)
        else:
            means.append(None)
        yield
    result_dtype = dtype if all(m is not None for m in means) else FLOAT64
    floor = threshold_floor(result_dtype)
    return [EMPTY_CLASS_THRESHOLD if m is None else max(m, floor) for m in means], result_dtype


def cutoffs(thresholds: Vector, dtype: str = FLOAT64) -> list[float]:
    """``t_k - 1e-6`` in the thresholds' ``dtype``: an item is confident for k if ``p[k] >= cutoff_k``."""
    if dtype == FLOAT32:
        margin = to_float32(FLOATING_POINT_COMPARISON)
        return [to_float32(t - margin) for t in thresholds]
    return [float(t) - FLOATING_POINT_COMPARISON for t in thresholds]


def confident_guesses(rows: Matrix, argmax: Sequence[int], top: Vector, cuts: Vector) -> list[int | None]:
    """Each item's guess (a class, or None when it is confident for no class); see the module docstring.

    ``argmax`` and ``top``: each row's first largest probability's class and value; ``cuts``: :func:`cutoffs`.
    When the argmax class is confident the guess is the argmax, whatever the other classes; only the
    other rows are looked at value by value.
    """
    guesses = list(argmax)
    own = map(ge, top, map(cuts.__getitem__, argmax))
    for i in compress(range(len(rows)), map(not_, own)):
        confident = list(map(ge, rows[i], cuts))
        n = confident.count(True)
        guesses[i] = None if n == 0 else confident.index(True) if n == 1 else argmax[i]
    return guesses


def near_ties(rows: Matrix, labels: Sequence[int], top: Vector, dtype: str = FLOAT64) -> list[bool]:
    """:func:`near_tie` of each row; ``top``: each row's largest value. A row whose largest value exceeds
    its raised label value is not a near tie (cheap, checked for all rows at once); the rest are checked
    one by one."""
    own = list(map(getitem, rows, labels))
    if dtype == FLOAT32:
        raised = round_values(map(add, own, repeat(to_float32(FLOATING_POINT_COMPARISON))), FLOAT32)
    else:
        raised = list(map(add, own, repeat(FLOATING_POINT_COMPARISON)))
    ties = [False] * len(rows)
    for i in compress(range(len(rows)), map(le, top, raised)):
        ties[i] = near_tie(rows[i], labels[i], dtype)
    return ties


def near_tie(row: Vector, label: int, dtype: str = FLOAT64) -> bool:
    """True if ``argmax`` of ``row`` with ``row[label]`` raised by 1e-6 (in ``dtype``) is ``label``."""
    if dtype == FLOAT32:
        raised = to_float32(row[label] + to_float32(FLOATING_POINT_COMPARISON))
    else:
        raised = row[label] + FLOATING_POINT_COMPARISON
    for j in range(label):
        if row[j] >= raised:
            return False
    for j in range(label + 1, len(row)):
        if row[j] > raised:
            return False
    return True


# --- the confident joint and its calibration -------------------------------------------------


def joint_counts(
    labels: Sequence[int], guesses: Sequence[int | None], n_classes: int, clip: bool = True
) -> tuple[list[list[int]], list[int]]:
    """``(confident joint, off-diagonal indices)`` from the guesses (with ``clip``, the diagonal raised to
    at least 1)."""
    tally = Counter(zip(labels, guesses))
    joint = [[tally[g, s] for s in range(n_classes)] for g in range(n_classes)]
    for c in range(n_classes if clip else 0):
        joint[c][c] = max(joint[c][c], 1)
    differ = compress(range(len(labels)), map(ne, labels, guesses))
    return joint, [i for i in differ if guesses[i] is not None]


def calibrate_confident_joint(
    confident_joint: Matrix, label_counts: Sequence[int], argsort: Argsort | None = None, *, fortran: bool = False
) -> list[list[int]]:
    """``cleanlab.count.calibrate_confident_joint``: rows scaled to ``label_counts``, the whole to their sum,
    rounded keeping each row's total (see the module docstring). ``label_counts``: K counts; ``fortran``:
    the confident joint is an F-ordered array (as ``compute_confident_joint(calibrate=False)`` returns it),
    which decides the order numpy sums the scaled values in."""
    k = len(confident_joint)
    totals = [max(t, TINY_VALUE) for t in row_sums(confident_joint, contiguous=not fortran)]
    scaled = [[x / totals[i] * label_counts[i] for x in confident_joint[i]] for i in range(k)]
    whole = max(matrix_sum(scaled, fortran=fortran), TINY_VALUE)
    n = sum(label_counts)
    return round_preserving_row_totals([[x / whole * n for x in row] for row in scaled], argsort)


def round_preserving_row_totals(matrix: Matrix, argsort: Argsort | None = None) -> list[list[int]]:
    """Each row rounded to integers with :func:`round_preserving_sum`."""
    return [round_preserving_sum(row, argsort) for row in matrix]


def round_preserving_sum(values: Vector, argsort: Argsort | None = None) -> list[int]:
    """``values`` rounded to integers (half to even) whose sum is the rounded sum of ``values``.

    While the sums differ by ``d``, the ``min(|d|, len)`` values with the largest rounding loss
    (``x - round(x)``; the smallest when rounding down) move one step towards their sum, in the
    order of ``argsort`` of the losses (reversed when rounding up).
    """
    argsort = argsort or portable_argsort
    floats = [float(x) for x in values]
    ints = [float(round(x)) for x in floats]
    target = float(round(pairwise_sum(floats)))
    current = float(round(pairwise_sum(ints)))
    while abs(current - target) > FLOATING_POINT_COMPARISON:
        diff = float(round(target - current))
        step = -1 if diff < 0.0 else 1
        changes = min(int(abs(diff)), len(floats))
        order = list(argsort([f - i for f, i in zip(floats, ints)], FLOAT64))
        for i in (order[::-1] if step == 1 else order)[:changes]:
            ints[i] += step
        current = float(round(pairwise_sum(ints)))
    return [int(x) for x in ints]


def estimate_joint(calibrated: Matrix, *, fortran: bool = False) -> list[list[float]]:
    """``cleanlab.count.estimate_joint`` of an already calibrated joint: divided by its sum."""
    total = max(float(matrix_sum(calibrated, fortran=fortran)), TINY_VALUE)
    return [[x / total for x in row] for row in calibrated]


def trace(matrix: Matrix) -> float:
    """``numpy.trace``: the pairwise sum of the diagonal."""
    return pairwise_sum([matrix[i][i] for i in range(len(matrix))])


# --- latent estimates ------------------------------------------------------------------------


class Layout:
    """A K x K float matrix with the memory order numpy gives it (``fortran``), which decides how numpy
    sums its columns (:func:`cleanlens.floats.column_sums`)."""

    __slots__ = ("rows", "fortran")

    def __init__(self, rows, fortran=False):
        self.rows, self.fortran = rows, fortran

    def transposed(self) -> Layout:
        return Layout([list(c) for c in zip(*self.rows)], not self.fortran)

    def column_sums(self) -> list[float]:
        return column_sums(self.rows, contiguous=self.fortran)


def clip_noise_rates(matrix: Layout) -> Layout:
    """Off-diagonal values clipped to [0, 0.9999], then each column divided by its sum (at least 1e-100)."""
    k = len(matrix.rows)
    clipped = [
        [x if i == j else min(max(x, 0.0), NOISE_RATE_CEILING) for j, x in enumerate(row)]
        for i, row in enumerate(matrix.rows)
    ]
    totals = [max(t, TINY_VALUE) for t in Layout(clipped, matrix.fortran).column_sums()]
    return Layout([[clipped[i][j] / totals[j] for j in range(k)] for i in range(k)], matrix.fortran)


def clip_values(values: Vector, low: float, high: float, new_sum: float = 1.0) -> list[float]:
    """cleanlab's ``clip_values``: clipped to [low, high], then scaled to sum to ``new_sum``."""
    clipped = [min(max(x, low), high) for x in values]
    total = max(pairwise_sum(clipped), TINY_VALUE)
    return [x * new_sum / total for x in clipped]


class Linalg:
    """The two linear-algebra steps of ``py_method="eqn"`` and ``"marginal_ps"``, in pure Python. numpy
    asks LAPACK and BLAS, whose rounding depends on the machine; ``solve`` and ``dot`` stay within 1e-12 of
    them for a well-conditioned noise matrix."""

    @staticmethod
    def solve(matrix: Matrix, vector: Vector) -> list[float]:
        """``inverse(matrix) . vector`` (:func:`solve_linear`)."""
        return solve_linear(matrix, vector)

    @staticmethod
    def dot(layout: Layout, vector: Vector) -> list[float]:
        """``layout . vector``, each row's products added left to right."""
        return [sequential_sum([a * b for a, b in zip(row, vector)]) for row in layout.rows]


def compute_py(
    ps: Vector,
    noise: Layout,
    inverse: Layout,
    py_method: str = "cnt",
    true_counts: Vector | None = None,
    linalg: type | None = None,
) -> list[float]:
    """The prior of the true labels by ``py_method`` (:data:`PY_METHODS`), clipped and normalised.

    ``cnt``: ``inv[k][k] / nm[k][k] * ps[k]``; ``eqn``: ``nm^-1 ps``; ``marginal``: ``true_counts``
    normalised; ``marginal_ps``: ``inv ps`` (``linalg``: :class:`Linalg` or numpy's).
    """
    k = len(ps)
    linalg = linalg or Linalg
    if py_method == "cnt":
        py = [inverse.rows[c][c] / max(noise.rows[c][c], TINY_VALUE) * ps[c] for c in range(k)]
    elif py_method == "eqn":
        py = linalg.solve(noise.rows, ps)
    elif py_method == "marginal":
        if true_counts is None:
            raise CountingError('py_method="marginal" needs the true labels\' class counts')
        total = max(float(sequential_sum(true_counts)), TINY_VALUE)
        py = [c / total for c in true_counts]
    elif py_method == "marginal_ps":
        py = linalg.dot(inverse, ps)
    else:
        raise CountingError(f"unknown py_method {py_method!r}; expected one of {', '.join(PY_METHODS)}")
    return clip_values(py, CLIPPING_LOWER_BOUND, 1.0, 1.0)


def solve_linear(matrix: Matrix, vector: Vector) -> list[float]:
    """``matrix^-1 vector`` by Gaussian elimination with partial pivoting (K x K; ValueError if singular)."""
    k = len(vector)
    a = [list(map(float, row)) + [float(v)] for row, v in zip(matrix, vector)]
    for c in range(k):
        pivot = max(range(c, k), key=lambda r: abs(a[r][c]))
        if a[pivot][c] == 0.0:
            raise CountingError("singular matrix")
        a[c], a[pivot] = a[pivot], a[c]
        for r in range(c + 1, k):
            f = a[r][c] / a[c][c]
            if f:
                a[r] = [x - f * y for x, y in zip(a[r], a[c])]
    x = [0.0] * k
    for r in range(k - 1, -1, -1):
        x[r] = (a[r][k] - sum(a[r][j] * x[j] for j in range(r + 1, k))) / a[r][r]
    return x


def estimate_latent(
    confident_joint: Matrix,
    label_counts: Sequence[int],
    py_method: str = "cnt",
    converge_latent_estimates: bool = False,
    linalg: type | None = None,
    *,
    fortran: bool = False,
) -> tuple[list[float], list[list[float]], list[list[float]]]:
    """``cleanlab.count.estimate_latent``: ``(py, noise_matrix, inverse_noise_matrix)`` (see the module
    docstring); ``label_counts``: the number of items with each given label; ``fortran``: the confident
    joint is F-ordered (:func:`calibrate_confident_joint`). :func:`estimate_latent_layouts` also says
    which of the matrices numpy holds in F order."""
    py, noise, inverse = estimate_latent_layouts(
        confident_joint, label_counts, py_method, converge_latent_estimates, linalg, fortran=fortran
    )
    return py, noise.rows, inverse.rows


def estimate_latent_layouts(
    confident_joint: Matrix,
    label_counts: Sequence[int],
    py_method: str = "cnt",
    converge_latent_estimates: bool = False,
    linalg: type | None = None,
    *,
    fortran: bool = False,
) -> tuple[list[float], Layout, Layout]:
    """:func:`estimate_latent` with the two matrices as :class:`Layout`."""
    k = len(confident_joint)
    n = float(sum(label_counts))
    ps = [c / n for c in label_counts]
    given_totals = [float(t) for t in row_sums(confident_joint, contiguous=not fortran)]
    true_totals = [float(t) for t in column_sums(confident_joint, contiguous=fortran)]
    noise = Layout(
        [[confident_joint[i][j] / max(true_totals[j], TINY_VALUE) for j in range(k)] for i in range(k)], fortran
    )
    inverse = Layout(
        [[confident_joint[j][i] / max(given_totals[j], TINY_VALUE) for j in range(k)] for i in range(k)], not fortran
    )
    py = compute_py(ps, noise, inverse, py_method, true_totals, linalg)
    noise, inverse = clip_noise_rates(noise), clip_noise_rates(inverse)
    if converge_latent_estimates:
        py, noise, inverse = _converge(ps, py, noise, inverse)
        py = clip_values(py, 1e-5, 1.0, 1.0)
        noise, inverse = clip_noise_rates(noise), clip_noise_rates(inverse)
    return py, noise, inverse


def _converge(ps, py, noise, inverse, inverse_iterations=5, noise_iterations=3):
    """cleanlab's ``_converge_estimates``: recompute the inverse noise matrix and py from each other, then
    the noise matrix, a fixed number of times."""
    k = len(ps)
    for _ in range(noise_iterations):
        for _ in range(inverse_iterations):
            joint = Layout([[noise.rows[i][j] * py[j] for j in range(k)] for i in range(k)], noise.fortran)
            flipped = joint.transposed()
            divided = [[x / max(ps[j], TINY_VALUE) for j, x in enumerate(row)] for row in flipped.rows]
            inverse = clip_noise_rates(Layout(divided, flipped.fortran))
            py = compute_py(ps, noise, inverse)
        scaled = Layout([[x * ps[j] for j, x in enumerate(row)] for row in inverse.rows], inverse.fortran).transposed()
        noise = clip_noise_rates(
            Layout([[x / max(py[j], TINY_VALUE) for j, x in enumerate(row)] for row in scaled.rows], scaled.fortran)
        )
    return py, noise, inverse


# --- everything computed from labels and probabilities, once ----------------------------------


class ConfidentCounts:
    """The per-item part of cleanlab's ``count`` for one labelling, computed once (pure Python).

    Attributes: ``labels`` (N ints), ``rows`` (N rows of K floats), ``n_classes``, ``dtype``
    (the probabilities'), ``argsort`` (the tie order, :mod:`cleanlens.floats`), ``argmax`` and ``top``
    (each row's first largest probability's class and value), ``members`` (each class's items, ascending),
    ``label_counts``, ``thresholds`` and ``thresholds_dtype``, ``guesses`` (per item, a class or None),
    ``joint`` (the confident joint, uncalibrated), ``off_diagonal`` (ascending item indices) and, on first
    use, ``calibrated`` (:func:`calibrate_confident_joint` of ``joint``).

    Build with :meth:`steps` (a generator yielding ``None`` between chunks of :data:`CHUNK` items and
    returning the instance) or :meth:`compute`. Inputs are used as given (the caller validated them).
    ``thresholds``: cleanlab's ``thresholds=`` (K values, in ``thresholds_dtype``) instead of the
    confident thresholds.
    """

    @classmethod
    def compute(cls, labels: Sequence[int], rows: Matrix, n_classes: int | None = None, **options) -> ConfidentCounts:
        steps = cls.steps(labels, rows, n_classes, **options)
        while True:
            try:
                next(steps)
            except StopIteration as stop:
                return stop.value

    @classmethod
    def steps(
        cls,
        labels: Sequence[int],
        rows: Matrix,
        n_classes: int | None = None,
        *,
        dtype: str = FLOAT64,
        thresholds: Vector | None = None,
        thresholds_dtype: str = FLOAT64,
        argsort: Argsort | None = None,
    ) -> Steps[ConfidentCounts]:
        self = cls.__new__(cls)
        self.labels, self.rows = list(labels), list(rows)
        self.n_classes = k = len(self.rows[0]) if n_classes is None else n_classes
        self.dtype, self.argsort = check_dtype(dtype), argsort
        self.argmax, self.top, self.members = [], [], [[] for _ in range(k)]
        per_class = [[] for _ in range(k)]
        for start in range(0, len(self.labels), CHUNK):
            chunk, given = self.rows[start : start + CHUNK], self.labels[start : start + CHUNK]
            top = list(map(max, chunk))
            self.top += top
            self.argmax += map(indexOf, chunk, top)
            for i, label, s in zip(range(start, start + len(given)), given, map(getitem, chunk, given)):
                per_class[label].append(s)
                self.members[label].append(i)
            yield
        self.label_counts = [len(m) for m in self.members]
        if thresholds is None:
            self.thresholds, self.thresholds_dtype = yield from iter_confident_thresholds(per_class, self.dtype)
        else:
            if len(thresholds) != k:
                raise CountingError(f"{len(thresholds)} thresholds for {k} classes")
            self.thresholds, self.thresholds_dtype = [float(t) for t in thresholds], check_dtype(thresholds_dtype)
        cuts = cutoffs(self.thresholds, self.thresholds_dtype)
        self.guesses, self.off_diagonal, tally = [], [], Counter()
        for start in range(0, len(self.labels), CHUNK):
            stop = start + CHUNK
            rows, argmax, top = self.rows[start:stop], self.argmax[start:stop], self.top[start:stop]
            guesses = confident_guesses(rows, argmax, top, cuts)
            self.guesses += guesses
            joint, off = joint_counts(self.labels[start:stop], guesses, k, clip=False)
            tally.update({(g, t): x for g, row in enumerate(joint) for t, x in enumerate(row) if x})
            self.off_diagonal += [start + i for i in off]
            yield
        self.joint = [[max(tally[g, t], 1) if g == t else tally[g, t] for t in range(k)] for g in range(k)]
        # cleanlab's confident joint is a transposed confusion matrix (F-ordered), or zeros if no item is confident
        self.joint_fortran = sum(tally.values()) > 0
        self._calibrated = None
        return self

    @property
    def calibrated(self) -> list[list[int]]:
        """The calibrated confident joint (``compute_confident_joint(..., calibrate=True)``)."""
        if self._calibrated is None:
            self._calibrated = calibrate_confident_joint(
                self.joint, self.label_counts, self.argsort, fortran=self.joint_fortran
            )
        return self._calibrated

    @property
    def comparison_dtype(self) -> str:
        """The dtype numpy compares probabilities and cutoffs in."""
        return promote(self.dtype, self.thresholds_dtype)

    def near_ties(self, items: Sequence[int]) -> list[bool]:
        """:func:`near_tie` for each of ``items``."""
        pick = getitem
        rows, labels, top = self.rows, self.labels, self.top
        return near_ties(
            list(map(pick, repeat(rows), items)),
            list(map(pick, repeat(labels), items)),
            list(map(pick, repeat(top), items)),
            self.dtype,
        )

    def iter_near_ties(self, items: Sequence[int], chunk: int = NEAR_TIE_CHUNK) -> Steps[list[bool]]:
        """:meth:`near_ties` as a generator yielding between chunks of ``items``."""
        ties = []
        for start in range(0, len(items), chunk):
            ties += self.near_ties(items[start : start + chunk])
            yield
        return ties

    def num_label_issues(
        self, estimation_method: str = "off_diagonal", confident_joint: Matrix | None = None, fortran: bool = False
    ) -> int:
        """``cleanlab.count.num_label_issues`` (see the module docstring); ``confident_joint`` for
        ``off_diagonal_custom`` (``fortran``: it is F-ordered)."""
        steps = self.iter_num_label_issues(estimation_method, confident_joint, fortran)
        while True:
            try:
                next(steps)
            except StopIteration as stop:
                return stop.value

    def iter_num_label_issues(
        self, estimation_method: str = "off_diagonal", confident_joint: Matrix | None = None, fortran: bool = False
    ) -> Steps[int]:
        """:meth:`num_label_issues` as a generator (it yields between chunks of near ties)."""
        if estimation_method == "off_diagonal":
            ties = yield from self.iter_near_ties(self.off_diagonal)
            return ties.count(False)
        if estimation_method == "off_diagonal_calibrated":
            joint, fortran = self.calibrated, False
        elif estimation_method == "off_diagonal_custom":
            if confident_joint is None:
                raise CountingError('estimation_method="off_diagonal_custom" needs a confident_joint')
            joint = confident_joint
        else:
            raise CountingError(
                f"unknown estimation_method {estimation_method!r}; expected one of {', '.join(ESTIMATION_METHODS)}"
            )
        calibrated = calibrate_confident_joint(joint, self.label_counts, self.argsort, fortran=fortran)
        return round((1.0 - trace(estimate_joint(calibrated))) * len(self.labels))
