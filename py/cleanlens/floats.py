"""numpy's floating-point arithmetic, reproduced with the standard library: sums, means, float32, sort order.

cleanlab computes with numpy in the dtype of its inputs. To give the same numbers without numpy (in the
browser), the pure-Python code performs the same operations in the same order and rounds where numpy
rounds:

- **Summation** (:func:`pairwise_sum`): ``numpy.sum`` of a contiguous array, or along the contiguous
  axis of a 2-D array, is a pairwise summation: blocks of fewer than 8 values are added left to right;
  up to 128 values, 8 running sums (value ``i`` goes to sum ``i % 8``) combined as
  ``((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))`` and the remainder added left to right; longer
  blocks are split at ``n // 2`` rounded down to a multiple of 8 and the halves summed recursively.
  Along a non-contiguous axis numpy adds left to right (:func:`sequential_sum`).
- **float32** (:data:`FLOAT32`): every value is a Python float that float32 can hold exactly, and every
  operation numpy performs in float32 is performed in float64 and rounded to float32
  (:func:`to_float32`). For one addition, subtraction, multiplication or division of float32 values,
  this double rounding gives the correctly rounded float32 result (float64 has more than 2 x 24 + 2
  bits). A Python float in an operation with a float32 array is rounded to float32 first (NEP 50).
- **Means** (:func:`mean`): ``numpy.mean`` sums in the array's dtype, divides the sum by the count in
  float64 and rounds the quotient to the dtype.
- **Sort order**: ``numpy.argsort``'s default sort is not stable, and its order among equal values
  depends on the machine: on x86 with AVX2 or AVX-512, numpy sorts with SIMD sorting networks;
  elsewhere (ARM, Pyodide, older x86, or ``NPY_DISABLE_CPU_FEATURES``) with a portable introsort.
  cleanlab sorts with it, so its results differ between machines where equal values straddle a
  cut-off (on scikit-learn's digits with 6% of labels flipped, ``find_label_issues`` flags 211 items
  with AVX-512 or AVX2 and 212 with the portable sort). The pure-Python code takes an
  ``argsort(values, dtype)`` function, :func:`portable_argsort` (numpy's portable introsort,
  reproduced) unless told otherwise; given numpy's own argsort instead, it equals cleanlab on that
  machine (the tests check both).

Standard library only.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Callable, Generator, Sequence
from heapq import nsmallest
from itertools import compress, repeat
from operator import le
from typing import TypeVar

from .errors import CleanlensError

FLOAT64 = "float64"
FLOAT32 = "float32"
DTYPES = (FLOAT64, FLOAT32)
"""The dtypes the pure-Python code computes in exactly."""

Argsort = Callable[[Sequence[float], str], Sequence[int]]
"""``argsort(values, dtype)``: the indices that sort ``values`` ascending (a permutation of ``range(len(values))``)."""

Vector = Sequence[float]
Matrix = Sequence[Sequence[float]]
"""A K x K (or N x K) matrix as rows."""
_T = TypeVar("_T")
Steps = Generator[None, None, _T]
"""A step generator (the convention of :meth:`cleanlens.confident.ConfidentLearning.steps`): yields ``None``
between chunks of work, returns a ``_T``."""

_F32 = struct.Struct("f")


class DtypeError(CleanlensError):
    """A dtype the pure-Python code does not compute in (:data:`DTYPES`)."""


def check_dtype(dtype: str) -> str:
    """``dtype`` if it is one of :data:`DTYPES`, else ValueError."""
    if dtype not in DTYPES:
        raise DtypeError(f"unsupported dtype {dtype!r}; expected one of {', '.join(DTYPES)}")
    return dtype


def to_float32(x: float) -> float:
    """``x`` rounded to the nearest float32 (ties to even), as a Python float."""
    return _F32.unpack(_F32.pack(x))[0]


def round_values(values: Sequence[float], dtype: str) -> list[float]:
    """``values`` as a list, each rounded to ``dtype`` (for float64 the list itself, if it is one)."""
    if dtype == FLOAT32:
        return array("f", values).tolist()
    return values if isinstance(values, list) else list(values)


def promote(*dtypes: str) -> str:
    """numpy's result dtype of an operation between arrays of these float dtypes."""
    return FLOAT64 if FLOAT64 in dtypes else FLOAT32


