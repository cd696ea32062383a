#!/usr/bin/env python3
"""Choose the engine's defaults (C, gamma, percentiles) on the demo dataset (a maintainer tool; prints tables).

The procedure (the same as for the first engine, docs/engine.md):

1. Grid: C in {1, 3, 10, 30} x gamma in {0.001, 0.003, 0.01, 1/32} (on
   standardised features; 1/32 is scikit-learn's ``gamma="scale"`` there).
   For each cell, 5-fold cross-validation with fold seeds 0, 1, 2 (the
   engine's model, :func:`cleanlens.crossval.out_of_sample_probabilities`)
   and, averaged over the seeds: log loss and accuracy against the *true*
   labels of the in-distribution items; the mean F1 of the flagged items
   (label issues and OOD) over the threshold sweep grid (class and OOD
   percentiles 0, 5, ..., 100 with OOD <= class; undefined F1 counts as 0);
   F1 at the current default percentiles; F1 of the cleanlab rule.
2. C and gamma: among the cells whose mean log loss is within 0.01 of the
   best, the one with the best mean sweep F1 (ties: the current default).
3. Percentiles, at that C and gamma, on a coarse grid only (class 10..90 and
   OOD 5..30, steps of 10 and 5, OOD <= class): the best mean F1 over the
   seeds (ties: the current default). Finer grids would tune to the demo's
   18 known errors.
4. For the chosen cell and fold seed 0 (the page's), the demo table: log loss
   against the given labels (all items), true OOD images categorised OOD,
   ``cleanlab.filter.find_label_issues(labels, pred_probs)`` (its default
   ``prune_by_noise_rate``): flagged and precision, the self-confidence p15 /
   p50 / max, the label issues at the chosen percentiles and how many suggest
   the true class, and the sweep's best cell (highest F1; first in row-major
   order from class 0, OOD 0 on ties).

    python tools/choose_defaults.py [--dataset embeddings/fashion3.json] [--engine auto] [--seeds N]
    python tools/choose_defaults.py --pooling    # sigmoids on all pooled values vs the other folds' only

``--pooling`` compares, for the current defaults and fold seeds 0, 1, 2, the
engine's calibration (each pair's sigmoid fitted once on the pooled
out-of-fold decision values of all items) with fitting each fold's sigmoids
on the other folds' values only (no item's own label takes part in its
calibration): log loss against the given and the true labels, OOD caught,
find_label_issues, self-confidence p15/p50, mean sweep F1. It needs numpy and
scikit-learn (the decision values come from ``SVC(decision_function_shape="ovo")``).

The engine defaults to ``auto`` (scikit-learn if installed: the engines agree
to 1e-9, and it is faster). Needs cleanlab for the find_label_issues column
(skipped without it).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "py"))

from cleanlens import crossval, pairwise, svm  # noqa: E402
from cleanlens.confident import DEFAULT_CLASS_PERCENTILE, DEFAULT_OOD_PERCENTILE, ConfidentLearning, percentile  # noqa: E402
from cleanlens.dataset import load_dataset  # noqa: E402
from cleanlens.scoring import score, sweep, truly_wrong  # noqa: E402

GRID_C = (1.0, 3.0, 10.0, 30.0)
GRID_GAMMA = (0.001, 0.003, 0.01, 1 / 32)
SEEDS = (0, 1, 2)
"""Fold seeds of the procedure (``--seeds N`` uses 0..N-1 instead, to see how much the choice depends on them)."""
CLASS_PERCENTILES = (10, 20, 30, 40, 50, 60, 70, 80, 90)
OOD_PERCENTILES = (5, 10, 15, 20, 25, 30)
LOG_LOSS_MARGIN = 0.01


def log_loss(probabilities, labels, items):
    """Mean of ``-log p_i[labels[i]]`` over ``items`` (probabilities clipped below at 1e-15, as scikit-learn)."""
    return statistics.fmean(-math.log(max(probabilities[i][labels[i]], 1e-15)) for i in items)


def f1(value):
    return 0.0 if value is None else value


def evaluate(ds, C, gamma, seed, engine):
    """Scores of one cross-validation run; see the module docstring."""
    probabilities = crossval.out_of_sample_probabilities(
        ds.features, ds.given, len(ds.classes), engine=engine, C=C, gamma=gamma, seed=seed
    ).probabilities
    return evaluate_probabilities(ds, probabilities)


def evaluate_probabilities(ds, probabilities):
    """The scores of step 1 for one set of out-of-sample probabilities."""
    k = len(ds.classes)
    inside = [i for i, t in enumerate(ds.truth) if t >= 0]
    learning = ConfidentLearning(ds.given, probabilities, k)
    grid = sweep(learning, ds.truth)
    cells = [
        f1(s.f1)
        for a, row in enumerate(grid.scores)
        for b, s in enumerate(row)
        if grid.ood_percentiles[b] <= grid.class_percentiles[a]
    ]
    wrong = truly_wrong(ds.given, ds.truth)
    coarse = {
        (qc, qo): f1(score(learning.categorize(qc, qo).flagged, wrong).f1)
        for qc in CLASS_PERCENTILES
        for qo in OOD_PERCENTILES
        if qo <= qc
    }
    return {
        "probabilities": probabilities,
        "log_loss": log_loss(probabilities, ds.truth, inside),
        "accuracy": statistics.fmean(max(range(k), key=probabilities[i].__getitem__) == ds.truth[i] for i in inside),
        "sweep_f1": statistics.fmean(cells),
        "default_f1": coarse.get(
            (DEFAULT_CLASS_PERCENTILE, DEFAULT_OOD_PERCENTILE), f1(score(learning.categorize().flagged, wrong).f1)
        ),
        "cleanlab_f1": f1(score(learning.categorize(rule="cleanlab").flagged, wrong).f1),
        "coarse": coarse,
    }


def demo_row(ds, probabilities, q_class, q_ood):
    """The issue's demo table for one set of probabilities; see the module docstring."""
    k = len(ds.classes)
    labels, truth = ds.given, ds.truth
    learning = ConfidentLearning(labels, probabilities, k)
    result = learning.categorize(q_class, q_ood)
    wrong = set(truly_wrong(labels, truth))
    self_confidence = sorted(p[g] for p, g in zip(probabilities, labels))
    row = {
        "log loss (given labels)": f"{log_loss(probabilities, labels, range(len(labels))):.3f}",
        "true OOD caught as OOD": f"{sum(truth[i] == -1 for i in result.ood)} of {sum(t == -1 for t in truth)}",
    }
    try:
        import numpy as np
        from cleanlab.filter import find_label_issues

        issues = np.flatnonzero(find_label_issues(np.asarray(labels), np.asarray(probabilities)))
        hits = sum(int(i) in wrong for i in issues)
        row["find_label_issues: flagged, precision"] = f"{len(issues)}, {hits / max(1, len(issues)):.2f}"
    except ImportError:
        row["find_label_issues: flagged, precision"] = "(cleanlab not installed)"
    row["self-confidence p15 / p50 / max"] = " / ".join(
        f"{v:.3f}" for v in (percentile(self_confidence, 15), percentile(self_confidence, 50), self_confidence[-1])
    )
    right = sum(result.suggested[i] == truth[i] for i in result.label_issues)
    row[f"label issues at {q_class}/{q_ood}, with the true class suggested"] = f"{len(result.label_issues)}, {right}"
    grid = sweep(learning, truth)
    best = max(((f1(s.f1), -a, -b) for a, r in enumerate(grid.scores) for b, s in enumerate(r)))
    a, b = -best[1], -best[2]
    cell = grid.scores[a][b]
    row["sweep's best cell (class, OOD): F1, flagged, precision, recall"] = (
        f"({grid.class_percentiles[a]}, {grid.ood_percentiles[b]}): {best[0]:.3f}, {cell.flagged}, "
        f"{cell.precision:.2f}, {cell.recall:.2f}"
    )
    return row


