"""One JSON file in the demo's schema (:mod:`cleanlens.dataset`), read as embeddings (pure).

Its shape is scanned chunk by chunk (depth, tokens, string lengths) before it is parsed; then the
dataset's limits, classes, names and image URLs are checked as for a CSV.
"""

from __future__ import annotations

import codecs
import hashlib

from ..arrays_io import Source, read_all
from ..dataset import MAX_JSON_TOKENS, JsonShape, dataset_from_dict, parse_json
from ..steps import Steps
from . import limits
from .common import LoadedData, UserDataError, check_classes_used, filter_images, short
from .limits import Caps, check_embedding_rows


def json_token_limit(feature_values: int) -> int:
    """The most tokens a JSON file may hold when ``feature_values`` feature values are allowed: the dataset
    module's :data:`~cleanlens.dataset.MAX_JSON_TOKENS`, or three per feature value when that is more (a value,
    its comma, and room for the rest of an item)."""
    return max(MAX_JSON_TOKENS, 3 * feature_values)


def load_json(name: str, source: Source, caps: Caps) -> Steps[float, LoadedData]:
    """The JSON file as a :class:`LoadedData` in embeddings mode (a generator yielding progress 0..0.8)."""
    size = source.size
    shape = JsonShape(name, max_tokens=json_token_limit(caps.feature_values))
    decoder = codecs.getincrementaldecoder("utf-8")()
    digest = hashlib.sha256()
    for start in range(0, size, limits.JSON_SCAN_BYTES):
        chunk = source.read(start, min(start + limits.JSON_SCAN_BYTES, size))
        digest.update(chunk)
        held = len(decoder.getstate()[0])
        try:
            decoder.decode(chunk, start + limits.JSON_SCAN_BYTES >= size)
        except UnicodeDecodeError as exc:
            raise UserDataError(f"{name}: not UTF-8 text (byte {start - held + exc.start})") from None
        shape.feed(chunk)
        yield 0.5 * (start + len(chunk)) / size
    shape.close()
    text = read_all(source).decode("utf-8-sig")
    dataset = dataset_from_dict(parse_json(text, name, checked=True), name)
    del text
    yield 0.8
    if len(dataset.classes) > limits.MAX_CLASSES:
        raise UserDataError(f"{name}: {len(dataset.classes)} classes; at most {limits.MAX_CLASSES} are supported")
    check_embedding_rows(name, len(dataset), len(dataset.features[0]), caps)
    used = sorted(set(dataset.given))
    if len(used) < 2:
        raise UserDataError(
            f"{name}: only one class ({short(dataset.classes[used[0]])}) among the given labels: confident "
            "learning needs at least two"
        )
    check_classes_used(name, dataset.classes, dataset.given, lambda k: "")
    dataset.classes = _stripped_names(name, dataset.classes, "classes[{}]")
    dataset.ids = _stripped_names(name, dataset.ids, "item {}'s id")
    dataset.images, warnings = filter_images(dataset.images)
    sha = digest.hexdigest()
    declared = dataset.provenance
    dataset.provenance = {"source": name, "sha256": sha}
    if declared:
        dataset.provenance["declared"] = declared
    return LoadedData("embeddings", dataset, None, warnings, name, sha)


def _stripped_names(name, values, where):
    """JSON class names or ids stripped of surrounding whitespace; still non-empty and distinct.

    ``where.format(i)`` names value i in messages.
    """
    out, seen = [], {}
    for i, value in enumerate(values):
        value = value.strip()
        if not value:
            raise UserDataError(f"{name}: {where.format(i)} is blank")
        if value in seen:
            raise UserDataError(
                f"{name}: {where.format(i)} {short(value)} is the same as {where.format(seen[value])} (ignoring "
                "surrounding spaces)"
            )
        seen[value] = i
        out.append(value)
    return out
