"""``cleanlab.filter`` for single-label data: ``find_label_issues`` with every filter, and
``find_predicted_neq_given`` (definitions: :mod:`cleanlens.filtering`).

cleanlab 2.9.0's names, signatures and defaults; ``n_jobs`` and ``verbose`` are accepted and ignored
(cleanlab's results do not depend on them). With numpy the results are cleanlab's (a bool array, or
int64 indices), without numpy lists.
"""

from __future__ import annotations

from ..filtering import iter_find_label_issues
from ..steps import drain
from . import _common as c


def find_label_issues(
    labels,
    pred_probs,
    *,
    return_indices_ranked_by=None,
    rank_by_kwargs=None,
    filter_by="prune_by_noise_rate",
    frac_noise=1.0,
    num_to_remove_per_class=None,
    min_examples_per_class=1,
    confident_joint=None,
    n_jobs=None,
    verbose=False,
    multi_label=False,
):
    """A bool mask (N,) of the items with label issues, or with ``return_indices_ranked_by`` (a label
    quality method) their indices, worst first. ``filter_by``: ``prune_by_noise_rate`` (default),
    ``prune_by_class``, ``both``, ``confident_learning``, ``predicted_neq_given``, ``low_normalized_margin``
    or ``low_self_confidence``; ``frac_noise``, ``num_to_remove_per_class`` and ``min_examples_per_class``
    as cleanlab's; ``confident_joint``: used by the pruning filters instead of the calibrated one."""
    c.single_label(multi_label)
    if n_jobs is not None and n_jobs < 1:
        raise c.CompatInputError("n_jobs must be at least 1")
    data = c.inputs(labels, pred_probs, min_classes=2)
    if filter_by == "confident_learning" and confident_joint is not None:
        c.warn("confident_joint is ignored with filter_by='confident_learning' (it is recomputed)")
    joint = None if confident_joint is None else c.as_rows(confident_joint)
    options = {
        "filter_by": filter_by,
        "frac_noise": frac_noise,
        "num_to_remove_per_class": None if num_to_remove_per_class is None else list(num_to_remove_per_class),
        "min_examples_per_class": min_examples_per_class,
        "return_indices_ranked_by": return_indices_ranked_by,
        "rank_by_kwargs": rank_by_kwargs,
        "confident_joint": joint,
        "confident_joint_fortran": c.is_fortran(confident_joint),
    }
    found = c.counts(data)
    if data.np is not None:
        from ..counting_arrays import find_label_issues_array

        return find_label_issues_array(found, **options)
    return drain(iter_find_label_issues(found, **options))


def find_predicted_neq_given(labels, pred_probs, *, multi_label=False):
    """A bool mask (N,): the items whose argmax class (the first largest probability) is not their label."""
    c.single_label(multi_label)
    data = c.inputs(labels, pred_probs)
    if data.np is not None:
        return data.probabilities.argmax(axis=1) != data.labels
    return [row.index(max(row)) != g for g, row in zip(data.labels, data.probabilities)]


__all__ = ["find_label_issues", "find_predicted_neq_given"]
