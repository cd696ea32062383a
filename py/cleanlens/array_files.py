"""Whole arrays from a file path: labels (N,) and a probability matrix (N, K), as the command line reads them.

:func:`read_labels` and :func:`read_matrix` (or :func:`read_matrix_shape`) read a ``.npy`` file or a CSV
of numbers (a first line that is not all numbers is a header and skipped) through the checked readers of
:mod:`cleanlens.arrays_io`: the ``.npy`` header is validated before any data is read, the CSV read in
chunks with its limits. Every problem raises :class:`~cleanlens.arrays_io.InputError` with one line
naming the file and the place (``.npy``: 0-based row; CSV: 1-based line and column).

With ``as_array=True`` (numpy installed) they return numpy arrays instead of lists, with the same checks
and the same messages: a ``.npy`` file is then read by ``numpy.load`` once its header passed our checks.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .arrays_io import CsvRecords, InputError, iter_npy_rows, open_source, read_npy_header

if TYPE_CHECKING:
    import numpy as np


def _number(text):
    """An int, or a float (also for integers too long to be exact as floats: 10**400 becomes inf)."""
    if len(text) <= 20:
        try:
            return int(text)
        except ValueError:
            pass
    return float(text)


def _is_number(text):
    try:
        _number(text)
    except ValueError:
        return False
    return True


def _read_csv_rows(source, name):
    """Rows of numbers from a CSV source, skipping a header line; returns ``[(line_number, [numbers])]``."""
    rows = []
    for line_number, _, cells in CsvRecords(source, name):
        if not cells or all(not c.strip() for c in cells):
            continue
        try:
            values = [_number(c.strip()) for c in cells]
        except ValueError:
            if not rows and line_number == 1:
                continue  # header
            column = next(j for j, c in enumerate(cells, start=1) if not _is_number(c.strip()))
            raise InputError(
                f"{name}: line {line_number}, column {column}: not a number: {cells[column - 1]!r}"
            ) from None
        if rows and len(values) != len(rows[0][1]):
            raise InputError(f"{name}: line {line_number}: {len(values)} columns, expected {len(rows[0][1])}")
        rows.append((line_number, values))
    if not rows:
        raise InputError(f"{name}: no data rows")
    return rows


def _read_table(path, as_array=False):
    """``(shape, rows)`` from ``.npy`` or CSV; ``rows`` is a list of lists for 2-D, a flat list for 1-D.

    With ``as_array``, ``rows`` is a numpy array instead (a ``.npy`` file is read by ``numpy.load`` once
    its header passed :func:`read_npy_header`; a CSV is read as without it, then converted).
    """
    path = Path(path)
    name = path.name
    with open_source(path) as source:
        if path.suffix.lower() == ".npy":
            header = read_npy_header(source, name)
            shape = header.shape
            if len(shape) not in (1, 2):
                raise InputError(f"{name}: expected a 1-D or 2-D array, got shape {shape}")
            if as_array:
                return shape, _load_npy(path, shape)
            width = shape[1] if len(shape) == 2 else 1
            if header.count == 0:
                return shape, []
            rows = [row for chunk in iter_npy_rows(source, header, width) for row in chunk]
            return shape, [r[0] for r in rows] if len(shape) == 1 else rows
        rows = _read_csv_rows(source, name)
    shape, values = (len(rows), len(rows[0][1])), [values for _, values in rows]
    return shape, _csv_array(values) if as_array else values


def _load_npy(path, shape):
    """A ``.npy`` file whose header :func:`read_npy_header` accepted, read by numpy (no pickles)."""
    import numpy as np

    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:  # the header passed our checks: not expected
        raise InputError(f"{path.name}: unreadable .npy file: {exc}") from None
    if array.shape != shape:
        raise InputError(f"{path.name}: unreadable .npy file: numpy reads shape {array.shape}, the header says {shape}")
    return array


def _csv_array(rows):
    """A numpy array of CSV numbers (with an int beyond 64 bits: an object array of the Python numbers)."""
    import numpy as np

    return np.array(rows)


def label_value(name: str, i: int, x: int | float, allow_ood: bool) -> int:
    """Label ``x`` of row ``i`` as an int, or :class:`InputError` (see :func:`read_labels`)."""
    if isinstance(x, float):
        if not x.is_integer():
            raise InputError(f"{name}: row {i}: label {x!r} is not an integer class index")
        x = int(x)
    if x < (-1 if allow_ood else 0):
        raise InputError(
            f"{name}: row {i}: label {x} is negative" + (" (only -1, OOD, is allowed)" if allow_ood else "")
        )
    return x


def read_labels(
    path: str | os.PathLike[str], allow_ood: bool = False, *, as_array: bool = False
) -> list[int] | np.ndarray:
    """Class indices from a ``.npy`` of shape (N,) or (N, 1), or a one-column CSV. Returns a list of ints.

    With ``allow_ood`` (true labels), -1 is accepted: out of distribution.
    With ``as_array`` (numpy installed), a numpy array (N,) of the file's
    numeric dtype instead, checked the same way (whole numbers, not
    negative; the same messages): the caller converts it once its own
    range checks passed.
    """
    name = Path(path).name
    shape, rows = _read_table(path, as_array)
    if len(shape) == 2:
        if shape[1] != 1:
            raise InputError(f"{name}: labels must be one column (shape (N,)), got shape {shape}")
        rows = rows[:, 0] if as_array else [r[0] for r in rows]
    if not as_array:
        return [label_value(name, i, x, allow_ood) for i, x in enumerate(rows)]
    import numpy as np

    if rows.dtype.kind == "O":  # a CSV with an int beyond 64 bits: checked one by one
        return np.array([label_value(name, i, x, allow_ood) for i, x in enumerate(rows.tolist())], dtype=object)
    lowest = -1 if allow_ood else 0
    if rows.dtype.kind == "f":
        bad = ~np.isfinite(rows) | (rows != np.floor(rows)) | (rows < lowest)
    else:  # integers and booleans
        bad = rows < lowest
    if bad.any():
        i = int(np.argmax(bad))
        label_value(name, i, rows[i].item(), allow_ood)
    return rows


def read_matrix(path: str | os.PathLike[str]) -> list[list[float]]:
    """Rows of floats from a 2-D ``.npy`` (N, K) or a CSV with K columns. Returns a list of lists."""
    return read_matrix_shape(path)[0]


def read_matrix_shape(
    path: str | os.PathLike[str], *, as_array: bool = False
) -> tuple[list[list[float]] | np.ndarray, tuple[int, int]]:
    """``(rows, shape)``: :func:`read_matrix`'s rows and the array's shape (N, K), also when N is 0.

    With ``as_array`` (numpy installed), ``rows`` is a C-ordered float64 numpy array (N, K).
    """
    name = Path(path).name
    shape, rows = _read_table(path, as_array)
    if len(shape) != 2:
        raise InputError(f"{name}: expected a 2-D array (N, K), got shape {shape}")
    if as_array:
        import numpy as np

        return np.ascontiguousarray(rows, dtype=np.float64), shape
    return [[float(x) for x in row] for row in rows], shape
