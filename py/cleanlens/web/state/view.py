"""What the user looks at: sliders and rule, the pinned and previewed item, the chosen cell, the dataset
panel's filter and sort, the tabs (pure; no DOM).

The view never changes the user's work or the results; it changes what is shown of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from cleanlens.confident import DEFAULT_CLASS_PERCENTILE, DEFAULT_OOD_PERCENTILE
from cleanlens.issues import DEFAULT_FILTER, FILTERS

CENTER_TABS = ("joint", "scatter", "table", "sweep")
RESULT_TABS = ("label_issue", "ood", "unconfident", "cell")
SORTS = ("quality", "quality-desc", "dataset", "given")
METRICS = ("f1", "precision", "recall")
CATEGORY_FILTERS = ("correct", "label_issue", "ood", "unconfident", "excluded")
RULES = ("percentile", "find-label-issues", "confident-joint")
"""The rules the page flags label issues by: the original app's percentile thresholds (the sliders), cleanlab's
``filter.find_label_issues`` (its ``filter_by`` chosen beside it), and the off-diagonal of cleanlab's
``count.compute_confident_joint`` (docs/definitions.md)."""
RULE_NAMES = {
    "percentile": "percentile thresholds (the original app)",
    "find-label-issues": "cleanlab: filter.find_label_issues",
    "confident-joint": "cleanlab: count.compute_confident_joint, off-diagonal",
}
ENGINE_RULES = {"percentile": "percentile", "confident-joint": "cleanlab"}
"""The page's rule -> the rule of :mod:`cleanlens.confident` and :mod:`cleanlens.sliders` that computes it (the
third, ``find-label-issues``: :mod:`cleanlens.flagged`)."""
PLAN_RULES = {
    "percentile": "percentile",
    "find-label-issues": "find_label_issues",
    "confident-joint": "confident_joint",
}
"""The page's rule -> the rule of :mod:`cleanlens.fixing` whose plan Accept all follows."""
OLD_RULES = {"cleanlab": "confident-joint"}
"""Rule names of earlier versions (in saved sessions and links) -> today's."""
DEMO_RULE, OWN_DATA_RULE = "percentile", "find-label-issues"
"""The rule the demo opens with (the original app's), and your own data (chosen for precision: docs/definitions.md)."""


def rule_named(name: object) -> str | None:
    """The page's rule called ``name`` (today's or an earlier version's name), or None."""
    name = OLD_RULES.get(name, name) if isinstance(name, str) else None
    return name if name in RULES else None


def clamp_percentile(q: float) -> int:
    """A slider position: ``q`` as a whole number in 0..100."""
    return max(0, min(100, int(q)))


@dataclass
class View:
    """The view's fields; each is kept in the saved session (:data:`cleanlens.web.session.VIEW`) but
    ``preview``, and most of them in the URL fragment."""

    q_class: int = DEFAULT_CLASS_PERCENTILE
    q_ood: int = DEFAULT_OOD_PERCENTILE
    rule: str = DEMO_RULE
    filter_by: str = DEFAULT_FILTER
    """cleanlab's ``filter_by`` under the ``find-label-issues`` rule (:data:`cleanlens.issues.FILTERS`)."""
    selected: int | None = None
    """The pinned item: the one the Why? panel's actions apply to (chosen by a click or Enter)."""
    preview: int | None = None
    """The item under the pointer or keyboard focus, shown in the Why? panel without being pinned."""
    cell: tuple[int, int] | None = None
    """The chosen cell of the confident joint: (given, suggested)."""
    filter_class: int | None = None
    filter_category: str | None = None
    sort: str = "quality"
    center_tab: str = "joint"
    result_tab: str = "label_issue"
    table_sort: tuple[str, bool] = ("index", True)
    """The probability table's column and whether ascending."""
    sweep_metric: str = "f1"

    def set_class_percentile(self, q: float) -> bool:
        """Move the class slider; the OOD percentile follows down to keep q_ood <= q_class. True if changed."""
        before = (self.q_class, self.q_ood)
        self.q_class = clamp_percentile(q)
        self.q_ood = min(self.q_ood, self.q_class)
        return before != (self.q_class, self.q_ood)

    def set_ood_percentile(self, q: float) -> bool:
        """Move the OOD slider; the class percentile follows up to keep q_ood <= q_class. True if changed."""
        before = (self.q_class, self.q_ood)
        self.q_ood = clamp_percentile(q)
        self.q_class = max(self.q_class, self.q_ood)
        return before != (self.q_class, self.q_ood)

    def set_rule(self, rule: str) -> bool:
        """Choose the rule (one of :data:`RULES`, or an earlier version's name); True if it changed."""
        known = rule_named(rule)
        if known is None:
            raise ValueError(f"unknown rule {rule!r}; expected one of {RULES}")
        before, self.rule = self.rule, known
        return before != known

    def set_filter_by(self, filter_by: str) -> bool:
        """Choose cleanlab's ``filter_by`` for the ``find-label-issues`` rule; True if it changed."""
        if filter_by not in FILTERS:
            raise ValueError(f"unknown filter_by {filter_by!r}; expected one of {FILTERS}")
        before, self.filter_by = self.filter_by, filter_by
        return before != filter_by

    def sort_table_by(self, column: str) -> None:
        """Sort the probability table by ``column``; the same column again reverses the order."""
        current, ascending = self.table_sort
        self.table_sort = (column, not ascending if column == current else True)
