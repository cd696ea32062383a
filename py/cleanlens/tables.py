"""Arrays read a block of rows at a time: ``.npy`` as a memory map, Parquet by row group (CPython, numpy).

The command line streams ``--labels``, ``--pred-probs`` and ``--truth`` through a :class:`Table` so that
no N x K array is ever held in memory (:mod:`cleanlens.chunked`). A table has a ``name`` (the file's
name, for messages), a ``shape`` ((N,) or (N, K)) and :meth:`Table.blocks`, which yields ``(start,
block)``: row ``start`` and a numpy array of the next rows in the file's own dtype (a view of the memory
map for ``.npy``: nothing is copied until the caller converts it).

- ``.npy``: the header is validated by :func:`cleanlens.arrays_io.read_npy_header` first (dtype, shape,
  and that the file holds all the data the shape needs: a truncated file is refused before it is mapped),
  then mapped with ``numpy.load(mmap_mode="r")``. Fortran-ordered arrays are read through the map too.
- Parquet (needs pyarrow, ``pip install cleanlens[parquet]``): read with
  ``pyarrow.parquet.ParquetFile.iter_batches`` (a row group at a time). The columns are those of the CSV
  the same option takes: ``--labels`` and ``--truth`` one numeric column, or a column named ``label``
  (``truth``) among others, so that one file can hold everything (:data:`ROLE_COLUMNS`); ``--pred-probs``
  one numeric column per class (every column except those of :data:`ROLE_COLUMNS`). A column that is not
  numeric, a missing ``label`` column where several are given, or a file that is not Parquet is refused
  with one line (:class:`~cleanlens.arrays_io.InputError`).

Nothing here checks values: :mod:`cleanlens.chunked` does, with the messages of the in-memory path.
"""

from __future__ import annotations

from pathlib import Path

from .arrays_io import InputError, open_source, read_npy_header

ROLE_COLUMNS = ("label", "truth", "id", "image")
"""Parquet columns that are never probabilities: the labels' and the truth's (by name), ids and images."""
PARQUET_SUFFIXES = (".parquet", ".pq")
BLOCK_VALUES = 1 << 20
"""Values per block (rows x columns): about 8 MB once converted to float64."""


