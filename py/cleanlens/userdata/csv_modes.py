"""A CSV :class:`~cleanlens.userdata.csv_table.Table` as probabilities or as features, and automatic mode's
choice between them (pure).

The rules (probabilities, embeddings and automatic mode) are in the package docstring
(:mod:`cleanlens.userdata`, "CSV format").
"""

from __future__ import annotations

import hashlib

from ..arrays_io import Source
from ..dataset import OOD, OOD_NAME, Dataset
from ..steps import Steps
from . import limits
from .common import (
    LoadedData,
    SumProblems,
    UserDataError,
    check_classes_used,
    check_probability_row,
    filter_images,
    short,
)
from .csv_table import check_probability_header, read_csv
from .limits import Caps, check_embedding_rows

_PREFIXES = ("p_", "prob_")


def load_csv(name: str, source: Source, mode: str, renormalize: bool, caps: Caps) -> Steps[float, LoadedData]:
    """The CSV file as a :class:`LoadedData` in ``mode`` (``"auto"`` chooses; a generator yielding progress)."""
    digest = hashlib.sha256()
    table = yield from read_csv(name, source, mode, caps, digest)
    notes = []
    reason = None
    if mode == "auto":
        mode, reason = yield from _auto_mode(table)
        notes.append(reason)
    if mode == "probabilities":
        try:
            result = yield from _csv_probabilities(table, renormalize)
        except UserDataError as exc:
            if reason is None:
                raise
            raise UserDataError(
                f"{exc} (automatic mode: {reason[0].lower()}{reason[1:-1]}; choose embeddings mode if these are "
                "features)",
                exc.renormalizable,
            ) from None
    else:
        result = _csv_embeddings(table, caps)
    result.notes = notes
    result.source_sha256 = digest.hexdigest()
    result.dataset.provenance = {"source": name, "sha256": result.source_sha256}
    return result


def _class_names(table):
    """Class names for the numeric columns: headers, without a shared ``p_``/``prob_`` prefix unless the labels
    use it."""
    headers = [table.header[j] for j in table.numeric]
    for prefix in _PREFIXES:
        if all(h[: len(prefix)].lower() == prefix and len(h) > len(prefix) for h in headers):
            stripped = [h[len(prefix) :].strip() for h in headers]
            if all(stripped) and len(set(stripped)) == len(stripped) and not table.distinct <= set(headers):
                return stripped
    return headers


