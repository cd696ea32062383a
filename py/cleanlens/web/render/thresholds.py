"""The Thresholds panel: the two percentile sliders and the cleanlab-rule toggle, the per-class threshold
table, and the per-class histograms of self-confidence with both thresholds (and the image in Why?) drawn.

Inputs: the state (slider positions, rule, training, selection or preview) and the analysis result (its class
and OOD thresholds; None before training).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from cleanlens.issues import FILTERS
from cleanlens.web.state.view import RULE_NAMES, RULES

from .common import CLASS_COLOURS, _disabled, esc, fmt

if TYPE_CHECKING:
    from cleanlens.confident import Categorization
    from cleanlens.web.state import ExplorerState

HISTOGRAM_BINS = 30
MAX_HISTOGRAMS = 12


def class_slider_value(state: ExplorerState) -> str:
    """The class slider's read-out: its percentile, or "mean" when a cleanlab rule is chosen (the slider is off
    then: cleanlab's class thresholds are the mean self-confidences)."""
    return str(state.view.q_class) if state.view.rule == "percentile" else "mean"


def threshold_controls(state: ExplorerState, enabled: bool = True) -> str:
    """The rule (and, for cleanlab's find_label_issues, its ``filter_by``) and the two sliders; under either of
    cleanlab's rules the class slider is disabled (the class thresholds are the mean self-confidences) and reads
    "mean"."""
    d = _disabled(enabled)
    view = state.view
    rules = "".join(
        f'<option value="{rule}"{" selected" if view.rule == rule else ""}>{esc(RULE_NAMES[rule])}</option>'
        for rule in RULES
    )
    control = (
        f'<div class="rule"><label for="rule">Rule</label><select id="rule" data-action="rule" '
        f'data-testid="rule"{d}>{rules}</select>'
    )
    if view.rule == "find-label-issues":
        filters = "".join(
            f'<option value="{f}"{" selected" if view.filter_by == f else ""}>{f}</option>' for f in FILTERS
        )
        control += (
            f'<label for="filter-by">filter_by</label><select id="filter-by" data-action="filter-by" '
            f'data-testid="filter-by"{d}>{filters}</select>'
        )
    return (
        control + "</div>" + f'<div class="slider"><label for="class-percentile">Class threshold percentile</label>'
        f'<input type="range" id="class-percentile" data-action="class-percentile" data-testid="class-percentile" '
        f'min="0" max="100" step="1" value="{view.q_class}"{_disabled(enabled and view.rule == "percentile")}>'
        f'<output for="class-percentile" data-testid="class-percentile-value">{class_slider_value(state)}</output>'
        "</div>"
        f'<div class="slider"><label for="ood-percentile">OOD threshold percentile</label>'
        f'<input type="range" id="ood-percentile" data-action="ood-percentile" data-testid="ood-percentile" '
        f'min="0" max="100" step="1" value="{view.q_ood}"{d}>'
        f'<output for="ood-percentile" data-testid="ood-percentile-value">{view.q_ood}</output></div>'
    )


