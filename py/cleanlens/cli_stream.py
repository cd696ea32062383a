"""``find-issues`` on ``.npy`` and Parquet files in bounded memory: read, check, analyse and report in blocks.

The command line's streamed path (numpy): the files are :class:`cleanlens.tables.Table` s, checked with the
messages of the in-memory path (:func:`cleanlens.array_files.read_labels`, :func:`cleanlens.userdata.
check_pair_shapes`, :func:`cleanlens.userdata.label_index`) in the same order, analysed by
:func:`cleanlens.chunked.find_issues_streamed` (or on Dask, :mod:`cleanlens.distributed`), with cleanlab's
``find_label_issues`` (``--filter-by``, ``--ties``) and dataset health (``--health``) as
:mod:`cleanlens.cli_issues` reports them in memory (:mod:`cleanlens.chunked_issues`), and reported without
building the per-item lists: the JSON report is written a block at a time and is the same text
``json.dumps`` writes for the in-memory report; the text report needs only a summary
(:func:`cleanlens.cli.report_summary`'s, computed from the blocks).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

from .array_files import label_value
from .arrays_io import InputError
from .chunked import NO_SUGGESTION, Findings, compact_dtype
from .chunked_issues import IssueFindings
from .confident import CATEGORIES, LABEL_ISSUE, OOD
from .tables import Table, open_table
from .userdata import check_pair_shapes, label_index

REPORT_LIMIT = 20


def read_labels_table(table: Table, k=None, *, allow_ood=False):
    """``(labels, too_big)``: the labels of a table as an integer array (N,) (the smallest dtype holding -1..K-1
    when ``k`` is given, else int64), checked block by block with
    :func:`~cleanlens.array_files.read_labels`' messages (whole numbers, not negative; -1 allowed with
    ``allow_ood``; the first bad row of the file is reported), and the first ``(row, label)`` with a label
    >= ``k`` (None if there is none, or ``k`` is None), for the caller to report after its own checks."""
    import numpy as np

    name = table.name
    if len(table.shape) == 2 and table.shape[1] != 1:
        raise InputError(f"{name}: labels must be one column (shape (N,)), got shape {table.shape}")
    lowest = -1 if allow_ood else 0
    labels = np.empty(table.n_rows, dtype=np.int64 if k is None else compact_dtype(k))
    too_big = None
    for start, block in table.blocks():
        block = block.reshape(len(block))
        if block.dtype.kind == "f":
            bad = ~np.isfinite(block) | (block != np.floor(block)) | (block < lowest)
        else:
            bad = block < lowest
        if bad.any():
            i = int(np.argmax(bad))
            label_value(name, start + i, block[i].item(), allow_ood)
        if too_big is None and k is not None:
            over = np.flatnonzero(block >= k)
            if over.size:
                too_big = (start + int(over[0]), int(block[over[0]]))
        if too_big is None and k is not None:  # (otherwise an error follows: values may not fit)
            labels[start : start + len(block)] = block
    return labels, too_big


def _labels_table(path, role):
    """A table for a labels or truth file: ``.npy`` and Parquet as they are, a CSV read whole (N values)."""
    from pathlib import Path

    from .array_files import read_labels
    from .tables import ArrayTable, is_streamable

    if is_streamable(path):
        return open_table(path, role)
    return ArrayTable(read_labels(path, allow_ood=role == "truth", as_array=True), Path(path).name)


def open_inputs(labels_path, probabilities_path, truth_path=None):
    """``(labels, probabilities, truth)``: checked labels (N,) and truth (N,) as integer arrays (truth may be
    None) and the probabilities as a :class:`~cleanlens.tables.Table` (values checked when analysed), with
    the in-memory path's messages, the first problem in its order of checks reported."""
    from pathlib import Path

    from .tables import ArrayTable, is_streamable

    lname, pname = Path(labels_path).name, Path(probabilities_path).name
    labels_table = _labels_table(labels_path, "label")  # (the labels' own problems come first)
    try:
        if is_streamable(probabilities_path):
            probabilities, problem = open_table(probabilities_path, "probabilities"), None
        else:
            from .array_files import read_matrix_shape

            probabilities, problem = ArrayTable(read_matrix_shape(probabilities_path, as_array=True)[0], pname), None
        k = probabilities.shape[1] if len(probabilities.shape) == 2 else None
    except InputError as exc:
        probabilities, problem, k = None, exc, None
    labels, too_big = read_labels_table(labels_table, k)
    if problem is not None:
        raise problem
    if len(probabilities.shape) != 2:
        raise InputError(f"{pname}: expected a 2-D array (N, K), got shape {probabilities.shape}")
    _, k = check_pair_shapes(lname, (len(labels),), pname, probabilities.shape, max_classes=sys.maxsize)
    if too_big is not None:
        label_index(lname, *too_big, k, pname)
    truth = None
    if truth_path is not None:
        tname = Path(truth_path).name
        truth, too_big = read_labels_table(_labels_table(truth_path, "truth"), k, allow_ood=True)
        if len(truth) != len(labels):
            raise InputError(f"{tname} has {len(truth)} labels, expected {len(labels)}")
        if too_big is not None:
            raise InputError(f"{tname}: row {too_big[0]}: {too_big[1]} is not a class index in 0..{k - 1} or -1 (OOD)")
    return labels, probabilities, truth


