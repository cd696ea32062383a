"""``find-issues --dask``: the streamed computation (:mod:`cleanlens.chunked`) on a Dask cluster.

The arrays are dask collections read by the workers: ``.npy`` through a memory map per block
(``dask.array.from_array`` over a lazy, picklable reader), zarr (``dask.array.from_zarr``) and Parquet
(``dask.dataframe.read_parquet``, the columns of :mod:`cleanlens.tables`). The blocks of rows run the same
functions as on one machine, as tasks:

1. each labels block is checked (the first bad row of each block comes back; the client reports the first
   of all, with the in-memory path's message) and its items per class counted;
2. pass 1, per block: validate the rows, keep the self-confidences on the worker (a problem comes back as
   ``(row, message)``, the first row reported); with ``filter_by``, the selections' samples come back
   (:mod:`cleanlens.chunked_issues`);
3. per class: one task gathers the class's self-confidences from every block, in item order, and computes
   :func:`~cleanlens.chunked.class_statistics` (exact percentiles by selection, numpy's mean in cleanlab's
   dtype): N values cross the network in all, never the N x K probabilities, and only K x 2 numbers reach
   the client;
4. pass 2, per block (:func:`cleanlens.chunked.analyse_block`): suggestions, categories, scores and the
   block's joint, and cleanlab's confident joint; the small sums come back, the per-item results stay on
   the workers until the report reads them a block at a time;
5. with ``filter_by``: the passes :class:`cleanlens.chunked_issues.IssueCounts` asks for, as tasks per block
   (the gathered keys come back, bounded; the ``find_label_issues`` mask stays on the workers).

So the results equal the in-memory path's (tested on a local cluster of 2 workers). Without an address a
``LocalCluster`` of 2 single-threaded workers on 127.0.0.1 is started (and stopped at the end); with one,
the client connects to it (an unreachable scheduler is one line and exit status 2).
"""

from __future__ import annotations

from pathlib import Path

from .array_files import label_value
from .arrays_io import InputError
from .chunked import (
    _findings,
    analyse_block,
    class_statistics,
    cleanlab_thresholds,
    compact_dtype,
    rows_of_block,
    score_block,
    self_confidences,
    thresholds_of,
    validate_block,
)
from .chunked_issues import (
    IssueCounts,
    compute_dtype,
    pass_block,
    rows_in_dtype,
    sample_block,
)
from .confident import CATEGORIES, RULES, SUM_TOLERANCE, ProbabilityError
from .rank import DEFAULT_METHOD
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
    """``(first bad row and its value, first row >= k and its value, items per class)`` of a labels block
    (None where there is none; the counts are of the labels in 0..k-1)."""
    import numpy as np

    block = np.asarray(block).reshape(-1)
    if block.dtype.kind == "f":
        bad = ~np.isfinite(block) | (block != np.floor(block)) | (block < lowest)
    else:
        bad = block < lowest
    first = int(np.argmax(bad)) if bad.any() else None
    over = np.flatnonzero(block >= k)
    too_big = int(over[0]) if over.size else None
    valid = block[~bad & (block >= 0) & (block < k)].astype(np.intp)
    return (
        None if first is None else (start + first, block[first].item()),
        None if too_big is None else (start + too_big, int(block[too_big])),
        np.bincount(valid, minlength=k),
    )


def _as_labels(block, k):
    import numpy as np

    return np.asarray(block).reshape(-1).astype(compact_dtype(k))


def _pass1_task(labels, block, k, start, tolerance, renormalize, offsets, strides, method):
    """``(problem, self-confidences, samples)``: ``problem`` is ``(row, message)`` or None; ``samples``: the
    selections' (:func:`cleanlens.chunked_issues.sample_block`), or None."""
    import numpy as np

    given = np.asarray(labels).astype(np.intp)
    try:
        rows = validate_block(given, block, k, start, tolerance=tolerance, renormalize=renormalize)
    except ProbabilityError as exc:
        return (start, str(exc)), None, None  # the block's first problem; the client reports the first block's
    keep = block.dtype if block.dtype.kind == "f" and not renormalize else np.float64
    samples = None
    if strides:
        rows_dt = rows_in_dtype(rows, block, compute_dtype(block.dtype), renormalize)
        samples = sample_block(given, rows_dt, offsets, start, strides, method)
    return None, self_confidences(given, rows).astype(keep), samples


