"""Out-of-sample predicted probabilities by stratified K-fold cross-validation.

Every item gets class probabilities from a model that never saw it: the items
are split into ``n_folds`` stratified folds (:func:`stratified_folds`, pure
Python and seeded, so both engines use exactly the same folds and the same
inputs always give the same outputs); for each fold a model is trained on the
other folds and decides the held-out fold.

The model, for both engines (libsvm's own probability model, as the original
app's ``SVC(probability=True)``):

1. features standardised (z-scores over all items);
2. per fold, one RBF C-SVM per pair of classes in the training set
   (libsvm's one-vs-one, ``C``, ``gamma``), giving each held-out item one
   decision value per pair;
3. per pair of classes, one Platt sigmoid fitted on the pooled out-of-fold
   decision values of all items labelled with either class, and libsvm's
   pairwise coupling (:mod:`cleanlens.pairwise`; one definition for both
   engines).

The engines differ only in who computes the decision values of step 2, and
in step 3's arithmetic: the scikit-learn engine runs it with numpy
(:mod:`cleanlens.pairwise_arrays`, the same operations in the same order,
vectorised over the items), the built-in engine in pure Python:

``sklearn``
    ``SVC(kernel="rbf", C=C, gamma=gamma, shrinking=False,
    decision_function_shape="ovo")`` per training fold (numpy and
    scikit-learn are imported only here). ``shrinking=False``: libsvm's
    shrinking is only a speed heuristic, no faster at these sizes; without it
    libsvm takes exactly the built-in solver's steps.
``builtin``
    Standard library only (:mod:`cleanlens.svm`, libsvm's solver replicated:
    same iterations, same support vectors), for a browser without numpy.
``auto``
    ``sklearn`` if numpy and scikit-learn import, else ``builtin``.

Why this model (measured on the demo, embeddings/fashion3.json, 300 items,
K=3, C=3, gamma=0.003, fold seed 0; AMD EPYC, 2 shared cores, 2026-11-28;
docs/engine.md has the tables and the commands): the previous model, one
Platt sigmoid per class on scikit-learn's one-vs-rest shaped decision
function, squeezed the self-confidences into 0.87-0.95 and needed an inner
5-fold cross-validation in the sklearn engine. The pairwise model has log
loss 0.250 against the given labels (0.321 and 0.313 before, sklearn and
built-in engine), self-confidence p15 / p50 / max 0.867 / 0.938 / 0.976, and
both engines agree to 1e-14 (max |dp| 8e-15 on the demo, <= 3e-14 on
synthetic data with K = 2..6; the test bar is 1e-9).

Pooling: each pair's sigmoid is fitted once on the pooled out-of-fold values
of *all* folds, not per fold on the other folds' values only. Over fold seeds
0, 1, 2 pooling all gave log loss 0.250 / 0.264 / 0.262 against the given
labels (other folds: 0.262 / 0.280 / 0.275), 0.116-0.123 against the true
labels (0.125-0.129), the same true OOD images caught (8, 8, 8 of 9; other
folds 8, 8, 7) and took a third of the time (one fit per pair instead of one
per pair and fold). An item's own given label is then one of the ~200 points
of its pair's 2-parameter fit; the SVMs that decide it never see it.
(``python tools/choose_defaults.py --pooling``.)

Defaults ``C = 1``, ``gamma = 0.003`` (on standardised features), chosen on
the demo by the same procedure as the first engine's C=3, gamma=0.003
(``python tools/choose_defaults.py``; docs/engine.md): C in {1, 3, 10, 30} x
gamma in {0.001, 0.003, 0.01, 1/32}, each over fold seeds 0, 1, 2; among the
cells whose mean log loss against the true labels (in-distribution items) is
within 0.01 of the best (0.120 at C=3, gamma=0.003), the best mean F1 of the
flagged items over the threshold sweep grid (q_ood <= q_class): C=1,
gamma=0.003 with 0.311 (log loss 0.126, accuracy 97.3%), against 0.311 for
C=3, gamma=0.001 and 0.304 for C=3, gamma=0.003: a small margin (with fold
seeds 0-9: 0.316, 0.315, 0.306). gamma = 1/32 and C >= 10 with gamma >= 0.01
had log loss 0.15-0.22.

Standardisation uses the mean and std of *all* items' features, not the
training fold's: it uses no labels, and it lets the built-in engine compute the
N x N kernel once per (features, gamma) and reuse it for every fold, class
pair and relabelling (per-fold scaling would need one kernel per fold).

Determinism: the same inputs give the same outputs on a given runtime,
wherever the run paused. The folds are identical everywhere; the built-in
engine's probabilities under CPython 3.11 and Pyodide (Python 3.14) can
differ in the last digits (the C libraries' ``exp`` may differ in the last
bit, and Python >= 3.12's ``sum`` is compensated): at most 2e-14 on the demo
and 4e-14 on synthetic N = 1,000 (2026-11-28).

Degenerate labellings are handled, not crashed on, the same way by both
engines: a class with no items gets probability 0; a fold whose training set
lacks a class gives its held-out items probability 0 for it (its SVMs never
saw the class) and couples over the classes it has; a training set with a
single class predicts it with probability 1; a pair whose pooled values hold
one class only gets a sigmoid fitted to the smoothed targets of that class,
and one with no values at all ``P = 1/2``.

Pausing (:func:`iter_out_of_sample_probabilities`): every loop that grows
with N asks, about every millisecond of work, whether ``slice_seconds`` of
computing have passed since the caller last resumed it, and if so yields a
:class:`Progress`: the kernel rows, the SMO iterations, the decision values,
the sigmoid fits and the coupling. The scikit-learn engine's C calls (one
``fit`` and one ``decision_function`` per fold) cannot be split; it yields
between them.
"""

