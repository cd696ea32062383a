"""Command line: ``python -m cleanlens find-issues ...`` (or ``cleanlens find-issues ...``).

Two ways to give the data:

- ``--labels L --pred-probs P``: given labels (N,) and out-of-sample
  probabilities (N, K), as cleanlab takes them, each a ``.npy`` or CSV file;
  optionally ``--truth T`` (true class per item, -1 = out of distribution).
- ``--dataset FILE``: the demo dataset JSON (see :mod:`cleanlens.dataset`) or
  a CSV of features with a ``label`` column, read as the page reads them
  (:mod:`cleanlens.userdata`, embeddings mode, without its row and file-size
  limits); the probabilities are then
  computed first by cross-validation (``--engine``, ``--folds``, ``--seed``,
  ``--C``, ``--gamma``).

Output: a human-readable report (long lists are cut after the first
:data:`REPORT_LIMIT` items, saying how many more), or with ``--json`` one
complete JSON object with
``classes``, ``n_items``, ``rule``, ``class_percentile``, ``ood_percentile``,
``thresholds`` (``{"class": [...], "ood": [...]}``, ``null`` for an infinite
threshold), ``confident_joint`` (K x K counts, rows = given label),
``counts``, ``correct``, ``label_issues``, ``ood``, ``unconfident`` (sorted
0-based item indices), ``suggested`` (per item, class index or null),
``given`` (per item), ``label_quality_method`` and ``label_quality`` (per
item, the label quality score of ``--rank-by``, :mod:`cleanlens.rank`),
``warnings``, and, when known, ``ids``, ``engine`` (cross-validation details)
and ``score`` (against the true labels). ``--out FILE`` also writes that JSON
object to FILE. The text report lists the label issues worst score first.

Files are read as the page reads them: the same ``.npy`` header checks and
CSV reader (:mod:`cleanlens.arrays_io`) and, for ``--labels``/``--pred-probs``,
the same shape and label checks (:func:`cleanlens.userdata.check_pair_shapes`,
:func:`cleanlens.userdata.label_index`). With numpy installed, ``.npy`` data
is then read by ``numpy.load(allow_pickle=False)`` and confident learning and
the scores run on numpy arrays
(:class:`cleanlens.confident.ArrayConfidentLearning`): the same results and
the same messages as without numpy (tested). cleanlab's ``find_label_issues``
(``--filter-by``) and dataset health (``--health``) are :mod:`cleanlens.cli_issues`'.
At N = 200,000, K = 10 (17.6 MB of ``.npy``), ``find-issues --json`` takes
0.76 s of CPU and 112 MB of resident memory, 5.2 s and 203 MB without numpy
(``bench/bench_cleanlab.py``; 0.58 s and 3.4 s before it also ran
``find_label_issues``).

Exit status: 0 on success, 2 on bad input or usage, with one line on stderr
(``cleanlens: error: ...``); never a traceback: an unexpected failure is
reported as an internal error, also with exit status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from dataclasses import asdict
from pathlib import Path

from . import __version__, cli_issues
from .array_files import read_labels, read_matrix_shape
from .arrays_io import open_source
from .confident import (
    DEFAULT_CLASS_PERCENTILE,
    DEFAULT_OOD_PERCENTILE,
    RULES,
    SUM_TOLERANCE,
    ProbabilityError,
    learner,
)
from .crossval import (
    DEFAULT_C,
    DEFAULT_FOLDS,
    DEFAULT_GAMMA,
    DEFAULT_SEED,
    ENGINES,
    out_of_sample_probabilities,
)
from .errors import CleanlensError
from .rank import DEFAULT_METHOD, METHODS, label_quality_order, label_quality_scores
from .scoring import score, truly_wrong
from .userdata import check_pair_shapes, label_index, load_files

EXIT_USAGE = 2
REPORT_LIMIT = 20
"""The text report lists at most this many label issues (and OOD items); --json and --out have them all."""


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line on stderr (exit 2)."""

    def error(self, message):
        raise _Fail(f"{self.prog}: {message} (see --help)")