def _auto_mode(table):
    """``(mode, note)``: the automatic mode rule, (a), (b) or (c), from the module docstring, and why.

    A generator (yielding progress 0.6..0.7): rules (b) and (c) need a pass over the rows.
    """
    k = len(table.numeric)
    if k < 2:
        return "embeddings", "Read as features (embeddings mode): there is only one numeric column."
    distinct = table.distinct
    if distinct == set(table.header[j] for j in table.numeric) or distinct == set(_class_names(table)):
        return "probabilities", f"Read as predicted probabilities: the labels are the names of the {k} numeric columns."
    indices = all(_as_index(label, k) is not None for label in distinct)
    off_sum = None
    n, flat = len(table.lines), table.flat
    step = max(1, limits.STEP_WORK // (k + 8))
    for first in range(0, n, step):
        for i in range(first, min(first + step, n)):
            row, line = flat[i * k : i * k + k], table.lines[i]
            if min(row) < 0.0 or max(row) > 1.0:
                j, x = next((j, x) for j, x in zip(table.numeric, row) if not 0.0 <= x <= 1.0)
                return "embeddings", (
                    f"Read as features (embeddings mode): line {line}, column {j + 1} holds {x:g}, "
                    "outside [0, 1], so the values are not probabilities."
                )
            if off_sum is None and not indices and abs(sum(row) - 1.0) > limits.AUTO_TOLERANCE:
                off_sum = line, sum(row)
        yield 0.6 + 0.1 * (first + step) / n
    if indices:
        return "probabilities", (
            f"Read as predicted probabilities: the labels are column indices 0..{k - 1} and every value is in [0, 1]."
        )
    if off_sum is not None:
        line, total = off_sum
        return "embeddings", (
            f"Read as features (embeddings mode): the labels are neither the names of the {k} numeric columns "
            f"nor column indices 0..{k - 1}, and the values on line {line} sum to {total:.6g}, not 1."
        )
    return "probabilities", "Read as predicted probabilities: every row's values are in [0, 1] and sum to 1."


def _as_index(text, k):
    """``int(text)`` (or a whole-number float's value) if it is in 0..k-1, else None."""
    if len(text) > 30:
        return None  # no class index is that long (and int() of 4,301+ digits raises)
    try:
        value = int(text)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            return None
        if not number.is_integer():
            return None
        value = int(number)
    return value if 0 <= value < k else None


def _names_list(names, limit=10):
    """``'a', 'b', 'c'``, truncated after ``limit`` names."""
    shown = ", ".join(short(n) for n in names[:limit])
    return shown if len(names) <= limit else f"{shown}, ... ({len(names)} in all)"


def _given_labels(table, classes, index, k):
    """The label column as class indices: all class names, or all column indices 0..k-1 (see the module docstring)."""
    distinct = table.distinct
    if all(label in index for label in distinct):
        return [index[label] for label in table.labels], True
    as_index = {label: _as_index(label, k) for label in distinct}
    if all(i is not None for i in as_index.values()):
        return [as_index[label] for label in table.labels], False
    label_col = table.roles["label"]
    kinds = {
        label: "name" if label in index else "index" if as_index[label] is not None else None for label in distinct
    }
    if set(kinds.values()) == {None, "name"}:
        expected = f"one of {_names_list(classes)} (the probability columns)"
    else:
        expected = f"a class index 0..{k - 1} or one of {_names_list(classes)} (the probability columns)"
    for line, label in zip(table.lines, table.labels):
        if kinds[label] is None:
            raise UserDataError(f"{table.where(line, label_col)}: unknown label {short(label)}; expected {expected}")
    # Every label is a name or an index, but both kinds occur: blame the first label of the rarer kind.
    names = sum(1 for label in table.labels if kinds[label] == "name")
    rare = "name" if names * 2 <= len(table.labels) else "index"
    i = next(i for i, label in enumerate(table.labels) if kinds[label] == rare)
    j = next(j for j, label in enumerate(table.labels) if kinds[label] != rare)
    this, other = ("a class name", "column indices") if rare == "name" else ("a column index", "class names")
    raise UserDataError(
        f"{table.where(table.lines[i], label_col)}: label {short(table.labels[i])} is {this}, but other labels are "
        f"{other} (e.g. {short(table.labels[j])} on line {table.lines[j]}): use one kind for every label"
    )


def _csv_probabilities(table, renormalize):
    name = table.name
    check_probability_header(name, table.header, table.numeric, table.header_line)
    classes = _class_names(table)
    k = len(classes)
    if OOD_NAME in classes:
        j = table.numeric[classes.index(OOD_NAME)]
        raise UserDataError(
            f"{table.where(table.header_line, j)}: {OOD_NAME!r} is reserved for the truth column, not a class"
        )
    index = {c: i for i, c in enumerate(classes)}
    given, by_name = _given_labels(table, classes, index, k)
    yield 0.65
    truth = _csv_truth(table, classes, index, k=None if by_name else k)
    numeric = table.numeric
    columns = {k: numeric[k] + 1 for k in range(k)}
    check_classes_used(name, classes, given, lambda c: f" (column {columns[c]})")
    yield 0.7
    probabilities = []
    sums = SumProblems()
    n = len(table.lines)
    step = max(1, limits.STEP_WORK // (k + 8))

    def where(line, j=None):
        return f"{name}: line {line}" if j is None else table.where(line, numeric[j])

    for first in range(0, n, step):
        for line, row in zip(table.lines[first : first + step], table.rows(first, first + step)):
            probabilities.append(check_probability_row(row, renormalize, sums, where, line))
        yield 0.7 + 0.29 * min(first + step, n) / n
    sums.raise_if_any()
    return _loaded(table, "probabilities", classes, given, truth, probabilities)


def _csv_truth(table, classes, index, k=None, which=""):
    """The truth column as class indices (OOD = -1), or None without one.

    Values are class names from ``index``, ``OOD``, or (when ``k`` is given)
    integer class indices 0..k-1.
    """
    if table.truths is None:
        return None
    truth = []
    truth_col = table.roles["truth"]
    for line, t in zip(table.lines, table.truths):
        value = OOD if t == OOD_NAME else index.get(t)
        if value is None and k is not None:
            value = _as_index(t, k)
        if value is None:
            raise UserDataError(
                f"{table.where(line, truth_col)}: unknown true label {short(t)}; "
                f"expected one of {_names_list(classes)}{which} or {OOD_NAME!r}"
            )
        truth.append(value)
    return truth


def _csv_embeddings(table, caps):
    name = table.name
    label_col = table.roles["label"]
    distinct = table.distinct
    if OOD_NAME in distinct:
        i = table.labels.index(OOD_NAME)
        raise UserDataError(
            f"{table.where(table.lines[i], label_col)}: {OOD_NAME!r} is reserved for the truth column, not a class"
        )
    if len(distinct) < 2:
        raise UserDataError(
            f"{name}: only one class ({short(table.labels[0])}) in the label column: confident learning needs at "
            "least two"
        )
    if len(distinct) > limits.MAX_CLASSES:
        raise UserDataError(
            f"{name}: {len(distinct)} distinct labels (classes); at most {limits.MAX_CLASSES} are supported"
        )
    check_embedding_rows(name, len(table.lines), len(table.numeric), caps)
    if all(_is_integer_text(label) for label in distinct):
        classes = sorted(distinct, key=_integer_order)
    else:
        classes = sorted(distinct)
    index = {c: i for i, c in enumerate(classes)}
    given = [index[label] for label in table.labels]
    truth = _csv_truth(table, classes, index, which=" (the labels)")
    return _loaded(table, "embeddings", classes, given, truth)


def _loaded(table, mode, classes, given, truth, probabilities=None):
    """The table as a :class:`LoadedData` in ``mode`` (features from the table in embeddings mode), with its
    image URLs filtered."""
    n = len(table.lines)
    images, warnings = filter_images(table.images) if table.images is not None else ([None] * n, [])
    dataset = Dataset(
        classes=classes,
        ids=table.ids,
        images=images,
        given=given,
        features=table.rows() if mode == "embeddings" else None,
        truth=truth,
        row_ids=table.roles.get("id") is None,
    )
    return LoadedData(mode, dataset, probabilities, warnings, table.name)


def _is_integer_text(text):
    if len(text) > 30:  # int() refuses more than 4,300 digits; no need to convert to decide
        return text.strip().lstrip("+-").isdecimal()
    try:
        int(text)
    except ValueError:
        return False
    return True


def _integer_order(text):
    """Sort key for integer labels (see :func:`_is_integer_text`): by value, then as text."""
    digits = text.strip()
    negative = digits.startswith("-")
    digits = digits.lstrip("+-").lstrip("0")
    if negative:
        return (0, -len(digits), tuple(-ord(c) for c in digits), text)
    return (1, len(digits), tuple(ord(c) for c in digits), text)
