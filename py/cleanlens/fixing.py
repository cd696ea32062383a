"""What "Accept all" changes: the label issues a rule lists, and the subset it is safe to relabel (pure).

Definitions (docs/definitions.md, "Fixing labels"). N items, K classes, given labels ``g_i``, out-of-sample
probabilities ``p_i`` (rows of K), cleanlab's calibrated confident joint ``C`` (:mod:`cleanlens.counting`;
``C[g][j]``: items labelled g whose true class is estimated to be j).

- **Listed issues** (:data:`RULES`): ``find_label_issues`` (cleanlab's ``filter.find_label_issues`` with its
  default ``filter_by="prune_by_noise_rate"``; the default for your own data), ``confident_joint`` (the
  confident joint's off-diagonal: the page's "cleanlab" threshold rule) or ``percentile`` (the original app's
  rule at a class percentile; the demo's default). Listed worst first by label quality (cleanlab's
  ``self_confidence``, ``p_i[g_i]``; the order of cleanlab's ``return_indices_ranked_by="self_confidence"``).
- **The suggested label** of a listed item, the label Accept assigns: the rule's own suggestion where it has
  one (the percentile and confident-joint rules suggest a class), else, for ``find_label_issues`` (which flags
  an item without naming a class), the argmax ``a_i`` of ``p_i`` (ties: the lowest index). The argmax of a
  flagged item is never its given label except in a near tie, which cleanlab removes.
- **The noise estimate** ``T[g][j] = C[g][j] / sum_h C[h][j]``: the estimated share of the items truly of
  class j that are labelled g (cleanlab's ``noise_matrix`` before its clipping).
- **The odds** of item i with suggestion s: ``odds_i = T[g][s] p_i[s] / (T[g][g] p_i[g])`` (``inf`` when the
  denominator is 0 and the numerator is not; 0 when both are). Under class-conditional noise with
  ``p_i`` standing for the probability of each true class, ``T[g][s] p_i[s]`` and ``T[g][g] p_i[g]`` are
  proportional to the probabilities that item i, labelled g, truly belongs to s and to g: relabelling it
  fixes an error with the first and makes one with the second. So ``odds_i >= 1`` (*likely*) means that
  relabelling it is expected not to add an error.
- **Accept all** (:data:`ACCEPTS`) changes, by default, the *likely* listed items (``"likely"``); or the
  worst-ranked n of the listed items (``"worst"``, n defaulting to cleanlab's ``num_label_issues``); or all of
  them (``"all"``).

Why "likely" by default, and what it cannot promise: on scikit-learn's digits (6% of labels flipped,
probabilities of a cross-validated logistic regression) and Fashion-MNIST (20,000 items, 5% flipped),
accepting every ``find_label_issues`` item, or the worst ``num_label_issues`` of them, leaves *more* wrong
labels than before (digits 108 -> 139, Fashion-MNIST 1,000 -> 1,469 for the worst n): the models disagree
with many correct labels, and cleanlab's confident joint counts their confusions as label noise. The likely
subset never did on the datasets measured (``python3 build.py bench fixing``; docs/definitions.md has the
table). The test is conservative where the probabilities were trained on the noisy labels (they then give
an item's wrong label some probability, ``p_i[g]`` about ``T[g][s]``, which the test reads as evidence for
g), but it relies on two estimates: ``p_i`` as the probabilities of the true classes, and ``T`` as the
noise. A model that is confidently wrong, or a noise estimate inflated by the model's confusions, can make
it wrong on other data; only new probabilities from a model trained on the fixed labels (or a truth column)
can check fixes.

**Overconfident probabilities.** Probabilities calibrated against the labels they were trained on have a mean
top probability equal to the share of items whose argmax is the given label (calibration of the top class,
checkable without a truth column). When the mean top probability exceeds that agreement by more than
:data:`OVERCONFIDENCE_LIMIT` (0.1) the odds test's assumption fails, and Accept all changes nothing by default
(:attr:`Plan.overconfident`; the summary says why). Measured: scikit-learn's ``GaussianNB`` on digits claims
0.97 and agrees 0.69, and every other choice there made the labels worse (108 wrong labels -> 209 to 447); the
models of the table above stay within +0.09 (digits) and -0.07.

Computed by :func:`iter_plan` (a step generator yielding ``None`` between chunks, returning a :class:`Plan`),
standard library only (it runs in the page). With a truth column :meth:`Plan.outcome` says what a set of
changes would do to the known errors.
"""

from __future__ import annotations

import math
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from operator import eq

from .confident import percentile
from .errors import CleanlensError
from .filtering import iter_order_label_issues
from .floats import FLOAT64, Matrix
from .issues import LabelIssues
from .steps import Steps, drain

