"""Reading ``.npy`` files and CSV text in chunks, and labels and probabilities for the command line.

Standard library only (it also runs in the browser, where numpy may be
missing). Every problem raises :class:`InputError` with a one-line message
naming the file and, where it applies, the line and column.

Sources
-------
Readers take a *source*: anything with ``size`` (an int, the number of
bytes) and ``read(start, end) -> bytes`` (synchronous, ``0 <= start <= end
<= size``). :func:`as_source` makes one from bytes, bytearray or memoryview
(zero-copy slices); :func:`open_source` from a file path; the page passes an
adapter over a JavaScript ``ArrayBuffer``. Data is read :data:`CHUNK_BYTES`
at a time, so a file that is refused is never held in memory whole.

``.npy`` (NumPy format versions 1-3)
------------------------------------
Numeric dtypes ``f2 f4 f8``, ``i1 i2 i4 i8``, ``u1 u2 u4 u8`` and ``b1``,
either byte order, C or Fortran order; object arrays (pickles) are refused.
:func:`read_npy_header` validates everything the header says before any
data is read: the magic bytes, the version, the header length (at most
:data:`NPY_MAX_HEADER_BYTES`), its keys (exactly ``descr``,
``fortran_order``, ``shape``), the dtype, the shape (a tuple of
non-negative Python ints) and that the file holds all the data the shape
needs. The caller then checks the shape against its limits and reads the
values with :func:`iter_npy_rows`.

CSV
---
:class:`CsvRecords` reads UTF-8 text (a byte-order mark is allowed) with
the :mod:`csv` module, one physical line at a time: ``\\n``, ``\\r\\n`` and
``\\r`` line ends; quoted fields may span lines. Line numbers in messages
are 1-based (as in an editor); columns are 1-based too. Limits, checked as
the text arrives (before a record is parsed):

- :data:`MAX_FIELD_CHARS` characters per value (the :mod:`csv` module's
  default ``field_size_limit``): protects memory from one huge cell;
- :data:`MAX_RECORD_CHARS` characters per record (a line, or the lines a
  quoted value spans; the line end after it not counted): a header or row
  cannot grow without bound before it is parsed;
- :data:`MAX_COLUMNS` columns per record: bounds the work per row and the
  width of any table, decided on the header line;
- :data:`MAX_BLANK_RECORDS` records whose cells are all blank, besides one per
  record with data: bounds the time spent on a file of empty records.

Whole arrays from a file path (the command line's labels and probabilities) are read by
:mod:`cleanlens.array_files` with these readers.
"""

from __future__ import annotations

import ast
import codecs
import csv
import io
import math
import os
import re
import struct
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from cleanlens.errors import CleanlensError

if TYPE_CHECKING:
    import hashlib

CHUNK_BYTES = 1 << 18
"""Bytes read from a source at a time."""
NPY_MAGIC = b"\x93NUMPY"
NPY_MAX_HEADER_BYTES = 10_000
"""The longest ``.npy`` header accepted (numpy's own ``np.load`` default, ``max_header_size``):
protects the header parser from a huge or deeply nested header."""
MAX_FIELD_CHARS = 131_072
"""The longest CSV value, in characters: the :mod:`csv` module's default ``field_size_limit``."""
MAX_COLUMNS = 10_004
"""The most columns a CSV record may have: 10,000 numbers plus the label, id, truth and image
columns (decided on the header line, before the rows are read)."""
MAX_RECORD_CHARS = 1 << 20
"""The longest CSV record (header or row), in characters: 10,000 numbers of up to 25 characters
plus four values of :data:`MAX_FIELD_CHARS` fit with room to spare."""
MAX_BLANK_RECORDS = 100_000
"""The most records whose cells are all blank that reach the csv module, besides one per record with
data (lines of only spaces and commas between records are skipped before it, at no cost per line;
quoted empty values such as ``""`` are not; a blank line after every row, as ``csv.writer`` writes
through a text file on Windows, is allowed): bounds the time a file of nothing can take."""

