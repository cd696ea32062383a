"""Bring your own data: turn files a user dropped into the page into validated data.

Nothing is uploaded: the browser glue passes each file's name and bytes to
:func:`load_files` (or :func:`iter_load_files`, which reports progress), and
gets back a :class:`LoadedData` or a :class:`UserDataError` whose one-line
message names the file, the place (CSV: 1-based line and column plus the
header name; ``.npy``: 0-based row and column) and what was expected. The
functions never return partly valid data: any problem raises. Standard
library only (it runs in the browser under Pyodide, and under CPython).

Files accepted (dispatch by extension, case-insensitive)
--------------------------------------------------------
- **two .npy files** -> probabilities mode. cleanlab's ``labels`` (shape
  (N,) or (N, 1)) and ``pred_probs`` (shape (N, K), K >= 2), told apart by
  their shapes, in either order. Any numeric dtype and byte order that
  :func:`cleanlens.arrays_io.parse_npy` reads. Labels: integers (or floats
  that are whole numbers) in 0..K-1. Class names are ``"0"``..``"K-1"``,
  ids ``"0"``..``"N-1"``; no images, no truth.
- **one .csv file** -> probabilities or embeddings mode (see below).
- **one .json file** in the demo schema (:mod:`cleanlens.dataset`) ->
  embeddings mode. Its ``xy`` layout, if any, is kept.

Anything else (other extensions, one .npy alone, three .npy, a CSV with a
JSON, ...) is refused with a message naming what is accepted.

Checks common to all files, in this order: the file count and extensions;
each file's size (at most ``max_file_bytes``, before any parsing); empty
files; then the content (``.npy`` magic bytes, JSON syntax, UTF-8 text for
CSV, no NUL characters).

CSV format
----------
Comma-separated, UTF-8 (a byte-order mark is allowed), parsed with the
:mod:`csv` module (double-quoted fields may contain commas). The first
non-blank line is the header (required). Blank lines, and lines whose cells
are all blank, are skipped. Header names are stripped of surrounding
whitespace; these are recognised, case-insensitively:

- ``label`` or ``given`` (required, not both): the given label;
- ``id`` (optional): default the 0-based row number (blank lines not
  counted) as text;
- ``truth`` (optional): the true class, or ``OOD`` (out of distribution);
- ``image`` (optional): a thumbnail URL, see *Image URLs*.

Every other column must hold numbers (Python ``float`` syntax) that are
finite in every row. Labels, ids and truths are kept as text, stripped of
surrounding whitespace; empty ones are refused, as are duplicate ids and
``OOD`` as a class name (it is reserved for the truth column).

*Probabilities mode*: the numeric columns are the K class probabilities
(2 <= K <= :data:`MAX_CLASSES`). Class names are the column headers; if every
one of them starts with ``p_``, or every one with ``prob_`` (any case), that
prefix is removed, unless the labels are the full header names. Labels are
class names, or else (when not every label is a class name) integers
0..K-1 (column indices; ``"2.0"`` counts as 2). Truths, when given, are read
the same way, or ``OOD``. Each row's values must be >= 0 and sum to 1
within :data:`cleanlens.confident.SUM_TOLERANCE` (so no value exceeds 1 by
more than that). Every class needs at least one item labelled with it. At
most :data:`MAX_PROBABILITY_ROWS` rows.

*Embeddings mode*: the numeric columns are features. Classes are the
distinct labels, sorted numerically if they are all integers, else as text
(code point order); at least two and at most :data:`MAX_CLASSES`. Truths, when
given, are class names or ``OOD``. At least :data:`MIN_ITEMS` and at most
``max_embedding_rows`` rows.

*Automatic mode* (``mode="auto"``, CSV only) chooses probabilities mode when
either

(a) the set of distinct labels equals the set of class names taken from the
    numeric column headers (as above, with or without the prefix), or
(b) every label is an integer 0..K-1 with K = the number of numeric columns
    (K >= 2), and every row's values are in [0, 1] and sum to 1 within
    10 x ``SUM_TOLERANCE``;

and embeddings mode otherwise. The UI lets the user force either mode.

Probability rows that do not sum to 1
-------------------------------------
When the only problem in the file is rows whose sum is off by more than the
tolerance (every value finite and >= 0, every row sum > 0), the error has
``renormalizable = True``; loading again with ``renormalize=True`` divides
every row by its sum (as :func:`cleanlens.confident.validate` does).

Image URLs
----------
Kept (stripped of surrounding whitespace) only if they are ``data:image/...``
URIs, or paths on this site: no scheme (``name:`` before any ``/``), not
starting with ``//``, no backslash, no control characters. Other values are
dropped (the item gets no image) and counted in one warning; blank cells
mean no image. Ids, labels and class names are arbitrary text: the renderer
escapes them.

Result
------
:class:`LoadedData`; its ``dataset.features`` is None in probabilities mode
(there is nothing to train). ``source_sha256`` is the SHA-256 of the file's
bytes; for a pair of ``.npy`` files, of the labels file's bytes followed by
the pred_probs file's bytes (whatever order they were given in).
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from dataclasses import dataclass, field

from .arrays_io import InputError, parse_npy
from .confident import SUM_TOLERANCE
from .dataset import OOD, OOD_NAME, Dataset, DatasetError, parse_dataset

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_PROBABILITY_ROWS = 100_000
MAX_CLASSES = 50
MIN_ITEMS = 5
"""The default number of cross-validation folds: embeddings mode needs at least this many items."""
MODES = ("auto", "probabilities", "embeddings")
PROGRESS_EVERY = 5_000
""":func:`iter_load_files` yields a progress value about every this many rows."""
AUTO_TOLERANCE = 10 * SUM_TOLERANCE
"""Rule (b) of automatic mode: rows must sum to 1 within this to be taken for probabilities."""

ACCEPTED = "one .csv file, one .json file (demo format), or two .npy files (labels and pred_probs)"
_ROLES = {"label": "label", "given": "label", "id": "id", "truth": "truth", "image": "image"}
_PREFIXES = ("p_", "prob_")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class UserDataError(ValueError):
    """The dropped files cannot be used. The message is one line naming the file and the place.

    ``renormalizable`` is True only when the sole problem is probability rows
    not summing to 1 within the tolerance (values finite and >= 0, sums > 0):
    loading again with ``renormalize=True`` would succeed.
    """

    def __init__(self, message, renormalizable=False):
        super().__init__(message)
        self.renormalizable = renormalizable


@dataclass
class LoadedData:
    """Validated user data.

    mode : ``"probabilities"`` or ``"embeddings"``
    dataset : :class:`~cleanlens.dataset.Dataset`; ``features`` is None in
        probabilities mode; ``images`` holds an allowed URL or None per item;
        ``provenance`` is ``{"source": source_name, "sha256": source_sha256}``
        (plus ``"declared"``: the JSON file's own provenance, when it has one)
    probabilities : N rows of K floats in probabilities mode (renormalised if
        asked), else None
    warnings : sentences for the UI (not errors)
    source_name : the file name, or ``"<labels file> + <pred_probs file>"``
    source_sha256 : hex SHA-256 (see the module docstring for .npy pairs)
    """

    mode: str
    dataset: Dataset
    probabilities: list | None
    warnings: list = field(default_factory=list)
    source_name: str = ""
    source_sha256: str = ""


def load_files(files, *, mode="auto", renormalize=False, max_embedding_rows=1500, max_file_bytes=MAX_FILE_BYTES):
    """Validate dropped files and return a :class:`LoadedData`; see :func:`iter_load_files`."""
    steps = iter_load_files(
        files, mode=mode, renormalize=renormalize, max_embedding_rows=max_embedding_rows, max_file_bytes=max_file_bytes
    )
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


def iter_load_files(files, *, mode="auto", renormalize=False, max_embedding_rows=1500, max_file_bytes=MAX_FILE_BYTES):
    """Validate dropped files step by step (a generator), so the browser tab stays responsive.

    ``files``: a list of ``(name, data)``, ``data`` bytes-like (bytes,
    bytearray or memoryview). ``mode``: ``"auto"``, ``"probabilities"`` or
    ``"embeddings"``. ``max_embedding_rows``: the row limit of the training
    engine in use.

    Yields progress values, floats from 0.0 to 1.0, non-decreasing: 0.0 first,
    then one about every :data:`PROGRESS_EVERY` rows, 1.0 last. The result, a
    :class:`LoadedData`, is the generator's return value: the ``value`` of the
    ``StopIteration`` that ends it. Raises :class:`UserDataError` (during
    iteration) for unusable files; ``ValueError`` for an unknown ``mode``.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    files = [(str(name), data if isinstance(data, bytes) else bytes(data)) for name, data in files]
    kind = _kind(files)
    for name, data in files:
        if len(data) > max_file_bytes:
            raise UserDataError(
                f"{name}: the file is too large ({_megabytes(len(data))}; the limit is {_megabytes(max_file_bytes)})"
            )
        if not data:
            raise UserDataError(f"{name}: the file is empty")
    if kind == "npy" and len(files) == 1:
        name, data = files[0]
        shape, _ = _parse_npy(name, data)
        other = "the labels .npy file, shape (N,)" if len(shape) == 2 and shape[1] > 1 else "the pred_probs .npy file, shape (N, K)"
        raise UserDataError(f"{name}: probabilities mode needs two .npy files, labels and pred_probs: add {other}")
    yield 0.0
    if kind == "npy":
        if mode == "embeddings":
            raise UserDataError(
                f"{_join_names(files)}: .npy files hold labels and probabilities; embeddings mode needs a .csv or .json file"
            )
        result = yield from _load_npy_pair(files, renormalize)
    elif kind == "json":
        if mode == "probabilities":
            raise UserDataError(f"{files[0][0]}: a .json file holds embeddings; probabilities mode needs a .csv file or two .npy files")
        result = _load_json(*files[0], max_embedding_rows)
    else:
        result = yield from _load_csv(*files[0], mode, renormalize, max_embedding_rows)
    yield 1.0
    return result


# --- files, names, messages ---------------------------------------------------


def _kind(files):
    """``"npy"``, ``"csv"`` or ``"json"`` from the extensions, or a "wrong file type" error."""
    if not files:
        raise UserDataError(f"no file given: choose {ACCEPTED}")
    extensions = [name.rsplit(".", 1)[-1].lower() if "." in name else "" for name, _ in files]
    for (name, _), ext in zip(files, extensions):
        if ext not in ("npy", "csv", "json"):
            raise UserDataError(f"{name}: wrong file type; accepted: {ACCEPTED}")
    if extensions == ["csv"] or extensions == ["json"]:
        return extensions[0]
    if extensions in (["npy"], ["npy", "npy"]):
        return "npy"  # one alone is refused after the size check, saying which other file is needed
    raise UserDataError(f"{_join_names(files)}: wrong combination of files; accepted: {ACCEPTED}")


def _join_names(files):
    return " + ".join(name for name, _ in files)


def _megabytes(size):
    return f"{size / 2**20:.1f} MB"


def _names_list(names, limit=10):
    """``'a', 'b', 'c'``, truncated after ``limit`` names."""
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown if len(names) <= limit else f"{shown}, ... ({len(names)} in all)"


def allowed_image(url):
    """The URL stripped, if it may be shown as a thumbnail (see the module docstring), else None."""
    url = url.strip()
    if not url or _CONTROL.search(url) or "\\" in url:
        return None
    if url[:11].lower() == "data:image/":
        return url
    if url.startswith("//") or _SCHEME.match(url):
        return None
    return url


def _filter_images(images):
    """``(images, warnings)``: disallowed URLs replaced by None, with one warning counting them."""
    kept, dropped = [], 0
    for url in images:
        given = url is not None and url.strip() != ""
        good = allowed_image(url) if given else None
        dropped += given and good is None
        kept.append(good)
    warnings = []
    if dropped:
        what = "1 image URL was" if dropped == 1 else f"{dropped} image URLs were"
        warnings.append(f"{what} ignored (only data:image/… URIs and paths on this site are allowed)")
    return kept, warnings


def _as_index(text, k):
    """``int(text)`` (or a whole-number float's value) if it is in 0..k-1, else None."""
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


def _is_integer_text(text):
    try:
        int(text)
    except ValueError:
        return False
    return True


def _check_embedding_rows(name, n, max_embedding_rows):
    if n < MIN_ITEMS:
        raise UserDataError(
            f"{name}: {n} items; embeddings mode needs at least {MIN_ITEMS} (one per cross-validation fold)"
        )
    if n > max_embedding_rows:
        raise _too_many_rows(name, n, "embeddings", max_embedding_rows)


def _check_classes_used(name, classes, given, describe):
    """Every class has an item labelled with it; ``describe(k)`` says where class k came from."""
    counts = [0] * len(classes)
    for g in given:
        counts[g] += 1
    for k, count in enumerate(counts):
        if count == 0:
            raise UserDataError(
                f"{name}: class {classes[k]!r}{describe(k)} has no items: every class needs at least one item labelled with it"
            )


class _SumProblems:
    """Probability rows whose sum is off: the first is reported once every other check has passed."""

    def __init__(self):
        self.first = None
        self.count = 0

    def add(self, where, total):
        if self.first is None:
            self.first = f"{where}: probabilities sum to {total:.6g}, not 1 (tolerance {SUM_TOLERANCE:g})"
        self.count += 1

    def raise_if_any(self):
        if self.count:
            rows = "1 row does" if self.count == 1 else f"{self.count:,} rows do"
            raise UserDataError(f"{self.first}; {rows} not sum to 1: renormalise to load them anyway", renormalizable=True)


def _check_probability_row(values, renormalize, sums, row_where, cell_where):
    """Check one row of finite floats; return it, divided by its sum if ``renormalize``.

    Negative values and rows summing to 0 raise; a sum off by more than the
    tolerance is recorded in ``sums`` (unless renormalising). For messages,
    ``row_where`` names the file and row, ``cell_where(j)`` the file, row and column j.
    """
    if min(values) < 0.0:
        j = next(j for j, p in enumerate(values) if p < 0.0)
        raise UserDataError(f"{cell_where(j)}: negative probability: {values[j]!r}")
    try:
        total = math.fsum(values)
    except OverflowError:
        total = math.inf
    if not 0.0 < total < math.inf:
        raise UserDataError(f"{row_where}: probabilities sum to {total:.6g}: this row cannot be renormalised")
    if renormalize:
        return [p / total for p in values]
    if abs(total - 1.0) > SUM_TOLERANCE:
        sums.add(row_where, total)
    return values


# --- .npy pairs -------------------------------------------------------------------


def _parse_npy(name, data):
    try:
        return parse_npy(data, name)
    except InputError as exc:
        raise UserDataError(str(exc)) from None


def _load_npy_pair(files, renormalize):
    parsed = [(name, data, *_parse_npy(name, data)) for name, data in files]
    for name, _, shape, _ in parsed:
        if len(shape) not in (1, 2):
            raise UserDataError(f"{name}: shape {shape}: expected labels (N,) or pred_probs (N, K)")
        if 0 in shape:
            raise UserDataError(f"{name}: the array is empty (shape {shape})")
    is_labels = [len(shape) == 1 or shape[1] == 1 for _, _, shape, _ in parsed]
    if is_labels[0] == is_labels[1]:
        which = "labels (one value per row)" if is_labels[0] else "pred_probs (several columns)"
        shapes = " and ".join(f"{shape}" for _, _, shape, _ in parsed)
        raise UserDataError(
            f"{_join_names(files)}: both look like {which} (shapes {shapes}); expected labels (N,) and pred_probs (N, K) with K >= 2"
        )
    (lname, ldata, lshape, labels), (pname, pdata, pshape, flat) = parsed if is_labels[0] else parsed[::-1]
    n, k = pshape
    if lshape[0] != n:
        raise UserDataError(f"{lname} has {lshape[0]:,} rows but {pname} has {n:,}: they must have one row per item")
    if n > MAX_PROBABILITY_ROWS:
        raise UserDataError(f"{pname}: {n:,} rows; probabilities mode allows at most {MAX_PROBABILITY_ROWS:,}")
    if k > MAX_CLASSES:
        raise UserDataError(f"{pname}: {k} columns (classes); at most {MAX_CLASSES} classes are supported")
    source_name = f"{lname} + {pname}"
    given = []
    for i, x in enumerate(labels):
        if isinstance(x, float) and not x.is_integer():
            raise UserDataError(f"{lname}: row {i}: label {x!r} is not a whole number (a class index)")
        x = int(x)
        if not 0 <= x < k:
            raise UserDataError(f"{lname}: row {i}: label {x} is not a class index 0..{k - 1} ({pname} has {k} columns)")
        given.append(x)
    yield 0.1
    probabilities = []
    sums = _SumProblems()
    for i in range(n):
        row = [float(p) for p in flat[i * k : (i + 1) * k]]
        total = sum(row)
        if total - total != 0.0:  # NaN or inf somewhere (or an overflowing sum)
            bad = next((j for j, p in enumerate(row) if not math.isfinite(p)), None)
            if bad is not None:
                raise UserDataError(f"{pname}: row {i}, column {bad}: not finite: {row[bad]!r}")
        probabilities.append(
            _check_probability_row(row, renormalize, sums, f"{pname}: row {i}", lambda j, i=i: f"{pname}: row {i}, column {j}")
        )
        if i % PROGRESS_EVERY == PROGRESS_EVERY - 1:
            yield 0.1 + 0.9 * i / n
    classes = [str(c) for c in range(k)]
    _check_classes_used(source_name, classes, given, lambda j: f" (column {j} of {pname})")
    sums.raise_if_any()
    digest = hashlib.sha256(ldata)
    digest.update(pdata)
    sha = digest.hexdigest()
    dataset = Dataset(
        classes=classes,
        ids=[str(i) for i in range(n)],
        images=[None] * n,
        given=given,
        features=None,
        provenance={"source": source_name, "sha256": sha},
    )
    return LoadedData("probabilities", dataset, probabilities, [], source_name, sha)


# --- JSON -----------------------------------------------------------------------------


def _load_json(name, data, max_embedding_rows):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserDataError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    try:
        dataset = parse_dataset(text, name)
    except DatasetError as exc:
        raise UserDataError(str(exc)) from None
    if len(dataset.classes) > MAX_CLASSES:
        raise UserDataError(f"{name}: {len(dataset.classes)} classes; at most {MAX_CLASSES} are supported")
    _check_embedding_rows(name, len(dataset), max_embedding_rows)
    used = sorted(set(dataset.given))
    if len(used) < 2:
        raise UserDataError(
            f"{name}: only one class ({dataset.classes[used[0]]!r}) among the given labels: confident learning needs at least two"
        )
    _check_classes_used(name, dataset.classes, dataset.given, lambda k: "")
    dataset.classes = _stripped_names(name, dataset.classes, "classes[{}]")
    dataset.ids = _stripped_names(name, dataset.ids, "item {}'s id")
    dataset.images, warnings = _filter_images(dataset.images)
    sha = hashlib.sha256(data).hexdigest()
    declared = dataset.provenance
    dataset.provenance = {"source": name, "sha256": sha}
    if declared:
        dataset.provenance["declared"] = declared
    return LoadedData("embeddings", dataset, None, warnings, name, sha)


def _stripped_names(name, values, where):
    """JSON class names or ids stripped of surrounding whitespace; still non-empty and distinct.

    ``where.format(i)`` names value i in messages.
    """
    out, seen = [], {}
    for i, value in enumerate(values):
        value = value.strip()
        if not value:
            raise UserDataError(f"{name}: {where.format(i)} is blank")
        if value in seen:
            raise UserDataError(
                f"{name}: {where.format(i)} {value!r} is the same as {where.format(seen[value])} (ignoring surrounding spaces)"
            )
        seen[value] = i
        out.append(value)
    return out


# --- CSV ------------------------------------------------------------------------------


@dataclass
class _Table:
    """A CSV read into columns: everything both modes need, checked for shape, numbers and ids."""

    name: str
    header_line: int
    header: list  # stripped header names
    roles: dict  # "label"/"id"/"truth"/"image" -> 0-based column
    numeric: list  # 0-based columns holding numbers
    lines: list  # 1-based line of each row
    labels: list
    ids: list
    truths: list | None
    images: list | None
    values: list  # rows of floats, one per numeric column

    def where(self, line, column):
        return f"{self.name}: line {line}, column {column + 1} ({self.header[column]!r})"


def _load_csv(name, data, mode, renormalize, max_embedding_rows):
    table = yield from _read_csv(name, data, mode, max_embedding_rows)
    if mode == "auto":
        mode = "probabilities" if _looks_like_probabilities(table) else "embeddings"
    if mode == "probabilities":
        result = yield from _csv_probabilities(table, renormalize)
    else:
        result = _csv_embeddings(table, max_embedding_rows)
    result.source_sha256 = hashlib.sha256(data).hexdigest()
    result.dataset.provenance = {"source": name, "sha256": result.source_sha256}
    return result


def _too_many_rows(name, count, mode, max_embedding_rows):
    """The error for ``count`` (a number, or text such as "more than 100,000") rows."""
    count = f"{count:,}" if isinstance(count, int) else count
    if mode == "probabilities":
        return UserDataError(f"{name}: {count} rows; probabilities mode allows at most {MAX_PROBABILITY_ROWS:,}")
    embeddings = (
        f"embeddings mode allows at most {max_embedding_rows:,} rows with the current engine: use fewer rows, "
        f"use the scikit-learn engine if offered, or load out-of-sample probabilities instead "
        f"(probabilities mode, up to {MAX_PROBABILITY_ROWS:,} rows)"
    )
    if mode == "embeddings":
        return UserDataError(f"{name}: {count} rows; {embeddings}")
    limit = max(MAX_PROBABILITY_ROWS, max_embedding_rows)
    return UserDataError(f"{name}: {count} rows; at most {limit:,} rows can be loaded")


def _read_csv(name, data, mode, max_embedding_rows):
    """Parse the CSV text into a :class:`_Table` (a generator yielding progress 0..0.6)."""
    max_rows = {"probabilities": MAX_PROBABILITY_ROWS, "embeddings": max_embedding_rows}.get(
        mode, max(MAX_PROBABILITY_ROWS, max_embedding_rows)
    )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserDataError(f"{name}: not UTF-8 text (byte {exc.start}): save it as a UTF-8 CSV file") from None
    if "\x00" in text:
        raise UserDataError(f"{name}: contains NUL characters: this is a binary file, not CSV text")
    if not text.strip():
        raise UserDataError(f"{name}: the file is empty")
    total_lines = max(text.count("\n"), text.count("\r")) + 1  # for progress only
    reader = csv.reader(io.StringIO(text, newline=""))  # the csv module handles \n, \r\n and \r line ends itself
    end = 0  # line on which the previous record ended

    def records():
        nonlocal end
        try:
            for cells in reader:
                start, end = end + 1, reader.line_num
                yield start, cells
        except csv.Error as exc:
            if "field limit" in str(exc):
                limit = csv.field_size_limit()
                raise UserDataError(f"{name}: line {reader.line_num}: a value is longer than {limit:,} characters") from None
            raise UserDataError(f"{name}: line {reader.line_num}: not valid CSV: {exc}") from None

    rows = records()
    header = header_line = None
    for header_line, cells in rows:
        if any(c.strip() for c in cells):
            header = [c.strip() for c in cells]
            break
    if header is None:
        raise UserDataError(f"{name}: the file is empty")
    roles, numeric = _header_roles(name, header, header_line, mode)
    width = len(header)
    label_col = roles["label"]
    id_col, truth_col, image_col = roles.get("id"), roles.get("truth"), roles.get("image")
    first = numeric[0]
    contiguous = numeric == list(range(first, first + len(numeric)))
    stop = first + len(numeric)
    lines, labels, ids, truths, images, values = [], [], [], [], [], []
    id_lines = {}
    for line, cells in rows:
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
            what = "empty value, expected a number" if not cells[j].strip() else f"not a number: {cells[j]!r}"
            raise UserDataError(f"{name}: line {line}, column {j + 1} ({header[j]!r}): {what}") from None
        total = sum(row)
        if total - total != 0.0:  # NaN or inf somewhere (or an overflowing sum of large values)
            j = next((j for j, x in zip(numeric, row) if not math.isfinite(x)), None)
            if j is not None:
                raise UserDataError(f"{name}: line {line}, column {j + 1} ({header[j]!r}): not finite: {cells[j]!r}")
        label = cells[label_col].strip()
        if not label:
            raise UserDataError(f"{name}: line {line}, column {label_col + 1} ({header[label_col]!r}): empty label")
        if id_col is None:
            item_id = str(len(ids))
        else:
            item_id = cells[id_col].strip()
            if not item_id:
                raise UserDataError(f"{name}: line {line}, column {id_col + 1} ({header[id_col]!r}): empty id")
            if item_id in id_lines:
                raise UserDataError(f"{name}: line {line}: duplicate id {item_id!r} (first on line {id_lines[item_id]})")
            id_lines[item_id] = line
        if truth_col is not None:
            truth = cells[truth_col].strip()
            if not truth:
                raise UserDataError(
                    f"{name}: line {line}, column {truth_col + 1} ({header[truth_col]!r}): empty truth "
                    "(leave the column out if the truth is unknown)"
                )
            truths.append(truth)
        if image_col is not None:
            images.append(cells[image_col])
        if len(values) == max_rows:
            raise _too_many_rows(name, f"more than {max_rows:,}", mode, max_embedding_rows)
        lines.append(line)
        labels.append(label)
        ids.append(item_id)
        values.append(row)
        if len(values) % PROGRESS_EVERY == 0:
            yield 0.6 * min(end / total_lines, 1.0)
    if not values:
        raise UserDataError(f"{name}: has a header but no rows")
    return _Table(
        name, header_line, header, roles, numeric, lines, labels, ids,
        truths if truth_col is not None else None, images if image_col is not None else None, values,
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
        raise UserDataError(f"{name}: line {line}: no numeric columns (probabilities or features) besides {', '.join(roles)}")
    if mode == "probabilities":
        _probability_header(name, header, numeric, line)
    return roles, numeric


def _probability_header(name, header, numeric, line):
    """Check the probability columns' header (so a 10,000-column file fails before its rows are read)."""
    if len(numeric) < 2:
        raise UserDataError(f"{name}: line {line}: probabilities mode needs at least two probability columns (one per class)")
    if len(numeric) > MAX_CLASSES:
        raise UserDataError(
            f"{name}: line {line}: {len(numeric):,} probability columns (classes); at most {MAX_CLASSES} are supported"
        )
    seen = {}
    for j in numeric:
        title = header[j]
        if not title:
            raise UserDataError(f"{name}: line {line}, column {j + 1}: empty header: probability columns are named after their classes")
        if title == OOD_NAME:
            raise UserDataError(f"{name}: line {line}, column {j + 1}: {OOD_NAME!r} is reserved for the truth column, not a class")
        if title in seen:
            raise UserDataError(f"{name}: line {line}: columns {seen[title] + 1} and {j + 1} are both named {title!r}")
        seen[title] = j


def _class_names(table):
    """Class names for the numeric columns: headers, without a shared ``p_``/``prob_`` prefix unless the labels use it."""
    headers = [table.header[j] for j in table.numeric]
    for prefix in _PREFIXES:
        if all(h[: len(prefix)].lower() == prefix and len(h) > len(prefix) for h in headers):
            stripped = [h[len(prefix) :].strip() for h in headers]
            if all(stripped) and len(set(stripped)) == len(stripped) and not set(table.labels) <= set(headers):
                return stripped
    return headers


def _looks_like_probabilities(table):
    """The automatic mode rule, (a) or (b), from the module docstring."""
    k = len(table.numeric)
    if k < 2:
        return False
    distinct = set(table.labels)
    if distinct == set(table.header[j] for j in table.numeric) or distinct == set(_class_names(table)):
        return True
    if not all(_as_index(label, k) is not None for label in distinct):
        return False
    for row in table.values:
        if min(row) < 0.0 or max(row) > 1.0 or abs(math.fsum(row) - 1.0) > AUTO_TOLERANCE:
            return False
    return True


def _csv_probabilities(table, renormalize):
    name = table.name
    _probability_header(name, table.header, table.numeric, table.header_line)
    classes = _class_names(table)
    k = len(classes)
    if OOD_NAME in classes:
        j = table.numeric[classes.index(OOD_NAME)]
        raise UserDataError(
            f"{table.where(table.header_line, j)}: {OOD_NAME!r} is reserved for the truth column, not a class"
        )
    index = {c: i for i, c in enumerate(classes)}
    label_col = table.roles["label"]
    by_name = all(label in index for label in set(table.labels))
    if by_name:
        given = [index[label] for label in table.labels]
    else:
        given = [_as_index(label, k) for label in table.labels]
        if None in given:
            if all(_is_integer_text(label) for label in set(table.labels)):
                i = given.index(None)
                expected = f"a class index 0..{k - 1} or one of {_names_list(classes)}"
            else:  # report the first label that is not a name (it may be an integer in range)
                i = next(i for i, label in enumerate(table.labels) if label not in index)
                expected = f"one of {_names_list(classes)}"
            raise UserDataError(
                f"{table.where(table.lines[i], label_col)}: unknown label {table.labels[i]!r}; "
                f"expected {expected} (the probability columns)"
            )
    truth = _csv_truth(table, classes, index, k=None if by_name else k)
    yield 0.7
    probabilities = []
    sums = _SumProblems()
    numeric = table.numeric
    n = len(table.values)
    for i, (line, row) in enumerate(zip(table.lines, table.values)):
        probabilities.append(
            _check_probability_row(
                row, renormalize, sums, f"{name}: line {line}", lambda j, line=line: table.where(line, numeric[j])
            )
        )
        if i % PROGRESS_EVERY == PROGRESS_EVERY - 1:
            yield 0.7 + 0.3 * i / n
    columns = {k: numeric[k] + 1 for k in range(k)}
    _check_classes_used(name, classes, given, lambda c: f" (column {columns[c]})")
    sums.raise_if_any()
    images, warnings = _filter_images(table.images) if table.images is not None else ([None] * n, [])
    dataset = Dataset(classes=classes, ids=table.ids, images=images, given=given, features=None, truth=truth)
    return LoadedData("probabilities", dataset, probabilities, warnings, name)


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
                f"{table.where(line, truth_col)}: unknown true label {t!r}; "
                f"expected one of {_names_list(classes)}{which} or {OOD_NAME!r}"
            )
        truth.append(value)
    return truth


def _csv_embeddings(table, max_embedding_rows):
    name = table.name
    label_col = table.roles["label"]
    distinct = set(table.labels)
    if OOD_NAME in distinct:
        i = table.labels.index(OOD_NAME)
        raise UserDataError(
            f"{table.where(table.lines[i], label_col)}: {OOD_NAME!r} is reserved for the truth column, not a class"
        )
    if len(distinct) < 2:
        raise UserDataError(
            f"{name}: only one class ({table.labels[0]!r}) in the label column: confident learning needs at least two"
        )
    if len(distinct) > MAX_CLASSES:
        raise UserDataError(f"{name}: {len(distinct)} distinct labels (classes); at most {MAX_CLASSES} are supported")
    _check_embedding_rows(name, len(table.values), max_embedding_rows)
    if all(_is_integer_text(label) for label in distinct):
        classes = sorted(distinct, key=lambda s: (int(s), s))
    else:
        classes = sorted(distinct)
    index = {c: i for i, c in enumerate(classes)}
    given = [index[label] for label in table.labels]
    truth = _csv_truth(table, classes, index, which=" (the labels)")
    n = len(table.values)
    images, warnings = _filter_images(table.images) if table.images is not None else ([None] * n, [])
    dataset = Dataset(classes=classes, ids=table.ids, images=images, given=given, features=table.values, truth=truth)
    return LoadedData("embeddings", dataset, None, warnings, name)
