"""Confident learning on arrays read a block of rows at a time: bounded memory, the in-memory results (numpy).

The same rules as :class:`cleanlens.confident.ArrayConfidentLearning` (docs/definitions.md), computed from
blocks of rows so that no N x K array is ever held: the command line's ``find-issues`` on ``.npy`` and
Parquet files (:mod:`cleanlens.tables`), and, block by block on its workers, the Dask engine
(:mod:`cleanlens.distributed`). The results equal the in-memory path value for value (tested): every
operation on a row is the in-memory one, and what needs all items of a class is computed from exactly
those values.

Per item, the rules need the row; per class, only the class's self-confidences ``S_k = {p_i[g_i] : g_i =
k}``: their q-th percentiles (two order statistics each, found by selection, :func:`class_statistics`)
and cleanlab's threshold (their mean, summed as numpy sums the contiguous array in item order). So:

1. the labels are checked and kept in the smallest integer dtype (N values);
2. pass 1 over the probabilities: every row is validated (the messages of
   :func:`cleanlens.confident.validate_arrays`, with the file's row numbers) and its self-confidence kept
   (N values, in the file's float dtype when that is exact);
3. per class, its self-confidences are gathered (one class at a time, in item order) and its thresholds
   computed;
4. pass 2 over the probabilities: suggestions, categories, the confident joint and the label quality
   scores, block by block.

Memory: N x (label + self-confidence + category + suggestion [+ score for methods other than
``self_confidence``]) plus one class's self-confidences as float64 and a few blocks of
:data:`cleanlens.tables.BLOCK_VALUES` values: at 20,000,000 x 10 float32 about 400 MB, where the arrays
alone are 800 MB (``bench/bench_scale.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .confident import (
    CATEGORIES,
    CLEANLAB_MARGIN,
    CORRECT,
    LABEL_ISSUE,
    OOD,
    RULES,
    SUM_TOLERANCE,
    UNCONFIDENT,
    _labelling_warnings,
    cleanlab_ood_thresholds,
    cleanlab_threshold,
    percentile,
    validate_arrays,
)
from .rank import DEFAULT_METHOD, label_quality_scores
from .scoring import score_counts

NO_SUGGESTION = -1
"""``Findings.suggested`` for an item without a suggestion."""


# --- per block: the rules on rows -----------------------------------------------------------------------


def compact_dtype(largest):
    """The smallest signed integer dtype holding ``-1..largest`` (labels, suggestions)."""
    import numpy as np

    for dtype in (np.int8, np.int16, np.int32):
        if largest <= np.iinfo(dtype).max:
            return np.dtype(dtype)
    return np.dtype(np.int64)


def validate_block(labels, block, k, start, *, tolerance=SUM_TOLERANCE, renormalize=False):
    """A block of rows validated as :func:`~cleanlens.confident.validate_arrays` validates the whole array.

    ``labels`` (n,) class indices already checked; ``block`` (n, K) numbers; ``start``: the block's first
    row in the file (messages name it). Returns the rows as C-ordered float64 (renormalised if asked).
    """
    import numpy as np

    block = np.asarray(block, dtype=np.float64)  # as the in-memory path reads every file (bools included)
    _, rows = validate_arrays(labels, block, k, tolerance=tolerance, renormalize=renormalize, start=start)
    return rows


def self_confidences(labels, rows):
    """``p_i[g_i]`` for a block: labels (n,) intp, rows (n, K)."""
    import numpy as np

    return rows[np.arange(len(labels)), labels]


def suggest_block(labels, rows, rule, class_thresholds):
    """``(suggested, has)`` for a block of float64 rows: the suggested class and whether there is one.

    ``percentile``: the argmax if it clears its class threshold; ``cleanlab``: the one class whose threshold
    (minus 1e-6) the row clears, the argmax when several are, none when none is (docs/definitions.md).
    """
    import numpy as np

    argmax = rows.argmax(axis=1)
    if rule == "percentile":
        top = rows[np.arange(len(rows)), argmax]
        return argmax, top >= np.array(class_thresholds)[argmax]
    confident = rows >= np.array([t - CLEANLAB_MARGIN for t in class_thresholds])
    n_confident = confident.sum(axis=1)
    return np.where(n_confident > 1, argmax, confident.argmax(axis=1)), n_confident > 0


def categorize_block(labels, rows, suggested, has, ood_thresholds):
    """Category codes (int8, indices into :data:`~cleanlens.confident.CATEGORIES`) of a block."""
    import numpy as np

    ood = (rows < np.array(ood_thresholds)).all(axis=1)
    same = suggested == labels
    return np.where(has, np.where(same, CORRECT, LABEL_ISSUE), np.where(ood, OOD, UNCONFIDENT)).astype(np.int8)


def joint_block(labels, suggested, has, k):
    """The block's confident joint, flat (K*K,) counts of ``given * K + suggested`` over items with a suggestion."""
    import numpy as np

    return np.bincount(labels[has] * k + suggested[has], minlength=k * k)


