"""What the ``cleanlens.compat`` modules share: input checks, the backend, and cleanlab's output types."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from ..counting import ConfidentCounts, value_counts
from ..errors import CleanlensError
from ..floats import DTYPES, FLOAT32, FLOAT64, portable_argsort
from ..health import descending_order

MULTI_LABEL = (
    "multi_label=True: Cleanlens covers single-label classification only "
    "(cleanlab.multilabel_classification has the multi-label methods)"
)
PROBABILITY_SLACK = 1e-6
"""cleanlab accepts probabilities in [-1e-6, 1 + 1e-6]."""


class CompatInputError(CleanlensError):
    """Labels or probabilities cleanlab would refuse (a ``ValueError``)."""


def numpy_module():
    """numpy if it imports, else None: the backend (tests replace this to run the pure-Python one)."""
    try:
        import numpy
    except ImportError:
        return None
    return numpy


def pandas_module():
    """pandas if it imports, else None (then table results are lists of dicts)."""
    try:
        import pandas
    except ImportError:
        return None
    return pandas


def single_label(multi_label):
    """Raise NotImplementedError for ``multi_label=True``."""
    if multi_label:
        raise NotImplementedError(MULTI_LABEL)


def is_fortran(matrix) -> bool:
    """True for a numpy array held in column-major order only (numpy then sums it in that order)."""
    flags = getattr(matrix, "flags", None)
    return bool(flags is not None and flags.f_contiguous and not flags.c_contiguous)


def as_rows(matrix) -> list:
    """A K x K matrix (array or lists) as a list of lists of Python numbers."""
    return matrix.tolist() if hasattr(matrix, "tolist") else [list(row) for row in matrix]


@dataclass
class Inputs:
    """Checked labels and probabilities: numpy arrays with ``np`` set, else lists (``dtype`` names the
    probabilities' dtype: float32 values stay float32 in both backends)."""

    labels: object
    probabilities: object
    n_classes: int
    dtype: str
    np: object


def inputs(labels, pred_probs, *, min_classes=1) -> Inputs:
    """Labels (N,) and probabilities (N, K) checked as cleanlab checks them (``min_classes``: how many
    distinct labels are required; 2 where cleanlab requires them, unless every label is 0)."""
    np = numpy_module()
    if np is not None:
        return _array_inputs(np, labels, pred_probs, min_classes)
    labels = list(labels)
    if not all(type(x) is int for x in labels):
        labels = [_label(i, x) for i, x in enumerate(labels)]
    rows = pred_probs.tolist() if hasattr(pred_probs, "tolist") else list(pred_probs)
    if rows and not all(type(row) is list and all(type(p) is float for p in row[:1]) for row in rows[:1]):
        rows = [[float(p) for p in row] for row in rows]
    if len(rows) != len(labels):
        raise CompatInputError("pred_probs and labels must have the same length")
    if not rows or not rows[0]:
        raise CompatInputError("pred_probs must have shape (N, K) with N, K >= 1")
    k = len(rows[0])
    if any(n != k for n in map(len, rows)):
        raise CompatInputError("pred_probs rows must all have K values")
    _check_labels(labels, k, min_classes)
    low, high = min(map(min, rows)), max(map(max, rows))
    if not (-PROBABILITY_SLACK <= low and high <= 1 + PROBABILITY_SLACK):
        raise CompatInputError("values in pred_probs must be between 0 and 1")
    dtype = str(getattr(pred_probs, "dtype", FLOAT64))
    return Inputs(labels, rows, k, dtype if dtype in DTYPES else FLOAT64, None)


def _array_inputs(np, labels, pred_probs, min_classes):
    labels = np.asarray(getattr(labels, "to_numpy", lambda: labels)())
    probabilities = np.asarray(pred_probs)
    if labels.ndim != 1:
        raise CompatInputError("labels must be a 1-D array")
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels) & (labels == np.floor(labels))):
            raise CompatInputError("labels must be zero-indexed integers corresponding to class indices")
        labels = labels.astype(np.int64)
    elif labels.dtype.kind not in "iub":
        raise CompatInputError("labels must be zero-indexed integers corresponding to class indices")
    if probabilities.ndim != 2 or probabilities.dtype.kind not in "iuf" or 0 in probabilities.shape:
        raise CompatInputError("pred_probs must be a numeric array of shape (N, K)")
    if len(probabilities) != len(labels):
        raise CompatInputError("pred_probs and labels must have the same length")
    k = probabilities.shape[1]
    _check_labels(labels.tolist() if min_classes > 1 else [int(labels.min()), int(labels.max())], k, min_classes)
    low, high = probabilities.min(), probabilities.max()
    if not (low >= -PROBABILITY_SLACK and high <= 1 + PROBABILITY_SLACK):
        raise CompatInputError("values in pred_probs must be between 0 and 1")
    if probabilities.dtype.kind != "f":
        probabilities = probabilities.astype(np.float64)
    return Inputs(labels, probabilities, k, str(probabilities.dtype), np)


