"""The whole explorer (``#app``): every panel in its section, as first drawn; the glue then re-renders its
regions by id (:mod:`.ids`, :data:`cleanlens.web.regions.REGIONS`).

Inputs: the state and ``enabled`` (False in the page pre-rendered by ``build.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import ids
from .center import center_body, center_tabs
from .dataset import dataset_count, dataset_toolbar, known_errors_counter, tile_legend, tiles_list
from .notices import notices_region
from .results import export_controls, results_body, results_tabs, summary
from .thresholds import histograms, threshold_controls, threshold_table
from .why import detail

if TYPE_CHECKING:
    from cleanlens.web.state import ExplorerState


def app(state: ExplorerState, enabled: bool = True) -> str:
    """The explorer's main markup; the glue later re-renders its regions by id.

    The dataset and the Why? panel share a wrapper (``.side``): a sticky column beside everything else on
    medium screens, nothing of its own (``display: contents``) on wide ones.
    """
    result = state.analysis()
    return (
        f'<div id="{ids.WARNINGS}">{notices_region(state)}</div>'
        '<div class="side">'
        '<section class="panel dataset" aria-labelledby="h-dataset" data-tour="dataset">'
        '<div class="panel-head"><h2 id="h-dataset">Dataset '
        f'<span id="{ids.DATASET_COUNT}" class="muted">{dataset_count(state)}'
        f'</span></h2><span id="{ids.KNOWN_ERRORS}">{known_errors_counter(state)}</span></div>'
        f'<div class="toolbar" id="{ids.DATASET_TOOLBAR}">{dataset_toolbar(state, enabled)}</div>'
        f"{tile_legend()}"
        f"{tiles_list(state, result, enabled)}"
        "</section>"
        '<section class="panel detail" id="detail-panel" aria-labelledby="h-detail" tabindex="-1" data-tour="detail">'
        '<h2 id="h-detail">Why?</h2>'
        f'<div id="{ids.DETAIL}" data-testid="detail">{detail(state, result)}</div></section>'
        "</div>"
        '<section class="panel thresholds-panel" aria-labelledby="h-thr" data-tour="thresholds">'
        '<h2 id="h-thr">Thresholds</h2>'
        f'<div id="{ids.THRESHOLD_CONTROLS}" class="sliders">{threshold_controls(state, enabled)}</div>'
        f'<div id="{ids.THRESHOLD_TABLE}">{threshold_table(state, result)}</div>'
        f'<div id="{ids.HISTOGRAMS}" class="hists">{histograms(state, result)}</div>'
        "</section>"
        '<section class="panel center" aria-label="Confident joint, map and probabilities" data-tour="center">'
        f'<div id="{ids.CENTER_TABS}">{center_tabs(state)}</div>'
        f'<div id="{ids.PANEL_CENTER}" class="tabpanel" role="tabpanel" tabindex="0" '
        f'aria-labelledby="tab-center-{state.view.center_tab}">{center_body(state, result)}</div>'
        "</section>"
        '<section class="panel results" aria-labelledby="h-results" data-tour="results">'
        '<div class="panel-head"><h2 id="h-results">Results</h2>'
        f'<span id="{ids.EXPORT}" class="export">{export_controls(state)}</span></div>'
        f'<div id="{ids.SUMMARY}" aria-live="polite" aria-atomic="true">{summary(state, result)}</div>'
        f'<div id="{ids.RESULTS_TABS}">{results_tabs(state, result)}</div>'
        f'<div id="{ids.PANEL_RESULTS}" class="tabpanel" role="tabpanel" tabindex="0" '
        f'aria-labelledby="tab-results-{state.view.result_tab}">{results_body(state, result)}</div>'
        "</section>"
    )
