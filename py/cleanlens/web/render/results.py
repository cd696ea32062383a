"""The Results panel: the category counts and the score against the known errors, the export buttons, the
tabs of flagged images (label issues, out of distribution, unconfident, a joint cell) with their counts, and the
current tab's images (a virtual list when long), with "Accept all" for the label issues.

Inputs: the state (result tab, chosen cell, decisions, the last "Accept all", selection), the analysis result
(None before training) and, for :func:`result_items`, the window of a long list the page has in view.
"""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING

from cleanlens.confident import Categorization
from cleanlens.scoring import OOD_WITHOUT_TRUTH, UNCONFIDENT_MEANING

from .common import (
    CATEGORY_NAMES,
    RESULT_GEOMETRY,
    VIRTUAL_MIN,
    _disabled,
    _image,
    _tabs,
    esc,
    fmt,
    item_name,
    window_of,
)

if TYPE_CHECKING:
    from cleanlens.scoring import KindScores
    from cleanlens.web.state import ExplorerState

COUNT_TESTIDS = {
    "correct": "count-correct",
    "label_issue": "count-label-issues",
    "ood": "count-ood",
    "unconfident": "count-unconfident",
}


def summary(state: ExplorerState, result: Categorization | None) -> str:
    """Category counts and the ground-truth score (an aria-live region in the page)."""
    counts = result.counts if result is not None else {}
    parts = "".join(
        f'<div class="count {c}"><span class="n" data-testid="{COUNT_TESTIDS[c]}">{counts[c] if result else "–"}</span>'
        f'<span class="what">{name}</span></div>'
        for c, name in CATEGORY_NAMES.items()
    )
    if result is not None and result.counts.get("excluded"):
        parts += f'<p class="muted">{result.counts["excluded"]} excluded from training</p>'
    lines = ""
    if result is not None:
        truth = "demo's truth" if state.is_demo else "truth (from your file)"
        lines = score_by_kind_lines(state.scores_by_kind(), truth) + unconfident_meaning()
    return f'<div class="counts">{parts}</div>{lines}'


def export_controls(state: ExplorerState) -> str:
    """Download buttons for the findings and fixes (enabled once there are results)."""
    d = _disabled(state.training is not None)
    return (
        f'<button type="button" data-action="export" data-kind="csv" data-testid="export-csv"{d}>Export CSV</button>'
        f'<button type="button" data-action="export" data-kind="audit" data-testid="export-audit"{d} '
        'title="How the CSV was made (thresholds, engine, data file): a JSON file to keep beside it">Audit</button>'
        f'<button type="button" data-action="export" data-kind="json" data-testid="export-json"{d}>Export JSON</button>'
    )


DECISION_MARKS = {"accept": ("✓", "suggestion accepted"), "keep": ("=", "label kept"), "exclude": ("⊘", "excluded")}


def result_items(state: ExplorerState, result: Categorization | None, window: tuple[int, int] | None = None) -> str:
    """The images of the current results tab in ``window`` (all of a short list), as ``<li>`` elements, worst
    label quality first; each marked with the user's decision on it, if any."""
    items, count = state.result_list(result)
    start, stop = window_of(count, window)
    classes = state.dataset.classes
    labels = state.training.labels
    arrow = state.view.result_tab == "label_issue" or (
        state.view.result_tab == "cell" and state.view.cell[0] != state.view.cell[1]
    )
    virtual = count > VIRTUAL_MIN
    out = []
    for n, i in enumerate(islice(items, start, stop), start):
        cap = full = esc(classes[labels[i]])
        if arrow and result.suggested[i] is not None:
            cap += f'<span class="to">→ {esc(classes[result.suggested[i]])}</span>'
            full += f" → {esc(classes[result.suggested[i]])}"
        sel = " selected" if state.view.selected == i else ""
        decision = state.work.decisions.get(i)
        mark = ""
        if decision:
            symbol, said = DECISION_MARKS[decision]
            sel += f" decided {decision}"
            mark = f'<span class="done" aria-hidden="true">{symbol}</span>'
        pos = f' aria-setsize="{count}" aria-posinset="{n + 1}"' if virtual else ""
        label = f"Inspect {item_name(state.dataset, i)}" + (f" ({DECISION_MARKS[decision][1]})" if decision else "")
        out.append(
            f'<li class="res{sel}" data-i="{i}"{pos}><button type="button" class="pick" data-action="select" '
            f'data-i="{i}" aria-label="{esc(label)}">{_image(state.dataset, i, 56)}{mark}</button>'
            f'<span class="cap" title="{full}">{cap}</span></li>'
        )
    return "".join(out)


def results_tabs(state: ExplorerState, result: Categorization | None) -> str:
    labels = {
        "label_issue": "Label issues",
        "ood": "Out of distribution",
        "unconfident": "Unconfident",
        "cell": "Joint cell",
    }
    counts = dict(result.counts) if result is not None else {}
    if state.view.cell is not None and result is not None:
        counts["cell"] = result.joint[state.view.cell[0]][state.view.cell[1]]
    return _tabs("results", labels, state.view.result_tab, counts)


def results_body(state: ExplorerState, result: Categorization | None, window: tuple[int, int] | None = None) -> str:
    """The current results tab: its images (a virtual list when long), and "Accept all" for label issues."""
    if result is None:
        return '<p class="empty">Results appear after training.</p>'
    tab = state.view.result_tab
    if tab == "cell" and state.view.cell is None:
        return '<p class="empty">Choose a cell of the confident joint to see its images.</p>'
    _, count = state.result_list(result)
    head = ""
    if tab == "cell":
        g, s = state.view.cell
        classes = state.dataset.classes
        head = (
            f'<p class="cellhead" data-testid="cell-title">Given {esc(classes[g])}, suggested {esc(classes[s])}: '
            f"{count:,} image{'' if count == 1 else 's'}</p>"
        )
    elif tab == "label_issue" and count:
        head = accept_all_controls(state)
    body = '<p class="empty">None.</p>'
    if count:
        body = (
            f'<ul class="grid" style="{RESULT_GEOMETRY.style()}" {RESULT_GEOMETRY.attrs("results", count)}>'
            f"{result_items(state, result, window)}</ul>"
        )
    return head + f'<div data-testid="{"cell" if tab == "cell" else tab}-items">{body}</div>'


