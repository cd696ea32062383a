"""The saved session as plain data: what the page keeps in the browser so that no work is lost (pure; no DOM).

A *session* is the user's work on one dataset: the labels as edited, the
decisions, the view, and how the current results were made. The page saves it
after every change (:mod:`cleanlens.web.app` writes it to IndexedDB) and
restores it on reload, on reopening the tab, and when the user returns to a
dataset from another one. Each dataset has its own session, keyed by
:func:`dataset_key`.

Record format (:data:`FORMAT` = 1), a JSON object:

- ``format``: 1; ``app``: the Cleanlens version that wrote it;
- ``key``: :func:`dataset_key`; ``name``: the data's file name(s); ``kind``:
  ``"demo"`` or ``"files"`` (the user's own files, stored beside the record);
  ``mode``: ``"probabilities"`` or ``"embeddings"``; ``sha256``: the data's
  hash; ``items``, ``classes``: N and K (checked on restore);
- ``saved``: when (ISO 8601, UTC); ``revision``: a counter, one more at every
  save; ``tab``: the id of the tab that saved it (to tell another tab's saves
  from one's own);
- ``labels``: ``{item: label}`` where the label differs from the given one;
  ``decisions``: ``{item: "accept" | "keep" | "exclude"}``; ``unexported``:
  changes made since the last export;
- ``view``: sliders, rule, seed, selection and panels (:data:`VIEW`);
- ``training``: the run behind the results shown: ``labels`` (the changed
  labels it was trained on), ``excluded`` (items left out) and ``info``
  (engine, seed, ...), or null before the first run;
- ``carried`` (optional): the decisions carried over from a previous file when this one was loaded on top
  (:meth:`~cleanlens.web.state.carryover.CarryOver.to_json`), or null.

Item indices are JSON object keys (strings). :func:`apply` checks every
field against the dataset and reports what it could not use instead of
failing: a stored session must never break the page.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cleanlens import __version__
from cleanlens.errors import CleanlensError
from cleanlens.issues import FILTERS
from cleanlens.web.state import (
    CATEGORY_FILTERS,
    CENTER_TABS,
    DECISION_NAMES,
    ENGINE_KEYS,
    METRICS,
    RESULT_TABS,
    SORTS,
)
from cleanlens.web.state.carryover import CarryOver
from cleanlens.web.state.engine import MAX_SEED, EngineSettingError
from cleanlens.web.state.view import rule_named

if TYPE_CHECKING:
    from cleanlens.web.state import ExplorerState

FORMAT = 1
VIEW = (
    "q_class",
    "q_ood",
    "rule",
    "filter_by",
    "selected",
    "cell",
    "filter_class",
    "filter_category",
    "sort",
    "center_tab",
    "result_tab",
    "table_sort",
    "sweep_metric",
)
"""The :class:`~cleanlens.web.state.View` fields a session keeps as the view (``preview`` is not kept), besides
the engine settings (``seed`` and :data:`~cleanlens.web.state.ENGINE_KEYS`), saved in the same object."""


class SessionError(CleanlensError):
    """A stored session cannot be used at all (another format, another dataset); the message says why."""


def dataset_key(state: ExplorerState, mode: str | None = None) -> str:
    """The key a dataset's session is saved under: ``"demo"``, or the user's data's mode and SHA-256."""
    if state.is_demo:
        return "demo"
    mode = mode or ("probabilities" if state.given_probabilities is not None else "embeddings")
    return f"{mode}:{state.source_sha256}"


def to_record(
    state: ExplorerState, *, key: str, kind: str, revision: int, tab: str, now: datetime | None = None
) -> dict[str, Any]:
    """The session of ``state`` as a JSON-ready dict (see the module docstring)."""
    now = now or datetime.now(UTC)
    training = None
    if state.training is not None:
        given, trained = state.dataset.given, state.training.labels
        # labels start as given and change only through relabel(), which records the item in `touched`
        training = {
            "labels": {str(i): trained[i] for i in sorted(state.work.touched) if trained[i] != given[i]},
            "excluded": sorted(state.training.excluded),
            "info": dict(state.training.info),
        }
    view = {name: getattr(state.view, name) for name in VIEW}
    view["cell"] = list(state.view.cell) if state.view.cell is not None else None
    view["table_sort"] = list(state.view.table_sort)
    view["seed"] = state.engine.seed
    view.update(state.engine.values())
    return {
        "format": FORMAT,
        "app": __version__,
        "key": key,
        "kind": kind,
        "name": state.source_name,
        "mode": "probabilities" if state.given_probabilities is not None else "embeddings",
        "sha256": state.source_sha256,
        "items": len(state.labels),
        "classes": len(state.dataset.classes),
        "saved": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "revision": revision,
        "tab": tab,
        "labels": {str(i): label for i, label in state.label_changes().items()},
        "decisions": {str(i): d for i, d in sorted(state.work.decisions.items())},
        "unexported": state.work.unexported,
        "view": view,
        "training": training,
        "carried": state.carried.to_json() if state.carried is not None else None,
    }


