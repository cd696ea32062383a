"""The Map tab of the centre panel: the 2-D scatter of the items (the demo's stored t-SNE layout, a layout
from the user's file, or the first two principal components of their features), coloured by label, flagged
ones ringed by category, with its legend.

Inputs: the state (dataset, layout, labels, selection) and the analysis result (categories and suggestions;
None before training).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import CLASS_COLOURS, category_name, category_of, esc, item_name

if TYPE_CHECKING:
    from cleanlens.confident import Categorization
    from cleanlens.web.state import ExplorerState


def scatter(state: ExplorerState, result: Categorization | None) -> str:
    """The 2-D map: points coloured by given label, flagged ones ringed by category, the selected one on top with
    cross-hairs; the legend above it (in view); each point's title says its id, labels and category.

    The demo has a stored layout (t-SNE); data brought by the user gets the first two principal components
    of its features, computed in the page (:mod:`cleanlens.layout`, ``state.layout``).
    """
    dataset = state.dataset
    layout = state.map_layout()
    if layout is None:
        if state.given_probabilities is not None:
            return (
                '<p class="empty">A map needs features: a file of probabilities has none. Load a features CSV or a '
                "JSON file to get a map (the first two principal components of its features).</p>"
            )
        return (
            '<p class="empty" data-testid="map-pending">Computing the map: the first two principal components '
            "of your features…</p>"
        )
    classes = dataset.classes
    xs = [p[0] for p in layout]
    ys = [p[1] for p in layout]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    size = 400

    def pos(v, lo, hi):
        return 12 + (v - lo) / ((hi - lo) or 1) * (size - 24)

    points = []
    chosen = ""
    for i in range(len(dataset)):
        cat = category_of(result, i)
        x, y = pos(xs[i], x0, x1), pos(ys[i], y0, y1)
        sug = None if result is None else result.suggested[i]
        title = f"{item_name(dataset, i)}: labelled {classes[state.labels[i]]}"
        if sug is not None and sug != state.labels[i]:
            title += f", suggested {classes[sug]}"
        if result is not None:
            title += f" · {category_name(result, i)}"
        point = (
            f'<circle class="pt c{state.labels[i] % CLASS_COLOURS}{{sel}}" data-cat="{cat}" data-i="{i}" '
            f'data-action="select" cx="{x:.1f}" cy="{y:.1f}" r="5"><title>{esc(title)}</title></circle>'
        )
        if state.view.selected == i:
            chosen = (
                f'<g class="chosen" aria-hidden="true"><line x1="0" x2="{size}" y1="{y:.1f}" y2="{y:.1f}"/>'
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{size}"/><circle cx="{x:.1f}" cy="{y:.1f}" r="11"/></g>'
                + point.replace("{sel}", " selected")
            )
        else:
            points.append(point.replace("{sel}", ""))
    legend = "".join(
        f'<span><span class="swatch c{k % CLASS_COLOURS}"></span>{esc(c)}</span>' for k, c in enumerate(classes)
    )
    if dataset.layout is not None:
        what = (
            "t-SNE layout of the image embeddings (computed when the demo was made)"
            if state.is_demo
            else "the 2-D layout from your file"
        )
    else:
        what = state.layout_note or "the first two principal components of your features"
    return (
        f'<div class="map"><p class="legend map-legend" data-testid="map-legend">{legend}'
        '<span><span class="ring label_issue"></span>label issue</span>'
        '<span><span class="ring ood"></span>OOD</span><span><span class="ring unconfident"></span>unconfident</span>'
        '<span><span class="ring chosen"></span>selected</span></p>'
        f'<p class="muted map-what">Map: {esc(what)}. Point at a dot for its details; click to select it.</p>'
        f'<svg class="scatter" viewBox="0 0 {size} {size}" role="img" aria-label="2-D map of the images; '
        'use the dataset panel or the table to choose an image with the keyboard">'
        f"{''.join(points)}{chosen}</svg></div>"
    )
