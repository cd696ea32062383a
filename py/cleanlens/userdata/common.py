"""What every format of "Your data" shares: the error, the result, short names in messages, image URLs and
probability rows (pure).

Image URLs and probability rows that do not sum to 1: the rules are in the package docstring
(:mod:`cleanlens.userdata`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ..arrays_io import InputError, Source
from ..confident import SUM_TOLERANCE
from ..dataset import Dataset

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

File = tuple[str, Source]
"""A file as the loaders see it: its name and a source of its bytes."""
Where = Callable[..., str]
"""``where(row)`` names the file and row for a message, ``where(row, j)`` also column j."""


class UserDataError(InputError):
    """The dropped files cannot be used. The message is one line naming the file and the place.

    ``renormalizable`` is True only when the sole problem is probability rows
    not summing to 1 within the tolerance (values finite and >= 0, sums > 0):
    loading again with ``renormalize=True`` would succeed.
    """

    def __init__(self, message: object, renormalizable: bool = False):
        super().__init__(" ".join(str(message).split()))
        self.renormalizable = renormalizable


@dataclass
class LoadedData:
    """Validated user data.

    mode : ``"probabilities"`` or ``"embeddings"``
    dataset : :class:`~cleanlens.dataset.Dataset`; ``features`` is None in
        probabilities mode; ``images`` holds an allowed URL or None per item;
        ``provenance`` is ``{"source": source_name, "sha256": source_sha256}``
        (plus ``"declared"``: the JSON file's own provenance, when it has one)
    probabilities : N rows of K floats in probabilities mode (renormalised if
        asked), else None
    warnings : sentences for the UI about problems that did not stop the load
        (e.g. image URLs dropped)
    source_name : the file name, or ``"<labels file> + <pred_probs file>"``
    source_sha256 : hex SHA-256 (see the module docstring for .npy pairs)
    notes : sentences for the UI that explain, not warn: in automatic mode,
        which mode was chosen and why
    """

    mode: str
    dataset: Dataset
    probabilities: list[list[float]] | None
    warnings: list[str] = field(default_factory=list)
    source_name: str = ""
    source_sha256: str = ""
    notes: list[str] = field(default_factory=list)


def extension(name: str) -> str:
    """The file name's extension, lower case, without the dot ("" if none)."""
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def join_names(files: Iterable[tuple[str, object]]) -> str:
    """The files' names for a message: ``a.npy + b.npy``."""
    return " + ".join(name for name, _ in files)


def short(text: object, limit: int = 80) -> str:
    """``repr(text)``, cut in the middle when longer than ``limit`` characters (for one-line messages)."""
    shown = repr(text)
    return shown if len(shown) <= limit else f"{shown[: limit // 2]}…{shown[-limit // 2 :]}"


def allowed_image(url: str) -> str | None:
    """The URL stripped, if it may be shown as a thumbnail (the package docstring's *Image URLs*), else None."""
    url = url.strip()
    if not url or _CONTROL.search(url) or "\\" in url:
        return None
    if url[:11].lower() == "data:image/":
        return url
    if url.startswith("//") or _SCHEME.match(url):
        return None
    return url


def filter_images(images: Iterable[str | None]) -> tuple[list[str | None], list[str]]:
    """``(images, warnings)``: disallowed URLs replaced by None, with one warning counting them."""
    kept, dropped = [], 0
    for url in images:
        given = url is not None and url.strip() != ""
        good = allowed_image(url) if given else None
        dropped += given and good is None
        kept.append(good)
    warnings = []
    if dropped:
        what = "1 image URL was" if dropped == 1 else f"{dropped} image URLs were"
        warnings.append(f"{what} ignored (only data:image/… URIs and paths on this site are allowed)")
    return kept, warnings


def check_classes_used(name: str, classes: Sequence[str], given: Iterable[int], describe: Callable[[int], str]) -> None:
    """Every class has an item labelled with it; ``describe(k)`` says where class k came from."""
    counts = [0] * len(classes)
    for g in given:
        counts[g] += 1
    for k, count in enumerate(counts):
        if count == 0:
            raise UserDataError(
                f"{name}: class {short(classes[k])}{describe(k)} has no items: every class needs at least one "
                "item labelled with it"
            )


class SumProblems:
    """Probability rows whose sum is off: the first is reported once every other check has passed."""

    def __init__(self) -> None:
        self.first: str | None = None
        self.count = 0

    def add(self, where: str, total: float) -> None:
        """Record the row at ``where``, whose values sum to ``total``."""
        if self.first is None:
            self.first = f"{where}: probabilities sum to {total:.6g}, not 1 (tolerance {SUM_TOLERANCE:g})"
        self.count += 1

    def raise_if_any(self) -> None:
        """Raise the renormalisable error for the rows recorded, if any."""
        if self.count:
            rows = "1 row does" if self.count == 1 else f"{self.count:,} rows do"
            raise UserDataError(
                f"{self.first}; {rows} not sum to 1: renormalise to load them anyway", renormalizable=True
            )


def check_probability_row(
    values: list[float], renormalize: bool, sums: SumProblems, where: Where, row: int
) -> list[float]:
    """Check one row of finite floats; return it, divided by its sum if ``renormalize``.

    Negative values and rows summing to 0 raise; a sum off by more than the
    tolerance is recorded in ``sums`` (unless renormalising). For messages,
    ``where(row)`` names the file and row, ``where(row, j)`` the file, row and column j.
    """
    if min(values) < 0.0:
        j = next(j for j, p in enumerate(values) if p < 0.0)
        raise UserDataError(f"{where(row, j)}: negative probability: {values[j]!r}")
    try:
        total = math.fsum(values)
    except OverflowError:
        total = math.inf
    if not 0.0 < total < math.inf:
        raise UserDataError(f"{where(row)}: probabilities sum to {total:.6g}: this row cannot be renormalised")
    if renormalize:
        return [p / total for p in values]
    if abs(total - 1.0) > SUM_TOLERANCE:
        sums.add(where(row), total)
    return values
