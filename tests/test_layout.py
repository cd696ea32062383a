"""cleanlens.layout: the PCA map of features equals scikit-learn's PCA of the standardised features."""

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from bench.bench_engine import synthetic_blobs
from cleanlens.layout import iter_pca, pca
from cleanlens.steps import collect


def reference(features):
    """Positions and explained variance ratios from scikit-learn, each component's sign as ours
    (largest loading positive)."""
    z = StandardScaler().fit_transform(np.asarray(features, dtype=float))
    model = PCA(n_components=2, svd_solver="full").fit(z)
    components = (
        model.components_ * np.sign(model.components_[np.arange(2), np.abs(model.components_).argmax(axis=1)])[:, None]
    )
    return z @ components.T, model.explained_variance_ratio_


@pytest.mark.parametrize(
    ("n", "dim", "seed"), [(300, 32, 0), (120, 5, 1), (60, 128, 2), (40, 300, 3), (30, 31, 4), (3, 50, 5)]
)
def test_positions_and_explained_variance_match_scikit_learn(n, dim, seed):
    features, _, _ = synthetic_blobs(n=n, dim=dim, n_classes=3, seed=seed)
    layout = pca(features)
    positions, explained = reference(features)
    # the plane is what is defined (with blobs the two leading variances are close, so the vectors within it
    # are not): compare the distances between items on the map, which a rotation in the plane keeps
    ours = np.array(layout.positions)
    distances = np.linalg.norm(ours[:, None] - ours[None], axis=2)
    expected = np.linalg.norm(positions[:, None] - positions[None], axis=2)
    assert np.max(np.abs(distances - expected)) <= 1e-3 * np.max(expected)  # a map: a pixel in a thousand
    assert sum(layout.explained) == pytest.approx(sum(explained), abs=1e-6)
    assert layout.dimensions == dim


def test_the_generator_pauses_and_the_same_data_gives_the_same_map():
    features, _, _ = synthetic_blobs(n=500, dim=16, n_classes=3, seed=3)
    steps, layout = collect(iter_pca(features, work_per_step=5_000))
    assert len(steps) > 5
    assert layout.positions == pca(features).positions


def test_one_feature_constant_columns_and_no_items():
    assert pca([[1.0], [2.0], [3.0]]).positions == [(-1.224744871391589, 0.0), (0.0, 0.0), (1.224744871391589, 0.0)]
    flat = pca([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])
    assert all(np.isfinite(flat.positions).ravel()) and flat.explained[1] == 0.0
    assert pca([]).positions == []


def test_features_near_the_largest_float_give_the_map_of_the_scaled_features():
    features, _, _ = synthetic_blobs(n=90, dim=4, n_classes=3, seed=4)
    huge = [[x * 1e300 if j == 0 else x for j, x in enumerate(row)] for row in features]
    assert np.max(np.abs(np.array(pca(huge).positions) - np.array(pca(features).positions))) <= 1e-9


def test_more_features_than_items_needs_no_d_by_d_matrix():
    """25 rows of 10,000 features (the page's column limit): the 25 x 25 Gram matrix, not 10^8 covariances."""
    features, _, _ = synthetic_blobs(n=25, dim=10_000, n_classes=3, seed=6)
    layout = pca(features)
    positions, explained = reference(features)
    ours = np.array(layout.positions)
    distances = np.linalg.norm(ours[:, None] - ours[None], axis=2)
    expected = np.linalg.norm(positions[:, None] - positions[None], axis=2)
    assert np.max(np.abs(distances - expected)) <= 1e-3 * np.max(expected)
    assert layout.dimensions == 10_000
