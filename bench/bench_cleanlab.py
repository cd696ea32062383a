"""Confident learning and label quality scores: ours against cleanlab (CPython, numpy), and the scores in Pyodide.

Prints tables (median and min-max over runs); never asserts on timings.

1. **CPython, N = 200,000, K = 10** (``--n``, ``--k``; Dirichlet(1) rows,
   uniform labels, seed 0), ours and cleanlab on the same numpy arrays, run
   by run interleaved (the order alternates), wall and CPU time:

   - ``cleanlab.count.compute_confident_joint(labels, pred_probs,
     calibrate=False, return_indices_of_off_diagonals=True)`` against
     ``ArrayConfidentLearning(labels, pred_probs).categorize(rule="cleanlab")``
     (which also validates the inputs and computes the percentile thresholds,
     the categories and every cell's items), and the same with
     ``validated=True``;
   - ``cleanlab.rank.get_label_quality_scores`` against
     :func:`cleanlens.rank.label_quality_scores`, for each method;

   then each call once more under :mod:`tracemalloc` for its peak memory (numpy
   reports its buffers to tracemalloc), against the size of the inputs.
2. **The command line** on those arrays saved as ``.npy`` (``find-issues
   --json``, output discarded), with numpy and without it (the pure path, as
   on a machine without numpy), interleaved: wall time, CPU time and the
   process's peak resident memory (``wait4``), beside that of a Python that
   only imports numpy; and, in this process, tracemalloc's peak while
   :func:`cleanlens.cli.find_issues` reads the files, analyses them and builds
   the report (Python's and numpy's allocations, not the interpreter itself).
3. **Pyodide** (``--pyodide``; Node and ``node_modules/pyodide``), N =
   100,000, K = 10: :func:`cleanlens.rank.iter_label_quality_scores` per
   method and :func:`cleanlens.rank.iter_label_quality_order` driven to the
   end as the page drives generators, with the garbage collector held off as
   the page does: total wall and CPU time, and the median, 95th percentile
   and longest step; the one-step :func:`~cleanlens.rank.label_quality_order`.
   The same in CPython beside it.
4. **cleanlens.compat against cleanlab** (``bench/bench_compat.py``), N = 200,000, K = 10: every
   function, cleanlab's and ours on the same arrays (the standard-library backend on the same values as
   lists), medians of ``--runs`` interleaved runs (``--pure-runs`` for the standard-library backend), and
   each backend's largest difference from cleanlab's result. cleanlab's ``find_label_issues`` runs with
   its default ``n_jobs`` (a process per core), as its users get it.
5. **cleanlab's rules in Pyodide** (with ``--pyodide``), N = 100,000, K = 10:
   :class:`cleanlens.issues.LabelIssues` built and each answer driven as the page drives it: CPU time
   and the longest step (CPU). The same in CPython beside it.

Usage: ``python bench/bench_cleanlab.py [--runs 5] [--n 200000] [--k 10] [--cli-runs 3] [--no-cli] [--pyodide]
[--pyodide-only] [--no-compat] [--pure-runs 3]``. The module's top level is standard library only (Pyodide
imports it).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
METHODS = ("self_confidence", "normalized_margin", "confidence_weighted_entropy")

_NODE_RUNNER = r"""
import { createRequire } from "node:module";
import path from "node:path";
const root = process.env.CLEANLENS_ROOT;
const require = createRequire(path.join(root, "package.json"));
const { loadPyodide, version } = require("pyodide");
const pyodide = await loadPyodide();
pyodide.FS.mkdirTree("/host");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: "/" }, "/host");
pyodide.globals.set("repo", "/host" + root);
pyodide.globals.set("spec_json", process.env.CLEANLENS_SPEC);
const out = await pyodide.runPythonAsync(`
import json, os, platform, sys
sys.path[:0] = [repo + "/py", repo]
os.chdir(repo)
from bench.bench_cleanlab import rank_tasks
from bench.bench_compat import issues_tasks
spec = json.loads(spec_json)
results = rank_tasks(spec) if spec.get("task") != "issues" else issues_tasks(spec)
json.dumps({"python": platform.python_version(), "results": results})
`);
const parsed = JSON.parse(out);
parsed.pyodide = version;
console.log(JSON.stringify(parsed));
"""


# --- 1. ours against cleanlab ------------------------------------------------------------


def make_arrays(n, k, seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    return rng.integers(0, k, n), rng.dirichlet(np.ones(k), n)


def cleanlab_pairs(labels, probs):
    """``[(row name, cleanlab's call, our call)]`` on the same arrays."""
    from cleanlab.count import compute_confident_joint
    from cleanlab.rank import get_label_quality_scores

    from cleanlens.confident import ArrayConfidentLearning
    from cleanlens.rank import label_quality_scores

    pairs = [
        (
            "confident joint + off-diagonal indices",
            lambda: compute_confident_joint(labels, probs, calibrate=False, return_indices_of_off_diagonals=True),
            lambda: ArrayConfidentLearning(labels, probs).categorize(rule="cleanlab"),
        ),
        (
            "  the same, inputs trusted (validated=True)",
            None,
            lambda: ArrayConfidentLearning(labels, probs, validated=True).categorize(rule="cleanlab"),
        ),
    ]
    for method in METHODS:
        pairs.append(
            (
                f"label quality scores, {method}",
                lambda m=method: get_label_quality_scores(labels, probs, method=m),
                lambda m=method: label_quality_scores(labels, probs, m),
            )
        )
    return pairs


def cleanlab_tasks(runs, n, k):
    """``{row: {"cleanlab"|"ours": {"wall": [...], "cpu": [...], "peak": bytes}}}`` and the input size."""
    import tracemalloc

    import scipy.special  # noqa: F401 (cleanlab imports it; its import time is not part of a run)

    labels, probs = make_arrays(n, k)
    pairs = cleanlab_pairs(labels, probs)
    results = {name: {} for name, _, _ in pairs}
    for run in range(runs):
        for name, theirs, ours in pairs:
            calls = [("cleanlab", theirs), ("ours", ours)]
            for who, call in calls if run % 2 == 0 else calls[::-1]:  # interleaved, alternating order
                if call is None:
                    continue
                gc.collect()
                started, started_cpu = time.perf_counter(), time.process_time()
                call()
                entry = results[name].setdefault(who, {"wall": [], "cpu": []})
                entry["wall"].append(time.perf_counter() - started)
                entry["cpu"].append(time.process_time() - started_cpu)
    for name, theirs, ours in pairs:
        for who, call in (("cleanlab", theirs), ("ours", ours)):
            if call is None:
                continue
            gc.collect()
            tracemalloc.start()
            call()
            results[name][who]["peak"] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    return results, labels.nbytes + probs.nbytes


# --- 2. the command line -----------------------------------------------------------------


_PURE_CLI = "import sys, cleanlens.cli as c; c.numpy_module = lambda: None; sys.exit(c.main(sys.argv[1:]))"


_LAUNCHER = """
import json, os, subprocess, sys, time
started = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
print(json.dumps([time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024,
                  os.waitstatus_to_exitcode(status)]))
"""
"""Runs a command and prints its wall time, CPU time, peak RSS and exit status. A child's peak RSS on Linux
starts from its parent's at the fork, so the command is started by this small process, not by the benchmark."""


def run_process(argv):
    """``(wall seconds, CPU seconds, peak RSS bytes)`` of a command (its output discarded)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "py"))
    proc = subprocess.run([sys.executable, "-c", _LAUNCHER, *argv], env=env, capture_output=True, text=True, check=True)
    wall, cpu, rss, status = json.loads(proc.stdout)
    if status != 0:
        raise RuntimeError(f"{argv} failed with status {status}: {proc.stderr.strip()}")
    return wall, cpu, rss


def cli_tasks(runs, n, k):
    import numpy as np

    labels, probs = make_arrays(n, k)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        lpath, ppath = Path(tmp) / "labels.npy", Path(tmp) / "pred_probs.npy"
        np.save(lpath, labels)
        np.save(ppath, probs)
        args = ["find-issues", "--labels", str(lpath), "--pred-probs", str(ppath), "--json"]
        commands = {
            "find-issues --json, with numpy": [sys.executable, "-m", "cleanlens", *args],
            "find-issues --json, without numpy (pure Python)": [sys.executable, "-c", _PURE_CLI, *args],
            "python -c 'import numpy' (for reference)": [sys.executable, "-c", "import numpy"],
        }
        for _ in range(runs):
            for name, argv in commands.items():
                for key, value in zip(("wall", "cpu", "rss"), run_process(argv)):
                    results.setdefault(name, {}).setdefault(key, []).append(value)
        peaks = {
            name: find_issues_peak(args, numpy_path)
            for name, numpy_path in (
                ("find-issues --json, with numpy", True),
                ("find-issues --json, without numpy (pure Python)", False),
            )
        }
        size = lpath.stat().st_size + ppath.stat().st_size
    for name, peak in peaks.items():
        results[name]["peak"] = peak
    return results, size


def find_issues_peak(args, numpy_path):
    """tracemalloc's peak, in bytes, while :func:`cleanlens.cli.find_issues` reads, analyses and builds the report."""
    import tracemalloc

    import cleanlens.cli as cli

    saved = cli.numpy_module
    if not numpy_path:
        cli.numpy_module = lambda: None
    try:
        parsed = cli.build_parser().parse_args(args)
        gc.collect()
        tracemalloc.start()
        cli.find_issues(parsed)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        cli.numpy_module = saved


# --- 3. label quality scores in Pyodide (standard library only) ---------------------------


def rank_tasks(spec):
    """Drive the pure-Python score and order generators; ``{row: [values]}`` (seconds). Stdlib only."""
    from bench.bench_engine import cpu_clock, synthetic_probabilities
    from cleanlens.rank import iter_label_quality_order, iter_label_quality_scores, label_quality_order

    labels, rows = synthetic_probabilities(spec["n"], spec["k"], seed=2)
    cpu = cpu_clock()
    results = {}

    def add(row, value):
        results.setdefault(row, []).append(value)

    def drive(name, steps):
        gaps = []
        started, started_cpu = time.perf_counter(), cpu()
        while True:
            resumed = time.perf_counter()
            try:
                next(steps)
            except StopIteration as stop:
                gaps.append(time.perf_counter() - resumed)
                value = stop.value
                break
            gaps.append(time.perf_counter() - resumed)
        add(f"{name}: total", time.perf_counter() - started)
        add(f"{name}: total CPU", cpu() - started_cpu)
        gaps.sort()
        add(f"{name}: median step", gaps[len(gaps) // 2])
        add(f"{name}: p95 step", gaps[int(0.95 * (len(gaps) - 1))])
        add(f"{name}: longest step", gaps[-1])
        add(f"{name}: steps", len(gaps))
        return value

    gc.collect()
    gc.freeze()  # as the page after a load: the data is not scanned again
    gc.disable()  # as the page while long work runs
    try:
        for _ in range(spec["runs"]):
            for method in METHODS:
                scores = drive(f"scores, {method}", iter_label_quality_scores(labels, rows, method))
            drive(
                "scores, self_confidence, adjust_pred_probs",
                iter_label_quality_scores(labels, rows, adjust_pred_probs=True),
            )
            started = time.perf_counter()
            label_quality_order(scores)
            add("order, one sort: total", time.perf_counter() - started)
            drive("order, generator", iter_label_quality_order(scores))
    finally:
        gc.enable()
        gc.unfreeze()
    return results


def run_pyodide(spec):
    env = dict(os.environ, CLEANLENS_ROOT=str(ROOT), CLEANLENS_SPEC=json.dumps(spec))
    proc = subprocess.run(
        ["node", "--input-type=module", "-e", _NODE_RUNNER], env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"Pyodide run failed: {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- tables --------------------------------------------------------------------------------


def spread(values, scale=1.0, digits=3):
    med = statistics.median(values) * scale
    return f"{med:.{digits}g} ({min(values) * scale:.{digits}g}–{max(values) * scale:.{digits}g})"


def print_cleanlab_table(results, input_bytes, runs, n, k):
    print(f"\n### Ours against cleanlab, CPython, N = {n:,}, K = {k} ({runs} interleaved runs; medians, min–max)\n")
    print(f"Inputs: {input_bytes / 1e6:.1f} MB (labels int64 + pred_probs float64).\n")
    print(
        "| task | cleanlab wall ms | ours wall ms | ours / cleanlab (wall) | cleanlab CPU ms | ours CPU ms | "
        "cleanlab peak MB | ours peak MB (× inputs) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, entry in results.items():
        ours, theirs = entry["ours"], entry.get("cleanlab")
        cells = [
            name.strip(),
            spread(theirs["wall"], 1e3) if theirs else "—",
            spread(ours["wall"], 1e3),
            f"{statistics.median(ours['wall']) / statistics.median(theirs['wall']):.2f}" if theirs else "—",
            spread(theirs["cpu"], 1e3) if theirs else "—",
            spread(ours["cpu"], 1e3),
            f"{theirs['peak'] / 1e6:.1f}" if theirs else "—",
            f"{ours['peak'] / 1e6:.1f} ({ours['peak'] / input_bytes:.2f}×)",
        ]
        print("| " + " | ".join(cells) + " |")


def print_cli_table(results, file_bytes, runs):
    print(f"\n### The command line on .npy files of {file_bytes / 1e6:.1f} MB ({runs} interleaved runs)\n")
    print("| command | wall s | CPU s | peak RSS MB | find_issues' tracemalloc peak MB (× inputs) |")
    print("| --- | --- | --- | --- | --- |")
    for name, entry in results.items():
        peak = f"{entry['peak'] / 1e6:.1f} ({entry['peak'] / file_bytes:.2f}×)" if "peak" in entry else "—"
        print(f"| {name} | {spread(entry['wall'])} | {spread(entry['cpu'])} | {spread(entry['rss'], 1e-6)} | {peak} |")


def print_rank_table(columns, spec):
    print(
        f"\n### Label quality scores, pure Python, N = {spec['n']:,}, K = {spec['k']} ({spec['runs']} runs; "
        "milliseconds, medians, min–max; garbage collector held off)\n"
    )
    names = list(columns)
    print("| row | " + " | ".join(names) + " |")
    print("| --- |" + " --- |" * len(names))
    rows = list(next(iter(columns.values())))
    for row in rows:
        cells = []
        for name in names:
            values = columns[name].get(row)
            if values is None:
                cells.append("—")
            elif row.endswith("steps"):
                cells.append(str(int(statistics.median(values))))
            else:
                cells.append(spread(values, 1e3))
        print(f"| {row} | " + " | ".join(cells) + " |")


def print_issues_table(columns, spec):
    print(
        f"\n### cleanlab's rules on lists, in steps (cleanlens.issues), N = {spec['n']:,}, K = {spec['k']} "
        f"({spec['runs']} runs; milliseconds of CPU, medians, min–max; garbage collector held off)\n"
    )
    names = list(columns)
    print("| row | " + " | ".join(names) + " |")
    print("| --- |" + " --- |" * len(names))
    for row in next(iter(columns.values())):
        print(f"| {row} | " + " | ".join(spread(columns[name][row], 1e3) for name in names) + " |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--cli-runs", type=int, default=3)
    parser.add_argument("--no-cli", action="store_true", help="skip the command-line rows")
    parser.add_argument("--pyodide", action="store_true", help="also time the pure-Python scores in Pyodide (Node)")
    parser.add_argument("--pyodide-only", action="store_true", help="only the pure-Python score rows")
    parser.add_argument("--rank-n", type=int, default=100_000)
    parser.add_argument("--rank-runs", type=int, default=3)
    parser.add_argument("--no-compat", action="store_true", help="skip the cleanlens.compat table")
    parser.add_argument("--pure-runs", type=int, default=3, help="runs of the standard-library backend")
    args = parser.parse_args(argv)
    sys.path[:0] = [str(ROOT / "py"), str(ROOT)]
    print(
        f"## bench_cleanlab — {datetime.date.today()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores shared with other work, CPython {platform.python_version()}"
    )
    if not args.pyodide_only:
        import cleanlab
        import numpy

        print(f"numpy {numpy.__version__}, cleanlab {cleanlab.__version__}")
        results, input_bytes = cleanlab_tasks(args.runs, args.n, args.k)
        print_cleanlab_table(results, input_bytes, args.runs, args.n, args.k)
        if not args.no_cli:
            results, file_bytes = cli_tasks(args.cli_runs, args.n, args.k)
            print_cli_table(results, file_bytes, args.cli_runs)
        if not args.no_compat:
            from bench.bench_compat import compat_tasks, print_compat_table

            results = compat_tasks(args.runs, args.pure_runs, args.n, args.k, make_arrays)
            print_compat_table(results, args.runs, args.pure_runs, args.n, args.k)
    if args.pyodide or args.pyodide_only:
        spec = {"n": args.rank_n, "k": args.k, "runs": args.rank_runs}
        columns = {f"CPython {platform.python_version()}": rank_tasks(spec)}
        out = run_pyodide(spec)
        columns[f"Pyodide {out['pyodide']} (Python {out['python']}, Node)"] = out["results"]
        print_rank_table(columns, spec)
        from bench.bench_compat import issues_tasks

        spec = {**spec, "task": "issues"}
        columns = {f"CPython {platform.python_version()}": issues_tasks(spec)}
        out = run_pyodide(spec)
        columns[f"Pyodide {out['pyodide']} (Python {out['python']}, Node)"] = out["results"]
        print_issues_table(columns, spec)


if __name__ == "__main__":
    main()