class _Fail(CleanlensError):
    """Bad input: the message is printed as one line on stderr, exit status 2."""


def _percentile(text):
    try:
        q = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= q <= 100.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 100, got {text}")
    return q


def _positive(text):
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (math.isfinite(x) and x > 0.0):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return x


def build_parser():
    parser = _Parser(prog="cleanlens", description="Find label issues with confident learning.")
    parser.add_argument("--version", action="version", version=f"cleanlens {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = commands.add_parser(
        "find-issues",
        help="categorise items as correct, label issue, out of distribution or unconfident",
        description="Categorise items with confident learning; see docs/definitions.md for the exact rules. "
        "Item indices are 0-based.",
    )
    data = p.add_argument_group("data (either --labels and --pred-probs, or --dataset)")
    data.add_argument("--labels", metavar="FILE", help="given labels, shape (N,), .npy or CSV")
    data.add_argument("--pred-probs", metavar="FILE", help="out-of-sample probabilities, shape (N, K), .npy or CSV")
    data.add_argument("--truth", metavar="FILE", help="optional true labels (N,), -1 = out of distribution")
    data.add_argument("--dataset", metavar="FILE", help="dataset JSON, or CSV of features with a 'label' column")
    data.add_argument(
        "--renormalize",
        action="store_true",
        help=f"divide probability rows by their sum (default: rows must sum to 1 within {SUM_TOLERANCE:g})",
    )
    rule = p.add_argument_group("thresholds")
    rule.add_argument("--thresholds", choices=RULES, default="percentile", help="threshold rule (default: percentile)")
    rule.add_argument(
        "--class-percentile",
        type=_percentile,
        default=DEFAULT_CLASS_PERCENTILE,
        metavar="Q",
        help="default: %(default)g",
    )
    rule.add_argument(
        "--ood-percentile", type=_percentile, default=DEFAULT_OOD_PERCENTILE, metavar="Q", help="default: %(default)g"
    )
    p.add_argument(
        "--rank-by",
        choices=METHODS,
        default=DEFAULT_METHOD,
        help="label quality score (cleanlab.rank's methods) listing label issues worst first (default: %(default)s)",
    )
    cv = p.add_argument_group("cross-validation (with --dataset)")
    cv.add_argument("--engine", choices=ENGINES, default="auto", help="default: auto (scikit-learn if installed)")
    cv.add_argument("--folds", type=int, default=DEFAULT_FOLDS, help="default: %(default)s")
    cv.add_argument("--seed", type=int, default=DEFAULT_SEED, help="default: %(default)s")
    cv.add_argument("--C", type=_positive, default=DEFAULT_C, help="SVM C (default: %(default)g)")
    cv.add_argument(
        "--gamma",
        type=_positive,
        default=DEFAULT_GAMMA,
        help="RBF gamma on standardised features (default: %(default)g)",
    )
    cli_issues.add_arguments(p)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a report")
    p.add_argument("--out", metavar="FILE", help="also write the complete report as JSON to FILE")
    _add_scale_options(p)
    _add_explore_command(commands)
    return parser


def _add_scale_options(p):
    """find-issues' options for large data: streaming (the default for .npy and Parquet) and Dask."""
    scale = p.add_argument_group("large data (docs/notebook.md)")
    scale.add_argument(
        "--in-memory",
        action="store_true",
        help="read .npy files whole instead of streaming them in blocks (the same results; for comparison)",
    )
    scale.add_argument(
        "--dask",
        nargs="?",
        const="local",
        metavar="ADDRESS",
        help="run on Dask: a scheduler's address, or none for a local cluster of 2 workers on 127.0.0.1 "
        "(.npy, Parquet or zarr; needs cleanlens[dask])",
    )


