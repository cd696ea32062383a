"""The command line's cleanlab sections: ``find_label_issues`` (``--filter-by``) and dataset health
(``--health``), beside the threshold rule's report (:mod:`cleanlens.cli`).

``find-issues`` always reports what ``cleanlab.filter.find_label_issues(labels, pred_probs,
filter_by=...)`` returns and ``cleanlab.count.num_label_issues``; with ``--health`` also cleanlab's
dataset health summary: the classes ranked by label quality, the overlapping class pairs and the overall
label health score. JSON keys: ``find_label_issues`` (``filter_by``, ``label_issues``: ascending item
indices, ``count``, ``num_label_issues``, ``ties``) and ``health`` (``overall_label_health_score``,
``num_label_issues``, ``classes``, ``overlapping_classes``: lists of objects with cleanlab's column names).

With numpy the numbers are cleanlab's on this machine, bit for bit (:mod:`cleanlens.counting_arrays`;
``ties: "numpy"``). ``--ties portable`` (and the only choice without numpy) orders equal values as
numpy's portable sort does (:mod:`cleanlens.floats`), as the page does: the results then equal
cleanlab's wherever no equal values straddle a cut-off, and the page's always.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

from .filtering import DEFAULT_FILTER, FILTERS
from .floats import FLOAT32, FLOAT64, npy_dtype

TIES = ("numpy", "portable")
HEALTH_PAIRS_SHOWN = 20
"""The text report lists at most this many overlapping class pairs (--json has them all)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--filter-by``, ``--ties`` and ``--health`` on the ``find-issues`` parser."""
    group = parser.add_argument_group("cleanlab's find_label_issues and dataset health")
    group.add_argument(
        "--filter-by",
        choices=FILTERS,
        default=DEFAULT_FILTER,
        help="cleanlab.filter.find_label_issues' filter_by (default: %(default)s, cleanlab's)",
    )
    group.add_argument(
        "--ties",
        choices=TIES,
        default="numpy",
        help="order of exactly equal values where cleanlab sorts: numpy's on this machine (default, as "
        "cleanlab; needs numpy) or numpy's portable sort (as the page)",
    )
    group.add_argument(
        "--health",
        action="store_true",
        help="also the dataset health: classes ranked by label quality, overlapping class pairs, health score",
    )


def probabilities_dtype(path: str | os.PathLike) -> str:
    """``"float32"`` for a ``.npy`` file of float32 values, else ``"float64"`` (cleanlab computes float32
    probabilities in float32)."""
    from .arrays_io import InputError, open_source, read_npy_header

    if not str(path).lower().endswith(".npy"):
        return FLOAT64
    try:
        with open_source(path) as source:
            return npy_dtype(read_npy_header(source, str(path)).code)
    except (InputError, OSError):
        return FLOAT64  # the readers report the problem


def in_dtype(probabilities: object, dtype: str) -> object:
    """A float64 numpy array of float32 values back in float32 (as cleanlab receives it); else as is."""
    if dtype == FLOAT32 and hasattr(probabilities, "astype"):
        import numpy as np

        return probabilities.astype(np.float32)
    return probabilities


def sections(args: argparse.Namespace, labels, probabilities, classes: list[str], dtype: str, use_numpy: bool) -> dict:
    """The report's ``find_label_issues`` and (with ``--health``) ``health`` entries.

    ``labels`` and ``probabilities``: validated (arrays when ``use_numpy``, else lists); ``dtype``: the
    probabilities' (float32 values are computed in float32).
    """
    if use_numpy and args.ties == "numpy":
        return _array_sections(args, labels, probabilities, classes, dtype)
    from .issues import LabelIssues

    labels = labels.tolist() if hasattr(labels, "tolist") else labels
    rows = probabilities.tolist() if hasattr(probabilities, "tolist") else probabilities
    issues = LabelIssues.compute(labels, rows, len(classes), dtype=dtype)
    mask = issues.find_label_issues(args.filter_by)
    report = {"find_label_issues": _found(args.filter_by, mask, issues.num_label_issues(), "portable")}
    if args.health:
        summary = issues.health(classes)
        report["health"] = _health(summary.score, summary.num_issues, summary.classes, summary.overlapping)
    return report


def _array_sections(args, labels, probabilities, classes, dtype):
    from .counting_arrays import ArrayCounts, find_label_issues_array, numpy_argsort

    probabilities = in_dtype(probabilities, dtype)
    counts = ArrayCounts(labels, probabilities, len(classes))
    mask = find_label_issues_array(counts, args.filter_by).tolist()
    issues = counts.num_label_issues()
    report = {"find_label_issues": _found(args.filter_by, mask, issues, "numpy")}
    if args.health:
        report["health"] = health_section(counts.calibrated, len(labels), classes, numpy_argsort, issues)
    return report


def health_section(
    calibrated: list[list[int]], n: int, classes: list[str], argsort: Callable | None, num_issues: int
) -> dict:
    """The report's ``health`` entry from the calibrated confident joint (K x K), N, the class names, the tie
    order of the sorts (:func:`cleanlens.counting_arrays.numpy_argsort`, or None: numpy's portable sort) and
    ``num_label_issues``: cleanlab's ``dataset.health_summary`` numbers."""
    from .counting import estimate_joint
    from .health import classes_by_label_quality, health_score, overlapping_classes

    joint = estimate_joint(calibrated)
    ranked = classes_by_label_quality(joint, n, classes, argsort)
    pairs = overlapping_classes(joint, n, False, classes, argsort)
    score, issues = health_score(n, num_issues)
    return _health(score, issues, ranked, pairs)


def _found(filter_by, mask, num_issues, ties):
    flagged = [i for i, x in enumerate(mask) if x]
    return {
        "filter_by": filter_by,
        "label_issues": flagged,
        "count": len(flagged),
        "num_label_issues": int(num_issues),
        "ties": ties,
    }


def _health(score, num_issues, classes, pairs):
    return {
        "overall_label_health_score": float(score),
        "num_label_issues": int(num_issues),
        "classes": [_plain(row) for row in classes],
        "overlapping_classes": [_plain(row) for row in pairs],
    }


def _plain(row):
    return {key: (float(v) if isinstance(v, float) else v) for key, v in row.items()}


def format_sections(report: dict, name: Callable[[int], str]) -> list[str]:
    """Text report lines for :func:`sections`' entries; ``name(i)`` names item i."""
    found = report.get("find_label_issues")
    lines = []
    if found:
        lines.append(
            f"\ncleanlab find_label_issues (filter_by={found['filter_by']}): {found['count']:,} label issues; "
            f"num_label_issues: {found['num_label_issues']:,}"
        )
    health = report.get("health")
    if health:
        lines += _format_health(health)
    return lines


def _format_health(health):
    lines = [
        f"\nDataset health: label health score {health['overall_label_health_score']:.4f} "
        f"({health['num_label_issues']:,} estimated label issues)",
        "Classes by label quality, worst first (cleanlab.dataset.rank_classes_by_label_quality):",
    ]
    width = max(8, *(len(str(r["Class Name"])) for r in health["classes"]))
    lines.append(f"  {'class':<{width}}  {'issues':>7}  {'inverse':>7}  {'noise':>7}  {'inverse':>7}  {'quality':>7}")
    for r in health["classes"]:
        lines.append(
            f"  {str(r['Class Name']):<{width}}  {r['Label Issues']:>7}  {r['Inverse Label Issues']:>7}  "
            f"{r['Label Noise']:>7.4f}  {r['Inverse Label Noise']:>7.4f}  {r['Label Quality Score']:>7.4f}"
        )
    pairs = [p for p in health["overlapping_classes"] if p["Joint Probability"] > 0]
    lines.append("Overlapping classes, most first (cleanlab.dataset.find_overlapping_classes):")
    for p in pairs[:HEALTH_PAIRS_SHOWN]:
        lines.append(
            f"  {p['Class Name A']} / {p['Class Name B']}: {p['Num Overlapping Examples']:,} items, "
            f"joint probability {p['Joint Probability']:.4f}"
        )
    if len(pairs) > HEALTH_PAIRS_SHOWN:
        lines.append(f"  … {len(pairs) - HEALTH_PAIRS_SHOWN:,} more pairs; use --json or --out FILE")
    if not pairs:
        lines.append("  none")
    return lines
