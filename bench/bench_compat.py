"""cleanlens.compat against cleanlab 2.9.0, function by function, and cleanlab's rules in Pyodide (used by
bench/bench_cleanlab.py, which prints the tables; see its docstring).

- :func:`compat_tasks`: every function of ``cleanlens.compat`` and cleanlab's, on the same arrays (N x K,
  Dirichlet(1) rows, uniform labels), run by run interleaved: wall times of cleanlab, of the numpy backend
  and of the standard-library backend (given lists, converted before timing, as the page holds them), and
  each backend's largest difference from cleanlab's result.
- :func:`issues_tasks` (standard library only: it runs in Pyodide): :class:`cleanlens.issues.LabelIssues`
  built and ``find_label_issues`` (each filter), ``num_label_issues`` and the health summary driven to the
  end as the page drives generators: total CPU time and the longest step.
"""

from __future__ import annotations

import gc
import statistics
import time
import warnings


def compat_calls(labels, probs):
    """``[(row, module, function, args, kwargs)]``: the rows of the table (the same call on both sides)."""
    import cleanlab.count

    joint = cleanlab.count.compute_confident_joint(labels, probs, calibrate=False)
    calls = [
        ("get_confident_thresholds", "count", "get_confident_thresholds", (), {}),
        ("compute_confident_joint (+ off-diagonal indices)", "count", "compute_confident_joint", (),
         {"calibrate": False, "return_indices_of_off_diagonals": True}),
        ("compute_confident_joint (calibrated)", "count", "compute_confident_joint", (), {}),
        ("calibrate_confident_joint", "count", "calibrate_confident_joint", (joint,), {}),
        ("estimate_joint", "count", "estimate_joint", (), {}),
        ("estimate_latent (cnt)", "count", "estimate_latent", (joint,), {}),
        ("estimate_latent (eqn, converged)", "count", "estimate_latent", (joint,),
         {"py_method": "eqn", "converge_latent_estimates": True}),
        ("estimate_py_and_noise_matrices_from_probabilities", "count",
         "estimate_py_and_noise_matrices_from_probabilities", (), {}),
        ("num_label_issues (off_diagonal)", "count", "num_label_issues", (), {}),
        ("num_label_issues (off_diagonal_calibrated)", "count", "num_label_issues", (),
         {"estimation_method": "off_diagonal_calibrated"}),
    ]  # fmt: skip
    for filter_by in (
        "prune_by_noise_rate",
        "prune_by_class",
        "both",
        "confident_learning",
        "predicted_neq_given",
        "low_normalized_margin",
        "low_self_confidence",
    ):
        calls.append((f"find_label_issues ({filter_by})", "filter", "find_label_issues", (), {"filter_by": filter_by}))
    calls += [
        ("find_label_issues (ranked by normalized_margin)", "filter", "find_label_issues", (),
         {"return_indices_ranked_by": "normalized_margin"}),
        ("find_label_issues (frac_noise 0.5, min 100 per class)", "filter", "find_label_issues", (),
         {"frac_noise": 0.5, "min_examples_per_class": 100}),
        ("get_label_quality_scores (self_confidence)", "rank", "get_label_quality_scores", (), {}),
        ("get_label_quality_scores (normalized_margin, adjusted)", "rank", "get_label_quality_scores", (),
         {"method": "normalized_margin", "adjust_pred_probs": True}),
        ("get_label_quality_scores (confidence_weighted_entropy)", "rank", "get_label_quality_scores", (),
         {"method": "confidence_weighted_entropy"}),
        ("rank_classes_by_label_quality", "dataset", "rank_classes_by_label_quality", (), {}),
        ("find_overlapping_classes", "dataset", "find_overlapping_classes", (), {}),
        ("overall_label_health_score", "dataset", "overall_label_health_score", (), {"verbose": False}),
        ("health summary (the three above)", "dataset", "health", (), {}),
    ]  # fmt: skip
    return calls


def _function(package, module, name):
    """``package.module.name``; ``health`` is the three dataset functions the page's summary shows."""
    mod = getattr(package, module)
    if name != "health":
        return getattr(mod, name)

    def health(labels, probs):
        return (
            mod.rank_classes_by_label_quality(labels, probs),
            mod.find_overlapping_classes(labels, probs),
            mod.overall_label_health_score(labels, probs, verbose=False),
        )

    return health


def _arguments(name, labels, probs, extra):
    if name in ("calibrate_confident_joint", "estimate_latent"):
        return (*extra, labels)
    return (labels, probs, *extra)


