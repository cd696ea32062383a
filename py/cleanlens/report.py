"""Exports of the findings and the user's fixes: one row per item, plus an audit record.

Pure functions, standard library only (they run in the browser, which turns
the text into a download).

Files
-----
From a dataset named ``source_name`` (:func:`export_stem`):

- ``<stem>-fixes.csv``: the rows as plain CSV (one header line, no comment
  lines), so ``pandas.read_csv(path)`` reads it as it is;
- ``<stem>-fixes-audit.json``: the audit record of that CSV, a second
  download: ``{"audit": {...}, "items_file": "<stem>-fixes.csv"}``;
- ``<stem>-fixes.json``: everything in one file, ``{"audit": {...}, "items":
  [row, ...]}``.

The stem is the data's own file name without its extension (for a pair of
``.npy`` files, ``"labels.npy + pred_probs.npy"``, the labels file's:
``labels``), made safe as a file name on every common system.

One basis
---------
The analysis is of one labelling and one set of probabilities: the file's
labels and ``pred_probs`` (or, for features trained in the page, the labels
the cross-validation saw). ``given``, ``suggested``, ``category``,
``is_label_issue`` and ``label_quality`` are that analysis and never change
with decisions: decisions (``decision``, ``final_label``) are marks on it.
When the analysed labels are not the file's (features retrained after
relabelling), the rows carry ``analysed_label`` after ``given`` and the
audit's ``basis`` says how many differ (:func:`basis`).

Rows
----
One per item of the dataset, in dataset order, with :data:`FIELDS` (and,
when asked, one ``p_<class name>`` column per class). What
``pandas.read_csv(path)`` gives for each column:

- ``id``: the item's id; str.
- ``given``: the label in the loaded data (class name); str.
- ``analysed_label`` (only when some analysed label is not the file's): the
  label the analysis saw (class name); str.
- ``suggested``: the confidently suggested class (name); str, NaN when
  there is none.
- ``category``: ``correct``, ``label_issue``, ``ood``, ``unconfident`` or
  ``excluded``; str.
- ``is_label_issue``: ``True`` or ``False`` (the category is
  ``label_issue``); bool.
- ``label_quality``: the label quality score (:mod:`cleanlens.rank`, the
  method is in the audit; lower = more likely mislabelled); float64, NaN for
  excluded items.
- ``decision``: ``accept`` (suggestion accepted), ``keep`` (given label
  confirmed), ``exclude`` (marked out of distribution), ``relabel`` (changed
  by hand); str, NaN when there is none.
- ``final_label``: the label after the user's fixes (class name); str.
- optionally ``p_<class name>``, one per class: the item's out-of-sample
  probabilities (its training row); float64, NaN for excluded items.

"str" is pandas 3's string dtype (``object`` in pandas 2). Class names are
always written as the names (a ``.npy`` pair's ``0``..``K-1`` as ``3``, never
``3.0``). Caveats, all pandas' inference: a text column whose every value is a
whole number is read as ``int64`` (the ids ``0``..``N-1`` of a ``.npy`` pair,
class names ``0``..``K-1``), or ``float64`` when it also has empty cells
(``suggested``: pandas has no missing value in ``int64``; read it with
``dtype={"suggested": "Int64"}``, or take the JSON export, whose class names
are strings); texts that pandas takes for missing values (``NA``,
``null``, ``None``, ``nan``, ...) become NaN. ``pd.read_csv(path, dtype=str,
keep_default_na=False)`` keeps every text as written (numbers then need
``astype(float)``).

Numbers are written with Python's ``repr`` (the shortest text that reads back
as the same float): pandas reads them back exactly, whatever their sign.

Spreadsheet formulas
--------------------
A *text* cell (id, class name, category, decision) that begins with ``=``,
``+``, ``-``, ``@``, a tab, a carriage return or ``'`` is written with a
``'`` in front (:func:`neutralize`), so a spreadsheet shows it as text
instead of running it as a formula. The original text is the cell without
that first ``'`` when the second character is one of those seven, in pandas:
``df[col].str.replace(r"^'(?=[=+\\-@\\t\\r'])", "", regex=True)`` (exact,
:func:`unneutralize`). Only text cells are changed: a number (a score, a
probability) is written as it is, ``-1.0`` included; column names are fixed
words, or ``p_`` and a class name. The JSON files hold the texts unchanged.

Audit
-----
How the findings were made: thresholds and rule, engine and version,
hyperparameters, seed, folds, the label quality method, the dataset file's
name and SHA-256, the cleanlens version and the time of export (UTC, ISO
8601), the category counts, the basis (:func:`basis`) and the decisions
counted by kind.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from . import __version__
from .confident import CATEGORIES, LABEL_ISSUE
from .rank import DEFAULT_METHOD

if TYPE_CHECKING:
    from .confident import Categorization
    from .dataset import Dataset

Row = dict[str, Any]
"""One exported item: :data:`FIELDS` (and ``p_<class>`` columns) -> str, bool, float or None."""

FIELDS = ("id", "given", "suggested", "category", "is_label_issue", "label_quality", "decision", "final_label")
ANALYSED_FIELD = "analysed_label"
"""The column added after ``given`` when the analysed labels are not all the file's."""
PROBABILITY_PREFIX = "p_"
KINDS = ("csv", "json", "audit")
"""Export kinds: the rows as CSV, everything as JSON, the audit of a CSV export."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
"""A text cell starting with one of these gets a leading ``'`` in CSV (``'`` itself so that it can be undone)."""
MAX_STEM_BYTES = 120
"""The longest file-name stem, in UTF-8 bytes (file systems allow 255 per name)."""
DEFAULT_STEM = "cleanlens"
_UNSAFE_IN_NAMES = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
"""Characters that some system forbids in file names (Windows' reserved set, controls, path separators)."""


def export_rows(
    dataset: Dataset,
    result: Categorization,
    scores: Sequence[float | None],
    labels: Sequence[int],
    decisions: Mapping[int, str],
    probabilities: Sequence[Sequence[float] | None] | None = None,
    *,
    analysed: Sequence[int] | None = None,
) -> list[Row]:
    """Rows (dicts with :data:`FIELDS`, plus ``p_<class>`` with ``probabilities``) for every item.

    Parameters
    ----------
    dataset : :class:`~cleanlens.dataset.Dataset`
        ``ids``, ``classes``, ``given`` (N each, K classes).
    result : :class:`~cleanlens.confident.Categorization`
        Indexed by dataset item (codes beyond the four categories: excluded).
    scores : sequence of float or None, shape (N,)
        Label quality score per item (None for excluded items).
    labels : sequence of int, shape (N,)
        The current labels (the final ones, after the user's decisions).
    decisions : dict
        item -> ``accept``/``keep``/``exclude``.
    probabilities : sequence of (sequence of K floats, or None), shape (N, K), optional
        The training's rows; adds the ``p_<class>`` columns.
    analysed : sequence of int, shape (N,), optional
        The labels ``result`` was computed on (default ``dataset.given``, the file's); where they differ
        from the file's, the rows get :data:`ANALYSED_FIELD`.

    Returns
    -------
    list of dict, N rows
        Values are str, bool, float or None (an empty cell).
    """
    classes = dataset.classes
    columns = probability_columns(classes) if probabilities is not None else ()
    analysed = dataset.given if analysed is None else analysed
    with_analysed = list(analysed) != list(dataset.given)
    rows = []
    for i, item_id in enumerate(dataset.ids):
        code = result.categories[i]
        suggested = result.suggested[i]
        row = {"id": item_id, "given": classes[dataset.given[i]]}
        if with_analysed:
            row[ANALYSED_FIELD] = classes[analysed[i]]
        row |= {
            "suggested": None if suggested is None else classes[suggested],
            "category": CATEGORIES[code] if code < len(CATEGORIES) else "excluded",
            "is_label_issue": code == LABEL_ISSUE,
            "label_quality": scores[i],
            "decision": decisions.get(i) or ("relabel" if labels[i] != dataset.given[i] else None),
            "final_label": classes[labels[i]],
        }
        if columns:
            values = probabilities[i] or [None] * len(columns)
            row.update(zip(columns, values))
        rows.append(row)
    return rows


def probability_columns(classes: Sequence[str]) -> list[str]:
    """The optional probability columns' names: ``p_<class name>`` per class."""
    return [PROBABILITY_PREFIX + name for name in classes]


def audit_header(
    dataset: Dataset,
    result: Categorization,
    info: Mapping[str, Any],
    source_name: str,
    source_sha256: str,
    now: datetime | None = None,
    method: str = DEFAULT_METHOD,
    *,
    analysed: Sequence[int] | None = None,
    decisions: Mapping[int, str] | None = None,
    plan: str | None = None,
) -> dict[str, Any]:
    """The audit record (a dict) for an export; ``info`` is the training record (engine, C, gamma, seed, folds).

    ``analysed``: the labels the analysis was computed on (default the file's); ``decisions``: item ->
    decision, counted by kind in ``decisions``; ``plan``: the rule Accept all followed, if it was used
    (:data:`cleanlens.fixing.RULES`).
    """
    classes = dataset.classes
    now = now or datetime.now(UTC)
    counted = {}
    for decision in (decisions or {}).values():
        counted[decision] = counted.get(decision, 0) + 1
    return {
        "created": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "cleanlens": __version__,
        "dataset_file": source_name,
        "dataset_sha256": source_sha256,
        "items": len(dataset.ids),
        "rule": result.rule,
        "class_percentile": result.class_percentile,
        "ood_percentile": result.ood_percentile,
        "class_thresholds": {c: result.class_thresholds[k] for k, c in enumerate(classes)},
        "ood_thresholds": {c: result.ood_thresholds[k] for k, c in enumerate(classes)},
        "label_quality_method": method,
        "engine": info.get("engine"),
        "engine_version": info.get("engine_version"),
        "C": info.get("C"),
        "gamma": info.get("gamma"),
        "seed": info.get("seed"),
        "folds": info.get("folds"),
        "counts": dict(result.counts),
        "basis": basis(dataset.given, dataset.given if analysed is None else analysed, info),
        "decisions": counted,
        "accept_all_rule": plan,
    }


def basis(given: Sequence[int], analysed: Sequence[int], info: Mapping[str, Any]) -> dict[str, Any]:
    """What an export's analysis is of (the audit's ``basis``): ``labels`` (``"file"``, or ``"relabelled"``
    when some analysed label is not the file's), ``relabelled`` (how many), ``probabilities`` (``"file"`` for
    the user's pred_probs, else ``"cross-validation"``) and one ``statement``.

    >>> basis([0, 1], [0, 1], {"engine": "file"})["statement"]
    "the file's labels and the file's pred_probs; decisions are marks on this analysis"
    """
    changed = sum(1 for g, a in zip(given, analysed) if g != a)
    from_file = info.get("engine") == "file"
    labels = "the file's labels" if not changed else f"the file's labels with {changed:,} changed (retrained on them)"
    probabilities = "the file's pred_probs" if from_file else "out-of-sample probabilities trained on them here"
    return {
        "labels": "relabelled" if changed else "file",
        "relabelled": changed,
        "probabilities": "file" if from_file else "cross-validation",
        "statement": f"{labels} and {probabilities}; decisions are marks on this analysis",
    }


def export_stem(source_name: str) -> str:
    """A file-name stem from the data's own name: its file name without the extension, safe on every system.

    For ``"<labels file> + <pred_probs file>"`` (a ``.npy`` pair) the labels
    file's name is used. Characters that Windows, macOS or Linux refuse in a
    name (``<>:"/\\|?*``, control characters) become ``_``; leading and
    trailing dots and spaces are dropped (a leading dot hides a file, Windows
    drops trailing ones); at most :data:`MAX_STEM_BYTES` UTF-8 bytes are
    kept; :data:`DEFAULT_STEM` if nothing is left. Callers append a suffix
    (``-fixes``), so a stem such as ``CON`` never forms a reserved Windows name.

    Examples
    --------
    >>> export_stem("labels_1000.npy + pred_probs_1000.npy")
    'labels_1000'
    >>> export_stem("fashion3.json")
    'fashion3'
    >>> export_stem('../a:b|c?.csv')
    'a_b_c'
    >>> export_stem("")
    'cleanlens'
    """
    name = source_name.split(" + ", 1)[0]
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    stem = _UNSAFE_IN_NAMES.sub("_", stem).strip(" ._")
    stem = stem.encode("utf-8")[:MAX_STEM_BYTES].decode("utf-8", "ignore").rstrip(" .")
    return stem or DEFAULT_STEM


def export_file_name(source_name: str, kind: str) -> str:
    """The download's file name for an export ``kind`` (one of :data:`KINDS`).

    >>> [export_file_name("labels.npy + pred_probs.npy", kind) for kind in KINDS]
    ['labels-fixes.csv', 'labels-fixes.json', 'labels-fixes-audit.json']
    """
    if kind not in KINDS:
        raise ValueError(f"unknown export kind {kind!r}; expected one of {', '.join(KINDS)}")
    stem = export_stem(source_name) + "-fixes"
    return {"csv": f"{stem}.csv", "json": f"{stem}.json", "audit": f"{stem}-audit.json"}[kind]


def neutralize(text: str) -> str:
    """A text cell made safe for spreadsheets: ``'`` in front if it starts with one of :data:`FORMULA_STARTS`.

    >>> [neutralize(t) for t in ["=1+1", "+cmd", "-1", "@SUM(A1)", "'x", "cat", ""]]
    ["'=1+1", "'+cmd", "'-1", "'@SUM(A1)", "''x", 'cat', '']
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unneutralize(text: str) -> str:
    """The inverse of :func:`neutralize`: ``unneutralize(neutralize(t)) == t`` for every str ``t``.

    >>> unneutralize("'=1+1"), unneutralize("''x"), unneutralize("'quoted")
    ('=1+1', "'x", "'quoted")
    """
    return text[1:] if text[:1] == "'" and text[1:2] != "" and text[1:2] in FORMULA_STARTS else text


def _json_number(value):
    """+inf (a class with no items) is not JSON: write it as null."""
    return None if isinstance(value, float) and value in (float("inf"), float("-inf")) else value


def _json_audit(audit):
    return dict(
        audit,
        class_thresholds={k: _json_number(v) for k, v in audit["class_thresholds"].items()},
        ood_thresholds={k: _json_number(v) for k, v in audit["ood_thresholds"].items()},
    )


def to_json(audit: Mapping[str, Any], rows: Sequence[Row]) -> str:
    """The export as JSON text: ``{"audit": {...}, "items": [...]}`` (texts as they are; empty = null)."""
    return json.dumps({"audit": _json_audit(audit), "items": rows}, indent=1, ensure_ascii=False)


def audit_to_json(audit: Mapping[str, Any], items_file: str) -> str:
    """The audit of a CSV export as JSON text: ``{"audit": {...}, "items_file": items_file}``."""
    return json.dumps({"audit": _json_audit(audit), "items_file": items_file}, indent=1, ensure_ascii=False)


def to_csv(rows: Sequence[Row]) -> str:
    """The rows as CSV text: a header line, then one line per row (``\\n`` line ends).

    Text cells are neutralised (:func:`neutralize`); bools are ``True`` or
    ``False``; floats are written with ``repr``; None is an empty cell.

    >>> print(to_csv([{"id": "=1+1", "score": -1.0, "ok": True, "note": None}]), end="")
    id,score,ok,note
    '=1+1,-1.0,True,
    """
    out = io.StringIO()
    if not rows:
        return ""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0].keys())
    for row in rows:
        writer.writerow([_cell(v) for v in row.values()])
    return out.getvalue()


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralize(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)  # bool, int
