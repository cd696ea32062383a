"""Reading labels, probabilities and feature tables from ``.npy`` and CSV files.

Standard library only (it also runs in the browser, where numpy may be
missing). Every problem raises :class:`InputError` with a one-line message
naming the file and, where it applies, the line and column.

- ``.npy`` (NumPy format versions 1-3): numeric dtypes ``f2 f4 f8``,
  ``i1 i2 i4 i8``, ``u1 u2 u4 u8`` and ``b1``, either byte order, C or
  Fortran order; object arrays (pickles) are refused.
- CSV: comma-separated numbers; a first line that is not all numbers is a
  header and skipped. Line numbers in messages are 1-based (as in an editor);
  columns are 1-based too.
"""

from __future__ import annotations

import ast
import csv
import io
import math
import struct
from pathlib import Path



NPY_MAGIC = b"\x93NUMPY"
# dtype kind + size -> struct code.
_NPY_CODES = {
    ("f", 2): "e", ("f", 4): "f", ("f", 8): "d",
    ("i", 1): "b", ("i", 2): "h", ("i", 4): "i", ("i", 8): "q",
    ("u", 1): "B", ("u", 2): "H", ("u", 4): "I", ("u", 8): "Q",
    ("b", 1): "?",
}  # fmt: skip


class InputError(ValueError):
    """An input file is unusable; the message names the file and the place."""


def parse_npy(data, source="array.npy"):
    """Decode the bytes of a ``.npy`` file. Returns ``(shape, values)``: a tuple and a flat list in C order.

    Floats stay floats, integers and booleans become ints.
    """
    if data[:6] != NPY_MAGIC or len(data) < 10:
        raise InputError(f"{source}: not a .npy file (bad magic bytes)")
    major = data[6]
    if major == 1:
        (header_len,) = struct.unpack("<H", data[8:10])
        start = 10
    elif major in (2, 3):
        (header_len,) = struct.unpack("<I", data[8:12])
        start = 12
    else:
        raise InputError(f"{source}: unsupported .npy format version {major}")
    try:
        header = ast.literal_eval(data[start : start + header_len].decode("latin1" if major < 3 else "utf-8"))
        descr, fortran, shape = header["descr"], header["fortran_order"], tuple(header["shape"])
    except (ValueError, SyntaxError, KeyError, TypeError, UnicodeDecodeError):
        raise InputError(f"{source}: unreadable .npy header") from None
    if not isinstance(descr, str) or len(descr) < 3 or descr[0] not in "<>|=":
        raise InputError(f"{source}: unsupported dtype {descr!r} (expected a numeric dtype such as '<f8' or '<i8')")
    order = ">" if descr[0] == ">" else "<"  # '|' (single byte) and '=' (native, little-endian in practice)
    kind, size = descr[1], descr[2:]
    code = _NPY_CODES.get((kind, int(size))) if size.isdigit() else None
    if code is None:
        raise InputError(f"{source}: unsupported dtype {descr!r} (expected a numeric dtype such as '<f8' or '<i8')")
    count = math.prod(shape)
    body = data[start + header_len :]
    itemsize = struct.calcsize(order + code)
    if len(body) < count * itemsize:
        raise InputError(f"{source}: truncated: {len(body)} data bytes, expected {count * itemsize} for shape {shape}")
    values = list(struct.unpack(f"{order}{count}{code}", body[: count * itemsize]))
    if code == "?":
        values = [int(v) for v in values]
    if fortran and len(shape) > 1:
        values = _fortran_to_c(values, shape)
    return shape, values


def _fortran_to_c(values, shape):
    # Column-major to row-major for any number of dimensions.
    strides, step = [], 1
    for extent in shape:
        strides.append(step)
        step *= extent
    out = []

    def walk(dim, offset):
        if dim == len(shape):
            out.append(values[offset])
            return
        for i in range(shape[dim]):
            walk(dim + 1, offset + i * strides[dim])

    walk(0, 0)
    return out


def _read_bytes(path):
    path = Path(path)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path.name}: cannot read: {exc.strerror}") from None


def _number(text):
    try:
        return int(text)
    except ValueError:
        return float(text)


def _read_csv_rows(path):
    """Rows of numbers from a CSV file, skipping a header line; returns ``[(line_number, [numbers])]``."""
    path = Path(path)
    try:
        text = _read_bytes(path).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path.name}: not UTF-8 text") from None
    rows = []
    for line_number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not cells or all(not c.strip() for c in cells):
            continue
        try:
            values = [_number(c.strip()) for c in cells]
        except ValueError:
            if not rows and line_number == 1:
                continue  # header
            column = next(j for j, c in enumerate(cells, start=1) if not _is_number(c.strip()))
            raise InputError(f"{path.name}: line {line_number}, column {column}: not a number: {cells[column - 1]!r}") from None
        rows.append((line_number, values))
    if not rows:
        raise InputError(f"{path.name}: no data rows")
    return rows


def _is_number(text):
    try:
        _number(text)
    except ValueError:
        return False
    return True


def _read_table(path):
    """``(shape, rows)`` from ``.npy`` or CSV; ``rows`` is a list of lists for 2-D, a flat list for 1-D."""
    path = Path(path)
    if path.suffix.lower() == ".npy":
        shape, values = parse_npy(_read_bytes(path), path.name)
        if len(shape) == 1:
            return shape, values
        if len(shape) == 2:
            k = shape[1]
            return shape, [values[i * k : (i + 1) * k] for i in range(shape[0])]
        raise InputError(f"{path.name}: expected a 1-D or 2-D array, got shape {shape}")
    rows = _read_csv_rows(path)
    width = len(rows[0][1])
    for line_number, values in rows:
        if len(values) != width:
            raise InputError(f"{path.name}: line {line_number}: {len(values)} columns, expected {width}")
    return (len(rows), width), [values for _, values in rows]


def read_labels(path, allow_ood=False):
    """Class indices from a ``.npy`` of shape (N,) or (N, 1), or a one-column CSV. Returns a list of ints.

    With ``allow_ood`` (true labels), -1 is accepted: out of distribution.
    """
    name = Path(path).name
    shape, rows = _read_table(path)
    if len(shape) == 2:
        if shape[1] != 1:
            raise InputError(f"{name}: labels must be one column (shape (N,)), got shape {shape}")
        rows = [r[0] for r in rows]
    labels = []
    for i, x in enumerate(rows):
        if isinstance(x, float):
            if not x.is_integer():
                raise InputError(f"{name}: row {i}: label {x!r} is not an integer class index")
            x = int(x)
        if x < (-1 if allow_ood else 0):
            raise InputError(f"{name}: row {i}: label {x} is negative" + (" (only -1, OOD, is allowed)" if allow_ood else ""))
        labels.append(x)
    return labels


def read_matrix(path):
    """Rows of floats from a 2-D ``.npy`` (N, K) or a CSV with K columns. Returns a list of lists."""
    name = Path(path).name
    shape, rows = _read_table(path)
    if len(shape) != 2:
        raise InputError(f"{name}: expected a 2-D array (N, K), got shape {shape}")
    return [[float(x) for x in row] for row in rows]
