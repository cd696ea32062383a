"""Out-of-sample predicted probabilities by stratified K-fold cross-validation.

Every item gets class probabilities from a model that never saw it: the items
are split into ``n_folds`` stratified folds (:func:`stratified_folds`, pure
Python and seeded, so both engines use exactly the same folds and the same
inputs always give the same outputs); for each fold a model is trained on the
other folds and predicts the held-out fold.

The model, for both engines: features standardised (z-scores), an RBF support
vector classifier ``SVC(kernel="rbf", C, gamma)`` (one-vs-one inside, with
scikit-learn's one-vs-rest shaped decision function) and one Platt sigmoid per
class on that decision function, normalised to sum to 1 (for two classes one
sigmoid, p and 1 - p). Two engines compute it:

``sklearn``
    ``CalibratedClassifierCV(SVC(kernel="rbf", C=C, gamma=gamma,
    shrinking=False), ensemble=False)`` per training fold (scikit-learn >= 1.6;
    numpy and scikit-learn are imported only here). Its sigmoids are fitted on
    decision values from an inner 5-fold cross-validation of the training
    fold. (``shrinking=False``: libsvm's shrinking is only a speed heuristic,
    no faster at these sizes; without it libsvm takes exactly the built-in
    solver's steps, while with it the SVMs may differ within the stopping
    tolerance, up to ~1e-3 in decision values.)
``builtin``
    Standard library only (:mod:`cleanlens.svm`), for a browser without numpy.
    The same SVMs (libsvm's solver replicated: same iterations, same support
    vectors, decision values equal to ~1e-12), but each class sigmoid is fitted once on
    the pooled out-of-fold decision values of all outer folds instead of by an
    inner cross-validation in every fold: one SVM per class pair per fold
    instead of six. The SVM that scores an item never sees it; the sigmoid
    (2 parameters per class, fitted on all N items) does use each item's own
    given label as one of its N points.
``auto``
    ``sklearn`` if numpy and scikit-learn import, else ``builtin``.

Why pooled sigmoids (measured on the demo embeddings/fashion3.json, 300 items,
K=3, C=3, gamma=0.003, same outer folds; AMD EPYC, 2 shared cores,
2026-11-28): an exact replica of CalibratedClassifierCV's inner 5-fold
calibration in pure Python matched the sklearn engine to mean |dp| 5e-6 but
took 1.6 s in Pyodide (0.7 s CPython); the pooled variant takes 0.41-0.44 s
in Pyodide (0.18 s CPython; budget 0.5 s) and agrees with the sklearn engine
on 100% of argmaxes, mean |dp| 0.008, max 0.038 (parity bar: >= 97%, <= 0.03).
Fitting each fold's sigmoids on the other folds' pooled values instead was
about as close (mean 0.007, max 0.052) at the same cost.
Both engines differ from libsvm's own ``SVC(probability=True)`` (pairwise
Platt sigmoids plus pairwise coupling), which is a different model (mean |dp|
~0.07 from CalibratedClassifierCV on demo-like data), so neither uses it.

Standardisation uses the mean and std of *all* items' features, not the
training fold's: it uses no labels, and it lets the built-in engine compute the
N x N kernel once per (features, gamma) and reuse it for every fold, class
pair and relabelling (per-fold scaling would need one kernel per fold). On the
demo, per-fold scaling would change the sklearn engine's probabilities by mean
|dp| 0.004 (argmax agreement 99.3%).

Defaults ``C = 3``, ``gamma = 0.003`` (on standardised features), chosen on
the demo over C in {1, 3, 10, 30} x gamma in {0.001, 0.003, 0.01, 1/32}, each
scored over 3 fold seeds: out-of-sample log loss and accuracy against the true
labels (in-distribution items) and the mean F1 of the flagged items over the
threshold sweep grid (q_ood <= q_class). Log loss is flat along C * gamma ~
0.003-0.03 (0.143-0.155); C=3, gamma=0.003 has 0.152 (accuracy 96.8%) and the
best mean sweep F1 (0.32; F1 0.48 at the default 50/15 percentiles, 0.65 with
the cleanlab rule). gamma = 1/32 (scikit-learn's "scale" on standardised
data) and C >= 10 with gamma >= 0.01 were worse (log loss 0.17-0.25). An
earlier draft of the demo (other classes) put C=3, gamma=0.003 in its optimum
too. (The original app used C=10, gamma=0.01 on unstandardised embeddings.)

Determinism: the same inputs give the same outputs on a given runtime. The
folds are identical everywhere; the built-in engine's probabilities under
CPython and Pyodide differ in the last digits (max 2e-5 on the demo: the C
libraries' ``exp`` differ in the last bit, which can change an SMO step).

Degenerate labellings are handled, not crashed on: a class with no items gets
probability 0 (and no model); a training fold with a single class predicts it
with probability 1; the sklearn engine needs at least 5 items of every class
present in each training fold (its inner 5-fold calibration) and raises
:class:`CrossValError` otherwise.
"""