def difference(ours, theirs) -> float:
    """The largest absolute difference between two results (0 when equal; item counts for masks and index
    lists that differ in length or content)."""
    import numpy as np
    import pandas as pd

    if isinstance(theirs, tuple):
        return max((difference(a, b) for a, b in zip(ours, theirs)), default=0.0)
    if isinstance(theirs, pd.DataFrame):
        ours = pd.DataFrame(ours) if isinstance(ours, list) else ours
        if list(ours.columns) != list(theirs.columns) or len(ours) != len(theirs):
            return float("inf")
        columns = list(theirs.columns)
        if not ours.equals(theirs):  # rows with equal sort keys may come in another order: compare the rows
            ours, theirs = (f.sort_values(columns).reset_index(drop=True) for f in (ours, theirs))
        return max(difference(ours[c].to_numpy(), theirs[c].to_numpy()) for c in columns)
    a, b = np.asarray(ours), np.asarray(theirs)
    if a.shape != b.shape:
        return float(abs(len(a) - len(b)) or np.inf)
    if b.dtype == bool:
        return float((a != b).sum())
    if b.dtype.kind in "iu" and b.ndim == 1 and len(b) > 1000:  # item indices: how many differ
        return float((a != b).sum())
    return float(np.max(np.abs(a.astype(float) - b.astype(float)))) if a.size else 0.0


def compat_tasks(runs, pure_runs, n, k, make_arrays):
    """``{row: {"cleanlab"|"numpy"|"pure": [seconds], "diff numpy"|"diff pure": float}}``."""
    import cleanlab

    import cleanlens.compat as compat
    from cleanlens.compat import _common

    labels, probs = make_arrays(n, k)
    given, rows = labels.tolist(), probs.tolist()
    results = {}
    numpy_module = _common.numpy_module
    for row, module, name, extra, kwargs in compat_calls(labels, probs):
        entry = results.setdefault(row, {"cleanlab": [], "numpy": [], "pure": []})
        calls = {
            "cleanlab": (_function(cleanlab, module, name), _arguments(name, labels, probs, extra)),
            "numpy": (_function(compat, module, name), _arguments(name, labels, probs, extra)),
            "pure": (_function(compat, module, name), _arguments(name, given, rows, _as_lists(extra))),
        }
        outputs = {}
        for run in range(max(runs, pure_runs)):
            order = ["cleanlab", "numpy", "pure"] if run % 2 == 0 else ["pure", "numpy", "cleanlab"]
            for who in order:
                if run >= (pure_runs if who == "pure" else runs):
                    continue
                function, args = calls[who]
                _common.numpy_module = (lambda: None) if who == "pure" else numpy_module
                try:
                    gc.collect()
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        started = time.perf_counter()
                        outputs[who] = function(*args, **kwargs)
                        entry[who].append(time.perf_counter() - started)
                finally:
                    _common.numpy_module = numpy_module
        entry["diff numpy"] = difference(outputs["numpy"], outputs["cleanlab"])
        entry["diff pure"] = difference(outputs["pure"], outputs["cleanlab"])
    return results


def _as_lists(values):
    return tuple(v.tolist() if hasattr(v, "tolist") else v for v in values)


def print_compat_table(results, runs, pure_runs, n, k):
    print(
        f"\n### cleanlens.compat against cleanlab, N = {n:,}, K = {k} (medians of {runs} interleaved runs; the "
        f"standard-library backend {pure_runs} runs, on lists)\n"
    )
    print(
        "| function | cleanlab ms | numpy backend ms (× cleanlab) | max diff, numpy | standard library ms "
        "(× cleanlab) | max diff, standard library |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for row, entry in results.items():
        theirs = statistics.median(entry["cleanlab"])
        cells = [row, f"{theirs * 1e3:.1f}"]
        for who in ("numpy", "pure"):
            ours = statistics.median(entry[who])
            cells += [f"{ours * 1e3:.1f} ({ours / theirs:.2f}×)", _diff(entry[f"diff {who}"])]
        print("| " + " | ".join(cells) + " |")


def _diff(value):
    return "0 (equal)" if value == 0 else f"{value:.2g}"


# --- cleanlab's rules in the page (standard library only) -----------------------------------


def issues_tasks(spec):
    """``{row: [values]}``: LabelIssues in steps, as the page drives it (seconds; steps counted)."""
    from bench.bench_engine import cpu_clock, synthetic_probabilities
    from cleanlens.issues import FILTERS, LabelIssues

    labels, rows = synthetic_probabilities(spec["n"], spec["k"], seed=2)
    cpu = cpu_clock()
    results = {}

    def drive(name, steps):
        longest, total = 0.0, 0.0
        while True:
            started = cpu()
            try:
                next(steps)
            except StopIteration as stop:
                spent = cpu() - started
                total, longest = total + spent, max(longest, spent)
                value = stop.value
                break
            spent = cpu() - started
            total, longest = total + spent, max(longest, spent)
        results.setdefault(f"{name}: CPU", []).append(total)
        results.setdefault(f"{name}: longest step", []).append(longest)
        return value

    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        for _ in range(spec["runs"]):
            build, default = (
                "LabelIssues.steps (thresholds, confident joint)",
                "find_label_issues (prune_by_noise_rate)",
            )
            issues = drive(build, LabelIssues.steps(labels, rows))
            drive(default, issues.iter_find_label_issues())
            both = results[f"{build}: CPU"][-1] + results[f"{default}: CPU"][-1]
            results.setdefault("the two above: CPU", []).append(both)
            drive("num_label_issues", issues.iter_num_label_issues())
            drive("health summary", issues.iter_health())
            for filter_by in FILTERS[1:]:
                drive(f"find_label_issues ({filter_by})", issues.iter_find_label_issues(filter_by))
    finally:
        gc.enable()
        gc.unfreeze()
    return results
