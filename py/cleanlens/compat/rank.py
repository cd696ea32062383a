"""``cleanlab.rank`` for single-label data: label quality scores and the order of label issues
(definitions: :mod:`cleanlens.rank`).

cleanlab 2.9.0's names, signatures and defaults; with numpy the results are cleanlab's (float32 scores
for float32 probabilities, except ``confidence_weighted_entropy``: float64), without numpy lists.
"""

from __future__ import annotations

from ..counting import ConfidentCounts
from ..filtering import iter_order_label_issues
from ..rank import label_quality_scores
from ..steps import drain
from . import _common as c


def get_label_quality_scores(labels, pred_probs, *, method="self_confidence", adjust_pred_probs=False):
    """Each item's label quality score, lower = more likely mislabelled: ``self_confidence``,
    ``normalized_margin`` or ``confidence_weighted_entropy``, optionally on probabilities adjusted by the
    confident thresholds."""
    data = c.inputs(labels, pred_probs)
    return label_quality_scores(data.labels, data.probabilities, method, adjust_pred_probs, dtype=data.dtype)


def order_label_issues(
    label_issues_mask,
    labels,
    pred_probs,
    *,
    rank_by="self_confidence",
    rank_by_kwargs={},  # noqa: B006 (cleanlab's default; never modified)
):
    """The indices where ``label_issues_mask`` is true, ordered by their label quality score (``rank_by``;
    ``rank_by_kwargs`` may hold ``adjust_pred_probs``), lowest first."""
    data = c.inputs(labels, pred_probs, min_classes=2)
    if data.np is not None:
        from ..counting_arrays import order_label_issues_array

        mask = data.np.asarray(label_issues_mask, dtype=bool)
        return order_label_issues_array(data.labels, data.probabilities, mask, rank_by, rank_by_kwargs)
    found = ConfidentCounts.compute(data.labels, data.probabilities, data.n_classes, dtype=data.dtype)
    return drain(iter_order_label_issues(found, [bool(x) for x in label_issues_mask], rank_by, rank_by_kwargs))


__all__ = ["get_label_quality_scores", "order_label_issues"]
