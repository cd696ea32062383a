"""Benchmarks of the engine (prints tables; no timing asserts).

Placeholder: filled in below.
"""

from __future__ import annotations

import random


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
