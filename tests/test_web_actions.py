"""cleanlens.web.actions: what the user's events do to the state (no browser)."""

from cleanlens.web import actions
from cleanlens.web.changes import CELL, DECISIONS, LABELS, LIST, RESULT_TAB, RULE, THRESHOLDS, changed
from cleanlens.web.wiring import Dispatcher, Event, bindings_in

from .render_support import trained


def dispatcher(state):
    return Dispatcher(bindings_in(actions, lambda: state))


def test_sliders_rule_and_sweep_cells_change_the_thresholds():
    state = trained()
    send = dispatcher(state).dispatch
    assert send(Event("input", action="class-percentile", value="70")) == changed(THRESHOLDS)
    assert (state.view.q_class, state.view.q_ood) == (70, 15)
    assert not send(Event("input", action="class-percentile", value="70"))  # the same: nothing changed
    send(Event("input", action="ood-percentile", value="80"))
    assert (state.view.q_class, state.view.q_ood) == (80, 80)
    assert send(Event("change", action="rule", value="confident-joint")) == changed(RULE, THRESHOLDS)
    assert state.view.rule == "confident-joint"
    send(Event("click", action="sweep-cell", data={"qc": "40", "qo": "10"}))
    assert (state.view.q_class, state.view.q_ood) == (40, 10)


def test_relabel_and_decisions_name_their_item():
    state = trained()
    send = dispatcher(state).dispatch
    assert send(Event("change", action="relabel", value="2", data={"i": "5"})) == changed(LABELS, items=[5])
    assert state.labels[5] == 2
    issue = state.analysis().label_issues[0]
    assert send(Event("click", action="accept", data={"i": str(issue)})) == changed(LABELS, DECISIONS, items=[issue])
    assert state.work.decisions[issue] == "accept"
    send(Event("click", action="undo", data={"i": str(issue)}))
    assert issue not in state.work.decisions


def test_views_change_with_their_aspect():
    state = trained()
    send = dispatcher(state).dispatch
    assert send(Event("click", action="cell", data={"g": "0", "s": "1"})) == changed(CELL, RESULT_TAB)
    assert state.view.cell == (0, 1) and state.view.result_tab == "cell"
    assert send(Event("change", action="filter-class", value="1")) == changed(LIST)
    assert send(Event("change", action="filter-class", value="")) == changed(LIST)
    assert state.view.filter_class is None
    send(Event("click", action="table-sort", data={"col": "quality"}))
    send(Event("click", action="table-sort", data={"col": "quality"}))
    assert state.view.table_sort == ("quality", False)
