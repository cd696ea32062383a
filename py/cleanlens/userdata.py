"""Bring your own data: turn files a user dropped into the page into validated data.

Nothing is uploaded: the browser glue passes each file's name and contents
to :func:`load_files` (or :func:`iter_load_files`, which reports progress),
and gets back a :class:`LoadedData` or a :class:`UserDataError` whose
one-line message names the file, the place (CSV: 1-based line and column
plus the header name; ``.npy``: 0-based row and column; JSON: the line, or
the item and field) and what was expected. That is the whole contract: for
any bytes under any file name, the result is valid data or a
:class:`UserDataError`; nothing else is raised (``ValueError`` only for a
programmer error: an unknown ``mode``, ``class_names`` given as one str).
The functions never return partly
valid data. Standard library only (it runs in the browser under Pyodide,
and under CPython).

Contents are read in chunks through a *source* (see
:mod:`cleanlens.arrays_io`): each file is ``(name, data)`` with ``data``
bytes-like, or an object with ``size`` and ``read(start, end) -> bytes``.
Every limit that the first line or the ``.npy`` header decides is checked
there, before the rest is read; a refused file is never held whole, except
a JSON file that passes the scan of its shape (``json.loads`` needs all of
it) and is refused by the schema afterwards.

Files accepted (dispatch by extension, case-insensitive)
--------------------------------------------------------
- **two .npy files** -> probabilities mode. cleanlab's ``labels`` (shape
  (N,) or (N, 1)) and ``pred_probs`` (shape (N, K), K >= 2), told apart by
  their shapes, in either order. Any numeric dtype and byte order that
  :func:`cleanlens.arrays_io.read_npy_header` accepts. Labels: integers (or
  floats that are whole numbers) in 0..K-1. Class names are ``"0"``..``"K-1"``
  unless given (below); ids ``"0"``..``"N-1"``; no images, no truth.
  Optionally a third file names the classes: a ``.txt`` file (UTF-8, one
  name per line, in column order; blank lines at the end are ignored) or a
  ``.json`` file (a JSON list of strings); or the ``class_names`` keyword
  (a list of str, e.g. typed into the page). K names, each non-empty after
  stripping surrounding whitespace, distinct, not ``OOD``.
- **one .csv file** -> probabilities or embeddings mode (see below).
- **one .json file** in the demo schema (:mod:`cleanlens.dataset`) ->
  embeddings mode. Its ``xy`` layout, if any, is kept.

Anything else (other extensions, one .npy alone, three .npy, a CSV with a
JSON, ...) is refused with a message naming what is accepted.

Checks common to all files, in this order: the file count and extensions;
each file's size (at most ``max_file_bytes``, before any reading); empty
files; then the content (``.npy`` header, UTF-8 text and NUL characters for
CSV and JSON, the JSON's shape before it is parsed, ...).

Limits (each protects the page's memory and time; see docs/your-data.md)
------------------------------------------------------------------------
- :data:`MAX_FILE_BYTES` per file (checked before reading);
- :data:`MAX_PROBABILITY_ROWS` rows of probabilities, :data:`MAX_CLASSES`
  classes (``.npy``: from the headers; CSV: columns from the header line,
  rows as they arrive);
- ``max_embedding_rows`` rows of features (the caller's engine limit) and
  :data:`MAX_FEATURE_VALUES` feature values (rows x feature columns);
- CSV: :data:`cleanlens.arrays_io.MAX_COLUMNS` columns,
  :data:`~cleanlens.arrays_io.MAX_FIELD_CHARS` characters per value,
  :data:`~cleanlens.arrays_io.MAX_RECORD_CHARS` per record,
  :data:`~cleanlens.arrays_io.MAX_BLANK_RECORDS` empty records;
- JSON: the :mod:`cleanlens.dataset` limits (nesting depth, tokens, string
  length, integer digits), checked chunk by chunk before parsing;
- a class names file: :data:`MAX_CLASS_NAMES_BYTES`.

CSV format
----------
Comma-separated, UTF-8 (a byte-order mark is allowed), parsed with the
:mod:`csv` module (double-quoted fields may contain commas and line ends;
``\\n``, ``\\r\\n`` and ``\\r`` line ends). The first non-blank line is the
header (required). Blank lines, and lines whose cells are all blank, are
skipped. Header names are stripped of surrounding whitespace; these are
recognised, case-insensitively:

- ``label`` or ``given`` (required, not both): the given label;
- ``id`` (optional): default the 0-based row number (blank lines not
  counted) as text. A first column with an empty name is taken for the id
  when there is no ``id`` column: it is the row index that pandas'
  ``DataFrame.to_csv()`` writes by default;
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
all class names, or else all integers 0..K-1 (column indices; ``"2.0"``
counts as 2); a label that is neither, or a mix of the two kinds, is
refused on the line of the first label at fault. Truths, when given, are
read the same way, or ``OOD``. Each row's values must be >= 0 and sum to 1
within :data:`cleanlens.confident.SUM_TOLERANCE` (so no value exceeds 1 by
more than that). Every class needs at least one item labelled with it. At
most :data:`MAX_PROBABILITY_ROWS` rows.

*Embeddings mode*: the numeric columns are features. Classes are the
distinct labels, sorted numerically if they are all integers, else as text
(code point order); at least two and at most :data:`MAX_CLASSES`. Truths, when
given, are class names or ``OOD``. At least :data:`MIN_ITEMS` and at most
``max_embedding_rows`` rows, at most :data:`MAX_FEATURE_VALUES` values.

*Automatic mode* (``mode="auto"``, CSV only) chooses probabilities mode when
either

(a) the set of distinct labels equals the set of class names taken from the
    numeric column headers (as above, with or without the prefix), or
(b) every label is an integer 0..K-1 with K = the number of numeric columns
    (K >= 2), and every value is in [0, 1], or
(c) every value is in [0, 1] and every row sums to 1 within
    :data:`AUTO_TOLERANCE` (K >= 2), whatever the labels (so a label that is
    neither a class name nor an index is reported, on its line);

and embeddings mode otherwise. ``LoadedData.notes`` then says which mode was
chosen and why. Rows that look like probabilities by (a) or (b) but do not
sum to 1 give the renormalisable error below (saying why the file was read
as probabilities), not a silent switch to features. The UI lets the user
force either mode.

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

Progress
--------
:func:`iter_load_files` yields after at most :data:`STEP_WORK` units of work
(about one value parsed and checked each; a chunk of bytes read or scanned
counts as one step too): 5-10 ms under CPython, so the page can let the
browser paint between steps.

Result
------
:class:`LoadedData`; its ``dataset.features`` is None in probabilities mode
(there is nothing to train). ``source_sha256`` is the SHA-256 of the file's
bytes; for a pair of ``.npy`` files, of the labels file's bytes followed by
the pred_probs file's bytes (whatever order they were given in; a class
names file is not included).
"""

