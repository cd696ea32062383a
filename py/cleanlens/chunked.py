"""Confident learning on arrays read a block of rows at a time: bounded memory, the in-memory results (numpy).

The same rules as :class:`cleanlens.confident.ArrayConfidentLearning` (docs/definitions.md), and cleanlab's
``find_label_issues``, ``num_label_issues`` and dataset health as the command line reports them
(:mod:`cleanlens.chunked_issues`), computed from blocks of rows so that no N x K array is ever held: the
command line's ``find-issues`` on ``.npy`` and Parquet files (:mod:`cleanlens.tables`),
:func:`cleanlens.find_issues`, and, block by block on its workers, the Dask engine
(:mod:`cleanlens.distributed`). The results equal the in-memory path value for value (tested): every
operation on a row is the in-memory one, in the same dtype (cleanlab computes float32 probabilities in
float32), and what needs all items of a class is computed from exactly those values.

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
   scores, block by block;
5. with ``filter_by``: cleanlab's confident joint and ``num_label_issues`` in pass 2, then the passes of
   :mod:`cleanlens.chunked_issues` that pick ``find_label_issues``' items (two more for the default filter).

Memory: N x (label + self-confidence + category + suggestion [+ score for methods other than
``self_confidence``] [+ the ``find_label_issues`` mask]) plus one class's self-confidences as float64 and a
few blocks of :data:`cleanlens.tables.BLOCK_VALUES` values: at 20,000,000 x 10 float32 about 175 MiB of
arrays (192 MB peak anonymous memory for the process), where the probabilities alone are 800 MB
(``bench/bench_scale.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .chunked_issues import (
    PASS2_FILTERS,
    IssueCounts,
    MaskArray,
    compute_dtype,
    count_block,
    rows_in_dtype,
    thresholds_from_means,
)
from .confident import (
    CATEGORIES,
    CORRECT,
    LABEL_ISSUE,
    OOD,
    RULES,
    SUM_TOLERANCE,
    UNCONFIDENT,
    _labelling_warnings,
    cleanlab_ood_thresholds,
    percentile,
    validate_arrays,
)
from .filtering import FILTERS
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


def suggest_block(labels, rows, rule, class_thresholds, argmax=None):
    """``(suggested, has)`` for a block of rows: the suggested class and whether there is one.

    ``percentile``: the argmax if it clears its class threshold; ``cleanlab``: the one class whose threshold
    (minus 1e-6) the row clears, the argmax when several are, none when none is (docs/definitions.md), as
    :func:`cleanlens.confident_arrays.confident_guesses_array` computes it: in the dtype of ``rows`` and of
    ``class_thresholds`` (pass cleanlab's thresholds array and the rows in its dtype,
    :func:`cleanlens.chunked_issues.rows_in_dtype`, for cleanlab's float32 results). ``argmax``: the rows'
    argmax, if known.
    """
    import numpy as np

    from .confident_arrays import confident_guesses_array

    if argmax is None:
        argmax = rows.argmax(axis=1)
    if rule == "percentile":
        top = rows[np.arange(len(rows)), argmax]
        return argmax, top >= np.array(class_thresholds)[argmax]
    return confident_guesses_array(rows, np.asarray(class_thresholds), argmax)


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


def class_statistics(values, qs, dtype=None):
    """One class's statistics from its self-confidences ``values`` (item order).

    Returns ``(percentiles, mean)``: ``{q: t_k(q)}`` for each q of ``qs``, exactly
    :func:`~cleanlens.confident.percentile` of the sorted values as float64 (found by ``numpy.partition``:
    O(n), not a sort), and numpy's mean of the values in ``dtype`` (default: theirs), as cleanlab computes
    a confident threshold (a numpy scalar; None for a class without items: see :func:`thresholds_of`).
    """
    import numpy as np

    if not len(values):
        return {q: math.inf for q in qs}, None
    selected = _Selected(np.asarray(values, dtype=np.float64), qs)
    mean = np.mean(np.ascontiguousarray(values, dtype=dtype))
    return {q: float(percentile(selected, q)) for q in qs}, mean


def cleanlab_thresholds(statistics):
    """cleanlab's confident thresholds, an array (K,) in its dtype, from each class's :func:`class_statistics`."""
    return thresholds_from_means([mean for _, mean in statistics])


# --- the result --------------------------------------------------------------------------------------


@dataclass
class Findings:
    """What ``find-issues`` reports, with the per-item results as arrays (N,) or blocks of them.

    ``classes`` (K names), ``n_items``, ``rule``, ``class_percentile``, ``ood_percentile``,
    ``class_thresholds`` and ``ood_thresholds`` (K floats, +inf for an empty class), ``joint`` (K x K
    counts), ``counts`` (category -> items), ``class_counts`` (items per given label), ``warnings``
    (:class:`~cleanlens.confident.LabellingWarning`), ``method`` (the label quality method), ``score``
    (a :class:`~cleanlens.scoring.Score` or None), ``items``: an object whose ``blocks()`` yields
    ``(start, given, suggested, categories, quality)`` numpy arrays (suggested: :data:`NO_SUGGESTION` for
    none) in item order, and ``issues``: cleanlab's ``find_label_issues`` and health
    (:class:`cleanlens.chunked_issues.IssueFindings`), or None when not asked for.
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
    issues: object = None


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
    """``(class_thresholds, ood_thresholds)`` (lists of K floats) from each class's :func:`class_statistics`,
    under ``rule`` (a ``find_label_issues`` filter's are the cleanlab rule's)."""
    if rule not in RULES + FILTERS:
        raise ValueError(f"unknown threshold rule {rule!r}; expected one of {', '.join(RULES)}")
    ood = [p[ood_percentile] for p, _ in statistics]
    if rule == "percentile":
        return [p[class_percentile] for p, _ in statistics], ood
    means = cleanlab_thresholds(statistics).tolist()
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
    filter_by=None,
    ties="numpy",
    health=False,
):
    """Confident learning on a labels array (N,) and a probabilities table (N, K), a block at a time.

    Parameters
    ----------
    labels : numpy array of int, shape (N,)
        Class indices, already checked to be in 0..K-1 (:func:`cleanlens.cli` checks them as it reads).
    probabilities : :class:`cleanlens.tables.Table`, shape (N, K)
        Read in passes, a block of ``rows`` rows at a time (default: about 1M values per block): two, and
        with ``filter_by`` up to two more (:mod:`cleanlens.chunked_issues`).
    classes : list of str, optional
        The K class names (default ``"0"``..``"K-1"``).
    truth : numpy array of int, shape (N,), optional
        True classes (-1: out of distribution), for ``Findings.score``.
    rule, class_percentile, ood_percentile, method, renormalize, tolerance
        As for :class:`~cleanlens.confident.ArrayConfidentLearning` and
        :func:`~cleanlens.rank.label_quality_scores`. ``rule`` may also be one of cleanlab's ``filter_by``
        names (:data:`cleanlens.filtering.FILTERS`): the categories are then ``find_label_issues``' (see
        :func:`cleanlens.api.find_issues`).
    filter_by : str, optional
        Also report ``cleanlab.filter.find_label_issues(labels, pred_probs, filter_by=filter_by)``,
        ``num_label_issues`` and, with ``health``, cleanlab's dataset health (``Findings.issues``).
    ties : {"numpy", "portable"}
        The order of equal values where cleanlab sorts (:mod:`cleanlens.cli_issues`).

    Returns
    -------
    :class:`Findings`
        Equal, value for value, to what the in-memory path computes.
    """
    import numpy as np

    if rule not in RULES + FILTERS:
        raise ValueError(f"unknown threshold rule {rule!r}; expected one of {', '.join(RULES)}")
    filter_by = rule if rule in FILTERS else filter_by
    n, k = probabilities.shape
    labels = labels.astype(compact_dtype(k), copy=False)
    dtype = compute_dtype(probabilities.dtype)
    class_counts = value_counts(labels, k)
    issues = IssueCounts(filter_by, class_counts, dtype, ties) if filter_by else None
    blocks = _Blocks(labels, probabilities, rows, dtype, renormalize, tolerance)
    kept = blocks.first_pass(issues)
    qs = sorted({class_percentile, ood_percentile})
    statistics = [class_statistics(values, qs, dtype) for values in per_class_values(labels, kept, k)]
    class_thresholds, ood_thresholds = thresholds_of(statistics, rule, class_percentile, ood_percentile)
    if method == "self_confidence" and kept.dtype == dtype:
        quality = kept
    else:
        quality = np.empty(n, dtype=np.float64 if method == "confidence_weighted_entropy" else dtype)
    items = ItemArrays(labels, np.empty(n, dtype=compact_dtype(k)), np.empty(n, dtype=np.int8), quality)
    thresholds = (class_thresholds, ood_thresholds, cleanlab_thresholds(statistics))
    joint, mask = _second_pass(blocks, items, rule, thresholds, issues, method, fill_quality=quality is not kept)
    found = None
    if issues is not None:
        issues.finish()
        mask = blocks.issue_passes(issues, mask)
        if rule in FILTERS:
            _issue_categories(items, mask)
        count = int(np.count_nonzero(mask))
        found = issues.sections(MaskArray(mask), count, classes or [str(c) for c in range(k)], health)
    tally = [0, 0, 0]
    for start, given, _, codes, _ in items.blocks() if truth is not None else ():
        tally = [a + b for a, b in zip(tally, score_block(given, codes, truth[start : start + len(given)]))]
    findings = _findings(
        classes or [str(c) for c in range(k)],
        n,
        rule,
        class_percentile,
        ood_percentile,
        class_thresholds,
        ood_thresholds,
        joint,
        value_counts(items.categories, len(CATEGORIES)),
        class_counts,
        method,
        score_counts(*tally) if truth is not None else None,
        items,
    )
    findings.issues = found
    return findings


