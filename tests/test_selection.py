"""cleanlens.selection: the m smallest keys of each group from blocks equal numpy.argsort(keys)[:m], whichever
way a group is resolved (from its sample, by gathering, or sorted whole)."""

import numpy as np
import pytest

from cleanlens.selection import Selection, gather_block, portable_order, select_block, whole_block


def run(bases, keys, needs, sample, block=97, order=None):
    """Select with blocks of ``block`` rows; returns (the selected mask (n, W), the paths taken)."""
    sizes = np.bincount(bases, minlength=needs.shape[0])
    selection = Selection(sizes, keys.shape[1], keys.dtype, **({"order": order} if order else {}), sample=sample)
    positions = np.empty(len(bases), dtype=np.int64)
    for b in range(len(sizes)):
        positions[bases == b] = np.arange(sizes[b])
    blocks = [slice(s, s + block) for s in range(0, len(bases), block)]
    for part in blocks:
        take = selection.sample_mask(bases[part], positions[part])
        selection.add_sample(bases[part][take], keys[part][take])
    selection.plan(needs)
    paths = {"gathered": selection.gathering}
    if selection.gathering:
        selection.start_gathering()
        for part in blocks:
            selection.add_gathered(gather_block(bases[part], keys[part], selection.lo, selection.hi))
        selection.finish_gathering()
    batches = selection.whole_batches()
    paths["whole"] = sum(len(b) for b in batches)
    for batch in batches:
        parts = [whole_block(bases[part], keys[part], batch) for part in blocks]
        for g in batch:
            selection.add_whole(g, np.concatenate([p[g] for p in parts]))
    assert selection.done
    paths["ties"] = len(selection.cuts.ties)
    mask = np.concatenate([select_block(bases[p], keys[p], positions[p], selection.cuts) for p in blocks])
    return mask, paths


def expected(bases, keys, needs, argsort=np.argsort):
    mask = np.zeros(keys.shape, dtype=bool)
    for b in range(needs.shape[0]):
        rows = np.flatnonzero(bases == b)
        for w in range(keys.shape[1]):
            mask[rows[argsort(np.ascontiguousarray(keys[rows, w]))[: needs[b, w]]], w] = True
    return mask


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_continuous_keys_are_gathered(dtype):
    rng = np.random.default_rng(1)
    bases, keys = rng.integers(0, 3, 5_000), rng.normal(size=(5_000, 2)).astype(dtype)
    needs = np.array([[0, 5], [40, 1_000], [10_000, 300]])  # nothing, a few, many, all
    mask, paths = run(bases, keys, needs, sample=64)
    assert np.array_equal(mask, expected(bases, keys, needs))
    assert paths == {"gathered": True, "whole": 0, "ties": 0}


def test_small_groups_are_resolved_from_their_sample():
    rng = np.random.default_rng(2)
    bases, keys = rng.integers(0, 2, 500), rng.integers(0, 5, (500, 3)).astype(np.float64)  # many ties
    needs = np.array([[10, 100, 200], [1, 60, 249]])
    mask, paths = run(bases, keys, needs, sample=1_000)
    assert np.array_equal(mask, expected(bases, keys, needs))
    assert not paths["gathered"] and paths["whole"] == 0 and paths["ties"] > 0


@pytest.mark.parametrize("order", [None, portable_order])
def test_equal_keys_straddling_the_cut_are_sorted_whole(order):
    """Ties at the m-th place: the group is sorted whole, by numpy's sort or the portable one."""
    from cleanlens.floats import portable_argsort

    rng = np.random.default_rng(3)
    bases, keys = np.zeros(3_000, dtype=np.intp), np.round(rng.random((3_000, 2)), 2)
    needs = np.array([[1_000, 1_500]])
    mask, paths = run(bases, keys, needs, sample=100, order=order)
    argsort = np.argsort if order is None else (lambda v: np.array(portable_argsort(v.tolist())))
    assert np.array_equal(mask, expected(bases, keys, needs, argsort))
    assert paths == {"gathered": True, "whole": 2, "ties": 2}


def test_a_missed_interval_is_sorted_whole():
    """A sample that misrepresents its group (every sampled item holds the largest key): the interval misses
    the m-th smallest and the group is sorted whole (the other group: equal keys straddle its m-th place)."""
    n = 4_000
    bases = np.zeros(n, dtype=np.intp)
    keys = np.empty((n, 2))
    keys[:, 0] = np.where(np.arange(n) % 80 == 0, 1.0, np.linspace(0.0, 0.5, n))
    keys[:, 1] = np.where(np.arange(n) % 7 == 0, 0.25, 0.5)
    needs = np.array([[3_600, 3_000]])
    mask, paths = run(bases, keys, needs, sample=50)
    assert np.array_equal(mask, expected(bases, keys, needs))
    assert paths["gathered"] and paths["whole"] == 2


def test_too_many_equal_keys_in_the_interval_are_counted_not_kept():
    """90% of the keys are one value and m falls among them: the interval is that value, holds more keys than
    the cap, and the group is sorted whole."""
    rng = np.random.default_rng(4)
    keys = rng.choice([0.0, 0.3, 1.0], p=[0.05, 0.9, 0.05], size=(200_000, 1))
    bases = np.zeros(len(keys), dtype=np.intp)
    needs = np.array([[100_000]])
    mask, paths = run(bases, keys, needs, sample=10_000, block=20_000)
    assert np.array_equal(mask, expected(bases, keys, needs))
    assert paths == {"gathered": True, "whole": 1, "ties": 1}