def _problem(result):
    return result[0]


def _samples(result):
    return result[2]


def _class_values_task(labels, result, c):
    import numpy as np

    return np.asarray(result[1])[np.asarray(labels) == c]


def _class_statistics_task(qs, dtype, *parts):
    import numpy as np

    values = np.concatenate(parts) if parts else np.empty(0)
    return class_statistics(values, qs, dtype), len(values)


def _pass2_task(labels, block, truth, k, start, options, thresholds):
    """``(summary, items, mask)`` of a block: ``summary`` = (the rule's joint, category counts, the truth's
    tally or None, (cleanlab's confident joint, off-diagonal count) or None) comes back; the per-item
    results and the pass 2 filters' mask stay on the worker."""
    import numpy as np

    given = np.asarray(labels).astype(np.intp)
    rows, rows_dt = rows_of_block(given, block, k, start, options["dtype"], renormalize=options["renormalize"],
                                  tolerance=options["tolerance"])  # fmt: skip
    suggested, codes, quality, joint, counted = analyse_block(
        given, rows, rows_dt, options["rule"], thresholds, filter_by=options["filter_by"], method=options["method"]
    )
    tally = score_block(given, codes, np.asarray(truth)) if truth is not None else None
    summary = (joint, np.bincount(codes, minlength=len(CATEGORIES)), tally, counted and counted[:2])
    items = (np.asarray(labels), suggested.astype(compact_dtype(k)), codes, quality)
    return summary, items, counted and counted[2]


def _summary(result):
    return result[0]


def _items(result):
    return result[1]


def _mask(result):
    return result[2]


def _issue_pass_task(labels, block, k, start, offsets, options, kind, spec):
    """One block of a pass of :class:`cleanlens.chunked_issues.IssueCounts`: gathering, whole groups, or the
    marking (its mask stays on the worker)."""
    import numpy as np

    given = np.asarray(labels).astype(np.intp)
    _, rows = rows_of_block(given, block, k, start, options["dtype"], renormalize=options["renormalize"],
                            tolerance=options["tolerance"])  # fmt: skip
    return pass_block(kind, spec, given, rows, offsets, start, options["filter_by"], options["issue_method"])


def _count_task(mask):
    import numpy as np

    return int(np.count_nonzero(mask))


class DaskItems:
    """Per-item results held by the workers: ``blocks()`` fetches one block at a time (see ``Findings.items``)."""

    def __init__(self, client, futures, starts):
        self.client, self.futures, self.starts = client, futures, starts

    def blocks(self):
        for start, future in zip(self.starts, self.futures):
            given, suggested, codes, quality = self.client.submit(_items, future).result()
            yield start, given, suggested, codes, quality


class DaskMask:
    """The ``find_label_issues`` mask held by the workers: ``blocks()`` fetches one block at a time."""

    def __init__(self, futures, starts):
        self.futures, self.starts = futures, starts

    def blocks(self):
        for start, future in zip(self.starts, self.futures):
            yield start, future.result()


# --- the client -----------------------------------------------------------------------------------------


def _first(problems):
    found = [p for p in problems if p is not None]
    return min(found) if found else None