from __future__ import annotations

import math
import numbers
import platform
import random
import time
from dataclasses import dataclass, field

from . import __version__, svm
from .confident import labelling_warnings

ENGINES = ("auto", "sklearn", "builtin")
DEFAULT_C = 3.0
DEFAULT_GAMMA = 0.003
DEFAULT_FOLDS = 5
DEFAULT_SEED = 0
INNER_FOLDS = 5
"""Inner folds of CalibratedClassifierCV (its default ``cv``) in the sklearn engine."""


class CrossValError(ValueError):
    """The inputs cannot be cross-validated; the message says why."""


class Cancelled(Exception):
    """Raised by a ``cancel`` callable to stop a running cross-validation."""


@dataclass
class CVResult:
    """Out-of-sample probabilities and how they were made.

    ``probabilities``: N lists of K floats (plain lists). ``engine``:
    ``"builtin"`` or ``"sklearn"``. ``versions``: name -> version string of
    python, cleanlens and, for the sklearn engine, scikit-learn and numpy.
    ``folds``: the test indices of each fold. ``seconds``: wall time spent
    computing (pauses between the steps of
    :func:`iter_out_of_sample_probabilities` are not counted).
    ``warnings``: :class:`~cleanlens.confident.LabellingWarning` list.
    """

    probabilities: list
    engine: str
    versions: dict
    C: float
    gamma: float
    n_folds: int
    seed: int
    seconds: float
    folds: list
    calibration: str
    warnings: list = field(default_factory=list)


@dataclass
class Progress:
    """One step of :func:`iter_out_of_sample_probabilities`.

    ``stage``: ``"kernel"`` (computing the kernel matrix), ``"fold"`` (after a
    class pair or a fold was trained) or ``"done"``; ``fold``: folds finished;
    ``fraction``: rough share of the work done, 0..1; ``result``: the
    :class:`CVResult`, only on the final ``"done"`` step.
    """

    stage: str
    fold: int
    n_folds: int
    fraction: float
    result: CVResult | None = None


