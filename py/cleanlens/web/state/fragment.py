"""The view as a URL fragment, to share a link (pure; no DOM).

``#class=50&ood=15&rule=percentile&seed=0&C=1&gamma=0.003&folds=5&item=fm-00012&cell=0-2&view=joint&results=
label_issue``: the sliders, rule, seed and engine settings (not for probabilities from a file, which are not
trained), the pinned item (by id) and cell, the tabs; ``data=own`` when the data is the user's own file, which a
link never carries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode

from cleanlens.issues import FILTERS

from .engine import ENGINE_KEYS, MAX_SEED, EngineSettingError
from .view import CENTER_TABS, RESULT_TABS, rule_named

if TYPE_CHECKING:
    from . import ExplorerState


def exact(x: float) -> str:
    """``x`` as short text that reads back as the same float (``0.003``, ``1``; ``0.07692307692307693``)."""
    short = f"{x:g}"
    return short if float(short) == x else repr(float(x))


def to_fragment(state: ExplorerState) -> str:
    """The view of ``state`` as a URL fragment (without '#')."""
    view, engine = state.view, state.engine
    parts = {"class": view.q_class, "ood": view.q_ood, "rule": view.rule, "seed": engine.seed}
    if view.rule == "find-label-issues":
        parts["filter"] = view.filter_by
    if state.given_probabilities is None:
        parts.update(C=exact(engine.svm_C), gamma=exact(engine.svm_gamma), folds=engine.n_folds)
    if not state.is_demo:
        parts["data"] = "own"
    if view.selected is not None:
        parts["item"] = state.dataset.ids[view.selected]
    if view.cell is not None:
        parts["cell"] = f"{view.cell[0]}-{view.cell[1]}"
    parts["view"] = view.center_tab
    parts["results"] = view.result_tab
    return urlencode(parts)


def apply_fragment(state: ExplorerState, fragment: str) -> list[str]:
    """Restore into ``state`` what a fragment from :func:`to_fragment` says; returns notes on what could not be
    applied. Unknown keys and malformed values are ignored (with a note), never fatal: a shared link must not
    break the page."""
    values = dict(parse_qsl(fragment.lstrip("#"), keep_blank_values=False))
    notes: list[str] = []
    own_link_on_demo = values.get("data") == "own" and state.is_demo
    if own_link_on_demo:
        notes.append(
            "this link was made with the sender's own data file, which links never carry: "
            "load that file (Your data) to see it with these settings"
        )
    _apply_thresholds(state, values, notes)
    _apply_engine(state, values, notes)
    if "item" in values and not own_link_on_demo:
        try:
            state.view.selected = state.dataset.ids.index(values["item"])
        except ValueError:
            notes.append(f"no image with id {values['item']!r} in this dataset")
    _apply_panels(state, values, notes)
    return notes


def _integer(values: dict[str, str], key: str, lo: int, hi: int, notes: list[str]) -> int | None:
    """``values[key]`` as a whole number in lo..hi, or None (with a note when it is there but unusable)."""
    if key not in values:
        return None
    try:
        value = int(values[key])
    except ValueError:
        notes.append(f"ignored {key}={values[key]!r} (not a whole number)")
        return None
    if not lo <= value <= hi:
        notes.append(f"ignored {key}={value} (expected {lo}..{hi})")
        return None
    return value


def _apply_thresholds(state: ExplorerState, values: dict[str, str], notes: list[str]) -> None:
    view = state.view
    q_class, q_ood = _integer(values, "class", 0, 100, notes), _integer(values, "ood", 0, 100, notes)
    if q_class is not None:
        view.q_class = q_class
    if q_ood is not None:
        view.q_ood = q_ood
    view.q_ood = min(view.q_ood, view.q_class)
    if rule_named(values.get("rule")):
        view.rule = rule_named(values["rule"])
    if values.get("filter") in FILTERS:
        view.filter_by = values["filter"]


def _apply_engine(state: ExplorerState, values: dict[str, str], notes: list[str]) -> None:
    seed = _integer(values, "seed", 0, MAX_SEED, notes)
    if seed is not None:
        state.engine.seed = seed
    for name, key in ENGINE_KEYS.items():
        if key in values:
            try:
                state.engine.set(name, values[key])
            except EngineSettingError as exc:
                notes.append(f"ignored {key}={values[key]!r} ({exc})")


def _apply_panels(state: ExplorerState, values: dict[str, str], notes: list[str]) -> None:
    view, k = state.view, len(state.dataset.classes)
    if "cell" in values:
        try:
            g, s = (int(x) for x in values["cell"].split("-"))
            if not (0 <= g < k and 0 <= s < k):
                raise ValueError
            view.cell = (g, s)
        except ValueError:
            notes.append(f"ignored cell={values['cell']!r}")
    if values.get("view") in CENTER_TABS:
        view.center_tab = values["view"]
    if values.get("results") in RESULT_TABS:
        view.result_tab = values["results"]
