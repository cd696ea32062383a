"""cleanlens.floats: numpy's sums, means, float32 rounding and sort order, reproduced bit for bit."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanlens.floats import (
    column_sums,
    iter_pairwise_sum,
    matrix_sum,
    mean,
    pairwise_sum,
    portable_argsort,
    round_values,
    row_sums,
    smallest,
    to_float32,
)
from cleanlens.steps import drain

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LENGTHS = [1, 2, 7, 8, 9, 15, 16, 17, 127, 128, 129, 255, 256, 257, 1000, 4097, 10_001]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_sums_and_means_equal_numpys(dtype):
    rng = np.random.default_rng(0)
    for n in LENGTHS:
        values = (rng.random(n) ** 3 * 10.0 ** rng.uniform(-6, 0, n)).astype(dtype)
        listed = values.tolist()
        assert pairwise_sum(listed, dtype) == np.sum(values)
        assert drain(iter_pairwise_sum(listed, dtype, chunk=100)) == np.sum(values)
        assert mean(listed, dtype) == np.mean(values)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_axis_sums_follow_the_memory_order(dtype):
    rng = np.random.default_rng(1)
    for k in (3, 8, 13, 50):
        m = rng.random((k, k)).astype(dtype)
        for array, fortran in ((np.ascontiguousarray(m), False), (np.asfortranarray(m), True)):
            rows = array.tolist()
            assert row_sums(rows, contiguous=not fortran, dtype=dtype) == array.sum(axis=1).tolist()
            assert column_sums(rows, contiguous=fortran, dtype=dtype) == array.sum(axis=0).tolist()
            assert matrix_sum(rows, fortran=fortran, dtype=dtype) == array.sum()


def test_float32_rounding():
    values = np.random.default_rng(2).random(1000)
    assert round_values(values.tolist(), "float32") == values.astype(np.float32).tolist()
    assert [to_float32(x) for x in values[:50].tolist()] == values[:50].astype(np.float32).tolist()
    assert round_values([0.1, 0.2], "float64") == [0.1, 0.2]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([0.0, 0.25, 0.5, 1.0]) | st.floats(0, 1), max_size=300), st.data())
def test_smallest_is_the_start_of_the_portable_sort(values, data):
    m = data.draw(st.integers(0, len(values)))
    assert sorted(smallest(values, m)) == sorted(portable_argsort(values)[:m])


CHECK = """
import json, sys
sys.path[:0] = ["py"]
import numpy as np
from cleanlens.floats import portable_argsort
rng = np.random.default_rng(0)
failures = []
for trial in range(1500):
    n = int(rng.integers(0, 300)) if trial % 10 else int(rng.integers(1000, 5000))
    if trial % 2:
        values = rng.integers(0, int(rng.integers(1, 6)), n).astype(float)
    else:
        values = rng.random(n).round(int(rng.integers(1, 3)))
    if trial % 7 == 0:
        values = np.sort(values)
    if trial % 11 == 0:
        values = -np.sort(values)
    values = values.astype(np.float32 if trial % 3 == 0 else np.float64)
    if portable_argsort(values.tolist()) != np.argsort(values).tolist():
        failures.append(trial)
# Musser's median-of-3 killer: numpy's introsort runs out of depth and heapsorts the rest
for n in (352, 400, 1000):
    half = n // 2
    killer = [0] * n
    for i in range(1, half + 1):
        if i % 2:
            killer[i - 1], killer[i] = i, half + i
        killer[half + i - 1] = 2 * i
    for values in (np.array(killer, float), np.array(killer, float) // 3):
        if portable_argsort(values.tolist()) != np.argsort(values).tolist():
            failures.append(f"killer {n}")
print(json.dumps(failures))
"""


def test_portable_argsort_is_numpys_without_simd_sorting():
    """numpy's argsort with SIMD sorting turned off (as on ARM or in Pyodide), on tie-heavy arrays, sorted
    arrays and median-of-3 killers (which exhaust the introsort's depth: its heapsort fallback)."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    simd = [feature for feature in __cpu_dispatch__ if __cpu_features__.get(feature)]
    env = dict(os.environ, NPY_DISABLE_CPU_FEATURES=" ".join(simd))
    out = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
