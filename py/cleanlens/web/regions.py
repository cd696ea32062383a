"""The one table that decides what a change redraws: each region of the page, how it is rendered, and which
aspects of the state it depends on (pure; no DOM).

A region is an element of the page (its id in :mod:`cleanlens.web.render.ids`) whose content one render
function produces from the state. When the state changes (:class:`~cleanlens.web.changes.Changes`), the glue
re-renders exactly the regions whose ``depends`` meet the changed aspects (:func:`regions_for`) and patches
the page's nodes to the new HTML (the browser redraws only what differs). Some aspects change a region so
often or so locally that the glue patches those nodes directly instead of re-rendering the region
(``patches``): the category marks, labels and selection of the dataset tiles, the values of the sliders.

``windows``: for regions that hold a virtual list, the item range of the list in view
(``{"tiles" | "results" | "table": (start, stop)}``, or absent before the page has measured it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cleanlens.web import render
from cleanlens.web.changes import (
    ACCEPT_PLAN,
    CELL,
    CENTER_TAB,
    DATA,
    DECISIONS,
    ENGINE,
    LABELS,
    LAYOUT,
    LIST,
    NOTICES,
    PREVIEW,
    RESULT_TAB,
    RESULTS,
    RULE,
    SELECTION,
    SWEEP_METRIC,
    TABLE_SORT,
    THRESHOLDS,
    TRAINING,
    Changes,
)
from cleanlens.web.render import ids
from cleanlens.web.state import ExplorerState

Windows = Mapping[str, tuple[int, int]]
Render = Callable[[ExplorerState, Windows], str]


@dataclass(frozen=True)
class Region:
    """``id``: the element; ``render(state, windows)``: its content; ``depends``: the aspects whose change
    re-renders it; ``patches``: aspects the glue applies to its nodes in place instead."""

    id: str
    render: Render
    depends: frozenset[str]
    patches: frozenset[str] = frozenset()


def _region(region_id: str, render_fn: Render, *depends: str, patches: tuple[str, ...] = ()) -> Region:
    return Region(region_id, render_fn, frozenset((DATA, RESULTS, *depends)), frozenset(patches))


REGIONS: tuple[Region, ...] = (
    _region(
        ids.RUN_CONTROLS,
        lambda s, w: render.run_controls(s, True, s.running, s.worker),
        LABELS,
        DECISIONS,
        ENGINE,
        TRAINING,
    ),
    _region(ids.ENGINE_SETTINGS, lambda s, w: render.engine_settings(s), ENGINE, NOTICES, TRAINING),
    _region(ids.WARNINGS, lambda s, w: render.notices_region(s), NOTICES, LABELS, THRESHOLDS, RULE),
    _region(ids.KNOWN_ERRORS, lambda s, w: render.known_errors_counter(s), LABELS, DECISIONS),
    _region(ids.DATASET_COUNT, lambda s, w: render.dataset_count(s), LIST, THRESHOLDS, RULE, LABELS),
    _region(ids.DATASET_TOOLBAR, lambda s, w: render.dataset_toolbar(s), LIST),
    _region(
        ids.TILES_SCROLL,
        lambda s, w: render.tiles_grid(s, s.analysis(), w.get("tiles")),
        LIST,
        patches=(THRESHOLDS, RULE, LABELS, DECISIONS, SELECTION),
    ),
    _region(ids.THRESHOLD_CONTROLS, lambda s, w: render.threshold_controls(s), RULE, THRESHOLDS),
    _region(ids.THRESHOLD_TABLE, lambda s, w: render.threshold_table(s, s.analysis()), THRESHOLDS, RULE),
    _region(ids.HISTOGRAMS, lambda s, w: render.histograms(s, s.analysis()), THRESHOLDS, RULE, SELECTION, PREVIEW),
    _region(ids.CENTER_TABS, lambda s, w: render.center_tabs(s), CENTER_TAB),
    _region(
        ids.PANEL_CENTER,
        lambda s, w: render.center_body(s, s.analysis(), w.get("table")),
        CENTER_TAB,
        THRESHOLDS,
        RULE,
        CELL,
        TABLE_SORT,
        SWEEP_METRIC,
        LAYOUT,
        SELECTION,
    ),
    _region(ids.SUMMARY, lambda s, w: render.summary(s, s.analysis()), THRESHOLDS, RULE),
    _region(ids.EXPORT, lambda s, w: render.export_controls(s)),
    _region(ids.RESULTS_TABS, lambda s, w: render.results_tabs(s, s.analysis()), RESULT_TAB, THRESHOLDS, RULE, CELL),
    _region(
        ids.PANEL_RESULTS,
        lambda s, w: render.results_body(s, s.analysis(), w.get("results")),
        ACCEPT_PLAN,
        RESULT_TAB,
        THRESHOLDS,
        RULE,
        CELL,
        LABELS,
        DECISIONS,
        SELECTION,
    ),
    _region(
        ids.DETAIL,
        lambda s, w: render.detail(s, s.analysis()),
        SELECTION,
        PREVIEW,
        THRESHOLDS,
        RULE,
        LABELS,
        DECISIONS,
    ),
)
"""Every region, in page order."""
BY_ID: dict[str, Region] = {region.id: region for region in REGIONS}


def regions_for(changes: Changes) -> list[Region]:
    """The regions to re-render after ``changes``, in page order."""
    return [region for region in REGIONS if changes.touches(region.depends)]


def patches_for(changes: Changes) -> dict[str, frozenset[str]]:
    """``{region id: the aspects to patch in place}`` for the regions that are not re-rendered after ``changes``."""
    out = {}
    for region in REGIONS:
        aspects = region.patches & changes.aspects
        if aspects and not changes.touches(region.depends):
            out[region.id] = aspects
    return out
