"""The limits of "Your data", one place: what a file may hold and how much work a load may take (pure).

Each limit protects the page's memory or time (docs/your-data.md has the table); :class:`Caps` carries the
three the caller may lift (the command line does), and the messages for rows and values over a limit are
built here. The other modules read the constants as ``limits.NAME``, so that a test can lower one.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..confident import SUM_TOLERANCE
from ..crossval import DEFAULT_FOLDS
from .common import UserDataError

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
STEP_WORK = 15_000
""":func:`iter_load_files` yields progress after about this many units of work (a value parsed
and checked, a row's bookkeeping): steps of 5-10 ms under CPython, 15-30 ms in Pyodide, measured
with bench/bench_userdata.py (a step that a garbage collection pass falls into takes longer)."""


AUTO_TOLERANCE = 10 * SUM_TOLERANCE
"""Rule (c) of automatic mode: rows must sum to 1 within this to be taken for probabilities."""


JSON_SCAN_BYTES = 1 << 16
"""JSON is scanned (and its UTF-8 checked) this many bytes per step."""


@dataclass(frozen=True)
class Caps:
    """The limits a caller may set (the command line lifts them): feature rows, file bytes, feature values."""

    embedding_rows: int
    file_bytes: int
    feature_values: int


def megabytes(size: int) -> str:
    """A file size for a message: whole MiB, bytes below 1 MiB, else MiB with the exact bytes (so that a file
    one byte over a limit never reads as the limit)."""
    if size % 2**20 == 0:
        return f"{size // 2**20} MiB"
    if size < 2**20:
        return f"{size:,} bytes"
    return f"{size / 2**20:.1f} MiB ({size:,} bytes)"


def check_embedding_rows(name: str, n: int, d: int, caps: Caps) -> None:
    """Refuse ``n`` rows of ``d`` features: fewer than MIN_ITEMS, more than the caps allow."""
    if n < MIN_ITEMS:
        raise UserDataError(
            f"{name}: {n} items; embeddings mode needs at least {MIN_ITEMS} (one per cross-validation fold)"
        )
    if n > caps.embedding_rows:
        raise too_many_rows(name, n, "embeddings", caps.embedding_rows)
    if n * d > caps.feature_values:
        raise too_many_values(name, n, d, caps)


def too_many_values(name: str, n: int, d: int, caps: Caps, where: str = "") -> UserDataError:
    """The error for rows x features over ``caps.feature_values`` (``where``: the line, while reading)."""
    count = f"more than {n:,}" if where else f"{n:,}"
    return UserDataError(
        f"{name}: {where}{count} rows of {d:,} features: at most {caps.feature_values:,} feature values "
        f"(rows × features) are supported; use fewer rows or fewer features"
    )


def too_many_rows(
    name: str, count: int | str, mode: str, max_embedding_rows: int, limit: int | None = None
) -> UserDataError:
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