def out_of_fold_decisions(ds, C, gamma, seed):
    """The sklearn engine's per-fold one-vs-one decision values: ``(folds, fold_classes, decisions)``."""
    import numpy as np
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    X = StandardScaler().fit_transform(np.asarray(ds.features, dtype=float))
    y = np.asarray(ds.given)
    folds = crossval.stratified_folds(ds.given, crossval.DEFAULT_FOLDS, seed)
    fold_classes, decisions = [], [None] * len(y)
    for test in folds:
        train = np.setdiff1d(np.arange(len(y)), test)
        model = SVC(kernel="rbf", C=C, gamma=gamma, shrinking=False, decision_function_shape="ovo").fit(
            X[train], y[train]
        )
        values = model.decision_function(X[test])
        values = (-values).reshape(-1, 1) if len(model.classes_) == 2 else values
        fold_classes.append(model.classes_.tolist())
        for i, row in zip(test, values.tolist()):
            decisions[i] = row
    return folds, fold_classes, decisions


def other_folds_probabilities(labels, n_classes, folds, fold_classes, decisions):
    """Like :func:`cleanlens.pairwise.pairwise_probabilities`, but fold f's sigmoids see only the other folds' items."""
    fold_of = {i: f for f, test in enumerate(folds) for i in test}
    probabilities = [None] * len(labels)
    for f, test in enumerate(folds):
        classes = fold_classes[f]
        sigmoids = {}
        for a, b in svm.class_pairs(classes):
            values, positive = [], []
            for i, label in enumerate(labels):
                g = fold_of[i]
                if g != f and label in (a, b) and (a, b) in svm.class_pairs(fold_classes[g]):
                    values.append(decisions[i][svm.class_pairs(fold_classes[g]).index((a, b))])
                    positive.append(label == a)
            sigmoids[(a, b)] = pairwise.sigmoid_train(values, positive)
        for i in test:
            k = len(classes)
            r = [[0.0] * k for _ in range(k)]
            values = iter(decisions[i])
            for x in range(k):
                for y in range(x + 1, k):
                    r[x][y] = pairwise.pair_probability(next(values), *sigmoids[(classes[x], classes[y])])
                    r[y][x] = 1.0 - r[x][y]
            row = [0.0] * n_classes
            for c, p in zip(classes, pairwise.couple(r)):
                row[c] = p
            probabilities[i] = row
    return probabilities


