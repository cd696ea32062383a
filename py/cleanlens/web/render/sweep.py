"""The Threshold sweep tab of the centre panel: a heatmap of F1, precision or recall against the known errors
over class × OOD percentiles (each reachable cell a button that moves the sliders there), and the cleanlab
rule's curve.

Inputs: the state (its sweep, :meth:`~cleanlens.web.state.ExplorerState.sweep`, which needs the dataset's
true labels; the metric chosen; the sliders).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import esc, fmt

if TYPE_CHECKING:
    from cleanlens.scoring import Sweep
    from cleanlens.web.state import ExplorerState

METRIC_NAMES = {"f1": "F1", "precision": "Precision", "recall": "Recall"}


def _metric(score, metric):
    return getattr(score, metric)


def sweep_panel(state: ExplorerState) -> str:
    """Heatmap of a metric over class percentile × OOD percentile, and the cleanlab rule's curve.

    Rows are class percentiles (100 at the top), columns OOD percentiles; cells
    with OOD > class cannot be reached with the coupled sliders and are shown
    hatched. The current slider position is outlined, the best reachable cell
    starred; a cell is a button that moves the sliders there. Only the current
    cell is in the tab order; arrow keys move between cells.
    """
    sw = state.sweep()
    if sw is None:
        if state.training is None:
            return '<p class="empty">The sweep appears after training.</p>'
        return '<p class="empty">The sweep needs the true labels, which this dataset does not have.</p>'
    metric = state.view.sweep_metric
    radios = "".join(
        f'<label><input type="radio" name="sweep-metric" value="{m}" data-action="sweep-metric"'
        f"{' checked' if m == metric else ''}> {name}</label>"
        for m, name in METRIC_NAMES.items()
    )
    best, best_at = -1.0, None
    for a, qc in enumerate(sw.class_percentiles):
        for b, qo in enumerate(sw.ood_percentiles):
            value = _metric(sw.scores[a][b], metric)
            if qo <= qc and value is not None and value > best:
                best, best_at = value, (qc, qo)
    step = sw.class_percentiles[1] - sw.class_percentiles[0] if len(sw.class_percentiles) > 1 else 1
    here = (round(state.view.q_class / step) * step, round(state.view.q_ood / step) * step)
    rows = []
    for a in reversed(range(len(sw.class_percentiles))):
        qc = sw.class_percentiles[a]
        cells = []
        for b, qo in enumerate(sw.ood_percentiles):
            value = _metric(sw.scores[a][b], metric)
            shown = 0.0 if value is None else value
            marks = (" here" if (qc, qo) == here else "") + (" best" if (qc, qo) == best_at else "")
            label = f"class {qc}, OOD {qo}: {METRIC_NAMES[metric]} {fmt(value)}" + (
                " (best)" if (qc, qo) == best_at else ""
            )
            if qo > qc:
                cells.append('<td class="na" title="OOD above class: not reachable"></td>')
                continue
            cells.append(
                f'<td class="{marks.strip()}" style="--v:{shown:.3f}"><button type="button" data-action="sweep-cell" '
                f'data-qc="{qc}" data-qo="{qo}" data-testid="sweep-{qc}-{qo}" '
                f'tabindex="{0 if (qc, qo) == here else -1}" '
                f'aria-label="{label}" title="{label}"></button></td>'
            )
        rows.append(f'<tr><th scope="row">{qc}</th>{"".join(cells)}</tr>')
    head = "".join(f'<th scope="col">{qo if qo % 20 == 0 else ""}</th>' for qo in sw.ood_percentiles)
    best_text = (
        f"Best {METRIC_NAMES[metric]} {fmt(best)} at class {best_at[0]}, OOD {best_at[1]}"
        if best_at
        else "No reachable cell has a score"
    )
    scale = (
        f'<div class="scale" data-testid="sweep-scale"><span class="muted">{METRIC_NAMES[metric]}</span> 0'
        '<span class="ramp" aria-hidden="true"></span>1 <span class="na-key" aria-hidden="true"></span>'
        '<span class="muted">not reachable (OOD above class)</span></div>'
    )
    return (
        f'<div class="sweep"><fieldset class="metric"><legend>Metric</legend>{radios}</fieldset>'
        f'<p class="muted" data-testid="sweep-best">{best_text} (ringed). Outlined: the sliders now. Choose a cell '
        "to move them there.</p>"
        f'<div class="sweep-body"><div>{scale}<table class="heat" data-testid="sweep"><caption>'
        f"{METRIC_NAMES[metric]} of the "
        "flagged images against the known errors: rows class percentile, columns OOD percentile</caption><thead><tr>"
        f'<td class="corner">class ↓ OOD →</td>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
        f"{cleanlab_curve(state, sw, metric)}</div></div>"
    )


def cleanlab_curve(state: ExplorerState, sw: Sweep, metric: str) -> str:
    """The cleanlab rule's metric as a function of the OOD percentile (its label issues do not depend on the
    class slider)."""
    w, h = 220, 90
    pts = []
    for qo, cell in zip(sw.ood_percentiles, sw.cleanlab):
        value = _metric(cell, metric)
        if value is not None:
            pts.append(f"{qo / 100 * w:.1f},{h - value * h:.1f}")
    x = state.view.q_ood / 100 * w
    desc = ", ".join(f"OOD {qo}: {fmt(_metric(s, metric))}" for qo, s in zip(sw.ood_percentiles, sw.cleanlab))
    return (
        f'<figure class="curve"><figcaption>cleanlab rule (class threshold = mean self-confidence): '
        f"{METRIC_NAMES[metric]} by OOD percentile; dashed: the OOD slider now</figcaption>"
        f'<svg viewBox="-24 -6 {w + 34} {h + 22}" role="img" aria-label="{esc(desc)}" data-testid="cleanlab-curve">'
        f'<line class="axis" x1="0" y1="{h}" x2="{w}" y2="{h}"/><line class="axis" x1="0" y1="0" x2="0" y2="{h}"/>'
        f'<polyline points="{" ".join(pts)}"/><line class="now" x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{h}"/>'
        f'<text x="-4" y="4" text-anchor="end">1</text><text x="-4" y="{h}" text-anchor="end">0</text>'
        f'<text x="0" y="{h + 14}">0</text><text x="{w}" y="{h + 14}" text-anchor="end">100</text>'
        f'<text x="{w / 2}" y="{h + 14}" text-anchor="middle">OOD percentile</text></svg></figure>'
    )
