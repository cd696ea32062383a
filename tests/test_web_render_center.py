"""cleanlens.web.render.center: the centre panel's tab strip and the body of its current tab."""

import pytest

from cleanlens.web import render

from .render_support import parse, trained
from .test_web_state import tiny_dataset

TABS = {"joint": "Confident joint", "scatter": "Map", "table": "Probabilities", "sweep": "Threshold sweep"}


def test_four_tabs_with_the_current_one_selected():
    state = trained()
    state.view.center_tab = "sweep"
    tabs = parse(render.center_tabs(state)).find(role="tablist").find_all("button", role="tab")
    assert [(t["data-tab"], t.text()) for t in tabs] == list(TABS.items())
    assert [t["data-tab"] for t in tabs if t["aria-selected"] == "true"] == ["sweep"]
    assert all(t["data-action"] == "tab-center" and t["aria-controls"] == "panel-center" for t in tabs)


@pytest.mark.parametrize(
    "tab, made_by",
    [
        ("joint", lambda s, r: render.joint_matrix(s, r)),
        ("scatter", lambda s, r: render.scatter(s, r)),
        ("table", lambda s, r: render.prob_table(s, r)),
        ("sweep", lambda s, r: render.sweep_panel(s)),
    ],
    ids=list(TABS),
)
def test_the_body_is_the_current_tabs(tab, made_by):
    state = trained()
    state.dataset.layout = [(x, y) for x, y in state.dataset.features]
    state.view.center_tab = tab
    result = state.analysis()
    assert render.center_body(state, result) == made_by(state, result)
    parse(render.center_body(state, result))  # well formed


def test_the_probability_table_gets_the_window_in_view():
    state = trained(tiny_dataset(n_per_class=250))
    state.view.center_tab = "table"
    result = state.analysis()
    body = render.center_body(state, result, (100, 140))
    assert body == render.prob_table(state, result, (100, 140)) != render.center_body(state, result)
    rows = parse(body).find("tbody").find_all("tr", data_i=True)
    assert [r["data-i"] for r in rows] == [str(i) for i in state.table_order()[100:140]]
    state.view.center_tab = "unknown"  # anything else: the joint
    assert render.center_body(state, result) == render.joint_matrix(state, result)
