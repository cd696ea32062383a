"""Engine benchmarks: cross-validation and slider recomputation, in CPython and in Pyodide.

Prints a table (median and min-max over runs); never asserts on timings.

Rows:

- 5-fold cross-validation with the built-in engine (kernel computed in every
  run) on the demo dataset and on synthetic data with N = 1,000 and 2,000
  (d = 32, K = 3), in CPython and in Pyodide (Node); for each run also its
  CPU time and the longest gap between two yields of the generator
  (:func:`cleanlens.crossval.iter_out_of_sample_probabilities`, default
  ``slice_seconds``: how long the page cannot react); the same with the kernel
  already cached (a retrain after a relabelling); the scikit-learn engine in
  CPython;
- one threshold + categories recomputation (a slider move,
  :meth:`cleanlens.confident.ConfidentLearning.categorize`) for N = 300, K = 3
  and N = 10,000, K = 10, in CPython and in Pyodide; the 21 x 21 threshold
  sweep (:func:`cleanlens.scoring.sweep`) for N = 300.

Usage: ``python bench/bench_engine.py [--runs 3] [--sizes 1000,2000] [--demo FILE] [--no-pyodide]
[--baseline GIT_REF]`` (or ``python build.py bench engine``). Pyodide runs
through ``node bench/pyodide_engine.mjs``, which needs ``node_modules/pyodide``
(``npm ci``). ``--baseline REF`` also runs the cross-validation rows with the
package as it was at that commit (extracted to a temporary directory as
``cleanlens_baseline``), interleaved run by run with the current one, so a
before/after comparison sees the same machine load.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def synthetic_blobs(n=300, dim=32, n_classes=3, seed=0, spread=1.2, flip=0.1):
    """A synthetic labelled dataset: ``n_classes`` Gaussian blobs in ``dim`` dimensions.

    Class centres are N(0, 1) per coordinate, items are centre + N(0, spread^2)
    noise, item i belongs to class ``i % n_classes``; then a ``flip`` share of
    the labels is changed to another class at random. Returns
    ``(features, labels, truth)`` as plain lists. Standard library only
    (runs in Pyodide too); the same arguments always give the same data.
    """
    rng = random.Random(seed)
    centres = [[rng.gauss(0.0, 1.0) for _ in range(dim)] for _ in range(n_classes)]
    features, truth = [], []
    for i in range(n):
        c = i % n_classes
        features.append([m + rng.gauss(0.0, spread) for m in centres[c]])
        truth.append(c)
    labels = list(truth)
    if n_classes > 1:
        for i in rng.sample(range(n), int(n * flip)):
            labels[i] = (labels[i] + rng.randrange(1, n_classes)) % n_classes
    return features, labels, truth


def synthetic_probabilities(n, n_classes, seed=0):
    """Labels and Dirichlet(1)-distributed probability rows (plain lists), for timing the categorisation."""
    rng = random.Random(seed)
    labels, rows = [], []
    for _ in range(n):
        w = [rng.gammavariate(1.0, 1.0) for _ in range(n_classes)]
        total = sum(w)
        rows.append([x / total for x in w])
        labels.append(rng.randrange(n_classes))
    return labels, rows


def find_demo():
    """Path of the page's demo dataset."""
    from cleanlens.web import DEMO_DATASET

    return str(ROOT / DEMO_DATASET)


