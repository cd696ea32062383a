"""Exports of the findings and the user's fixes: rows per item plus an audit header.

Pure functions, standard library only (they run in the browser, which turns
the text into a download). One row per item:

- ``id``; ``given``: the label in the loaded data; ``label``: the label now
  (after the user's fixes); ``suggested``: the confidently suggested label or
  empty; ``category``: ``correct``, ``label_issue``, ``ood``, ``unconfident``
  or ``excluded``; ``self_confidence``: p[label trained on] (empty if excluded);
  ``decision``: ``accept`` (suggestion accepted), ``keep`` (given label
  confirmed), ``exclude`` (marked out of distribution), ``relabel`` (changed
  by hand) or empty.

The audit header records how the findings were made: thresholds and rule,
engine and version, hyperparameters, seed, folds, the dataset file's name and
SHA-256, the cleanlens version and the time of export (UTC, ISO 8601).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

from . import __version__
from .confident import CATEGORIES

FIELDS = ("id", "given", "label", "suggested", "category", "self_confidence", "decision")


def export_rows(dataset, result, self_confidence, labels, decisions):
    """Rows (dicts with :data:`FIELDS`) for every item.

    ``result``: the :class:`~cleanlens.confident.Categorization` indexed by item
    (codes beyond the four categories mean excluded); ``self_confidence``: per
    item, float or None; ``labels``: the current labels; ``decisions``: item ->
    ``accept``/``keep``/``exclude``.
    """
    classes = dataset.classes
    rows = []
    for i, item_id in enumerate(dataset.ids):
        code = result.categories[i]
        suggested = result.suggested[i]
        decision = decisions.get(i) or ("relabel" if labels[i] != dataset.given[i] else "")
        rows.append({
            "id": item_id,
            "given": classes[dataset.given[i]],
            "label": classes[labels[i]],
            "suggested": "" if suggested is None else classes[suggested],
            "category": CATEGORIES[code] if code < len(CATEGORIES) else "excluded",
            "self_confidence": self_confidence[i],
            "decision": decision,
        })
    return rows


def audit_header(dataset, result, info, source_name, source_sha256, now=None):
    """The audit record (a dict) for an export; ``info`` is the training record (engine, C, gamma, seed, folds)."""
    classes = dataset.classes
    now = now or datetime.now(timezone.utc)
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
        "engine": info.get("engine"),
        "engine_version": info.get("engine_version"),
        "C": info.get("C"),
        "gamma": info.get("gamma"),
        "seed": info.get("seed"),
        "folds": info.get("folds"),
        "counts": dict(result.counts),
    }


def _json_number(value):
    """+inf (a class with no items) is not JSON: write it as null."""
    return None if isinstance(value, float) and value in (float("inf"), float("-inf")) else value


def to_json(audit, rows):
    """The export as JSON text: ``{"audit": {...}, "items": [...]}``."""
    clean = dict(audit, class_thresholds={k: _json_number(v) for k, v in audit["class_thresholds"].items()},
                 ood_thresholds={k: _json_number(v) for k, v in audit["ood_thresholds"].items()})
    return json.dumps({"audit": clean, "items": rows}, indent=1, ensure_ascii=False)


def to_csv(audit, rows):
    """The export as CSV text: ``# key: value`` audit lines, then a header row and one row per item."""
    out = io.StringIO()
    for key, value in audit.items():
        text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value
        out.write(f"# {key}: {text}\n")
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(dict(row, self_confidence="" if row["self_confidence"] is None else repr(row["self_confidence"])))
    return out.getvalue()
