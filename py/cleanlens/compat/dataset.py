"""``cleanlab.dataset`` for single-label data: classes ranked by label quality, overlapping class pairs,
the overall label health score and the health summary (definitions: :mod:`cleanlens.health`).

cleanlab 2.9.0's names, signatures and defaults. Each takes ``labels`` and ``pred_probs``, or a
``joint`` and ``num_examples``, or a ``confident_joint``. With numpy and pandas the tables are cleanlab's
DataFrames (the same columns, dtypes and order); without, lists of dicts with the same keys.
"""

from __future__ import annotations

from ..health import CLASS_COLUMNS, PAIR_COLUMNS, class_rows, health_score, pair_rows
from . import _common as c
from .count import estimate_joint, num_label_issues


def rank_classes_by_label_quality(
    labels=None,
    pred_probs=None,
    *,
    class_names=None,
    num_examples=None,
    joint=None,
    confident_joint=None,
    multi_label=False,
):
    """One row per class, worst label quality first: ``Class Index``, ``Label Issues``, ``Inverse Label
    Issues``, ``Label Noise``, ``Inverse Label Noise``, ``Label Quality Score`` (and ``Class Name``)."""
    c.single_label(multi_label)
    joint, fortran = _joint(labels, pred_probs, joint, confident_joint)
    if num_examples is None:
        num_examples = _num_examples(labels)
    rows = class_rows(c.as_rows(joint), num_examples, _names(class_names), fortran=fortran)
    return c.table(rows, CLASS_COLUMNS, "Label Quality Score", True)


def find_overlapping_classes(
    labels=None,
    pred_probs=None,
    *,
    asymmetric=False,
    class_names=None,
    num_examples=None,
    joint=None,
    confident_joint=None,
    multi_label=False,
):
    """One row per pair of classes, most overlapping first: ``Class Index A``, ``Class Index B``, ``Num
    Overlapping Examples``, ``Joint Probability`` (and the class names)."""
    c.single_label(multi_label)
    joint, _ = _joint(labels, pred_probs, joint, confident_joint)
    if num_examples is None:
        num_examples = _num_examples(labels, confident_joint)
    rows = pair_rows(c.as_rows(joint), num_examples, asymmetric, _names(class_names))
    return c.table(rows, PAIR_COLUMNS, "Joint Probability", False)


def overall_label_health_score(
    labels=None,
    pred_probs=None,
    *,
    num_examples=None,
    confident_joint=None,
    joint=None,
    multi_label=False,
    verbose=True,
):
    """A score in [0, 1]: one minus the estimated fraction of label issues (``1 - num_label_issues / N``
    from labels and probabilities, else the trace of the joint)."""
    c.single_label(multi_label)
    if num_examples is None:
        num_examples = _num_examples(labels, confident_joint)
    if pred_probs is None or labels is None:
        if joint is None:
            joint = estimate_joint(labels, pred_probs, confident_joint=confident_joint)
        score, issues = health_score(num_examples, joint=c.as_rows(joint))
    else:
        issues = int(num_label_issues(labels, pred_probs, confident_joint=confident_joint))
        score, issues = health_score(num_examples, issues)
    if verbose:
        print(
            f"About {1 - score:.0%} of the labels ({issues:,} of {num_examples:,}) may be wrong; "
            f"label health score {score:.2f}."
        )
    return c.real(score)


def health_summary(
    labels=None,
    pred_probs=None,
    *,
    asymmetric=False,
    class_names=None,
    num_examples=None,
    joint=None,
    confident_joint=None,
    multi_label=False,
    verbose=True,
):
    """A dict: ``overall_label_health_score``, ``joint``, ``classes_by_label_quality`` and
    ``overlapping_classes`` (the three functions above on one joint)."""
    c.single_label(multi_label)
    if joint is None:
        joint = estimate_joint(labels, pred_probs, confident_joint=confident_joint)
    if num_examples is None:
        num_examples = _num_examples(labels)
    common = {"class_names": class_names, "num_examples": num_examples, "joint": joint}
    classes = rank_classes_by_label_quality(labels, pred_probs, confident_joint=confident_joint, **common)
    pairs = find_overlapping_classes(
        labels, pred_probs, asymmetric=asymmetric, confident_joint=confident_joint, **common
    )
    score = overall_label_health_score(
        labels, pred_probs, num_examples=num_examples, confident_joint=confident_joint, verbose=verbose
    )
    if verbose:
        print(f"Classes by label quality:\n{classes}\n\nOverlapping classes:\n{pairs}")
    return {
        "overall_label_health_score": score,
        "joint": joint,
        "classes_by_label_quality": classes,
        "overlapping_classes": pairs,
    }


def _joint(labels, pred_probs, joint, confident_joint):
    """``(joint, F-ordered?)``: the caller's joint, or :func:`estimate_joint`'s."""
    if joint is None:
        return estimate_joint(labels, pred_probs, confident_joint=confident_joint), False
    return joint, c.is_fortran(joint)


def _num_examples(labels, confident_joint=None):
    if labels is not None:
        return len(labels)
    if confident_joint is not None:
        return int(sum(sum(row) for row in c.as_rows(confident_joint)))
    raise c.CompatInputError("num_examples is None: give labels, or a confident_joint, or num_examples with the joint")


def _names(class_names):
    return None if class_names is None else list(class_names)


__all__ = [
    "find_overlapping_classes",
    "health_summary",
    "overall_label_health_score",
    "rank_classes_by_label_quality",
]
