"""The demo dataset type, and loading it from JSON with clear errors.

Schema (docs/contracts.md), a JSON object with:

- ``classes``: list of K distinct class names (strings);
- ``items``: list of objects, each with
  ``id`` (unique string), ``image`` (path relative to the site root, or null),
  ``given`` (one of ``classes``), ``truth`` (one of ``classes`` or ``"OOD"``;
  optional), ``embedding`` (list of D finite numbers, the same D for every
  item) and optionally ``xy`` (two finite numbers: a 2-D layout for plots);
- ``provenance``: object describing where the data came from (free form).

Labels are stored as class indices 0..K-1. A true label of ``OOD`` (the item
belongs to no class) is stored as :data:`OOD` (-1).

JSON text is checked before it is parsed (:class:`JsonShape`, without
recursion, also on bytes fed in pieces): nesting at most
:data:`MAX_JSON_DEPTH` levels, at most :data:`MAX_JSON_TOKENS` tokens,
strings of at most :data:`MAX_JSON_STRING_BYTES` bytes; integers of more
than :data:`MAX_JSON_INT_DIGITS` digits are refused when parsed.

Standard library only: this module also runs in the browser without numpy.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from cleanlens.errors import CleanlensError

OOD = -1
"""Index used in :attr:`Dataset.truth` for an item that belongs to no class."""

OOD_NAME = "OOD"

MAX_JSON_DEPTH = 100
"""The deepest JSON nesting accepted (the schema needs 4 levels, plus what ``provenance`` holds).
Protects the parser: ``json.loads`` recurses once per level, and deep nesting overflows the
browser's stack (a fatal Pyodide error) long before Python's recursion limit."""
MAX_JSON_TOKENS = 1_000_000
"""The most tokens (strings, brackets, commas, colons) in a JSON file: the parsed objects'
memory is proportional to them. 256,000 feature values (see
:data:`cleanlens.userdata.MAX_FEATURE_VALUES`) plus about 25 tokens per item for 20,000 items fit."""
MAX_JSON_STRING_BYTES = 131_072
"""The longest JSON string, in UTF-8 bytes (the CSV reader's value limit): bounds one value's memory."""
MAX_JSON_INT_DIGITS = 308
"""JSON integers with more digits are refused: they do not fit in a float (and Python refuses
to convert integers of more than 4,300 digits at all)."""


class DatasetError(CleanlensError):
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
    row_ids : bool; True when the ids are row numbers (the data had none): the page then shows
        them as "#17", so that they never read like class names
    """

    classes: list[str]
    ids: list[str]
    images: list[str | None]
    given: list[int]
    features: list[list[float]] | None  # None for probabilities brought by the user (cleanlens.userdata)
    truth: list[int] | None = None
    layout: list[tuple[float, float]] | None = None
    provenance: dict[str, Any] = field(default_factory=dict)
    row_ids: bool = False

    def __len__(self) -> int:
        return len(self.ids)

    def class_counts(self, labels: Sequence[int] | None = None) -> list[int]:
        """Number of items per class, a list of K ints, for ``labels`` (default: the given labels)."""
        counts = Counter(self.given if labels is None else labels)
        return [counts[k] for k in range(len(self.classes))]

    def known_errors(self, labels: Sequence[int] | None = None) -> list[int]:
        """Indices of items whose label (default: the given one) differs from the truth.

        An item is truly wrong if its true class differs from its label or it
        is truly out of distribution. Empty when the truth is unknown.
        """
        if self.truth is None:
            return []
        from cleanlens.scoring import truly_wrong  # noqa: PLC0415 (scoring imports the engine; keep this module light)

        return truly_wrong(self.given if labels is None else labels, self.truth)


def _fail(source: str, where: str, message: str) -> NoReturn:
    raise DatasetError(f"{source}: {where}: {message}" if where else f"{source}: {message}")


def _short(value, limit=60):
    """``repr(value)`` cut to about ``limit`` characters, for messages."""
    text = (
        repr(value)
        if not isinstance(value, int) or value.bit_length() < 200
        else f"<an integer of {len(str(abs(value)))} digits>"
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _finite_numbers(value, source, where, name, length=None):
    if not isinstance(value, list):
        _fail(source, where, f"'{name}' must be a list of numbers, got {type(value).__name__}")
    if length is not None and len(value) != length:
        _fail(source, where, f"'{name}' has {len(value)} values, expected {length}")
    out = []
    for j, x in enumerate(value):
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            _fail(source, where, f"'{name}'[{j}] is not a number: {_short(x)}")
        try:
            number = float(x)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            _fail(source, where, f"'{name}'[{j}] is not finite: {_short(x)}")
        out.append(number)
    return out


def dataset_from_dict(data: Any, source: str = "dataset") -> Dataset:
    """Validate a decoded JSON object (see the module docstring) and return a :class:`Dataset`.

    Raises :class:`DatasetError` naming ``source``, the item and the field at fault.
    """
    classes, items = _classes_and_items(data, source)
    index = {name: k for k, name in enumerate(classes)}
    ids, images, given, truth, features, layout = [], [], [], [], [], []
    seen = {}
    has_truth = has_layout = None
    dim = None
    for i, item in enumerate(items):
        item_id, where = _item_id(item, i, seen, source)
        if not isinstance(item["given"], str) or item["given"] not in index:
            _fail(source, where, f"unknown given label {_short(item['given'])}; expected one of {_short(classes, 200)}")
        image = item.get("image")
        if image is not None and not isinstance(image, str):
            _fail(source, where, "'image' must be a string path or null")
        vector = _finite_numbers(item["embedding"], source, where, "embedding", dim)
        if not vector:
            _fail(source, where, "'embedding' is empty")
        dim = len(vector)
        has_truth = _every_or_none(item, "truth", has_truth, source, where)
        if has_truth:
            truth.append(_true_label(item["truth"], index, classes, source, where))
        has_layout = _every_or_none(item, "xy", has_layout, source, where)
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


def _classes_and_items(data, source):
    """The decoded object's ``classes`` (non-empty, distinct, not OOD) and ``items`` (a non-empty list)."""
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
    items = data["items"]
    if not isinstance(items, list) or not items:
        _fail(source, "items", "must be a non-empty list")
    return classes, items


def _item_id(item, i, seen, source):
    """``(id, where)``: item i's id (an integer id of up to 64 bits as its text), not empty and not seen
    before (``seen``: id -> item number, updated), and the item's place for messages."""
    where = f"item {i}"
    if not isinstance(item, dict):
        _fail(source, where, "must be an object")
    for key in ("id", "given", "embedding"):
        if key not in item:
            _fail(source, where, f"missing '{key}'")
    item_id = item["id"]
    if isinstance(item_id, int) and not isinstance(item_id, bool) and item_id.bit_length() <= 64:
        item_id = str(item_id)
    if not isinstance(item_id, str) or item_id == "":
        _fail(source, where, "'id' must be a non-empty string")
    where = f"item {i} (id {item_id!r})"
    if item_id in seen:
        _fail(source, where, f"duplicate id (also item {seen[item_id]})")
    seen[item_id] = i
    return item_id, where


def _every_or_none(item, key, first, source, where):
    """Whether ``item`` has the optional ``key``, which every item must have or none: ``first`` is whether the
    first item had it (None for the first item itself)."""
    has = key in item
    if first is not None and first != has:
        _fail(source, where, f"'{key}' must be given for every item or for none")
    return has


def _true_label(value, index, classes, source, where):
    """A ``truth`` value (a class name or ``OOD``) as a class index, or :data:`OOD`."""
    if not isinstance(value, str) or (value != OOD_NAME and value not in index):
        expected = f"expected one of {_short(classes, 200)} or {OOD_NAME!r}"
        _fail(source, where, f"unknown true label {_short(value)}; {expected}")
    return OOD if value == OOD_NAME else index[value]


def parse_dataset(text: str, source: str = "dataset", *, checked: bool = False) -> Dataset:
    """Parse JSON text in the demo schema; see :func:`dataset_from_dict`.

    The text's shape is checked first (:class:`JsonShape`) unless ``checked``
    says the caller already fed the same text to one.
    """
    return dataset_from_dict(parse_json(text, source, checked=checked), source)


def parse_json(text: str, source: str, *, checked: bool = False) -> Any:
    """``json.loads`` for untrusted text: a :class:`DatasetError` naming the line and column for any problem."""
    if not checked:
        shape = JsonShape(source)
        shape.feed(text.encode("utf-8", "surrogatepass"))
        shape.close()
    try:
        return json.loads(text, parse_int=_json_int)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except _HugeInteger as exc:
        line, column = _huge_integer_place(text)
        raise DatasetError(
            f"{source}: line {line}, column {column}: an integer of {exc.digits:,} digits is too large "
            f"(at most {MAX_JSON_INT_DIGITS} digits)"
        ) from None
    except (RecursionError, MemoryError, ValueError) as exc:  # defensive: JsonShape should have refused the text
        raise DatasetError(f"{source}: cannot read this JSON ({type(exc).__name__})") from None


class _HugeInteger(Exception):
    def __init__(self, digits):
        super().__init__(digits)
        self.digits = digits


def _json_int(text):
    digits = len(text) - text.startswith("-")
    if digits > MAX_JSON_INT_DIGITS:
        raise _HugeInteger(digits)
    return int(text)


def _huge_integer_place(text):
    """1-based ``(line, column)`` of the first JSON integer longer than MAX_JSON_INT_DIGITS digits."""
    pattern = re.compile(rf'"(?:[^"\\]|\\.)*"|(?<![\d.eE+\-])-?\d{{{MAX_JSON_INT_DIGITS + 1},}}(?![\d.eE])', re.S)
    for match in pattern.finditer(text):
        if not match.group().startswith('"'):
            start = match.start()
            line = text.count("\n", 0, start) + 1
            return line, start - (text.rfind("\n", 0, start) + 1) + 1
    return 1, 1  # not reached: json only calls parse_int for such a number


class JsonShape:
    """Check JSON bytes, fed in pieces, before parsing them: nesting, size of strings, token count.

    ``feed(data)`` with consecutive pieces (bytes-like), then ``close()``.
    Raises :class:`DatasetError` naming ``source`` and the 1-based line
    (with :data:`MAX_JSON_DEPTH`, :data:`MAX_JSON_STRING_BYTES`, and
    ``max_tokens``, default :data:`MAX_JSON_TOKENS`). It does not check the syntax (``json.loads``
    does, afterwards); it never recurses, and a piece of B bytes costs O(B).
    """

    _TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},:]|"', re.S)

    def __init__(self, source: str, max_tokens: int = MAX_JSON_TOKENS):
        self.source = source
        self.max_tokens = max_tokens
        self.depth = 0
        self.tokens = 0
        self._lines = 0  # line ends before self._carry
        self._carry = b""  # an unterminated string from the previous piece

    def feed(self, data: bytes | bytearray | memoryview) -> None:
        """Check the next piece of the text."""
        buffer = self._carry + bytes(data) if self._carry else bytes(data)
        depth, tokens = self.depth, self.tokens
        rest = len(buffer)
        for match in self._TOKEN.finditer(buffer):
            token = match.group()
            if token[0] == 0x22:  # a string, or (a lone quote) one that does not end in this buffer
                if len(token) == 1:
                    rest = match.start()
                    break
                if len(token) - 2 > MAX_JSON_STRING_BYTES:
                    self._error(buffer, match.start(), f"a string longer than {MAX_JSON_STRING_BYTES:,} bytes")
            elif token in b"[{":
                depth += 1
                if depth > MAX_JSON_DEPTH:
                    self._error(buffer, match.start(), f"nested more than {MAX_JSON_DEPTH} levels deep")
            elif token in b"]}":
                depth -= 1
            tokens += 1
            if tokens > self.max_tokens:
                self._error(buffer, match.start(), f"more than {self.max_tokens:,} values, brackets and separators")
        self.depth, self.tokens = depth, tokens
        self._lines += buffer.count(b"\n", 0, rest)
        self._carry = buffer[rest:]
        if len(self._carry) - 1 > MAX_JSON_STRING_BYTES:
            self._error(self._carry, 0, f"a string longer than {MAX_JSON_STRING_BYTES:,} bytes")

    def close(self) -> None:
        """The end of the text: an unterminated string is left for ``json.loads`` to report."""
        self._carry = b""

    def _error(self, buffer, position, what):
        line = self._lines + buffer.count(b"\n", 0, position) + 1
        raise DatasetError(f"{self.source}: line {line}: {what}")


def load_dataset(path: str | os.PathLike[str]) -> Dataset:
    """Read and validate a dataset JSON file; see :func:`dataset_from_dict`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DatasetError(f"{path.name}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise DatasetError(f"{path.name}: not UTF-8 text") from None
    return parse_dataset(text, path.name)