from __future__ import annotations

import math
import numbers
import platform
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cleanlens.errors import CleanlensError

from . import __version__, pairwise, pairwise_arrays, svm
from .confident import labelling_warnings
from .steps import Cancelled as Cancelled  # re-exported: its home was here before cleanlens.steps
from .steps import Due, Steps, cancellable, drain, relay, scaled

if TYPE_CHECKING:
    from .confident import LabellingWarning

ENGINES = ("auto", "sklearn", "builtin")
DEFAULT_C = 1.0
DEFAULT_GAMMA = 0.003
DEFAULT_FOLDS = 5
DEFAULT_SEED = 0
DEFAULT_SLICE_SECONDS = 0.02
"""Computing time after which :func:`iter_out_of_sample_probabilities` pauses (seconds).

Every loop asks about every 1-3 ms of Pyodide work, so a pause comes a few ms
after this. The page (Pyodide in Chromium, within ~7% of Pyodide in Node)
must not block input for 50 ms; Pyodide runs this code 2-3x slower than
CPython. Measured 2026-11-28 (AMD EPYC, 2 shared cores, load average 4-7):
longest CPU time between two yields in Pyodide 314.0.5 under Node 18-24 ms
for the demo and N = 1,000 and 2,000 (d = 32, K = 3), against 40 ms, 0.14 s
and 0.43 s when it paused per class pair (``python build.py bench engine``);
in Chromium, 8 s of an N = 2,000 training: 364 slices, at most 23.3 ms of
thread CPU each, none over 50 ms (docs/engine.md).
"""
HUGE_FEATURE = 1e150
"""Feature columns with a larger magnitude are divided by their largest before scikit-learn's scaler (whose
squares would overflow); :func:`cleanlens.svm.mean_and_std` does the same for the built-in engine."""
CALIBRATION = "pairwise: one Platt sigmoid per class pair on pooled out-of-fold decision values, Wu-Lin-Weng coupling"


class CrossValError(CleanlensError):
    """The inputs cannot be cross-validated; the message says why."""


@dataclass
class CVResult:
    """Out-of-sample probabilities and how they were made.

    ``probabilities``: N lists of K floats (plain lists). ``engine``:
    ``"builtin"`` or ``"sklearn"``. ``versions``: name -> version string of
    python, cleanlens and, for the sklearn engine, scikit-learn and numpy.
    ``folds``: the test indices of each fold. ``seconds``: wall time spent
    computing (pauses between the steps of
    :func:`iter_out_of_sample_probabilities` are not counted).
    ``calibration``: a description of the probability model.
    ``warnings``: :class:`~cleanlens.confident.LabellingWarning` list.
    """

    probabilities: list[list[float]]
    engine: str
    versions: dict[str, str]
    C: float
    gamma: float
    n_folds: int
    seed: int
    seconds: float
    folds: list[list[int]]
    calibration: str
    warnings: list[LabellingWarning] = field(default_factory=list)


