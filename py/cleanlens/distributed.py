"""``find-issues --dask``: the streamed computation (:mod:`cleanlens.chunked`) on a Dask cluster.

The arrays are dask collections read by the workers: ``.npy`` through a memory map per block
(``dask.array.from_array`` over a lazy, picklable reader), zarr (``dask.array.from_zarr``) and Parquet
(``dask.dataframe.read_parquet``, the columns of :mod:`cleanlens.tables`). The blocks of rows run the same
functions as on one machine, as tasks:

1. each labels block is checked (the first bad row of each block comes back; the client reports the first
   of all, with the in-memory path's message);
2. pass 1, per block: validate the rows, keep the self-confidences on the worker (a problem comes back as
   ``(row, message)``, the first row reported);
3. per class: one task gathers the class's self-confidences from every block, in item order, and computes
   :func:`~cleanlens.chunked.class_statistics` (exact percentiles by selection, numpy's mean): N values
   cross the network in all, never the N x K probabilities, and only K x 2 numbers reach the client;
4. pass 2, per block: suggestions, categories, scores and the block's joint; the small sums come back,
   the per-item results stay on the workers until the report reads them a block at a time.

So the results equal the in-memory path's (tested on a local cluster of 2 workers). Without an address a
``LocalCluster`` of 2 single-threaded workers on 127.0.0.1 is started (and stopped at the end); with one,
the client connects to it (an unreachable scheduler is one line and exit status 2).
"""

from __future__ import annotations

from pathlib import Path

from .array_files import label_value
from .arrays_io import InputError
from .chunked import (
    NO_SUGGESTION,
    _findings,
    categorize_block,
    class_statistics,
    compact_dtype,
    joint_block,
    score_block,
    self_confidences,
    suggest_block,
    thresholds_of,
    validate_block,
)
from .confident import CATEGORIES, SUM_TOLERANCE, ProbabilityError
from .rank import DEFAULT_METHOD, label_quality_scores
from .tables import block_rows, is_parquet, open_table
from .userdata import check_pair_shapes, label_index

CONNECT_TIMEOUT = "10s"
LOCAL_WORKERS = 2


def _dask():
    try:
        import dask.array as da
        import distributed
    except ImportError:
        raise InputError("--dask needs Dask: pip install 'cleanlens[dask]'") from None
    return da, distributed


class _NpyReader:
    """A ``.npy`` file for ``dask.array.from_array``: picklable, it maps the file on each worker."""

    def __init__(self, path, shape, dtype):
        self.path, self.shape, self.dtype, self.ndim = str(path), shape, dtype, len(shape)

    def __getitem__(self, index):
        import numpy as np

        return np.asarray(np.load(self.path, mmap_mode="r", allow_pickle=False)[index])


def dask_array(path, role, rows=None):
    """A dask array (N,) or (N, K) for a ``.npy``, zarr or Parquet file, in blocks of ``rows`` rows (default:
    :func:`~cleanlens.tables.block_rows` of its width)."""
    da, _ = _dask()
    path = Path(path)
    if path.suffix.lower() == ".zarr" or (path / ".zarray").exists() or (path / "zarr.json").exists():
        try:
            array = da.from_zarr(str(path))
        except Exception as exc:  # noqa: BLE001 (zarr's many errors: not a zarr array)
            raise InputError(f"{path.name}: not a zarr array ({' '.join(str(exc).split())[:200]})") from None
        if array.ndim not in (1, 2):
            raise InputError(f"{path.name}: expected a 1-D or 2-D array, got shape {array.shape}")
        rows = rows or block_rows(array.shape[1] if array.ndim == 2 else 1)
        return array.rechunk((rows,) + array.shape[1:]), path.name
    table = open_table(path, role)  # checks the header or the Parquet columns first
    rows = rows or block_rows(table.width)
    if is_parquet(path):
        import dask.dataframe as dd

        frame = dd.read_parquet(str(path), columns=table.columns)
        array = frame.to_dask_array(lengths=True)
        if role != "probabilities":
            array = array[:, 0]
        return array.rechunk((rows,) + array.shape[1:]), path.name
    chunks = (rows,) + table.shape[1:]
    return da.from_array(_NpyReader(path, table.shape, table.dtype), chunks=chunks, asarray=False), path.name


def connect(address):
    """A ``distributed.Client``: a new local cluster (``"local"``) or the scheduler at ``address``."""
    import logging

    _, distributed = _dask()
    logging.getLogger("distributed").setLevel(logging.ERROR)  # (its warnings would break the one-line contract)
    if address in (None, "local"):
        cluster = distributed.LocalCluster(
            n_workers=LOCAL_WORKERS, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, processes=True
        )
        return distributed.Client(cluster), cluster
    try:
        return distributed.Client(address, timeout=CONNECT_TIMEOUT), None
    except (OSError, TimeoutError, ValueError) as exc:
        message = " ".join(str(exc).split())[:200]
        raise InputError(f"cannot reach the Dask scheduler at {address}: {message}") from None