def find_issues_dask(labels, pred_probs, *, truth=None, address=None, rule="percentile", class_percentile=50,
                     ood_percentile=15, method=DEFAULT_METHOD, renormalize=False, tolerance=SUM_TOLERANCE, rows=None,
                     client=None, filter_by=None, ties="numpy", health=False):  # fmt: skip
    """:func:`cleanlens.chunked.find_issues_streamed` on Dask, from file paths (``.npy``, zarr or Parquet).

    ``address``: a scheduler's address, or None / ``"local"`` for a local cluster of 2 workers; ``client``: an
    existing ``distributed.Client`` instead. ``rule``: one of :data:`cleanlens.confident.RULES`; ``filter_by``,
    ``ties``, ``health``: as for :func:`~cleanlens.chunked.find_issues_streamed`. Returns a
    :class:`~cleanlens.chunked.Findings` whose items (and ``find_label_issues`` mask) stay on the cluster (the
    client is kept open by them; a local cluster stops when the process ends).
    """
    if rule not in RULES:
        raise ValueError(f"unknown threshold rule {rule!r}; expected one of {', '.join(RULES)}")
    cluster = None
    if client is None:
        client, cluster = connect(address)
    run = _Run(client, rows)
    run.open(labels, pred_probs, truth)
    options = dict(rule=rule, method=method, renormalize=renormalize, tolerance=tolerance, filter_by=filter_by,
                   dtype=compute_dtype(run.probabilities.dtype))  # fmt: skip
    issues = IssueCounts(filter_by, run.class_counts, options["dtype"], ties) if filter_by else None
    options["issue_method"] = issues.method if issues is not None else None
    statistics = run.first_pass(options, issues, sorted({class_percentile, ood_percentile}))
    class_thresholds, ood_thresholds = thresholds_of(statistics, rule, class_percentile, ood_percentile)
    thresholds = (class_thresholds, ood_thresholds, cleanlab_thresholds(statistics))
    pass2, joint, counts, score = run.second_pass(options, thresholds, issues)
    findings = _findings([str(c) for c in range(run.k)], run.n, rule, class_percentile, ood_percentile,
                         class_thresholds, ood_thresholds, joint, counts, run.class_counts, method, score,
                         DaskItems(client, pass2, run.starts))  # fmt: skip
    held = [pass2]
    if issues is not None:
        issues.finish()
        masks = run.issue_passes(options, issues, client.map(_mask, pass2))
        held.append(masks)
        count = sum(client.gather(client.map(_count_task, masks)))
        findings.issues = issues.sections(DaskMask(masks, run.starts), count, findings.classes, health)
    findings.close = lambda: _close(client, cluster, [f for futures in held for f in futures], own=cluster is not None)
    return findings


