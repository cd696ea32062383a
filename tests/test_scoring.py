"""Ground-truth scores and the threshold sweep."""

import numpy as np
import pytest

from cleanlens.confident import ConfidentLearning
from cleanlens.scoring import (
    OOD_WITHOUT_TRUTH,
    SWEEP_PERCENTILES,
    UNCONFIDENT_MEANING,
    KindScores,
    Score,
    label_errors,
    score,
    score_by_kind,
    score_counts,
    sweep,
    true_ood,
    truly_wrong,
)


def test_truly_wrong_counts_label_errors_and_ood():
    assert truly_wrong([0, 1, 2, 0], [0, 2, -1, 0]) == [1, 2]
    with pytest.raises(ValueError, match="2 labels but 1 true labels"):
        truly_wrong([0, 1], [0])


def test_label_errors_leave_ood_items_out():
    assert label_errors([0, 1, 2, 0], [0, 2, -1, 0]) == [1]
    assert true_ood([0, 2, -1, -1]) == [2, 3]
    with pytest.raises(ValueError, match="2 labels but 1 true labels"):
        label_errors([0, 1], [0])


def test_scores_by_kind_count_ood_apart():
    """The issue's wine case: every label issue a real error, OOD items beside them: precision 1, not 0.25."""
    labels, truth = [0, 1, 1, 2, 2, 0, 0, 1], [1, 1, 2, 2, 2, 0, 0, 1]
    kinds = score_by_kind([0, 2], [5, 6, 7], labels, truth)
    assert kinds == KindScores(label_issues=score_counts(2, 2, 2), ood=None)
    assert score([0, 2, 5, 6, 7], truly_wrong(labels, truth)).precision == 0.4  # the old aggregate
    with_ood = score_by_kind([0, 4], [3, 5], labels, [1, 1, 2, -1, -1, 0, 0, 1])
    assert with_ood.label_issues == score_counts(2, 2, 1)  # item 4 is OOD: a label issue on it is not an error
    assert with_ood.ood == score_counts(2, 2, 1)
    assert UNCONFIDENT_MEANING.startswith("Unconfident") and "least like any class" in OOD_WITHOUT_TRUTH


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
    result = sweep(cl, truth)
    assert result.class_percentiles == list(SWEEP_PERCENTILES) == result.ood_percentiles
    assert len(result.scores) == 21 and all(len(row) == 21 for row in result.scores)
    for a, q_class in enumerate(result.class_percentiles):
        for b, q_ood in enumerate(result.ood_percentiles):
            r = cl.categorize(q_class, q_ood)
            expected = score_by_kind(r.label_issues, r.ood, labels, truth)
            assert (result.scores[a][b], result.ood[a][b]) == (expected.label_issues, expected.ood), (q_class, q_ood)
    for b, q_ood in enumerate(result.ood_percentiles):
        r = cl.categorize(ood_percentile=q_ood, rule="cleanlab")
        expected = score_by_kind(r.label_issues, r.ood, labels, truth)
        assert (result.cleanlab[b], result.cleanlab_ood[b]) == (expected.label_issues, expected.ood)


def test_sweep_without_ood_truth_has_no_ood_scores():
    labels, probs, truth = _random_case(4, n=60)
    truth = [max(t, 0) for t in truth]
    result = sweep(ConfidentLearning(labels, probs), truth)
    assert result.ood is None and result.cleanlab_ood is None


def test_sweep_with_custom_grid():
    labels, probs, truth = _random_case(3, n=30)
    result = sweep(ConfidentLearning(labels, probs), truth, class_percentiles=[50], ood_percentiles=[0, 15])
    assert len(result.scores) == 1 and len(result.scores[0]) == 2 and len(result.cleanlab) == 2