_SHORT_LINES = 8
"""Blocks whose lines average fewer characters than this are searched for blank lines to skip
(a regular expression costs 5 ms per 256 KiB, too much for every block); elsewhere blank lines
are few per character and go to the csv module, counted by MAX_BLANK_RECORDS."""
_LINE_END = re.compile(r"[\r\n]")
_NONBLANK_LINE = re.compile(r"^(?:[^\S\n]|,)*[^\s,][^\n]*\n?", re.M)
"""A line (``\n`` line ends) with a cell that is not blank, with its line end."""

# dtype kind + size -> struct code.
_NPY_CODES = {
    ("f", 2): "e", ("f", 4): "f", ("f", 8): "d",
    ("i", 1): "b", ("i", 2): "h", ("i", 4): "i", ("i", 8): "q",
    ("u", 1): "B", ("u", 2): "H", ("u", 4): "I", ("u", 8): "Q",
    ("b", 1): "?",
}  # fmt: skip
_NPY_KEYS = {"descr", "fortran_order", "shape"}


class InputError(CleanlensError):
    """An input file is unusable; the message (one line) names the file and the place."""


BytesLike = bytes | bytearray | memoryview


class Source(Protocol):
    """What the readers read: ``size`` bytes, read by ``read(start, end)`` with ``0 <= start <= end <= size``."""

    size: int

    def read(self, start: int, end: int) -> BytesLike: ...


# --- sources -------------------------------------------------------------------------


class _BytesSource:
    """A source over bytes-like data; ``read`` returns zero-copy memoryview slices."""

    def __init__(self, data: BytesLike):
        self._view = memoryview(data).cast("B")
        self.size = len(self._view)

    def read(self, start: int, end: int) -> memoryview:
        return self._view[start:end]


def as_source(data: BytesLike | Source) -> Source:
    """A source (see the module docstring) for bytes-like ``data``, or ``data`` itself if it is one."""
    if hasattr(data, "read") and hasattr(data, "size"):
        return data
    return _BytesSource(data)


class _FileSource:
    def __init__(self, file):
        self._file = file
        self.size = os.fstat(file.fileno()).st_size

    def read(self, start: int, end: int) -> bytes:
        self._file.seek(start)
        return self._file.read(end - start)