RULES = ("find_label_issues", "confident_joint", "percentile")
DEFAULT_RULE = "find_label_issues"
"""The rule for your own data (the demo keeps the original app's ``percentile``: :data:`DEMO_RULE`)."""
DEMO_RULE = "percentile"
RULE_NAMES = {
    "find_label_issues": "cleanlab's find_label_issues",
    "confident_joint": "the confident joint (cleanlab rule)",
    "percentile": "the percentile rule",
}
"""How the page names each rule in a sentence."""
ACCEPTS = ("likely", "worst", "all")
DEFAULT_ACCEPT = "likely"
LIKELY_ODDS = 1.0
"""An item is *likely* when its odds are at least this: relabelling it is expected not to add an error."""
OVERCONFIDENCE_LIMIT = 0.1
"""Probabilities whose mean top probability exceeds their agreement with the given labels by more than this are
*overconfident*: the odds test assumes calibrated probabilities, so Accept all then changes nothing by default."""
CHUNK = 5_000
"""Listed items handled per step (a few ms in Pyodide with K = 10)."""


class FixingError(CleanlensError):
    """An unknown rule or choice of changes; the message says which are known."""


@dataclass(frozen=True)
class Outcome:
    """What relabelling ``changed`` items would do to the known errors (from a truth column).

    ``errors_before`` / ``errors_after``: items whose label differs from the truth (truly out-of-distribution
    items count as errors whatever their label), before and after; ``fixed``: changed items whose suggestion is
    the truth; ``broken``: changed items whose given label was the truth; ``precision``: the share of the
    changed items whose given label was wrong (a label error: truth differs and is not OOD), None when nothing
    changes.
    """

    changed: int
    errors_before: int
    errors_after: int
    fixed: int
    broken: int
    precision: float | None


