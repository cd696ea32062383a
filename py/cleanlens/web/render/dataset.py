"""The Dataset panel: its filters and sort, how many images it lists and how many known errors remain, the
legend of the tile marks, and the tiles (each image with its category mark and its own label control), drawn as
a virtual list when long.

Inputs: the state (dataset, current labels, filters and sort, decisions, selection), the analysis result (None
before training: no category marks) and, for :func:`tiles`, the window of a long list the page has in view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import ids
from .common import (
    CATEGORY_NAMES,
    EXCLUDED_NAME,
    TILE_GEOMETRY,
    VIRTUAL_MIN,
    _disabled,
    _image,
    category_of,
    esc,
    item_name,
    window_of,
)

if TYPE_CHECKING:
    from cleanlens.confident import Categorization
    from cleanlens.web.state import ExplorerState


def dataset_toolbar(state: ExplorerState, enabled: bool = True) -> str:
    classes = state.dataset.classes
    class_opts = '<option value="">All classes</option>' + "".join(
        f'<option value="{k}"{" selected" if state.view.filter_class == k else ""}>{esc(name)}</option>'
        for k, name in enumerate(classes)
    )
    cat_opts = '<option value="">All categories</option>' + "".join(
        f'<option value="{c}"{" selected" if state.view.filter_category == c else ""}>{name}</option>'
        for c, name in dict(CATEGORY_NAMES, excluded=EXCLUDED_NAME).items()
    )
    sorts = {
        "quality": "Worst label first",
        "dataset": "Dataset order",
        "quality-desc": "Best label first",
        "given": "Given label",
    }
    sort_opts = "".join(
        f'<option value="{k}"{" selected" if state.view.sort == k else ""}>{v}</option>' for k, v in sorts.items()
    )
    d = _disabled(enabled)
    return (
        f'<label>Class <select data-action="filter-class" data-testid="filter-class"{d}>{class_opts}</select></label>'
        f'<label>Category <select data-action="filter-category" data-testid="filter-category"{d}>{cat_opts}'
        "</select></label>"
        f'<label>Sort <select data-action="sort" data-testid="sort"{d}>{sort_opts}</select></label>'
    )


def known_errors_counter(state: ExplorerState) -> str:
    if state.dataset.truth is None:
        return ""
    n = len(state.known_errors())
    return (
        f'<span title="Images whose current label differs from the demo\'s ground truth">Known errors: '
        f'<strong data-testid="known-errors">{n}</strong></span>'
    )


def tile(
    state: ExplorerState,
    i: int,
    result: Categorization | None,
    enabled: bool = True,
    position: tuple[int, int] | None = None,
) -> str:
    """One dataset tile: thumbnail (selects the item), its category mark, and its own label control.

    ``position``: ``(n, count)`` when the tile is the n-th (from 1) of a virtual list of ``count`` tiles (screen
    readers hear "item n of count" although only some are drawn).
    """
    dataset = state.dataset
    cat = category_of(result, i)
    name = item_name(dataset, i)
    options = "".join(
        f'<option value="{k}"{" selected" if state.labels[i] == k else ""}>{esc(c)}</option>'
        for k, c in enumerate(dataset.classes)
    )
    sel = " selected" if state.view.selected == i else ""
    changed = " relabelled" if state.labels[i] != dataset.given[i] else ""
    changed += " excluded" if state.work.decisions.get(i) == "exclude" else ""
    listed = "" if position is None else f' aria-setsize="{position[1]}" aria-posinset="{position[0]}"'
    return (
        f'<li{listed} class="tile{sel}{changed}" data-i="{i}" data-cat="{cat}">'
        f'<button type="button" class="pick" data-action="select" data-i="{i}" aria-label="Inspect {esc(name)}">'
        f'{_image(dataset, i, 64)}<span class="mark" aria-hidden="true"></span></button>'
        f'<select data-action="relabel" data-i="{i}" aria-label="Label of {esc(name)}" '
        f'title="{esc(dataset.classes[state.labels[i]])}"{_disabled(enabled)}>{options}</select>'
        f"</li>"
    )


def tile_legend() -> str:
    """What the tile marks mean; stays in view above the dataset's images."""
    marks = "".join(
        f'<span class="lg"><span class="lgtile" data-cat="{cat}" aria-hidden="true"><span class="mark">'
        f"</span></span>{CATEGORY_NAMES[cat].lower()}</span>"
        for cat in ("label_issue", "ood", "unconfident", "correct")
    )
    return (
        f'<p class="tile-legend" id="tile-legend" data-testid="tile-legend"><span class="sr-only">Tile marks: '
        "red border and ! = label issue, purple border and ∅ = out of distribution, dashed border = unconfident, "
        f"plain = correct.</span>{marks}</p>"
    )


def tiles(
    state: ExplorerState, result: Categorization | None, window: tuple[int, int] | None = None, enabled: bool = True
) -> str:
    """The dataset tiles in view: all of them, or ``window`` (start, stop) of a long list (see :data:`VIRTUAL_MIN`)."""
    items = state.visible_items()
    start, stop = window_of(len(items), window)
    virtual = len(items) > VIRTUAL_MIN
    count = len(items)
    return "".join(
        tile(state, items[n], result, enabled, (n + 1, count) if virtual else None) for n in range(start, stop)
    )


def tiles_grid(
    state: ExplorerState, result: Categorization | None, window: tuple[int, int] | None = None, enabled: bool = True
) -> str:
    """The dataset grid element with the tiles in view (:func:`tiles`): the content of ``#tiles-scroll``."""
    count = len(state.visible_items())
    return (
        f'<ul class="tiles" id="{ids.TILES}" data-testid="tiles" aria-label="Images and their labels" '
        f'style="{TILE_GEOMETRY.style()}" {TILE_GEOMETRY.attrs("tiles", count)}>'
        f"{tiles(state, result, window, enabled)}</ul>"
    )


def tiles_list(state: ExplorerState, result: Categorization | None, enabled: bool = True) -> str:
    """The dataset grid in its scrolling container (:func:`tiles_grid`)."""
    return f'<div class="tiles-scroll" id="{ids.TILES_SCROLL}">{tiles_grid(state, result, enabled=enabled)}</div>'


def dataset_count(state: ExplorerState) -> str:
    """How many items the dataset panel lists, e.g. "1,797 images" or "12 of 1,797 images" (data without images:
    "items")."""
    n, shown = len(state.labels), len(state.visible_items())
    noun = "images" if state.has_images else "items"
    return f"{n:,} {noun}" if shown == n else f"{shown:,} of {n:,} {noun}"
