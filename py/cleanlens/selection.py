"""The m smallest keys of each group, exactly as ``numpy.argsort`` picks them, from blocks of items (numpy).

cleanlab's ``find_label_issues`` picks, within groups of items, the ``m`` items with the smallest keys:
``numpy.argsort(keys)[:m]`` of the group's keys in item order (:mod:`cleanlens.counting_arrays`). The groups
are ``(b, w)``: ``b`` a base (an item's given label, or 0 for a group of all items) and ``w`` one of ``W``
keys per item (another class, for ``prune_by_noise_rate``); the group's items are the items of base ``b``, its
keys their ``w``-th key, and an item's **position** is its rank among the items of its base, in item order.
When the m-th smallest key is below the next one every sort picks the same items; when equal keys straddle
the m-th place, which of them are picked depends on the sort and on all of the group's keys, so the group's
keys are then sorted whole, as the in-memory path sorts them.

:class:`Selection` finds the in-memory path's items from blocks of rows read in passes, holding a group's
keys only in that last case:

1. while the rows are read for something else (pass 1), a systematic sample of every group: the items whose
   position is a multiple of ``stride = max(1, n_b // sample)``; a group of at most ``sample`` items is thus
   sampled whole, in item order, and needs nothing more;
2. once each group's ``m`` is known (:meth:`Selection.plan`), an interval ``[lo, hi]`` of keys per group that
   holds the m-th smallest with a wide margin (the sample ranks ``(m - 1) / stride +- (5 sqrt(.) + 4)``);
3. one pass (:func:`gather_block`) counts each group's keys below ``lo`` and gathers those in ``[lo, hi]``
   (at most :meth:`Selection.cap` of them per group);
4. the m-th smallest key ``v`` then follows exactly; when exactly ``m`` keys are ``<= v`` the group's rule
   is "key <= v" (:class:`Cuts`);
5. otherwise (equal keys straddle the m-th place, the interval missed, or a group had too many keys in it)
   the group's keys are gathered whole, in item order (:func:`whole_block`, one more pass for all such
   groups, :data:`WHOLE_VALUES` keys at a time), and sorted by ``argsort`` (numpy's, or
   :func:`cleanlens.floats.portable_argsort`: the tie order): the rule is then "key < v", plus the
   positions of the chosen items whose key is ``v``.

:func:`select_block` applies the rules to a block (the marking pass). Memory: the samples (at most
``sample`` x W keys per base), the gathered keys (at most the caps) and, in step 5 only, the keys of the
groups sorted whole (a group's n_b keys and their argsort, 8 n_b bytes).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike, DTypeLike

SAMPLE = 16_384
"""Sampled items per group (the default; fewer with many groups, :func:`sample_size`)."""
SAMPLE_KEYS = 1 << 21
"""About this many sampled keys in all (groups x sample)."""
MIN_SAMPLE = 1024
"""Sampled items per group at least."""
WHOLE_VALUES = 1 << 24
"""Keys of the groups sorted whole held at a time (a larger group is held alone)."""


def sample_size(n_groups: int) -> int:
    """Items sampled per group: :data:`SAMPLE`, fewer (down to :data:`MIN_SAMPLE`) when there are many groups."""
    return max(MIN_SAMPLE, min(SAMPLE, SAMPLE_KEYS // max(1, n_groups)))


def numpy_order(keys: np.ndarray) -> np.ndarray:
    """``numpy.argsort(keys)``: the in-memory path's order of a group's keys (numpy's tie order)."""
    import numpy as np

    return np.argsort(keys)


def portable_order(keys: np.ndarray) -> np.ndarray:
    """:func:`cleanlens.floats.portable_argsort` of a group's keys (numpy's portable sort: the page's ties)."""
    import numpy as np

    from .floats import FLOAT32, FLOAT64, portable_argsort

    return np.array(portable_argsort(keys.tolist(), FLOAT32 if keys.dtype == np.float32 else FLOAT64), dtype=np.intp)


@dataclass
class Cuts:
    """Each group's selection: ``key < value``, or ``key <= value`` where ``inclusive``, plus the items at
    ``ties[(b, w)]`` (sorted positions) among those whose key equals ``value``. ``value`` and ``inclusive``
    are arrays (B, W); ``-inf`` selects nothing, ``+inf`` everything."""

    value: object
    inclusive: object
    ties: dict = field(default_factory=dict)


class Selection:
    """The items ``numpy.argsort(keys)[:m]`` picks in each of B x W groups (see the module docstring).

    ``sizes``: the number of items of each base (B,); ``width``: W, keys per item; ``dtype``: the keys'
    (float32 or float64); ``order``: :func:`numpy_order` or :func:`portable_order`.
    """

    def __init__(
        self, sizes: ArrayLike, width: int, dtype: DTypeLike, order: Callable = numpy_order, sample: int | None = None
    ):
        import numpy as np

        self.sizes = np.asarray(sizes, dtype=np.int64)
        self.width = width
        self.dtype = np.dtype(dtype)
        self.order = order
        n_bases = len(self.sizes)
        self.sample = sample or sample_size(n_bases * width)
        self.strides = np.maximum(1, self.sizes // self.sample)
        self._samples = []  # (bases (s,), keys (s, W)) of the sampled rows, in item order
        self.needs = None
        self.status = {}  # (b, w) -> "gather" | "whole" while unresolved
        value = np.full((n_bases, width), -np.inf, dtype=self.dtype)
        self.cuts = Cuts(value, np.zeros((n_bases, width), dtype=bool))
        self.lo = self.hi = None

    # --- pass 1: the samples ---

    def sample_mask(self, bases: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Which rows of a block to sample: ``bases`` (n,) and ``positions`` (n,) of its rows."""
        return positions % self.strides[bases] == 0

    def add_sample(self, bases: np.ndarray, keys: np.ndarray) -> None:
        """The sampled rows of a block (in item order): their bases (s,) and keys (s, W)."""
        import numpy as np

        self._samples.append((np.asarray(bases), np.asarray(keys, dtype=self.dtype).reshape(len(bases), self.width)))

    # --- the needs: intervals, or resolved from the sample ---

    def plan(self, needs: ArrayLike) -> None:
        """Set each group's ``m`` (an int array (B, W); m >= n_b takes all) and resolve what the samples
        allow; the other groups get intervals for :func:`gather_block`."""
        import numpy as np

        self.needs = np.minimum(np.asarray(needs, dtype=np.int64), self.sizes[:, None])
        bases = np.concatenate([b for b, _ in self._samples]) if self._samples else np.empty(0, dtype=np.intp)
        keys = np.concatenate([k for _, k in self._samples]) if self._samples else np.empty((0, self.width))
        self._samples = []
        self.lo = np.full(self.needs.shape, np.inf, dtype=self.dtype)  # (no key is in [inf, inf]: keys are finite)
        self.hi = np.full(self.needs.shape, np.inf, dtype=self.dtype)
        self.expected = np.zeros(self.needs.shape, dtype=np.int64)
        order = np.argsort(bases, kind="stable")
        bounds = np.searchsorted(bases[order], np.arange(len(self.sizes) + 1))
        for b in range(len(self.sizes)):
            rows = order[bounds[b] : bounds[b + 1]]
            for w in range(self.width):
                m = int(self.needs[b, w])
                if m <= 0:
                    continue  # -inf: nothing
                if m >= self.sizes[b]:
                    self.cuts.value[b, w] = np.inf
                    continue
                sample = keys[rows, w]
                if self.strides[b] == 1:  # the whole group, in item order
                    self._resolve_whole(b, w, np.ascontiguousarray(sample))
                else:
                    self._interval(b, w, np.sort(sample), m)

    def _interval(self, b, w, sample, m):
        import numpy as np

        stride = int(self.strides[b])
        rank = (m - 1) / stride
        margin = 5.0 * math.sqrt(rank + 1.0) + 4.0
        low, high = math.floor(rank - margin), math.ceil(rank + margin)
        self.lo[b, w] = sample[low] if low >= 0 else -np.inf
        self.hi[b, w] = sample[high] if high < len(sample) else np.inf
        self.expected[b, w] = (min(high, len(sample)) - max(low, 0) + 1) * stride
        self.status[b, w] = "gather"

    @property
    def gathering(self) -> bool:
        """True while some group waits for :func:`gather_block`'s pass."""
        return "gather" in self.status.values()

    def cap(self) -> np.ndarray:
        """Keys gathered at most per group (B, W): four times the expected number, and 4,096 more."""
        return 4 * self.expected + 4096

    # --- the gathering pass ---

    def start_gathering(self) -> None:
        import numpy as np

        shape = self.needs.shape
        self._below = np.zeros(shape, dtype=np.int64)
        self._inside = np.zeros(shape, dtype=np.int64)
        self._gathered = {}
        self._caps = self.cap()
        self._held = np.zeros(shape, dtype=np.int64)

    def add_gathered(self, result: tuple) -> None:
        """One block's :func:`gather_block` result (blocks in any order)."""
        below, inside, groups, keys = result
        self._below += below.reshape(self._below.shape)
        self._inside += inside.reshape(self._inside.shape)
        if not len(groups):
            return
        import numpy as np

        order = np.argsort(groups, kind="stable")
        groups, keys = groups[order], keys[order]
        starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
        for s, e in zip(starts.tolist(), np.r_[starts[1:], len(groups)].tolist()):
            g = divmod(int(groups[s]), self.width)
            parts = self._gathered.setdefault(g, [])
            if parts is None:
                continue  # overflowed: counted, not kept
            parts.append(keys[s:e])
            self._held[g] += e - s
            if self._held[g] > self._caps[g]:
                self._gathered[g] = None

    def finish_gathering(self) -> None:
        """Resolve the gathered groups: each gets its cut, or must be sorted whole (:meth:`whole_batches`)."""
        import numpy as np

        for g, state in list(self.status.items()):
            if state != "gather":
                continue
            m, below, inside = int(self.needs[g]), int(self._below[g]), int(self._inside[g])
            self.status[g] = "whole"
            if not below < m <= below + inside:
                continue  # the interval missed the m-th smallest
            parts = self._gathered.get(g, [])
            if parts is None:  # too many keys in [lo, hi]: decidable only if they are all one value
                if self.lo[g] == self.hi[g] and below + inside == m:
                    self._cut(g, self.lo[g], inclusive=True)
                continue
            keys = np.sort(np.concatenate(parts)) if parts else np.empty(0, dtype=self.dtype)
            v = keys[m - below - 1]
            if below + int(np.searchsorted(keys, v, side="right")) == m:
                self._cut(g, v, inclusive=True)
        del self._gathered

    def _cut(self, g, v, inclusive, ties=None):
        self.cuts.value[g] = v
        self.cuts.inclusive[g] = inclusive
        if ties is not None:
            self.cuts.ties[g] = ties
        self.status.pop(g, None)

    # --- groups sorted whole ---

    def whole_batches(self) -> list[list[tuple[int, int]]]:
        """The groups to sort whole, in batches of at most :data:`WHOLE_VALUES` keys (or one larger group)."""
        batches, batch, held = [], [], 0
        for g in sorted(g for g, state in self.status.items() if state == "whole"):
            n = int(self.sizes[g[0]])
            if batch and held + n > WHOLE_VALUES:
                batches.append(batch)
                batch, held = [], 0
            batch.append(g)
            held += n
        return batches + ([batch] if batch else [])

    def add_whole(self, g: tuple[int, int], keys: np.ndarray) -> None:
        """Group ``g``'s keys, all of them in item order (from :func:`whole_block` of every block)."""
        self._resolve_whole(*g, keys)

    def _resolve_whole(self, b, w, keys):
        import numpy as np

        m = int(self.needs[b, w])
        order = self.order(keys)
        v = keys[order[m - 1]]
        less = int(np.count_nonzero(keys < v))
        if less + int(np.count_nonzero(keys == v)) == m:
            self._cut((b, w), v, inclusive=True)
        else:
            self._cut((b, w), v, inclusive=False, ties=np.sort(order[less:m]))

    @property
    def done(self) -> bool:
        return not self.status


# --- block functions (pure: they run where the rows are, e.g. on Dask workers) ----------------------


def gather_block(bases: np.ndarray, keys: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple:
    """``(below, inside, groups, values)`` of a block: per group (flat, B x W) the number of keys below
    ``lo`` and in ``[lo, hi]``, and the keys in ``[lo, hi]`` with their flat group numbers.

    ``bases`` (n,), ``keys`` (n, W); ``lo``, ``hi`` (B, W)."""
    import numpy as np

    n_groups, width = lo.size, lo.shape[1]
    where = (keys >= lo[bases]).view(np.int8)  # 0 below, 1 inside, 2 above
    where += keys > hi[bases]
    flat = (bases.astype(np.intp) * width)[:, None] + np.arange(width)
    counts = np.bincount((flat * 3 + where).ravel(), minlength=3 * n_groups).reshape(n_groups, 3)
    inside = np.flatnonzero(where.ravel() == 1)
    return counts[:, 0], counts[:, 1], flat.ravel()[inside].astype(np.int32), keys.ravel()[inside]


def whole_block(bases: np.ndarray, keys: np.ndarray, groups: list[tuple[int, int]]) -> dict:
    """For each ``(b, w)`` of ``groups``: the block's keys of that group, in item order."""
    return {(b, w): keys[bases == b, w] for b, w in groups}


def select_block(bases: np.ndarray, keys: np.ndarray, positions: np.ndarray | Callable, cuts: Cuts) -> np.ndarray:
    """A bool array (n, W): which of a block's keys are selected by ``cuts``; ``positions`` (n,): each row's
    position among its base's items (or a function returning them, called only if ``cuts`` has ties)."""
    import numpy as np

    value, inclusive = cuts.value[bases], cuts.inclusive[bases]
    selected = (keys < value) | (inclusive & (keys == value))
    if cuts.ties and callable(positions):
        positions = positions()
    for (b, w), ties in cuts.ties.items():
        rows = np.flatnonzero((bases == b) & (keys[:, w] == cuts.value[b, w]))
        if rows.size:
            at = np.searchsorted(ties, positions[rows])
            hit = at < len(ties)
            hit[hit] = ties[at[hit]] == positions[rows[hit]]
            selected[rows[hit], w] = True
    return selected


def positions_in_base(bases: np.ndarray, offsets: ArrayLike) -> np.ndarray:
    """Each row's position among its base's items: ``offsets`` (B,) items of each base before the block."""
    import numpy as np

    positions = np.empty(len(bases), dtype=np.int64)
    for b, offset in enumerate(np.asarray(offsets).tolist()):
        rows = np.flatnonzero(bases == b)
        positions[rows] = np.arange(offset, offset + len(rows))
    return positions
