"""find-issues at scale: streamed in blocks against the in-memory path, and on a local Dask cluster.

Prints tables (medians and min-max over runs, interleaved run by run); never asserts on timings.

1. **One machine**, N = 20,000,000, K = 10 float32 (``--n``, ``--k``; 800 MB of probabilities, 160 MB of
   int64 labels, written once to ``--dir``): ``python -m cleanlens find-issues --labels L --pred-probs P``
   (the text report; the streamed path) against the same with ``--in-memory`` (the whole arrays in memory,
   as before streaming), each in its own process: wall time, the peak of the process's anonymous resident
   memory (``RssAnon`` in ``/proc/PID/status``, sampled every 10 ms: the memory map's file pages are not
   anonymous) and its peak resident memory (``VmHWM``, file pages included). The reports are checked equal.
2. **Dask** (``--dask-n``, default 2,000,000 x 10): ``find-issues --dask`` (a LocalCluster of 2 workers on
   127.0.0.1, started by the command) against ``--in-memory``, wall time; the reports are checked equal.

Usage: ``python bench/bench_scale.py [--runs 3] [--n 20000000] [--k 10] [--dask-n 2000000] [--no-dask]
[--dir DIR]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def make_files(folder, n, k, seed=0):
    """Labels (int64) and float32 probabilities (softmax of noisy logits), written in blocks (bounded memory)."""
    folder.mkdir(parents=True, exist_ok=True)
    labels_path, probs_path = folder / f"labels_{n}x{k}.npy", folder / f"pred_probs_{n}x{k}.npy"
    if labels_path.exists() and probs_path.exists():
        return labels_path, probs_path
    rng = np.random.default_rng(seed)
    labels = np.lib.format.open_memmap(labels_path, mode="w+", dtype=np.int64, shape=(n,))
    probs = np.lib.format.open_memmap(probs_path, mode="w+", dtype=np.float32, shape=(n, k))
    step = 1_000_000
    for start in range(0, n, step):
        m = min(step, n - start)
        truth = rng.integers(0, k, m)
        logits = rng.normal(size=(m, k)).astype(np.float32) + 3.0 * np.eye(k, dtype=np.float32)[truth]
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        probs[start : start + m] = p
        labels[start : start + m] = np.where(rng.random(m) < 0.05, rng.integers(0, k, m), truth)
    labels.flush()
    probs.flush()
    del labels, probs
    return labels_path, probs_path


def status_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def run(argv):
    """``(seconds, peak anonymous MB, peak resident MB, stdout)`` of one command."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "py"))
    out = tempfile.TemporaryFile()
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "cleanlens", *map(str, argv)], stdout=out, env=env)
    anon = hwm = 0
    while process.poll() is None:
        anon = max(anon, status_kb(process.pid, "RssAnon") or 0)
        hwm = max(hwm, status_kb(process.pid, "VmHWM") or 0)
        time.sleep(0.01)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"{argv}: exit status {process.returncode}")
    out.seek(0)
    return seconds, anon / 1024, hwm / 1024, out.read()


def cell(values, fmt):
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def compare(title, variants, runs):
    results = {name: [] for name in variants}
    outputs = {}
    for r in range(runs):
        names = list(variants) if r % 2 == 0 else list(variants)[::-1]
        for name in names:
            seconds, anon, hwm, out = run(variants[name])
            results[name].append((seconds, anon, hwm))
            outputs.setdefault(name, out)
            print(f"  run {r + 1} {name}: {seconds:.1f} s, anon {anon:.0f} MB, VmHWM {hwm:.0f} MB", flush=True)
    same = len(set(outputs.values())) == 1
    print(f"\n{title} — medians of {runs} (min–max); reports equal: {same}\n")
    print("| path | wall s | peak anonymous MB | peak resident MB (VmHWM) |")
    print("| --- | --- | --- | --- |")
    for name, rows in results.items():
        s, a, h = zip(*rows)
        print(f"| {name} | {cell(s, '{:.1f}')} | {cell(a, '{:.0f}')} | {cell(h, '{:.0f}')} |")
    base = statistics.median(r[0] for r in results[list(variants)[0]])
    for name, rows in list(results.items())[1:]:
        print(f"\n{name} / {list(variants)[0]} time: {statistics.median(r[0] for r in rows) / base:.2f}")
    print(flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--n", type=int, default=20_000_000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--dask-n", type=int, default=2_000_000)
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "cleanlens-bench-scale")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} cores", flush=True)
    labels, probs = make_files(args.dir, args.n, args.k)
    base = ["find-issues", "--labels", labels, "--pred-probs", probs]
    compare(f"find-issues, {args.n:,} x {args.k} float32", {"in-memory (--in-memory)": [*base, "--in-memory"],
                                                             "streamed (default)": base}, args.runs)  # fmt: skip
    if not args.no_dask:
        labels, probs = make_files(args.dir, args.dask_n, args.k)
        base = ["find-issues", "--labels", labels, "--pred-probs", probs]
        compare(f"find-issues, {args.dask_n:,} x {args.k} float32, Dask", {"in-memory (--in-memory)": [
            *base, "--in-memory"], "Dask LocalCluster, 2 workers (--dask)": [*base, "--dask"]}, args.runs)  # fmt: skip


if __name__ == "__main__":
    main()
