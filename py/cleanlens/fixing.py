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
- **The temperature** ``t >= 1`` (:func:`iter_temperature`): probabilities calibrated against the labels they
  were trained on have a mean top probability equal to the *agreement*, the share of items whose argmax is
  the given label (checkable without a truth column). When the mean top probability exceeds it, ``t`` is the
  temperature at which the tempered probabilities ``p_i[k]^(1/t) / sum_j p_i[j]^(1/t)`` meet it (temperature
  scaling, fitted to the given labels); else 1.
- **The odds** of item i with suggestion s: ``odds_i = T[g][s] p_i[s]^(1/t) / (T[g][g] p_i[g]^(1/t))`` (``inf``
  when the denominator is 0 and the numerator is not; 0 when both are). Under class-conditional noise with
  the tempered ``p_i`` standing for the probability of each true class, the two terms are proportional to
  the probabilities that item i, labelled g, truly belongs to s and to g: relabelling it fixes an error with
  the first and makes one with the second. So ``odds_i >= 1`` (*likely*) means that relabelling it is
  expected not to add an error.
- **Accept all** (:data:`ACCEPTS`) changes, by default, the *likely* listed items (``"likely"``); or the
  worst-ranked n of the listed items (``"worst"``, n defaulting to cleanlab's ``num_label_issues``); or all of
  them (``"all"``).

Why "likely" by default, and what it cannot promise: on scikit-learn's digits (6% of labels flipped,
probabilities of a cross-validated logistic regression) and Fashion-MNIST (20,000 items, 5% flipped),
accepting every ``find_label_issues`` item, or the worst ``num_label_issues`` of them, leaves *more* wrong
labels than before (digits 108 -> 139, Fashion-MNIST 1,000 -> 1,469 for the worst n): the models disagree
with many correct labels, and cleanlab's confident joint counts their confusions as label noise. The likely
subset never did on the datasets measured (``python3 bench/bench_fixing.py``; docs/definitions.md has the
table): digits 108 -> 78, Fashion-MNIST 1,000 -> 794. Without the temperature it did, on mildly
overconfident probabilities (digits, logistic regression on raw pixels: 89 -> 120; with it 89 -> 80). The
test relies on two estimates: the tempered ``p_i`` as the probabilities of the true classes, and ``T`` as the
noise. A model that is confidently wrong, or a noise estimate inflated by the model's confusions, can make
it wrong on other data; only new probabilities from a model trained on the fixed labels (or a truth column)
can check fixes.

**Overconfident probabilities.** When the mean top probability exceeds the agreement by more than
:data:`OVERCONFIDENCE_LIMIT` (0.1), the temperature cannot be trusted to repair them (hard, wrong
probabilities stay wrong at any temperature), and Accept all changes nothing by default
(:attr:`Plan.overconfident`; the summary says why). Measured: scikit-learn's ``GaussianNB`` on digits claims
0.97 and agrees 0.69, and every other choice there made the labels worse (108 wrong labels -> 209 to 447;
tempered, the likely set still added wrong labels in 8 of 10 runs).

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
from .filtering import DEFAULT_FILTER, iter_order_label_issues
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
TEMPERATURE_SAMPLE = 5_000
"""At most this many rows (evenly spaced) set the temperature: its bisection reads each of them ~40 times."""
MAX_TEMPERATURE = 100.0


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
    share of items whose argmax is their given label; ``temperature``: the odds' (:func:`iter_temperature`).
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
    temperature: float = 1.0

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


def odds(noise: Matrix, row: Sequence[float], given: int, suggested: int, temperature: float = 1.0) -> float:
    """``T[g][s] p[s]^(1/t) / (T[g][g] p[g]^(1/t))`` for one item at temperature ``t`` (``inf`` for x / 0 with
    x > 0; 0 for 0 / 0)."""
    ps, pg = row[suggested], row[given]
    if temperature != 1.0:
        ps, pg = ps ** (1.0 / temperature), pg ** (1.0 / temperature)
    numerator = noise[given][suggested] * ps
    denominator = noise[given][given] * pg
    if denominator > 0:
        return numerator / denominator
    return math.inf if numerator > 0 else 0.0


