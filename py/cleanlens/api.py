"""The Python API for notebooks: :func:`find_issues` returns the page's CSV export as a pandas DataFrame.

``cleanlens.find_issues(labels, pred_probs)`` takes what cleanlab takes (given labels (N,) and
out-of-sample predicted probabilities (N, K), numpy arrays or anything numpy converts, memory maps
included) and applies the page's rules with the page's defaults (docs/definitions.md). The arrays are
analysed a block of rows at a time (:mod:`cleanlens.chunked`): no float64 copy of an N x K array is made,
and the results equal the in-memory path's. numpy and pandas are imported on use.
"""

from __future__ import annotations

from .confident import DEFAULT_CLASS_PERCENTILE, DEFAULT_OOD_PERCENTILE, RULES, SUM_TOLERANCE
from .errors import CleanlensError
from .filtering import FILTERS
from .rank import DEFAULT_METHOD, METHODS

COLUMNS = ("id", "given", "suggested", "category", "is_label_issue", "label_quality")
"""The DataFrame's columns: the first six of the page's CSV export (:data:`cleanlens.report.FIELDS`)."""
RULE_OPTIONS = {
    "class_percentile": DEFAULT_CLASS_PERCENTILE,
    "ood_percentile": DEFAULT_OOD_PERCENTILE,
    "rank_by": DEFAULT_METHOD,
    "renormalize": False,
}
"""The keyword options of :func:`find_issues` and their defaults (the page's)."""
DEFAULT_RULE = "prune_by_noise_rate"
""":func:`find_issues`' rule: cleanlab's ``find_label_issues`` default, the rule the page opens your data on."""


def find_issues(labels, pred_probs, *, class_names=None, ids=None, rule=DEFAULT_RULE, **rule_options):
    """Find label issues with confident learning; one row per item, as the page exports them.

    Parameters
    ----------
    labels : array_like of int, shape (N,)
        Given labels, class indices 0..K-1 (cleanlab's ``labels``).
    pred_probs : array_like of float, shape (N, K)
        Out-of-sample predicted probabilities, rows summing to 1 within 1e-3 (cleanlab's ``pred_probs``);
        a ``numpy.memmap`` is read a block at a time.
    class_names : sequence of str, length K, optional
        Names of the classes (default ``"0"``..``"K-1"``): distinct, non-empty, not ``OOD``.
    ids : sequence, length N, optional
        An id per item, written as text (default ``"0"``..``"N-1"``); distinct.
    rule : {"percentile", "cleanlab"} or one of cleanlab's ``filter_by`` names
        Default ``prune_by_noise_rate``: the label issues are ``cleanlab.filter.find_label_issues(labels,
        pred_probs)``'s, as the page shows your own data. ``percentile`` (the demo's rule): class
        threshold = the ``class_percentile``-th percentile of each class's self-confidences; ``cleanlab``:
        their mean, as ``cleanlab.count.compute_confident_joint`` (the label issues are its off-diagonal
        items). A ``filter_by`` name of
        ``cleanlab.filter.find_label_issues`` (``prune_by_noise_rate``, cleanlab's default,
        ``prune_by_class``, ``both``, ``confident_learning``, ``predicted_neq_given``,
        ``low_normalized_margin``, ``low_self_confidence``): the label issues are the items
        ``find_label_issues(labels, pred_probs, filter_by=rule)`` flags; each is suggested its confident
        class under ``cleanlab`` if that is another class, else its most probable other class; the other
        items are categorised as under ``cleanlab``, except that an item confidently of another class that
        the filter does not flag is ``ood`` or ``unconfident`` (no suggestion).
    **rule_options
        ``class_percentile`` (default 50), ``ood_percentile`` (default 15), ``rank_by`` (the label quality
        method: ``self_confidence``, ``normalized_margin`` or ``confidence_weighted_entropy``; default
        ``self_confidence``), ``renormalize`` (divide each row by its sum instead of requiring it to be 1;
        default False).

    Returns
    -------
    pandas.DataFrame, N rows
        Columns ``id`` (str), ``given`` (class name), ``suggested`` (class name, missing (NaN) when there is
        no confident suggestion), ``category`` (``correct``, ``label_issue``, ``ood`` or ``unconfident``),
        ``is_label_issue`` (bool) and ``label_quality`` (float64, lower = more likely mislabelled), in item
        order. ``DataFrame.attrs["cleanlens"]`` holds the rule, percentiles, per-class thresholds, the
        confident joint (rows = given label) and the category counts; under a ``filter_by`` rule also
        ``num_label_issues`` (``cleanlab.count.num_label_issues``).

    Raises
    ------
    cleanlens.errors.CleanlensError
        Unusable inputs, with a one-line message naming the row (and column).

    Examples
    --------
    >>> import cleanlens
    >>> labels = [0, 0, 0, 1, 1, 1]
    >>> pred_probs = [[0.9, 0.1], [0.8, 0.2], [0.2, 0.8], [0.1, 0.9], [0.3, 0.7], [0.6, 0.4]]
    >>> df = cleanlens.find_issues(labels, pred_probs, class_names=["cat", "dog"])
    >>> print(df.to_string(index=False))
    id given suggested    category  is_label_issue  label_quality
     0   cat       cat     correct           False            0.9
     1   cat       cat     correct           False            0.8
     2   cat       dog label_issue            True            0.2
     3   dog       dog     correct           False            0.9
     4   dog       dog     correct           False            0.7
     5   dog       NaN unconfident           False            0.4
    >>> df["is_label_issue"].tolist()
    [False, False, True, False, False, False]
    >>> df.attrs["cleanlens"]["counts"]
    {'correct': 4, 'label_issue': 1, 'ood': 0, 'unconfident': 1}
    """
    options = _options(rule, rule_options)
    findings, item_ids = _analyse(labels, pred_probs, class_names, ids, rule, options)
    return findings_frame(findings, item_ids)


