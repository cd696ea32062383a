"""Two ``.npy`` files, cleanlab's ``labels`` and ``pred_probs``, and an optional class names file (pure).

The format is in the package docstring (:mod:`cleanlens.userdata`, "Files accepted"). The shape and label
checks are shared with the command line (:func:`check_pair_shapes`, :func:`label_index`).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence

from ..arrays_io import Source, iter_npy_rows, read_all, read_npy_header
from ..dataset import OOD_NAME, Dataset, parse_json
from ..steps import Steps
from . import limits
from .common import (
    File,
    LoadedData,
    SumProblems,
    UserDataError,
    check_classes_used,
    check_probability_row,
    extension,
    join_names,
    short,
)

_LINE_END = re.compile(r"\r\n|\r|\n")


def check_pair_shapes(
    lname: str, lshape: tuple[int, ...], pname: str, pshape: tuple[int, ...], max_classes: int = limits.MAX_CLASSES
) -> tuple[int, int]:
    """Check a labels array's shape against a pred_probs array's: ``(n, k)``, or a :class:`UserDataError`.

    ``lshape``: (N,) or (N, 1); ``pshape``: (N, K) with N >= 1 and 2 <= K
    <= ``max_classes``. Shared with the command line (which has no class
    limit). Row limits are the caller's.
    """
    if len(pshape) != 2:
        raise UserDataError(f"{pname}: shape {pshape}: expected pred_probs (N, K)")
    n, k = pshape
    if lshape[0] != n:
        raise UserDataError(f"{lname} has {lshape[0]:,} rows but {pname} has {n:,}: they must have one row per item")
    if n == 0:
        raise UserDataError(
            f"{lname} and {pname} have no rows (shapes {lshape} and {pshape}): there is nothing to analyse"
        )
    if k < 2:
        raise UserDataError(f"{pname}: shape {pshape}: pred_probs needs one column per class, and at least 2 classes")
    if k > max_classes:
        raise UserDataError(f"{pname}: {k:,} columns (classes); at most {max_classes} classes are supported")
    return n, k


def label_index(lname: str, row: int, value: float, k: int, pname: str) -> int:
    """A label read from a labels array (int or float) as a class index 0..k-1, or a :class:`UserDataError`.

    Messages blame the labels file and the 0-based row. Shared with the command line.
    """
    if isinstance(value, float):
        if not value.is_integer():
            raise UserDataError(f"{lname}: row {row}: label {value!r} is not a whole number (a class index)")
        value = int(value)
    if not 0 <= value < k:
        raise UserDataError(
            f"{lname}: row {row}: label {value} is not a class index 0..{k - 1} ({pname} has {k} columns)"
        )
    return value


def load_npy_pair(
    files: Sequence[File], renormalize: bool, class_names: Sequence[str] | None
) -> Steps[float, LoadedData]:
    """Two ``.npy`` files (labels, pred_probs; either order) and an optional class names file as a
    :class:`LoadedData` in probabilities mode (a generator yielding progress 0..0.99)."""
    (lname, lsource, lheader), (pname, psource, pheader) = _labels_and_probabilities(files[:2])
    n, k = check_pair_shapes(lname, lheader.shape, pname, pheader.shape)
    classes = _classes(files[2] if len(files) == 3 else None, class_names, k, pname)
    source_name = f"{lname} + {pname}"
    sha = yield from _iter_sha256(lsource, psource)
    given = yield from _iter_given(lname, lsource, lheader, n, k, pname)
    check_classes_used(source_name, classes, given, lambda j: f" (column {j} of {pname})")
    yield 0.3
    probabilities = yield from _iter_probabilities(pname, psource, pheader, n, k, renormalize)
    dataset = Dataset(
        classes=classes,
        ids=list(map(str, range(n))),
        images=[None] * n,
        given=given,
        features=None,
        provenance={"source": source_name, "sha256": sha},
        row_ids=True,
    )
    return LoadedData("probabilities", dataset, probabilities, [], source_name, sha)


def _labels_and_probabilities(pair):
    """``((name, source, header) of the labels, the same of pred_probs)``, told apart by their headers' shapes;
    each within the row limit."""
    headers = [(name, source, read_npy_header(source, name)) for name, source in pair]
    for name, _, header in headers:
        if len(header.shape) not in (1, 2):
            raise UserDataError(f"{name}: shape {header.shape}: expected labels (N,) or pred_probs (N, K)")
    is_labels = [len(h.shape) == 1 or h.shape[1] == 1 for _, _, h in headers]
    if is_labels[0] == is_labels[1]:
        raise _not_a_pair(pair, [h.shape for _, _, h in headers], is_labels[0])
    labels, probabilities = headers if is_labels[0] else headers[::-1]
    for name, _, header in (probabilities, labels):
        if header.shape[0] > limits.MAX_PROBABILITY_ROWS:
            raise UserDataError(
                f"{name}: {header.shape[0]:,} rows; probabilities mode allows at most {limits.MAX_PROBABILITY_ROWS:,}"
            )
    return labels, probabilities


def _not_a_pair(pair, shapes, both_labels):
    """The error for two files of the same kind (``both_labels``: both look like labels)."""
    if both_labels and sorted(map(len, shapes)) == [1, 2] and shapes[0][0] == shapes[1][0] > 0:
        which = [len(s) for s in shapes].index(2)  # (N, 1): one column, so one class
        return UserDataError(
            f"{pair[which][0]}: shape {shapes[which]}: pred_probs needs one column per class, and at least 2 classes"
        )
    which = "labels (one value per row)" if both_labels else "pred_probs (several columns)"
    return UserDataError(
        f"{join_names(pair)}: both look like {which} (shapes {shapes[0]} and {shapes[1]}); "
        "expected labels (N,) and pred_probs (N, K) with K >= 2"
    )


def _classes(names_file, class_names, k, pname):
    """The K class names: from the names file, or typed, or ``"0"``..``"K-1"``; not both given."""
    if class_names is not None and names_file is not None:
        raise UserDataError(
            f"{names_file[0]}: the class names were given twice (a file and typed names): give them once"
        )
    if names_file is not None:
        return read_class_names(*names_file, k, pname)
    if class_names is not None:
        return check_class_names("class names", list(class_names), k, pname)
    return [str(c) for c in range(k)]


def _iter_sha256(lsource, psource):
    """The hex SHA-256 of the labels file's bytes followed by the pred_probs file's (progress 0..0.2)."""
    digest = hashlib.sha256()
    total = lsource.size + psource.size
    done = 0
    for source in (lsource, psource):
        for start in range(0, source.size, 1 << 22):
            chunk = source.read(start, min(start + (1 << 22), source.size))
            digest.update(chunk)
            done += len(chunk)
            yield 0.2 * done / total
    return digest.hexdigest()


def _iter_given(lname, lsource, lheader, n, k, pname):
    """The N labels as class indices (progress 0.2..0.3)."""
    given, row = [], 0
    for chunk in iter_npy_rows(lsource, lheader, 1, chunk_bytes=limits.STEP_WORK * lheader.itemsize):
        for (x,) in chunk:
            given.append(label_index(lname, row, x, k, pname))
            row += 1
        yield 0.2 + 0.1 * row / n
    return given


def _iter_probabilities(pname, psource, pheader, n, k, renormalize):
    """The N rows of K probabilities, checked (renormalised if asked; progress 0.3..0.99)."""
    probabilities = []
    sums = SumProblems()
    i = 0

    def where(i, j=None):
        return f"{pname}: row {i}" if j is None else f"{pname}: row {i}, column {j}"

    rows_per_step = max(1, limits.STEP_WORK // (k + 8))
    for chunk in iter_npy_rows(psource, pheader, k, chunk_bytes=rows_per_step * k * pheader.itemsize):
        for values in chunk:
            row = [float(p) for p in values]
            total = sum(row)
            if total - total != 0.0:  # NaN or inf somewhere (or an overflowing sum)
                bad = next((j for j, p in enumerate(row) if not math.isfinite(p)), None)
                if bad is not None:
                    raise UserDataError(f"{pname}: row {i}, column {bad}: not finite: {row[bad]!r}")
            probabilities.append(check_probability_row(row, renormalize, sums, where, i))
            i += 1
        yield 0.3 + 0.69 * i / n
    sums.raise_if_any()
    return probabilities


def read_class_names(name: str, source: Source, k: int, pname: str) -> list[str]:
    """K class names from a .txt (one per line) or .json (a list of strings) file."""
    if source.size > limits.MAX_CLASS_NAMES_BYTES:
        raise UserDataError(
            f"{name}: a class names file of {source.size:,} bytes; at most {limits.MAX_CLASS_NAMES_BYTES:,} are "
            "accepted"
        )
    data = read_all(source)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserDataError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    if "\x00" in text:
        raise UserDataError(f"{name}: contains NUL characters: this is a binary file, not text")
    if extension(name) == "json":
        names = parse_json(text, name)
        if not isinstance(names, list):
            raise UserDataError(f'{name}: expected a JSON list of class names, such as ["cat", "dog"]')
        for i, value in enumerate(names):
            if not isinstance(value, str):
                raise UserDataError(f"{name}: item {i} is not a string: {short(value)}")
        return check_class_names(name, names, k, pname, "item {}")
    lines = _LINE_END.split(text)
    while lines and not lines[-1].strip():
        lines.pop()
    return check_class_names(name, lines, k, pname, "line {}", first=1)


def check_class_names(
    name: str, names: Sequence[object], k: int, pname: str, where: str = "name {}", first: int = 0
) -> list[str]:
    """Names stripped of surrounding whitespace: K of them, non-empty, distinct, not OOD."""
    if not all(isinstance(value, str) for value in names):
        raise UserDataError(f"{name}: every class name must be text")
    if len(names) != k:
        raise UserDataError(
            f"{name}: {len(names)} class names, but {pname} has {k} columns (classes): give one name per column"
        )
    out, seen = [], {}
    for i, value in enumerate(names, start=first):
        value = value.strip()
        place = where.format(i)
        if not value:
            raise UserDataError(f"{name}: {place} is blank: every class needs a name")
        if value == OOD_NAME:
            raise UserDataError(f"{name}: {place}: {OOD_NAME!r} is reserved for out-of-distribution items, not a class")
        if value in seen:
            raise UserDataError(
                f"{name}: {place}: {short(value)} is also {where.format(seen[value])}: class names must be distinct"
            )
        seen[value] = i
        out.append(value)
    return out