class _Selected:
    """The order statistics :func:`~cleanlens.confident.percentile` reads, found by selection, as a sequence."""

    def __init__(self, values, qs):
        import numpy as np

        n = len(values)
        self.n = n
        wanted = {n - 1}
        for q in qs:
            i = math.floor((n - 1) * (q / 100.0))
            wanted.update(j for j in (i, i + 1) if j < n)
        ranks = sorted(wanted)
        self.values = dict(zip(ranks, np.partition(values, ranks)[ranks].tolist()))

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return self.values[i % self.n]


def class_statistics(values, qs):
    """One class's thresholds from its self-confidences ``values`` (float64, item order, contiguous).

    Returns ``(percentiles, mean_threshold)``: ``{q: t_k(q)}`` for each q of ``qs``, exactly
    :func:`~cleanlens.confident.percentile` of the sorted values (found by ``numpy.partition``: O(n), not a
    sort), and cleanlab's threshold (:func:`~cleanlens.confident.cleanlab_threshold`, numpy's mean).
    """
    import numpy as np

    if not len(values):
        return {q: math.inf for q in qs}, cleanlab_threshold(values)
    selected = _Selected(values, qs)
    return {q: float(percentile(selected, q)) for q in qs}, cleanlab_threshold(values, np.mean)


# --- the result --------------------------------------------------------------------------------------


@dataclass
class Findings:
    """What ``find-issues`` reports, with the per-item results as arrays (N,) or blocks of them.

    ``classes`` (K names), ``n_items``, ``rule``, ``class_percentile``, ``ood_percentile``,
    ``class_thresholds`` and ``ood_thresholds`` (K floats, +inf for an empty class), ``joint`` (K x K
    counts), ``counts`` (category -> items), ``class_counts`` (items per given label), ``warnings``
    (:class:`~cleanlens.confident.LabellingWarning`), ``method`` (the label quality method), ``score``
    (a :class:`~cleanlens.scoring.Score` or None) and ``items``: an object whose ``blocks()`` yields
    ``(start, given, suggested, categories, quality)`` numpy arrays (suggested: :data:`NO_SUGGESTION` for
    none) in item order.
    """

    classes: list
    n_items: int
    rule: str
    class_percentile: float
    ood_percentile: float
    class_thresholds: list
    ood_thresholds: list
    joint: list
    counts: dict
    class_counts: list
    warnings: list
    method: str
    score: object
    items: object


class ItemArrays:
    """Per-item results held as numpy arrays (N,): ``blocks()`` yields slices of :data:`ITEM_BLOCK` items."""

    ITEM_BLOCK = 1 << 20

    def __init__(self, given, suggested, categories, quality):
        self.given, self.suggested, self.categories, self.quality = given, suggested, categories, quality

    def blocks(self):
        step = self.ITEM_BLOCK
        for start in range(0, len(self.given), step):
            end = start + step
            yield (
                start,
                self.given[start:end],
                self.suggested[start:end],
                self.categories[start:end],
                self.quality[start:end],
            )


def thresholds_of(statistics, rule, class_percentile, ood_percentile):
    """``(class_thresholds, ood_thresholds)`` from each class's :func:`class_statistics`, under ``rule``."""
    if rule not in RULES:
        raise ValueError(f"unknown threshold rule {rule!r}; expected one of {', '.join(RULES)}")
    ood = [p[ood_percentile] for p, _ in statistics]
    if rule == "percentile":
        return [p[class_percentile] for p, _ in statistics], ood
    means = [m for _, m in statistics]
    return means, cleanlab_ood_thresholds(ood, means)


def score_block(labels, codes, truth):
    """``(flagged, wrong, true_positives)`` counts of a block against its true labels (-1: OOD)."""
    flagged = (codes == LABEL_ISSUE) | (codes == OOD)
    wrong = (truth == -1) | (truth != labels)
    return int(flagged.sum()), int(wrong.sum()), int((flagged & wrong).sum())


# --- one machine: blocks of a Table -----------------------------------------------------------------