# --- reports ---------------------------------------------------------------------------------------


def report_head(findings: Findings):
    """The report's fields that are not per item, as :func:`cleanlens.cli.find_issues` names them."""
    return {
        "classes": findings.classes,
        "n_items": findings.n_items,
        "rule": findings.rule,
        "class_percentile": findings.class_percentile,
        "ood_percentile": findings.ood_percentile,
        "thresholds": {"class": _finite(findings.class_thresholds), "ood": _finite(findings.ood_thresholds)},
        "confident_joint": findings.joint,
        "counts": findings.counts,
        "label_quality_method": findings.method,
        "warnings": [asdict(w) for w in findings.warnings],
    }


def _finite(values):
    return [v if v not in (float("inf"), float("-inf")) else None for v in values]


def summary(findings: Findings, limit=REPORT_LIMIT):
    """:func:`cleanlens.cli.report_summary` computed from the blocks of ``findings.items``."""
    import numpy as np

    worst = [np.empty(0), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)]
    ood, n_issues, n_ood = [], 0, 0
    for start, given, suggested, codes, quality in findings.items.blocks():
        issues = np.flatnonzero(codes == LABEL_ISSUE)
        n_issues += len(issues)
        more = (np.asarray(quality[issues], dtype=np.float64), issues + start, given[issues], suggested[issues])
        worst = [np.concatenate([a, b]) for a, b in zip(worst, more)]
        keep = np.lexsort((worst[1], worst[0]))[:limit]  # by score, ties by item: label_quality_order's order
        worst = [a[keep] for a in worst]
        out = np.flatnonzero(codes == OOD)
        n_ood += len(out)
        ood += (out[: max(0, limit - len(ood))] + start).tolist()
    q, i, g, s = (a.tolist() for a in worst)
    return {
        "class_items": findings.class_counts,
        "issues": list(zip(i, g, s, q)),
        "n_issues": n_issues,
        "ood": ood,
        "n_ood": n_ood,
    }


def write_json(findings: Findings, write, *, extra=None):
    """Write the complete JSON report with ``write(text)``, a block at a time: the text ``json.dumps`` gives
    for :func:`cleanlens.cli.find_issues`' report (same keys, order and separators). ``extra``: fields
    appended at the end (``score``)."""
    head = report_head(findings)
    first = ("classes", "n_items", "rule", "class_percentile", "ood_percentile", "thresholds", "confident_joint")
    write("{" + ", ".join(f"{json.dumps(key)}: {json.dumps(head[key])}" for key in first))
    write(f', "counts": {json.dumps(head["counts"])}')
    for key, code in zip(("correct", "label_issues", "ood", "unconfident"), range(len(CATEGORIES))):
        _write_list(write, key, (_items_of(start, codes, code) for start, _, _, codes, _ in findings.items.blocks()))
    _write_list(write, "suggested", (_suggestions(s) for _, _, s, _, _ in findings.items.blocks()))
    _write_list(write, "given", (json.dumps(g.tolist())[1:-1] for _, g, _, _, _ in findings.items.blocks()))
    write(f', "label_quality_method": {json.dumps(head["label_quality_method"])}')
    _write_list(write, "label_quality", (_floats(q) for _, _, _, _, q in findings.items.blocks()))
    write(f', "warnings": {json.dumps(head["warnings"])}')
    if findings.issues is not None:
        _write_issues(write, findings.issues)
    for key, value in (extra or {}).items():
        write(f", {json.dumps(key)}: {json.dumps(value)}")
    write("}")