def iter_temperature(pred_probs: Matrix, top: Sequence[float], agreement: float) -> Steps[float]:
    """The temperature ``t >= 1`` at which the probabilities' mean top probability equals ``agreement`` (1 if it
    does not exceed it already): tempered rows ``p_k^(1/t) / sum_j p_j^(1/t)``, whose top probability is
    ``1 / sum_k (p_k / p_top)^(1/t)``. ``top``: each row's top probability. Found by bisection (to 0.1%) on at
    most :data:`TEMPERATURE_SAMPLE` evenly spaced rows; a step generator (yields between iterations)."""
    n = len(top)
    step = max(1, math.ceil(n / TEMPERATURE_SAMPLE))
    ratios = []  # per sampled row: log(p_k / p_top) of its other non-zero probabilities (all <= 0)
    for i in range(0, n, step):
        t = top[i]
        if t > 0:
            ratios.append([math.log(v / t) for v in pred_probs[i] if 0 < v] or [0.0])
    yield

    def mean_top(temperature: float) -> float:
        inverse = 1.0 / temperature
        return sum(1.0 / sum(math.exp(r * inverse) for r in row) for row in ratios) / len(ratios)

    if not ratios or mean_top(1.0) <= agreement:
        return 1.0
    lo, hi = 1.0, MAX_TEMPERATURE
    while hi / lo > 1.001:
        mid = math.sqrt(lo * hi)
        if mean_top(mid) > agreement:
            lo = mid
        else:
            hi = mid
        yield
    return math.sqrt(lo * hi)


def iter_plan(
    labels: Sequence[int],
    pred_probs: Matrix,
    rule: str = DEFAULT_RULE,
    *,
    class_percentile: float = 50,
    issues: LabelIssues | None = None,
    filter_by: str = DEFAULT_FILTER,
    dtype: str = FLOAT64,
) -> Steps[Plan]:
    """The :class:`Plan` of ``rule`` as a step generator (yields ``None`` between chunks; returns the plan).

    ``labels``: N class indices; ``pred_probs``: N rows of K probabilities (used as given: the caller
    validated them, as for :class:`~cleanlens.issues.LabelIssues`); ``class_percentile``: the percentile
    rule's class percentile; ``issues``: a :class:`~cleanlens.issues.LabelIssues` of the same labels and
    probabilities if the caller has one (its answers are reused); ``filter_by``: cleanlab's ``filter_by`` of
    the ``find_label_issues`` rule (default cleanlab's, ``prune_by_noise_rate``); ``dtype``: ``"float32"`` for float32
    probabilities, as cleanlab computes then.
    """
    if rule not in RULES:
        raise FixingError(f"unknown rule {rule!r}; expected one of {', '.join(RULES)}")
    labels = list(labels)
    if issues is None:
        issues = yield from LabelIssues.steps(labels, pred_probs, dtype=dtype)
    counts = issues.counts
    if rule == "find_label_issues":
        mask = yield from issues.iter_find_label_issues(filter_by)
        listed = yield from iter_order_label_issues(counts, mask, "self_confidence")
        suggested = [counts.argmax[i] for i in listed]
    else:
        pairs = yield from _iter_rule_issues(counts, labels, pred_probs, rule, class_percentile)
        listed = yield from iter_order_label_issues(counts, _mask(len(labels), pairs), "self_confidence")
        suggested = [pairs[i] for i in listed]
    n_issues = yield from issues.iter_num_label_issues()
    confidence, agreement = yield from _iter_calibration(counts)
    temperature = yield from iter_temperature(pred_probs, counts.top, agreement)
    noise = noise_estimate(counts.calibrated)
    item_odds = []
    for start in range(0, len(listed), CHUNK):
        stop = start + CHUNK
        chunk = zip(listed[start:stop], suggested[start:stop])
        item_odds += [odds(noise, pred_probs[i], labels[i], s, temperature) for i, s in chunk]
        yield
    return Plan(rule, labels, listed, suggested, item_odds, n_issues, noise, confidence, agreement, temperature)


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
    >>> round(result.confidence, 3), result.agreement, round(result.temperature, 2)
    (0.833, 0.8, 1.19)
    >>> [round(o, 2) for o in result.odds]
    [6.51, 0.63]
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
    "iter_temperature",
    "odds",
    "plan",
]
