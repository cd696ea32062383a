"""What the user's events do to the state, when nothing but the state changes (pure; no DOM).

Each handler takes the state and the :class:`~cleanlens.web.wiring.Event` and returns the
:class:`~cleanlens.web.changes.Changes` it made; the page (:mod:`cleanlens.web.app`) binds them with the
declarations next to them (:func:`~cleanlens.web.wiring.on`) and redraws what the changes touch. Handlers that
also work on the page itself (dialogs, focus, downloads, training) live with the glue that does that.
"""

from __future__ import annotations

from cleanlens.web.changes import NOTHING, Changes
from cleanlens.web.state import ExplorerState
from cleanlens.web.wiring import Event, on

# --------------------------------------------------------------------------- thresholds


@on("input", "class-percentile")
def class_percentile(state: ExplorerState, event: Event) -> Changes:
    """The class slider moved (a drag, an arrow key)."""
    return state.set_class_percentile(event.integer())


@on("input", "ood-percentile")
def ood_percentile(state: ExplorerState, event: Event) -> Changes:
    """The OOD slider moved."""
    return state.set_ood_percentile(event.integer())


@on("change", "rule")
def rule(state: ExplorerState, event: Event) -> Changes:
    """The rule that flags label issues: the percentile sliders, or one of cleanlab's."""
    return state.set_rule(event.value)


@on("click", "sweep-cell")
def sweep_cell(state: ExplorerState, event: Event) -> Changes:
    """A cell of the threshold sweep: both sliders move there."""
    return state.set_percentiles(event.integer("qc"), event.integer("qo"))


# --------------------------------------------------------------------------- the user's work


@on("change", "relabel")
def relabel(state: ExplorerState, event: Event) -> Changes:
    """A tile's label control."""
    return state.relabel(event.item, event.integer())


REVIEW_KEYS = {"a": "accept", "k": "keep", "x": "exclude", "u": "undo"}
"""Keys that decide on the focused item of a list or the Why? panel (shown on its buttons and in the tour)."""
REVIEW_KEY_NAMES = tuple(REVIEW_KEYS) + tuple(key.upper() for key in REVIEW_KEYS)


@on("click", "accept")
@on("click", "keep")
@on("click", "exclude")
@on("click", "undo")
def decide(state: ExplorerState, event: Event) -> Changes:
    """The Why? panel's Accept, Keep, Exclude (then the next undecided issue is pinned) and Undo."""
    return state.decide_and_advance(event.action, event.item)


@on("click", "accept-confirm")
def accept_confirm(state: ExplorerState, event: Event) -> Changes:
    """Accept all as its open plan says ("Accept all…" opens it: :mod:`cleanlens.web.trainer`)."""
    return state.accept_all()


@on("click", "accept-cancel")
def accept_cancel(state: ExplorerState, event: Event) -> Changes:
    return state.close_accept_all()


@on("change", "accept-choice")
def accept_choice(state: ExplorerState, event: Event) -> Changes:
    return state.choose_accept(event.value)


@on("change", "accept-n")
def accept_n(state: ExplorerState, event: Event) -> Changes:
    """The number of worst-ranked issues to accept (a number typed; anything else is ignored)."""
    try:
        n = max(0, int(float(event.value)))
    except (TypeError, ValueError, OverflowError):
        return NOTHING
    return state.choose_accept("worst", n)


@on("click", "undo-all")
def undo_all(state: ExplorerState, event: Event) -> Changes:
    return state.undo_bulk()


# --------------------------------------------------------------------------- what is shown


@on("click", "cell")
def cell(state: ExplorerState, event: Event) -> Changes:
    """A cell of the confident joint: its items in the results."""
    return state.choose_cell(event.integer("g"), event.integer("s"))


@on("click", "tab-center")
def center_tab(state: ExplorerState, event: Event) -> Changes:
    return state.set_center_tab(event.data["tab"])


@on("click", "tab-results")
def results_tab(state: ExplorerState, event: Event) -> Changes:
    return state.set_result_tab(event.data["tab"])


@on("click", "table-sort")
def table_sort(state: ExplorerState, event: Event) -> Changes:
    return state.sort_table(event.data["col"])


@on("change", "sweep-metric")
def sweep_metric(state: ExplorerState, event: Event) -> Changes:
    return state.set_sweep_metric(event.value)


@on("change", "filter-class")
def filter_class(state: ExplorerState, event: Event) -> Changes:
    return state.set_filter_class(None if event.value == "" else event.integer())


@on("change", "filter-category")
def filter_category(state: ExplorerState, event: Event) -> Changes:
    return state.set_filter_category(event.value or None)


@on("change", "sort")
def sort(state: ExplorerState, event: Event) -> Changes:
    return state.set_sort(event.value)