def issue_sections(issues: IssueFindings | None) -> dict:
    """The report's ``find_label_issues`` (without its list of items) and ``health`` entries, as
    :func:`cleanlens.cli_issues.sections` words them (for the text report)."""
    if issues is None:
        return {}
    found = {"filter_by": issues.filter_by, "count": issues.count, "num_label_issues": issues.num_label_issues}
    return {"find_label_issues": found, **({"health": issues.health} if issues.health is not None else {})}


def _write_issues(write, issues):
    """``, "find_label_issues": {...}`` and ``, "health": {...}``, the text ``json.dumps`` gives for
    :func:`cleanlens.cli_issues.sections`' entries (the flagged items written a block at a time)."""
    write(f', "find_label_issues": {{"filter_by": {json.dumps(issues.filter_by)}')
    _write_list(write, "label_issues", (_items_of(start, mask, True) for start, mask in issues.mask.blocks()))
    write(
        f', "count": {issues.count}, "num_label_issues": {issues.num_label_issues}, "ties": {json.dumps(issues.ties)}}}'
    )
    if issues.health is not None:
        write(f', "health": {json.dumps(issues.health)}')


def _write_list(write, key, fragments):
    write(f", {json.dumps(key)}: [")
    first = True
    for text in fragments:
        if text:
            write(text if first else ", " + text)
            first = False
    write("]")


def _items_of(start, codes, code):
    import numpy as np

    return json.dumps((np.flatnonzero(codes == code) + start).tolist())[1:-1]


def _suggestions(block):
    # The only negative value is NO_SUGGESTION: its text becomes null (every other number is >= 0).
    assert NO_SUGGESTION == -1
    return json.dumps(block.tolist())[1:-1].replace("-1", "null")


def _floats(block):
    import numpy as np

    return json.dumps(np.asarray(block, dtype=np.float64).tolist())[1:-1]


# --- the command ------------------------------------------------------------------------------------


def wants_streaming(args):
    """True when ``find-issues`` should take this path: ``--dask``, or ``--labels``/``--pred-probs`` where the
    probabilities (or any input) are ``.npy`` (unless ``--in-memory``) or Parquet, and numpy imports."""
    from .tables import is_parquet

    if getattr(args, "dask", None) is not None:
        return True
    if args.dataset or not (args.labels and args.pred_probs):
        return False
    paths = [p for p in (args.labels, args.pred_probs, args.truth) if p]
    if any(is_parquet(p) for p in paths):
        return True
    try:
        import numpy  # noqa: F401
    except ImportError:
        return False
    return args.pred_probs.lower().endswith(".npy") and not getattr(args, "in_memory", False)


def analyse(args):
    """The :class:`~cleanlens.chunked.Findings` for ``find-issues`` arguments, streamed or on Dask."""
    options = dict(
        rule=args.thresholds,
        class_percentile=args.class_percentile,
        ood_percentile=args.ood_percentile,
        method=args.rank_by,
        renormalize=args.renormalize,
        filter_by=args.filter_by,
        ties=args.ties,
        health=args.health,
    )
    if args.dataset:
        raise InputError("--dask takes --labels and --pred-probs, not --dataset")
    if not (args.labels and args.pred_probs):
        raise InputError("find-issues needs --labels and --pred-probs, or --dataset")
    if getattr(args, "dask", None) is not None:
        from .distributed import find_issues_dask

        return find_issues_dask(args.labels, args.pred_probs, truth=args.truth, address=args.dask, **options)
    from .chunked import find_issues_streamed

    labels, probabilities, truth = open_inputs(args.labels, args.pred_probs, args.truth)
    return find_issues_streamed(labels, probabilities, truth=truth, **options)


def run(args, format_report):
    """Analyse and write the reports (``--out``, ``--json`` or the text report); returns the exit status 0."""
    from pathlib import Path

    findings = analyse(args)
    extra = {"score": asdict(findings.score)} if findings.score is not None else None
    if args.out:
        path = Path(args.out)
        try:
            with open(path, "w", encoding="utf-8") as out:
                write_json(findings, out.write, extra=extra)
        except OSError as exc:
            raise InputError(f"{path.name}: cannot write: {exc.strerror}") from None
    try:
        if args.json:
            write_json(findings, sys.stdout.write, extra=extra)
            sys.stdout.write("\n")
        else:
            report = dict(report_head(findings), **issue_sections(findings.issues), **(extra or {}))
            print(format_report(report, summary(findings)))
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        getattr(findings, "close", lambda: None)()  # (Dask: the cluster's results and a local cluster)
    return 0
