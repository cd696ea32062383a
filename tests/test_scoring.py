"""Ground-truth scores and the threshold sweep."""

import numpy as np
import pytest

from cleanlens.confident import ConfidentLearning
from cleanlens.scoring import SWEEP_PERCENTILES, Score, score, score_counts, sweep, truly_wrong


def test_truly_wrong_counts_label_errors_and_ood():
    assert truly_wrong([0, 1, 2, 0], [0, 2, -1, 0]) == [1, 2]
    with pytest.raises(ValueError, match="2 labels but 1 true labels"):
        truly_wrong([0, 1], [0])


def test_score_definitions():
    s = score([1, 2, 5], [2, 5, 7, 8])
    assert s == Score(
        flagged=3, wrong=4, true_positives=2, precision=2 / 3, recall=0.5, f1=2 * (2 / 3) * 0.5 / (2 / 3 + 0.5)
    )
    assert score([], [1]) == Score(0, 1, 0, None, 0.0, None)
    assert score([1], []) == Score(1, 0, 0, 0.0, None, None)
    assert score_counts(2, 3, 0).f1 == 0.0


def _random_case(seed, n=120, k=3):
    rng = np.random.default_rng(seed)
    truth = rng.integers(-1, k, n)  # -1: OOD
    labels = np.where(rng.random(n) < 0.8, np.maximum(truth, 0), rng.integers(0, k, n))
    logits = rng.normal(size=(n, k)) + 2.0 * np.eye(k)[np.maximum(truth, 0)] * (truth >= 0)[:, None]
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return labels.tolist(), probs.tolist(), truth.tolist()


@pytest.mark.parametrize("seed", [0, 1])
def test_sweep_cells_equal_direct_categorisation(seed):
    labels, probs, truth = _random_case(seed)
    cl = ConfidentLearning(labels, probs)
    wrong = truly_wrong(labels, truth)
    result = sweep(cl, truth)
    assert result.class_percentiles == list(SWEEP_PERCENTILES) == result.ood_percentiles
    assert len(result.scores) == 21 and all(len(row) == 21 for row in result.scores)
    for a, q_class in enumerate(result.class_percentiles):
        for b, q_ood in enumerate(result.ood_percentiles):
            expected = score(cl.categorize(q_class, q_ood).flagged, wrong)
            assert result.scores[a][b] == expected, (q_class, q_ood)
    for b, q_ood in enumerate(result.ood_percentiles):
        assert result.cleanlab[b] == score(cl.categorize(ood_percentile=q_ood, rule="cleanlab").flagged, wrong)


def test_sweep_with_custom_grid():
    labels, probs, truth = _random_case(3, n=30)
    result = sweep(ConfidentLearning(labels, probs), truth, class_percentiles=[50], ood_percentiles=[0, 15])
    assert len(result.scores) == 1 and len(result.scores[0]) == 2 and len(result.cleanlab) == 2
