"""The Confident joint tab of the centre panel: the K×K table of given against suggested labels, each cell a
button (it lists its images) with its count on a heat scale and thumbnails where they fit.

Inputs: the state (dataset and its images, the chosen cell) and the analysis result (``joint``,
``joint_ids``; None before training).
"""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING

from .common import _thumb, esc

if TYPE_CHECKING:
    from cleanlens.confident import Categorization
    from cleanlens.web.state import ExplorerState

COMPACT_JOINT = 12
"""Above this many classes the confident joint is drawn compact (see :func:`joint_matrix`)."""


def joint_thumbnails(state: ExplorerState) -> str:
    """Thumbnails drawn per confident-joint cell: fewer as K grows (cells get narrow), none without images."""
    if not state.has_images:
        return 0
    k = len(state.dataset.classes)
    return 12 if k <= 3 else 6 if k <= 5 else 3 if k <= 8 else 0


def joint_matrix(state: ExplorerState, result: Categorization | None) -> str:
    """The K×K confident joint: counts (always), a heat colour scale, thumbnails where they fit.

    With more than :data:`COMPACT_JOINT` classes the table is compact (narrow cells, class names cut short
    with the full name in a tooltip and read out) and scrolls inside its panel, headers kept in view.
    """
    if result is None:
        return '<p class="empty">The confident joint appears after training.</p>'
    classes = state.dataset.classes
    k_count = len(classes)
    limit = joint_thumbnails(state)
    images = state.dataset.images
    biggest = max((n for row in result.joint for n in row), default=1) or 1
    head = "".join(f'<th scope="col" title="{esc(c)}"><span>{esc(c)}</span></th>' for c in classes)
    rows = []
    for g in range(k_count):
        cells = []
        for s in range(k_count):
            n = result.joint[g][s]  # the engine's count (the cleanlab rule clips the diagonal to >= 1)
            kind = "diag" if g == s else "off"
            heat = n / biggest
            sel = " chosen" if state.view.cell == (g, s) else ""
            thumbs = more = ""
            if limit:
                ids = result.joint_ids[g][s]
                thumbs = "".join(_thumb(state.dataset, i, 24) for i in islice(ids, limit) if images[i])
                if len(ids) > limit:
                    more = f'<span class="more">+{len(ids) - limit} more</span>'
            noun = " image" if n == 1 else " images"
            said = f"{noun} given {esc(classes[g])}, suggested {esc(classes[s])}"  # read out, not shown
            cells.append(
                f'<td class="{kind}{sel}" style="--heat:{heat:.3f}">'
                f'<button type="button" data-action="cell" data-g="{g}" data-s="{s}" data-testid="joint-cell-{g}-{s}" '
                f'aria-pressed="{"true" if sel else "false"}"><span class="head"><span><span class="jcount">{n}</span>'
                f'<span class="sr-only">{said}</span></span>{more}</span>'
                + (f'<span class="thumbs">{thumbs}</span>' if limit else "")
                + "</button></td>"
            )
        rows.append(
            f'<tr><th scope="row" title="{esc(classes[g])}"><span>{esc(classes[g])}</span></th>{"".join(cells)}</tr>'
        )
    compact = " compact" if k_count > COMPACT_JOINT else ""
    return (
        f'<table class="joint{compact}">'
        "<caption>Confident joint: rows are given labels, columns suggested labels</caption>"
        f'<thead><tr><td class="corner">given ↓ suggested →</td>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
