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

from .common import LoadedData, UserDataError, allowed_image
from .limits import (
    AUTO_TOLERANCE,
    JSON_SCAN_BYTES,
    MAX_CLASS_NAMES_BYTES,
    MAX_CLASSES,
    MAX_EMBEDDING_ROWS,
    MAX_FEATURE_VALUES,
    MAX_FILE_BYTES,
    MAX_PROBABILITY_ROWS,
    MIN_ITEMS,
    STEP_WORK,
)
from .load import ACCEPTED, MODES, iter_load_files, load_files
from .npy_pair import check_pair_shapes, label_index

LoadedData.__module__ = UserDataError.__module__ = __name__  # their public home, as tracebacks and reprs name it

__all__ = [
    "ACCEPTED",
    "AUTO_TOLERANCE",
    "JSON_SCAN_BYTES",
    "MAX_CLASSES",
    "MAX_CLASS_NAMES_BYTES",
    "MAX_EMBEDDING_ROWS",
    "MAX_FEATURE_VALUES",
    "MAX_FILE_BYTES",
    "MAX_PROBABILITY_ROWS",
    "MIN_ITEMS",
    "MODES",
    "STEP_WORK",
    "LoadedData",
    "UserDataError",
    "allowed_image",
    "check_pair_shapes",
    "iter_load_files",
    "label_index",
    "load_files",
]