@dataclass
class Plan:
    """The listed label issues of one rule and what Accept all would change (see the module docstring).

    ``rule``: one of :data:`RULES`; ``issues``: the listed items, worst first; ``suggested``: per listed item
    the label Accept assigns; ``odds``: per listed item its odds; ``num_label_issues``: cleanlab's
    ``count.num_label_issues`` (its estimate of how many labels are wrong); ``noise``: ``T`` (K x K);
    ``labels``: the given labels the plan is of; ``confidence``: the mean top probability; ``agreement``: the
    share of items whose argmax is their given label.
    """

    rule: str
    labels: list[int]
    issues: list[int]
    suggested: list[int]
    odds: list[float]
    num_label_issues: int
    noise: list[list[float]] = field(repr=False)
    confidence: float = 0.0
    agreement: float = 0.0

    @property
    def overconfident(self) -> bool:
        """True when ``confidence - agreement > OVERCONFIDENCE_LIMIT`` (see the module docstring)."""
        return self.confidence - self.agreement > OVERCONFIDENCE_LIMIT

    @property
    def likely(self) -> list[int]:
        """The listed items whose odds are at least :data:`LIKELY_ODDS`, worst first."""
        return [i for i, o in zip(self.issues, self.odds) if o >= LIKELY_ODDS]

    def changes(
        self, accept: str = DEFAULT_ACCEPT, n: int | None = None, decided: Container[int] = ()
    ) -> list[tuple[int, int]]:
        """What Accept all relabels: ``(item, new label)`` pairs, worst first.

        ``accept``: ``"likely"`` (default), ``"worst"`` (the worst ``n`` listed items; ``n`` defaults to
        :attr:`num_label_issues`) or ``"all"``; ``decided``: items the user decided on (Keep, Exclude, their
        own label), left out after the choice (so "the worst n" stays the same n items, minus those).
        """
        if accept not in ACCEPTS:
            raise FixingError(f"unknown choice {accept!r}; expected one of {', '.join(ACCEPTS)}")
        pairs = list(zip(self.issues, self.suggested))
        if accept == "likely":
            likely = not self.overconfident
            pairs = [pair for pair, o in zip(pairs, self.odds) if likely and o >= LIKELY_ODDS]
        elif accept == "worst":
            pairs = pairs[: max(0, self.num_label_issues if n is None else n)]
        return [pair for pair in pairs if pair[0] not in decided] if decided else pairs

    def summary(
        self,
        accept: str = DEFAULT_ACCEPT,
        n: int | None = None,
        decided: Container[int] = (),
        truth: Sequence[int] | None = None,
    ) -> str:
        """What Accept all will do (:meth:`changes` with the same arguments), in one sentence for the page
        before it acts: the rule, how many labels change of how many listed, cleanlab's estimate, and with
        ``truth`` the precision it would have.

        >>> rows = [[0.9, 0.1], [0.8, 0.2], [0.95, 0.05], [0.7, 0.3], [0.02, 0.98],
        ...         [0.1, 0.9], [0.2, 0.8], [0.3, 0.7], [0.15, 0.85], [0.75, 0.25]]
        >>> result = plan([0, 0, 0, 0, 0, 1, 1, 1, 1, 1], rows)
        >>> print(result.summary(truth=[0, 0, 0, 0, 1, 1, 1, 1, 1, 1]))
        Accept all will change 1 label, the likely fixes among the 2 label issues that cleanlab's \
find_label_issues lists (cleanlab estimates 2 label errors in the data); 1 more is left for you to review. \
Against the truth column: precision 1.000 (1 fixed, 0 made wrong; known errors 1 -> 0).
        """
        changes = self.changes(accept, n, decided)
        count, listed, estimate = len(changes), len(self.issues), self.num_label_issues
        which = {"likely": "the likely fixes among", "worst": "the worst-ranked of", "all": "all of"}[accept]
        text = (
            f"Accept all will change {count:,} label{'' if count == 1 else 's'}, {which} the {listed:,} label "
            f"issue{'' if listed == 1 else 's'} that {RULE_NAMES[self.rule]} lists (cleanlab estimates "
            f"{estimate:,} label error{'' if estimate == 1 else 's'} in the data)"
        )
        rest = sum(1 for i in self.issues if i not in decided) - count
        if rest > 0:
            text += f"; {rest:,} more {'is' if rest == 1 else 'are'} left for you to review"
        text += "."
        if accept == "likely" and self.overconfident:
            text += (
                f" These probabilities are overconfident: their top class averages {self.confidence:.2f}, but it is "
                f"the given label for only {self.agreement:.0%} of the items, so Accept all changes nothing unless "
                "you choose the worst-ranked or all; review the list, or load calibrated probabilities."
            )
        if truth is not None:
            o = self.outcome(truth, changes)
            precision = "—" if o.precision is None else f"{o.precision:.3f}"
            text += (
                f" Against the truth column: precision {precision} ({o.fixed:,} fixed, {o.broken:,} made wrong; "
                f"known errors {o.errors_before:,} -> {o.errors_after:,})."
            )
        return text

    def outcome(self, truth: Sequence[int], changes: Sequence[tuple[int, int]] | None = None) -> Outcome:
        """The :class:`Outcome` of ``changes`` (default: :meth:`changes` at the defaults) against ``truth`` (N
        true classes, ``-1`` for out of distribution)."""
        labels = self.labels
        if len(truth) != len(labels):
            raise FixingError(f"{len(truth)} true labels for {len(labels)} items")
        changes = self.changes() if changes is None else changes
        before = sum(1 for g, t in zip(labels, truth) if t != g or t == -1)
        fixed = sum(1 for i, s in changes if truth[i] == s and truth[i] != labels[i] and s != -1)
        broken = sum(1 for i, s in changes if truth[i] == labels[i] and s != labels[i])
        wrong = sum(1 for i, _ in changes if truth[i] != labels[i] and truth[i] != -1)
        precision = wrong / len(changes) if changes else None
        return Outcome(len(changes), before, before - fixed + broken, fixed, broken, precision)


def noise_estimate(calibrated: Matrix) -> list[list[float]]:
    """``T[g][j] = C[g][j] / sum_h C[h][j]`` of a calibrated confident joint ``C`` (K x K); a column that sums
    to 0 (no item estimated to be of class j) is all 0."""
    k = len(calibrated)
    totals = [sum(calibrated[h][j] for h in range(k)) for j in range(k)]
    return [[calibrated[g][j] / totals[j] if totals[j] else 0.0 for j in range(k)] for g in range(k)]


def odds(noise: Matrix, row: Sequence[float], given: int, suggested: int) -> float:
    """``T[g][s] p[s] / (T[g][g] p[g])`` for one item (``inf`` for x / 0 with x > 0; 0 for 0 / 0)."""
    numerator = noise[given][suggested] * row[suggested]
    denominator = noise[given][given] * row[given]
    if denominator > 0:
        return numerator / denominator
    return math.inf if numerator > 0 else 0.0