from __future__ import annotations

import codecs
import hashlib
import math
import re
from array import array
from dataclasses import dataclass, field
from functools import cached_property

from .arrays_io import CsvRecords, InputError, as_source, iter_npy_rows, read_all, read_npy_header
from .confident import SUM_TOLERANCE
from .crossval import DEFAULT_FOLDS
from .dataset import MAX_JSON_TOKENS, OOD, OOD_NAME, Dataset, DatasetError, JsonShape, dataset_from_dict, parse_json
from .steps import drain, monotone

MAX_FILE_BYTES = 64 * 1024 * 1024
"""The largest file accepted, checked before reading: bounds the time to read any file."""
MAX_PROBABILITY_ROWS = 100_000
"""The most rows in probabilities mode: the analysis and the page's panels stay interactive."""
MAX_CLASSES = 50
"""The most classes: the confident joint and the per-class controls stay readable."""
MAX_FEATURE_VALUES = 256_000
"""The most feature values (rows x feature columns) in embeddings mode. Protects training time,
which grows with rows^2 x columns, and memory. With the page's built-in engine limit of 2,000
rows it allows 128 features. Measured in Pyodide under Node, 5-fold cross-validation with the
built-in engine on the engine benchmark's blobs, on the shared 2-core machine while loaded
(``python3 bench/bench_userdata.py --runs 0 --features 2000x32,2000x128,500x512,100x9999``):
2,000 x 32 (the page's row limit) 21.0 s, 2,000 x 64 25.1 s, 2,000 x 128 27.3 s, 500 x 512
6.0 s, 100 x 9,999 3.2 s; on harder (overlapping) data 2,000 x 128 took 73 s and 2,000 x 500
(1,000,000 values) 238 s. Loading 100 x 9,999 grew Pyodide's memory from 36 to 75 MB, training
on it to 108 MB (a float in a list costs 20 bytes in Pyodide's 32-bit Python)."""
MAX_CLASS_NAMES_BYTES = 65_536
"""The largest class names file (.txt or .json): 50 names fit many times over."""
MIN_ITEMS = DEFAULT_FOLDS
"""Embeddings mode needs at least one item per cross-validation fold."""
MAX_EMBEDDING_ROWS = 2_000
"""The most items in embeddings mode with the built-in engine (the page's limit, and the loader's default):
the size it cross-validates within about 10 s in Pyodide on the benchmark machine (N = 2,000 took 7.5 s,
N = 2,500 11.4 s; ``python3 build.py bench engine``, 2026-11-28)."""
MODES = ("auto", "probabilities", "embeddings")
STEP_WORK = 15_000
""":func:`iter_load_files` yields progress after about this many units of work (a value parsed
and checked, a row's bookkeeping): steps of 5-10 ms under CPython, 15-30 ms in Pyodide, measured
with bench/bench_userdata.py (a step that a garbage collection pass falls into takes longer)."""
AUTO_TOLERANCE = 10 * SUM_TOLERANCE
"""Rule (c) of automatic mode: rows must sum to 1 within this to be taken for probabilities."""
JSON_SCAN_BYTES = 1 << 16
"""JSON is scanned (and its UTF-8 checked) this many bytes per step."""