class _Run:
    """One ``find_issues_dask`` run: the dask arrays, their blocks, and the passes over them."""

    def __init__(self, client, rows):
        self.client, self.rows = client, rows

    def open(self, labels, pred_probs, truth):
        """Read the shapes, check the labels (and truth) block by block; set ``given`` (futures of the labels'
        blocks), ``blocks`` (delayed probability blocks), ``starts``, ``offsets`` (items of each class before
        each block), ``class_counts``, ``n``, ``k`` and ``truths``."""
        import numpy as np

        client = self.client
        lname, pname = Path(labels).name, Path(pred_probs).name
        label_array, _ = dask_array(labels, "label", self.rows)
        if label_array.ndim == 2 and label_array.shape[1] != 1:
            raise InputError(f"{lname}: labels must be one column (shape (N,)), got shape {tuple(label_array.shape)}")
        probabilities, _ = dask_array(pred_probs, "probabilities", self.rows)
        if probabilities.ndim != 2:
            raise InputError(f"{pname}: expected a 2-D array (N, K), got shape {tuple(probabilities.shape)}")
        k = probabilities.shape[1]
        rows = probabilities.chunks[0][0]
        self.probabilities = probabilities = probabilities.rechunk((rows, k))
        label_array = label_array.reshape(-1).rechunk(rows) if label_array.ndim == 2 else label_array.rechunk(rows)
        self.starts = _starts(probabilities)
        self.blocks = probabilities.to_delayed().ravel().tolist()
        raw = client.compute(label_array.to_delayed().ravel().tolist())
        checks = client.gather(
            [client.submit(_check_labels_task, f, s, k, 0) for f, s in zip(raw, _starts(label_array))]
        )
        bad = _first([c[0] for c in checks])
        if bad is not None:
            label_value(lname, *bad, False)
        self.n, self.k = check_pair_shapes(lname, (label_array.shape[0],), pname, probabilities.shape,
                                           max_classes=10**9)  # fmt: skip
        too_big = _first([c[1] for c in checks])
        if too_big is not None:
            label_index(lname, *too_big, self.k, pname)
        per_block = np.array([c[2] for c in checks], dtype=np.int64).reshape(len(checks), self.k)
        self.class_counts = per_block.sum(axis=0).tolist()
        self.offsets = list(np.cumsum(per_block, axis=0) - per_block)
        self.given = [client.submit(_as_labels, f, self.k) for f in raw]
        self.truths = [None] * len(self.given)
        if truth is not None:
            self.truths = _truth(client, truth, rows, self.starts, self.k, self.n)

    def first_pass(self, options, issues, qs):
        """Pass 1 and the per-class statistics (the samples go to ``issues``); returns the statistics."""
        import dask

        client, delayed = self.client, dask.delayed
        strides = issues.strides if issues is not None else {}
        pass1 = client.compute([
            delayed(_pass1_task)(g, b, self.k, s, options["tolerance"], options["renormalize"], o, strides,
                                 options["issue_method"])
            for g, b, s, o in zip(self.given, self.blocks, self.starts, self.offsets)
        ])  # fmt: skip
        problem = _first(client.gather(client.map(_problem, pass1)))
        if problem is not None:
            raise ProbabilityError(problem[1])
        if strides:
            for samples in client.gather(client.map(_samples, pass1)):
                issues.add_samples(samples)
        per_class = [
            client.submit(_class_statistics_task, qs, options["dtype"],
                          *[client.submit(_class_values_task, g, r, c) for g, r in zip(self.given, pass1)])
            for c in range(self.k)
        ]  # fmt: skip
        statistics = client.gather(per_class)
        del pass1, per_class  # (dropping the futures releases the values on the workers)
        return [s for s, _ in statistics]

    def second_pass(self, options, thresholds, issues):
        """Pass 2: ``(futures of its results, the rule's joint, category counts, score)``; the cleanlab sums
        go to ``issues``."""
        import dask

        client, delayed = self.client, dask.delayed
        pass2 = client.compute([
            delayed(_pass2_task)(g, b, t, self.k, s, options, thresholds)
            for g, b, t, s in zip(self.given, self.blocks, self.truths, self.starts)
        ])  # fmt: skip
        summaries = client.gather(client.map(_summary, pass2))
        joint = sum(j for j, _, _, _ in summaries)
        counts = sum(c for _, c, _, _ in summaries).tolist()
        score = None
        if summaries[0][2] is not None:
            from .scoring import score_counts

            score = score_counts(*[sum(t[i] for _, _, t, _ in summaries) for i in range(3)])
        if issues is not None:
            for _, _, _, counted in summaries:
                issues.add_counts(*counted)
        return pass2, joint, counts, score

    def issue_passes(self, options, issues, masks):
        """The passes ``issues`` asks for; returns the futures of the mask's blocks (pass 2's, or the marking
        pass's)."""
        import dask

        client, delayed = self.client, dask.delayed
        while (step := issues.next_pass()) is not None:
            kind, spec = step
            futures = client.compute([
                delayed(_issue_pass_task)(g, b, self.k, s, o, options, kind, spec)
                for g, b, s, o in zip(self.given, self.blocks, self.starts, self.offsets)
            ])  # fmt: skip
            if kind == "mark":
                return futures
            if kind == "gather":
                while futures:  # one block's keys at a time
                    issues.add_gathered(futures.pop(0).result())
                issues.finish_gathering()
            else:
                issues.add_whole(client.gather(futures))
            del futures
        return masks


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
