"""Accept all, chosen before it acts: which of the listed label issues it will relabel (pure; no DOM).

The page's "Accept all…" opens a plan (:class:`cleanlens.fixing.Plan` of the current rule, computed in steps
by the glue) that says what it will do before doing it: the rule, how many labels change, cleanlab's estimate
of the label errors (``num_label_issues``) and, with a truth column, the precision it would have. The user
picks the likely fixes (the default), the worst-ranked n (n defaulting to that estimate) or all, then
confirms. The analysis never changes basis: it stays that of the labels it was computed on.
"""

from __future__ import annotations

from dataclasses import dataclass

from cleanlens.fixing import ACCEPTS, DEFAULT_ACCEPT


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
