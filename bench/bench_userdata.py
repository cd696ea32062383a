"""Your-data loader benchmarks: total load time, longest step between progress yields, and refused inputs.

Prints JSON lines and a summary; never asserts on timings.

- *valid inputs*: a 100,000 x 10 probabilities CSV, the same as two ``.npy``
  files, a 2,000 x 32 features CSV. For each, :func:`cleanlens.userdata.iter_load_files`
  is driven to the end; reported: the total time and the longest gap between
  two yields (the work the page does between two chances to paint).
- *refused inputs* (``--refused``): an 800,000-row ``.npy`` pair (61 MB), a
  CSV of 3,000,000 rows of 9 columns (60 MB) and a CSV with 2,000,000 feature
  columns (41 MB): time to the error, and in Pyodide the wasm memory before and
  after (``pyodide._module.HEAP8.length``), each in a fresh Pyodide. The
  files' bytes are held in JavaScript and handed to Python either as one
  ``bytes`` copy (how the page read files before the chunked loader,
  ``--copy``) or through a source whose ``read`` copies one slice (how it
  reads them now).

- *feature shapes* (``--features 2000x128,100x9999``): a features CSV of
  N rows x D columns is loaded and cross-validated (5 folds, built-in engine)
  in Pyodide; reported: load and training time, wasm memory before, after
  loading and after training (how :data:`cleanlens.userdata.MAX_FEATURE_VALUES`
  was chosen).

``--root DIR`` imports ``cleanlens`` from DIR (e.g. a checkout of an older
commit's ``py/``) so two versions can be measured side by side in one run;
``--pyodide`` runs the same measurements in Pyodide under Node
(``bench/pyodide_userdata.mjs``).

Usage: ``python bench/bench_userdata.py [--runs 5] [--root DIR ...] [--pyodide] [--refused] [--features NxD,...]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ("csv100k", "npy100k", "features2k")
REFUSED = ("npy800k", "csv3m", "csv2m_columns")


def make_inputs(directory):
    """Write the benchmark files into ``directory`` (standard library only; the same bytes every time)."""
    import random
    import struct

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(5)
    n, k = 100_000, 10
    names = [f"c{j}" for j in range(k)]
    if not (directory / "csv100k.csv").exists():
        labels, rows = [], []
        for i in range(n):
            raw = [rng.random() for _ in range(k)]
            total = sum(raw)
            rows.append([x / total for x in raw])
            labels.append(i % k)
        lines = ["label," + ",".join(names)]
        lines += [names[g] + "," + ",".join(f"{x:.6f}" for x in row) for g, row in zip(labels, rows)]
        (directory / "csv100k.csv").write_text("\n".join(lines) + "\n")
        (directory / "labels.npy").write_bytes(_npy("<i8", (n,), struct.pack(f"<{n}q", *labels)))
        flat = [x for row in rows for x in row]
        (directory / "pred_probs.npy").write_bytes(_npy("<f8", (n, k), struct.pack(f"<{n * k}d", *flat)))
    if not (directory / "features2k.csv").exists():
        lines = ["id,label," + ",".join(f"f{j}" for j in range(32))]
        for i in range(2000):
            lines.append(f"r{i},{'abc'[i % 3]}," + ",".join(f"{rng.gauss(i % 3, 1):.5f}" for _ in range(32)))
        (directory / "features2k.csv").write_text("\n".join(lines) + "\n")
    return directory


def make_refused(directory):
    """The table's worst refused inputs (about 160 MB in all)."""
    directory = Path(directory)
    n, k = 800_000, 10
    if not (directory / "big_pred_probs.npy").exists():
        (directory / "big_labels.npy").write_bytes(_npy("<i8", (n,), bytes(8 * n)))
        import struct

        row = struct.pack("<10d", *[0.1] * 10)
        (directory / "big_pred_probs.npy").write_bytes(_npy("<f8", (n, k), row * n))
    if not (directory / "csv3m.csv").exists():
        row = "a,0.5,1,2,3,4,5,6,7\n"
        (directory / "csv3m.csv").write_text("label,x1,x2,x3,x4,x5,x6,x7,x8\n" + row * 3_000_000)
    if not (directory / "csv2m_columns.csv").exists():
        cols = 2_000_000
        header = "label," + ",".join(f"f{j}" for j in range(cols))
        values = ",".join(["0.5"] * cols)
        (directory / "csv2m_columns.csv").write_text(header + "\n" + f"a,{values}\n" * 3)
    return directory


def _npy(descr, shape, body):
    header = repr({"descr": descr, "fortran_order": False, "shape": shape}).encode("latin1")
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + body


def make_features(directory, n, d):
    """A features CSV of ``n`` rows x ``d`` columns: ``bench_engine.synthetic_blobs`` (the engine benchmark's data)."""
    from bench.bench_engine import synthetic_blobs

    path = Path(directory) / f"blobs{n}x{d}.csv"
    if not path.exists():
        features, labels, _ = synthetic_blobs(n=n, dim=d, n_classes=3, seed=1)
        lines = ["label," + ",".join(f"f{j}" for j in range(d))]
        lines += [f"{'abc'[g]}," + ",".join(f"{x:.5f}" for x in row) for g, row in zip(labels, features)]
        path.write_text("\n".join(lines) + "\n")
    return path