def _options(rule, rule_options):
    unknown = sorted(set(rule_options) - set(RULE_OPTIONS))
    if unknown:
        raise TypeError(f"find_issues() got unknown options {', '.join(unknown)}; expected {', '.join(RULE_OPTIONS)}")
    if rule not in RULES + FILTERS:
        raise CleanlensError(f"unknown rule {rule!r}; expected one of {', '.join(RULES + FILTERS)}")
    options = dict(RULE_OPTIONS, **rule_options)
    for key in ("class_percentile", "ood_percentile"):
        q = options[key]
        if isinstance(q, bool) or not isinstance(q, int | float) or not 0 <= q <= 100:
            raise CleanlensError(f"{key} must be a number between 0 and 100, got {q!r}")
    if options["rank_by"] not in METHODS:
        raise CleanlensError(f"unknown rank_by {options['rank_by']!r}; expected one of {', '.join(METHODS)}")
    return options


def _analyse(labels, pred_probs, class_names, ids, rule, options):
    """``(findings, ids)`` for arrays (see :func:`find_issues`)."""
    import sys

    import numpy as np

    from .chunked import find_issues_streamed
    from .cli_stream import read_labels_table
    from .tables import ArrayTable
    from .userdata import check_pair_shapes, label_index
    from .userdata.npy_pair import check_class_names

    if not (hasattr(pred_probs, "shape") and hasattr(pred_probs, "dtype")):
        pred_probs = np.asarray(pred_probs)
    pred_probs = np.asarray(pred_probs) if not isinstance(pred_probs, np.ndarray) else pred_probs
    if pred_probs.dtype.kind not in "biuf":
        raise CleanlensError(f"pred_probs must hold numbers, got dtype {pred_probs.dtype}")
    if pred_probs.ndim != 2:
        raise CleanlensError(f"pred_probs: shape {pred_probs.shape}: expected (N, K)")
    labels = np.asarray(labels)
    if labels.dtype.kind not in "biuf":
        raise CleanlensError(f"labels must be class indices (integers), got dtype {labels.dtype}")
    k = pred_probs.shape[1]
    labels, too_big = read_labels_table(ArrayTable(labels, "labels"), k)
    n, k = check_pair_shapes("labels", (len(labels),), "pred_probs", pred_probs.shape, max_classes=sys.maxsize)
    if too_big is not None:
        label_index("labels", *too_big, k, "pred_probs")
    classes = [str(c) for c in range(k)]
    if class_names is not None:
        if isinstance(class_names, str):
            raise CleanlensError("class_names must be a sequence of K names, not one str")
        classes = check_class_names("class_names", [str(c) for c in class_names], k, "pred_probs")
    item_ids = None
    if ids is not None:
        item_ids = [str(i) for i in ids]
        if len(item_ids) != n:
            raise CleanlensError(f"ids has {len(item_ids)} values, expected {n} (one per item)")
        if len(set(item_ids)) != n:
            raise CleanlensError("ids must be distinct")
    findings = find_issues_streamed(
        labels,
        ArrayTable(pred_probs, "pred_probs"),
        classes=classes,
        rule=rule,
        class_percentile=options["class_percentile"],
        ood_percentile=options["ood_percentile"],
        method=options["rank_by"],
        renormalize=options["renormalize"],
        tolerance=SUM_TOLERANCE,
    )
    return findings, item_ids


def findings_frame(findings, ids=None):
    """A :class:`~cleanlens.chunked.Findings` as :func:`find_issues`' DataFrame (``ids``: N str, or None)."""
    import numpy as np
    import pandas as pd

    from .chunked import NO_SUGGESTION
    from .confident import CATEGORIES, LABEL_ISSUE

    items = findings.items
    names = np.array(list(findings.classes) + [None], dtype=object)  # index -1 (no suggestion) -> None
    given, suggested, codes, quality = items.given, items.suggested, items.categories, items.quality
    assert NO_SUGGESTION == -1
    frame = pd.DataFrame(
        {
            "id": ids if ids is not None else np.arange(findings.n_items).astype(str).astype(object),
            "given": names[given],
            "suggested": names[suggested],
            "category": np.array(CATEGORIES, dtype=object)[codes],
            "is_label_issue": codes == LABEL_ISSUE,
            "label_quality": np.asarray(quality, dtype=np.float64),
        },
        columns=list(COLUMNS),
    )
    frame.attrs["cleanlens"] = {
        "rule": findings.rule,
        "class_percentile": findings.class_percentile,
        "ood_percentile": findings.ood_percentile,
        "class_thresholds": dict(zip(findings.classes, findings.class_thresholds)),
        "ood_thresholds": dict(zip(findings.classes, findings.ood_thresholds)),
        "confident_joint": findings.joint,
        "counts": findings.counts,
        "label_quality_method": findings.method,
    }
    if findings.issues is not None:
        frame.attrs["cleanlens"]["num_label_issues"] = findings.issues.num_label_issues
    return frame