ACCEPTED = (
    "one .csv file, one .json file (demo format), or two .npy files (labels and pred_probs) "
    "with an optional class names file (.txt or .json)"
)
_ROLES = {"label": "label", "given": "label", "id": "id", "truth": "truth", "image": "image"}
_PREFIXES = ("p_", "prob_")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LINE_END = re.compile(r"\r\n|\r|\n")


class UserDataError(InputError):
    """The dropped files cannot be used. The message is one line naming the file and the place.

    ``renormalizable`` is True only when the sole problem is probability rows
    not summing to 1 within the tolerance (values finite and >= 0, sums > 0):
    loading again with ``renormalize=True`` would succeed.
    """

    def __init__(self, message, renormalizable=False):
        super().__init__(" ".join(str(message).split()))
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
    warnings : sentences for the UI about problems that did not stop the load
        (e.g. image URLs dropped)
    source_name : the file name, or ``"<labels file> + <pred_probs file>"``
    source_sha256 : hex SHA-256 (see the module docstring for .npy pairs)
    notes : sentences for the UI that explain, not warn: in automatic mode,
        which mode was chosen and why
    """

    mode: str
    dataset: Dataset
    probabilities: list | None
    warnings: list = field(default_factory=list)
    source_name: str = ""
    source_sha256: str = ""
    notes: list = field(default_factory=list)


def load_files(files, *, mode="auto", renormalize=False, max_embedding_rows=MAX_EMBEDDING_ROWS,
               max_file_bytes=MAX_FILE_BYTES, class_names=None, max_feature_values=MAX_FEATURE_VALUES):  # fmt: skip
    """Validate the user's files and return them as data: :func:`iter_load_files` run to the end.

    Parameters
    ----------
    files : list of (str, bytes-like or source)
        Each file's name and contents (or an object with ``size`` and ``read(start, end)``).
    mode : {"auto", "probabilities", "embeddings"}
    renormalize : bool
        Divide probability rows by their sum instead of refusing rows that do not sum to 1.
    max_embedding_rows, max_file_bytes, max_feature_values : int
        Limits (see the module constants).
    class_names : list of str, optional
        Names for the K classes of ``.npy`` data.

    Returns
    -------
    LoadedData
        ``dataset`` (a :class:`~cleanlens.dataset.Dataset`), ``probabilities`` (N rows of K floats, or None
        for features), ``mode``, ``notes`` and ``warnings``.

    Raises
    ------
    UserDataError
        For any unusable input, with one line naming the file and the place.

    Examples
    --------
    >>> loaded = load_files([("mine.csv", b"label,cat,dog\\ncat,0.9,0.1\\ndog,0.3,0.7\\n")])
    >>> loaded.mode, loaded.dataset.classes, loaded.dataset.given, loaded.probabilities
    ('probabilities', ['cat', 'dog'], [0, 1], [[0.9, 0.1], [0.3, 0.7]])
    >>> load_files([("mine.csv", b"label,cat,dog\\ncat,0.9,0.3\\ndog,0.2,0.8\\n")])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cleanlens.userdata.UserDataError: mine.csv: line 2: probabilities sum to 1.2, not 1 ...
    """
    steps = iter_load_files(
        files, mode=mode, renormalize=renormalize, max_embedding_rows=max_embedding_rows,
        max_file_bytes=max_file_bytes, class_names=class_names, max_feature_values=max_feature_values,
    )  # fmt: skip
    return drain(steps)


def iter_load_files(files, *, mode="auto", renormalize=False, max_embedding_rows=MAX_EMBEDDING_ROWS,
                    max_file_bytes=MAX_FILE_BYTES, class_names=None,
                    max_feature_values=MAX_FEATURE_VALUES):  # fmt: skip
    """Validate dropped files step by step (a generator), so the browser tab stays responsive.

    ``files``: a list of ``(name, data)``, ``data`` bytes-like (bytes,
    bytearray or memoryview) or a source: an object with ``size`` (int) and
    ``read(start, end) -> bytes``. ``mode``: ``"auto"``, ``"probabilities"``
    or ``"embeddings"``. ``max_embedding_rows``: the row limit of the
    training engine in use. ``class_names``: None (or empty), or a list of
    str naming the classes of a ``.npy`` pair (in column order).
    ``max_file_bytes`` and ``max_feature_values`` default to
    :data:`MAX_FILE_BYTES` and :data:`MAX_FEATURE_VALUES` (the command line
    lifts them, with the row limit).

    Yields progress values, floats from 0.0 to 1.0, non-decreasing: 0.0 first,
    then one after at most :data:`STEP_WORK` units of work, 1.0 last. The
    result, a :class:`LoadedData`, is the generator's return value: the
    ``value`` of the ``StopIteration`` that ends it. Raises
    :class:`UserDataError` (during iteration) for unusable files, and
    nothing else for any input; ``ValueError`` for an unknown ``mode``.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    try:
        limits = _Limits(max_embedding_rows, max_file_bytes, max_feature_values)
        # non-decreasing, whatever rounding did to the steps' fractions
        result = yield from monotone(_load(files, mode, renormalize, limits, class_names or None))
    except UserDataError:
        raise
    except InputError as exc:
        raise UserDataError(str(exc)) from None
    except DatasetError as exc:
        raise UserDataError(str(exc)) from None
    except (RecursionError, MemoryError) as exc:  # defensive: every limit above should prevent these
        names = " + ".join(str(name) for name, _ in files) or "the files"
        what = "too deeply nested" if isinstance(exc, RecursionError) else "too large for the memory available"
        raise UserDataError(f"{names}: this file is {what}") from None
    return result