def _add_explore_command(commands):
    from .explore_server import add_arguments

    p = commands.add_parser(
        "explore",
        help="open the page on your labels and probabilities (served on 127.0.0.1)",
        description="Serve the page on 127.0.0.1 with these data opened in it; prints its address, opens the "
        "browser, and serves until Ctrl-C. Only the site and these files are served, behind a random token.",
    )
    add_arguments(p)


def _command(args):
    """The function that runs a command other than in-memory find-issues (it writes its own output), or None."""
    if args.command == "explore":
        from .explore_server import run

        return run
    from . import cli_stream

    if cli_stream.wants_streaming(args):
        return lambda args: cli_stream.run(args, format_report)
    return None


def main(argv=None):
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    try:
        args = build_parser().parse_args(argv)
        command = _command(args)
        if command is not None:
            return command(args)
        report = find_issues(args)
        if args.out:
            _write_json(Path(args.out), report)
    except CleanlensError as exc:
        return _error(_one_line(exc))
    except RecursionError:
        return _error("the input is too deeply nested to read")
    except MemoryError:
        return _error("not enough memory for this input")
    except Exception as exc:  # noqa: BLE001 (the contract: one line and exit 2, never a traceback)
        return _error(f"internal error: {type(exc).__name__}: {_one_line(exc)}")
    try:
        print(json.dumps(report) if args.json else format_report(report))
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _error(message):
    print(f"cleanlens: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _write_json(path, report):
    try:
        path.write_text(json.dumps(report), encoding="utf-8")
    except OSError as exc:
        raise _Fail(f"{path.name}: cannot write: {exc.strerror}") from None


def _one_line(exc):
    text = " ".join(str(exc).split())
    return text if len(text) <= 500 else text[:499] + "…"


def read_dataset(path):
    """A demo-schema JSON or a features CSV, validated like the page's 'Your data' (embeddings mode).

    The page's row, file-size and feature-value limits do not apply.
    """
    with open_source(path) as source:
        loaded = load_files(
            [(path.name, source)], mode="embeddings", max_embedding_rows=sys.maxsize, max_file_bytes=sys.maxsize,
            max_feature_values=sys.maxsize,
        )  # fmt: skip
    return loaded.dataset


def find_issues(args):
    """Load the data, cross-validate if needed, categorise; return the report as a JSON-ready dict."""
    ids = truth = engine = None
    dtype = cli_issues.FLOAT64
    if args.dataset:
        if args.labels or args.pred_probs or args.truth:
            raise _Fail("give either --dataset or --labels/--pred-probs, not both")
        dataset = read_dataset(Path(args.dataset))
        classes, labels, ids, truth = dataset.classes, dataset.given, dataset.ids, dataset.truth
        result = out_of_sample_probabilities(
            dataset.features,
            labels,
            len(classes),
            engine=args.engine,
            C=args.C,
            gamma=args.gamma,
            n_folds=args.folds,
            seed=args.seed,
        )
        probabilities = result.probabilities
        engine = {
            "name": result.engine,
            "versions": result.versions,
            "C": result.C,
            "gamma": result.gamma,
            "folds": result.n_folds,
            "seed": result.seed,
            "seconds": round(result.seconds, 3),
            "calibration": result.calibration,
        }
    else:
        if not (args.labels and args.pred_probs):
            raise _Fail("find-issues needs --labels and --pred-probs, or --dataset")
        lname, pname = Path(args.labels).name, Path(args.pred_probs).name
        dtype = cli_issues.probabilities_dtype(args.pred_probs)
        arrays = numpy_module() is not None
        labels = read_labels(args.labels, as_array=arrays)
        probabilities, shape = read_matrix_shape(args.pred_probs, as_array=arrays)
        _, k = check_pair_shapes(lname, (len(labels),), pname, shape, max_classes=sys.maxsize)
        labels = _class_indices(labels, k, lambda i, x: label_index(lname, i, x, k, pname))
        classes = [str(c) for c in range(k)]
        if args.truth:
            truth = read_labels(args.truth, allow_ood=True, as_array=arrays)
            name = Path(args.truth).name
            if len(truth) != len(labels):
                raise _Fail(f"{name} has {len(truth)} labels, expected {len(labels)}")

            def check_truth(i, t):
                if t >= k:
                    raise _Fail(f"{name}: row {i}: {t} is not a class index in 0..{k - 1} or -1 (OOD)")
                return t

            truth = _as_list(_class_indices(truth, k, check_truth))
    try:
        learning = learner(labels, probabilities, len(classes), renormalize=args.renormalize, dtype=dtype)
    except ProbabilityError as exc:
        source = Path(args.pred_probs).name if args.pred_probs else "cross-validation"
        raise _Fail(f"{source}: {exc}") from None
    r = learning.categorize(args.class_percentile, args.ood_percentile, rule=args.thresholds)
    given = _as_list(learning.labels)
    probabilities = cli_issues.in_dtype(learning.probabilities, learning.dtype)
    quality = _as_list(label_quality_scores(learning.labels, probabilities, args.rank_by, dtype=learning.dtype))
    report = {
        "classes": classes,
        "n_items": len(labels),
        "rule": r.rule,
        "class_percentile": r.class_percentile,
        "ood_percentile": r.ood_percentile,
        "thresholds": {"class": _finite_or_none(r.class_thresholds), "ood": _finite_or_none(r.ood_thresholds)},
        "confident_joint": r.joint,
        "counts": r.counts,
        "correct": r.correct,
        "label_issues": r.label_issues,
        "ood": r.ood,
        "unconfident": r.unconfident,
        "suggested": r.suggested,
        "given": given,
        "label_quality_method": args.rank_by,
        "label_quality": quality,
        "warnings": [asdict(w) for w in learning.warnings],
    }
    use_numpy = not isinstance(learning.labels, list)
    report.update(cli_issues.sections(args, learning.labels, probabilities, classes, learning.dtype, use_numpy))
    if ids is not None:
        report["ids"] = ids
    if engine is not None:
        report["engine"] = engine
    if truth is not None:
        report["score"] = asdict(score(r.flagged, truly_wrong(given, truth)))
    return report


def numpy_module():
    """numpy if it imports, else None: with numpy, ``.npy`` files are read and the analysis runs with it."""
    try:
        import numpy
    except ImportError:
        return None
    return numpy


def _class_indices(labels, k, check):
    """Labels from :func:`read_labels` (whole numbers, >= -1) checked against ``k`` classes.

    ``check(i, label)`` returns the label or raises for one >= k. A list: each
    label is checked, a list returned. A numpy array: only the first label
    >= k is (to raise its message), an intp array is returned.
    """
    np = numpy_module() if not isinstance(labels, list) else None
    if np is None:
        return [check(i, x) for i, x in enumerate(labels)]
    too_big = np.flatnonzero(np.asarray(labels >= k, dtype=bool))
    if too_big.size:
        i = int(too_big[0])
        check(i, int(labels[i]))
    return labels.astype(np.intp)


def _as_list(values):
    return values.tolist() if hasattr(values, "tolist") else list(values)


def _finite_or_none(values):
    return [v if math.isfinite(v) else None for v in values]


def report_summary(report):
    """What the text report shows of the per-item lists, from a complete report (small: at most
    :data:`REPORT_LIMIT` items each).

    ``class_items`` (items per given label), ``issues`` (the worst label issues first, each ``(item, given,
    suggested, score)``), ``n_issues``, ``ood`` (the first OOD items) and ``n_ood``. The streamed path
    (:mod:`cleanlens.cli_stream`) computes the same from blocks.
    """
    issues, quality = report["label_issues"], report["label_quality"]
    worst = [issues[j] for j in label_quality_order([quality[i] for i in issues])][:REPORT_LIMIT]
    given, suggested = report["given"], report["suggested"]
    return {
        "class_items": [given.count(c) for c in range(len(report["classes"]))],
        "issues": [(i, given[i], suggested[i], quality[i]) for i in worst],
        "n_issues": len(issues),
        "ood": report["ood"][:REPORT_LIMIT],
        "n_ood": len(report["ood"]),
    }


def format_report(report, summary=None):
    """The human-readable report for a :func:`find_issues` result (``summary``: its :func:`report_summary`,
    computed from the report when not given)."""
    summary = summary or report_summary(report)
    classes = report["classes"]
    ids = report.get("ids")
    k = len(classes)
    lines = [f"{report['n_items']} items, {k} classes: {', '.join(classes)}"]
    engine = report.get("engine")
    if engine:
        versions = ", ".join(f"{name} {v}" for name, v in engine["versions"].items())
        lines.append(
            f"Cross-validation: {engine['name']} engine ({versions}); SVC rbf C={engine['C']:g} "
            f"gamma={engine['gamma']:g}, {engine['folds']} folds, seed {engine['seed']}, {engine['seconds']:.2f} s"
        )
    for w in report["warnings"]:
        lines.append(f"Warning: {w['message']}")
    if report["rule"] == "percentile":
        lines.append(
            f"\nThresholds: class = {report['class_percentile']:g}th percentile, "
            f"OOD = {report['ood_percentile']:g}th percentile of each class's self-confidence"
        )
    else:
        lines.append(f"\nThresholds: cleanlab (mean self-confidence); OOD = {report['ood_percentile']:g}th percentile")
    width = max(8, *(len(c) for c in classes))
    lines.append(f"  {'class':<{width}}  {'items':>6}  {'class':>8}  {'OOD':>8}")
    for c in range(k):
        n_c = summary["class_items"][c]
        t, o = report["thresholds"]["class"][c], report["thresholds"]["ood"][c]
        lines.append(f"  {classes[c]:<{width}}  {n_c:>6}  {_fmt(t, 'inf'):>8}  {_fmt(o, 'inf'):>8}")
    lines.append("\nConfident joint (rows: given label, columns: suggested label):")
    lines.append("  " + " " * width + "".join(f"  {c:>{width}}" for c in classes))
    for g in range(k):
        lines.append(f"  {classes[g]:<{width}}" + "".join(f"  {n:>{width}}" for n in report["confident_joint"][g]))
    counts = report["counts"]
    lines.append(
        f"\nCorrect {counts['correct']}, label issues {counts['label_issue']}, "
        f"out of distribution {counts['ood']}, unconfident {counts['unconfident']}"
    )

    def name(i):
        return f"{i} ({ids[i]})" if ids is not None and ids[i] != str(i) else str(i)

    n_issues = summary["n_issues"]
    if n_issues:
        lines.append(f"\nLabel issues, worst {report['label_quality_method']} first (item: given -> suggested, score):")
        for i, g, suggested, quality in summary["issues"]:
            lines.append(f"  {name(i)}: {classes[g]} -> {classes[suggested]}, {quality:.4g}")
        if n_issues > REPORT_LIMIT:
            lines.append(f"  … {n_issues - REPORT_LIMIT:,} more; use --json or --out FILE")
    n_ood = summary["n_ood"]
    if n_ood:
        more = f", … {n_ood - REPORT_LIMIT:,} more; use --json or --out FILE" if n_ood > REPORT_LIMIT else ""
        lines.append("\nOut of distribution: " + ", ".join(name(i) for i in summary["ood"]) + more)
    lines += cli_issues.format_sections(report, name)
    s = report.get("score")
    if s:
        lines.append(
            f"\nAgainst the true labels: {s['true_positives']} of {s['flagged']} flagged items are truly wrong "
            f"({s['wrong']} truly wrong in all): precision {_fmt(s['precision'])}, recall {_fmt(s['recall'])}, F1 "
            f"{_fmt(s['f1'])}"
        )
    return "\n".join(lines)


def _fmt(x, missing="n/a"):
    return missing if x is None else f"{x:.4f}"
