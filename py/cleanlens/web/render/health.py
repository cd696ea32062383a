"""The Dataset health tab of the centre panel: cleanlab's dataset health summary of the trained items (the
overall label health score, ``num_label_issues``, the classes ranked by label quality, the overlapping class
pairs), each pair with buttons that open its two cells of the confident joint in the results.

Inputs: the state (class names, the chosen cell) and its :meth:`~cleanlens.web.state.ExplorerState.health`
(:class:`~cleanlens.web.state.health.DatasetHealth`; None before training). The numbers do not follow the
sliders or the rule (they are cleanlab's, computed once per training); the cells the buttons open do.
Every number is shown with :func:`~.common.fmt` and carries its exact value in ``data-value`` (what the
end-to-end tests compare with the command line's).
"""

from __future__ import annotations

from .common import CLASS_COLOURS, esc, fmt

CLASS_COLUMNS = (
    ("Label issues", "items labelled as this class that belong to another (cleanlab: Label Issues)"),
    ("Inverse label issues", "items of this class labelled as another (cleanlab: Inverse Label Issues)"),
    (
        "Inverse label noise",
        "inverse label issues as a share of the items that truly are this class (cleanlab: Inverse Label Noise)",
    ),
    (
        "Label quality",
        "1 − the share of the items labelled as this class that belong to another (cleanlab: Label Quality Score)",
    ),
)


def _number(value, testid=None, shown=None):
    """A table cell with ``value`` shown (``shown``, or :func:`fmt` of a float) and exact in ``data-value``."""
    text = shown if shown is not None else (fmt(value) if isinstance(value, float) else f"{value:,}")
    tid = f' data-testid="{testid}"' if testid else ""
    return f'<td class="num"{tid} data-value="{value!r}">{text}</td>'


def _class_cell(names, k, tag="td", extra=""):
    """A cell naming class k, with its colour (drawn by the stylesheet, so a long name wraps as text does)."""
    scope = ' scope="row"' if tag == "th" else ""
    return f'<{tag}{scope} class="cname c{k % CLASS_COLOURS}{extra}">{esc(names[k])}</{tag}>'


def _classes_table(names, classes):
    head = "".join(f'<th scope="col" title="{esc(tip)}">{name}</th>' for name, tip in CLASS_COLUMNS)
    rows = "".join(
        f'<tr data-testid="health-class-{c.index}">{_class_cell(names, c.index, "th")}'
        f"{_number(c.label_issues)}{_number(c.inverse_label_issues)}"
        f"{_number(c.inverse_label_noise)}{_number(c.label_quality)}</tr>"
        for c in classes
    )
    return (
        '<table class="health-table" data-testid="health-classes"><caption>Classes ranked by label quality, worst '
        "first (cleanlab: dataset.rank_classes_by_label_quality)</caption>"
        f'<thead><tr><th scope="col">Class</th>{head}</tr></thead><tbody>{rows}</tbody></table>'
    )


def _cell_button(names, g, s, chosen):
    """A button that opens the confident joint's cell (given g, suggested s), as a click on that cell does."""
    return (
        f'<button type="button" class="pair-cell" data-action="cell" data-g="{g}" data-s="{s}" '
        f'data-testid="health-pair-{g}-{s}" aria-pressed="{"true" if chosen == (g, s) else "false"}">'
        f'<span class="sr-only">Open the cell given </span>{esc(names[g])}<span aria-hidden="true"> → </span>'
        f'<span class="sr-only">, suggested </span>{esc(names[s])}</button>'
    )


def _pairs_table(names, health, chosen):
    if not health.pairs:
        return '<p class="empty" data-testid="health-pairs">No two classes overlap.</p>'
    rows = "".join(
        f'<tr data-testid="health-pair-row-{p.a}-{p.b}">{_class_cell(names, p.a, "th", " pair-class")}'
        f"{_class_cell(names, p.b, extra=' pair-class')}{_number(p.joint_probability)}{_number(p.overlapping)}"
        f'<td><div class="cells">{_cell_button(names, p.a, p.b, chosen)}{_cell_button(names, p.b, p.a, chosen)}'
        "</div></td></tr>"
        for p in health.pairs
    )
    shown, overlapping = len(health.pairs), health.n_overlapping
    if shown < overlapping:
        which = f"the {shown} that overlap most, of {overlapping:,} that overlap ({health.n_pairs:,} pairs in all)"
    else:
        which = f"every pair that overlaps, {shown:,} of {health.n_pairs:,}"
    return (
        '<table class="health-table" data-testid="health-pairs"><caption>Overlapping classes '
        f"(cleanlab: dataset.find_overlapping_classes): {which}</caption>"
        '<thead><tr><th scope="col" class="pair-class">Class A</th><th scope="col" class="pair-class">Class B</th>'
        '<th scope="col" title="estimated share of all items given one of the two labels whose true class is the '
        'other">Joint probability</th><th scope="col">Overlapping examples</th>'
        f'<th scope="col">Open the cell (given → suggested)</th></tr></thead><tbody>{rows}</tbody></table>'
    )


def health_panel(state):
    """The tab: the score and ``num_label_issues``, the classes table and the overlapping pairs table."""
    health = state.health()
    if health is None:
        return '<p class="empty" data-testid="health">The dataset health appears after training.</p>'
    names = state.dataset.classes
    excluded = len(state.training.excluded)
    left_out = f" ({excluded:,} excluded items left out)" if excluded else ""
    return (
        '<div class="health" data-testid="health">'
        '<div class="health-head">'
        f'<p><span class="big" data-testid="health-score" data-value="{health.score!r}">{fmt(health.score)}</span> '
        "overall label health score</p>"
        f'<p><span class="big" data-testid="health-num-issues" data-value="{health.num_label_issues!r}">'
        f"{health.num_label_issues:,}</span> label issues estimated "
        f'(cleanlab: count.num_label_issues) among <span data-testid="health-items">{health.n_items:,}</span> '
        f"items{left_out}</p></div>"
        '<p class="muted">cleanlab\'s dataset health summary, from the calibrated confident joint of the trained '
        "items: it does not change with the sliders or the rule. The cells a pair opens show the current rule's "
        "items.</p>"
        f"{_classes_table(names, health.classes)}{_pairs_table(names, health, state.view.cell)}</div>"
    )