class _Blocks:
    """The probabilities table read in passes: each block's labels, rows (validated float64 for the rule,
    and in cleanlab's dtype) and the items of each class before it."""

    def __init__(self, labels, probabilities, rows, dtype, renormalize, tolerance):
        self.labels, self.probabilities, self.rows = labels, probabilities, rows
        self.dtype, self.renormalize, self.tolerance = dtype, renormalize, tolerance
        self.k = probabilities.shape[1]

    def first_pass(self, issues):
        """Validate every row; return the self-confidences (N, in the file's float dtype when exact) and add
        the selections' samples to ``issues``."""
        import numpy as np

        from .chunked_issues import sample_block

        n, k, probabilities = len(self.labels), self.k, self.probabilities
        exact = probabilities.dtype.kind == "f" and not self.renormalize
        kept = np.empty(n, dtype=probabilities.dtype if exact else np.float64)
        offsets = np.zeros(k, dtype=np.int64)
        for start, block in probabilities.blocks(self.rows):
            given = self.labels[start : start + len(block)].astype(np.intp)
            rows = validate_block(given, block, k, start, tolerance=self.tolerance, renormalize=self.renormalize)
            kept[start : start + len(block)] = self_confidences(given, rows)
            if issues is not None and issues.selections:
                rows_dt = rows_in_dtype(rows, block, self.dtype, self.renormalize)
                issues.add_samples(sample_block(given, rows_dt, offsets, start, issues.strides, issues.method))
                offsets += np.bincount(given, minlength=k)
        return kept

    def __iter__(self):
        """``(start, given, rule_rows, rows_dt, offsets)`` for each block (rows checked by the first pass)."""
        import numpy as np

        offsets = np.zeros(self.k, dtype=np.int64)
        for start, block in self.probabilities.blocks(self.rows):
            given = self.labels[start : start + len(block)].astype(np.intp)
            rows, rows_dt = rows_of_block(given, block, self.k, start, self.dtype, renormalize=self.renormalize,
                                       tolerance=self.tolerance)  # fmt: skip
            yield start, given, rows, rows_dt, offsets.copy()
            offsets += np.bincount(given, minlength=self.k)

    def issue_passes(self, issues, mask):
        """The passes :class:`~cleanlens.chunked_issues.IssueCounts` asks for; returns the final mask (N,)."""
        import numpy as np

        from .chunked_issues import pass_block

        while (step := issues.next_pass()) is not None:
            kind, spec = step
            results = (
                (start, pass_block(kind, spec, given, rows_dt, offsets, start, issues.filter_by, issues.method))
                for start, given, _, rows_dt, offsets in self
            )
            if kind == "mark":
                mask = np.zeros(len(self.labels), dtype=bool)
                for start, chosen in results:
                    mask[start : start + len(chosen)] = chosen
                break
            if kind == "gather":
                for _, result in results:
                    issues.add_gathered(result)
                issues.finish_gathering()
            else:
                issues.add_whole([result for _, result in results])
        return mask