@dataclass(frozen=True)
class _Limits:
    embedding_rows: int
    file_bytes: int
    feature_values: int


def _load(files, mode, renormalize, limits, class_names):
    files = [(str(name), as_source(data)) for name, data in files]
    if isinstance(class_names, str):
        raise ValueError("class_names must be a list of str, not one str")
    kind = _kind(files)
    for name, source in files:
        if source.size > limits.file_bytes:
            raise UserDataError(
                f"{name}: the file is too large: {_megabytes(source.size)}; the limit is "
                f"{_megabytes(limits.file_bytes)}"
            )
        if not source.size:
            raise UserDataError(f"{name}: the file is empty")
    if class_names is not None and kind != "npy":
        raise UserDataError(
            f"{_join_names(files)}: class names can only be given for .npy files (CSV and JSON files name their "
            "classes)"
        )
    if kind == "npy" and len(files) == 1:
        name, source = files[0]
        shape = read_npy_header(source, name).shape
        other = (
            "the labels .npy file, shape (N,)"
            if len(shape) == 2 and shape[1] > 1
            else "the pred_probs .npy file, shape (N, K)"
        )
        raise UserDataError(f"{name}: probabilities mode needs two .npy files, labels and pred_probs: add {other}")
    yield 0.0
    if kind == "npy":
        if mode == "embeddings":
            raise UserDataError(
                f"{_join_names(files)}: .npy files hold labels and probabilities; embeddings mode needs a .csv or "
                ".json file"
            )
        result = yield from _load_npy_pair(files, renormalize, class_names)
    elif kind == "json":
        if mode == "probabilities":
            raise UserDataError(
                f"{files[0][0]}: a .json file holds embeddings; probabilities mode needs a .csv file or two .npy files"
            )
        result = yield from _load_json(*files[0], limits)
    else:
        result = yield from _load_csv(*files[0], mode, renormalize, limits)
    yield 1.0
    return result


# --- files, names, messages ---------------------------------------------------


def _extension(name):
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _kind(files):
    """``"npy"``, ``"csv"`` or ``"json"`` from the extensions, or a "wrong file type" error.

    For ``"npy"`` the files are reordered so that a class names file, if any, is last.
    """
    if not files:
        raise UserDataError(f"no file given: choose {ACCEPTED}")
    extensions = [_extension(name) for name, _ in files]
    for (name, _), ext in zip(files, extensions):
        if ext not in ("npy", "csv", "json", "txt"):
            raise UserDataError(f"{name}: wrong file type; accepted: {ACCEPTED}")
    if extensions == ["csv"] or extensions == ["json"]:
        return extensions[0]
    npys = extensions.count("npy")
    others = [i for i, ext in enumerate(extensions) if ext != "npy"]
    if npys == len(files) and npys <= 2:
        return "npy"  # one alone is refused after the size check, saying which other file is needed
    if npys == 2 and len(others) == 1 and extensions[others[0]] in ("txt", "json"):
        files.append(files.pop(others[0]))
        return "npy"
    raise UserDataError(f"{_join_names(files)}: wrong combination of files; accepted: {ACCEPTED}")


def _join_names(files):
    return " + ".join(name for name, _ in files)


def _megabytes(size):
    """A file size for a message: whole MiB, bytes below 1 MiB, else MiB with the exact bytes (so that a file
    one byte over a limit never reads as the limit)."""
    if size % 2**20 == 0:
        return f"{size // 2**20} MiB"
    if size < 2**20:
        return f"{size:,} bytes"
    return f"{size / 2**20:.1f} MiB ({size:,} bytes)"


def _names_list(names, limit=10):
    """``'a', 'b', 'c'``, truncated after ``limit`` names."""
    shown = ", ".join(_short(n) for n in names[:limit])
    return shown if len(names) <= limit else f"{shown}, ... ({len(names)} in all)"