# --- tasks (run on the workers) ---------------------------------------------------------------------------


def _check_labels_task(block, start, k, lowest):
    """``(first bad row, its value, first row >= k, its value)`` of a labels block (None where there is none)."""
    import numpy as np

    block = np.asarray(block).reshape(-1)
    if block.dtype.kind == "f":
        bad = ~np.isfinite(block) | (block != np.floor(block)) | (block < lowest)
    else:
        bad = block < lowest
    first = int(np.argmax(bad)) if bad.any() else None
    over = np.flatnonzero(block >= k)
    too_big = int(over[0]) if over.size else None
    return (
        None if first is None else (start + first, block[first].item()),
        None if too_big is None else (start + too_big, int(block[too_big])),
    )


def _as_labels(block, k):
    import numpy as np

    return np.asarray(block).reshape(-1).astype(compact_dtype(k))


def _pass1_task(labels, block, k, start, tolerance, renormalize):
    """``(problem, self-confidences)``: ``problem`` is ``(row, message)`` or None."""
    import numpy as np

    given = np.asarray(labels).astype(np.intp)
    try:
        rows = validate_block(given, block, k, start, tolerance=tolerance, renormalize=renormalize)
    except ProbabilityError as exc:
        return (start, str(exc)), None  # the block's first problem; the client reports the first block's
    keep = block.dtype if block.dtype.kind == "f" and not renormalize else np.float64
    return None, self_confidences(given, rows).astype(keep)


def _problem(result):
    return result[0]


def _class_values_task(labels, result, c):
    import numpy as np

    return np.asarray(result[1])[np.asarray(labels) == c]


def _class_statistics_task(qs, *parts):
    import numpy as np

    values = np.concatenate(parts).astype(np.float64) if parts else np.empty(0)
    return class_statistics(values, qs), len(values)


def _pass2_task(labels, block, truth, k, start, rule, class_thresholds, ood_thresholds, method, tolerance, renorm):
    import numpy as np

    given = np.asarray(labels).astype(np.intp)
    if renorm:
        rows = validate_block(given, block, k, start, tolerance=tolerance, renormalize=True)
    else:
        rows = np.ascontiguousarray(block, dtype=np.float64)
    best, has = suggest_block(given, rows, rule, class_thresholds)
    codes = categorize_block(given, rows, best, has, ood_thresholds)
    suggested = np.where(has, best, NO_SUGGESTION).astype(compact_dtype(k))
    quality = label_quality_scores(given, rows, method)
    tally = score_block(given, codes, np.asarray(truth)) if truth is not None else None
    summary = (joint_block(given, best, has, k), np.bincount(codes, minlength=len(CATEGORIES)), tally)
    return summary, (np.asarray(labels), suggested, codes, quality)


def _summary(result):
    return result[0]


def _items(result):
    return result[1]


class DaskItems:
    """Per-item results held by the workers: ``blocks()`` fetches one block at a time (see ``Findings.items``)."""

    def __init__(self, client, futures, starts):
        self.client, self.futures, self.starts = client, futures, starts

    def blocks(self):
        for start, future in zip(self.starts, self.futures):
            given, suggested, codes, quality = self.client.submit(_items, future).result()
            yield start, given, suggested, codes, quality


# --- the client -----------------------------------------------------------------------------------------


def _first(problems):
    found = [p for p in problems if p is not None]
    return min(found) if found else None


