"""The user's work on a dataset: the labels as edited and the decisions on flagged items (pure; no DOM).

Decisions: ``accept`` (the suggested label was taken), ``keep`` (the given label was checked and kept),
``exclude`` (out of distribution: left out of the next training, and the export says so).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

DECISIONS = ("accept", "keep", "exclude")


@dataclass
class Work:
    """``labels``: the current label of each item (N class indices, edited by the user); ``given``: the
    labels the data came with (never changed); ``decisions``: ``{item: decision}``; ``bulk``: the last
    "Accept all", ``{item: (label, decision) before it}``, for :meth:`undo_bulk`; ``touched``: items whose label
    the user changed at some point; ``unexported``: changes made since the last export."""

    given: Sequence[int]
    n_classes: int
    labels: list[int] = field(default=None)
    decisions: dict[int, str] = field(default_factory=dict)
    bulk: dict[int, tuple[int, str | None]] = field(default_factory=dict, repr=False)
    touched: set[int] = field(default_factory=set, repr=False)
    unexported: bool = False

    def __post_init__(self) -> None:
        if self.labels is None:
            self.labels = list(self.given)

    def relabel(self, item: int, label: int) -> bool:
        """Give ``item`` the label ``label`` (0..K-1); True if it changed."""
        if not 0 <= label < self.n_classes:
            raise ValueError(f"label {label} out of range for {self.n_classes} classes")
        changed = self.labels[item] != label
        self.labels[item] = label
        if changed:
            self.touched.add(item)
            self.unexported = True
        return changed

    def decide(self, item: int, decision: str | None, label: int | None = None) -> None:
        """Record ``decision`` on ``item`` (None forgets it) and, if given, set its label."""
        if label is not None:
            self.relabel(item, label)
        if decision is None:
            self.decisions.pop(item, None)
        else:
            self.decisions[item] = decision
        self.unexported = True

    def accept_many(self, suggestions: dict[int, int]) -> list[int]:
        """Accept ``{item: suggested label}`` as one step that :meth:`undo_bulk` takes back; returns the items."""
        self.bulk = {i: (self.labels[i], self.decisions.get(i)) for i in suggestions}
        for i, label in suggestions.items():
            self.decide(i, "accept", label)
        return list(suggestions)

    def undo_bulk(self) -> list[int]:
        """Take back the last :meth:`accept_many`; returns the items restored."""
        restored = list(self.bulk)
        for i, (label, decision) in self.bulk.items():
            self.decide(i, decision, label)
        self.bulk = {}
        self.unexported = True
        return restored

    @property
    def excluded(self) -> frozenset[int]:
        """The items decided ``exclude``."""
        return frozenset(i for i, d in self.decisions.items() if d == "exclude")

    def label_changes(self) -> dict[int, int]:
        """``{item: label}`` for every item whose current label differs from its given label."""
        return {i: self.labels[i] for i in sorted(self.touched) if self.labels[i] != self.given[i]}

    def changed_items(self) -> set[int]:
        """Items with a label change or a decision: what "Start over" would discard."""
        return set(self.label_changes()) | set(self.decisions)

    def restore(self, labels: dict[int, int], decisions: dict[int, str], unexported: bool) -> None:
        """Set the saved labels and decisions (of a restored session)."""
        for i, label in labels.items():
            self.relabel(i, label)
        self.decisions = dict(decisions)
        self.unexported = unexported
