"""What every panel shares: escaping and number formats, category names, how an item is named and drawn
(its image, or its cell of the sprite sheet), the geometry of the virtual lists, and the tab strip.

Inputs are plain values: text and numbers, a :class:`~cleanlens.dataset.Dataset` and an item index, the
analysis result of :meth:`~cleanlens.web.state.ExplorerState.analysis` (None before training). Every other
module of the package imports from this one; it imports none of them.
"""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING, Any

from cleanlens.confident import CATEGORIES, Categorization

if TYPE_CHECKING:
    from cleanlens.dataset import Dataset

CATEGORY_NAMES = {
    "correct": "Correct",
    "label_issue": "Label issue",
    "ood": "Out of distribution",
    "unconfident": "Unconfident",
}
EXCLUDED_NAME = "Excluded"
CLASS_COLOURS = 10  # class k uses CSS variable --c{k % 10}

VIRTUAL_MIN = 600
"""Lists longer than this (dataset tiles, result images, table rows) draw only the rows in view and a few
around them, and the page redraws them as they scroll; shorter lists draw every item."""
FIRST_WINDOW = 120
"""Items a virtual list draws before the page knows its size (it then draws what is in view)."""


class Geometry:
    """Fixed sizes of a virtual list, in CSS pixels: the row pitch is ``row + gap``; ``column`` is the minimum
    column width of a grid (``repeat(auto-fill, minmax(column, 1fr))``), 0 for a one-column list."""

    def __init__(self, row: int, gap: int, column: int = 0) -> None:
        self.row, self.gap, self.column = row, gap, column

    def style(self) -> str:
        return f"--row:{self.row}px;--gap:{self.gap}px" + (f";--col:{self.column}px" if self.column else "")

    def attrs(self, name: str, count: int) -> str:
        """The attributes the page's scroll handler reads."""
        return (
            f'data-virtual="{name}" data-count="{count}" data-row="{self.row + self.gap}" '
            f'data-col="{self.column + self.gap if self.column else 0}" data-gap="{self.gap}"'
        )


TILE_GEOMETRY = Geometry(row=96, gap=6, column=72)
RESULT_GEOMETRY = Geometry(row=90, gap=6, column=64)
TABLE_GEOMETRY = Geometry(row=26, gap=0)


def window_of(count: int, window: tuple[int, int] | None) -> tuple[int, int]:
    """The ``(start, stop)`` item range to draw of a list of ``count`` items, given the page's ``window`` or None."""
    if count <= VIRTUAL_MIN:
        return 0, count
    start, stop = window or (0, FIRST_WINDOW)
    start = max(0, min(start, count))
    return start, max(start, min(stop, count))


def esc(text: object) -> str:
    """Escape text for HTML content and attribute values."""
    return escape(str(text), quote=True)


PRECISION = 3
"""Decimals of every probability, threshold, score and ratio the page shows (one rule for the whole page)."""


def fmt(value: float | None, digits: int = PRECISION) -> str:
    """A probability, threshold or score for display; +inf (no items) and None are shown as an em dash."""
    if value is None or (isinstance(value, float) and math.isinf(value)):
        return "—"
    return f"{value:.{digits}f}"


def compared(a: float, b: float) -> tuple[str, str]:
    """``a`` and ``b`` as text that compares as the numbers do: :data:`PRECISION` decimals, or more (up to 12)
    when those would make a sentence such as "0.940 is below 0.940" untrue."""
    for digits in range(PRECISION, 13):
        x, y = float(f"{a:.{digits}f}"), float(f"{b:.{digits}f}")
        if (x < y) == (a < b) and (x == y) == (a == b):
            break
    return fmt(a, digits), fmt(b, digits)


def item_name(dataset: Dataset, i: int) -> str:
    """How the page names item i: its id, or "#17" when the ids are row numbers (never mistaken for a class)."""
    return f"#{dataset.ids[i]}" if dataset.row_ids else dataset.ids[i]