def find_issues_dask(labels, pred_probs, *, truth=None, address=None, rule="percentile", class_percentile=50,
                     ood_percentile=15, method=DEFAULT_METHOD, renormalize=False, tolerance=SUM_TOLERANCE, rows=None,
                     client=None):  # fmt: skip
    """:func:`cleanlens.chunked.find_issues_streamed` on Dask, from file paths (``.npy``, zarr or Parquet).

    ``address``: a scheduler's address, or None / ``"local"`` for a local cluster of 2 workers; ``client``: an
    existing ``distributed.Client`` instead. Returns a :class:`~cleanlens.chunked.Findings` whose items stay
    on the cluster (the client is kept open by them; a local cluster stops when the process ends).
    """
    import dask

    cluster = None
    if client is None:
        client, cluster = connect(address)
    lname, pname = Path(labels).name, Path(pred_probs).name
    label_array, _ = dask_array(labels, "label", rows)
    if label_array.ndim == 2 and label_array.shape[1] != 1:
        raise InputError(f"{lname}: labels must be one column (shape (N,)), got shape {tuple(label_array.shape)}")
    probabilities, _ = dask_array(pred_probs, "probabilities", rows)
    if probabilities.ndim != 2:
        raise InputError(f"{pname}: expected a 2-D array (N, K), got shape {tuple(probabilities.shape)}")
    k = probabilities.shape[1]
    rows = probabilities.chunks[0][0]
    probabilities = probabilities.rechunk((rows, k))
    label_array = label_array.reshape(-1).rechunk(rows) if label_array.ndim == 2 else label_array.rechunk(rows)
    starts = _starts(probabilities)
    blocks = probabilities.to_delayed().ravel().tolist()
    raw = client.compute(label_array.to_delayed().ravel().tolist())
    checks = client.gather([client.submit(_check_labels_task, f, s, k, 0) for f, s in zip(raw, _starts(label_array))])
    bad = _first([c[0] for c in checks])
    if bad is not None:
        label_value(lname, *bad, False)
    n, k = check_pair_shapes(lname, (label_array.shape[0],), pname, probabilities.shape, max_classes=10**9)
    too_big = _first([c[1] for c in checks])
    if too_big is not None:
        label_index(lname, *too_big, k, pname)
    given = [client.submit(_as_labels, f, k) for f in raw]
    truths = [None] * len(given)
    if truth is not None:
        truths = _truth(client, truth, rows, starts, k, n)
    delayed = dask.delayed
    pass1 = client.compute(
        [delayed(_pass1_task)(g, b, k, s, tolerance, renormalize) for g, b, s in zip(given, blocks, starts)]
    )
    problem = _first(client.gather(client.map(_problem, pass1)))
    if problem is not None:
        raise ProbabilityError(problem[1])
    qs = sorted({class_percentile, ood_percentile})
    per_class = [
        client.submit(_class_statistics_task, qs, *[client.submit(_class_values_task, g, r, c) for g, r in
                                                    zip(given, pass1)])
        for c in range(k)
    ]  # fmt: skip
    statistics = client.gather(per_class)
    class_counts = [count for _, count in statistics]
    class_thresholds, ood_thresholds = thresholds_of([s for s, _ in statistics], rule, class_percentile,
                                                     ood_percentile)  # fmt: skip
    del pass1, per_class
    pass2 = client.compute([
        delayed(_pass2_task)(g, b, t, k, s, rule, class_thresholds, ood_thresholds, method, tolerance, renormalize)
        for g, b, t, s in zip(given, blocks, truths, starts)
    ])  # fmt: skip
    summaries = client.gather(client.map(_summary, pass2))
    joint = sum(j for j, _, _ in summaries)
    counts = sum(c for _, c, _ in summaries).tolist()
    score = None
    if truth is not None:
        from .scoring import score_counts

        score = score_counts(*[sum(t[i] for _, _, t in summaries) for i in range(3)])
    findings = _findings([str(c) for c in range(k)], n, rule, class_percentile, ood_percentile, class_thresholds,
                         ood_thresholds, joint, counts, class_counts, method, score,
                         DaskItems(client, pass2, starts))  # fmt: skip
    findings.close = lambda: _close(client, cluster, pass2, own=cluster is not None)
    return findings


def _close(client, cluster, futures, own):
    """Release the results held by the workers; close the client and the cluster this run started."""
    client.cancel(futures)
    if own:
        client.close()
        cluster.close()


def _starts(array):
    """The first row of each block of a dask array."""
    import numpy as np

    return np.concatenate([[0], np.cumsum(array.chunks[0])[:-1]]).astype(int).tolist()


def _truth(client, path, rows, starts, k, n):
    """The truth blocks (futures), checked with the in-memory path's messages."""
    tname = Path(path).name
    array, _ = dask_array(path, "truth", rows)
    array = array.reshape(-1).rechunk(rows) if array.ndim == 2 else array.rechunk(rows)
    raw = client.compute(array.to_delayed().ravel().tolist())
    checks = client.gather([client.submit(_check_labels_task, f, s, k, -1) for f, s in zip(raw, _starts(array))])
    bad = _first([c[0] for c in checks])
    if bad is not None:
        label_value(tname, *bad, True)
    if array.shape[0] != n:
        raise InputError(f"{tname} has {array.shape[0]} labels, expected {n}")
    too_big = _first([c[1] for c in checks])
    if too_big is not None:
        raise InputError(f"{tname}: row {too_big[0]}: {too_big[1]} is not a class index in 0..{k - 1} or -1 (OOD)")
    return [client.submit(_as_labels, f, k) for f in raw]
