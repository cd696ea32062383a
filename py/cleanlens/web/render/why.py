"""The Why? panel and the popover: an image's labels, category and probabilities against both thresholds of
every class, and one sentence on why it is in its category; in the panel, the buttons that accept, keep,
exclude or undo, naming the selected image.

Inputs: the state (selection and preview, labels, decisions, training), the analysis result (None before
training) and, for the popover and the parts, an item index ``i``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .common import CLASS_COLOURS, _image, category_name, category_of, compared, esc, fmt, item_name

if TYPE_CHECKING:
    from cleanlens.confident import Categorization
    from cleanlens.web.state import ExplorerState

DECISION_NAMES = {
    "accept": "suggestion accepted",
    "keep": "label kept",
    "exclude": "excluded (OOD)",
    "relabel": "relabelled by hand",
}


def explanation(state: ExplorerState, result: Categorization, i: int) -> str:
    """One plain sentence saying why item i is in its category (the same >= rule as the matrix): what the rule
    found, and what it may mean.

    Numbers compared in a sentence are shown with enough decimals to be true (:func:`compared`).
    """
    classes = state.dataset.classes
    labels = state.training.labels
    probs = state.training.probabilities[i]
    given = classes[labels[i]]
    cat = category_of(result, i)
    sug = result.suggested[i]
    top = max(range(len(probs)), key=lambda k: (probs[k], -k))
    rule = "threshold" if state.view.rule == "percentile" else "mean self-confidence"
    if cat in ("correct", "label_issue"):
        name = classes[sug]
        p, t = compared(probs[sug], result.class_thresholds[sug])
        if cat == "correct":
            return (
                f"The model is confident this is a {name}: {p} is at or above the {name} {rule} {t}, "
                f"and it is labelled {name} — the label looks right."
            )
        return (
            f"The model is confident this is a {name}: {p} is at or above the {name} {rule} {t}, "
            f"but it is labelled {given} — likely a label error."
        )
    name = classes[top]
    if cat == "ood":
        p, o = compared(probs[top], result.ood_thresholds[top])
        return (
            f"Below every class's OOD threshold (even its highest probability, {p} for {name}, is below the "
            f"{name} OOD threshold {o}): an unusual image, or one that belongs to none of these classes."
        )
    p, t = compared(probs[top], result.class_thresholds[top])
    near = [k for k in range(len(probs)) if probs[k] >= result.ood_thresholds[k]]
    k = max(near, key=lambda k: (probs[k], -k)) if near else top
    q, o = compared(probs[k], result.ood_thresholds[k])
    return (
        f"Below every class threshold (its highest probability, {p} for {name}, is below the {name} {rule} {t}), "
        f"but not below every OOD threshold ({q} for {classes[k]} is at or above {o}): neither a confident "
        "suggestion nor out of distribution — an ambiguous image, perhaps between two classes, or one the model "
        "has not learnt well."
    )


def probability_rows(state: ExplorerState, result: Categorization, i: int, compact: bool = False) -> str:
    """Item i's probabilities against both thresholds of every class: a table (bars with the two thresholds
    marked; ``compact`` leaves out the threshold columns, for the popover)."""
    classes = state.dataset.classes
    probs = state.training.probabilities[i]
    rows = []
    for k, name in enumerate(classes):
        c, o = result.class_thresholds[k], result.ood_thresholds[k]
        marks = ""
        if math.isfinite(o):
            marks += f'<span class="tick othr" style="left:{o * 100:.1f}%" title="OOD threshold {fmt(o)}"></span>'
        if math.isfinite(c):
            marks += f'<span class="tick cthr" style="left:{c * 100:.1f}%" title="class threshold {fmt(c)}"></span>'
        numbers = "" if compact else f'<td class="num">{fmt(c)}</td><td class="num">{fmt(o)}</td>'
        rows.append(
            f'<tr><th scope="row">{esc(name)}</th><td class="num">{fmt(probs[k])}</td>'
            f'<td class="bar"><span class="fill c{k % CLASS_COLOURS}" '
            f'style="width:{probs[k] * 100:.1f}%"></span>{marks}</td>'
            f"{numbers}</tr>"
        )
    head = "" if compact else '<th scope="col">class thr.</th><th scope="col">OOD thr.</th>'
    return (
        f'<table class="detail-probs{" compact" if compact else ""}"><thead><tr><th scope="col">Class</th>'
        '<th scope="col">p</th><th scope="col"><span class="sr-only">bar</span>'
        '<span class="key cthr" aria-hidden="true"></span><span class="sr-only">class threshold, </span>'
        '<span class="key othr" aria-hidden="true"></span><span class="sr-only">OOD threshold</span></th>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def popover(state: ExplorerState, result: Categorization | None, i: int) -> str:
    """The explainer next to an image under the pointer or keyboard focus: its name, given and suggested label,
    category, probabilities against both thresholds and the one-sentence reason (``role="tooltip"``; it never
    takes focus and changes nothing)."""
    dataset = state.dataset
    classes = dataset.classes
    name = esc(item_name(dataset, i))
    given = esc(classes[state.labels[i]])
    if result is None or state.training is None:
        return f'<p class="pop-head"><strong>{name}</strong> · labelled {given}</p>'
    cat = category_of(result, i)
    sug = result.suggested[i]
    labels = f"labelled <strong>{given}</strong>"
    if sug is not None and sug != state.labels[i]:
        labels += f" → suggested <strong>{esc(classes[sug])}</strong>"
    head = (
        f'<p class="pop-head"><strong data-testid="pop-id">{name}</strong> '
        f'<span class="cat {cat}">{category_name(result, i)}</span></p><p class="pop-labels">{labels}</p>'
    )
    if state.training.probabilities[i] is None:
        return head + '<p class="why">Excluded from training: no probabilities.</p>'
    return (
        head
        + probability_rows(state, result, i, compact=True)
        + f'<p class="why">{esc(explanation(state, result, i))}</p>'
    )


def detail(state: ExplorerState, result: Categorization | None) -> str:
    """The Why? panel: first the selected (pinned) image and the actions, which always apply to it and name it
    (kept in view at the top of the panel); then the previewed (pointed at, focused) or else the selected image,
    with its probabilities against both thresholds and the reason for its category."""
    pinned = state.view.selected
    i = state.view.preview if state.view.preview is not None else pinned
    if i is None:
        return (
            '<p class="empty">Point at or focus an image to see why it is in its category; click it (or press '
            "Enter) to select it and fix it.</p>"
        )
    dataset = state.dataset
    classes = dataset.classes
    close = (
        '<button type="button" class="sheet-close" data-action="sheet-close" data-testid="sheet-close" '
        'aria-label="Close the details">×</button>'
    )
    if pinned is None:
        out = (
            f'<div class="pinbar"><p class="pinned muted">No image selected: click one (or press Enter on it) to '
            f"fix it.</p>{close}</div>"
        )
    else:
        out = (
            f'<div class="pinbar"><p class="pinned">Selected: <strong data-testid="detail-id">'
            f"{esc(item_name(dataset, pinned))}</strong></p>{close}{decision_controls(state, result, pinned)}</div>"
        )
    if i != pinned and pinned is not None:
        out += (
            f'<p class="previewing muted">Previewing <strong data-testid="preview-id">{esc(item_name(dataset, i))}'
            "</strong> (the buttons above apply to the selected image)</p>"
        )
    head = (
        f'<div class="detail-head">{_image(dataset, i, 96)}<div><h3>{esc(item_name(dataset, i))}</h3>'
        f"<p>Labelled <strong>{esc(classes[state.labels[i]])}</strong>"
    )
    if state.labels[i] != dataset.given[i]:
        head += f" (originally {esc(classes[dataset.given[i]])})"
    head += "</p>"
    if dataset.truth is not None:
        truth = "out of distribution" if dataset.truth[i] < 0 else classes[dataset.truth[i]]
        source = "known for the demo" if state.is_demo else "from your file"
        head += f'<p class="muted" data-testid="truth">Truth ({source}): {esc(truth)}</p>'
    if result is None or state.training is None:
        return out + head + "</div></div>"
    cat = category_of(result, i)
    head += f'<p><span class="cat {cat}" data-testid="detail-category">{category_name(result, i)}</span>'
    quality = state.training.quality[i]
    if quality is not None:
        head += f' <span class="muted" data-testid="detail-quality">label quality {fmt(quality)}</span>'
    head += "</p></div></div>"
    if state.training.probabilities[i] is None:
        return (
            out + head + '<p class="why" data-testid="explanation">You excluded this image as out of distribution, '
            "so it was left out of training and has no predicted probabilities.</p>"
        )
    why = f'<p class="why" data-testid="explanation">{esc(explanation(state, result, i))}</p>'
    stale = (
        (
            '<p class="muted">Results are of your file\'s labels: new pred_probs from a model trained on the fixed '
            "labels check your changes.</p>"
            if state.given_probabilities is not None
            else '<p class="muted">Results are from before your changes: train again to update them.</p>'
        )
        if state.stale
        else ""
    )
    return out + head + why + probability_rows(state, result, i) + stale


def decision_of(state: ExplorerState, i: int) -> str:
    """The user's decision on item i for display and export: accept, keep, exclude, relabel, or ''."""
    if i in state.work.decisions:
        return state.work.decisions[i]
    return "relabel" if state.labels[i] != state.dataset.given[i] else ""


