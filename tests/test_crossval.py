"""Cross-validation: folds, engines, parity between them, degenerate inputs, progress and cancel."""

import glob
import os

import numpy as np
import pytest

from bench.bench_engine import synthetic_blobs
from cleanlens import crossval
from cleanlens.crossval import CrossValError, out_of_sample_probabilities, stratified_folds
from cleanlens.dataset import load_dataset
from cleanlens.steps import Cancelled, collect

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMOS = sorted(glob.glob(os.path.join(ROOT, "embeddings", "*.json")))


# --- folds ------------------------------------------------------------------


def test_folds_partition_and_stratify():
    labels = [0] * 23 + [1] * 11 + [2] * 4
    folds = stratified_folds(labels, 5, seed=3)
    assert sorted(i for f in folds for i in f) == list(range(len(labels)))
    assert all(f == sorted(f) for f in folds)
    sizes = [len(f) for f in folds]
    assert max(sizes) - min(sizes) <= 1
    for k, n_k in enumerate([23, 11, 4]):
        per_fold = [sum(labels[i] == k for i in f) for f in folds]
        assert set(per_fold) <= {n_k // 5, -(-n_k // 5)}


def test_folds_are_deterministic_and_depend_on_the_seed():
    labels = [i % 3 for i in range(60)]
    assert stratified_folds(labels, 5, 0) == stratified_folds(labels, 5, 0)
    assert stratified_folds(labels, 5, 0) != stratified_folds(labels, 5, 1)


def test_folds_golden_value():
    # Pinned: the same seed must give the same folds on every Python (3.11 here, 3.14 in Pyodide).
    assert stratified_folds([0, 0, 0, 1, 1, 1, 1, 2], 3, seed=0) == [[0, 4, 5], [1, 6, 7], [2, 3]]


def test_folds_need_enough_items():
    with pytest.raises(CrossValError, match="3 items cannot be split into 5 folds"):
        stratified_folds([0, 1, 0], 5, 0)
    with pytest.raises(CrossValError, match="at least 2 folds"):
        stratified_folds([0, 1, 0], 1, 0)


# --- engines ----------------------------------------------------------------


@pytest.fixture(scope="module")
def blobs():
    return synthetic_blobs(n=150, dim=16, n_classes=3, seed=4)


@pytest.fixture(scope="module")
def builtin_result(blobs):
    features, labels, _ = blobs
    return out_of_sample_probabilities(features, labels, 3, engine="builtin")


def test_builtin_result_fields_and_determinism(blobs, builtin_result):
    features, labels, _ = blobs
    r = builtin_result
    assert r.engine == "builtin" and set(r.versions) == {"python", "cleanlens"}
    assert (r.C, r.gamma, r.n_folds, r.seed) == (crossval.DEFAULT_C, crossval.DEFAULT_GAMMA, 5, 0)
    assert r.folds == stratified_folds(labels, 5, 0) and r.seconds > 0 and r.warnings == []
    assert len(r.probabilities) == 150 and all(type(row) is list and len(row) == 3 for row in r.probabilities)
    assert all(abs(sum(row) - 1.0) < 1e-12 for row in r.probabilities)
    crossval._kernel_cache.clear()
    again = out_of_sample_probabilities(features, labels, 3, engine="builtin")
    assert again.probabilities == r.probabilities


def test_sklearn_engine_fields(blobs):
    features, labels, _ = blobs
    r = out_of_sample_probabilities(features, labels, 3, engine="sklearn", n_folds=3, seed=1)
    assert r.engine == "sklearn" and {"scikit-learn", "numpy"} <= set(r.versions)
    assert r.calibration == crossval.CALIBRATION
    assert all(type(p) is float for row in r.probabilities for p in row)
    assert crossval.resolve_engine("auto") == "sklearn"


def _engine_difference(features, labels, n_classes, **kwargs):
    """Max |p_builtin - p_sklearn| over all items and classes (same folds, same model)."""
    a = np.array(out_of_sample_probabilities(features, labels, n_classes, engine="builtin", **kwargs).probabilities)
    b = np.array(out_of_sample_probabilities(features, labels, n_classes, engine="sklearn", **kwargs).probabilities)
    return np.max(np.abs(a - b))


@pytest.mark.parametrize(
    ("n", "dim", "n_classes", "seed"),
    [(300, 32, 3, 0), (300, 32, 3, 1), (240, 8, 2, 2), (400, 16, 4, 3), (150, 5, 6, 4)],
)
def test_engines_agree_on_synthetic_data(n, dim, n_classes, seed):
    features, labels, _ = synthetic_blobs(n=n, dim=dim, n_classes=n_classes, seed=seed)
    assert _engine_difference(features, labels, n_classes, seed=seed) <= 1e-9


@pytest.mark.parametrize("path", DEMOS, ids=os.path.basename)
@pytest.mark.parametrize(("C", "gamma"), [(crossval.DEFAULT_C, crossval.DEFAULT_GAMMA), (10.0, 0.03)])
def test_engines_agree_on_the_demo(path, C, gamma):
    ds = load_dataset(path)
    assert _engine_difference(ds.features, ds.given, len(ds.classes), C=C, gamma=gamma) <= 1e-9


def test_builtin_engine_reuses_the_kernel_after_a_relabelling(blobs, builtin_result):
    features, labels, _ = blobs
    out_of_sample_probabilities(features, labels, 3, engine="builtin")
    (kernel,) = crossval._kernel_cache.values()
    relabelled = [1] + labels[1:]
    r = out_of_sample_probabilities(features, relabelled, 3, engine="builtin")
    assert next(iter(crossval._kernel_cache.values())) is kernel
    assert r.probabilities != builtin_result.probabilities


# --- degenerate inputs --------------------------------------------------------


@pytest.mark.parametrize("engine", ["builtin", "sklearn"])
def test_single_class_gives_certain_probabilities_and_a_warning(engine):
    features, _, _ = synthetic_blobs(n=20, dim=3, seed=1)
    r = out_of_sample_probabilities(features, [1] * 20, 3, engine=engine)
    assert r.probabilities == [[0.0, 1.0, 0.0]] * 20
    assert [w.code for w in r.warnings] == ["single-class"]


@pytest.mark.parametrize("engine", ["builtin", "sklearn"])
def test_empty_class_gets_probability_zero(engine):
    features, labels, _ = synthetic_blobs(n=60, dim=4, n_classes=2, seed=2)
    r = out_of_sample_probabilities(features, labels, 3, engine=engine)
    assert all(row[2] == 0.0 for row in r.probabilities)
    assert [w.code for w in r.warnings] == ["empty-class"]


def test_small_class_missing_from_some_training_folds():
    features, labels, _ = synthetic_blobs(n=60, dim=4, n_classes=2, seed=2)
    labels = list(labels)
    labels[0] = 2  # one item: its fold's training set has none of class 2; pairs (0, 2) and (1, 2) pool one class each
    r = out_of_sample_probabilities(features, labels, 3, engine="builtin")
    assert all(abs(sum(row) - 1.0) < 1e-12 for row in r.probabilities)
    assert [w.code for w in r.warnings] == ["small-class"]
    lacking = [f for f, test in enumerate(r.folds) if all(labels[i] != 2 for i in range(60) if i not in test)]
    assert lacking and all(r.probabilities[i][2] == 0.0 for f in lacking for i in r.folds[f])
    assert _engine_difference(features, labels, 3) <= 1e-9


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"labels": [0, 1, 3]}, r"item 2: label 3 is not a class index in 0\.\.2"),
        ({"features": [[0.0], [1.0, 2.0], [3.0]]}, "item 1 has 2 features, expected 1"),
        ({"features": [[0.0], [float("nan")], [3.0]]}, "item 1, feature 0 is not finite"),
        ({"labels": [0, 1]}, "3 feature rows but 2 labels"),
        ({"C": 0}, "C must be a positive number"),
        ({"gamma": float("inf")}, "gamma must be a positive number"),
        ({"engine": "torch"}, "unknown engine 'torch'"),
        ({"n_folds": 5}, "3 items cannot be split into 5 folds"),
    ],
)
def test_bad_inputs_raise_clear_errors(kwargs, message):
    args = {"features": [[0.0], [1.0], [2.0]], "labels": [0, 1, 2], "n_classes": 3, "n_folds": 2}
    args.update(kwargs)
    with pytest.raises(CrossValError, match=message):
        out_of_sample_probabilities(args.pop("features"), args.pop("labels"), args.pop("n_classes"), **args)


