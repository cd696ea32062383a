"""What a change to the explorer's state touched: the vocabulary between the state and the screen (pure).

Every method of :class:`~cleanlens.web.state.ExplorerState` that changes something returns a :class:`Changes`:
the *aspects* it changed (names below) and, for changes to particular items (a relabel, a decision), which
items. The page re-renders exactly the regions that depend on those aspects
(:data:`cleanlens.web.regions.REGIONS`), saves the session when the user's work or view changed
(:data:`SAVED`) and writes the view into the URL (:data:`IN_URL`). Nothing else decides what is redrawn.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

DATA = "data"
"""Other data was opened (or the same data afresh): everything."""
LABELS = "labels"
"""The current labels of some items (``Changes.items``)."""
DECISIONS = "decisions"
"""The decisions (accept, keep, exclude) on some items (``Changes.items``)."""
RESULTS = "results"
"""A training or analysis finished: new probabilities and confident-learning results."""
THRESHOLDS = "thresholds"
"""The class or OOD percentile."""
RULE = "rule"
"""The rule that flags label issues (and what it reads from the sliders)."""
SELECTION = "selection"
"""The pinned item."""
PREVIEW = "preview"
"""The item under the pointer or keyboard focus."""
CELL = "cell"
"""The chosen cell of the confident joint."""
LIST = "list"
"""The dataset panel's filter and sort."""
CENTER_TAB = "center-tab"
RESULT_TAB = "result-tab"
TABLE_SORT = "table-sort"
SWEEP_METRIC = "sweep-metric"
ENGINE = "engine"
"""The engine settings the next training uses (C, gamma, folds, seed)."""
TRAINING = "training"
"""Whether a training runs, and its progress."""
NOTICES = "notices"
"""What the page says above the panels: data and link notes, problems, session notices."""
LAYOUT = "layout"
"""The map's positions (computed in the page for data brought without them)."""
ACCEPT_PLAN = "accept-plan"
"""Accept all's plan was opened, changed or closed (not saved: it is asked afresh)."""
EXPORTED = "exported"
"""The work was exported (it is no longer "not exported")."""

ASPECTS = (
    DATA,
    LABELS,
    DECISIONS,
    RESULTS,
    THRESHOLDS,
    RULE,
    SELECTION,
    PREVIEW,
    CELL,
    LIST,
    CENTER_TAB,
    RESULT_TAB,
    TABLE_SORT,
    SWEEP_METRIC,
    ENGINE,
    TRAINING,
    NOTICES,
    LAYOUT,
    ACCEPT_PLAN,
    EXPORTED,
)
SAVED = frozenset(
    {LABELS, DECISIONS, THRESHOLDS, RULE, SELECTION, CELL, LIST, CENTER_TAB, RESULT_TAB, TABLE_SORT}
    | {SWEEP_METRIC, ENGINE, EXPORTED}
)
"""Aspects of the user's work and view: a change to any of them is saved (batched, soon). New results are saved
by the training that made them when the user asked for it (the first results of a dataset are not work)."""
IN_URL = frozenset({THRESHOLDS, RULE, ENGINE, SELECTION, CELL, CENTER_TAB, RESULT_TAB, RESULTS, DATA})
"""Aspects the URL fragment shows (:meth:`~cleanlens.web.state.ExplorerState.to_fragment`)."""


@dataclass(frozen=True)
class Changes:
    """The aspects a state change touched (a subset of :data:`ASPECTS`) and the items it touched, if any.

    ``Changes()`` is "nothing changed" and false; ``a | b`` unites two changes; ``aspect in changes`` asks.
    """

    aspects: frozenset[str] = frozenset()
    items: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.aspects)

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.aspects | other.aspects, self.items | other.items)

    def __contains__(self, aspect: str) -> bool:
        return aspect in self.aspects

    def touches(self, aspects: Iterable[str]) -> bool:
        """True if any of ``aspects`` changed."""
        return not self.aspects.isdisjoint(aspects)


NOTHING = Changes()


def changed(*aspects: str, items: Iterable[int] = ()) -> Changes:
    """``Changes`` of the given aspects (each one of :data:`ASPECTS`) and items."""
    unknown = set(aspects) - set(ASPECTS)
    if unknown:
        raise ValueError(f"unknown aspects {sorted(unknown)}")
    return Changes(frozenset(aspects), frozenset(items))


EVERYTHING = changed(*ASPECTS)