@dataclass
class Progress:
    """One pause of :func:`iter_out_of_sample_probabilities`.

    ``stage``: ``"check"`` (validating the inputs), ``"kernel"`` (scaling the
    features, computing the kernel matrix), ``"fold"`` (training a fold's
    SVMs and deciding its held-out items) or ``"calibration"`` (sigmoids and
    coupling); ``fold``: folds finished; ``n_folds``; ``fraction``: rough share
    of the work done, 0..1, non-decreasing.
    """

    stage: str
    fold: int
    n_folds: int
    fraction: float


def _shuffle(items, rng):
    # Fisher-Yates driven by rng.random() only: Python guarantees random() is
    # reproducible across versions for a given seed, not shuffle()/randrange().
    for i in range(len(items) - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        items[i], items[j] = items[j], items[i]


def stratified_folds(labels: Sequence[int], n_folds: int = DEFAULT_FOLDS, seed: int = DEFAULT_SEED) -> list[list[int]]:
    """Split item indices into ``n_folds`` folds stratified by label.

    The items of each class (classes in increasing order) are shuffled with
    ``random.Random(seed)`` and dealt round-robin to the folds, the deal
    continuing from one class to the next, so every fold gets
    ``floor`` or ``ceil`` of ``n_k / n_folds`` items of class k and fold sizes
    differ by at most one. Pure Python; the same arguments always give the same folds.

    Parameters
    ----------
    labels : sequence of int, shape (N,)
    n_folds : int, at least 2 and at most N
    seed : int

    Returns
    -------
    list of ``n_folds`` lists of int
        Each fold's items (its test set), ascending.

    Examples
    --------
    >>> stratified_folds([0, 0, 0, 1, 1, 1], n_folds=3, seed=0)
    [[0, 5], [1, 3], [2, 4]]
    """
    if not isinstance(n_folds, int) or n_folds < 2:
        raise CrossValError(f"need at least 2 folds, got {n_folds!r}")
    if len(labels) < n_folds:
        raise CrossValError(f"{len(labels)} items cannot be split into {n_folds} folds; need at least {n_folds} items")
    rng = random.Random(seed)
    by_class = {}
    for i, label in enumerate(labels):
        by_class.setdefault(label, []).append(i)
    folds = [[] for _ in range(n_folds)]
    position = 0
    for label in sorted(by_class):
        members = by_class[label]
        _shuffle(members, rng)
        for i in members:
            folds[position % n_folds].append(i)
            position += 1
    return [sorted(fold) for fold in folds]


def _iter_check_inputs(features: Any, labels: Any, n_classes: int, due: Due | None) -> Steps[float, list[int]]:
    """Validate the inputs (a generator yielding its progress); return the labels as a list of Python ints."""
    if not isinstance(n_classes, int) or n_classes < 1:
        raise CrossValError(f"n_classes must be a positive integer, got {n_classes!r}")
    if len(features) != len(labels):
        raise CrossValError(f"{len(features)} feature rows but {len(labels)} labels")
    if len(features) == 0:
        raise CrossValError("no items")
    n, dim = len(features), len(features[0])
    if dim == 0:
        raise CrossValError("item 0 has no features")
    check_every = max(1, svm.CHECK_WORK // dim)
    for i, row in enumerate(features):
        if due is not None and i % check_every == 0 and due():
            yield 0.5 * i / n
        if len(row) != dim:
            raise CrossValError(f"item {i} has {len(row)} features, expected {dim}")
        if not math.isfinite(sum(row)):  # the sum is finite if every value is (rarely it overflows: look)
            for j, x in enumerate(row):
                if not math.isfinite(x):
                    raise CrossValError(f"item {i}, feature {j} is not finite: {x!r}")
    out = []
    for i, label in enumerate(labels):
        if due is not None and i % svm.CHECK_WORK == 0 and due():
            yield 0.5 + 0.5 * i / n
        if isinstance(label, bool) or not isinstance(label, numbers.Integral) or not 0 <= label < n_classes:
            raise CrossValError(f"item {i}: label {label!r} is not a class index in 0..{n_classes - 1}")
        out.append(int(label))
    return out


def _check_hyperparameters(C, gamma, slice_seconds):
    if not (isinstance(C, (int, float)) and math.isfinite(C) and C > 0):
        raise CrossValError(f"C must be a positive number, got {C!r}")
    if not (isinstance(gamma, (int, float)) and math.isfinite(gamma) and gamma > 0):
        raise CrossValError(f"gamma must be a positive number, got {gamma!r}")
    if slice_seconds is not None and not (isinstance(slice_seconds, (int, float)) and 0 <= slice_seconds < math.inf):
        raise CrossValError(f"slice_seconds must be None or a number >= 0, got {slice_seconds!r}")


def sklearn_available() -> bool:
    """True if numpy and scikit-learn can be imported (the ``sklearn`` engine can run)."""
    try:
        import numpy  # noqa: F401
        import sklearn  # noqa: F401
    except ImportError:
        return False
    return True


def resolve_engine(engine: str) -> str:
    """Map ``"auto"`` to ``"sklearn"`` or ``"builtin"``; validate the name."""
    if engine not in ENGINES:
        raise CrossValError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    if engine == "auto":
        return "sklearn" if sklearn_available() else "builtin"
    return engine


class _Clock:
    """Computing time: slices since the last resume, and the total without the pauses."""

    def __init__(self, slice_seconds):
        self.slice_seconds = slice_seconds
        self.resumed = time.perf_counter()
        self.computed = 0.0

    def due(self):
        return time.perf_counter() - self.resumed >= self.slice_seconds

    def pause(self, step=None):
        """Stop counting (the caller is about to yield ``step``); return ``step``."""
        self.computed += time.perf_counter() - self.resumed
        return step

    def resume(self):
        self.resumed = time.perf_counter()


def iter_out_of_sample_probabilities(
    features: Sequence[Sequence[float]],
    labels: Sequence[int],
    n_classes: int,
    *,
    engine: str = "auto",
    C: float = DEFAULT_C,
    gamma: float = DEFAULT_GAMMA,
    n_folds: int = DEFAULT_FOLDS,
    seed: int = DEFAULT_SEED,
    slice_seconds: float | None = DEFAULT_SLICE_SECONDS,
    cancelled: Callable[[], bool] | None = None,
) -> Steps[Progress, CVResult]:
    """Cross-validate in slices of computing time: a generator of :class:`Progress`, returning a :class:`CVResult`.

    ``features``: N rows of D finite floats; ``labels``: N class indices in
    ``0..n_classes-1``. The generator yields a :class:`Progress` whenever
    about ``slice_seconds`` of computing have passed since it was last resumed
    (checked about every millisecond of work; ``0`` pauses at every check,
    ``None`` never), so a browser can ``await asyncio.sleep(0)`` at each step
    and stay responsive. Its *return value* (the ``value`` of the
    ``StopIteration`` that ends it) is the :class:`CVResult`; the results do
    not depend on where it paused. Stopping the iteration abandons the run.
    ``cancelled()``, if given, is called whenever the run resumes after a
    pause; when it returns True the run stops with :class:`Cancelled`
    (:mod:`cleanlens.steps`' convention). Raises :class:`CrossValError` for
    unusable inputs (during the iteration, as it is a generator).
    """
    clock = _Clock(0.0 if slice_seconds is None else slice_seconds)
    _check_hyperparameters(C, gamma, slice_seconds)
    due = None if slice_seconds is None else clock.due
    engine = resolve_engine(engine)
    labels = yield from _stage(_iter_check_inputs(features, labels, n_classes, due), "check", 0, n_folds, 0.0, 0.0)
    folds = stratified_folds(labels, n_folds, seed)
    run = _builtin_steps if engine == "builtin" else _sklearn_steps
    steps = run(features, labels, n_classes, folds, C, gamma, due)
    if cancelled is not None:
        steps = cancellable(steps, cancelled)
    probabilities, versions = yield from relay(steps, clock.pause, clock.resume)
    clock.pause()
    return CVResult(
        probabilities=probabilities,
        engine=engine,
        versions={"python": platform.python_version(), "cleanlens": __version__, **versions},
        C=float(C),
        gamma=float(gamma),
        n_folds=n_folds,
        seed=seed,
        seconds=clock.computed,
        folds=folds,
        calibration=CALIBRATION,
        warnings=labelling_warnings(labels, n_classes, n_folds),
    )


def out_of_sample_probabilities(
    features: Sequence[Sequence[float]],
    labels: Sequence[int],
    n_classes: int,
    *,
    engine: str = "auto",
    C: float = DEFAULT_C,
    gamma: float = DEFAULT_GAMMA,
    n_folds: int = DEFAULT_FOLDS,
    seed: int = DEFAULT_SEED,
    slice_seconds: float | None = DEFAULT_SLICE_SECONDS,
    progress: Callable[[Progress], object] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> CVResult:
    """Out-of-sample probabilities by cross-validation: :func:`iter_out_of_sample_probabilities` run to the end.

    Parameters
    ----------
    features : sequence of sequences of float, shape (N, D)
    labels : sequence of int, shape (N,)
        Class indices 0..n_classes-1.
    n_classes : int
        K.
    engine : {"auto", "sklearn", "builtin"}
    C, gamma : float
        The RBF SVM's hyperparameters (on standardised features).
    n_folds, seed : int
        The stratified folds (:func:`stratified_folds`).
    slice_seconds : float or None
        Computing time between two steps of the generator (irrelevant here).
    progress : callable, optional
        Called with every :class:`Progress`.
    cancelled : callable, optional
        Called at every step; the run stops with :class:`Cancelled` when it returns True.

    Returns
    -------
    CVResult
        ``probabilities``: N lists of K floats, each item's from a model that never saw it.

    Examples
    --------
    >>> features = [[0.0, 0.1], [0.2, 0.0], [0.1, 0.3], [0.3, 0.2], [0.2, 0.2],
    ...             [3.0, 3.1], [3.2, 2.9], [2.9, 3.3], [3.1, 3.0], [3.3, 3.2]]
    >>> result = out_of_sample_probabilities(features, [0] * 5 + [1] * 5, 2, engine="builtin")
    >>> [max(range(2), key=row.__getitem__) for row in result.probabilities]
    [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    >>> result.engine, result.n_folds
    ('builtin', 5)
    """
    steps = iter_out_of_sample_probabilities(
        features,
        labels,
        n_classes,
        engine=engine,
        C=C,
        gamma=gamma,
        n_folds=n_folds,
        seed=seed,
        slice_seconds=slice_seconds,
        cancelled=cancelled,
    )
    return drain(steps, progress)


def _stage(
    steps: Steps[float, Any], stage: str, fold: int, n_folds: int, start: float, share: float
) -> Steps[Progress, Any]:
    """Run a sub-generator, turning its progress x (0..1) into ``Progress(stage, fold, n_folds, start + share x)``.

    Returns the sub-generator's return value.
    """
    return relay(steps, lambda x: Progress(stage, fold, n_folds, start + share * x))


def _train_sets(n, folds):
    for test in folds:
        held_out = set(test)
        yield [i for i in range(n) if i not in held_out], test


# --- built-in engine -------------------------------------------------------

_kernel_cache = {}
"""One entry: (gamma, features as tuples) -> kernel rows, so retraining after a relabelling reuses the kernel."""

KERNEL_SHARE = 0.3
"""Rough share of the built-in engine's work spent on the kernel (for Progress.fraction)."""
CALIBRATION_SHARE = 0.05
"""Rough share of the work spent on the sigmoids and the coupling (for Progress.fraction)."""


def _iter_kernel(features, gamma, due):
    """Standardise, then compute the kernel rows; a generator yielding its progress, returning the rows."""
    points = yield from scaled(svm.iter_standardize(features, due), 0.0, 0.02)
    n = len(points)
    rows = []
    for i, row in enumerate(svm.rbf_kernel_rows(points, gamma)):
        rows.append(row)
        if due is not None and due():
            left = n - i - 1
            yield 0.02 + 0.98 * (1.0 - (left * left) / (n * n))  # row i computes n - i - 1 new entries
    return rows


def _iter_cache_key(features, gamma, due):
    """The kernel cache's key, ``(gamma, features as tuples)``, built a few rows at a time."""
    check_every = max(1, svm.CHECK_WORK // len(features[0]))
    rows = []
    for i, row in enumerate(features):
        if due is not None and i % check_every == 0 and due():
            yield 0.0
        rows.append(tuple(row))
    return gamma, tuple(rows)


def _builtin_steps(features, labels, n_classes, folds, C, gamma, due):
    n, n_folds = len(labels), len(folds)
    key = yield from _stage(_iter_cache_key(features, gamma, due), "kernel", 0, n_folds, 0.0, 0.0)
    kernel = _kernel_cache.get(key)
    if kernel is None:
        kernel = yield from _stage(_iter_kernel(features, gamma, due), "kernel", 0, n_folds, 0.0, KERNEL_SHARE)
        _kernel_cache.clear()
        _kernel_cache[key] = kernel
    fold_classes, decisions = [], [None] * n
    share = (1.0 - KERNEL_SHARE - CALIBRATION_SHARE) / n_folds
    for f, (train, test) in enumerate(_train_sets(n, folds)):
        steps = svm.iter_one_vs_one(kernel, labels, train, test, C, due=due)
        classes, _, values = yield from _stage(steps, "fold", f, n_folds, KERNEL_SHARE + f * share, share)
        fold_classes.append(classes)
        for i, row in zip(test, values):
            decisions[i] = row
    steps = pairwise.iter_pairwise_probabilities(labels, n_classes, folds, fold_classes, decisions, due)
    probabilities = yield from _stage(
        steps, "calibration", n_folds, n_folds, 1.0 - CALIBRATION_SHARE, CALIBRATION_SHARE
    )
    return probabilities, {}


# --- scikit-learn engine ---------------------------------------------------


def _sklearn_steps(features, labels, n_classes, folds, C, gamma, due):
    import numpy as np
    import sklearn
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC
    from threadpoolctl import threadpool_limits  # a scikit-learn dependency

    n, n_folds = len(labels), len(folds)
    X = np.asarray(features, dtype=float)
    huge = np.abs(X).max(axis=0) > HUGE_FEATURE
    if huge.any():  # squares would overflow in the scaler: divide those columns by their largest magnitude
        X = X.copy()  # (np.asarray may have returned the caller's array)
        X[:, huge] /= np.abs(X[:, huge]).max(axis=0)
    X = StandardScaler().fit_transform(X)
    y = np.asarray(labels)
    fold_classes, decisions = [], [None] * n
    share = (1.0 - CALIBRATION_SHARE) / n_folds
    for f, (train, test) in enumerate(_train_sets(n, folds)):
        classes = sorted(set(labels[i] for i in train))
        if len(classes) == 1:
            values = [[] for _ in test]
        else:
            model = SVC(kernel="rbf", C=C, gamma=gamma, shrinking=False, decision_function_shape="ovo")
            # One thread: these problems are small, and BLAS/OpenMP thread pools
            # made a run 2-15x slower on a busy 2-core machine (0.11 s vs 0.24-1.7 s on the demo).
            with threadpool_limits(limits=1):
                model.fit(X[train], y[train])
                if due is not None and due():
                    yield Progress("fold", f, n_folds, (f + 0.9) * share)
                values = model.decision_function(X[test])
            # scikit-learn's binary decision function is -f (positive means the second class).
            values = (-values).reshape(-1, 1).tolist() if len(classes) == 2 else values.tolist()
        fold_classes.append(classes)
        for i, row in zip(test, values):
            decisions[i] = row
        if due is not None and due():
            yield Progress("fold", f + 1, n_folds, (f + 1) * share)
    steps = pairwise_arrays.iter_pairwise_probabilities_array(labels, n_classes, folds, fold_classes, decisions, due)
    probabilities = yield from _stage(
        steps, "calibration", n_folds, n_folds, 1.0 - CALIBRATION_SHARE, CALIBRATION_SHARE
    )
    return probabilities, {"scikit-learn": sklearn.__version__, "numpy": np.__version__}


_TUNING_NAMES = {"iter_tune", "tune", "scale_gamma", "iter_scale_gamma", "TuneProgress", "TuneResult"}


def __getattr__(name):
    """The search for C and gamma and scikit-learn's ``gamma='scale'`` (:mod:`cleanlens.tuning`), from here too."""
    if name in _TUNING_NAMES:
        from . import tuning

        return getattr(tuning, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