def npy_dtype(code: str) -> str:
    """The dtype cleanlab computes in for a ``.npy`` file's values, from its header's struct code
    (:class:`cleanlens.arrays_io.NpyHeader` ``code``, e.g. ``"<f"``): :data:`FLOAT32` for float32 values,
    else :data:`FLOAT64` (numpy converts other types to float64 first, or computes in float64).

    >>> npy_dtype("<f"), npy_dtype(">d"), npy_dtype("<q")
    ('float32', 'float64', 'float64')
    """
    return FLOAT32 if code[1:] == "f" else FLOAT64


def numpy_dtype(array_like: object) -> str:
    """The name of a numpy array's dtype (``"float32"``, ``"float64"``, ...); :data:`FLOAT64` for other sequences."""
    dtype = getattr(array_like, "dtype", None)
    return FLOAT64 if dtype is None else str(dtype)


def numpy_inputs(*values: object):
    """The numpy module if any of ``values`` is a numpy array, else None (never imports numpy)."""
    np = sys.modules.get("numpy")
    if np is not None and any(isinstance(v, np.ndarray) for v in values):
        return np
    return None


# --- sums and means ---------------------------------------------------------------------------


def pairwise_sum(values: Sequence[float], dtype: str = FLOAT64) -> float:
    """``numpy.sum`` of a contiguous 1-D array of ``dtype`` holding ``values`` (see the module docstring).

    >>> pairwise_sum([0.1] * 10)
    1.0
    >>> sum([0.1] * 10)
    0.9999999999999999
    """
    if dtype == FLOAT32:
        return _pairwise32(values, 0, len(values))
    return _pairwise64(values, 0, len(values))


def iter_pairwise_sum(values: Sequence[float], dtype: str = FLOAT64, chunk: int = 4096) -> Steps[float]:
    """:func:`pairwise_sum` as a generator that yields ``None`` after about ``chunk`` values and returns the sum."""
    if len(values) <= chunk:
        return pairwise_sum(values, dtype)
    total = yield from _iter_pairwise(values, 0, len(values), dtype, chunk)
    return total


def _iter_pairwise(values, start, n, dtype, chunk):
    if n <= max(chunk, 128):  # numpy sums blocks of up to 128 values in one piece
        yield
        return _pairwise32(values, start, n) if dtype == FLOAT32 else _pairwise64(values, start, n)
    half = _split(n)
    left = yield from _iter_pairwise(values, start, half, dtype, chunk)
    right = yield from _iter_pairwise(values, start + half, n - half, dtype, chunk)
    return to_float32(left + right) if dtype == FLOAT32 else left + right


def _split(n):
    half = n // 2
    return half - half % 8


def _pairwise64(a, start, n):
    if n < 8:
        total = 0.0
        for i in range(start, start + n):
            total += a[i]
        return total
    if n <= 128:
        r = list(a[start : start + 8])
        end = start + n - n % 8
        for base in range(start + 8, end, 8):
            for k in range(8):
                r[k] += a[base + k]
        total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        for i in range(end, start + n):
            total += a[i]
        return total
    half = _split(n)
    return _pairwise64(a, start, half) + _pairwise64(a, start + half, n - half)


def _pairwise32(a, start, n):
    f = to_float32
    if n < 8:
        total = 0.0
        for i in range(start, start + n):
            total = f(total + a[i])
        return total
    if n <= 128:
        r = list(a[start : start + 8])
        end = start + n - n % 8
        for base in range(start + 8, end, 8):
            for k in range(8):
                r[k] = f(r[k] + a[base + k])
        total = f(f(f(r[0] + r[1]) + f(r[2] + r[3])) + f(f(r[4] + r[5]) + f(r[6] + r[7])))
        for i in range(end, start + n):
            total = f(total + a[i])
        return total
    half = _split(n)
    return f(_pairwise32(a, start, half) + _pairwise32(a, start + half, n - half))