def _shuffle(items, rng):
    # Fisher-Yates driven by rng.random() only: Python guarantees random() is
    # reproducible across versions for a given seed, not shuffle()/randrange().
    for i in range(len(items) - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        items[i], items[j] = items[j], items[i]


def stratified_folds(labels, n_folds=DEFAULT_FOLDS, seed=DEFAULT_SEED):
    """Split item indices into ``n_folds`` folds stratified by label.

    The items of each class (classes in increasing order) are shuffled with
    ``random.Random(seed)`` and dealt round-robin to the folds, the deal
    continuing from one class to the next, so every fold gets
    ``floor`` or ``ceil`` of ``n_k / n_folds`` items of class k and fold sizes
    differ by at most one. Returns ``n_folds`` sorted lists of indices
    (the test sets). Pure Python; the same arguments always give the same folds.
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


def _check_inputs(features, labels, n_classes):
    """Validate; return the labels as a list of Python ints."""
    if not isinstance(n_classes, int) or n_classes < 1:
        raise CrossValError(f"n_classes must be a positive integer, got {n_classes!r}")
    if len(features) != len(labels):
        raise CrossValError(f"{len(features)} feature rows but {len(labels)} labels")
    if len(features) == 0:
        raise CrossValError("no items")
    dim = len(features[0])
    if dim == 0:
        raise CrossValError("item 0 has no features")
    for i, row in enumerate(features):
        if len(row) != dim:
            raise CrossValError(f"item {i} has {len(row)} features, expected {dim}")
        for j, x in enumerate(row):
            if not math.isfinite(x):
                raise CrossValError(f"item {i}, feature {j} is not finite: {x!r}")
    out = []
    for i, label in enumerate(labels):
        if isinstance(label, bool) or not isinstance(label, numbers.Integral) or not 0 <= label < n_classes:
            raise CrossValError(f"item {i}: label {label!r} is not a class index in 0..{n_classes - 1}")
        out.append(int(label))
    return out


def _check_hyperparameters(C, gamma):
    if not (isinstance(C, (int, float)) and math.isfinite(C) and C > 0):
        raise CrossValError(f"C must be a positive number, got {C!r}")
    if not (isinstance(gamma, (int, float)) and math.isfinite(gamma) and gamma > 0):
        raise CrossValError(f"gamma must be a positive number, got {gamma!r}")


def sklearn_available():
    """True if numpy and scikit-learn can be imported (the ``sklearn`` engine can run)."""
    try:
        import numpy  # noqa: F401
        import sklearn  # noqa: F401
    except ImportError:
        return False
    return True


def resolve_engine(engine):
    """Map ``"auto"`` to ``"sklearn"`` or ``"builtin"``; validate the name."""
    if engine not in ENGINES:
        raise CrossValError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    if engine == "auto":
        return "sklearn" if sklearn_available() else "builtin"
    return engine


def iter_out_of_sample_probabilities(
    features,
    labels,
    n_classes,
    *,
    engine="auto",
    C=DEFAULT_C,
    gamma=DEFAULT_GAMMA,
    n_folds=DEFAULT_FOLDS,
    seed=DEFAULT_SEED,
    cancel=None,
):
    """Cross-validate step by step: a generator of :class:`Progress`.

    ``features``: N rows of D finite floats; ``labels``: N class indices in
    ``0..n_classes-1``. Yields after every chunk of kernel rows, every class
    pair (builtin) or fold (sklearn), so a browser can ``await
    asyncio.sleep(0)`` between steps; the last step has ``stage == "done"``
    and ``result`` set (a :class:`CVResult`). Stopping the iteration abandons
    the run. ``cancel()``, if given, is called at every step and may raise
    :class:`Cancelled`. Raises :class:`CrossValError` for unusable inputs
    (on the first step, as it is a generator).
    """
    resumed = time.perf_counter()
    labels = _check_inputs(features, labels, n_classes)
    _check_hyperparameters(C, gamma)
    engine = resolve_engine(engine)
    folds = stratified_folds(labels, n_folds, seed)
    warnings = labelling_warnings(labels, n_classes, n_folds)
    run = _builtin_steps if engine == "builtin" else _sklearn_steps
    steps = run(features, labels, n_classes, folds, C, gamma, cancel)
    seconds = 0.0  # time spent here, not paused between steps
    for step in steps:
        if not isinstance(step, Progress):
            probabilities, versions, calibration = step
            break
        seconds += time.perf_counter() - resumed
        yield step
        resumed = time.perf_counter()
    result = CVResult(
        probabilities=probabilities,
        engine=engine,
        versions={"python": platform.python_version(), "cleanlens": __version__, **versions},
        C=float(C),
        gamma=float(gamma),
        n_folds=n_folds,
        seed=seed,
        seconds=seconds + time.perf_counter() - resumed,
        folds=folds,
        calibration=calibration,
        warnings=warnings,
    )
    yield Progress("done", n_folds, n_folds, 1.0, result)


def out_of_sample_probabilities(
    features,
    labels,
    n_classes,
    *,
    engine="auto",
    C=DEFAULT_C,
    gamma=DEFAULT_GAMMA,
    n_folds=DEFAULT_FOLDS,
    seed=DEFAULT_SEED,
    progress=None,
    cancel=None,
):
    """Run :func:`iter_out_of_sample_probabilities` to the end and return its :class:`CVResult`.

    ``progress(step)``, if given, is called with every :class:`Progress`.
    """
    for step in iter_out_of_sample_probabilities(
        features, labels, n_classes, engine=engine, C=C, gamma=gamma, n_folds=n_folds, seed=seed, cancel=cancel
    ):
        if progress is not None:
            progress(step)
    return step.result


def _train_sets(n, folds):
    for test in folds:
        held_out = set(test)
        yield [i for i in range(n) if i not in held_out], test


# --- built-in engine -------------------------------------------------------

_kernel_cache = {}
"""One entry: (gamma, features as tuples) -> kernel rows, so retraining after a relabelling reuses the kernel."""

KERNEL_SHARE = 0.3
"""Rough share of the built-in engine's work spent on the kernel (for Progress.fraction)."""


def _builtin_kernel_steps(features, gamma, n_folds, cancel):
    key = (gamma, tuple(map(tuple, features)))
    kernel = _kernel_cache.get(key)
    if kernel is not None:
        return kernel
    n = len(features)
    chunk = max(1, n // 20)
    rows = []
    for i, row in enumerate(svm.rbf_kernel_rows(svm.standardize(features), gamma)):
        rows.append(row)
        if (i + 1) % chunk == 0:
            if cancel is not None:
                cancel()
            yield Progress("kernel", 0, n_folds, KERNEL_SHARE * (i + 1) / n)
    _kernel_cache.clear()
    _kernel_cache[key] = rows
    return rows


def _builtin_steps(features, labels, n_classes, folds, C, gamma, cancel):
    n, n_folds = len(labels), len(folds)
    kernel = yield from _builtin_kernel_steps(features, gamma, n_folds, cancel)
    pair_counts = [len(svm.class_pairs(set(labels[i] for i in train))) for train, _ in _train_sets(n, folds)]
    total_pairs = max(1, sum(pair_counts))
    pairs_done = 0
    # Per fold: the classes its model knows and the test items' decision values.
    fold_classes, decisions = [], [None] * n
    for f, (train, test) in enumerate(_train_sets(n, folds)):
        if cancel is not None:
            cancel()
        present = sorted(set(labels[i] for i in train))
        fold_classes.append(tuple(present))
        if len(present) > 1:
            models = {}
            pairs = svm.class_pairs(present)
            for p, (a, b) in enumerate(pairs):
                if cancel is not None:
                    cancel()
                positive = [i for i in train if labels[i] == a]
                negative = [i for i in train if labels[i] == b]
                models[(a, b)] = svm.train_binary(kernel, positive, negative, C)
                pairs_done += 1
                fraction = KERNEL_SHARE + (1 - KERNEL_SHARE) * pairs_done / total_pairs
                yield Progress("fold", f + 1 if p == len(pairs) - 1 else f, n_folds, fraction)
            for i, values in zip(test, svm.ovr_decision_function(kernel, present, models, test)):
                decisions[i] = values
        else:
            yield Progress("fold", f + 1, n_folds, KERNEL_SHARE + (1 - KERNEL_SHARE) * pairs_done / total_pairs)

    # Calibrate: pool the out-of-fold decision values of all folds whose model
    # has the same classes (normally every fold) and fit one sigmoid per class.
    probabilities = [None] * n
    groups = {}
    for f, test in enumerate(folds):
        groups.setdefault(fold_classes[f], []).extend(test)
    for classes, members in groups.items():
        if len(classes) == 1:
            for i in members:
                probabilities[i] = _one_hot(classes[0], n_classes)
            continue
        values = [decisions[i] for i in members]
        given = [labels[i] for i in members]
        sigmoids = _fit_class_sigmoids(values, given, classes)
        for i, row in zip(members, values):
            probabilities[i] = _calibrated(row, sigmoids, classes, n_classes)
    yield probabilities, {}, "one sigmoid per class on pooled out-of-fold decision values"


def _one_hot(k, n_classes):
    row = [0.0] * n_classes
    row[k] = 1.0
    return row


def _fit_class_sigmoids(values, given, classes):
    """scikit-learn's per-class sigmoids: one for the second class if binary, else one per class (one-vs-rest)."""
    if len(classes) == 2:
        return [svm.sigmoid_train([v[0] for v in values], [g == classes[1] for g in given])]
    return [svm.sigmoid_train([v[k] for v in values], [g == c for g in given]) for k, c in enumerate(classes)]


def _calibrated(row, sigmoids, classes, n_classes):
    """Probabilities for one item from its decision values, as ``_CalibratedClassifier.predict_proba``."""
    out = [0.0] * n_classes
    if len(classes) == 2:
        p = svm.sigmoid_predict(row[0], *sigmoids[0])
        out[classes[1]] = p
        out[classes[0]] = 1.0 - p
        return out
    values = [svm.sigmoid_predict(v, A, B) for v, (A, B) in zip(row, sigmoids)]
    total = sum(values)
    for c, p in zip(classes, values):
        out[c] = p / total if total > 0.0 else 1.0 / len(classes)
    return out


# --- scikit-learn engine ---------------------------------------------------


def _sklearn_steps(features, labels, n_classes, folds, C, gamma, cancel):
    import numpy as np
    import sklearn
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC
    from threadpoolctl import threadpool_limits  # a scikit-learn dependency

    n, n_folds = len(labels), len(folds)
    X = StandardScaler().fit_transform(np.asarray(features, dtype=float))
    y = np.asarray(labels)
    probabilities = np.zeros((n, n_classes))
    for f, (train, test) in enumerate(_train_sets(n, folds)):
        if cancel is not None:
            cancel()
        counts = {}
        for i in train:
            counts[labels[i]] = counts.get(labels[i], 0) + 1
        if len(counts) == 1:
            probabilities[test, next(iter(counts))] = 1.0
        else:
            small = sorted(k for k, m in counts.items() if m < INNER_FOLDS)
            if small:
                k = small[0]
                raise CrossValError(
                    f"class {k} has only {counts[k]} items in the training set of fold {f + 1}; "
                    f"the scikit-learn engine calibrates with {INNER_FOLDS}-fold cross-validation and needs "
                    f"at least {INNER_FOLDS} (give the class more items or use the built-in engine)"
                )
            model = CalibratedClassifierCV(SVC(kernel="rbf", C=C, gamma=gamma, shrinking=False), ensemble=False)
            # One thread: these problems are tiny, and BLAS/OpenMP thread pools
            # made a run 2-15x slower on a busy 2-core machine (0.11 s vs 0.24-1.7 s on the demo).
            with threadpool_limits(limits=1):
                model.fit(X[train], y[train])
                probabilities[np.ix_(test, model.classes_)] = model.predict_proba(X[test])
        yield Progress("fold", f + 1, n_folds, (f + 1) / n_folds)
    versions = {"scikit-learn": sklearn.__version__, "numpy": np.__version__}
    yield probabilities.tolist(), versions, f"CalibratedClassifierCV(ensemble=False, cv={INNER_FOLDS})"
