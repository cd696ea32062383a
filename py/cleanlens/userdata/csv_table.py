"""One CSV file read into a :class:`Table`: its header's roles, its rows checked for shape, numbers and ids
(pure).

The format ("CSV format") is in the package docstring (:mod:`cleanlens.userdata`); which mode the table is
read in, and the checks of each mode, are in :mod:`cleanlens.userdata.csv_modes`.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from ..arrays_io import CsvRecords, Source
from ..dataset import OOD_NAME
from ..steps import Steps
from . import limits
from .common import UserDataError, short
from .limits import Caps, too_many_rows, too_many_values

if TYPE_CHECKING:
    import hashlib

_ROLES = {"label": "label", "given": "label", "id": "id", "truth": "truth", "image": "image"}


@dataclass
class Table:
    """A CSV read into columns: everything both modes need, checked for shape, numbers and ids."""

    name: str
    header_line: int
    header: list[str]  # stripped header names
    roles: dict[str, int]  # "label"/"id"/"truth"/"image" -> 0-based column
    numeric: list[int]  # 0-based columns holding numbers
    lines: array  # 1-based line of each row
    labels: list[str]
    ids: list[str]
    truths: list[str] | None
    images: list[str] | None
    flat: array  # the numbers, row after row: len(numeric) per row (8 bytes each, not a list per row)

    def where(self, line: int, column: int) -> str:
        """The place of a cell, for messages: file, line, column and its header name."""
        return f"{self.name}: line {line}, column {column + 1} ({short(self.header[column], 40)})"

    @cached_property
    def distinct(self) -> set[str]:
        """The set of distinct labels."""
        return set(self.labels)

    def rows(self, start: int = 0, stop: int | None = None) -> list[list[float]]:
        """Rows ``start..stop-1`` of numbers, as lists of floats."""
        d, flat = len(self.numeric), self.flat
        stop = len(self.lines) if stop is None else min(stop, len(self.lines))
        return [flat[i * d : i * d + d].tolist() for i in range(start, stop)]


def read_csv(name: str, source: Source, mode: str, caps: Caps, digest: hashlib._Hash) -> Steps[float, Table]:
    """Parse the CSV into a :class:`Table` (a generator yielding progress 0..0.6)."""
    size = max(source.size, 1)
    records = CsvRecords(source, name, digest)
    rows = iter(records)
    header_line, header, work = yield from _read_header(name, rows, records, size)
    roles, numeric = _header_roles(name, header, header_line, mode)
    limit = _RowLimit.of(name, header_line, len(numeric), mode, caps)
    table = Table(
        name, header_line, header, roles, numeric, array("q"), [], [],
        [] if "truth" in roles else None, [] if "image" in roles else None, array("d"),
    )  # fmt: skip
    yield from _read_rows(table, rows, records, size, work, limit)
    if not table.lines:
        raise UserDataError(f"{name}: has a header but no rows")
    if "id" not in roles:
        table.ids = list(map(str, range(len(table.lines))))
    return table


def _read_header(name, rows, records, size):
    """``(line, header, work)``: the first record with a value, its cells stripped, and the work done so far
    (a generator yielding progress)."""
    work = 0
    for line, _, cells in rows:
        if any(c.strip() for c in cells):
            return line, [c.strip() for c in cells], work
        work += 1 + len(cells)
        if work >= limits.STEP_WORK:
            work = 0
            yield 0.6 * records.bytes_read / size
    raise UserDataError(f"{name}: the file is empty")


@dataclass(frozen=True)
class _RowLimit:
    """The most rows the file may have, decided from its header, and the mode the refusal names."""

    max_rows: int
    mode: str
    features_only: bool  # too many numeric columns for probabilities, or embeddings mode chosen
    caps: Caps

    @classmethod
    def of(cls, name, line, d, mode, caps):
        """The limit for ``d`` numeric columns in ``mode`` (probabilities need at most MAX_CLASSES columns)."""
        features_only = mode == "embeddings" or d > limits.MAX_CLASSES
        if features_only:
            max_rows = min(caps.embedding_rows, caps.feature_values // d)
            if max_rows < limits.MIN_ITEMS:
                raise UserDataError(
                    f"{name}: line {line}: {d:,} feature columns: at most {caps.feature_values:,} feature values "
                    f"(rows × features) are supported, too few for {limits.MIN_ITEMS} rows"
                )
            return cls(max_rows, "embeddings", True, caps)
        if mode == "probabilities":
            return cls(limits.MAX_PROBABILITY_ROWS, mode, False, caps)
        max_rows = max(limits.MAX_PROBABILITY_ROWS, min(caps.embedding_rows, caps.feature_values // d))
        return cls(max_rows, mode, False, caps)

    def refusal(self, name, line, d):
        """The error for a row past the limit, on ``line``."""
        if self.features_only and self.max_rows < self.caps.embedding_rows:
            return too_many_values(name, self.max_rows, d, self.caps, f"line {line}: ")
        return too_many_rows(name, f"more than {self.max_rows:,}", self.mode, self.caps.embedding_rows, self.max_rows)


def _read_rows(table, rows, records, size, work, limit):
    """Read the rows into ``table`` (a generator yielding progress), checking each as it arrives.

    Rows are kept compact while reading (a refused file must not have grown memory much): numbers in
    one array, line numbers in another, repeated labels and truths as one string each.
    """
    name, header, numeric = table.name, table.header, table.numeric
    width, d = len(header), len(numeric)
    first = numeric[0]
    contiguous = numeric == list(range(first, first + d))
    stop = first + d
    label_col = table.roles["label"]
    id_col, truth_col, image_col = table.roles.get("id"), table.roles.get("truth"), table.roles.get("image")
    lines, flat, labels = table.lines, table.flat, table.labels
    ids, truths, images = table.ids, table.truths, table.images
    shared, id_lines = {}, {}
    row_work, step_work, max_rows = width + 8, limits.STEP_WORK, limit.max_rows
    for line, _, cells in rows:
        work += row_work
        if work >= step_work:
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
            raise _not_a_number(table, cells, line) from None
        total = sum(row)
        if total - total != 0.0:  # NaN or inf somewhere (or an overflowing sum of large values)
            _check_finite(table, row, cells, line)
        if len(lines) == max_rows:
            raise limit.refusal(name, line, d)
        label = cells[label_col].strip()
        label = shared.setdefault(label, label)
        if not label:
            raise UserDataError(f"{table.where(line, label_col)}: empty label")
        if id_col is not None:
            ids.append(_new_id(table, cells[id_col], line, id_lines))
        if truth_col is not None:
            truths.append(_truth_text(table, cells[truth_col], line, shared))
        if image_col is not None:
            images.append(cells[image_col])
        lines.append(line)
        labels.append(label)
        flat.extend(row)


def _not_a_number(table, cells, line):
    """The error for the first numeric cell of a row that is not a number."""
    j = next(j for j in table.numeric if not _is_float(cells[j]))
    what = "empty value, expected a number" if not cells[j].strip() else f"not a number: {short(cells[j])}"
    return UserDataError(f"{table.where(line, j)}: {what}")


def _check_finite(table, row, cells, line):
    """Refuse a row with a value that is not finite (a row whose sum merely overflowed passes)."""
    j = next((j for j, x in zip(table.numeric, row) if not math.isfinite(x)), None)
    if j is not None:
        raise UserDataError(f"{table.where(line, j)}: not finite: {short(cells[j])}")


def _new_id(table, cell, line, id_lines):
    """The row's id, stripped: not empty and not on an earlier line (``id_lines``: id -> line, updated)."""
    item_id = cell.strip()
    if not item_id:
        raise UserDataError(f"{table.where(line, table.roles['id'])}: empty id")
    if item_id in id_lines:
        raise UserDataError(
            f"{table.name}: line {line}: duplicate id {short(item_id)} (first on line {id_lines[item_id]})"
        )
    id_lines[item_id] = line
    return item_id


def _truth_text(table, cell, line, shared):
    """The row's truth, stripped and shared with equal labels and truths (``shared``); not empty."""
    truth = cell.strip()
    truth = shared.setdefault(truth, truth)
    if not truth:
        raise UserDataError(
            f"{table.where(line, table.roles['truth'])}: empty truth (leave the column out if the truth is unknown)"
        )
    return truth


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


def check_probability_header(name: str, header: Sequence[str], numeric: Sequence[int], line: int) -> None:
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
