"""Where floating things go and which rows a long list draws: the page's geometry, as arithmetic (pure).

Rectangles are viewport coordinates in CSS pixels, as ``getBoundingClientRect()`` gives them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Rect:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def overlaps(self, other: Rect) -> bool:
        return (
            self.left < other.right and other.left < self.right and self.top < other.bottom and other.top < self.bottom
        )


def _box(left: float, top: float, width: float, height: float) -> Rect:
    return Rect(left, top, left + width, top + height)


def popover_position(
    anchor: Rect,
    width: float,
    height: float,
    view_width: float,
    view_height: float,
    avoid: tuple[Rect, ...] = (),
    gap: float = 10,
    edge: float = 6,
) -> tuple[float, float]:
    """The top-left corner of a ``width`` x ``height`` popover explaining ``anchor``.

    Right of the anchor if there is room, else left of it, else below (or above when below does not fit),
    always inside the viewport (``edge`` pixels from its sides) and never over the ``avoid`` rectangles (the
    controls the user is about to press) when some place beside the anchor keeps them free.
    """
    below = anchor.bottom + gap if anchor.bottom + gap + height <= view_height - edge else anchor.top - gap - height
    spots = []
    if anchor.right + gap + width <= view_width - edge:
        spots.append((anchor.right + gap, anchor.top))
    if anchor.left - gap - width >= edge:
        spots.append((anchor.left - gap - width, anchor.top))
    spots.append((anchor.left, below))
    spots.append((anchor.left, anchor.top - gap - height if below > anchor.top else anchor.bottom + gap))

    def clamp(left: float, top: float) -> tuple[float, float]:
        return max(edge, min(left, view_width - width - edge)), max(edge, min(top, view_height - height - edge))

    placed = [clamp(left, top) for left, top in spots]
    for left, top in placed:
        if not any(_box(left, top, width, height).overlaps(rect) for rect in avoid):
            return left, top
    return placed[0]


def card_position(
    anchor: Rect | None, width: float, height: float, view_width: float, view_height: float
) -> tuple[float, float]:
    """The top-left corner of the tour's card for a step whose target is ``anchor`` (None: no target).

    Beside the anchor (right, left, below or above: the first that fits in the viewport without covering it),
    else at the bottom of the screen, or at the top when the anchor is in the lower half; without an anchor,
    centred at the top.
    """
    gap, edge = 14, 8
    if anchor is None:
        return (view_width - width) / 2, edge
    mid = max(anchor.top, 0) + (min(anchor.bottom, view_height) - max(anchor.top, 0)) / 2
    beside = (anchor.right + gap, anchor.left - gap - width)
    stacked = (anchor.bottom + gap, anchor.top - gap - height)
    spots = [(left, mid - height / 2) for left in beside] + [(anchor.left, top) for top in stacked]
    for left, top in spots:
        if top in stacked:
            left = max(edge, min(left, view_width - width - edge))
        if left in beside:
            top = max(edge, min(top, view_height - height - edge))
        card = _box(left, top, width, height)
        fits = edge <= left and card.right <= view_width - edge and edge <= top and card.bottom <= view_height - edge
        if fits and not card.overlaps(anchor):
            return left, top
    left = edge if view_width < width + 2 * edge else (view_width - width) / 2
    return left, view_height - height - edge if mid < view_height / 2 else edge


@dataclass(frozen=True)
class ListWindow:
    """The rows a virtual list draws: items ``start``..``stop`` (a multiple of ``columns`` apart) of ``count``."""

    start: int
    stop: int
    columns: int
    count: int

    def padding(self, pitch: float) -> tuple[float, float]:
        """The space above and below the drawn rows, in pixels (rows of ``pitch`` pixels)."""
        rows = math.ceil(self.count / self.columns)
        return self.start // self.columns * pitch, max(0, rows - math.ceil(self.stop / self.columns)) * pitch


def list_window(
    drawn: ListWindow | None,
    count: int,
    scroll_top: float,
    offset: float,
    client_height: float,
    client_width: float,
    pitch: float,
    column: float,
    gap: float,
    overscan: int,
) -> ListWindow | None:
    """The window a virtual list should draw, or None when what is ``drawn`` still covers the view.

    The list's rows are ``pitch`` pixels apart and start ``offset`` pixels into its scrolling container, which
    shows ``client_height`` pixels from ``scroll_top``; a grid has as many columns of at least ``column`` pixels
    (plus ``gap``) as fit in ``client_width`` (``column`` 0: one column). ``overscan`` rows are drawn beyond the
    visible ones, above and below.
    """
    columns = max(1, math.floor((client_width + gap) / column)) if column else 1
    top = max(0, math.floor((scroll_top - offset) / pitch))
    bottom = max(top + 1, math.ceil((scroll_top - offset + client_height) / pitch))
    if (
        drawn is not None
        and (drawn.columns, drawn.count) == (columns, count)
        and drawn.start <= top * columns
        and drawn.stop >= min(count, bottom * columns)
    ):
        return None
    start = max(0, top - overscan) * columns
    return ListWindow(start, min(count, (bottom + overscan) * columns), columns, count)
