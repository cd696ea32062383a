"""The centre panel: its tab strip and the body of its current tab (the confident joint, the map, the
probabilities or the threshold sweep: a module each).

Inputs: the state (``center_tab``), the analysis result, and the window of the probability table's rows in view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import _tabs
from .joint import joint_matrix
from .map import scatter
from .probabilities import prob_table
from .sweep import sweep_panel

if TYPE_CHECKING:
    from cleanlens.confident import Categorization
    from cleanlens.web.state import ExplorerState


def center_tabs(state: ExplorerState) -> str:
    return _tabs(
        "center",
        {"joint": "Confident joint", "scatter": "Map", "table": "Probabilities", "sweep": "Threshold sweep"},
        state.view.center_tab,
    )


def center_body(state: ExplorerState, result: Categorization | None, window: tuple[int, int] | None = None) -> str:
    if state.view.center_tab == "scatter":
        return scatter(state, result)
    if state.view.center_tab == "table":
        return prob_table(state, result, window)
    if state.view.center_tab == "sweep":
        return sweep_panel(state)
    return joint_matrix(state, result)