def block_rows(width, values=BLOCK_VALUES):
    """Rows per block for arrays of ``width`` columns."""
    return max(1, values // max(1, width))


def is_parquet(path):
    return Path(path).suffix.lower() in PARQUET_SUFFIXES


def is_streamable(path):
    """True for the files a :class:`Table` reads (``.npy`` and Parquet)."""
    return Path(path).suffix.lower() == ".npy" or is_parquet(path)


class Table:
    """An array in a file, read a block of rows at a time (see the module docstring)."""

    name: str
    shape: tuple
    dtype: object

    def blocks(self, rows=None):  # pragma: no cover (abstract)
        raise NotImplementedError

    @property
    def n_rows(self):
        return self.shape[0]

    @property
    def width(self):
        return self.shape[1] if len(self.shape) == 2 else 1


class NpyTable(Table):
    """A ``.npy`` file as a read-only memory map; ``blocks`` yields views of it."""

    def __init__(self, path):
        import numpy as np

        path = Path(path)
        self.name = path.name
        with open_source(path) as source:
            header = read_npy_header(source, self.name)
        if len(header.shape) not in (1, 2):
            raise InputError(f"{self.name}: expected a 1-D or 2-D array, got shape {header.shape}")
        self.shape = header.shape
        if header.count == 0:
            self.array = np.empty(self.shape, dtype=np.dtype(header.code))
        else:
            try:
                self.array = np.load(path, mmap_mode="r", allow_pickle=False)
            except (OSError, ValueError) as exc:  # the header passed our checks: not expected
                raise InputError(f"{self.name}: unreadable .npy file: {exc}") from None
        if self.array.shape != self.shape:
            raise InputError(f"{self.name}: numpy reads shape {self.array.shape}, the header says {self.shape}")
        self.dtype = self.array.dtype

    def blocks(self, rows=None):
        rows = rows or block_rows(self.width)
        for start in range(0, self.n_rows, rows):
            yield start, self.array[start : start + rows]


class ArrayTable(Table):
    """An array already in memory (or a memory map), read in blocks like a file."""

    def __init__(self, array, name="array"):
        self.array, self.name, self.shape, self.dtype = array, name, tuple(array.shape), array.dtype

    def blocks(self, rows=None):
        rows = rows or block_rows(self.width)
        for start in range(0, self.n_rows, rows):
            yield start, self.array[start : start + rows]


def _pyarrow():
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError("reading Parquet needs pyarrow: pip install 'cleanlens[parquet]'") from None
    return pq


class ParquetTable(Table):
    """Columns of a Parquet file, read by row group (``role``: ``"label"``, ``"truth"`` or ``"probabilities"``)."""

    def __init__(self, path, role):
        import numpy as np

        pq = _pyarrow()
        path = Path(path)
        self.name, self.path = path.name, path
        try:
            self.file = pq.ParquetFile(path)
        except OSError as exc:
            raise InputError(f"{self.name}: cannot read: {exc.strerror or exc}") from None
        except Exception as exc:  # noqa: BLE001 (pyarrow's ArrowInvalid and friends: not a Parquet file)
            raise InputError(f"{self.name}: not a Parquet file ({' '.join(str(exc).split())[:200]})") from None
        schema = self.file.schema_arrow
        names = list(schema.names)
        self.columns = _role_columns(self.name, names, role)
        for column in self.columns:
            kind = schema.field(column).type
            if not (_is_numeric(kind)):
                raise InputError(f"{self.name}: column {column!r} is {kind}, not numbers")
        n = self.file.metadata.num_rows
        self.shape = (n,) if role != "probabilities" else (n, len(self.columns))
        types = [schema.field(c).type.to_pandas_dtype() for c in self.columns]
        self.dtype = np.result_type(*types) if types else np.dtype(np.float64)

    def blocks(self, rows=None):
        import numpy as np

        rows = rows or block_rows(self.width)
        start = 0
        for batch in self.file.iter_batches(batch_size=rows, columns=self.columns, use_threads=False):
            columns = [_column_values(batch.column(j)) for j in range(len(self.columns))]
            block = columns[0] if len(self.shape) == 1 else np.column_stack(columns)
            yield start, block
            start += len(block)


def _is_numeric(kind):
    import pyarrow.types as t

    return t.is_integer(kind) or t.is_floating(kind) or t.is_boolean(kind)


def _column_values(column):
    """A pyarrow column as numpy; nulls become NaN (refused later as not a number / not finite)."""
    import numpy as np

    if column.null_count:
        return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)
    return column.to_numpy(zero_copy_only=False)


def _role_columns(name, names, role):
    """The Parquet columns holding ``role`` (see the module docstring), or :class:`InputError`."""
    lower = [c.strip().lower() for c in names]
    if role in ("label", "truth"):
        if role in lower:
            return [names[lower.index(role)]]
        if len(names) == 1:
            return names
        what = "labels" if role == "label" else "true labels"
        raise InputError(
            f"{name}: {len(names)} columns ({_list(names)}) and none is named {role!r}: "
            f"{what} need one column, or a column named {role!r}"
        )
    columns = [c for c, low in zip(names, lower) if low not in ROLE_COLUMNS]
    if not columns:
        raise InputError(f"{name}: no probability columns (every column is one of {', '.join(ROLE_COLUMNS)})")
    return columns


def _list(names, limit=6):
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f", … {len(names) - limit} more" if len(names) > limit else "")


def open_table(path, role):
    """A :class:`Table` for ``path`` (``.npy`` or Parquet); ``role``: ``label``, ``truth`` or ``probabilities``."""
    if is_parquet(path):
        return ParquetTable(path, role)
    return NpyTable(path)


def read_table(path, role):
    """The whole array of ``open_table(path, role)`` in memory (the in-memory path for Parquet)."""
    import numpy as np

    table = open_table(path, role)
    if isinstance(table, NpyTable):
        return np.array(table.array)
    blocks = [block for _, block in table.blocks()]
    if not blocks:
        return np.empty(table.shape, dtype=table.dtype)
    return np.concatenate(blocks)
