"""gamma 'scale' as scikit-learn computes it, and the search for C and gamma (Tune)."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.metrics import log_loss as sklearn_log_loss
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from cleanlens import crossval
from cleanlens.crossval import CrossValError, out_of_sample_probabilities
from cleanlens.steps import Cancelled, collect
from cleanlens.tuning import C_VALUES, GAMMA_FACTORS, grid, iter_tune, log_loss, scale_gamma, tune


@pytest.mark.parametrize("loader", [load_wine, load_breast_cancer, load_iris])
def test_scale_gamma_is_scikit_learns_on_standardised_features(loader):
    x, y = loader(return_X_y=True)
    x = np.column_stack([x, np.full(len(x), 3.0)])  # a constant column counts for nothing
    model = SVC(gamma="scale").fit(StandardScaler().fit_transform(x), y)
    assert scale_gamma(x.tolist()) == pytest.approx(model._gamma, rel=1e-12)


def test_scale_gamma_edges():
    assert scale_gamma([[1.0, 2.0], [1.0, 2.0]]) == 1.0
    with pytest.raises(CrossValError):
        scale_gamma([])
    assert crossval.scale_gamma is scale_gamma and crossval.iter_tune is iter_tune


def test_log_loss_is_scikit_learns():
    labels, rows = [0, 1, 2, 1], [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.1, 0.4, 0.5], [0.9, 0.05, 0.05]]
    assert log_loss(labels, rows) == pytest.approx(sklearn_log_loss(labels, rows, labels=[0, 1, 2]), rel=1e-9)
    assert log_loss([1], [[1.0, 0.0]]) == pytest.approx(-np.log(1e-15))  # clipped, never infinite


def test_tune_picks_the_lowest_log_loss_and_reports_progress():
    x, y = load_iris(return_X_y=True)
    features, labels = x.tolist(), y.tolist()
    cells = grid(scale_gamma(features))
    assert len(cells) == len(C_VALUES) * len(GAMMA_FACTORS)
    progress, result = collect(iter_tune(features, labels, 3, cells[:4], engine="sklearn", slice_seconds=0))
    assert [c[:2] for c in result.scores] == cells[:4]
    best = min(result.scores, key=lambda c: c[2])
    assert (result.C, result.gamma, result.log_loss) == best
    direct = out_of_sample_probabilities(features, labels, 3, engine="sklearn", C=result.C, gamma=result.gamma)
    assert result.result.probabilities == direct.probabilities
    assert result.log_loss == log_loss(labels, direct.probabilities)
    fractions = [p.fraction for p in progress]
    assert fractions == sorted(fractions) and 0 <= fractions[0] and fractions[-1] <= 1
    assert {p.cell for p in progress} == {0, 1, 2, 3} and progress[-1].best is not None


def test_tune_default_grid_and_cancellation():
    x, y = load_wine(return_X_y=True)
    result = tune(x.tolist(), y.tolist(), 3, engine="sklearn")
    assert len(result.scores) == len(C_VALUES) * len(GAMMA_FACTORS)
    assert result.scores[0][:2] == (C_VALUES[0], scale_gamma(x.tolist()) * GAMMA_FACTORS[0])
    seen = []
    steps = iter_tune(x.tolist(), y.tolist(), 3, engine="builtin", slice_seconds=0, cancelled=lambda: len(seen) > 2)
    with pytest.raises(Cancelled):
        for step in steps:
            seen.append(step)
    with pytest.raises(CrossValError, match="no \\(C, gamma\\)"):
        tune(x.tolist(), y.tolist(), 3, [])