def _timed(fn, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def cpu_clock():
    """A CPU clock in seconds: ``time.thread_time`` in CPython; in Pyodide under Node (no thread clock there) the
    process's ``process.cpuUsage()``, which also counts Node's helper threads (garbage collection), so it can
    exceed the wall time."""
    try:
        from js import process  # Pyodide under Node (no thread_time there)
    except ImportError:
        return time.thread_time

    def clock():
        usage = process.cpuUsage()
        return (usage.user + usage.system) / 1e6

    return clock


def drive(steps, cpu):
    """Run a cross-validation generator to its end.

    Returns ``(total seconds, longest wall seconds inside one next(), longest
    CPU seconds inside one next(), total CPU seconds)``: on a shared machine
    wall-clock times also count time the process waited for a core; CPU times
    do not.
    Works with the generator's old protocol too (result on a final "done" step).
    """
    longest = longest_cpu = 0.0
    started, started_cpu = time.perf_counter(), cpu()
    while True:
        resumed, resumed_cpu = time.perf_counter(), cpu()
        try:
            next(steps)
            done = False
        except StopIteration:
            done = True
        longest = max(longest, time.perf_counter() - resumed)
        longest_cpu = max(longest_cpu, cpu() - resumed_cpu)
        if done:
            return time.perf_counter() - started, longest, longest_cpu, cpu() - started_cpu


def run_tasks(spec):
    """Run the measurements described by ``spec`` (a dict) and return ``{row name: [seconds, ...]}``.

    Standard library only except the ``sklearn`` engine rows; called in CPython
    and, through ``pyodide_engine.mjs``, in Pyodide with the repo root as
    working directory.
    """
    results = {}
    _cross_validation_rows(spec, results)
    _slider_rows(spec, results)
    _userdata_rows(spec, results)
    return results


def _cross_validation_rows(spec, results):
    """The cross-validation rows of :func:`run_tasks` (``spec["engines"]`` x the demo and ``spec["sizes"]``)."""
    from cleanlens import crossval
    from cleanlens.dataset import load_dataset

    runs = spec["runs"]
    if "sklearn" in spec["engines"]:
        import sklearn.calibration  # noqa: F401  (import time is not part of a run)
        import sklearn.svm  # noqa: F401
    datasets = []
    if spec.get("demo"):
        ds = load_dataset(spec.get("host_prefix", "") + spec["demo"])
        datasets.append((f"demo (N={len(ds)}, K={len(ds.classes)})", ds.features, ds.given, len(ds.classes)))
    for n in spec["sizes"]:
        features, labels, _ = synthetic_blobs(n=n, dim=32, n_classes=3, seed=1)
        datasets.append((f"synthetic N={n}, d=32, K=3", features, labels, 3))

    versions = [("", crossval)]
    if spec.get("baseline"):
        sys.path.insert(0, spec.get("host_prefix", "") + spec["baseline"])
        import cleanlens_baseline.crossval as baseline

        versions.append((f" [{spec['baseline_ref']}]", baseline))
    cpu = cpu_clock()

    def add(row, value):
        results.setdefault(row, []).append(value)

    for name, features, labels, k in datasets:
        for engine in spec["engines"]:
            for _ in range(runs):
                for suffix, module in versions:  # interleaved: current, baseline, current, ...
                    module._kernel_cache.clear()
                    steps = module.iter_out_of_sample_probabilities(features, labels, k, engine=engine)
                    total, longest, longest_cpu, total_cpu = drive(steps, cpu)
                    add(f"5-fold CV, {engine}: {name}{suffix}", total)
                    add(f"5-fold CV, {engine}, CPU time: {name}{suffix}", total_cpu)
                    if engine == "builtin":
                        add(f"5-fold CV, {engine}, longest gap between yields (wall): {name}{suffix}", longest)
                        add(f"5-fold CV, {engine}, longest gap between yields (CPU): {name}{suffix}", longest_cpu)
            if engine == "builtin" and name.startswith("demo"):
                for _ in range(runs):
                    for suffix, module in versions:  # each package's cache still holds this dataset's kernel
                        total, _, _, _ = drive(
                            module.iter_out_of_sample_probabilities(features, labels, k, engine="builtin"), cpu
                        )
                        add(f"5-fold CV, builtin, kernel cached: {name}{suffix}", total)


def _slider_rows(spec, results):
    """The rows of :func:`run_tasks` for a slider sweep and the threshold sweep (``spec["categorize"]``)."""
    from cleanlens.confident import ConfidentLearning
    from cleanlens.scoring import sweep

    runs = spec["runs"]
    for n, k in spec["categorize"]:
        labels, rows = synthetic_probabilities(n, k, seed=2)
        learning = ConfidentLearning(labels, rows)
        positions = [(q, min(q, 15)) for q in range(0, 101, 5)]  # one slider sweep, OOD <= class
        times = []
        for q_class, q_ood in positions:
            started = time.perf_counter()
            learning.categorize(q_class, q_ood)
            times.append(time.perf_counter() - started)
        results[f"slider move (categorize), N={n}, K={k}"] = times
        if n <= 1000:
            truth = [label if i % 10 else (label + 1) % k for i, label in enumerate(labels)]
            results[f"threshold sweep 21x21 (heatmap), N={n}, K={k}"] = _timed(
                lambda learning=learning, truth=truth: sweep(learning, truth), runs
            )


def _userdata_rows(spec, results):
    """The rows of :func:`run_tasks` for loading a probabilities CSV (``spec["userdata"]``: its sizes)."""
    from cleanlens.confident import ConfidentLearning
    from cleanlens.userdata import load_files

    runs = spec["runs"]
    for n in spec.get("userdata", []):
        labels, rows = synthetic_probabilities(n, 10, seed=3)
        text = "id,label," + ",".join(f"c{j}" for j in range(10)) + "\n"
        text += "".join(
            f"r{i},c{g}," + ",".join(f"{p:.6f}" for p in row) + "\n" for i, (g, row) in enumerate(zip(labels, rows))
        )
        data = text.encode()

        def load_and_analyse(data=data):
            loaded = load_files([("probs.csv", data)], mode="probabilities", renormalize=True)
            ConfidentLearning(loaded.dataset.given, loaded.probabilities).categorize(50, 15)

        results[f"your data: load+validate+analyse a probabilities CSV, N={n}, K=10 ({len(data) / 1e6:.1f} MB)"] = (
            _timed(load_and_analyse, runs)
        )


def run_in_pyodide(spec):
    """Run :func:`run_tasks` in Pyodide under Node; returns its results, the Pyodide and Python versions."""
    script = ROOT / "bench" / "pyodide_engine.mjs"
    proc = subprocess.run(
        ["node", str(script), str(ROOT), json.dumps(spec)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"pyodide_engine.mjs failed: {proc.stderr.strip() or proc.stdout.strip()}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _machine():
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = ", load average at start {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    return f"{model}, {os.cpu_count()} logical cores, {platform.system()} {platform.release()}{load}"


def _node_version():
    try:
        return subprocess.run(["node", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "not found"


def format_table(rows):
    """Rows of (task, runtime, times) as a Markdown table with median and min-max in milliseconds or seconds."""

    def fmt(seconds):
        return f"{seconds * 1000:.2f} ms" if seconds < 0.1 else f"{seconds:.2f} s"

    lines = ["| task | runtime | median | min–max | runs |", "|---|---|---:|---:|---:|"]
    for task, runtime, times in rows:
        lines.append(
            f"| {task} | {runtime} | {fmt(statistics.median(times))} | {fmt(min(times))}–{fmt(max(times))} | "
            f"{len(times)} |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench_engine", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per cross-validation row (default 3)")
    parser.add_argument(
        "--sizes", default="1000,2000", help="synthetic sizes N for cross-validation (default 1000,2000)"
    )
    parser.add_argument("--demo", help="demo dataset JSON (default: the page's demo)")
    parser.add_argument("--no-pyodide", action="store_true", help="CPython only")
    parser.add_argument(
        "--baseline", metavar="REF", help="also time the cross-validation of this git commit, interleaved"
    )
    parser.add_argument(
        "--no-extras", action="store_true", help="cross-validation rows only (no slider, sweep, your-data rows)"
    )
    parser.add_argument(
        "--userdata",
        default="10000,100000",
        help="rows of the probabilities CSVs to load, validate and analyse (default 10000,100000)",
    )
    args = parser.parse_args(argv)
    sys.path[:0] = [str(ROOT / "py"), str(ROOT)]
    os.chdir(ROOT)

    sizes = [int(s) for s in args.sizes.split(",") if s]
    demo = str(Path(args.demo).resolve()) if args.demo else find_demo()
    base = {
        "runs": args.runs,
        "demo": demo,
        "sizes": sizes,
        "categorize": [[300, 3], [10000, 10]],
        "userdata": [int(s) for s in args.userdata.split(",") if s],
    }
    if args.no_extras:
        base.update(categorize=[], userdata=[])
    baseline_dir = None
    if args.baseline:
        baseline_dir = tempfile.mkdtemp(prefix="cleanlens-baseline-")
        archive = subprocess.run(
            ["git", "archive", args.baseline, "py/cleanlens"], cwd=ROOT, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", baseline_dir], input=archive.stdout, check=True)
        (Path(baseline_dir) / "py" / "cleanlens").rename(Path(baseline_dir) / "cleanlens_baseline")
        ref = subprocess.run(
            ["git", "rev-parse", "--short", args.baseline], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        base.update(baseline=baseline_dir, baseline_ref=f"baseline {ref}")
    print(f"# Engine benchmark, {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(f"Machine: {_machine()}")
    print(f"Demo dataset: {Path(demo).name if demo else 'none found (embeddings/*.json)'}")

    rows = []
    cpython = f"CPython {platform.python_version()}"
    results = run_tasks({**base, "engines": ["builtin", "sklearn"]})
    if not args.no_pyodide:
        pyodide = run_in_pyodide({**base, "engines": ["builtin"], "host_prefix": "/host"})
        versions = f"Pyodide {pyodide['pyodide']} (Python {pyodide['python']}), Node {_node_version()}"
        print(f"Runtimes: {cpython}; {versions}")
    else:
        pyodide = {"results": {}}
        print(f"Runtimes: {cpython}")
    print()
    for task in list(dict.fromkeys([*results, *pyodide["results"]])):
        if task in results:
            rows.append((task, "CPython", results[task]))
        if task in pyodide["results"]:
            rows.append((task, "Pyodide", pyodide["results"][task]))
    print(format_table(rows))
    if baseline_dir:
        shutil.rmtree(baseline_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
