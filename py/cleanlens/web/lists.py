"""Long lists that draw only the rows in view (browser only).

The dataset tiles, the result images and the probability table can hold 100,000 items. Rows have fixed
heights (:class:`cleanlens.web.render.Geometry`), so which rows are visible follows from the scroll position
(:func:`cleanlens.web.placement.list_window`); the list draws those and a few around them, and padding (or, in
a table, spacer rows) stands for the rest. Lists of up to ``render.VIRTUAL_MIN`` items are drawn whole.
"""

from __future__ import annotations

from collections.abc import Callable

from cleanlens.web import render
from cleanlens.web.dom import document, focus_key, patch, query
from cleanlens.web.placement import ListWindow, list_window
from cleanlens.web.render import ids

OVERSCAN = 3
"""Rows a virtual list draws beyond the visible ones, above and below."""
SCROLLERS = {"tiles": ids.TILES_SCROLL, "results": ids.PANEL_RESULTS, "table": ids.PANEL_CENTER}
"""Virtual list name -> the id of the element that scrolls it."""


class VirtualLists:
    """The page's virtual lists and the windows drawn of them.

    ``draw(name, (start, stop))``: the HTML of those rows of list ``name``; ``drawn(name)``: called after rows
    of a list were drawn (the tiles keep an index of their nodes).
    """

    def __init__(self, draw: Callable[[str, tuple[int, int]], str], drawn: Callable[[str], None]) -> None:
        self.draw = draw
        self.drawn = drawn
        self.windows: dict[str, ListWindow] = {}

    def ranges(self) -> dict[str, tuple[int, int]]:
        """``{list name: (start, stop)}`` of the windows drawn (what region renderers draw again)."""
        return {name: (w.start, w.stop) for name, w in self.windows.items()}

    def forget(self) -> None:
        """The lists were drawn afresh (other data): nothing is known of them."""
        self.windows = {}

    def place(self, name: str) -> None:
        """Draw the rows of list ``name`` that are in view (if it is long), and size its spacers."""
        node = query(f'[data-virtual="{name}"]')
        if node is None:
            self.windows.pop(name, None)
            return
        count = int(node.dataset.count)
        if count <= render.VIRTUAL_MIN:
            self.windows.pop(name, None)
            node.style.paddingTop = node.style.paddingBottom = ""
            return
        container = document.getElementById(SCROLLERS[name])
        offset = (
            0.0
            if node.id == SCROLLERS[name]
            else node.getBoundingClientRect().top - container.getBoundingClientRect().top + container.scrollTop
        )
        pitch = float(node.dataset.row)
        window = list_window(
            self.windows.get(name),
            count,
            container.scrollTop,
            offset,
            container.clientHeight,
            node.clientWidth,
            pitch,
            float(node.dataset.col),
            float(node.dataset.gap),
            OVERSCAN,
        )
        if window is not None:
            key = focus_key(document.activeElement) if node.contains(document.activeElement) else None
            self.windows[name] = window
            patch(node, self.draw(name, (window.start, window.stop)))
            if key:
                again = query(key, node)
                if again is not None:
                    again.focus()
            self.drawn(name)
        if node.tagName != "TBODY":  # a list: spacers as padding (a table draws spacer rows itself)
            above, below = self.windows[name].padding(pitch)
            node.style.paddingTop = f"{above}px"
            node.style.paddingBottom = f"{below}px"

    def place_all(self) -> None:
        for name in SCROLLERS:
            self.place(name)

    def place_within(self, region_ids: set[str]) -> None:
        """Place the lists that are, or are inside, the regions just redrawn."""
        for name, scroller in SCROLLERS.items():
            if name in region_ids or scroller in region_ids:
                self.place(name)