def _label(i, x):
    if isinstance(x, bool) or not float(x).is_integer():
        raise CompatInputError(f"label {i}: {x!r} is not an integer class index")
    return int(x)


def _check_labels(labels, k, min_classes):
    if min(labels) < 0:
        raise CompatInputError("labels must be non-negative integers (class indices)")
    if max(labels) >= k:
        raise CompatInputError(f"pred_probs must have at least {max(labels) + 1} columns (the largest label + 1)")
    present = set(labels)
    if min_classes > 1 and len(present) < min_classes and present != {0}:
        raise CompatInputError("labels must contain at least 2 classes")


def counts(data: Inputs, thresholds=None, thresholds_dtype=None):
    """The backend's per-item computation: :class:`cleanlens.counting_arrays.ArrayCounts` with numpy,
    else :class:`cleanlens.counting.ConfidentCounts`."""
    if data.np is not None:
        from ..counting_arrays import ArrayCounts

        return ArrayCounts(data.labels, data.probabilities, data.n_classes, thresholds=thresholds)
    if thresholds is not None:
        dtype = thresholds_dtype or str(getattr(thresholds, "dtype", FLOAT64))
        thresholds = [float(t) for t in thresholds]
        thresholds_dtype = FLOAT32 if dtype == FLOAT32 else FLOAT64
    return ConfidentCounts.compute(
        data.labels,
        data.probabilities,
        data.n_classes,
        dtype=data.dtype,
        thresholds=thresholds,
        thresholds_dtype=thresholds_dtype or FLOAT64,
    )


def label_counts(labels, n_classes) -> list[int]:
    """The number of items with each label 0..K-1; ValueError for a label outside."""
    np = numpy_module()
    if np is not None:
        labels = np.asarray(labels)
        if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
            raise CompatInputError(f"labels must be class indices in 0..{n_classes - 1}")
        return np.bincount(labels.astype(np.intp), minlength=n_classes).tolist()
    labels = list(labels)
    if labels and (min(labels) < 0 or max(labels) >= n_classes):
        raise CompatInputError(f"labels must be class indices in 0..{n_classes - 1}")
    return value_counts(labels, n_classes)


def matrix(rows, dtype="int64", fortran=False):
    """A K x K result: a numpy array of ``dtype`` (F-ordered when cleanlab's is), or the lists."""
    np = numpy_module()
    if np is None:
        return rows
    return np.array(rows, dtype=dtype, order="F" if fortran else "C")


def vector(values, dtype="float64"):
    """A 1-D result: a numpy array of ``dtype``, or the list."""
    np = numpy_module()
    return values if np is None else np.array(values, dtype=dtype)


def integer(value):
    """cleanlab's count results are numpy int64 scalars."""
    np = numpy_module()
    return int(value) if np is None else np.int64(value)


def real(value):
    """cleanlab's scores are numpy float64 scalars."""
    np = numpy_module()
    return float(value) if np is None else np.float64(value)


def table(rows, columns, sort_by, ascending):
    """A pandas DataFrame of ``rows`` (dicts, in the unsorted order cleanlab builds), sorted as cleanlab
    sorts it (``sort_values``, numpy's sort; index reset); without pandas (or numpy) the rows themselves,
    sorted as pandas would with numpy's portable sort."""
    pd = pandas_module() if numpy_module() is not None else None
    if pd is None:
        keys = [r[sort_by] for r in rows]
        order = portable_argsort(keys) if ascending else descending_order(keys)
        return [rows[i] for i in order]
    names = [c for c in ("Class Name", "Class Name A", "Class Name B") if rows and c in rows[0]] + list(columns)
    frame = pd.DataFrame({name: [r[name] for r in rows] for name in names}, columns=names)
    return frame.sort_values(by=sort_by, ascending=ascending).reset_index(drop=True)


def warn(message):
    warnings.warn(message, UserWarning, stacklevel=3)