def sequential_sum(values: Sequence[float], dtype: str = FLOAT64) -> float:
    """The sum of ``values`` added left to right in ``dtype`` (numpy's order along a non-contiguous axis)."""
    total = 0.0
    if dtype == FLOAT32:
        for x in values:
            total = to_float32(total + x)
    else:
        for x in values:
            total += x
    return total


def mean(values: Sequence[float], dtype: str = FLOAT64) -> float:
    """``numpy.mean`` of a contiguous 1-D array of ``dtype`` (not empty): the pairwise sum in ``dtype``
    divided by the count in float64, rounded to ``dtype``."""
    quotient = pairwise_sum(values, dtype) / len(values)
    return to_float32(quotient) if dtype == FLOAT32 else quotient


def row_sums(matrix: Sequence[Sequence[float]], *, contiguous: bool = True, dtype: str = FLOAT64) -> list[float]:
    """``matrix.sum(axis=1)``: each row's pairwise sum if the rows are contiguous in memory (a C-ordered
    array), else each row added left to right (an F-ordered array)."""
    if contiguous:
        return [pairwise_sum(row, dtype) for row in matrix]
    return [sequential_sum(row, dtype) for row in matrix]


def matrix_sum(matrix: Sequence[Sequence[float]], *, fortran: bool = False, dtype: str = FLOAT64) -> float:
    """``matrix.sum()`` of a contiguous 2-D array: the pairwise sum of its values in memory order (row by
    row, or column by column when ``fortran``)."""
    if fortran:
        return pairwise_sum([x for column in zip(*matrix) for x in column], dtype)
    return pairwise_sum([x for row in matrix for x in row], dtype)


def column_sums(matrix: Sequence[Sequence[float]], *, contiguous: bool, dtype: str = FLOAT64) -> list[float]:
    """``matrix.sum(axis=0)``: pairwise down each column if the columns are contiguous in memory (an
    F-ordered array), else the rows added left to right (a C-ordered array)."""
    columns = list(zip(*matrix))
    if contiguous:
        return [pairwise_sum(column, dtype) for column in columns]
    return [sequential_sum(column, dtype) for column in columns]


# --- sort order -------------------------------------------------------------------------------

SMALL_SORT = 16
"""numpy's portable argsort sorts at most this many values by insertion (a stable sort)."""


def portable_argsort(values: Sequence[float], dtype: str = FLOAT64) -> list[int]:
    """``numpy.argsort(values)`` as numpy computes it without SIMD sorting: the default :data:`Argsort`.

    numpy's portable introsort (the one it uses when the CPU has no AVX2, on ARM, in Pyodide, or with
    ``NPY_DISABLE_CPU_FEATURES``): partitions around the median of the first, middle and last values
    until a range holds at most 16 values, which are sorted by insertion; a heapsort takes over a range
    after ``2 floor(log2 N)`` partitions. Equal values end up in an order that depends on all of them.
    Values without duplicates take one stable sort instead (any sort gives the same order then).
    Values must not be NaN.

    >>> portable_argsort([0.5, 0.1, 0.5, 0.0])
    [3, 1, 0, 2]
    """
    n = len(values)
    if n <= SMALL_SORT or len(set(values)) == n:
        return sorted(range(n), key=values.__getitem__)
    return _introsort(values)


def _introsort(v):
    idx = list(range(len(v)))
    pl, pr = 0, len(v) - 1
    stack = []
    depth = 2 * (len(v).bit_length() - 1)
    while True:
        if depth < 0:
            idx[pl : pr + 1] = _heapsort(v, idx[pl : pr + 1])
        else:
            while pr - pl >= SMALL_SORT:
                pi = _partition(v, idx, pl, pr)
                if pi - pl < pr - pi:  # the larger part waits on the stack
                    stack.append((pi + 1, pr))
                    pr = pi - 1
                else:
                    stack.append((pl, pi - 1))
                    pl = pi + 1
                depth -= 1
                stack[-1] += (depth,)
            _insertion_sort(v, idx, pl, pr)
        if not stack:
            return idx
        pl, pr, depth = stack.pop()