def rows_of_block(given, block, k, start, dtype, *, renormalize=False, tolerance=SUM_TOLERANCE):
    """``(rows, rows_dt)`` of a block already validated by pass 1: the rows the threshold rule reads and the
    rows in cleanlab's ``dtype`` (the same array unless the rows are renormalised: then the validated float64
    rows and their conversion; float32 values compare with float64 thresholds as their float64 copies would)."""
    if renormalize:
        rows = validate_block(given, block, k, start, tolerance=tolerance, renormalize=True)
        return rows, rows_in_dtype(rows, block, dtype, True)
    rows = rows_in_dtype(None, block, dtype, False)
    return rows, rows


def analyse_block(given, rows, rows_dt, rule, thresholds, *, filter_by=None, method=DEFAULT_METHOD, quality=True):
    """Pass 2 on a block: ``(suggested, categories, scores, joint, counted)``.

    ``given`` intp (n,); ``rows`` and ``rows_dt`` from :func:`rows_of_block`; ``thresholds``: ``(class
    thresholds, OOD thresholds, cleanlab's thresholds array)``. ``suggested`` (n,; :data:`NO_SUGGESTION`
    for none) and ``categories`` (int8 codes); under a ``find_label_issues`` rule, the categories of items
    the filter does not flag and the suggestions for items it flags (:func:`_issue_categories` finishes
    them). ``scores``: the label quality scores of ``method`` in cleanlab's dtype (None unless
    ``quality``); ``joint``: the rule's joint, flat (K*K,); ``counted``: with ``filter_by``,
    :func:`cleanlens.chunked_issues.count_block`'s ``(confident joint, off-diagonal count, mask)``, else None.
    """
    import numpy as np

    class_thresholds, ood_thresholds, cleanlab = thresholds
    argmax = rows.argmax(axis=1)
    counted = None
    if filter_by is not None:
        guess, confident, cells, off, mask = count_block(given, rows_dt, argmax, cleanlab, filter_by)
        counted = (cells, off, mask)
    if rule == "percentile":
        best, has = suggest_block(given, rows, "percentile", class_thresholds, argmax)
    elif counted is None:
        best, has = suggest_block(given, rows_dt, "cleanlab", cleanlab, argmax)
    else:
        best, has = guess, confident
    if rule in FILTERS:
        elsewhere = has & (best != given)
        codes = categorize_block(given, rows, best, has & ~elsewhere, ood_thresholds)
        others = np.array(rows, copy=True)
        others[np.arange(len(given)), given] = -np.inf
        suggested = np.where(elsewhere, best, others.argmax(axis=1))
    else:
        codes = categorize_block(given, rows, best, has, ood_thresholds)
        suggested = np.where(has, best, NO_SUGGESTION)
    scores = label_quality_scores(given, rows_dt, method) if quality else None
    return suggested, codes, scores, joint_block(given, best, has, rows.shape[1]), counted