def compare_pooling(ds):
    k = len(ds.classes)
    inside = [i for i, t in enumerate(ds.truth) if t >= 0]
    print(
        f"Sigmoids on all pooled out-of-fold values (engine) vs on the other folds' only; "
        f"C={crossval.DEFAULT_C:g}, gamma={crossval.DEFAULT_GAMMA:g}\n"
    )
    print(
        "| fold seed | calibration | log loss (given) | log loss (truth) | true OOD caught | find_label_issues "
        "| self-confidence p15 / p50 | mean sweep F1 | seconds |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for seed in SEEDS:
        folds, fold_classes, decisions = out_of_fold_decisions(ds, crossval.DEFAULT_C, crossval.DEFAULT_GAMMA, seed)
        for name, fit in (("all pooled", pairwise.pairwise_probabilities), ("other folds", other_folds_probabilities)):
            started = time.perf_counter()
            probabilities = fit(ds.given, k, folds, fold_classes, decisions)
            seconds = time.perf_counter() - started
            row = demo_row(ds, probabilities, int(DEFAULT_CLASS_PERCENTILE), int(DEFAULT_OOD_PERCENTILE))
            sweep_f1 = evaluate_probabilities(ds, probabilities)["sweep_f1"]
            print(
                f"| {seed} | {name} | {row['log loss (given labels)']} | "
                f"{log_loss(probabilities, ds.truth, inside):.3f} "
                f"| {row['true OOD caught as OOD']} | {row['find_label_issues: flagged, precision']} "
                f"| {' / '.join(row['self-confidence p15 / p50 / max'].split(' / ')[:2])} | {sweep_f1:.3f} | "
                f"{seconds:.3f} |"
            )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default=str(ROOT / "embeddings" / "fashion3.json"))
    parser.add_argument("--engine", default="auto", choices=crossval.ENGINES)
    parser.add_argument("--seeds", type=int, help=f"fold seeds 0..N-1 instead of {', '.join(map(str, SEEDS))}")
    parser.add_argument("--pooling", action="store_true", help="compare the sigmoids' pooling (see above) and stop")
    args = parser.parse_args(argv)
    if args.pooling:
        compare_pooling(load_dataset(args.dataset))
        return 0
    seeds = tuple(range(args.seeds)) if args.seeds else SEEDS
    ds = load_dataset(args.dataset)
    engine = crossval.resolve_engine(args.engine)
    started = time.perf_counter()
    print(
        f"{Path(args.dataset).name}: {len(ds)} items, {len(ds.classes)} classes, {len(ds.known_errors())} "
        f"known errors; engine {engine}; fold seeds {', '.join(map(str, seeds))}\n"
    )

    cells = {}
    for C in GRID_C:
        for gamma in GRID_GAMMA:
            runs = [evaluate(ds, C, gamma, seed, engine) for seed in seeds]
            cells[(C, gamma)] = runs
    mean = {
        key: {
            m: statistics.fmean(r[m] for r in runs)
            for m in ("log_loss", "accuracy", "sweep_f1", "default_f1", "cleanlab_f1")
        }
        for key, runs in cells.items()
    }
    print(
        f"| C | gamma | log loss (truth) | accuracy | mean sweep F1 | F1 at {DEFAULT_CLASS_PERCENTILE:g}/"
        f"{DEFAULT_OOD_PERCENTILE:g} | F1 cleanlab rule |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for (C, gamma), m in mean.items():
        print(
            f"| {C:g} | {gamma:.4g} | {m['log_loss']:.3f} | {m['accuracy']:.3f} | {m['sweep_f1']:.3f} | "
            f"{m['default_f1']:.3f} | {m['cleanlab_f1']:.3f} |"
        )

    best_loss = min(m["log_loss"] for m in mean.values())
    near = [key for key, m in mean.items() if m["log_loss"] <= best_loss + LOG_LOSS_MARGIN]
    current = (crossval.DEFAULT_C, crossval.DEFAULT_GAMMA)
    chosen = max(near, key=lambda key: (round(mean[key]["sweep_f1"], 12), key == current))
    print(
        f"\nLog loss within {LOG_LOSS_MARGIN} of the best ({best_loss:.3f}): "
        + ", ".join(f"C={C:g} gamma={g:.4g}" for C, g in near)
    )
    print(
        f"Chosen: C={chosen[0]:g}, gamma={chosen[1]:.4g} (mean sweep F1 {mean[chosen]['sweep_f1']:.3f}); "
        f"current default C={current[0]:g}, gamma={current[1]:.4g}\n"
    )

    runs = cells[chosen]
    coarse = {cell: statistics.fmean(r["coarse"][cell] for r in runs) for cell in runs[0]["coarse"]}
    print("Mean F1 over the seeds at the chosen C, gamma (rows: class percentile, columns: OOD percentile):\n")
    print("| class \\ OOD | " + " | ".join(map(str, OOD_PERCENTILES)) + " |")
    print("|---:|" + "---:|" * len(OOD_PERCENTILES))
    for qc in CLASS_PERCENTILES:
        print(
            f"| {qc} | "
            + " | ".join(f"{coarse[(qc, qo)]:.3f}" if (qc, qo) in coarse else "" for qo in OOD_PERCENTILES)
            + " |"
        )
    default = (int(DEFAULT_CLASS_PERCENTILE), int(DEFAULT_OOD_PERCENTILE))
    q_class, q_ood = max(coarse, key=lambda cell: (round(coarse[cell], 12), cell == default))
    print(
        f"\nChosen percentiles: class {q_class}, OOD {q_ood} (mean F1 {coarse[(q_class, q_ood)]:.3f}); "
        f"current default {default[0]}/{default[1]} ({coarse.get(default, float('nan')):.3f})\n"
    )

    print(f"Demo table, C={chosen[0]:g}, gamma={chosen[1]:.4g}, fold seed {seeds[0]}:\n")
    for name, value in demo_row(ds, runs[0]["probabilities"], q_class, q_ood).items():
        print(f"- {name}: {value}")
    if (q_class, q_ood) != default:
        row = demo_row(ds, runs[0]["probabilities"], *default)
        name = next(n for n in row if n.startswith("label issues"))
        print(f"- {name}: {row[name]}")
    print(f"\n({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