# --- progress, pauses and cancel -------------------------------------------------------


def test_generator_yields_progress_and_returns_the_result(blobs, builtin_result):
    features, labels, _ = blobs
    crossval._kernel_cache.clear()
    steps, result = collect(
        crossval.iter_out_of_sample_probabilities(features, labels, 3, engine="builtin", slice_seconds=0)
    )
    assert isinstance(result, crossval.CVResult) and result.probabilities == builtin_result.probabilities
    assert all(isinstance(s, crossval.Progress) for s in steps)
    stages = [s.stage for s in steps]
    assert stages == sorted(stages, key=["check", "kernel", "fold", "calibration"].index)
    assert {"kernel", "fold", "calibration"} <= set(stages)
    fractions = [s.fraction for s in steps]
    assert fractions == sorted(fractions) and 0.0 <= fractions[0] and fractions[-1] <= 1.0
    assert [s.fold for s in steps] == sorted(s.fold for s in steps) and steps[-1].fold == 5


@pytest.mark.parametrize("engine", ["builtin", "sklearn"])
def test_pausing_at_every_check_changes_nothing(engine):
    features, labels, _ = synthetic_blobs(n=200, dim=8, n_classes=4, seed=3)
    crossval._kernel_cache.clear()
    never, result = collect(
        crossval.iter_out_of_sample_probabilities(features, labels, 4, engine=engine, slice_seconds=None)
    )
    crossval._kernel_cache.clear()
    always, paused = collect(
        crossval.iter_out_of_sample_probabilities(features, labels, 4, engine=engine, slice_seconds=0)
    )
    assert never == [] and len(always) > (100 if engine == "builtin" else 5)
    assert paused.probabilities == result.probabilities