def _second_pass(blocks, items, rule, thresholds, issues, method, fill_quality):
    """Pass 2 over ``blocks`` (:func:`analyse_block`), filling ``items``' arrays; returns ``(joint, mask)``: the
    rule's joint (flat K*K counts) and the mask of the filters pass 2 decides (else None)."""
    import numpy as np

    k = blocks.k
    joint = np.zeros(k * k, dtype=np.int64)
    filter_by = issues.filter_by if issues is not None else None
    mask = np.zeros(len(items.given), dtype=bool) if filter_by in PASS2_FILTERS else None
    for start, given, rows, rows_dt, _ in blocks:
        end = start + len(given)
        suggested, codes, scores, cells, counted = analyse_block(
            given, rows, rows_dt, rule, thresholds, filter_by=filter_by, method=method, quality=fill_quality
        )
        items.suggested[start:end], items.categories[start:end] = suggested, codes
        if fill_quality:
            items.quality[start:end] = scores
        joint += cells
        if counted is not None:
            issues.add_counts(*counted[:2])
            if mask is not None:
                mask[start:end] = counted[2]
    return joint, mask


def _issue_categories(items, mask, step=1 << 20):
    """Under a ``find_label_issues`` rule: the flagged items are label issues (suggested: their confident
    guess if it is another class, else their most probable other class); the others keep the category pass 2
    gave them (correct, suggested their label; or ood or unconfident, no suggestion)."""
    import numpy as np

    for start in range(0, len(mask), step):
        end = start + step
        flagged, codes = mask[start:end], items.categories[start:end]
        kept = np.where(codes == CORRECT, items.given[start:end], NO_SUGGESTION)
        items.suggested[start:end] = np.where(flagged, items.suggested[start:end], kept)
        codes[flagged] = LABEL_ISSUE


def _findings(classes, n, rule, qc, qo, class_thresholds, ood_thresholds, joint, counts, class_counts, method,
              score, items):  # fmt: skip
    import numpy as np

    k = len(classes)
    joint = np.asarray(joint).reshape(k, k)
    if rule != "percentile":  # cleanlab's confident joint
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


def value_counts(codes, size, step=1 << 20):
    """How many of ``codes`` (small integers) are 0..size-1, a list; counted a slice at a time, so that
    ``numpy.bincount``'s int64 copy of an N-long int8 array is never made."""
    import numpy as np

    counts = np.zeros(size, dtype=np.int64)
    for start in range(0, len(codes), step):
        counts += np.bincount(codes[start : start + step], minlength=size)
    return counts.tolist()


def per_class_values(labels, values, k, step=1 << 20):
    """Each class's ``values`` in item order, as a contiguous array of their dtype: one class at a time (a
    generator)."""
    import numpy as np

    for c in range(k):
        parts = [values[s : s + step][labels[s : s + step] == c] for s in range(0, len(labels), step)]
        yield np.concatenate(parts) if parts else np.empty(0, dtype=values.dtype)
