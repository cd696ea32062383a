#!/usr/bin/env python3
"""Measure the demo dataset against the quality bar (a maintainer tool; prints tables).

Out-of-sample probabilities: 5-fold stratified CV (by given label, shuffled,
seed 0) of ``Pipeline(StandardScaler, CalibratedClassifierCV(SVC(rbf, C,
gamma), ensemble=False))``; then confident learning with percentile thresholds
exactly as docs/definitions.md (q_class = 50, q_ood = 15 by default).

    python tools/measure_dataset.py [embeddings/fashion3.json]   # C x gamma grid
    python tools/measure_dataset.py --triples [--seeds 12]       # compare class triples (trains the extractor)
    python tools/measure_dataset.py --rounding                   # rounded vs full-precision embeddings

Needs numpy and scikit-learn; --triples and --rounding also Fashion-MNIST.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "py"))

import numpy as np  # noqa: E402

GRID_C = (1, 10, 100)
GRID_GAMMA = ("scale", 0.01, 0.03, 0.1)


def out_of_sample(x, given, C=10.0, gamma="scale", folds=5, seed=0):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    model = make_pipeline(
        StandardScaler(),
        CalibratedClassifierCV(SVC(kernel="rbf", C=C, gamma=gamma), ensemble=False),
    )
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return cross_val_predict(model, np.asarray(x, float), np.asarray(given), cv=cv, method="predict_proba")


def confident(probs, given, q_class=50.0, q_ood=15.0):
    """Categories per docs/definitions.md: 'correct', 'issue', 'ood', 'unconfident'; plus suggested labels
    (-1 = none)."""
    probs, given = np.asarray(probs), np.asarray(given)
    k = probs.shape[1]
    self_conf = probs[np.arange(len(given)), given]
    c_thr = np.full(k, np.inf)
    o_thr = np.full(k, np.inf)
    for j in range(k):
        s = self_conf[given == j]
        if len(s):
            c_thr[j] = np.percentile(s, q_class)
            o_thr[j] = np.percentile(s, q_ood)
    top = probs.argmax(axis=1)
    suggested = np.where(probs[np.arange(len(top)), top] >= c_thr[top], top, -1)
    cats = []
    for i in range(len(given)):
        if suggested[i] >= 0:
            cats.append("correct" if suggested[i] == given[i] else "issue")
        elif np.all(probs[i] < o_thr):
            cats.append("ood")
        else:
            cats.append("unconfident")
    return np.array(cats), suggested


def score(probs, given, truth, **q):
    """Accuracy (argmax vs truth, in-distribution items), flagged, true positives, precision, recall, etc."""
    given, truth = np.asarray(given), np.asarray(truth)
    cats, _ = confident(probs, given, **q)
    wrong = (truth < 0) | (truth != given)
    flagged = (cats == "issue") | (cats == "ood")
    ind = truth >= 0
    tp = int(np.sum(flagged & wrong))
    return {
        "acc": float(np.mean(probs[ind].argmax(axis=1) == truth[ind])),
        "acc_given": float(np.mean(probs.argmax(axis=1) == given)),
        "errors": int(wrong.sum()),
        "flagged": int(flagged.sum()),
        "tp": tp,
        "precision": tp / max(int(flagged.sum()), 1),
        "recall": tp / max(int(wrong.sum()), 1),
        "issues": int(np.sum(cats == "issue")),
        "ood": int(np.sum(cats == "ood")),
        "ood_tp": int(np.sum((cats == "ood") & (truth < 0))),
        "ood_caught": int(np.sum(flagged & (truth < 0))),
        "flip_caught": int(np.sum(flagged & (truth >= 0) & wrong)),
        "unconfident": int(np.sum(cats == "unconfident")),
        "flagged_ids": np.flatnonzero(flagged),
    }


def fmt(r):
    return (
        f"acc {r['acc']:.3f}  flagged {r['flagged']:3d}  caught {r['tp']:2d}/{r['errors']}  "
        f"prec {r['precision']:.2f}  rec {r['recall']:.2f}  issues {r['issues']:3d}  ood {r['ood']:2d} "
        f"(true {r['ood_tp']})  OOD caught {r['ood_caught']}/9  unconf {r['unconfident']:3d}"
    )


def grid(x, given, truth, out=print):
    results = {}
    for C in GRID_C:
        for gamma in GRID_GAMMA:
            t = time.perf_counter()
            p = out_of_sample(x, given, C=C, gamma=gamma)
            r = score(p, given, truth)
            results[(C, gamma)] = (p, r)
            out(f"C={C:<4} gamma={gamma!s:<6} {fmt(r)}  ({time.perf_counter() - t:.2f} s)")
    return results


def cmd_grid(path):
    from cleanlens.dataset import load_dataset

    ds = load_dataset(path)
    print(f"{path}: {len(ds)} items, classes {ds.classes}, {len(ds.known_errors())} known errors")
    grid(ds.features, ds.given, ds.truth)


# Kind of garment, for --distinct-ood: OOD images only from kinds none of the chosen classes has.
CATEGORY = {0: "top", 2: "top", 3: "top", 4: "top", 6: "top", 1: "bottom", 5: "shoe", 7: "shoe", 9: "shoe", 8: "bag"}


TRIPLES = [
    (0, 2, 1),  # T-shirt/top, Pullover, Trouser
    (0, 6, 1),  # T-shirt/top, Shirt, Trouser
    (2, 4, 1),  # Pullover, Coat, Trouser
    (2, 4, 8),  # Pullover, Coat, Bag
    (0, 3, 8),  # T-shirt/top, Dress, Bag
    (5, 7, 8),  # Sandal, Sneaker, Bag
    (7, 9, 8),  # Sneaker, Ankle boot, Bag
    (7, 9, 1),  # Sneaker, Ankle boot, Trouser
]
TRIPLE_SETTINGS = ((1, "scale"), (10, 0.01))


def cmd_triples(seeds, distinct=False):
    """For each candidate triple: the demo built as make_dataset builds it, for several selection seeds."""
    import json

    import make_dataset as md

    train_x, train_y, test_x, test_y = md.load_fashion_mnist(md.DEFAULT_SOURCE)
    t = time.perf_counter()
    model = md.train_extractor(train_x, train_y)
    pred = model.predict(test_x / 255.0)
    print(f"extractor: {time.perf_counter() - t:.1f} s, test accuracy {np.mean(pred == test_y):.4f}")
    test_feats = md.penultimate(model, test_x)
    records = []
    for tri in TRIPLES:
        a, b, _ = tri
        confusion = (np.sum((test_y == a) & (pred == b)) + np.sum((test_y == b) & (pred == a))) / (
            np.sum(test_y == a) + np.sum(test_y == b)
        )
        pool = None
        if distinct:
            used = {CATEGORY[c] for c in tri}
            pool = [c for c in range(10) if CATEGORY[c] not in used]
        sets = []
        for seed in seeds:
            items = md.select_items(test_y, tri, seed=seed, ood_pool=pool)
            idx = np.array([it["index"] for it in items])
            emb, _ = md.reduce_svd(test_feats[idx])
            sets.append((emb, np.array([it["given"] for it in items]), np.array([it["truth"] for it in items])))
        names = " / ".join(md.FASHION_NAMES[i] for i in tri)
        record = {"classes": names, "extractor_confusion_first_two": round(float(confusion), 3)}
        for C, gamma in TRIPLE_SETTINGS:
            res = [score(out_of_sample(x, g, C=C, gamma=gamma), g, tr) for x, g, tr in sets]
            mean = {k: float(np.mean([r[k] for r in res])) for k in ("acc", "tp", "flagged", "precision")}
            ok = sum(r["tp"] >= 12 for r in res)
            record[f"C={C},gamma={gamma}"] = {
                "cv_accuracy": round(mean["acc"], 3),
                "errors_flagged": round(mean["tp"], 1),
                "seeds_with_12_or_more": f"{ok}/{len(res)}",
                "flagged": round(mean["flagged"], 1),
                "precision": round(mean["precision"], 2),
            }
            print(
                f"{names:34s} conf {confusion:.3f}  C={C:<3} gamma={gamma!s:<5}  CV acc {mean['acc']:.3f}  "
                f"caught {mean['tp']:4.1f}/18 (>=12 in {ok}/{len(res)})  flagged {mean['flagged']:4.1f}  "
                f"prec {mean['precision']:.2f}",
                flush=True,
            )
        records.append(record)
    print(json.dumps(records, indent=1))
    return records


def cmd_rounding():
    import make_dataset as md

    document, _, extra = md.build(log=lambda m: print(m, flush=True))
    items = extra["items"]
    given = np.array([it["given"] for it in items])
    truth = np.array([it["truth"] for it in items])
    full = extra["embedding_full"]
    rounded = np.array([it["embedding"] for it in document["items"]])
    print(f"max relative rounding error {np.max(np.abs(rounded - full) / np.maximum(np.abs(full), 1e-12)):.2e}")
    for C in GRID_C:
        for gamma in GRID_GAMMA:
            pf = out_of_sample(full, given, C=C, gamma=gamma)
            pr = out_of_sample(rounded, given, C=C, gamma=gamma)
            rf, rr = score(pf, given, truth), score(pr, given, truth)
            same = np.array_equal(rf["flagged_ids"], rr["flagged_ids"])
            cf, _ = confident(pf, given)
            cr, _ = confident(pr, given)
            print(
                f"C={C:<4} gamma={gamma!s:<6} max |dp| {np.max(np.abs(pf - pr)):.1e}  "
                f"same categories {np.array_equal(cf, cr)}  same flagged {same}"
            )


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", default=str(HERE.parent / "embeddings" / "fashion3.json"))
    parser.add_argument("--triples", action="store_true")
    parser.add_argument("--seeds", type=int, default=12, help="selection seeds 0..N-1 for --triples")
    parser.add_argument(
        "--distinct-ood",
        action="store_true",
        help="--triples: draw OOD images only from kinds (top/bottom/shoe/bag) the triple lacks",
    )
    parser.add_argument("--rounding", action="store_true")
    args = parser.parse_args(argv)
    if args.triples:
        cmd_triples(range(args.seeds), args.distinct_ood)
    elif args.rounding:
        cmd_rounding()
    else:
        cmd_grid(args.path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
