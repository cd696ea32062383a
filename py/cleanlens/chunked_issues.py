"""cleanlab's ``find_label_issues``, ``num_label_issues`` and dataset health from blocks of rows (numpy).

What :func:`cleanlens.cli_issues.sections` reports for arrays in memory (:mod:`cleanlens.counting_arrays`:
cleanlab 2.9.0's numbers), computed from blocks of rows read in passes, so that no N x K array is held: the
streamed ``find-issues`` and :func:`cleanlens.find_issues` (:mod:`cleanlens.chunked`) and Dask
(:mod:`cleanlens.distributed`). Every value is computed in the probabilities' dtype (float32 values in
float32, as cleanlab does), with the in-memory path's numpy calls on the same values:

1. pass 1 (with the threshold rule's): every row validated; for the pruning and ``low_`` filters, a sample of
   each selection's keys (:mod:`cleanlens.selection`);
2. cleanlab's confident thresholds (:func:`thresholds_from_means`): each class's mean self-confidence
   (numpy's mean of the class's values in item order, in the dtype), from the self-confidences pass 1 keeps;
3. pass 2 (:func:`count_block`, with the rule's): the confident guesses, the confident joint, the
   off-diagonal items that are not near ties (``num_label_issues``), and the whole mask of
   ``confident_learning`` and ``predicted_neq_given``;
4. K x K (:meth:`IssueCounts.finish`): the calibrated joint, the prune counts and the dataset health, with
   the in-memory path's code (:mod:`cleanlens.counting`, :mod:`cleanlens.filtering`, :mod:`cleanlens.health`);
5. for ``prune_by_noise_rate`` (the default), ``prune_by_class``, ``both`` and the ``low_`` filters: which
   items each cell's count picks (:class:`cleanlens.selection.Selection`: a gathering pass, rarely a pass
   that sorts some groups whole), then the marking pass (:func:`mark_block`) writes the mask, near ties
   removed.

The selections (``find_label_issues``' ``np.argsort(...)[:m]``), one per kind of key:

- ``noise`` (``prune_by_noise_rate``, ``both``): groups (given k, other class j), key ``-(p[j] - p[k])``,
  m = the prune count ``P[j][k]``;
- ``class`` (``prune_by_class``, ``both``): groups (k,), key ``p[k]``, m = ``n_k - P[k][k]``;
- ``low`` (``low_self_confidence``, ``low_normalized_margin``): one group of all items, key the label quality
  score, m = ``num_label_issues``.

Memory, beyond the streamed path's per-item arrays: the final mask (N bools), the selections' samples and
gathered keys (bounded, :mod:`cleanlens.selection`) and, only where equal keys straddle a cell's m-th place,
that cell's keys (a class's items; all N items for the ``low_`` filters) and their argsort.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .counting import CONFIDENT_THRESHOLDS_LOWER_BOUND, EMPTY_CLASS_THRESHOLD, FLOATING_POINT_COMPARISON
from .filtering import DEFAULT_FILTER, FILTERS, LOW_SCORE, prune_counts

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike, DTypeLike

from .selection import Selection, gather_block, numpy_order, portable_order, select_block, whole_block

TIES = ("numpy", "portable")
NOISE_FILTERS = ("prune_by_noise_rate", "both")
CLASS_FILTERS = ("prune_by_class", "both")
PASS2_FILTERS = ("confident_learning", "predicted_neq_given")
"""Filters whose mask pass 2 writes whole (no selection)."""


def compute_dtype(dtype: DTypeLike) -> np.dtype:
    """The numpy dtype cleanlab computes in for probabilities of ``dtype``: float32 for float32, else float64."""
    import numpy as np

    return np.dtype(np.float32) if np.dtype(dtype) == np.float32 else np.dtype(np.float64)


def thresholds_from_means(means: list) -> np.ndarray:
    """cleanlab's confident thresholds (K,) from each class's mean self-confidence (a numpy scalar in the
    dtype, or None for a class without items): 2.0 for those, then clipped below at 2e-6. float32 when every
    mean is float32, float64 otherwise (numpy's promotion, as ``cleanlab.count.get_confident_thresholds``)."""
    import numpy as np

    values = [EMPTY_CLASS_THRESHOLD if m is None else m for m in means]
    return np.clip(np.array(values), CONFIDENT_THRESHOLDS_LOWER_BOUND, None)


def rows_in_dtype(rows: np.ndarray | None, block: np.ndarray, dtype: np.dtype, renormalize: bool) -> np.ndarray:
    """A block's rows in cleanlab's ``dtype`` (:func:`compute_dtype`): the file's values converted (a view
    when they already are), or with ``renormalize`` the validated, renormalised float64 ``rows`` converted
    (as the in-memory path converts its float64 array)."""
    import numpy as np

    if renormalize:
        return rows.astype(dtype, copy=False)
    return np.ascontiguousarray(block, dtype=dtype)


def near_ties(labels: np.ndarray, rows: np.ndarray, items: np.ndarray) -> np.ndarray:
    """Whether each of ``items`` (int array) is a near tie: its argmax with its label's probability raised
    by 1e-6 (in the rows' dtype) is its label (:meth:`cleanlens.counting_arrays.ArrayCounts.near_ties`)."""
    import numpy as np

    raised = rows[items]
    given = labels[items]
    raised[np.arange(len(items)), given] += FLOATING_POINT_COMPARISON
    return raised.argmax(axis=1) == given


def count_block(
    labels: np.ndarray, rows: np.ndarray, argmax: np.ndarray, thresholds: np.ndarray, filter_by: str | None
) -> tuple:
    """Pass 2 of a block (``labels`` intp (n,), ``rows`` (n, K) in cleanlab's dtype, ``argmax`` (n,)):
    ``(guess, has, joint, off, mask)``: the confident guesses (valid where ``has``), the block's confident
    joint (K*K counts of ``given * K + guess``), its off-diagonal items that are not near ties, and for
    ``confident_learning`` and ``predicted_neq_given`` the block's mask (else None)."""
    import numpy as np

    from .confident_arrays import confident_guesses_array

    k = rows.shape[1]
    guess, has = confident_guesses_array(rows, thresholds, argmax)
    joint = np.bincount(labels[has] * k + guess[has], minlength=k * k)
    differ = np.flatnonzero(has & (guess != labels))
    differ = differ[~near_ties(labels, rows, differ)]
    mask = None
    if filter_by in PASS2_FILTERS:
        mask = np.zeros(len(labels), dtype=bool)
        if filter_by == "confident_learning":
            mask[differ] = True
        else:
            flagged = np.flatnonzero(argmax != labels)
            mask[flagged[~near_ties(labels, rows, flagged)]] = True
    return guess, has, joint, len(differ), mask


# --- the selections' keys -------------------------------------------------------------------------


def block_keys(kind: str, labels: np.ndarray, rows: np.ndarray, method: str | None) -> tuple[np.ndarray, np.ndarray]:
    """``(bases, keys)`` of a block for selection ``kind`` (``noise``, ``class`` or ``low``; see the module
    docstring): bases (n,) and keys (n, W), computed as the in-memory path computes them."""
    import numpy as np

    if kind == "low":
        from .rank import label_quality_scores

        return np.zeros(len(labels), dtype=np.intp), label_quality_scores(labels, rows, method)[:, None]
    own = rows[np.arange(len(labels)), labels]
    if kind == "class":
        return labels, own[:, None]
    return labels, -(rows - own[:, None])


def block_positions(kind: str, labels: np.ndarray, class_offsets: ArrayLike, start: int) -> np.ndarray:
    """Each row's position among its base's items: its index for ``low``, else its rank within its class
    (``class_offsets``: items of each class before the block)."""
    import numpy as np

    from .selection import positions_in_base

    if kind == "low":
        return start + np.arange(len(labels), dtype=np.int64)
    return positions_in_base(labels, class_offsets)


def sample_block(
    labels: np.ndarray, rows: np.ndarray, class_offsets: ArrayLike, start: int, strides: dict, method: str | None
) -> dict:
    """Pass 1's samples of a block: ``{kind: (bases, keys)}`` of the rows each selection samples
    (``strides``: ``{kind: Selection.strides}``)."""
    samples = {}
    for kind, stride in strides.items():
        if (stride == 1).all():
            samples[kind] = block_keys(kind, labels, rows, method)
            continue
        positions = block_positions(kind, labels, class_offsets, start)
        take = positions % stride[labels if kind != "low" else 0] == 0
        if take.any():
            samples[kind] = block_keys(kind, labels[take], rows[take], method)
    return samples


def gather_pass_block(labels: np.ndarray, rows: np.ndarray, bounds: dict, method: str | None) -> dict:
    """The gathering pass on a block: ``{kind: gather_block(...)}`` for ``bounds`` ``{kind: (lo, hi)}``."""
    out = {}
    for kind, (lo, hi) in bounds.items():
        bases, keys = block_keys(kind, labels, rows, method)
        out[kind] = gather_block(bases, keys, lo, hi)
    return out


def whole_pass_block(labels: np.ndarray, rows: np.ndarray, groups: dict, method: str | None) -> dict:
    """The pass that sorts groups whole, on a block: ``{kind: {group: keys in item order}}``."""
    out = {}
    for kind, wanted in groups.items():
        bases, keys = block_keys(kind, labels, rows, method)
        out[kind] = whole_block(bases, keys, wanted)
    return out


def mark_block(
    labels: np.ndarray,
    rows: np.ndarray,
    class_offsets: ArrayLike,
    start: int,
    cuts: dict,
    filter_by: str,
    method: str | None,
) -> np.ndarray:
    """The marking pass on a block: its ``find_label_issues`` mask (n,) from the selections' ``cuts``
    (``{kind: Cuts}``), near ties removed (not for the ``low_`` filters)."""
    import numpy as np

    chosen = None
    for kind, cut in cuts.items():
        bases, keys = block_keys(kind, labels, rows, method)
        positions = lambda kind=kind: block_positions(kind, labels, class_offsets, start)  # noqa: E731
        picked = select_block(bases, keys, positions, cut).any(axis=1)
        chosen = picked if chosen is None else chosen & picked
    if filter_by in LOW_SCORE:
        return chosen
    flagged = np.flatnonzero(chosen)
    chosen[flagged[near_ties(labels, rows, flagged)]] = False
    return chosen


def pass_block(
    kind: str,
    spec: dict,
    labels: np.ndarray,
    rows: np.ndarray,
    class_offsets: ArrayLike,
    start: int,
    filter_by: str,
    method: str | None,
) -> object:
    """One block of a pass :meth:`IssueCounts.next_pass` asks for (``kind``, ``spec``): what
    :func:`gather_pass_block`, :func:`whole_pass_block` or :func:`mark_block` returns. ``labels`` intp (n,),
    ``rows`` (n, K) in cleanlab's dtype, ``class_offsets`` (K,) items of each class before the block, whose
    first row is ``start``; ``filter_by`` and ``method``: :class:`IssueCounts`' ``filter_by`` and ``method``."""
    if kind == "gather":
        return gather_pass_block(labels, rows, spec, method)
    if kind == "whole":
        return whole_pass_block(labels, rows, spec, method)
    return mark_block(labels, rows, class_offsets, start, spec, filter_by, method)


# --- the client side -------------------------------------------------------------------------------


@dataclass
class IssueFindings:
    """The ``find_label_issues`` and ``health`` sections of a report, with the mask in blocks.

    ``filter_by``, ``ties`` (``numpy`` or ``portable``), ``count`` (items flagged), ``num_label_issues``,
    ``health`` (:func:`cleanlens.cli_issues.health_section`'s dict, or None) and ``mask``: an object whose
    ``blocks()`` yields ``(start, bool array)`` in item order."""

    filter_by: str
    ties: str
    count: int
    num_label_issues: int
    health: dict | None
    mask: object


class MaskArray:
    """A mask held as one bool array (N,): ``blocks()`` yields slices of it."""

    BLOCK = 1 << 20

    def __init__(self, mask: np.ndarray):
        self.mask = mask

    def blocks(self) -> Iterator[tuple[int, np.ndarray]]:
        for start in range(0, len(self.mask), self.BLOCK):
            yield start, self.mask[start : start + self.BLOCK]


class IssueCounts:
    """The client's side of :mod:`cleanlens.chunked_issues`: the selections, the sums of the passes, and the
    K x K computations (see the module docstring).

    ``filter_by``: one of :data:`cleanlens.filtering.FILTERS`; ``class_counts``: items per given label (K,);
    ``dtype``: cleanlab's (:func:`compute_dtype`); ``ties``: ``numpy`` (cleanlab's order of equal values on
    this machine) or ``portable`` (numpy's portable sort: the page's); ``method``: the ``low_`` filter's
    score.
    """

    def __init__(self, filter_by: str, class_counts: ArrayLike, dtype: DTypeLike, ties: str = "numpy"):
        import numpy as np

        if filter_by not in FILTERS:
            raise ValueError(f"unknown filter_by {filter_by!r}; expected one of {', '.join(FILTERS)}")
        self.filter_by, self.ties = filter_by, ties
        self.class_counts = [int(c) for c in class_counts]
        self.k, self.n = len(self.class_counts), sum(self.class_counts)
        self.method = filter_by[4:] if filter_by in LOW_SCORE else None
        order = numpy_order if ties == "numpy" else portable_order
        self.selections = {}
        if filter_by in NOISE_FILTERS:
            self.selections["noise"] = Selection(self.class_counts, self.k, dtype, order)
        if filter_by in CLASS_FILTERS:
            self.selections["class"] = Selection(self.class_counts, 1, dtype, order)
        if filter_by in LOW_SCORE:
            self.selections["low"] = Selection([self.n], 1, dtype, order)
        self.joint = np.zeros(self.k * self.k, dtype=np.int64)
        self.any_confident = False
        self.off_diagonal = 0

    @property
    def strides(self) -> dict:
        return {kind: s.strides for kind, s in self.selections.items()}

    def add_samples(self, samples: dict) -> None:
        for kind, (bases, keys) in samples.items():
            self.selections[kind].add_sample(bases, keys)

    def add_counts(self, joint: np.ndarray, off_diagonal: int) -> None:
        """Pass 2's sums of a block (:func:`count_block`)."""
        self.joint += joint
        self.any_confident = self.any_confident or bool(joint.any())
        self.off_diagonal += int(off_diagonal)

    @property
    def argsort(self) -> Callable | None:
        """The K-long sorts' tie order (cleanlab's rounding, the dataset tables)."""
        from .counting_arrays import numpy_argsort

        return numpy_argsort if self.ties == "numpy" else None

    def finish(self) -> None:
        """After pass 2: the confident joint, its calibration, ``num_label_issues`` and each selection's
        needs (the prune counts, or ``num_label_issues``)."""
        import numpy as np

        from .counting import calibrate_confident_joint

        joint = self.joint.reshape(self.k, self.k)
        np.fill_diagonal(joint, np.maximum(joint.diagonal(), 1))
        self.confident_joint = joint.tolist()
        # cleanlab's uncalibrated joint is F-ordered when some item is confident (counting.ConfidentCounts)
        self.calibrated = calibrate_confident_joint(
            self.confident_joint, self.class_counts, self.argsort, fortran=self.any_confident
        )
        self.num_label_issues = self.off_diagonal
        prune = None
        if self.filter_by in NOISE_FILTERS + CLASS_FILTERS:
            prune = np.array(prune_counts(self.calibrated, 1, 1.0, self.argsort), dtype=np.int64)
        eligible = np.array(self.class_counts) > 1  # cleanlab prunes only classes with more than one item
        for kind, selection in self.selections.items():
            if kind == "noise":
                needs = prune.T * eligible[:, None]  # needs[k, j] = P[j][k]
                np.fill_diagonal(needs, 0)
            elif kind == "class":
                needs = ((np.array(self.class_counts) - prune.diagonal()) * eligible)[:, None]
            else:
                needs = np.array([[self.num_label_issues]])
            selection.plan(needs)

    def next_pass(self) -> tuple[str, dict] | None:
        """The next pass the selections need: ``("gather", {kind: (lo, hi)})``, ``("whole", {kind: groups})``
        or ``("mark", {kind: Cuts})``; None when no pass is needed (no selection)."""
        if not self.selections:
            return None
        gathering = {kind: s for kind, s in self.selections.items() if s.gathering}
        if gathering:
            for s in gathering.values():
                s.start_gathering()
            return "gather", {kind: (s.lo, s.hi) for kind, s in gathering.items()}
        whole = {kind: s.whole_batches()[0] for kind, s in self.selections.items() if not s.done}
        if whole:
            return "whole", whole
        return "mark", {kind: s.cuts for kind, s in self.selections.items()}

    def add_gathered(self, results: dict) -> None:
        for kind, result in results.items():
            self.selections[kind].add_gathered(result)

    def finish_gathering(self) -> None:
        """After the gathering pass: resolve what it gathered."""
        for s in self.selections.values():
            if s.gathering:
                s.finish_gathering()

    def add_whole(self, parts: list) -> None:
        """The blocks' :func:`whole_pass_block` results, in item order."""
        import numpy as np

        for kind in parts[0] if parts else ():
            for g in parts[0][kind]:
                self.selections[kind].add_whole(g, np.concatenate([p[kind][g] for p in parts]))

    def sections(self, mask: object, count: int, classes: list[str], health: bool) -> IssueFindings:
        """The report's sections, once the mask is known (``mask``: an object with ``blocks()``)."""
        from .cli_issues import health_section

        summary = (
            health_section(self.calibrated, self.n, classes, self.argsort, self.num_label_issues) if health else None
        )
        return IssueFindings(self.filter_by, self.ties, int(count), int(self.num_label_issues), summary, mask)


__all__ = ["DEFAULT_FILTER", "FILTERS", "TIES", "IssueCounts", "IssueFindings"]