def _partition(v, idx, pl, pr):
    """Median of three moved to ``pr - 1``, then Hoare's partition; returns the pivot's final position."""
    pm = pl + ((pr - pl) >> 1)
    if v[idx[pm]] < v[idx[pl]]:
        idx[pm], idx[pl] = idx[pl], idx[pm]
    if v[idx[pr]] < v[idx[pm]]:
        idx[pr], idx[pm] = idx[pm], idx[pr]
    if v[idx[pm]] < v[idx[pl]]:
        idx[pm], idx[pl] = idx[pl], idx[pm]
    pivot = v[idx[pm]]
    pi, pj = pl, pr - 1
    idx[pm], idx[pj] = idx[pj], idx[pm]
    while True:
        pi += 1
        while v[idx[pi]] < pivot:
            pi += 1
        pj -= 1
        while pivot < v[idx[pj]]:
            pj -= 1
        if pi >= pj:
            break
        idx[pi], idx[pj] = idx[pj], idx[pi]
    idx[pi], idx[pr - 1] = idx[pr - 1], idx[pi]
    return pi


def _insertion_sort(v, idx, pl, pr):
    for pi in range(pl + 1, pr + 1):
        vi = idx[pi]
        x = v[vi]
        pj = pi
        while pj > pl and x < v[idx[pj - 1]]:
            idx[pj] = idx[pj - 1]
            pj -= 1
        idx[pj] = vi


def _heapsort(v, items):
    """numpy's heapsort of the indices ``items`` by their values (1-based heap, as numpy's)."""
    a = [None, *items]
    n = len(items)
    for top in range(n >> 1, 0, -1):
        _sift(v, a, top, n)
    while n > 1:
        tmp = a[n]
        a[n] = a[1]
        n -= 1
        a[1] = tmp
        _sift(v, a, 1, n)
    return a[1:]


def _sift(v, a, i, n):
    tmp = a[i]
    j = i << 1
    while j <= n:
        if j < n and v[a[j]] < v[a[j + 1]]:
            j += 1
        if v[tmp] < v[a[j]]:
            a[i] = a[j]
            i = j
            j += j
        else:
            break
    a[i] = tmp


def stable_argsort(values: Sequence[float], dtype: str = FLOAT64) -> list[int]:
    """Indices sorting ``values`` ascending, equal values in index order."""
    return sorted(range(len(values)), key=values.__getitem__)


def smallest(values: Sequence[float], m: int, dtype: str = FLOAT64, argsort: Argsort | None = None) -> list[int]:
    """The indices of the ``m`` smallest ``values``, as a set: those of ``argsort(values, dtype)[:m]``
    (default :func:`portable_argsort`).

    When the m-th smallest value is below the next one, every sort agrees on the set, which is found
    without sorting the indices: for a few of many values with a heap (then every index of a value up to
    it), otherwise from a sample of the values, a cut a little above the m-th smallest, and one sort of
    the indices up to the cut. Only when equal values straddle the m-th place is the sort itself run.
    """
    n = len(values)
    m = max(0, min(m, n))
    if argsort is not None:
        return list(argsort(values, dtype)[:m])
    if m == n:
        return list(range(n))
    if m == 0:
        return []
    key = values.__getitem__
    if m * 64 > n:
        sample = sorted(values[:: max(1, n // 512)])
        cut = sample[min(len(sample) - 1, m * len(sample) // n + 16)]
        candidates = list(compress(range(n), map(le, values, repeat(cut))))
        if len(candidates) <= m:
            candidates = range(n)
        chosen = sorted(candidates, key=key)
        last = values[chosen[m - 1]]
        if len(chosen) == m or values[chosen[m]] > last:
            return chosen[:m]
    else:
        last = nsmallest(m, values)[-1]
        chosen = list(compress(range(n), map(le, values, repeat(last))))
        if len(chosen) == m:
            return chosen
    return portable_argsort(values, dtype)[:m]