@pytest.mark.parametrize("engine", ["builtin", "sklearn"])
def test_cancel_stops_thecollect(blobs, engine):
    features, labels, _ = blobs
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 2

    crossval._kernel_cache.clear()
    steps = crossval.iter_out_of_sample_probabilities(
        features, labels, 3, engine=engine, slice_seconds=0, cancelled=cancelled
    )
    with pytest.raises(Cancelled):
        collect(steps)
    assert len(calls) == 3


def test_bad_slice_seconds():
    with pytest.raises(CrossValError, match="slice_seconds"):
        out_of_sample_probabilities([[0.0], [1.0]], [0, 1], 2, n_folds=2, slice_seconds=-1)


def test_numpy_inputs_are_accepted(blobs, builtin_result):
    features, labels, _ = blobs
    r = out_of_sample_probabilities(np.array(features), np.array(labels), 3, engine="builtin")
    assert r.probabilities == builtin_result.probabilities


@pytest.mark.parametrize("scale", [1e200, 1e307])
def test_features_near_the_largest_float_train_in_both_engines_alike(scale):
    """Squares of such features overflow: both engines divide those columns by their largest magnitude first,
    which leaves the z-scores (and so the model) as they would be for the unscaled column."""
    features, labels, _ = synthetic_blobs(n=90, dim=4, n_classes=3, seed=5)
    huge = [[x * scale if j == 0 else x for j, x in enumerate(row)] for row in features]
    plain = np.array(out_of_sample_probabilities(features, labels, 3, engine="builtin").probabilities)
    for engine in ("builtin", "sklearn"):
        p = np.array(out_of_sample_probabilities(huge, labels, 3, engine=engine).probabilities)
        assert np.all(np.isfinite(p)) and np.max(np.abs(p - plain)) <= 1e-9, engine
