"""Files made the way users make them: np.save of cross_val_predict probabilities, DataFrame.to_csv, demo JSON.

Shared by the end-to-end tests and ``bench/bench_data.py``. Each function returns the data or a list of
``(file name, bytes)`` pairs as the "Your data" dialog takes them.
"""

import io
import json
import warnings
from functools import lru_cache

import numpy as np
import pandas as pd
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict


def npy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


@lru_cache(maxsize=2)
def digits(share=0.05, max_iter=1000):
    """scikit-learn's digits (1,797 x 64, 10 classes) with ``share`` of the labels flipped, and out-of-sample
    probabilities from cross_val_predict(LogisticRegression(max_iter=max_iter)), as a cleanlab user makes them."""
    X, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(0)
    noisy = y.copy()
    flip = rng.choice(len(y), size=int(len(y) * share), replace=False)
    noisy[flip] = (noisy[flip] + rng.integers(1, 10, size=len(flip))) % 10
    with warnings.catch_warnings():  # lbfgs stops at max_iter on unscaled pixels: as in the issue, and harmless
        warnings.simplefilter("ignore")
        model = LogisticRegression(max_iter=max_iter)
        pred_probs = cross_val_predict(model, X, noisy, cv=5, method="predict_proba")
    return X, noisy, pred_probs


def synthetic(n, k, seed=0):
    """n rows of k-class probabilities, about 5% of them confidently given the wrong label."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k)) + 4.0 * np.eye(k)[truth]
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    labels = truth.copy()
    flip = rng.random(n) < 0.05
    labels[flip] = (labels[flip] + rng.integers(1, k, size=flip.sum())) % k
    return labels, probs


def npy_pair(labels, probs):
    return [("labels.npy", npy_bytes(labels)), ("pred_probs.npy", npy_bytes(probs))]


def blobs(n, d, k=3, seed=0):
    """n rows of d features in k overlapping clusters: ``(X, labels, truth)``, about 5% of the labels wrong."""
    rng = np.random.default_rng(seed)
    truth = np.arange(n) % k
    X = rng.normal(size=(n, d)) + 0.6 * rng.normal(size=(k, d))[truth]
    labels = truth.copy()
    flip = rng.random(n) < 0.05
    labels[flip] = (labels[flip] + 1) % k
    return X, labels, truth


def probabilities_frame(labels, probs):
    """A DataFrame of probabilities (columns p_0..p_K-1) with a label column first."""
    frame = pd.DataFrame(probs, columns=[f"p_{k}" for k in range(probs.shape[1])])
    frame.insert(0, "label", labels)
    return frame


def probabilities_csv(labels, probs, name="pred_probs.csv", **to_csv):
    """:func:`probabilities_frame` written with to_csv(index=False, **to_csv)."""
    return [(name, probabilities_frame(labels, probs).to_csv(index=False, **to_csv).encode())]


def features_frame(X, y):
    """A DataFrame of features (columns f0..fD-1) with a label column first."""
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    frame.insert(0, "label", y)
    return frame


def features_csv(X, y, name="features.csv"):
    return [(name, features_frame(X, y).to_csv(index=False).encode())]


def demo_schema(n, seed=0, dim=32, k=3):
    rng = np.random.default_rng(seed)
    classes = ["ant", "bee", "cat"][:k]
    centres = rng.normal(size=(k, dim)) * 2
    items = []
    for i in range(n):
        c = i % k
        given = c if rng.random() > 0.05 else (c + 1) % k
        items.append(
            {
                "id": f"x{i}",
                "image": None,
                "given": classes[given],
                "embedding": [round(float(v), 4) for v in centres[c] + rng.normal(size=dim)],
            }
        )
    return json.dumps({"classes": classes, "items": items, "provenance": {"made": "test"}}).encode()
