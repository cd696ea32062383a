"""The demo dataset type, and loading it from JSON with clear errors.

Schema (see DESIGN.md §5), a JSON object with:

- ``classes``: list of K distinct class names (strings);
- ``items``: list of objects, each with
  ``id`` (unique string), ``image`` (path relative to the site root, or null),
  ``given`` (one of ``classes``), ``truth`` (one of ``classes`` or ``"OOD"``;
  optional), ``embedding`` (list of D finite numbers, the same D for every
  item) and optionally ``xy`` (two finite numbers: a 2-D layout for plots);
- ``provenance``: object describing where the data came from (free form).

Labels are stored as class indices 0..K-1. A true label of ``OOD`` (the item
belongs to no class) is stored as :data:`OOD` (-1).

Standard library only: this module also runs in the browser without numpy.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

OOD = -1
"""Index used in :attr:`Dataset.truth` for an item that belongs to no class."""

OOD_NAME = "OOD"


class DatasetError(ValueError):
    """The data could not be used; the message says where and why."""


@dataclass
class Dataset:
    """A labelled dataset with features.

    Attributes
    ----------
    classes : list of str, length K
    ids : list of str, length N, unique
    images : list of (str or None), length N; image paths relative to the site root
    given : list of int, length N; given label index per item, in 0..K-1
    features : list of list of float, N rows of D values
    truth : list of int or None; true class per item (``OOD`` = -1) when known
    layout : list of (float, float) or None; a 2-D position per item when known
    provenance : dict
    """

    classes: list
    ids: list
    images: list
    given: list
    features: list
    truth: list | None = None
    layout: list | None = None
    provenance: dict = field(default_factory=dict)

    def __len__(self):
        return len(self.ids)

    def class_counts(self, labels=None):
        """Number of items per class, a list of K ints, for ``labels`` (default: the given labels)."""
        counts = Counter(self.given if labels is None else labels)
        return [counts[k] for k in range(len(self.classes))]

    def known_errors(self, labels=None):
        """Indices of items whose label (default: the given one) differs from the truth.

        An item is truly wrong if its true class differs from its label or it
        is truly out of distribution. Empty when the truth is unknown.
        """
        if self.truth is None:
            return []
        from cleanlens.scoring import truly_wrong  # noqa: PLC0415 (scoring imports the engine; keep this module light)

        return truly_wrong(self.given if labels is None else labels, self.truth)


def _fail(source, where, message):
    raise DatasetError(f"{source}: {where}: {message}" if where else f"{source}: {message}")


def _finite_numbers(value, source, where, name, length=None):
    if not isinstance(value, list):
        _fail(source, where, f"'{name}' must be a list of numbers, got {type(value).__name__}")
    if length is not None and len(value) != length:
        _fail(source, where, f"'{name}' has {len(value)} values, expected {length}")
    out = []
    for j, x in enumerate(value):
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            _fail(source, where, f"'{name}'[{j}] is not a number: {x!r}")
        if not math.isfinite(x):
            _fail(source, where, f"'{name}'[{j}] is not finite: {x!r}")
        out.append(float(x))
    return out


def dataset_from_dict(data, source="dataset"):
    """Validate a decoded JSON object (see the module docstring) and return a :class:`Dataset`.

    Raises :class:`DatasetError` naming ``source``, the item and the field at fault.
    """
    if not isinstance(data, dict):
        _fail(source, "", "expected a JSON object with 'classes' and 'items'")
    for key in ("classes", "items"):
        if key not in data:
            _fail(source, "", f"missing top-level key '{key}'")
    classes = data["classes"]
    if not isinstance(classes, list) or not classes or not all(isinstance(c, str) and c for c in classes):
        _fail(source, "classes", "must be a non-empty list of non-empty strings")
    if len(set(classes)) != len(classes):
        _fail(source, "classes", "class names must be distinct")
    if OOD_NAME in classes:
        _fail(source, "classes", f"'{OOD_NAME}' is reserved for out-of-distribution items")
    index = {name: k for k, name in enumerate(classes)}
    items = data["items"]
    if not isinstance(items, list) or not items:
        _fail(source, "items", "must be a non-empty list")

    ids, images, given, truth, features, layout = [], [], [], [], [], []
    seen = {}
    has_truth = has_layout = None
    dim = None
    for i, item in enumerate(items):
        where = f"item {i}"
        if not isinstance(item, dict):
            _fail(source, where, "must be an object")
        for key in ("id", "given", "embedding"):
            if key not in item:
                _fail(source, where, f"missing '{key}'")
        item_id = item["id"]
        if not isinstance(item_id, (str, int)) or isinstance(item_id, bool) or str(item_id) == "":
            _fail(source, where, "'id' must be a non-empty string")
        item_id = str(item_id)
        where = f"item {i} (id {item_id!r})"
        if item_id in seen:
            _fail(source, where, f"duplicate id (also item {seen[item_id]})")
        seen[item_id] = i
        if item["given"] not in index:
            _fail(source, where, f"unknown given label {item['given']!r}; expected one of {classes}")
        image = item.get("image")
        if image is not None and not isinstance(image, str):
            _fail(source, where, "'image' must be a string path or null")
        vector = _finite_numbers(item["embedding"], source, where, "embedding", dim)
        if not vector:
            _fail(source, where, "'embedding' is empty")
        dim = len(vector)
        if has_truth is None:
            has_truth = "truth" in item
        elif has_truth != ("truth" in item):
            _fail(source, where, "'truth' must be given for every item or for none")
        if has_truth:
            t = item["truth"]
            if t != OOD_NAME and t not in index:
                _fail(source, where, f"unknown true label {t!r}; expected one of {classes} or {OOD_NAME!r}")
            truth.append(OOD if t == OOD_NAME else index[t])
        if has_layout is None:
            has_layout = "xy" in item
        elif has_layout != ("xy" in item):
            _fail(source, where, "'xy' must be given for every item or for none")
        if has_layout:
            layout.append(tuple(_finite_numbers(item["xy"], source, where, "xy", 2)))
        ids.append(item_id)
        images.append(image)
        given.append(index[item["given"]])
        features.append(vector)

    provenance = data.get("provenance", {})
    if not isinstance(provenance, dict):
        _fail(source, "provenance", "must be an object")
    return Dataset(
        classes=list(classes),
        ids=ids,
        images=images,
        given=given,
        features=features,
        truth=truth if has_truth else None,
        layout=layout if has_layout else None,
        provenance=provenance,
    )


def parse_dataset(text, source="dataset"):
    """Parse JSON text in the demo schema; see :func:`dataset_from_dict`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    return dataset_from_dict(data, source)


def load_dataset(path):
    """Read and validate a dataset JSON file; see :func:`dataset_from_dict`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DatasetError(f"{path.name}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise DatasetError(f"{path.name}: not UTF-8 text") from None
    return parse_dataset(text, path.name)