def iter_plan(
    labels: Sequence[int],
    pred_probs: Matrix,
    rule: str = DEFAULT_RULE,
    *,
    class_percentile: float = 50,
    issues: LabelIssues | None = None,
    dtype: str = FLOAT64,
) -> Steps[Plan]:
    """The :class:`Plan` of ``rule`` as a step generator (yields ``None`` between chunks; returns the plan).

    ``labels``: N class indices; ``pred_probs``: N rows of K probabilities (used as given: the caller
    validated them, as for :class:`~cleanlens.issues.LabelIssues`); ``class_percentile``: the percentile
    rule's class percentile; ``issues``: a :class:`~cleanlens.issues.LabelIssues` of the same labels and
    probabilities if the caller has one (its answers are reused); ``dtype``: ``"float32"`` for float32
    probabilities, as cleanlab computes then.
    """
    if rule not in RULES:
        raise FixingError(f"unknown rule {rule!r}; expected one of {', '.join(RULES)}")
    labels = list(labels)
    if issues is None:
        issues = yield from LabelIssues.steps(labels, pred_probs, dtype=dtype)
    counts = issues.counts
    if rule == "find_label_issues":
        mask = yield from issues.iter_find_label_issues()
        listed = yield from iter_order_label_issues(counts, mask, "self_confidence")
        suggested = [counts.argmax[i] for i in listed]
    else:
        pairs = yield from _iter_rule_issues(counts, labels, pred_probs, rule, class_percentile)
        listed = yield from iter_order_label_issues(counts, _mask(len(labels), pairs), "self_confidence")
        suggested = [pairs[i] for i in listed]
    n_issues = yield from issues.iter_num_label_issues()
    confidence, agreement = yield from _iter_calibration(counts)
    noise = noise_estimate(counts.calibrated)
    item_odds = []
    for start in range(0, len(listed), CHUNK):
        stop = start + CHUNK
        chunk = zip(listed[start:stop], suggested[start:stop])
        item_odds += [odds(noise, pred_probs[i], labels[i], s) for i, s in chunk]
        yield
    return Plan(rule, labels, listed, suggested, item_odds, n_issues, noise, confidence, agreement)


def plan(
    labels: Sequence[int],
    pred_probs: Matrix,
    rule: str = DEFAULT_RULE,
    *,
    class_percentile: float = 50,
    issues: LabelIssues | None = None,
    dtype: str = FLOAT64,
) -> Plan:
    """:func:`iter_plan` run to its end.

    >>> rows = [[0.9, 0.1], [0.8, 0.2], [0.95, 0.05], [0.7, 0.3], [0.02, 0.98],
    ...         [0.1, 0.9], [0.2, 0.8], [0.3, 0.7], [0.15, 0.85], [0.75, 0.25]]
    >>> result = plan([0, 0, 0, 0, 0, 1, 1, 1, 1, 1], rows)
    >>> result.issues, result.suggested, result.likely, result.num_label_issues
    ([4, 9], [1, 0], [4], 2)
    >>> [round(o, 2) for o in result.odds]
    [12.25, 0.75]
    >>> result.changes(), result.changes("all")
    ([(4, 1)], [(4, 1), (9, 0)])
    """
    return drain(iter_plan(labels, pred_probs, rule, class_percentile=class_percentile, issues=issues, dtype=dtype))


def _iter_calibration(counts) -> Steps[tuple[float, float]]:
    """``(mean top probability, share of argmax == given label)`` of the counts' items."""
    n, top, agree = len(counts.labels), 0.0, 0
    for start in range(0, n, CHUNK * 4):
        stop = start + CHUNK * 4
        top += sum(counts.top[start:stop])
        agree += sum(map(eq, counts.argmax[start:stop], counts.labels[start:stop]))
        yield
    return top / n, agree / n


def _mask(n: int, pairs: dict[int, int]) -> list[bool]:
    mask = [False] * n
    for i in pairs:
        mask[i] = True
    return mask


def _iter_rule_issues(counts, labels, pred_probs, rule, class_percentile) -> Steps[dict[int, int]]:
    """``{item: suggested label}`` of the confident joint's off-diagonal, or of the percentile rule."""
    if rule == "confident_joint":
        yield
        return {i: counts.guesses[i] for i in counts.off_diagonal}
    cut = []
    for k, members in enumerate(counts.members):  # the class thresholds t_k(q) of cleanlens.confident
        cut.append(percentile(sorted(pred_probs[i][k] for i in members), class_percentile))
        yield
    pairs = {}
    for start in range(0, len(labels), CHUNK):
        stop = min(len(labels), start + CHUNK)
        for i in range(start, stop):
            a = counts.argmax[i]
            if a != labels[i] and counts.top[i] >= cut[a]:
                pairs[i] = a
        yield
    return pairs


__all__ = [
    "ACCEPTS",
    "DEFAULT_ACCEPT",
    "DEFAULT_RULE",
    "DEMO_RULE",
    "LIKELY_ODDS",
    "RULES",
    "FixingError",
    "Outcome",
    "Plan",
    "iter_plan",
    "noise_estimate",
    "odds",
    "plan",
]
