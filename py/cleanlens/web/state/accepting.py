"""Reviewing the listed issues (pure; no DOM): Accept all, chosen before it acts, and one issue after another.

:class:`Reviewing` is the part of :class:`~cleanlens.web.state.ExplorerState` that does both (a base class, to
keep the state's module short, using its ``analysis()`` and ``select()``); :class:`AcceptChoice` is an open
plan.

The page's "Accept all…" opens a plan (:class:`cleanlens.fixing.Plan` of the current rule, computed in steps
by the glue) that says what it will do before doing it: the rule, how many labels change, cleanlab's estimate
of the label errors (``num_label_issues``) and, with a truth column, the precision it would have. The user
picks the likely fixes (the default), the worst-ranked n (n defaulting to that estimate) or all, then
confirms. The analysis never changes basis: it stays that of the labels it was computed on.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cleanlens import fixing
from cleanlens.confident import CATEGORIES, Categorization
from cleanlens.fixing import ACCEPTS, DEFAULT_ACCEPT
from cleanlens.web.changes import ACCEPT_PLAN, DECISIONS, LABELS, NOTHING, Changes, changed

from .training import Training

if TYPE_CHECKING:
    from .view import View
    from .work import Work


@dataclass
class AcceptChoice:
    """An open Accept-all plan: ``key`` (:meth:`~.training.Training.plan_key` of the view it was opened for;
    it closes when the rule, its filter or the class percentile move), ``accept`` (one of
    :data:`cleanlens.fixing.ACCEPTS`) and ``n`` (for ``"worst"``; None: cleanlab's estimate)."""

    key: tuple
    accept: str = DEFAULT_ACCEPT
    n: int | None = None

    def choose(self, accept: str, n: int | None = None) -> bool:
        """Choose what to accept; True if it changed. Raises ValueError for an unknown choice or a negative n."""
        if accept not in ACCEPTS:
            raise ValueError(f"unknown choice {accept!r}; expected one of {ACCEPTS}")
        if n is not None and n < 0:
            raise ValueError(f"n must be 0 or more, got {n}")
        before = (self.accept, self.n)
        self.accept, self.n = accept, (self.n if n is None else n)
        return before != (self.accept, self.n)


class Reviewing:
    """Accept all's plan and review at speed, on the state's ``training``, ``view``, ``work`` and ``accepting``
    (see :class:`~cleanlens.web.state.ExplorerState`)."""

    training: Training | None
    view: View
    work: Work
    accepting: AcceptChoice | None

    def _plan_key(self) -> tuple:
        view = self.view
        return Training.plan_key(view.rule, view.filter_by, view.q_class)

    def plan(self) -> fixing.Plan | None:
        """Accept all's plan for the current rule if computed (:meth:`iter_plan`), else None."""
        view = self.view
        return None if self.training is None else self.training.planned(view.rule, view.filter_by, view.q_class)

    def iter_plan(self) -> Generator[None, None, fixing.Plan]:
        """Compute Accept all's plan for the current rule (a step generator the page runs; cached)."""
        view = self.view
        return self.training.iter_plan(view.rule, view.filter_by, view.q_class)

    @property
    def accept_open(self) -> bool:
        """True while Accept all's plan is open for the current rule (and computed)."""
        return self.accepting is not None and self.accepting.key == self._plan_key() and self.plan() is not None

    def open_accept_all(self) -> Changes:
        """Open Accept all's plan (computed first: :meth:`iter_plan`) at its defaults: the likely fixes."""
        if self.plan() is None:
            return NOTHING
        self.accepting = AcceptChoice(self._plan_key())
        return changed(ACCEPT_PLAN)

    def close_accept_all(self) -> Changes:
        """Close Accept all's plan without changing anything."""
        was, self.accepting = self.accepting, None
        return changed(ACCEPT_PLAN) if was is not None else NOTHING

    def choose_accept(self, accept: str, n: int | None = None) -> Changes:
        """Choose what Accept all changes: ``likely``, ``worst`` (the worst ``n``) or ``all``."""
        if not self.accept_open:
            return NOTHING
        return changed(ACCEPT_PLAN) if self.accepting.choose(accept, n) else NOTHING

    def accept_changes(self) -> list[tuple[int, int]]:
        """``(item, new label)``: what Accept all would change now (items with a decision left out)."""
        if not self.accept_open:
            return []
        choice = self.accepting
        return self.training.plan_changes(self.plan(), choice.accept, choice.n, self.work.decisions)

    def accept_summary(self) -> str:
        """What Accept all will do, in a sentence (with the truth's precision when the data have a truth)."""
        if not self.accept_open:
            return ""
        choice = self.accepting
        return self.training.plan_summary(self.plan(), choice.accept, choice.n, self.work.decisions)

    def accept_all(self) -> Changes:
        """Relabel what the open plan says (:meth:`accept_changes`) as one step :meth:`undo_bulk` takes back,
        and close it. Items the user kept, excluded or already decided on are left alone; the analysis keeps
        its basis (the labels it was computed on)."""
        pairs = self.accept_changes()
        self.accepting = None
        items = self.work.accept_many(dict(pairs))
        return changed(LABELS, DECISIONS, ACCEPT_PLAN, items=items)

    def undo_bulk(self) -> Changes:
        """Take back the last :meth:`accept_all`."""
        return changed(LABELS, DECISIONS, items=self.work.undo_bulk())

    def pending_issues(self) -> int:
        """How many listed label issues have no decision yet (Accept all chooses among them)."""
        result = self.analysis()
        if result is None:
            return 0
        if not self.work.decisions:
            return result.counts["label_issue"]
        return sum(1 for i in result.iter_items("label_issue") if i not in self.work.decisions)

    def result_list(self, result: Categorization | None = None) -> tuple[Iterable[int], int]:
        """``(items, count)``: the current results tab's items, worst label quality first (an iterable, read only
        as far as needed; ``result``: the current :meth:`analysis`, passed if at hand), and how many there are."""
        result = self.analysis() if result is None else result
        order = self.training.quality_order
        if self.view.result_tab == "cell":
            g, s = self.view.cell
            labels, suggested = self.training.labels, result.suggested
            return (i for i in order if labels[i] == g and suggested[i] == s), len(result.joint_ids[g][s])
        code = CATEGORIES.index(self.view.result_tab)
        categories = result.categories
        return (i for i in order if categories[i] == code), result.counts[self.view.result_tab]

    def next_undecided(self, item: int) -> int | None:
        """The first item after ``item`` in the current results list without a decision (from the top again at
        its end), or None when ``item`` is not in that list or every other item there has a decision."""
        if self.training is None or (self.view.result_tab == "cell" and self.view.cell is None):
            return None
        items = list(self.result_list()[0])
        try:
            at = items.index(item)
        except ValueError:
            return None
        decisions = self.work.decisions
        return next((i for i in items[at + 1 :] + items[:at] if i not in decisions), None)

    def decide_and_advance(self, decision: str, item: int) -> Changes:
        """``accept``, ``keep`` or ``exclude`` ``item``, then pin the next undecided item of the results list it
        is in (review at speed); ``undo`` forgets the decision and stays."""
        changes = getattr(self, decision)(item)
        if decision == "undo" or not changes:
            return changes
        nxt = self.next_undecided(item)
        return changes if nxt is None else changes | self.select(nxt)