def check(record: Any, state: ExplorerState, key: str) -> None:
    """Raise :class:`SessionError` unless ``record`` is a session of this format for this dataset."""
    if not isinstance(record, dict):
        raise SessionError("the saved session is not readable")
    if record.get("format") != FORMAT:
        raise SessionError(
            f"it was saved by another version of Cleanlens ({record.get('app', 'unknown')}) in a "
            "format this one cannot read"
        )
    if record.get("key") != key or record.get("sha256") != state.source_sha256:
        raise SessionError("it belongs to other data")
    if record.get("items") != len(state.labels) or record.get("classes") != len(state.dataset.classes):
        raise SessionError("its size does not match the data")


def apply(record: dict[str, Any], state: ExplorerState) -> list[str]:
    """Restore the labels, decisions and view of a :func:`check`-ed ``record`` into ``state``.

    Returns notes (sentences) on the parts that could not be used; those parts are left as they were.
    """
    notes = []
    n, k = len(state.labels), len(state.dataset.classes)
    labels = _items(
        record.get("labels"),
        n,
        lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v < k,
        "labels",
        notes,
    )
    decisions = _items(record.get("decisions"), n, lambda v: v in DECISION_NAMES, "decisions", notes)
    state.work.restore(labels, decisions, bool(record.get("unexported", bool(labels or decisions))))
    if record.get("carried") is not None:
        state.carried = CarryOver.from_json(record["carried"], n, k)
        if state.carried is None:
            notes.append("what was carried over from the previous file was not readable")
    view = record.get("view")
    if isinstance(view, dict):
        notes += _apply_view(view, state)
    elif view is not None:
        notes.append("the saved view was not readable")
    return notes


def training_of(
    record: dict[str, Any], state: ExplorerState
) -> tuple[list[int], frozenset[int], dict[str, Any]] | None:
    """``(labels, excluded, info)`` of the run behind the saved results, or None (none saved, or unusable)."""
    training = record.get("training")
    if not isinstance(training, dict) or not isinstance(training.get("info"), dict):
        return None
    n, k = len(state.labels), len(state.dataset.classes)
    notes = []
    changed = _items(
        training.get("labels"),
        n,
        lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v < k,
        "trained labels",
        notes,
    )
    excluded = training.get("excluded")
    if notes or not isinstance(excluded, list) or not all(_is_index(i, n) for i in excluded):
        return None
    labels = list(state.dataset.given)
    for i, label in changed.items():
        labels[i] = label
    state.work.touched.update(changed)  # so that the next save still lists these trained labels
    return labels, frozenset(excluded), dict(training["info"])


def _is_index(value, n):
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < n


def _items(mapping, n, valid, what, notes):
    """``{item: value}`` from a JSON object keyed by item index; entries that do not fit are dropped with a note."""
    if mapping is None:
        return {}
    if not isinstance(mapping, dict):
        notes.append(f"the saved {what} were not readable")
        return {}
    out, bad = {}, 0
    for key, value in mapping.items():
        try:
            i = int(key)
        except (TypeError, ValueError):
            bad += 1
            continue
        if 0 <= i < n and valid(value):
            out[i] = value
        else:
            bad += 1
    if bad:
        notes.append(f"{bad} saved {what} did not fit the data and were left out")
    return out


def _apply_view(view, state):
    notes = []
    n, k = len(state.labels), len(state.dataset.classes)
    target = state.view

    def take(name, valid):
        if name in view:
            value = view[name]
            if valid(value):
                setattr(target, name, value)
            else:
                notes.append(f"the saved {name.replace('_', ' ')} was not usable")

    percent = lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 100  # noqa: E731
    take("q_class", percent)
    take("q_ood", percent)
    target.q_ood = min(target.q_ood, target.q_class)
    if rule_named(view.get("rule")):  # (an earlier version's name is read as today's)
        view = dict(view, rule=rule_named(view["rule"]))
    take("rule", lambda v: rule_named(v) == v)
    take("filter_by", lambda v: v in FILTERS)
    if "seed" in view:
        seed = view["seed"]
        if isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed <= MAX_SEED:
            state.engine.seed = seed
        else:
            notes.append("the saved seed was not usable")
    take("selected", lambda v: v is None or _is_index(v, n))
    if "cell" in view:
        cell = view["cell"]
        if cell is None or (isinstance(cell, list) and len(cell) == 2 and all(_is_index(c, k) for c in cell)):
            target.cell = None if cell is None else tuple(cell)
        else:
            notes.append("the saved cell was not usable")
    take("filter_class", lambda v: v is None or _is_index(v, k))
    take("filter_category", lambda v: v is None or v in CATEGORY_FILTERS)
    take("sort", lambda v: v in SORTS)
    take("center_tab", lambda v: v in CENTER_TABS)
    take("result_tab", lambda v: v in RESULT_TABS)
    if "table_sort" in view:
        sort = view["table_sort"]
        columns = {"index", "id", "given", "quality", "suggested", "category"} | {f"p{c}" for c in range(k)}
        if (
            isinstance(sort, list)
            and len(sort) == 2
            and isinstance(sort[0], str)
            and sort[0] in columns
            and isinstance(sort[1], bool)
        ):
            target.table_sort = tuple(sort)
        else:
            notes.append("the saved table order was not usable")
    take("sweep_metric", lambda v: v in METRICS)
    for name in ENGINE_KEYS:
        if name in view:
            try:
                state.engine.set(name, view[name])
            except EngineSettingError:
                notes.append(f"the saved engine setting {ENGINE_KEYS[name]} was not usable")
    if target.result_tab == "cell" and target.cell is None:
        target.result_tab = "label_issue"
    return notes