def threshold_table(state: ExplorerState, result: Categorization | None) -> str:
    """Per-class class and OOD threshold values."""
    rows = []
    for k, name in enumerate(state.dataset.classes):
        c = result.class_thresholds[k] if result else None
        o = result.ood_thresholds[k] if result else None
        rows.append(
            f'<tr><th scope="row"><span class="swatch c{k % CLASS_COLOURS}"></span>{esc(name)}</th>'
            f'<td data-testid="class-threshold-{k}">{fmt(c)}</td><td data-testid="ood-threshold-{k}">{fmt(o)}</td></tr>'
        )
    return (
        '<table class="thresholds"><caption class="sr-only">Thresholds per class</caption><thead><tr>'
        '<th scope="col">Class</th><th scope="col">Class threshold</th><th scope="col">OOD threshold</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def histogram_range(state: ExplorerState, result: Categorization) -> float:
    """The self-confidence range the histograms show, ``[lo, 1]``: zoomed to where the values are.

    ``lo`` is the lower of the lowest finite threshold and the lowest class's first quartile of
    self-confidences, rounded down to 0.05: both thresholds of every class are inside, and most values
    spread over the width instead of crowding into the last bins of a 0-1 axis. Values below ``lo`` are
    counted in a bar of their own at the left.
    """
    learner = state.training.learner
    lows = [v[len(v) // 4] for v in learner.sorted_self_confidences if v]
    lows += [t for t in result.ood_thresholds + result.class_thresholds if math.isfinite(t)]
    return max(0.0, math.floor(min(lows, default=0.0) * 20 + 1e-9) / 20)


def _ticks(lo):
    """Tick values of the histograms' x axis from lo to 1."""
    span = 1 - lo
    step = 0.05 if span <= 0.3 else 0.1 if span <= 0.6 else 0.25
    first = math.ceil(lo / step - 1e-9) * step
    return [round(first + n * step, 2) for n in range(int((1 - first) / step + 1e-9) + 1)]


def histograms(state: ExplorerState, result: Categorization | None) -> str:
    """Per-class histograms of self-confidence with both thresholds drawn and labelled (and the selected item).

    Every class shares one x range, :func:`histogram_range` (zoomed; a strip under each axis shows that range
    within 0-1); the y axis counts images. Shows at most MAX_HISTOGRAMS classes.
    """
    if state.training is None:
        return '<p class="empty">Histograms appear after training.</p>'
    learner = state.training.learner
    labels = state.training.labels
    classes = state.dataset.classes
    lo = histogram_range(state, result)
    span = (1.0 - lo) or 1.0
    w, h = 200, 70  # the plot area
    left, under_w, top_pad = 24, 10, 16  # y tick labels, the "below lo" bar, the threshold labels
    px = left + under_w + 6  # the plot's left edge
    bottom = top_pad + h
    shown = state.view.preview if state.view.preview is not None else state.view.selected

    def x_of(value):
        return px + (value - lo) / span * w

    out = []
    for k, name in enumerate(classes[:MAX_HISTOGRAMS]):
        values = learner.sorted_self_confidences[k]
        bins = list(state.training.histogram(k, lo, HISTOGRAM_BINS))
        below = _first_at_least(values, lo)
        if bins:
            bins[0] -= below
        highest = max(bins + [below]) or 1
        bw = w / HISTOGRAM_BINS
        bars = "".join(
            f'<rect x="{px + b * bw:.1f}" y="{bottom - c / highest * h:.1f}" width="{bw - 1:.1f}" '
            f'height="{c / highest * h:.1f}"/>'
            for b, c in enumerate(bins)
            if c
        )
        if below:
            bars += (
                f'<rect class="under" x="{left}" y="{bottom - below / highest * h:.1f}" width="{under_w}" '
                f'height="{below / highest * h:.1f}"/>'
            )
        lines = ""
        c_t, o_t = result.class_thresholds[k], result.ood_thresholds[k]
        labels_at = []
        for cls, t, text in (("cthr", c_t, "class"), ("othr", o_t, "OOD")):
            if math.isfinite(t):
                x = x_of(max(lo, t))
                lines += f'<line class="{cls}" x1="{x:.1f}" x2="{x:.1f}" y1="{top_pad - 2}" y2="{bottom}"/>'
                labels_at.append((x, cls, f"{text} {fmt(t)}"))
        # the two threshold labels on two rows, each on the side of its line with more room
        for row, (x, cls, text) in enumerate(sorted(labels_at, key=lambda a: a[1] != "cthr")):
            anchor = "end" if x > px + w / 2 else "start"
            dx = -2 if anchor == "end" else 2
            lines += (
                f'<text class="tlabel {cls}" x="{x + dx:.1f}" y="{6 + row * 8}" text-anchor="{anchor}">'
                f"{esc(text)}</text>"
            )
        marker = ""
        confidence = None if shown is None else state.training.self_confidence[shown]
        if confidence is not None and labels[shown] == k:
            mx = x_of(confidence) if confidence >= lo else left + under_w / 2
            marker = f'<path class="you" d="M{mx:.1f} {bottom + 1}l-4 7h8z"/>'
        ticks = "".join(
            f'<line class="tick" x1="{x_of(t):.1f}" x2="{x_of(t):.1f}" y1="{bottom}" y2="{bottom + 3}"/>'
            f'<text x="{x_of(t):.1f}" y="{bottom + 11}" text-anchor="middle">{t:g}</text>'
            for t in _ticks(lo)
        )
        under_label = (
            f'<text x="{left + under_w / 2}" y="{bottom + 11}" text-anchor="middle">&lt;</text>' if below else ""
        )
        axes = (
            f'<line class="axis" x1="{left}" x2="{px + w}" y1="{bottom}" y2="{bottom}"/>'
            f'<text x="{left - 3}" y="{top_pad + 4}" text-anchor="end">{highest}</text>'
            f'<text x="{left - 3}" y="{bottom}" text-anchor="end">0</text>'
            f'<text class="title" x="{left - 3}" y="{top_pad + 13}" text-anchor="end">n</text>'
        )
        # the whole 0-1 range under the axis, with the part shown here marked
        strip_y = bottom + 20
        strip = (
            f'<line class="range" x1="{px}" x2="{px + w}" y1="{strip_y}" y2="{strip_y}"/>'
            f'<line class="zoom" x1="{px + lo * w:.1f}" x2="{px + w}" y1="{strip_y}" y2="{strip_y}"/>'
            f'<text x="{px - 3}" y="{strip_y + 3}" text-anchor="end">0</text>'
            f'<text x="{px + w + 3}" y="{strip_y + 3}">1</text>'
        )
        desc = (
            f"{len(values)} images labelled {name}: self-confidence from {fmt(values[0]) if values else '—'} to "
            f"{fmt(values[-1]) if values else '—'}; class threshold {fmt(c_t)}, OOD threshold {fmt(o_t)}"
            + (f"; {below} below {lo:g}" if below else "")
        )
        out.append(
            f'<figure class="hist"><figcaption><span class="swatch c{k % CLASS_COLOURS}"></span>{esc(name)}'
            f'<span class="muted"> · {len(values)}</span></figcaption>'
            f'<svg viewBox="0 0 {px + w + 8} {strip_y + 6}" role="img" aria-label="{esc(desc)}">'
            f'<g class="bars c{k % CLASS_COLOURS}">{bars}</g>{axes}{ticks}{under_label}{lines}{marker}{strip}</svg>'
            "</figure>"
        )
    more = (
        f'<p class="muted">Showing {MAX_HISTOGRAMS} of {len(classes)} classes.</p>'
        if len(classes) > MAX_HISTOGRAMS
        else ""
    )
    zoom = (
        f"x: self-confidence, zoomed to {lo:g}–1 (the line under each axis: 0–1, this part dark)"
        + (f"; the pale bar “&lt;” counts values below {lo:g}" if lo > 0 else "")
        + "; y: images"
    )
    legend = (
        f'<p class="legend"><span class="key cthr"></span>class threshold <span class="key othr"></span>OOD threshold'
        f'<span class="key you"></span>the image in Why?</p><p class="legend muted">{zoom}</p>'
    )
    return "".join(out) + more + legend


def _first_at_least(values, bound):
    """How many of the ascending values are below bound."""
    lo, hi = 0, len(values)
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid] < bound:
            lo = mid + 1
        else:
            hi = mid
    return lo