class open_source:  # noqa: N801 (used like open())
    """``with open_source(path) as source:`` a source reading the file at ``path`` in place.

    An unreadable file raises :class:`InputError` ("cannot read").
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self._file = None

    def __enter__(self) -> Source:
        try:
            self._file = open(self.path, "rb")  # noqa: SIM115 (closed in __exit__)
            if not self.path.is_file():
                raise IsADirectoryError(21, "Is a directory")
            return _FileSource(self._file)
        except OSError as exc:
            if self._file is not None:
                self._file.close()
            raise InputError(f"{self.path.name}: cannot read: {exc.strerror}") from None

    def __exit__(self, *exc: object) -> None:
        self._file.close()


def read_all(source: Source) -> bytes:
    """Every byte of a source, as bytes (for inputs whose size was already checked)."""
    return bytes(source.read(0, source.size))


# --- .npy ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NpyHeader:
    """A validated ``.npy`` header.

    shape : tuple of non-negative ints
    code : struct format of one value, with its byte order (e.g. ``"<d"``)
    itemsize : bytes per value
    fortran : True if the data is in Fortran (column-major) order
    offset : where the data starts in the file
    """

    shape: tuple[int, ...]
    code: str
    itemsize: int
    fortran: bool
    offset: int

    @property
    def count(self) -> int:
        return math.prod(self.shape)


def read_npy_header(source: Source, name: str = "array.npy") -> NpyHeader:
    """Read and validate the header of a ``.npy`` source (see the module docstring); return a :class:`NpyHeader`."""
    size = source.size
    start = bytes(source.read(0, min(size, 12)))
    if start[:6] != NPY_MAGIC or size < 10:
        raise InputError(f"{name}: not a .npy file (bad magic bytes)")
    major = start[6]
    if major == 1:
        (header_len,) = struct.unpack("<H", start[8:10])
        offset = 10
    elif major in (2, 3):
        if size < 12:
            raise InputError(f"{name}: truncated .npy header")
        (header_len,) = struct.unpack("<I", start[8:12])
        offset = 12
    else:
        raise InputError(f"{name}: unsupported .npy format version {major}")
    if header_len > NPY_MAX_HEADER_BYTES:
        raise InputError(f"{name}: .npy header of {header_len:,} bytes; at most {NPY_MAX_HEADER_BYTES:,} are accepted")
    if offset + header_len > size:
        raise InputError(f"{name}: truncated .npy header ({size - offset} of {header_len} bytes)")
    raw = bytes(source.read(offset, offset + header_len))
    try:
        with warnings.catch_warnings():  # e.g. "invalid escape sequence" in a hostile header's strings
            warnings.simplefilter("ignore")
            header = ast.literal_eval(raw.decode("latin1" if major < 3 else "utf-8"))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError, UnicodeDecodeError):
        raise InputError(f"{name}: unreadable .npy header") from None
    if not isinstance(header, dict) or set(header) != _NPY_KEYS:
        keys = sorted(map(repr, header)) if isinstance(header, dict) else []
        raise InputError(
            f"{name}: unreadable .npy header: expected the keys 'descr', 'fortran_order' and 'shape'"
            + (f", got {', '.join(keys)}" if keys else "")
        )
    descr, fortran, shape = header["descr"], header["fortran_order"], header["shape"]
    if not isinstance(descr, str) or len(descr) < 3 or descr[0] not in "<>|=":
        raise InputError(f"{name}: unsupported dtype {descr!r} (expected a numeric dtype such as '<f8' or '<i8')")
    order = ">" if descr[0] == ">" else "<"  # '|' (single byte) and '=' (native, little-endian in practice)
    kind, digits = descr[1], descr[2:]
    code = _NPY_CODES.get((kind, int(digits))) if digits.isdigit() and len(digits) < 3 else None
    if code is None:
        raise InputError(f"{name}: unsupported dtype {descr!r} (expected a numeric dtype such as '<f8' or '<i8')")
    if not isinstance(fortran, bool):
        raise InputError(f"{name}: bad .npy header: 'fortran_order' is {fortran!r}, not True or False")
    if not isinstance(shape, tuple) or not all(type(n) is int for n in shape):
        raise InputError(f"{name}: bad .npy header: shape {shape!r} is not a tuple of whole numbers")
    if any(n < 0 for n in shape):
        raise InputError(f"{name}: bad .npy header: shape {shape!r} has a negative size")
    code = order + code
    itemsize = struct.calcsize(code)
    npy = NpyHeader(shape, code, itemsize, fortran, offset + header_len)
    available = size - npy.offset
    if npy.count * itemsize > available:
        raise InputError(
            f"{name}: truncated: {available:,} data bytes, expected {npy.count * itemsize:,} for shape {shape}"
        )
    return npy


def iter_npy_rows(
    source: Source, header: NpyHeader, width: int, chunk_bytes: int = CHUNK_BYTES
) -> Iterator[list[list[float | int]]]:
    """The values of a ``.npy`` source, ``width`` at a time, in C order, a chunk at a time.

    Yields lists of ``width``-long lists (rows); floats stay floats, integers
    and booleans become ints. ``width`` must divide ``header.count``. For a
    Fortran-order array of more than one dimension whose last extent is not
    1 the whole array is read first (it must be transposed).
    """
    count, size, code = header.count, header.itemsize, header.code
    if header.fortran and len(header.shape) > 1 and count and math.prod(header.shape[:-1]) > 1 and header.shape[-1] > 1:
        flat = _unpack(source.read(header.offset, header.offset + count * size), code, count)
        flat = _fortran_to_c(flat, header.shape)
        yield [flat[i : i + width] for i in range(0, count, width)]
        return
    rows_per_chunk = max(1, chunk_bytes // (size * width)) if width else 1
    step = rows_per_chunk * width
    for first in range(0, count, step):
        n = min(step, count - first)
        start = header.offset + first * size
        flat = _unpack(source.read(start, start + n * size), code, n)
        yield [flat[i : i + width] for i in range(0, n, width)]


def _unpack(chunk, code, n):
    values = list(struct.unpack(f"{code[0]}{n}{code[1]}", chunk))
    if code[1] == "?":
        values = [int(v) for v in values]
    return values


def parse_npy(data: BytesLike, source: str = "array.npy") -> tuple[tuple[int, ...], list[float | int]]:
    """Decode a whole ``.npy`` file from bytes. Returns ``(shape, values)``: a tuple and a flat list in C order.

    Floats stay floats, integers and booleans become ints.
    """
    src = as_source(data)
    header = read_npy_header(src, source)
    values = []
    for rows in iter_npy_rows(src, header, 1):
        values.extend(v for (v,) in rows)
    return header.shape, values


def _fortran_to_c(values, shape):
    """Column-major to row-major for any number of dimensions (iteratively: no recursion)."""
    strides, step = [], 1
    for extent in shape:
        strides.append(step)
        step *= extent
    out = []
    index = [0] * len(shape)
    for _ in range(len(values)):
        out.append(values[sum(i * s for i, s in zip(index, strides))])
        for dim in range(len(shape) - 1, -1, -1):
            index[dim] += 1
            if index[dim] < shape[dim]:
                break
            index[dim] = 0
    return out


# --- CSV -----------------------------------------------------------------------------


class CsvRecords:
    """The records of a CSV source, read chunk by chunk: iterate for ``(first_line, last_line, cells)``.

    ``first_line``/``last_line``: the 1-based physical lines the record
    starts and ends on. Lines that hold nothing but spaces and commas
    between records may be skipped without being yielded (callers skip
    records whose cells are all blank anyway): a file of millions of blank
    lines costs no Python work per line (see :data:`_SHORT_LINES`). Raises :class:`InputError` for
    text that is not UTF-8, NUL characters, invalid CSV, and the limits in
    the module docstring. Attributes while iterating: ``bytes_read`` (how
    much of the source has been read) and ``sha256`` (a hashlib object,
    complete once iteration has ended).
    """

    def __init__(self, source: Source, name: str, sha256: hashlib._Hash | None = None):
        self.source = source
        self.name = name
        self.sha256 = sha256
        self.bytes_read = 0
        self._lines_out = 0  # physical lines read so far (handed to the csv reader or skipped)
        self._skipped = 0  # blank lines skipped between records, not handed to the csv reader
        self._record_chars = 0  # characters of the record being read so far (counted in chunks with quotes)
        self._at_boundary = True  # the csv reader is about to start a record (not inside a quoted value)

    def __iter__(self) -> Iterator[tuple[int, int, list[str]]]:
        name = self.name
        reader = csv.reader(self._lines())
        fed = 0  # lines the csv reader had read when it returned the previous record
        blank = 0  # records whose cells are all blank
        filled = 0  # records with a value
        while True:
            self._record_chars = 0
            self._at_boundary = True
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InputError(self._csv_error(exc, reader.line_num + self._skipped)) from None
            end = reader.line_num + self._skipped  # no line is skipped inside a record
            start = end - (reader.line_num - fed) + 1
            fed = reader.line_num
            if len(cells) > MAX_COLUMNS:
                raise InputError(f"{name}: line {start}: {len(cells):,} columns; at most {MAX_COLUMNS:,} are supported")
            if (not cells or not cells[0].strip()) and not any(c.strip() for c in cells):
                blank += 1
                if blank > MAX_BLANK_RECORDS + filled:
                    raise InputError(
                        f"{name}: line {start}: more than {MAX_BLANK_RECORDS:,} empty records (besides one per row); "
                        "remove the empty lines"
                    )
            else:
                filled += 1
            yield start, end, cells

    def _csv_error(self, exc, line):
        if "field limit" in str(exc):
            return f"{self.name}: line {line}: a value is longer than {csv.field_size_limit():,} characters"
        return f"{self.name}: line {line}: not valid CSV: {exc}"

    def _lines(self):
        """Physical lines, with their line ends, decoded from the source a chunk at a time."""
        source, name = self.source, self.name
        size = source.size
        decoder = codecs.getincrementaldecoder("utf-8")()
        pending = ""
        started = False  # whether any text was decoded yet (a byte-order mark may be split across chunks)
        for start in range(0, max(size, 1), CHUNK_BYTES):
            end = min(start + CHUNK_BYTES, size)
            chunk = source.read(start, end)
            if self.sha256 is not None:
                self.sha256.update(chunk)
            held = len(decoder.getstate()[0])
            final = end == size
            try:
                text = decoder.decode(chunk, final)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{name}: not UTF-8 text (byte {start - held + exc.start}): save it as a UTF-8 CSV file"
                ) from None
            self.bytes_read = end
            if not started and text:
                started = True
                if text.startswith("\ufeff"):
                    text = text[1:]
            if "\x00" in text:
                raise InputError(f"{name}: contains NUL characters: this is a binary file, not CSV text")
            text = pending + text
            body = text[:-1] if not final and text.endswith("\r") else text  # a \r may be half of \r\n
            cut = len(body) if final else max(body.rfind("\n"), body.rfind("\r")) + 1
            pending = text[cut:]
            if len(pending) - pending.endswith("\r") > MAX_RECORD_CHARS:  # (a held-back \r is a line end)
                raise InputError(self._overlong(self._lines_out + 1, pending))
            block = body[:cut]
            if '"' not in block and self._at_boundary:
                yield from self._whole_records(block)
            else:
                yield from self._record_lines(block)

    def _whole_records(self, block):
        """The lines of a block without quotes that starts a record: every line is a whole record (no value
        spans lines). Blank lines are skipped at C speed where lines are short (see :data:`_SHORT_LINES`)."""
        # Only the first line can be longer than a chunk (it continues what was pending): check its length.
        if len(block) > MAX_RECORD_CHARS:
            first = _LINE_END.search(block)
            length = first.start() if first else len(block)
            if length > MAX_RECORD_CHARS:
                raise InputError(self._overlong(self._lines_out + 1, block[:length]))
        lines = block.count("\n") + block.count("\r") - block.count("\r\n")
        if lines * _SHORT_LINES <= len(block):
            yield from io.StringIO(block, newline="")
            self._lines_out += lines
            return
        # Skip the blank lines (line ends may be normalised: none is inside a value).
        block = block.replace("\r\n", "\n").replace("\r", "\n")
        done = 0
        for match in _NONBLANK_LINE.finditer(block):
            skipped = block.count("\n", done, match.start())
            self._skipped += skipped
            self._lines_out += skipped + 1
            done = match.end()
            yield match.group()
        skipped = block.count("\n", done)
        self._skipped += skipped
        self._lines_out += skipped

    def _record_lines(self, block):
        """The lines of a block one by one, counting the characters of the record they belong to."""
        for line in io.StringIO(block, newline=""):
            self._lines_out += 1
            self._record_chars += len(line)
            self._at_boundary = False
            if self._record_chars > MAX_RECORD_CHARS:
                # Without this line's end: a record's own line end is not part of it (the line ends
                # inside a quoted value are, counted with the lines they end).
                ending = 2 if line.endswith("\r\n") else 1 if line.endswith(("\n", "\r")) else 0
                if self._record_chars - ending > MAX_RECORD_CHARS:
                    raise InputError(self._overlong(self._lines_out, line))
            yield line

    def _overlong(self, line, text):
        """The message for a record over MAX_RECORD_CHARS: too many columns, a value too long, or the record itself."""
        prefix = text[:MAX_RECORD_CHARS]
        too_many = f"{self.name}: line {line}: more than {MAX_COLUMNS:,} columns; at most {MAX_COLUMNS:,} are supported"
        if '"' not in prefix:  # without quotes, commas separate values: count them instead of parsing
            if prefix.count(",") >= MAX_COLUMNS:
                return too_many
            if max(map(len, prefix.split(","))) > csv.field_size_limit():
                return f"{self.name}: line {line}: a value is longer than {csv.field_size_limit():,} characters"
            return f"{self.name}: line {line}: a record longer than {MAX_RECORD_CHARS:,} characters"
        try:
            cells = next(csv.reader([prefix]), [])
        except csv.Error as exc:
            return self._csv_error(exc, line)
        if len(cells) > MAX_COLUMNS:
            return too_many
        return f"{self.name}: line {line}: a record longer than {MAX_RECORD_CHARS:,} characters"
