"""Does "Accept all" leave fewer wrong labels? Every fixing plan on real datasets with a truth column.

``python3 build.py bench fixing [--only NAME,...] [--seeds 0,1,2] [--steps [--pyodide]]``

Datasets, made as users make them (labels flipped to a uniformly drawn other class, seeded):

- ``digits``: scikit-learn's 1,797 x 64, 6% flipped; pred_probs from ``cross_val_predict(LogisticRegression(
  max_iter=2000), X, noisy, cv=5, method="predict_proba")``;
- ``digits-nb``: the same labels with ``GaussianNB``'s probabilities (73% accurate, overconfident: the case
  where Accept all must change nothing);
- ``fashion``: Fashion-MNIST's first 20,000 training images (Debian's dataset-fashion-mnist), 5% flipped;
  pred_probs of a logistic regression on 50 principal components (standardised), out of fold (5 folds,
  the PCA fitted inside each fold);
- ``demo``: the page's demo (embeddings/fashion3.json: 300 items, 9 flipped labels, 9 OOD images), trained with
  the page's defaults;
- ``wine``, ``breast_cancer``, ``iris``: scikit-learn's feature tables, 5% flipped, trained as the page
  trains them (:func:`cleanlens.crossval.out_of_sample_probabilities`, 5 folds, seed 0, C = 1, gamma =
  :func:`cleanlens.tuning.scale_gamma`), and compared with a default ``SVC(probability=True)`` (5-fold
  ``cross_val_predict`` on the raw features) plus cleanlab's ``find_label_issues``.

Every plan is :func:`cleanlens.fixing.plan` on lists, the standard-library code the page runs. Rows: the
known errors before and after accepting, how many labels change, the precision (share of the changed items
whose label was wrong). pred_probs of ``digits`` and ``fashion`` are cached in build/cache/bench_fixing/.
``--steps``: the time and longest step of :func:`cleanlens.fixing.iter_plan` at 100,000 x 10 under CPython
(``--pyodide``: and in Pyodide under Node, the page's runtime). ``--robustness``: digits with four models and
four kinds of noise.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "py"))

CACHE = ROOT / "build" / "cache" / "bench_fixing"
FASHION = Path("/usr/share/datasets/fashion-mnist")
PLANS = [
    ("percentile 50/15, all (today's)", "percentile", "all"),
    ("find_label_issues, all", "find_label_issues", "all"),
    ("find_label_issues, worst num_label_issues", "find_label_issues", "worst"),
    ("find_label_issues, likely (default)", "find_label_issues", "likely"),
    ("confident joint, all", "confident_joint", "all"),
    ("confident joint, likely", "confident_joint", "likely"),
    ("percentile 50/15, likely", "percentile", "likely"),
]
FEATURE_SETS = ("wine", "breast_cancer", "iris")
RATES = {"digits": 0.06, "fashion": 0.05, "wine": 0.05, "breast_cancer": 0.05, "iris": 0.05}


def flip(truth, rate, seed, k):
    """Labels with ``round(rate * N)`` items moved to a uniformly drawn other class."""
    import numpy as np

    rng = np.random.default_rng(seed)
    noisy = truth.copy()
    for i in rng.choice(len(truth), int(round(rate * len(truth))), replace=False):
        noisy[i] = rng.choice([c for c in range(k) if c != truth[i]])
    return noisy


def cached(name, seed, compute):
    import numpy as np

    path = CACHE / f"{name}-{seed}.npy"
    if path.exists():
        return np.load(path)
    value = compute()
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, value)
    return value


def fashion_data(n=20_000):
    import numpy as np

    with gzip.open(FASHION / "train-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)[:n] / 255.0
    with gzip.open(FASHION / "train-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)[:n].astype(int)
    return x, y


def probability_case(name, seed):
    """``(truth, noisy, pred_probs)`` of digits or fashion."""
    from sklearn.datasets import load_digits
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    from sklearn.naive_bayes import GaussianNB
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if name.startswith("digits"):
        x, truth = load_digits(return_X_y=True)
        model = GaussianNB() if name == "digits-nb" else LogisticRegression(max_iter=2000)
    else:
        x, truth = fashion_data()
        model = make_pipeline(PCA(50, random_state=0), StandardScaler(), LogisticRegression(max_iter=2000))
    noisy = flip(truth, RATES[name.split("-")[0]], seed, 10)

    def compute():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return cross_val_predict(model, x, noisy, cv=5, method="predict_proba")

    return truth, noisy, cached(name, seed, compute)


def feature_case(name, seed):
    """``(truth, noisy, page pred_probs, (SVC pred_probs on raw, on standardised features), x)`` of a feature table."""
    from sklearn import datasets
    from sklearn.model_selection import cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from cleanlens.crossval import out_of_sample_probabilities
    from cleanlens.tuning import scale_gamma

    x, truth = getattr(datasets, f"load_{name}")(return_X_y=True)
    k = len(set(truth.tolist()))
    noisy = flip(truth, RATES[name], seed, k)
    page = out_of_sample_probabilities(x.tolist(), noisy.tolist(), k, engine="sklearn", gamma=scale_gamma(x.tolist()))
    with warnings.catch_warnings():  # scikit-learn 1.9 deprecates probability=True; the issue measured it
        warnings.simplefilter("ignore", FutureWarning)
        svc = cross_val_predict(SVC(probability=True, random_state=0), x, noisy, cv=5, method="predict_proba")
        scaled = make_pipeline(StandardScaler(), SVC(probability=True, random_state=0))
        svc_scaled = cross_val_predict(scaled, x, noisy, cv=5, method="predict_proba")
    return truth, noisy, page.probabilities, (svc, svc_scaled), x


def demo_case():
    """``(truth, given, pred_probs)`` of the demo (embeddings/fashion3.json: 9 flipped labels, 9 OOD images), trained
    as the page trains it (built-in defaults C = 1, gamma = 0.003)."""
    import numpy as np

    from cleanlens.crossval import out_of_sample_probabilities
    from cleanlens.dataset import parse_dataset

    data = parse_dataset((ROOT / "embeddings" / "fashion3.json").read_text(), "fashion3.json")
    result = out_of_sample_probabilities(data.features, data.given, len(data.classes), engine="sklearn")
    return np.array(data.truth), np.array(data.given), np.array(result.probabilities)


def plan_rows(truth, noisy, pred_probs):
    """``[(plan name, Outcome)]`` for every plan of :data:`PLANS`."""
    from cleanlens.fixing import plan
    from cleanlens.issues import LabelIssues

    labels, rows, truth = noisy.tolist(), [list(r) for r in pred_probs], truth.tolist()
    issues = LabelIssues.compute(labels, rows)
    plans, out = {}, []
    for title, rule, accept in PLANS:
        if rule not in plans:
            plans[rule] = plan(labels, rows, rule, issues=issues)
        p = plans[rule]
        out.append((title, p.outcome(truth, p.changes(accept)), p.num_label_issues))
    return out


def found(truth, noisy, pred_probs):
    """``(true errors among cleanlab's find_label_issues, flagged)`` (cleanlab itself, the reference)."""
    import numpy as np
    from cleanlab.filter import find_label_issues

    mask = find_label_issues(np.asarray(noisy), np.asarray(pred_probs))
    return int((mask & (truth != noisy)).sum()), int(mask.sum())


def check_order(noisy, pred_probs):
    """Items in only one of the plan's find_label_issues list and cleanlab's (0 but where numpy's SIMD sort
    orders equal values otherwise than the portable sort: docs/compat.md)."""
    import numpy as np
    from cleanlab.filter import find_label_issues

    from cleanlens.fixing import plan

    ours = plan(noisy.tolist(), [list(r) for r in pred_probs]).issues
    theirs = find_label_issues(np.asarray(noisy), np.asarray(pred_probs), return_indices_ranked_by="self_confidence")
    return len(set(ours) ^ set(theirs.tolist()))


def print_plans(name, seed, truth, noisy, pred_probs):
    import numpy as np

    rows = plan_rows(truth, noisy, pred_probs)
    n_issues = rows[0][2]
    probs = np.asarray(pred_probs)
    calibration = f"mean top probability {probs.max(1).mean():.2f}, agreement {(probs.argmax(1) == noisy).mean():.2f}"
    print(f"\n{name}, seed {seed}: N = {len(noisy):,}, {int((truth != noisy).sum())} known errors, {calibration}, "
          f"num_label_issues {n_issues}, not in both lists: {check_order(noisy, pred_probs)}")  # fmt: skip
    print("| plan | labels changed | known errors before -> after | fixed | broken | precision |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for title, o, _ in rows:
        precision = "—" if o.precision is None else f"{o.precision:.2f}"
        before_after = f"{o.errors_before} -> {o.errors_after}"
        print(f"| {title} | {o.changed} | {before_after} | {o.fixed} | {o.broken} | {precision} |")
    return rows


def feature_comparison(name, seed, truth, noisy, page, svc, x):
    """True errors found by find_label_issues: the page's engine (gamma 0.003, 'scale', tuned) vs SVC."""
    from cleanlens.crossval import out_of_sample_probabilities
    from cleanlens.tuning import tune

    k = len(set(truth.tolist()))
    old = out_of_sample_probabilities(x.tolist(), noisy.tolist(), k, engine="sklearn", gamma=0.003).probabilities
    started = time.perf_counter()
    tuned = tune(x.tolist(), noisy.tolist(), k, engine="sklearn")
    seconds = time.perf_counter() - started
    svc_found, scaled_found = found(truth, noisy, svc[0]), found(truth, noisy, svc[1])
    cells = []
    for probs in (old, page, tuned.result.probabilities):
        hit, flagged = found(truth, noisy, probs)
        cells.append(f"{hit} ({flagged}; {hit / max(1, svc_found[0]):.0%}, {hit / max(1, scaled_found[0]):.0%})")
    print(f"| {name} {seed} | {int((truth != noisy).sum())} | {svc_found[0]} ({svc_found[1]}) | "
          f"{scaled_found[0]} ({scaled_found[1]}) | {' | '.join(cells)} | C={tuned.C:g}, gamma={tuned.gamma:.4g}, "
          f"{seconds:.1f} s |")  # fmt: skip


def plan_steps(spec):
    """``{rule: [seconds, longest step seconds]}`` of :func:`cleanlens.fixing.iter_plan` driven to its end on
    ``spec["n"]`` x ``spec["k"]`` random rows, given the :class:`~cleanlens.issues.LabelIssues` the page has
    already built (timed first), with the cyclic collector off as in the page (standard library only: this
    runs in Pyodide too)."""
    import gc
    import random

    from cleanlens.fixing import RULES, iter_plan
    from cleanlens.issues import LabelIssues

    rng = random.Random(spec.get("seed", 0))
    n, k = spec["n"], spec["k"]
    rows, labels = [], []
    for _ in range(n):
        raw = [rng.gammavariate(0.3, 1.0) + 1e-12 for _ in range(k)]
        total = sum(raw)
        row = [x / total for x in raw]
        rows.append(row)
        labels.append(rng.randrange(k) if rng.random() < 0.1 else row.index(max(row)))
    results = {}
    gc.collect()
    gc.disable()  # as the page drives step generators (cleanlens.web.app.drive): no cyclic collection inside a step
    issues = None
    for rule in ("LabelIssues.steps (the page has it already)", *RULES):
        if issues is None:
            steps = LabelIssues.steps(labels, rows)
        else:
            steps = iter_plan(labels, rows, rule, issues=issues)
        longest, started, at = 0.0, time.perf_counter(), ""
        while True:
            t = time.perf_counter()
            try:
                next(steps)
            except StopIteration as stop:
                issues = issues or stop.value
                break
            finally:
                if time.perf_counter() - t > longest:
                    longest, at = time.perf_counter() - t, _where(steps)
        results[rule] = [time.perf_counter() - started, longest, at]
    gc.enable()
    return results


def _where(steps):
    """Where a step generator paused: its chain of generator frames, innermost last."""
    chain = []
    while steps is not None and getattr(steps, "gi_frame", None) is not None:
        chain.append(f"{steps.gi_frame.f_code.co_name}:{steps.gi_frame.f_lineno}")
        steps = steps.gi_yieldfrom
    return " > ".join(chain)


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
import json, sys
sys.path[:0] = [repo + "/py", repo + "/bench"]
from bench_fixing import plan_steps
json.dumps(plan_steps(json.loads(spec_json)))
`);
console.log(JSON.stringify({ pyodide: version, results: JSON.parse(out) }));
"""


def print_steps(pyodide, n=100_000, k=10):
    """The time and longest step of iter_plan at n x k, under CPython (and Pyodide in Node)."""
    import json
    import os
    import subprocess

    spec = {"n": n, "k": k}
    columns = {"CPython": plan_steps(spec)}
    if pyodide:
        env = dict(os.environ, CLEANLENS_ROOT=str(ROOT), CLEANLENS_SPEC=json.dumps(spec))
        proc = subprocess.run(
            ["node", "--input-type=module", "-e", _NODE_RUNNER], env=env, capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            raise RuntimeError(f"Pyodide run failed: {proc.stderr.strip()[-2000:]}")
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        columns[f"Pyodide {out['pyodide']} (Node)"] = out["results"]
    print(f"\niter_plan at {n:,} x {k}: total s / longest step ms")
    print("| rule | " + " | ".join(columns) + " |")
    print("| --- |" + " ---: |" * len(columns))
    for rule in columns["CPython"]:
        cells = [f"{c[rule][0]:.2f} s / {c[rule][1] * 1000:.1f} ms" for c in columns.values()]
        print(f"| {rule} | " + " | ".join(cells) + " |")
    for name, column in columns.items():
        for rule, (_, _, at) in column.items():
            print(f"{name}, {rule}: the longest step ended at {at}")


def robustness():
    """Accept all at the defaults on digits with four models and four kinds of noise (uniform or pairwise
    flips, 6% or 20%): known errors before -> after, and whether the probabilities were overconfident."""
    from sklearn.datasets import load_digits
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from cleanlens.fixing import plan

    x, truth = load_digits(return_X_y=True)
    models = {
        "logistic regression (standardised)": make_pipeline(StandardScaler(), LogisticRegression(C=0.1)),
        "10-NN": KNeighborsClassifier(10),
        "random forest": RandomForestClassifier(100, random_state=0),
        "GaussianNB": GaussianNB(),
    }
    print("\nAccept all at the defaults on digits, by model and noise (known errors before -> after; worst and all)")
    print("| model | noise | mean top p / agreement | likely (default) | worst num_label_issues | all |")
    print("| --- | --- | --- | ---: | ---: | ---: |")
    for name, model in models.items():
        for kind in ("uniform", "pairwise"):
            for rate in (0.06, 0.2):
                noisy = flip(truth, rate, 0, 10) if kind == "uniform" else _pairwise(truth, rate, 0, 10)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    probs = cross_val_predict(model, x, noisy, cv=5, method="predict_proba")
                p = plan(noisy.tolist(), probs.tolist())
                cells = [p.outcome(truth.tolist(), p.changes(a)) for a in ("likely", "worst", "all")]
                shown = " | ".join(f"{o.errors_before} -> {o.errors_after} ({o.changed})" for o in cells)
                calibration = f"{p.confidence:.2f} / {p.agreement:.2f}" + (" overconfident" if p.overconfident else "")
                print(f"| {name} | {kind} {rate:.0%} | {calibration} | {shown} |")


def _pairwise(truth, rate, seed, k):
    """Labels with ``round(rate * N)`` items moved to the next class (k - 1 to 0)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    noisy = truth.copy()
    for i in rng.choice(len(truth), int(round(rate * len(truth))), replace=False):
        noisy[i] = (truth[i] + 1) % k
    return noisy


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="digits,digits-nb,fashion,wine,breast_cancer,iris,demo")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--steps", action="store_true", help="time iter_plan's steps at 100,000 x 10")
    parser.add_argument("--robustness", action="store_true", help="digits with four models and four kinds of noise")
    parser.add_argument("--pyodide", action="store_true", help="with --steps: also in Pyodide under Node")
    args = parser.parse_args(argv)
    names, seeds = args.only.split(","), [int(s) for s in args.seeds.split(",")]
    comparisons = []
    for name in names:
        for seed in seeds:
            if name == "demo":
                if seed == seeds[0]:
                    print_plans(
                        "demo (fashion3.json; its 9 OOD images count as errors whatever their label)", 0, *demo_case()
                    )
            elif name in FEATURE_SETS:
                truth, noisy, page, svc, x = feature_case(name, seed)
                print_plans(name + " (trained as the page trains)", seed, truth, noisy, page)
                comparisons.append((name, seed, truth, noisy, page, svc, x))
            else:
                print_plans(name, seed, *probability_case(name, seed))
    if comparisons:
        print("\nTrue errors in find_label_issues (flagged; share of the two SVCs'): the page's engine, C = 1, "
              "against SVC(probability=True) + cleanlab on the raw and on standardised features")  # fmt: skip
        header = "| dataset, seed | known errors | SVC raw | SVC standardised | gamma 0.003 | gamma 'scale' | Tune |"
        print(header + " Tune's choice, time |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
        for case in comparisons:
            feature_comparison(*case)
    if args.steps:
        print_steps(args.pyodide)
    if args.robustness:
        robustness()


if __name__ == "__main__":
    main()