def _short(text, limit=80):
    """``repr(text)``, cut in the middle when longer than ``limit`` characters (for one-line messages)."""
    shown = repr(text)
    return shown if len(shown) <= limit else f"{shown[: limit // 2]}…{shown[-limit // 2 :]}"


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


def _check_embedding_rows(name, n, d, limits):
    if n < MIN_ITEMS:
        raise UserDataError(
            f"{name}: {n} items; embeddings mode needs at least {MIN_ITEMS} (one per cross-validation fold)"
        )
    if n > limits.embedding_rows:
        raise _too_many_rows(name, n, "embeddings", limits.embedding_rows)
    if n * d > limits.feature_values:
        raise _too_many_values(name, n, d, limits)


def _too_many_values(name, n, d, limits, where=""):
    count = f"more than {n:,}" if where else f"{n:,}"
    return UserDataError(
        f"{name}: {where}{count} rows of {d:,} features: at most {limits.feature_values:,} feature values "
        f"(rows × features) are supported; use fewer rows or fewer features"
    )


def _check_classes_used(name, classes, given, describe):
    """Every class has an item labelled with it; ``describe(k)`` says where class k came from."""
    counts = [0] * len(classes)
    for g in given:
        counts[g] += 1
    for k, count in enumerate(counts):
        if count == 0:
            raise UserDataError(
                f"{name}: class {_short(classes[k])}{describe(k)} has no items: every class needs at least one "
                "item labelled with it"
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
            raise UserDataError(
                f"{self.first}; {rows} not sum to 1: renormalise to load them anyway", renormalizable=True
            )


def _check_probability_row(values, renormalize, sums, where, row):
    """Check one row of finite floats; return it, divided by its sum if ``renormalize``.

    Negative values and rows summing to 0 raise; a sum off by more than the
    tolerance is recorded in ``sums`` (unless renormalising). For messages,
    ``where(row)`` names the file and row, ``where(row, j)`` the file, row and column j.
    """
    if min(values) < 0.0:
        j = next(j for j, p in enumerate(values) if p < 0.0)
        raise UserDataError(f"{where(row, j)}: negative probability: {values[j]!r}")
    try:
        total = math.fsum(values)
    except OverflowError:
        total = math.inf
    if not 0.0 < total < math.inf:
        raise UserDataError(f"{where(row)}: probabilities sum to {total:.6g}: this row cannot be renormalised")
    if renormalize:
        return [p / total for p in values]
    if abs(total - 1.0) > SUM_TOLERANCE:
        sums.add(where(row), total)
    return values


# --- .npy pairs -------------------------------------------------------------------


def check_pair_shapes(lname, lshape, pname, pshape, max_classes=MAX_CLASSES):
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


def label_index(lname, row, value, k, pname):
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


def _load_npy_pair(files, renormalize, class_names):
    names_file = files[2] if len(files) == 3 else None
    pair = files[:2]
    headers = [(name, source, read_npy_header(source, name)) for name, source in pair]
    for name, _, header in headers:
        if len(header.shape) not in (1, 2):
            raise UserDataError(f"{name}: shape {header.shape}: expected labels (N,) or pred_probs (N, K)")
    is_labels = [len(h.shape) == 1 or h.shape[1] == 1 for _, _, h in headers]
    if is_labels[0] == is_labels[1]:
        shapes = [h.shape for _, _, h in headers]
        if is_labels[0] and sorted(map(len, shapes)) == [1, 2] and shapes[0][0] == shapes[1][0] > 0:
            pname = pair[[len(s) for s in shapes].index(2)][0]
            raise UserDataError(
                f"{pname}: shape {shapes[[len(s) for s in shapes].index(2)]}: pred_probs needs one column per class, "
                "and at least 2 classes"
            )
        which = "labels (one value per row)" if is_labels[0] else "pred_probs (several columns)"
        raise UserDataError(
            f"{_join_names(pair)}: both look like {which} (shapes {shapes[0]} and {shapes[1]}); "
            "expected labels (N,) and pred_probs (N, K) with K >= 2"
        )
    (lname, lsource, lheader), (pname, psource, pheader) = headers if is_labels[0] else headers[::-1]
    for name, header in ((pname, pheader), (lname, lheader)):
        if header.shape[0] > MAX_PROBABILITY_ROWS:
            raise UserDataError(
                f"{name}: {header.shape[0]:,} rows; probabilities mode allows at most {MAX_PROBABILITY_ROWS:,}"
            )
    n, k = check_pair_shapes(lname, lheader.shape, pname, pheader.shape)
    if class_names is not None and names_file is not None:
        raise UserDataError(
            f"{names_file[0]}: the class names were given twice (a file and typed names): give them once"
        )
    if names_file is not None:
        classes = _read_class_names(*names_file, k, pname)
    elif class_names is not None:
        classes = _check_class_names("class names", list(class_names), k, pname)
    else:
        classes = [str(c) for c in range(k)]
    source_name = f"{lname} + {pname}"
    digest = hashlib.sha256()
    total = lsource.size + psource.size
    done = 0
    for source in (lsource, psource):
        for start in range(0, source.size, 1 << 22):
            chunk = source.read(start, min(start + (1 << 22), source.size))
            digest.update(chunk)
            done += len(chunk)
            yield 0.2 * done / total
    given, row = [], 0
    for chunk in iter_npy_rows(lsource, lheader, 1, chunk_bytes=STEP_WORK * lheader.itemsize):
        for (x,) in chunk:
            given.append(label_index(lname, row, x, k, pname))
            row += 1
        yield 0.2 + 0.1 * row / n
    _check_classes_used(source_name, classes, given, lambda j: f" (column {j} of {pname})")
    yield 0.3
    probabilities = []
    sums = _SumProblems()
    i = 0

    def where(i, j=None):
        return f"{pname}: row {i}" if j is None else f"{pname}: row {i}, column {j}"

    rows_per_step = max(1, STEP_WORK // (k + 8))
    for chunk in iter_npy_rows(psource, pheader, k, chunk_bytes=rows_per_step * k * pheader.itemsize):
        for values in chunk:
            row = [float(p) for p in values]
            total = sum(row)
            if total - total != 0.0:  # NaN or inf somewhere (or an overflowing sum)
                bad = next((j for j, p in enumerate(row) if not math.isfinite(p)), None)
                if bad is not None:
                    raise UserDataError(f"{pname}: row {i}, column {bad}: not finite: {row[bad]!r}")
            probabilities.append(_check_probability_row(row, renormalize, sums, where, i))
            i += 1
        yield 0.3 + 0.69 * i / n
    sums.raise_if_any()
    sha = digest.hexdigest()
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


def _read_class_names(name, source, k, pname):
    """K class names from a .txt (one per line) or .json (a list of strings) file."""
    if source.size > MAX_CLASS_NAMES_BYTES:
        raise UserDataError(
            f"{name}: a class names file of {source.size:,} bytes; at most {MAX_CLASS_NAMES_BYTES:,} are accepted"
        )
    data = read_all(source)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserDataError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    if "\x00" in text:
        raise UserDataError(f"{name}: contains NUL characters: this is a binary file, not text")
    if _extension(name) == "json":
        names = parse_json(text, name)
        if not isinstance(names, list):
            raise UserDataError(f'{name}: expected a JSON list of class names, such as ["cat", "dog"]')
        for i, value in enumerate(names):
            if not isinstance(value, str):
                raise UserDataError(f"{name}: item {i} is not a string: {_short(value)}")
        return _check_class_names(name, names, k, pname, "item {}")
    lines = _LINE_END.split(text)
    while lines and not lines[-1].strip():
        lines.pop()
    return _check_class_names(name, lines, k, pname, "line {}", first=1)


def _check_class_names(name, names, k, pname, where="name {}", first=0):
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
                f"{name}: {place}: {_short(value)} is also {where.format(seen[value])}: class names must be distinct"
            )
        seen[value] = i
        out.append(value)
    return out


# --- JSON -----------------------------------------------------------------------------


def _load_json(name, source, limits):
    size = source.size
    shape = JsonShape(name, max_tokens=max(MAX_JSON_TOKENS, 3 * limits.feature_values))
    decoder = codecs.getincrementaldecoder("utf-8")()
    digest = hashlib.sha256()
    for start in range(0, size, JSON_SCAN_BYTES):
        chunk = source.read(start, min(start + JSON_SCAN_BYTES, size))
        digest.update(chunk)
        held = len(decoder.getstate()[0])
        try:
            decoder.decode(chunk, start + JSON_SCAN_BYTES >= size)
        except UnicodeDecodeError as exc:
            raise UserDataError(f"{name}: not UTF-8 text (byte {start - held + exc.start})") from None
        shape.feed(chunk)
        yield 0.5 * (start + len(chunk)) / size
    shape.close()
    text = read_all(source).decode("utf-8-sig")
    dataset = dataset_from_dict(parse_json(text, name, checked=True), name)
    del text
    yield 0.8
    if len(dataset.classes) > MAX_CLASSES:
        raise UserDataError(f"{name}: {len(dataset.classes)} classes; at most {MAX_CLASSES} are supported")
    _check_embedding_rows(name, len(dataset), len(dataset.features[0]), limits)
    used = sorted(set(dataset.given))
    if len(used) < 2:
        raise UserDataError(
            f"{name}: only one class ({_short(dataset.classes[used[0]])}) among the given labels: confident "
            "learning needs at least two"
        )
    _check_classes_used(name, dataset.classes, dataset.given, lambda k: "")
    dataset.classes = _stripped_names(name, dataset.classes, "classes[{}]")
    dataset.ids = _stripped_names(name, dataset.ids, "item {}'s id")
    dataset.images, warnings = _filter_images(dataset.images)
    sha = digest.hexdigest()
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
                f"{name}: {where.format(i)} {_short(value)} is the same as {where.format(seen[value])} (ignoring "
                "surrounding spaces)"
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
    lines: array  # 1-based line of each row
    labels: list
    ids: list
    truths: list | None
    images: list | None
    flat: array  # the numbers, row after row: len(numeric) per row (8 bytes each, not a list per row)

    def where(self, line, column):
        return f"{self.name}: line {line}, column {column + 1} ({_short(self.header[column], 40)})"

    @cached_property
    def distinct(self):
        """The set of distinct labels."""
        return set(self.labels)

    def rows(self, start=0, stop=None):
        """Rows ``start..stop-1`` of numbers, as lists of floats."""
        d, flat = len(self.numeric), self.flat
        stop = len(self.lines) if stop is None else min(stop, len(self.lines))
        return [flat[i * d : i * d + d].tolist() for i in range(start, stop)]


def _load_csv(name, source, mode, renormalize, limits):
    digest = hashlib.sha256()
    table = yield from _read_csv(name, source, mode, limits, digest)
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
        result = _csv_embeddings(table, limits)
    result.notes = notes
    result.source_sha256 = digest.hexdigest()
    result.dataset.provenance = {"source": name, "sha256": result.source_sha256}
    return result


def _too_many_rows(name, count, mode, max_embedding_rows, limit=None):
    """The error for ``count`` (a number, or text such as "more than 100,000") rows; ``limit``: auto mode's."""
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
    limit = limit or max(MAX_PROBABILITY_ROWS, max_embedding_rows)
    return UserDataError(f"{name}: {count} rows; at most {limit:,} rows can be loaded")


def _read_csv(name, source, mode, limits, digest):
    """Parse the CSV into a :class:`_Table` (a generator yielding progress 0..0.6)."""
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
        if work >= STEP_WORK:
            work = 0
            yield 0.6 * records.bytes_read / size
    if header is None:
        raise UserDataError(f"{name}: the file is empty")
    roles, numeric = _header_roles(name, header, header_line, mode)
    width = len(header)
    d = len(numeric)
    # Row limits, decided from the header: probabilities need at most MAX_CLASSES columns.
    features_only = mode == "embeddings" or d > MAX_CLASSES
    max_embedding_rows = limits.embedding_rows
    if features_only:
        max_rows = min(max_embedding_rows, limits.feature_values // d)
        rows_mode = "embeddings"
    elif mode == "probabilities":
        max_rows, rows_mode = MAX_PROBABILITY_ROWS, mode
    else:
        max_rows = max(MAX_PROBABILITY_ROWS, min(max_embedding_rows, limits.feature_values // d))
        rows_mode = mode
    if features_only and max_rows < MIN_ITEMS:
        raise UserDataError(
            f"{name}: line {header_line}: {d:,} feature columns: at most {limits.feature_values:,} feature values "
            f"(rows × features) are supported, too few for {MIN_ITEMS} rows"
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
        if work >= STEP_WORK:
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
            what = "empty value, expected a number" if not cells[j].strip() else f"not a number: {_short(cells[j])}"
            raise UserDataError(f"{name}: line {line}, column {j + 1} ({_short(header[j], 40)}): {what}") from None
        total = sum(row)
        if total - total != 0.0:  # NaN or inf somewhere (or an overflowing sum of large values)
            j = next((j for j, x in zip(numeric, row) if not math.isfinite(x)), None)
            if j is not None:
                raise UserDataError(
                    f"{name}: line {line}, column {j + 1} ({_short(header[j], 40)}): not finite: {_short(cells[j])}"
                )
        if len(lines) == max_rows:
            if features_only and max_rows < max_embedding_rows:
                raise _too_many_values(name, max_rows, d, limits, f"line {line}: ")
            raise _too_many_rows(name, f"more than {max_rows:,}", rows_mode, max_embedding_rows, max_rows)
        label = cells[label_col].strip()
        label = shared.setdefault(label, label)
        if not label:
            raise UserDataError(
                f"{name}: line {line}, column {label_col + 1} ({_short(header[label_col], 40)}): empty label"
            )
        if id_col is not None:
            item_id = cells[id_col].strip()
            if not item_id:
                raise UserDataError(
                    f"{name}: line {line}, column {id_col + 1} ({_short(header[id_col], 40)}): empty id"
                )
            if item_id in id_lines:
                raise UserDataError(
                    f"{name}: line {line}: duplicate id {_short(item_id)} (first on line {id_lines[item_id]})"
                )
            id_lines[item_id] = line
            ids.append(item_id)
        if truth_col is not None:
            truth = cells[truth_col].strip()
            truth = shared.setdefault(truth, truth)
            if not truth:
                raise UserDataError(
                    f"{name}: line {line}, column {truth_col + 1} ({_short(header[truth_col], 40)}): empty truth "
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
    return _Table(
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
        _probability_header(name, header, numeric, line)
    return roles, numeric


def _probability_header(name, header, numeric, line):
    """Check the probability columns' header (so a 10,000-column file fails before its rows are read)."""
    if len(numeric) < 2:
        raise UserDataError(
            f"{name}: line {line}: probabilities mode needs at least two probability columns (one per class)"
        )
    if len(numeric) > MAX_CLASSES:
        raise UserDataError(
            f"{name}: line {line}: {len(numeric):,} probability columns (classes); at most {MAX_CLASSES} are supported"
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
                f"{name}: line {line}: columns {seen[title] + 1} and {j + 1} are both named {_short(title)}"
            )
        seen[title] = j


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
    step = max(1, STEP_WORK // (k + 8))
    for first in range(0, n, step):
        for i in range(first, min(first + step, n)):
            row, line = flat[i * k : i * k + k], table.lines[i]
            if min(row) < 0.0 or max(row) > 1.0:
                j, x = next((j, x) for j, x in zip(table.numeric, row) if not 0.0 <= x <= 1.0)
                return "embeddings", (
                    f"Read as features (embeddings mode): line {line}, column {j + 1} holds {x:g}, "
                    "outside [0, 1], so the values are not probabilities."
                )
            if off_sum is None and not indices and abs(sum(row) - 1.0) > AUTO_TOLERANCE:
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
            raise UserDataError(f"{table.where(line, label_col)}: unknown label {_short(label)}; expected {expected}")
    # Every label is a name or an index, but both kinds occur: blame the first label of the rarer kind.
    names = sum(1 for label in table.labels if kinds[label] == "name")
    rare = "name" if names * 2 <= len(table.labels) else "index"
    i = next(i for i, label in enumerate(table.labels) if kinds[label] == rare)
    j = next(j for j, label in enumerate(table.labels) if kinds[label] != rare)
    this, other = ("a class name", "column indices") if rare == "name" else ("a column index", "class names")
    raise UserDataError(
        f"{table.where(table.lines[i], label_col)}: label {_short(table.labels[i])} is {this}, but other labels are "
        f"{other} (e.g. {_short(table.labels[j])} on line {table.lines[j]}): use one kind for every label"
    )


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
    given, by_name = _given_labels(table, classes, index, k)
    yield 0.65
    truth = _csv_truth(table, classes, index, k=None if by_name else k)
    numeric = table.numeric
    columns = {k: numeric[k] + 1 for k in range(k)}
    _check_classes_used(name, classes, given, lambda c: f" (column {columns[c]})")
    yield 0.7
    probabilities = []
    sums = _SumProblems()
    n = len(table.lines)
    step = max(1, STEP_WORK // (k + 8))

    def where(line, j=None):
        return f"{name}: line {line}" if j is None else table.where(line, numeric[j])

    for first in range(0, n, step):
        for line, row in zip(table.lines[first : first + step], table.rows(first, first + step)):
            probabilities.append(_check_probability_row(row, renormalize, sums, where, line))
        yield 0.7 + 0.29 * min(first + step, n) / n
    sums.raise_if_any()
    images, warnings = _filter_images(table.images) if table.images is not None else ([None] * n, [])
    dataset = Dataset(
        classes=classes,
        ids=table.ids,
        images=images,
        given=given,
        features=None,
        truth=truth,
        row_ids=table.roles.get("id") is None,
    )
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
                f"{table.where(line, truth_col)}: unknown true label {_short(t)}; "
                f"expected one of {_names_list(classes)}{which} or {OOD_NAME!r}"
            )
        truth.append(value)
    return truth


def _csv_embeddings(table, limits):
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
            f"{name}: only one class ({_short(table.labels[0])}) in the label column: confident learning needs at "
            "least two"
        )
    if len(distinct) > MAX_CLASSES:
        raise UserDataError(f"{name}: {len(distinct)} distinct labels (classes); at most {MAX_CLASSES} are supported")
    _check_embedding_rows(name, len(table.lines), len(table.numeric), limits)
    if all(_is_integer_text(label) for label in distinct):
        classes = sorted(distinct, key=_integer_order)
    else:
        classes = sorted(distinct)
    index = {c: i for i, c in enumerate(classes)}
    given = [index[label] for label in table.labels]
    truth = _csv_truth(table, classes, index, which=" (the labels)")
    n = len(table.lines)
    images, warnings = _filter_images(table.images) if table.images is not None else ([None] * n, [])
    dataset = Dataset(
        classes=classes,
        ids=table.ids,
        images=images,
        given=given,
        features=table.rows(),
        truth=truth,
        row_ids=table.roles.get("id") is None,
    )
    return LoadedData("embeddings", dataset, None, warnings, name)