def accept_all_controls(state: ExplorerState) -> str:
    """ "Accept all…" for the listed label issues without a decision, which opens its plan (:func:`accept_plan`);
    who decided on the others (you, or the last Accept all); and what the last Accept all did (undoable)."""
    if state.accept_open:
        return accept_plan(state)
    pending = state.pending_issues()
    out = (
        f'<p><button type="button" data-action="accept-all" data-testid="accept-all"{_disabled(pending)} '
        'aria-haspopup="true">Accept all…</button> '
        f'<span class="muted" data-testid="accept-pending">{pending:,} listed without a decision'
    )
    listed = state.analysis().iter_items("label_issue")
    decisions, bulk = state.work.decisions, state.work.bulk
    decided = [i for i in listed if i in decisions]
    by_bulk = sum(1 for i in decided if i in bulk)
    if len(decided) - by_bulk:
        out += f"; {len(decided) - by_bulk:,} you decided on"
    if by_bulk:
        out += f"; {by_bulk:,} by Accept all"
    out += "</span></p>"
    if state.work.bulk:
        n = len(state.work.bulk)
        out += (
            f'<p class="notice" role="status" data-testid="accept-all-done">Accepted {n:,} suggested '
            f"label{'' if n == 1 else 's'}. "
            '<button type="button" data-action="undo-all" data-testid="undo-all">Undo</button></p>'
        )
    return out


ACCEPT_CHOICES = {
    "likely": "the likely fixes (recommended)",
    "worst": "the worst-ranked",
    "all": "all listed",
}


def accept_plan(state: ExplorerState) -> str:
    """Accept all's plan before it acts: what it will change (the rule, how many labels, cleanlab's estimate of
    the label errors, the precision against a truth column), the choice of likely / worst n / all, Accept and
    Cancel."""
    plan, choice = state.plan(), state.accepting
    n_changes = len(state.accept_changes())
    n = plan.num_label_issues if choice.n is None else choice.n
    options = []
    for value, text in ACCEPT_CHOICES.items():
        checked = " checked" if choice.accept == value else ""
        extra = ""
        if value == "worst":
            extra = (
                f' <input type="number" data-action="accept-n" data-testid="accept-n" min="0" max="{len(plan.issues)}" '
                f'value="{n}" aria-label="How many of the worst-ranked" class="num"> '
                f'<span class="muted">(cleanlab estimates {plan.num_label_issues:,} label errors)</span>'
            )
        elif value == "all":
            extra = f" {len(plan.issues):,}"
        options.append(
            f'<label><input type="radio" name="accept-choice" data-action="accept-choice" value="{value}" '
            f'data-testid="accept-choice-{value}"{checked}> {text}</label>{extra}'
        )
    return (
        '<div class="accept-plan" role="group" aria-labelledby="accept-plan-title" data-testid="accept-plan">'
        '<p id="accept-plan-title"><strong>Accept all</strong></p>'
        f'<p data-testid="accept-summary" role="status" tabindex="-1">{esc(state.accept_summary())}</p>'
        f"<fieldset><legend>Change</legend>{'<br>'.join(options)}</fieldset>"
        f'<p><button type="button" class="primary" data-action="accept-confirm" data-testid="accept-confirm"'
        f"{_disabled(n_changes)}>Accept {n_changes:,} label{'' if n_changes == 1 else 's'}</button> "
        '<button type="button" data-action="accept-cancel" data-testid="accept-cancel">Cancel</button></p></div>'
    )


def score_by_kind_lines(kinds: KindScores | None, truth_label: str = "truth (from your file)") -> str:
    """The score against the truth, by kind (:class:`cleanlens.scoring.KindScores`), as ``<p>`` lines: label
    issues against the label errors, and OOD against the items the truth calls OOD (or, without any, the
    sentence saying what the OOD list is). ``truth_label``: what the truth is called ("the demo's truth" on the
    demo). Empty without a truth (``kinds`` None)."""
    if kinds is None:
        return ""
    s = kinds.label_issues
    out = (
        f'<p class="score" data-testid="score">Label issues: <strong>{s.true_positives}</strong> of the {s.wrong} '
        f"label errors in the {esc(truth_label)}, precision {fmt(s.precision)} ({s.flagged} listed), recall "
        f"{fmt(s.recall)}, F1 {fmt(s.f1)}</p>"
    )
    o = kinds.ood
    if o is None:
        return out + f'<p class="muted" data-testid="score-ood">{esc(OOD_WITHOUT_TRUTH)}</p>'
    return out + (
        f'<p class="score" data-testid="score-ood">Out of distribution: <strong>{o.true_positives}</strong> of the '
        f"{o.wrong} OOD items in the {esc(truth_label)}, precision {fmt(o.precision)} ({o.flagged} listed), recall "
        f"{fmt(o.recall)}</p>"
    )


def unconfident_meaning() -> str:
    """One sentence next to the count of unconfident items (:data:`cleanlens.scoring.UNCONFIDENT_MEANING`)."""
    return f'<p class="muted" data-testid="unconfident-meaning">{esc(UNCONFIDENT_MEANING)}</p>'