def find_issues_streamed(
    labels,
    probabilities,
    *,
    classes=None,
    truth=None,
    rule="percentile",
    class_percentile=50,
    ood_percentile=15,
    method=DEFAULT_METHOD,
    renormalize=False,
    tolerance=SUM_TOLERANCE,
    rows=None,
):
    """Confident learning on a labels array (N,) and a probabilities table (N, K), a block at a time.

    Parameters
    ----------
    labels : numpy array of int, shape (N,)
        Class indices, already checked to be in 0..K-1 (:func:`cleanlens.cli` checks them as it reads).
    probabilities : :class:`cleanlens.tables.Table`, shape (N, K)
        Read twice, a block of ``rows`` rows at a time (default: about 1M values per block).
    classes : list of str, optional
        The K class names (default ``"0"``..``"K-1"``).
    truth : numpy array of int, shape (N,), optional
        True classes (-1: out of distribution), for ``Findings.score``.
    rule, class_percentile, ood_percentile, method, renormalize, tolerance
        As for :class:`~cleanlens.confident.ArrayConfidentLearning` and
        :func:`~cleanlens.rank.label_quality_scores`.

    Returns
    -------
    :class:`Findings`
        Equal, value for value, to what the in-memory path computes.
    """
    import numpy as np

    n, k = probabilities.shape
    labels = labels.astype(compact_dtype(k), copy=False)
    float_input = probabilities.dtype.kind == "f" and not renormalize
    kept = np.empty(n, dtype=probabilities.dtype if float_input else np.float64)
    for start, block in probabilities.blocks(rows):  # pass 1: validate, keep the self-confidences
        given = labels[start : start + len(block)].astype(np.intp)
        kept[start : start + len(block)] = self_confidences(
            given, validate_block(given, block, k, start, tolerance=tolerance, renormalize=renormalize)
        )
    qs = sorted({class_percentile, ood_percentile})
    statistics = [class_statistics(values, qs) for values in per_class_values(labels, kept, k)]
    class_counts = np.bincount(labels, minlength=k).tolist()
    class_thresholds, ood_thresholds = thresholds_of(statistics, rule, class_percentile, ood_percentile)
    suggested = np.empty(n, dtype=compact_dtype(k))
    codes = np.empty(n, dtype=np.int8)
    quality = kept if method == "self_confidence" else np.empty(n, dtype=np.float64)
    joint = np.zeros(k * k, dtype=np.int64)
    tally = [0, 0, 0]
    for start, block in probabilities.blocks(rows):  # pass 2: suggestions, categories, joint, scores
        end = start + len(block)
        given = labels[start:end].astype(np.intp)
        if renormalize:
            block = validate_block(given, block, k, start, tolerance=tolerance, renormalize=True)
        else:
            block = np.ascontiguousarray(block, dtype=np.float64)
        best, has = suggest_block(given, block, rule, class_thresholds)
        codes[start:end] = categorize_block(given, block, best, has, ood_thresholds)
        suggested[start:end] = np.where(has, best, NO_SUGGESTION)
        joint += joint_block(given, best, has, k)
        if method != "self_confidence":
            quality[start:end] = label_quality_scores(given, block, method)
        if truth is not None:
            tally = [a + b for a, b in zip(tally, score_block(given, codes[start:end], truth[start:end]))]
    return _findings(
        classes or [str(c) for c in range(k)],
        n,
        rule,
        class_percentile,
        ood_percentile,
        class_thresholds,
        ood_thresholds,
        joint,
        np.bincount(codes, minlength=len(CATEGORIES)).tolist(),
        class_counts,
        method,
        score_counts(*tally) if truth is not None else None,
        ItemArrays(labels, suggested, codes, quality),
    )


def _findings(classes, n, rule, qc, qo, class_thresholds, ood_thresholds, joint, counts, class_counts, method,
              score, items):  # fmt: skip
    import numpy as np

    k = len(classes)
    joint = np.asarray(joint).reshape(k, k)
    if rule == "cleanlab":
        np.fill_diagonal(joint, np.maximum(joint.diagonal(), 1))
    return Findings(
        classes=list(classes),
        n_items=n,
        rule=rule,
        class_percentile=float(qc),
        ood_percentile=float(qo),
        class_thresholds=list(class_thresholds),
        ood_thresholds=list(ood_thresholds),
        joint=joint.tolist(),
        counts=dict(zip(CATEGORIES, counts)),
        class_counts=class_counts,
        warnings=_labelling_warnings(class_counts),
        method=method,
        score=score,
        items=items,
    )


def per_class_values(labels, values, k, step=1 << 20):
    """Each class's ``values`` in item order, as a contiguous float64 array: one class at a time (a generator)."""
    import numpy as np

    for c in range(k):
        parts = [values[s : s + step][labels[s : s + step] == c] for s in range(0, len(labels), step)]
        yield np.concatenate(parts).astype(np.float64) if parts else np.empty(0)
