"""One CSV file read into a :class:`Table`: its header's roles, its rows checked for shape, numbers and ids
(pure).

The format ("CSV format") is in the package docstring (:mod:`cleanlens.userdata`); which mode the table is
read in, and the checks of each mode, are in :mod:`cleanlens.userdata.csv_modes`.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass
from functools import cached_property

from ..arrays_io import CsvRecords
from ..dataset import OOD_NAME
from . import limits
from .common import UserDataError, short
from .limits import too_many_rows, too_many_values

_ROLES = {"label": "label", "given": "label", "id": "id", "truth": "truth", "image": "image"}


@dataclass
class Table:
    """A CSV read into columns: everything both modes need, checked for shape, numbers and ids."""

    name: str
    header_line: int
    header: list  # stripped header names
    roles: dict  # "label"/"id"/"truth"/"image" -> 0-based column
    numeric: list  # 0-based columns holding numbers
    lines: array  # 1-based line of each row
    labels: list
    ids: list
    truths: list | None
    images: list | None
    flat: array  # the numbers, row after row: len(numeric) per row (8 bytes each, not a list per row)

    def where(self, line, column):
        return f"{self.name}: line {line}, column {column + 1} ({short(self.header[column], 40)})"

    @cached_property
    def distinct(self):
        """The set of distinct labels."""
        return set(self.labels)

    def rows(self, start=0, stop=None):
        """Rows ``start..stop-1`` of numbers, as lists of floats."""
        d, flat = len(self.numeric), self.flat
        stop = len(self.lines) if stop is None else min(stop, len(self.lines))
        return [flat[i * d : i * d + d].tolist() for i in range(start, stop)]


def read_csv(name, source, mode, caps, digest):
    """Parse the CSV into a :class:`Table` (a generator yielding progress 0..0.6)."""
    size = max(source.size, 1)
    records = CsvRecords(source, name, digest)
    rows = iter(records)
    work = 0
    header = header_line = None
    for header_line, _, cells in rows:  # noqa: B007 (header_line is read after the loop)
        if any(c.strip() for c in cells):
            header = [c.strip() for c in cells]
            break
        work += 1 + len(cells)
        if work >= limits.STEP_WORK:
            work = 0
            yield 0.6 * records.bytes_read / size
    if header is None:
        raise UserDataError(f"{name}: the file is empty")
    roles, numeric = _header_roles(name, header, header_line, mode)
    width = len(header)
    d = len(numeric)
    # Row limits, decided from the header: probabilities need at most MAX_CLASSES columns.
    features_only = mode == "embeddings" or d > limits.MAX_CLASSES
    max_embedding_rows = caps.embedding_rows
    if features_only:
        max_rows = min(max_embedding_rows, caps.feature_values // d)
        rows_mode = "embeddings"
    elif mode == "probabilities":
        max_rows, rows_mode = limits.MAX_PROBABILITY_ROWS, mode
    else:
        max_rows = max(limits.MAX_PROBABILITY_ROWS, min(max_embedding_rows, caps.feature_values // d))
        rows_mode = mode
    if features_only and max_rows < limits.MIN_ITEMS:
        raise UserDataError(
            f"{name}: line {header_line}: {d:,} feature columns: at most {caps.feature_values:,} feature values "
            f"(rows × features) are supported, too few for {limits.MIN_ITEMS} rows"
        )
    label_col = roles["label"]
    id_col, truth_col, image_col = roles.get("id"), roles.get("truth"), roles.get("image")
    first = numeric[0]
    contiguous = numeric == list(range(first, first + d))
    stop = first + d
    # Rows are kept compact while reading (a refused file must not have grown memory much): numbers in
    # one array, line numbers in another, repeated labels and truths as one string each.
    lines, flat, labels, ids, truths, images = array("q"), array("d"), [], [], [], []
    shared = {}
    id_lines = {}
    row_work = width + 8
    for line, _, cells in rows:
        work += row_work
        if work >= limits.STEP_WORK:
            work = 0
            yield 0.6 * records.bytes_read / size
        if len(cells) != width:
            if not any(c.strip() for c in cells):
                continue
            raise UserDataError(f"{name}: line {line} has {len(cells)} columns, the header has {width}")
        try:
            row = list(map(float, cells[first:stop])) if contiguous else [float(cells[j]) for j in numeric]
        except ValueError:
            if not any(c.strip() for c in cells):
                continue
            j = next(j for j in numeric if not _is_float(cells[j]))
            what = "empty value, expected a number" if not cells[j].strip() else f"not a number: {short(cells[j])}"
            raise UserDataError(f"{name}: line {line}, column {j + 1} ({short(header[j], 40)}): {what}") from None
        total = sum(row)
        if total - total != 0.0:  # NaN or inf somewhere (or an overflowing sum of large values)
            j = next((j for j, x in zip(numeric, row) if not math.isfinite(x)), None)
            if j is not None:
                raise UserDataError(
                    f"{name}: line {line}, column {j + 1} ({short(header[j], 40)}): not finite: {short(cells[j])}"
                )
        if len(lines) == max_rows:
            if features_only and max_rows < max_embedding_rows:
                raise too_many_values(name, max_rows, d, caps, f"line {line}: ")
            raise too_many_rows(name, f"more than {max_rows:,}", rows_mode, max_embedding_rows, max_rows)
        label = cells[label_col].strip()
        label = shared.setdefault(label, label)
        if not label:
            raise UserDataError(
                f"{name}: line {line}, column {label_col + 1} ({short(header[label_col], 40)}): empty label"
            )
        if id_col is not None:
            item_id = cells[id_col].strip()
            if not item_id:
                raise UserDataError(f"{name}: line {line}, column {id_col + 1} ({short(header[id_col], 40)}): empty id")
            if item_id in id_lines:
                raise UserDataError(
                    f"{name}: line {line}: duplicate id {short(item_id)} (first on line {id_lines[item_id]})"
                )
            id_lines[item_id] = line
            ids.append(item_id)
        if truth_col is not None:
            truth = cells[truth_col].strip()
            truth = shared.setdefault(truth, truth)
            if not truth:
                raise UserDataError(
                    f"{name}: line {line}, column {truth_col + 1} ({short(header[truth_col], 40)}): empty truth "
                    "(leave the column out if the truth is unknown)"
                )
            truths.append(truth)
        if image_col is not None:
            images.append(cells[image_col])
        lines.append(line)
        labels.append(label)
        flat.extend(row)
    if not lines:
        raise UserDataError(f"{name}: has a header but no rows")
    if id_col is None:
        ids = list(map(str, range(len(lines))))
    return Table(
        name, header_line, header, roles, numeric, lines, labels, ids,
        truths if truth_col is not None else None, images if image_col is not None else None, flat,
    )  # fmt: skip


def _is_float(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _header_roles(name, header, line, mode):
    """``(roles, numeric)`` from the header: recognised columns by role, and the numeric columns."""
    roles = {}
    for j, title in enumerate(header):
        role = _ROLES.get(title.lower())
        if role is None:
            continue
        if role in roles:
            a, b = roles[role], j
            raise UserDataError(
                f"{name}: line {line}: columns {a + 1} ({header[a]!r}) and {b + 1} ({header[b]!r}) "
                f"are both the {role} column; keep one"
            )
        roles[role] = j
    if len(header) > 1 and not header[0] and "id" not in roles:
        roles["id"] = 0  # pandas' DataFrame.to_csv() writes the row index first, under an empty name
    numeric = [j for j in range(len(header)) if j not in roles.values()]
    if "label" not in roles:
        hint = ""
        if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
            hint = " (this looks like semicolon- or tab-separated values; use commas)"
        raise UserDataError(
            f"{name}: line {line}: no 'label' (or 'given') column in the header; the first line must be a header "
            f"such as label,cat,dog (probabilities) or label,x1,x2 (embeddings){hint}"
        )
    if not numeric:
        raise UserDataError(
            f"{name}: line {line}: no numeric columns (probabilities or features) besides {', '.join(roles)}"
        )
    if mode == "probabilities":
        check_probability_header(name, header, numeric, line)
    return roles, numeric


def check_probability_header(name, header, numeric, line):
    """Check the probability columns' header (so a 10,000-column file fails before its rows are read)."""
    if len(numeric) < 2:
        raise UserDataError(
            f"{name}: line {line}: probabilities mode needs at least two probability columns (one per class)"
        )
    if len(numeric) > limits.MAX_CLASSES:
        raise UserDataError(
            f"{name}: line {line}: {len(numeric):,} probability columns (classes); at most {limits.MAX_CLASSES} are "
            "supported"
        )
    seen = {}
    for j in numeric:
        title = header[j]
        if not title:
            raise UserDataError(
                f"{name}: line {line}, column {j + 1}: empty header: probability columns are named after their classes"
            )
        if title == OOD_NAME:
            raise UserDataError(
                f"{name}: line {line}, column {j + 1}: {OOD_NAME!r} is reserved for the truth column, not a class"
            )
        if title in seen:
            raise UserDataError(
                f"{name}: line {line}: columns {seen[title] + 1} and {j + 1} are both named {short(title)}"
            )
        seen[title] = j