def case_files(directory, case):
    directory = Path(directory)
    return {
        "csv100k": [("csv100k.csv", directory / "csv100k.csv")],
        "npy100k": [("labels.npy", directory / "labels.npy"), ("pred_probs.npy", directory / "pred_probs.npy")],
        "features2k": [("features2k.csv", directory / "features2k.csv")],
        "npy800k": [("labels.npy", directory / "big_labels.npy"), ("pred_probs.npy", directory / "big_pred_probs.npy")],
        "csv3m": [("csv3m.csv", directory / "csv3m.csv")],
        "csv2m_columns": [("csv2m_columns.csv", directory / "csv2m_columns.csv")],
    }[case]


def time_load(files, max_embedding_rows=2000, clock=time.perf_counter):
    """``(total seconds, longest gap between yields in seconds, steps, outcome)`` for one load.

    ``clock``: ``time.perf_counter`` (wall clock) or ``time.thread_time``
    (CPU time of this thread: what the loader itself costs, without what
    other processes on a shared machine take).
    """
    from cleanlens.userdata import UserDataError, iter_load_files

    steps = iter_load_files(files, max_embedding_rows=max_embedding_rows)
    start = last = clock()
    longest, count, outcome, result = 0.0, 0, "loaded", None
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            result = stop.value  # kept: freeing it is not the loader's time
            break
        except UserDataError as exc:
            outcome = f"refused: {exc}"
            break
        now = clock()
        longest = max(longest, now - last)
        last = now
        count += 1
    now = clock()
    del result
    return now - start, max(longest, now - last), count, outcome


def run_cases(directory, cases, runs):
    """Time each case ``runs`` times (the files read into bytes first); return ``{case: [[total, gap], ...]}``."""
    results = {}
    for case in cases:
        files = [(name, path.read_bytes()) for name, path in case_files(directory, case)]
        out = []
        for _ in range(runs):
            total, gap, count, outcome = time_load(files)
            cpu = getattr(time, "thread_time", time.process_time)  # (Pyodide has no thread_time)
            cpu_total, cpu_gap, _, _ = time_load(files, clock=cpu)
            out.append([total, gap, count, cpu_total, cpu_gap])
        results[case] = {"runs": out, "outcome": outcome[:200]}
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--root", action="append", help="import cleanlens from this py/ directory (repeatable)")
    parser.add_argument("--data", default=os.path.join(tempfile.gettempdir(), "cleanlens-bench-userdata"))
    parser.add_argument("--pyodide", action="store_true", help="also measure in Pyodide under Node")
    parser.add_argument("--refused", action="store_true", help="measure the refused inputs (Pyodide only: memory)")
    parser.add_argument("--features", default="", help="N x D shapes to train on in Pyodide, e.g. 2000x128,100x9999")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:  # one version, in this process
        sys.path.insert(0, args.worker)
        print(json.dumps(run_cases(args.data, CASES, args.runs)))
        return
    directory = make_inputs(args.data)
    roots = args.root or [str(ROOT / "py")]
    table = {}
    for _ in range(args.runs):  # interleaved: one run of each version in turn
        for root in roots:
            out = subprocess.run(
                [sys.executable, __file__, "--worker", root, "--data", str(directory), "--runs", "1"],
                capture_output=True,
                text=True,
                check=True,
            )
            for case, result in json.loads(out.stdout).items():
                table.setdefault(("cpython", root, case), []).extend(result["runs"])
            if args.pyodide:
                for case, result in _pyodide("times", root, directory).items():
                    table.setdefault(("pyodide", root, case), []).extend(result["runs"])
    for (engine, root, case), runs in sorted(table.items()):
        totals, gaps, count, cpu_totals, cpu_gaps = ([r[i] * 1000 for r in runs] for i in range(5))
        print(
            f"{engine:8} {case:11} {root}: total median {statistics.median(totals):5.0f} ms "
            f"({min(totals):.0f}-{max(totals):.0f}), CPU {statistics.median(cpu_totals):5.0f} ms; longest gap "
            f"median {statistics.median(gaps):5.1f} ms (max {max(gaps):.1f}), CPU median "
            f"{statistics.median(cpu_gaps):5.1f} ms (max {max(cpu_gaps):.1f}); {count[0] / 1000:.0f} yields"
        )
    for shape in filter(None, args.features.split(",")):
        n, d = map(int, shape.lower().split("x"))
        path = make_features(directory, n, d)
        result = _pyodide("features", str(ROOT / "py"), directory, case=str(path))
        print(
            f"pyodide  features {n:,} x {d:,}: load {result['load']:.2f} s, "
            f"5-fold CV (built-in) {result['train']:.1f} s; "
            f"wasm memory {result['before'] / 2**20:.0f} -> {result['loaded'] / 2**20:.0f} MB loaded -> "
            f"{result['trained'] / 2**20:.0f} MB trained"
        )
    if args.refused:
        make_refused(directory)
        for case in REFUSED:
            for root in roots:
                for copy in (True, False) if Path(root).resolve() == ROOT / "py" else (True,):
                    result = _pyodide("refused", root, directory, case=case, copy=copy)
                    print(
                        f"pyodide  {case:13} {root} {'bytes copy' if copy else 'source    '}: "
                        f"{result['seconds'] * 1000:6.0f} ms, wasm memory {result['before'] / 2**20:.0f} -> "
                        f"{result['after'] / 2**20:.0f} MB; {result['outcome'][:120]}"
                    )


def _pyodide(task, root, directory, case=None, copy=False):
    spec = {"task": task, "root": root, "data": str(directory), "case": case, "copy": copy}
    out = subprocess.run(
        ["node", str(ROOT / "bench" / "pyodide_userdata.mjs"), str(ROOT), json.dumps(spec)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
