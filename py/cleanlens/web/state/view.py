"""What the user looks at: sliders and rule, the pinned and previewed item, the chosen cell, the dataset
panel's filter and sort, the tabs (pure; no DOM).

The view never changes the user's work or the results; it changes what is shown of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from cleanlens.confident import DEFAULT_CLASS_PERCENTILE, DEFAULT_OOD_PERCENTILE, RULES

CENTER_TABS = ("joint", "scatter", "table", "sweep")
RESULT_TABS = ("label_issue", "ood", "unconfident", "cell")
SORTS = ("quality", "quality-desc", "dataset", "given")
METRICS = ("f1", "precision", "recall")
CATEGORY_FILTERS = ("correct", "label_issue", "ood", "unconfident", "excluded")


def clamp_percentile(q: float) -> int:
    """A slider position: ``q`` as a whole number in 0..100."""
    return max(0, min(100, int(q)))


@dataclass
class View:
    """The view's fields; each is kept in the saved session (:data:`cleanlens.web.session.VIEW`) but
    ``preview``, and most of them in the URL fragment."""

    q_class: int = DEFAULT_CLASS_PERCENTILE
    q_ood: int = DEFAULT_OOD_PERCENTILE
    rule: str = "percentile"
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
        """Choose the rule (one of :data:`cleanlens.confident.RULES`); True if it changed."""
        if rule not in RULES:
            raise ValueError(f"unknown threshold rule {rule!r}; expected one of {RULES}")
        before, self.rule = self.rule, rule
        return before != rule

    def sort_table_by(self, column: str) -> None:
        """Sort the probability table by ``column``; the same column again reverses the order."""
        current, ascending = self.table_sort
        self.table_sort = (column, not ascending if column == current else True)
