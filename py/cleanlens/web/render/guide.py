"""The guide and the tour: the first-visit guide dialog (readable before Python has started), the anchored
tour's steps (explained with the open dataset's own classes, counts and examples) and the card of a step.

Inputs: nothing for the guide; the state and the analysis result for the tour's steps; the steps and a step
number for its card.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cleanlens.confident import CATEGORIES

from .common import _disabled, esc, fmt, item_name

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cleanlens.confident import Categorization
    from cleanlens.web.state import ExplorerState

GUIDE_STEPS = (
    (
        "What you are looking at",
        "A small image dataset with a few wrong labels, and some images that belong to none of its classes. "
        "Cleanlens finds them with confident learning, entirely in your browser.",
    ),
    (
        "Out-of-sample probabilities",
        "An SVM is trained with 5-fold cross-validation, so every image gets predicted probabilities from a model "
        "that never saw it. Press Train after changing labels; New seed reshuffles the folds.",
    ),
    (
        "Thresholds",
        "For each class, the class threshold is a percentile of the model's confidence on images given that class. "
        "Images whose top class clears its threshold get a confident suggested label. Drag the sliders to move them.",
    ),
    (
        "Confident joint",
        "The matrix counts given label against suggested label. Off-diagonal cells are likely label errors. "
        "Choose a cell to see its images.",
    ),
    (
        "Explore and fix",
        "Hover, click or focus any image to see why it was flagged. Relabel images in the dataset panel and train "
        "again to see the known-error count fall.",
    ),
)


def guide_dialog() -> str:
    """The first-visit guide: the idea in five short parts, readable before Python has started.

    A plain dialog with no steps to click through: the page opens it at once on a first visit (``boot.js``),
    and its button (a ``method="dialog"`` form) or Escape closes it without any script.
    """
    parts = "".join(f"<li><h3>{esc(title)}</h3><p>{esc(body)}</p></li>" for title, body in GUIDE_STEPS)
    return (
        '<dialog id="guide" class="guide" data-testid="guide" aria-labelledby="guide-title">'
        '<h2 id="guide-title">How Cleanlens finds label errors</h2>'
        f'<ol class="guide-steps">{parts}</ol>'
        '<form method="dialog" class="guide-nav"><span class="muted tour-hint" id="tour-hint">The tour shows each part '
        "on the page once Python has started.</span>"
        '<button type="button" data-action="tour-start" data-testid="tour-start" disabled>Take the tour</button>'
        '<button type="submit" class="primary" data-testid="guide-close" autofocus>'
        "Start exploring</button></form></dialog>"
    )


def _example(state, result, category):
    """An item of the category with its name, labels and top probability, worst label quality first (or None)."""
    if result is None or state.training is None:
        return None
    code = CATEGORIES.index(category)
    for i in state.training.quality_order:
        if result.categories[i] == code:
            return i
    return None


def tour_steps(state: ExplorerState, result: Categorization | None) -> list[tuple[str, str, str]]:
    """The anchored tour: ``[(anchor, title, body html)]``; ``anchor`` is a CSS selector of a real region of the
    page. The categories are explained with the open dataset's own classes, counts and examples."""
    classes = state.dataset.classes
    names = ", ".join(classes[:-1]) + f" and {classes[-1]}" if len(classes) > 1 else classes[0]
    counts = result.counts if result is not None else {}
    n = len(state.labels)

    def count(cat):
        return f" ({counts[cat]} now)" if cat in counts else ""

    issue, ood, unsure = (_example(state, result, c) for c in ("label_issue", "ood", "unconfident"))
    probs = state.training.probabilities if state.training is not None else None

    def said(i, what):
        if i is None or probs is None or probs[i] is None:
            return ""
        top = max(range(len(classes)), key=lambda k: probs[i][k])
        return (
            f" For example {esc(item_name(state.dataset, i))}: labelled {esc(classes[state.training.labels[i]])}, "
            f"p({esc(classes[top])}) = {fmt(probs[i][top])} — {what}."
        )

    sug = result.suggested[issue] if issue is not None else None
    categories = (
        '<ul class="tour-cats">'
        f'<li><span class="lgtile" data-cat="label_issue" aria-hidden="true"><span class="mark"></span></span><span>'
        f"<strong>Label issue</strong>{count('label_issue')}: the model is confident the image is another class than "
        f"its label.{said(issue, f'suggested {esc(classes[sug])}' if sug is not None else 'another class')}</span></li>"
        f'<li><span class="lgtile" data-cat="ood" aria-hidden="true"><span class="mark"></span></span><span>'
        f"<strong>Out of distribution</strong>{count('ood')}: every probability is below its class's OOD threshold — "
        f"an unusual image, or none of {esc(names)}.{said(ood, 'below every OOD threshold')}</span></li>"
        f'<li><span class="lgtile" data-cat="unconfident" aria-hidden="true"><span class="mark"></span></span><span>'
        f"<strong>Unconfident</strong>{count('unconfident')}: not sure enough for a suggestion, not unusual enough "
        f"for OOD — often between two classes.{said(unsure, 'between the thresholds')}</span></li>"
        f'<li><span class="lgtile" data-cat="correct" aria-hidden="true"><span class="mark"></span></span><span>'
        f"<strong>Correct</strong>{count('correct')}: confident, and it agrees with the label.</span></li></ul>"
    )
    return [
        (
            '[data-tour="dataset"]',
            "The dataset",
            f"<p>{n:,} images of {esc(names)}, each with its own label control: change a label here. Some labels are "
            "wrong on purpose, and some images belong to none of the classes.</p>",
        ),
        (
            "#tile-legend",
            "What the marks mean",
            f"<p>Each image is in one of four categories, recomputed at every slider step. This legend stays above the "
            f"images.</p>{categories}",
        ),
        (
            '[data-testid="run"]',
            "Train",
            "<p>An RBF SVM is trained with cross-validation, so every image gets probabilities from a model that never "
            "saw it. Press Train after changing labels; New seed reshuffles the folds; Engine settings changes C, γ "
            "and the folds.</p>",
        ),
        (
            "#threshold-controls .class-slider",
            "Class threshold",
            "<p>For each class, the threshold is this percentile of the model's confidence on the images labelled with "
            "it (its self-confidence). An image whose probability for a class reaches that class's threshold gets a "
            "confident suggestion: correct if it is its label, a label issue if not. Higher = stricter.</p>",
        ),
        (
            "#threshold-controls .ood-slider",
            "OOD threshold",
            "<p>A lower percentile of the same values. An image below every class's OOD threshold is out of "
            "distribution; one between the two thresholds is unconfident. The histograms below show both thresholds "
            "over each class's self-confidences.</p>",
        ),
        (
            '[data-tour="center"]',
            "The confident joint",
            "<p>Rows are given labels, columns the confident suggestions. The diagonal agrees with the labels; "
            "off-diagonal cells are likely label errors. Choose a cell to list its images. The other tabs show a map, "
            "every probability, and a sweep of both sliders against the known errors.</p>",
        ),
        (
            '[data-tour="results"]',
            "The results",
            "<p>The four counts, the score against the demo's known errors, and the flagged images, worst first. "
            "Accept all takes every suggestion in one undoable step; Export writes your fixes with an audit.</p>",
        ),
        (
            '[data-tour="detail"]',
            "Why?",
            "<p>Point at or focus any image: a popover beside it shows its probabilities against both thresholds and "
            "one sentence on why it is where it is. Click it (or press Enter) to select it: this panel then keeps it, "
            "with buttons to accept the suggestion, keep the label or exclude it (keys A, K, X; U undoes), after "
            "which the next undecided issue of the list is selected.</p>",
        ),
        (
            '[data-testid="byo-open"]',
            "Your data",
            "<p>Bring two .npy files (cleanlab's labels and pred_probs), a CSV of probabilities or of features, or a "
            "JSON file — or drop them anywhere on the page. Nothing leaves your browser.</p>",
        ),
    ]


def tour_card(steps: Sequence[tuple[str, str, str]], n: int) -> str:
    """Step n of the tour: a non-modal dialog beside its anchor (the page positions it)."""
    anchor, title, body = steps[n]
    last = n == len(steps) - 1
    back = f'<button type="button" data-action="tour-back" data-testid="tour-back"{_disabled(n > 0)}>Back</button>'
    nxt = (
        f'<button type="button" class="primary" data-action="{"tour-end" if last else "tour-next"}" '
        f'data-testid="tour-next">{"Done" if last else "Next"}</button>'
    )
    return (
        f'<p class="tour-count muted" data-testid="tour-count">Step {n + 1} of {len(steps)} · ← → to move, '
        f'Esc to leave</p><h2 id="tour-title">{esc(title)}</h2><div class="tour-body">{body}</div>'
        f'<div class="tour-nav"><button type="button" class="linklike" data-action="tour-end" '
        f'data-testid="tour-skip">{"Close" if last else "Skip the tour"}</button>{back}{nxt}</div>'
    )