def decision_controls(state: ExplorerState, result: Categorization | None, i: int) -> str:
    """Buttons to accept the suggestion, keep the label, exclude as OOD, or undo, each naming item i; and the
    current decision."""
    decision = decision_of(state, i)
    sug = None if result is None else result.suggested[i]
    classes = state.dataset.classes
    name = esc(item_name(state.dataset, i))
    buttons = []
    if sug is not None and sug != state.labels[i]:
        buttons.append(
            f'<button type="button" data-action="accept" data-i="{i}" data-testid="accept" aria-keyshortcuts="A">'
            f'<kbd aria-hidden="true">A</kbd> '
            f"Accept {esc(classes[sug])} for {name}</button>"
        )
    if decision != "keep":
        buttons.append(
            f'<button type="button" data-action="keep" data-i="{i}" data-testid="keep" aria-keyshortcuts="K">'
            f'<kbd aria-hidden="true">K</kbd> '
            f"Keep {esc(classes[state.dataset.given[i]])} for {name}</button>"
        )
    if decision != "exclude":
        buttons.append(
            f'<button type="button" data-action="exclude" data-i="{i}" data-testid="exclude" aria-keyshortcuts="X">'
            f'<kbd aria-hidden="true">X</kbd> '
            f"Exclude {name} (OOD)</button>"
        )
    if decision:
        buttons.append(
            f'<button type="button" data-action="undo" data-i="{i}" data-testid="undo" aria-keyshortcuts="U">'
            '<kbd aria-hidden="true">U</kbd> Undo</button>'
        )
    status = (
        f'<p class="decision" data-testid="decision">Your decision: {DECISION_NAMES[decision]}</p>' if decision else ""
    )
    return f'<div class="decide" role="group" aria-label="Fix {name}">{"".join(buttons)}</div>{status}'