def category_of(result: Categorization | None, i: int) -> str:
    """Item i's category name (one of :data:`CATEGORY_NAMES`), or "none" before training."""
    if result is None:
        return "none"
    code = result.categories[i]
    return CATEGORIES[code] if code < len(CATEGORIES) else "excluded"


def category_name(result: Categorization | None, i: int) -> str:
    cat = category_of(result, i)
    return EXCLUDED_NAME if cat == "excluded" else CATEGORY_NAMES.get(cat, "")


def _disabled(enabled: bool) -> str:
    return "" if enabled else " disabled"


_SPRITES = {}
"""Image path -> ``background-position`` of its cell in the sprite sheet (see :func:`use_sprites`)."""


def use_sprites(manifest: dict[str, Any] | None) -> None:
    """Draw the images the sprite sheet holds from it (``build.py``'s :func:`sprite_sheet` manifest; None: none).

    The stylesheet draws the sheet (:func:`sprite_style`), so an image costs no request
    of its own and is never blank when it scrolls into view.
    """
    _SPRITES.clear()
    if not manifest:
        return
    columns, rows = manifest["columns"], manifest["rows"]
    for path, n in manifest["images"].items():
        x = n % columns * 100 / (columns - 1) if columns > 1 else 0
        y = n // columns * 100 / (rows - 1) if rows > 1 else 0
        _SPRITES[path] = f"{x:.4g}% {y:.4g}%"


def sprite_style(manifest: dict[str, Any] | None) -> str:
    """The sheet's size in cells as a CSS variable, for the page's root element ('' without a sheet). The
    stylesheet names the sheet itself (``static/demo/sheet.png``, beside it)."""
    if not manifest:
        return ""
    return f"--sheet-size:{manifest['columns'] * 100}% {manifest['rows'] * 100}%"


def _image(dataset: Dataset, i: int, size: int, extra: str = "") -> str:
    """Item i's image with alt text (id, given label): its cell of the sprite sheet, an <img>, or a text stand-in
    when it has none."""
    label = dataset.classes[dataset.given[i]]
    alt = f"{item_name(dataset, i)}, labelled {label}"
    src = dataset.images[i]
    if not src:
        return (
            f'<span class="noimg" style="width:{size}px;height:{size}px" role="img" '
            f'aria-label="{esc(alt)}">{esc(item_name(dataset, i))}</span>'
        )
    cell = _SPRITES.get(src)
    if cell is not None:
        return (
            f'<span class="spr" role="img" aria-label="{esc(alt)}" style="width:{size}px;height:{size}px;'
            f'background-position:{cell}"{extra}></span>'
        )
    return (
        f'<img src="{esc(src)}" alt="{esc(alt)}" width="{size}" height="{size}" loading="lazy" decoding="async"{extra}>'
    )


def _thumb(dataset: Dataset, i: int, size: int) -> str:
    """A decorative thumbnail of item i (its name is said elsewhere), with ``data-i``; '' without an image."""
    src = dataset.images[i]
    if not src:
        return ""
    cell = _SPRITES.get(src)
    if cell is not None:
        return (
            f'<span class="spr" aria-hidden="true" data-i="{i}" style="width:{size}px;height:{size}px;'
            f'background-position:{cell}"></span>'
        )
    return f'<img src="{esc(src)}" alt="" width="{size}" height="{size}" loading="lazy" decoding="async" data-i="{i}">'


def _tabs(group: str, labels: dict[str, str], current: str, counts: dict[str, int] | None = None) -> str:
    buttons = []
    for key, text in labels.items():
        n = f" ({counts[key]})" if counts and key in counts else ""
        on = key == current
        buttons.append(
            f'<button type="button" role="tab" id="tab-{group}-{key}" data-action="tab-{group}" data-tab="{key}" '
            f'aria-selected="{"true" if on else "false"}" aria-controls="panel-{group}" tabindex="{0 if on else -1}">'
            f"{text}{n}</button>"
        )
    return f'<div role="tablist" aria-label="{group}">{"".join(buttons)}</div>'
