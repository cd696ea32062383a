"""HTML rendering: pure functions from the explorer's state to HTML strings.

Nothing here touches the DOM, so the same functions run in the browser and
under CPython (tests, and ``build.py`` pre-rendering the page so it paints
before Python has started). Every string that comes from data (class names,
ids, file names) goes through :func:`esc`.

Conventions the glue relies on: an element with ``data-action`` is handled by
event delegation in :mod:`cleanlens.web.app`; ``data-i`` holds an item index,
``data-g``/``data-s`` a confident-joint cell; ``data-testid`` values are the
contract of docs/contracts.md.
"""

from __future__ import annotations

import math
from itertools import islice
from html import escape

from cleanlens import userdata
from cleanlens.confident import CATEGORIES
from cleanlens.web import BUILTIN_EMBEDDING_ROWS, SKLEARN_EMBEDDING_ROWS

CATEGORY_NAMES = {
    "correct": "Correct",
    "label_issue": "Label issue",
    "ood": "Out of distribution",
    "unconfident": "Unconfident",
}
EXCLUDED_NAME = "Excluded"
DECISION_NAMES = {"accept": "suggestion accepted", "keep": "label kept", "exclude": "excluded (OOD)",
                  "relabel": "relabelled by hand"}
CATEGORY_MARKS = {"correct": "✓", "label_issue": "!", "ood": "∅", "unconfident": "?"}
COUNT_TESTIDS = {
    "correct": "count-correct",
    "label_issue": "count-label-issues",
    "ood": "count-ood",
    "unconfident": "count-unconfident",
}
CLASS_COLOURS = 10  # class k uses CSS variable --c{k % 10}
COMPACT_JOINT = 12
"""Above this many classes the confident joint is drawn compact (see :func:`joint_matrix`)."""
HISTOGRAM_BINS = 30
MAX_HISTOGRAMS = 12
VIRTUAL_MIN = 600
"""Lists longer than this (dataset tiles, result images, table rows) draw only the rows in view and a few
around them, and the page redraws them as they scroll; shorter lists draw every item."""
FIRST_WINDOW = 120
"""Items a virtual list draws before the page knows its size (it then draws what is in view)."""


class Geometry:
    """Fixed sizes of a virtual list, in CSS pixels: the row pitch is ``row + gap``; ``column`` is the minimum
    column width of a grid (``repeat(auto-fill, minmax(column, 1fr))``), 0 for a one-column list."""

    def __init__(self, row, gap, column=0):
        self.row, self.gap, self.column = row, gap, column

    def style(self):
        return f"--row:{self.row}px;--gap:{self.gap}px" + (f";--col:{self.column}px" if self.column else "")

    def attrs(self, name, count):
        """The attributes the page's scroll handler reads."""
        return (f'data-virtual="{name}" data-count="{count}" data-row="{self.row + self.gap}" '
                f'data-col="{self.column + self.gap if self.column else 0}" data-gap="{self.gap}"')


TILE_GEOMETRY = Geometry(row=96, gap=6, column=72)
RESULT_GEOMETRY = Geometry(row=78, gap=6, column=64)
TABLE_GEOMETRY = Geometry(row=26, gap=0)


def window_of(count, window):
    """The ``(start, stop)`` item range to draw of a list of ``count`` items, given the page's ``window`` or None."""
    if count <= VIRTUAL_MIN:
        return 0, count
    start, stop = window or (0, FIRST_WINDOW)
    start = max(0, min(start, count))
    return start, max(start, min(stop, count))


def esc(text):
    """Escape text for HTML content and attribute values."""
    return escape(str(text), quote=True)


PRECISION = 3
"""Decimals of every probability, threshold, score and ratio the page shows (one rule for the whole page)."""


def fmt(value, digits=PRECISION):
    """A probability, threshold or score for display; +inf (no items) and None are shown as an em dash."""
    if value is None or (isinstance(value, float) and math.isinf(value)):
        return "—"
    return f"{value:.{digits}f}"


def compared(a, b):
    """``a`` and ``b`` as text that compares as the numbers do: :data:`PRECISION` decimals, or more (up to 12)
    when those would make a sentence such as "0.940 is below 0.940" untrue."""
    for digits in range(PRECISION, 13):
        x, y = float(f"{a:.{digits}f}"), float(f"{b:.{digits}f}")
        if (x < y) == (a < b) and (x == y) == (a == b):
            break
    return fmt(a, digits), fmt(b, digits)


def item_name(dataset, i):
    """How the page names item i: its id, or "#17" when the ids are row numbers (never mistaken for a class)."""
    return f"#{dataset.ids[i]}" if dataset.row_ids else dataset.ids[i]


def error_message(exc):
    """One readable line for an exception shown in the error panel."""
    return f"{type(exc).__name__}: {exc}"


def category_of(result, i):
    """Item i's category name (one of :data:`CATEGORY_NAMES`), or "none" before training."""
    if result is None:
        return "none"
    code = result.categories[i]
    return CATEGORIES[code] if code < len(CATEGORIES) else "excluded"


def category_name(result, i):
    cat = category_of(result, i)
    return EXCLUDED_NAME if cat == "excluded" else CATEGORY_NAMES.get(cat, "")


def _disabled(enabled):
    return "" if enabled else " disabled"


def _image(dataset, i, size, extra=""):
    """An <img> of item i with alt text (id, given label), or a text stand-in when it has none."""
    label = dataset.classes[dataset.given[i]]
    alt = f"{item_name(dataset, i)}, labelled {label}"
    src = dataset.images[i]
    if not src:
        return f'<span class="noimg" style="width:{size}px;height:{size}px" role="img" aria-label="{esc(alt)}">{esc(item_name(dataset, i))}</span>'
    return f'<img src="{esc(src)}" alt="{esc(alt)}" width="{size}" height="{size}" loading="lazy" decoding="async"{extra}>'


# --------------------------------------------------------------------------- top bar


def run_controls(state, enabled=True, busy=False):
    """Train / new-seed buttons, the engine read-out and the progress bar."""
    can = enabled and state.can_train and not busy
    verb = "Re-analyse" if state.given_probabilities is not None else "Train"
    info = state.training.info if state.training else None
    engine = engine_label(info, info.get("sklearn_importable", False)) if info else "not trained yet"
    stale = ' <span class="stale" data-testid="stale">Labels changed — results are out of date. Train again.</span>' if state.stale else ""
    return (
        f'<button type="button" class="primary" data-action="train" data-testid="run"{_disabled(can)}>'
        f'{"Training…" if busy else verb}</button>'
        f'<button type="button" data-action="reseed" data-testid="reseed"'
        f'{_disabled(enabled and not busy and state.training is not None and state.given_probabilities is None)}>'
        f"New seed</button>"
        f'<progress id="progress" data-testid="progress" max="1" value="0"{"" if busy else " hidden"} aria-label="Training progress"></progress>'
        f'<span class="engine" data-testid="engine">Engine: {engine}</span>{stale}'
    )


def tools(enabled=True):
    """The data, guide and theme buttons of the top bar."""
    d = _disabled(enabled)
    return (f'<button type="button" data-action="byo-open" data-testid="byo-open"{d}>Your data</button>'
            f'<button type="button" data-action="guide-open" data-testid="guide-open"{d}>Guide</button>'
            f'<button type="button" data-action="theme" data-testid="theme"{d}>Switch theme</button>')


def engine_label(info, sklearn_importable):
    """The engine read-out: name, version, hyperparameters, and why the built-in engine is used."""
    if info["engine"] == "file":
        return f'probabilities from your file {esc(info["source"])} (nothing to train)'
    where = ("computed when this site was built" if info.get("built") else f"trained here in {info['seconds']:.2f} s")
    text = (f"{esc(info['engine'])} {esc(info.get('engine_version', ''))} · RBF SVM C={info['C']:g}, "
            f"γ={info['gamma']:.3g} · {info['folds']}-fold CV · seed {info['seed']} · {where}")
    if info["engine"] == "builtin":
        why = ("scikit-learn imports but was not chosen" if sklearn_importable else
               "scikit-learn is not bundled with this site, so the standard-library SVM is used")
        text += f' <span class="note" data-testid="engine-note">({why})</span>'
    return text


def internal_error(exc):
    """A bug in an event handler: say so without losing the page (details are in the console)."""
    return ('<div class="warning" role="alert" data-testid="internal-error"><p>Something went wrong: '
            f"{esc(error_message(exc))}. Your labels and settings are kept; details are in the browser console.</p></div>")


def link_notes(notes):
    """What a shared link asked for that could not be restored."""
    if not notes:
        return ""
    return ('<div class="warning" data-testid="link-notes"><p>Parts of the link could not be restored: '
            f'{esc("; ".join(notes))}.</p></div>')


def determinism_problem(worst):
    """The results trained in the browser differ from those computed when the site was built (a bug)."""
    return ('<div class="warning" role="alert" data-testid="determinism"><p>The results trained here differ from the '
            f"ones computed when this site was built (by up to {worst:.3g} in a probability), although the inputs are "
            "the same. This is a bug in Cleanlens: the results shown are the ones trained here.</p></div>")


def training_problem(message):
    """Training could not run on the current labels: say why, keep the previous results."""
    return (f'<div class="warning" role="alert" data-testid="training-error"><p>Training did not run: {esc(message)}. '
            "The results shown are from the previous run.</p></div>")


# --------------------------------------------------------------------------- dataset panel


def dataset_toolbar(state, enabled=True):
    classes = state.dataset.classes
    class_opts = '<option value="">All classes</option>' + "".join(
        f'<option value="{k}"{" selected" if state.filter_class == k else ""}>{esc(name)}</option>'
        for k, name in enumerate(classes))
    cat_opts = '<option value="">All categories</option>' + "".join(
        f'<option value="{c}"{" selected" if state.filter_category == c else ""}>{name}</option>'
        for c, name in dict(CATEGORY_NAMES, excluded=EXCLUDED_NAME).items())
    sorts = {"quality": "Label quality, worst first", "dataset": "Dataset order",
             "quality-desc": "Label quality, best first", "given": "Given label"}
    sort_opts = "".join(f'<option value="{k}"{" selected" if state.sort == k else ""}>{v}</option>' for k, v in sorts.items())
    d = _disabled(enabled)
    return (
        f'<label>Class <select data-action="filter-class" data-testid="filter-class"{d}>{class_opts}</select></label>'
        f'<label>Category <select data-action="filter-category" data-testid="filter-category"{d}>{cat_opts}</select></label>'
        f'<label>Sort <select data-action="sort" data-testid="sort"{d}>{sort_opts}</select></label>'
    )


def known_errors_counter(state):
    if state.dataset.truth is None:
        return ""
    n = len(state.known_errors())
    return f'Known errors in the data: <strong data-testid="known-errors">{n}</strong>'


def tile(state, i, result, enabled=True):
    """One dataset tile: thumbnail (selects the item), its category mark, and its own label control."""
    dataset = state.dataset
    cat = category_of(result, i)
    name = item_name(dataset, i)
    options = "".join(
        f'<option value="{k}"{" selected" if state.labels[i] == k else ""}>{esc(c)}</option>'
        for k, c in enumerate(dataset.classes))
    sel = " selected" if state.selected == i else ""
    changed = " relabelled" if state.labels[i] != dataset.given[i] else ""
    changed += " excluded" if state.decisions.get(i) == "exclude" else ""
    return (
        f'<li class="tile{sel}{changed}" data-i="{i}" data-cat="{cat}">'
        f'<button type="button" class="pick" data-action="select" data-i="{i}" aria-label="Inspect {esc(name)}">'
        f'{_image(dataset, i, 64)}<span class="mark" aria-hidden="true"></span></button>'
        f'<select data-action="relabel" data-i="{i}" aria-label="Label of {esc(name)}"{_disabled(enabled)}>{options}</select>'
        f"</li>"
    )


def tiles(state, result, window=None, enabled=True):
    """The dataset tiles in view: all of them, or ``window`` (start, stop) of a long list (see :data:`VIRTUAL_MIN`)."""
    items = state.visible_items()
    start, stop = window_of(len(items), window)
    virtual = len(items) > VIRTUAL_MIN
    out = []
    for n in range(start, stop):
        html = tile(state, items[n], result, enabled)
        if virtual:  # screen readers hear "item n of N" although only some are drawn
            html = html.replace("<li ", f'<li aria-setsize="{len(items)}" aria-posinset="{n + 1}" ', 1)
        out.append(html)
    return "".join(out)


def tiles_list(state, result, enabled=True):
    """The dataset grid element (its items are :func:`tiles`)."""
    count = len(state.visible_items())
    return (f'<div class="tiles-scroll" id="tiles-scroll"><ul class="tiles" id="tiles" data-testid="tiles" '
            f'aria-label="Images and their labels" style="{TILE_GEOMETRY.style()}" {TILE_GEOMETRY.attrs("tiles", count)}>'
            f"{tiles(state, result, enabled=enabled)}</ul></div>")


def dataset_count(state):
    """How many images the dataset panel lists, e.g. "1,797 images" or "12 of 1,797 images"."""
    n, shown = len(state.labels), len(state.visible_items())
    return f"{n:,} images" if shown == n else f"{shown:,} of {n:,} images"


# --------------------------------------------------------------------------- thresholds


def class_slider_value(state):
    """The class slider's read-out: its percentile, or "mean" under the cleanlab rule (the slider is off then)."""
    return "mean" if state.rule == "cleanlab" else str(state.q_class)


def threshold_controls(state, enabled=True):
    """The two sliders and the cleanlab-rule toggle; under that rule the class slider is disabled (the class
    thresholds are the mean self-confidences) and reads "mean"."""
    d = _disabled(enabled)
    cleanlab = state.rule == "cleanlab"
    return (
        f'<div class="slider"><label for="class-percentile">Class threshold percentile</label>'
        f'<input type="range" id="class-percentile" data-action="class-percentile" data-testid="class-percentile" '
        f'min="0" max="100" step="1" value="{state.q_class}"{_disabled(enabled and not cleanlab)}>'
        f'<output for="class-percentile" data-testid="class-percentile-value">{class_slider_value(state)}</output></div>'
        f'<div class="slider"><label for="ood-percentile">OOD threshold percentile</label>'
        f'<input type="range" id="ood-percentile" data-action="ood-percentile" data-testid="ood-percentile" '
        f'min="0" max="100" step="1" value="{state.q_ood}"{d}>'
        f'<output for="ood-percentile" data-testid="ood-percentile-value">{state.q_ood}</output></div>'
        f'<label class="toggle"><input type="checkbox" data-action="rule" data-testid="rule-cleanlab"'
        f'{" checked" if cleanlab else ""}{d}> cleanlab rule (class threshold = mean self-confidence)</label>'
    )


def threshold_table(state, result):
    """Per-class class and OOD threshold values."""
    rows = []
    for k, name in enumerate(state.dataset.classes):
        c = result.class_thresholds[k] if result else None
        o = result.ood_thresholds[k] if result else None
        rows.append(f'<tr><th scope="row"><span class="swatch c{k % CLASS_COLOURS}"></span>{esc(name)}</th>'
                    f'<td data-testid="class-threshold-{k}">{fmt(c)}</td><td data-testid="ood-threshold-{k}">{fmt(o)}</td></tr>')
    return ('<table class="thresholds"><caption class="sr-only">Thresholds per class</caption><thead><tr>'
            '<th scope="col">Class</th><th scope="col">Class threshold</th><th scope="col">OOD threshold</th>'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def histograms(state, result):
    """Per-class histograms of self-confidence with both threshold lines (and the selected item).

    All classes share one x range, [lo, 1], where lo is the lowest self-confidence
    or finite threshold rounded down to a tenth: the values of a good model
    crowd near 1, and a fixed [0, 1] axis would hide them in a bin or two.
    Shows at most MAX_HISTOGRAMS classes.
    """
    if state.training is None:
        return '<p class="empty">Histograms appear after training.</p>'
    learner = state.training.learner
    labels = state.training.labels
    classes = state.dataset.classes
    lows = [v[0] for v in learner.sorted_self_confidences if v]
    lows += [t for t in result.ood_thresholds + result.class_thresholds if math.isfinite(t)]
    lo = max(0.0, math.floor(min(lows, default=0.0) * 10) / 10)
    span = (1.0 - lo) or 1.0
    w, h, pad = 200, 80, 14

    def x_of(value):
        return (value - lo) / span * w

    out = []
    for k, name in enumerate(classes[:MAX_HISTOGRAMS]):
        values = learner.sorted_self_confidences[k]
        bins = state.training.histogram(k, lo, HISTOGRAM_BINS)
        top = max(bins) or 1
        bw = w / HISTOGRAM_BINS
        bars = "".join(
            f'<rect x="{b * bw:.1f}" y="{h - c / top * h:.1f}" width="{bw - 1:.1f}" height="{c / top * h:.1f}"/>'
            for b, c in enumerate(bins) if c)
        lines = ""
        for cls, t in (("cthr", result.class_thresholds[k]), ("othr", result.ood_thresholds[k])):
            if math.isfinite(t):
                lines += f'<line class="{cls}" x1="{x_of(t):.1f}" x2="{x_of(t):.1f}" y1="0" y2="{h}"/>'
        marker = ""
        shown = state.preview if state.preview is not None else state.selected
        confidence = None if shown is None else state.training.self_confidence[shown]
        if confidence is not None and labels[shown] == k:
            marker = f'<path class="you" d="M{x_of(confidence):.1f} {h + 2}l-4 8h8z"/>'
        desc = (f"{len(values)} images labelled {name}; class threshold {fmt(result.class_thresholds[k])}, "
                f"OOD threshold {fmt(result.ood_thresholds[k])}")
        out.append(
            f'<figure class="hist"><figcaption><span class="swatch c{k % CLASS_COLOURS}"></span>{esc(name)}</figcaption>'
            f'<svg viewBox="0 -2 {w} {h + pad}" role="img" aria-label="{esc(desc)}">'
            f'<g class="bars c{k % CLASS_COLOURS}">{bars}</g>{lines}{marker}'
            f'<text x="0" y="{h + pad - 1}">{lo:g}</text><text x="{w}" y="{h + pad - 1}" text-anchor="end">1</text></svg></figure>'
        )
    more = (f'<p class="muted">Showing {MAX_HISTOGRAMS} of {len(classes)} classes.</p>'
            if len(classes) > MAX_HISTOGRAMS else "")
    legend = ('<p class="legend"><span class="key cthr"></span>class threshold <span class="key othr"></span>OOD threshold'
              '<span class="key you"></span>selected image (self-confidence)</p>')
    return "".join(out) + more + legend


# --------------------------------------------------------------------------- confident joint


def joint_thumbnails(state):
    """Thumbnails drawn per confident-joint cell: fewer as K grows (cells get narrow), none without images."""
    if not state.has_images:
        return 0
    k = len(state.dataset.classes)
    return 12 if k <= 3 else 6 if k <= 5 else 3 if k <= 8 else 0


def joint_matrix(state, result):
    """The K×K confident joint: counts (always), a heat colour scale, thumbnails where they fit.

    With more than :data:`COMPACT_JOINT` classes the table is compact (narrow cells, class names cut short
    with the full name in a tooltip and read out) and scrolls inside its panel, headers kept in view.
    """
    if result is None:
        return '<p class="empty">The confident joint appears after training.</p>'
    classes = state.dataset.classes
    k_count = len(classes)
    limit = joint_thumbnails(state)
    images = state.dataset.images
    biggest = max((n for row in result.joint for n in row), default=1) or 1
    head = "".join(f'<th scope="col" title="{esc(c)}"><span>{esc(c)}</span></th>' for c in classes)
    rows = []
    for g in range(k_count):
        cells = []
        for s in range(k_count):
            n = result.joint[g][s]  # the engine's count (the cleanlab rule clips the diagonal to >= 1)
            kind = "diag" if g == s else "off"
            heat = n / biggest
            sel = " chosen" if state.cell == (g, s) else ""
            thumbs = more = ""
            if limit:
                ids = result.joint_ids[g][s]
                thumbs = "".join(
                    f'<img src="{esc(images[i])}" alt="" width="24" height="24" loading="lazy" decoding="async" data-i="{i}">'
                    for i in islice(ids, limit) if images[i])
                if len(ids) > limit:
                    more = f'<span class="more">+{len(ids) - limit} more</span>'
            said = f" images given {esc(classes[g])}, suggested {esc(classes[s])}"  # read out, not shown
            cells.append(
                f'<td class="{kind}{sel}" style="--heat:{heat:.3f}">'
                f'<button type="button" data-action="cell" data-g="{g}" data-s="{s}" data-testid="joint-cell-{g}-{s}" '
                f'aria-pressed="{"true" if sel else "false"}"><span class="head"><span><span class="jcount">{n}</span>'
                f'<span class="sr-only">{said}</span></span>{more}</span>'
                + (f'<span class="thumbs">{thumbs}</span>' if limit else "") + "</button></td>")
        rows.append(f'<tr><th scope="row" title="{esc(classes[g])}"><span>{esc(classes[g])}</span></th>{"".join(cells)}</tr>')
    compact = " compact" if k_count > COMPACT_JOINT else ""
    return (
        f'<table class="joint{compact}"><caption>Confident joint: rows are given labels, columns suggested labels</caption>'
        f'<thead><tr><td class="corner">given ↓ suggested →</td>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


# --------------------------------------------------------------------------- scatter


def scatter(state, result):
    """The stored 2-D layout: points coloured by given label, flagged ones marked by category."""
    dataset = state.dataset
    if dataset.layout is None:
        return '<p class="empty">This dataset has no 2-D layout.</p>'
    xs = [p[0] for p in dataset.layout]
    ys = [p[1] for p in dataset.layout]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    size = 400

    def pos(v, lo, hi):
        return 10 + (v - lo) / ((hi - lo) or 1) * (size - 20)

    points = []
    for i in range(len(dataset)):
        cat = category_of(result, i)
        x, y = pos(xs[i], x0, x1), pos(ys[i], y0, y1)
        sel = " selected" if state.selected == i else ""
        points.append(f'<circle class="pt c{state.labels[i] % CLASS_COLOURS}{sel}" data-cat="{cat}" data-i="{i}" '
                      f'data-action="select" cx="{x:.1f}" cy="{y:.1f}" r="5"><title>{esc(item_name(dataset, i))}</title></circle>')
    legend = "".join(f'<span><span class="swatch c{k % CLASS_COLOURS}"></span>{esc(c)}</span>' for k, c in enumerate(dataset.classes))
    return (
        f'<svg class="scatter" viewBox="0 0 {size} {size}" role="img" aria-label="2-D map of the images; '
        f'use the dataset panel or the table to choose an image with the keyboard">{"".join(points)}</svg>'
        f'<p class="legend">{legend}<span><span class="ring label_issue"></span>label issue</span>'
        f'<span><span class="ring ood"></span>OOD</span><span><span class="ring unconfident"></span>unconfident</span></p>'
    )


# --------------------------------------------------------------------------- probabilities table

def prob_table(state, result, window=None):
    """Every trained item: id, given label, label quality, probabilities, suggested label, category; sortable
    by any column.

    A long table draws only the rows of ``window`` (see :data:`VIRTUAL_MIN`), with spacer rows for the rest.
    """
    if result is None:
        return '<p class="empty">The table appears after training.</p>'
    classes = state.dataset.classes
    column, ascending = state.table_sort
    count = len(state.training.active)

    def th(col, text):
        sort = ("ascending" if ascending else "descending") if col == column else "none"
        return (f'<th scope="col" aria-sort="{sort}"><button type="button" data-action="table-sort" data-col="{col}">'
                f"{text}</button></th>")

    head = th("id", "Image") + th("given", "Given") + th("quality", "Quality")
    head += "".join(th(f"p{k}", f"p({esc(c)})") for k, c in enumerate(classes))
    head += th("suggested", "Suggested") + th("category", "Category")
    return (f'<table class="probs" aria-rowcount="{count + 1}" style="{TABLE_GEOMETRY.style()}"><thead><tr aria-rowindex="1">'
            f'{head}</tr></thead><tbody {TABLE_GEOMETRY.attrs("table", count)}>{table_rows(state, result, window)}</tbody></table>')


def table_rows(state, result, window=None):
    """The probability table's rows in ``window`` (all rows of a short table), between spacer rows."""
    dataset = state.dataset
    classes = dataset.classes
    labels = state.training.labels
    probs = state.training.probabilities
    order = state.table_order()
    start, stop = window_of(len(order), window)
    pitch = TABLE_GEOMETRY.row + TABLE_GEOMETRY.gap
    width = len(classes) + 5
    quality = state.training.quality
    rows = []
    if start:
        rows.append(f'<tr class="spacer" aria-hidden="true" style="height:{start * pitch}px"><td colspan="{width}"></td></tr>')
    for n in range(start, stop):
        i = order[n]
        sug = result.suggested[i]
        sel = ' class="selected"' if state.selected == i else ""
        cells = "".join(f'<td class="num">{fmt(p)}</td>' for p in probs[i])
        rows.append(
            f'<tr{sel} data-i="{i}" aria-rowindex="{n + 2}"><td><button type="button" class="linklike" data-action="select" '
            f'data-i="{i}">{esc(item_name(dataset, i))}</button></td><td>{esc(classes[labels[i]])}</td>'
            f'<td class="num">{fmt(quality[i])}</td>{cells}'
            f'<td>{"—" if sug is None else esc(classes[sug])}</td>'
            f'<td><span class="cat {category_of(result, i)}">{category_name(result, i)}</span></td></tr>')
    if stop < len(order):
        rows.append(f'<tr class="spacer" aria-hidden="true" style="height:{(len(order) - stop) * pitch}px">'
                    f'<td colspan="{width}"></td></tr>')
    return "".join(rows)


# --------------------------------------------------------------------------- summary and results


def summary(state, result):
    """Category counts and the ground-truth score (an aria-live region in the page)."""
    counts = result.counts if result is not None else {}
    parts = "".join(
        f'<div class="count {c}"><span class="n" data-testid="{COUNT_TESTIDS[c]}">{counts[c] if result else "–"}</span>'
        f'<span class="what">{name}</span></div>' for c, name in CATEGORY_NAMES.items())
    if result is not None and result.counts.get("excluded"):
        parts += f'<p class="muted">{result.counts["excluded"]} excluded from training</p>'
    s = state.score() if result is not None else None
    line = ""
    if s is not None:
        line = (f'<p class="score" data-testid="score">Found <strong>{s.true_positives}</strong> of the {s.wrong} known '
                f"errors, precision {fmt(s.precision)} ({s.flagged} flagged), recall {fmt(s.recall)}, F1 {fmt(s.f1)}</p>")
    return f'<div class="counts">{parts}</div>{line}'


def export_controls(state):
    """Download buttons for the findings and fixes (enabled once there are results)."""
    d = _disabled(state.training is not None)
    return (f'<button type="button" data-action="export" data-kind="csv" data-testid="export-csv"{d}>Export CSV</button>'
            f'<button type="button" data-action="export" data-kind="audit" data-testid="export-audit"{d} '
            'title="How the CSV was made (thresholds, engine, data file): a JSON file to keep beside it">Audit</button>'
            f'<button type="button" data-action="export" data-kind="json" data-testid="export-json"{d}>Export JSON</button>')


def warnings_panel(state):
    notes = state.warnings()
    if not notes:
        return ""
    return '<div class="warning" role="alert" data-testid="warning">' + "".join(f"<p>{esc(n)}</p>" for n in notes) + "</div>"


DECISION_MARKS = {"accept": ("✓", "suggestion accepted"), "keep": ("=", "label kept"), "exclude": ("⊘", "excluded")}


def result_items(state, result, window=None):
    """The images of the current results tab in ``window`` (all of a short list), as ``<li>`` elements, worst
    label quality first; each marked with the user's decision on it, if any."""
    items, count = _result_list(state, result)
    start, stop = window_of(count, window)
    classes = state.dataset.classes
    labels = state.training.labels
    arrow = state.result_tab == "label_issue" or (state.result_tab == "cell" and state.cell[0] != state.cell[1])
    virtual = count > VIRTUAL_MIN
    out = []
    for n, i in enumerate(islice(items, start, stop), start):
        cap = esc(classes[labels[i]])
        if arrow and result.suggested[i] is not None:
            cap += f" → {esc(classes[result.suggested[i]])}"
        sel = " selected" if state.selected == i else ""
        decision = state.decisions.get(i)
        mark = ""
        if decision:
            symbol, said = DECISION_MARKS[decision]
            sel += f" decided {decision}"
            mark = f'<span class="done" aria-hidden="true">{symbol}</span>'
        pos = f' aria-setsize="{count}" aria-posinset="{n + 1}"' if virtual else ""
        label = f"Inspect {item_name(state.dataset, i)}" + (f" ({DECISION_MARKS[decision][1]})" if decision else "")
        out.append(f'<li class="res{sel}" data-i="{i}"{pos}><button type="button" class="pick" data-action="select" '
                   f'data-i="{i}" aria-label="{esc(label)}">{_image(state.dataset, i, 56)}{mark}</button>'
                   f'<span class="cap">{cap}</span></li>')
    return "".join(out)


def _result_list(state, result):
    """``(items, count)``: the current results tab's items, worst label quality first (an iterable, read only
    as far as needed), and how many there are."""
    order = state.training.quality_order
    if state.result_tab == "cell":
        g, s = state.cell
        labels, suggested = state.training.labels, result.suggested
        count = len(result.joint_ids[g][s])
        return (i for i in order if labels[i] == g and suggested[i] == s), count
    code = CATEGORIES.index(state.result_tab)
    categories = result.categories
    return (i for i in order if categories[i] == code), result.counts[state.result_tab]


def results_tabs(state, result):
    labels = {"label_issue": "Label issues", "ood": "Out of distribution", "unconfident": "Unconfident", "cell": "Joint cell"}
    counts = dict(result.counts) if result is not None else {}
    if state.cell is not None and result is not None:
        counts["cell"] = result.joint[state.cell[0]][state.cell[1]]
    return _tabs("results", labels, state.result_tab, counts)


def results_body(state, result, window=None):
    """The current results tab: its images (a virtual list when long), and "Accept all" for label issues."""
    if result is None:
        return '<p class="empty">Results appear after training.</p>'
    tab = state.result_tab
    if tab == "cell" and state.cell is None:
        return '<p class="empty">Choose a cell of the confident joint to see its images.</p>'
    _, count = _result_list(state, result)
    head = ""
    if tab == "cell":
        g, s = state.cell
        classes = state.dataset.classes
        head = (f'<p class="cellhead" data-testid="cell-title">Given {esc(classes[g])}, suggested {esc(classes[s])}: '
                f"{count:,} images</p>")
    elif tab == "label_issue" and count:
        head = accept_all_controls(state)
    body = '<p class="empty">None.</p>'
    if count:
        body = (f'<ul class="grid" style="{RESULT_GEOMETRY.style()}" {RESULT_GEOMETRY.attrs("results", count)}>'
                f"{result_items(state, result, window)}</ul>")
    return head + f'<div data-testid="{"cell" if tab == "cell" else tab}-items">{body}</div>'


def accept_all_controls(state):
    """"Accept all" for the label issues the user has not decided on, and what the last one did (undoable)."""
    pending = state.pending_issues()
    out = (f'<p><button type="button" data-action="accept-all" data-testid="accept-all"{_disabled(pending)}>'
           f"Accept all {pending:,} suggested label{'' if pending == 1 else 's'}</button>")
    decided = state.analysis().counts["label_issue"] - pending
    if decided:
        out += f' <span class="muted">({decided:,} you decided on are left as they are)</span>'
    out += "</p>"
    if state.bulk:
        n = len(state.bulk)
        out += (f'<p class="notice" role="status" data-testid="accept-all-done">Accepted {n:,} suggested '
                f"label{'' if n == 1 else 's'}. "
                '<button type="button" data-action="undo-all" data-testid="undo-all">Undo</button></p>')
    return out


def _tabs(group, labels, current, counts=None):
    buttons = []
    for key, text in labels.items():
        n = f" ({counts[key]})" if counts and key in counts else ""
        on = key == current
        buttons.append(f'<button type="button" role="tab" id="tab-{group}-{key}" data-action="tab-{group}" data-tab="{key}" '
                       f'aria-selected="{"true" if on else "false"}" aria-controls="panel-{group}" tabindex="{0 if on else -1}">'
                       f"{text}{n}</button>")
    return f'<div role="tablist" aria-label="{group}">{"".join(buttons)}</div>'


def center_tabs(state):
    return _tabs("center", {"joint": "Confident joint", "scatter": "Map", "table": "Probabilities", "sweep": "Threshold sweep"},
                 state.center_tab)


def center_body(state, result, window=None):
    if state.center_tab == "scatter":
        return scatter(state, result)
    if state.center_tab == "table":
        return prob_table(state, result, window)
    if state.center_tab == "sweep":
        return sweep_panel(state)
    return joint_matrix(state, result)


# --------------------------------------------------------------------------- threshold sweep

METRIC_NAMES = {"f1": "F1", "precision": "Precision", "recall": "Recall"}


def _metric(score, metric):
    return getattr(score, metric)


def sweep_panel(state):
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
    metric = state.sweep_metric
    radios = "".join(
        f'<label><input type="radio" name="sweep-metric" value="{m}" data-action="sweep-metric"'
        f'{" checked" if m == metric else ""}> {name}</label>' for m, name in METRIC_NAMES.items())
    best, best_at = -1.0, None
    for a, qc in enumerate(sw.class_percentiles):
        for b, qo in enumerate(sw.ood_percentiles):
            value = _metric(sw.scores[a][b], metric)
            if qo <= qc and value is not None and value > best:
                best, best_at = value, (qc, qo)
    step = sw.class_percentiles[1] - sw.class_percentiles[0] if len(sw.class_percentiles) > 1 else 1
    here = (round(state.q_class / step) * step, round(state.q_ood / step) * step)
    rows = []
    for a in reversed(range(len(sw.class_percentiles))):
        qc = sw.class_percentiles[a]
        cells = []
        for b, qo in enumerate(sw.ood_percentiles):
            value = _metric(sw.scores[a][b], metric)
            shown = 0.0 if value is None else value
            marks = (" here" if (qc, qo) == here else "") + (" best" if (qc, qo) == best_at else "")
            label = f"class {qc}, OOD {qo}: {METRIC_NAMES[metric]} {fmt(value)}" + (" (best)" if (qc, qo) == best_at else "")
            if qo > qc:
                cells.append('<td class="na" title="OOD above class: not reachable"></td>')
                continue
            cells.append(
                f'<td class="{marks.strip()}" style="--v:{shown:.3f}"><button type="button" data-action="sweep-cell" '
                f'data-qc="{qc}" data-qo="{qo}" data-testid="sweep-{qc}-{qo}" tabindex="{0 if (qc, qo) == here else -1}" '
                f'aria-label="{label}" title="{label}"></button></td>')
        rows.append(f'<tr><th scope="row">{qc}</th>{"".join(cells)}</tr>')
    head = "".join(f'<th scope="col">{qo if qo % 20 == 0 else ""}</th>' for qo in sw.ood_percentiles)
    best_text = (f"Best {METRIC_NAMES[metric]} {fmt(best)} at class {best_at[0]}, OOD {best_at[1]}"
                 if best_at else "No reachable cell has a score")
    return (
        f'<div class="sweep"><fieldset class="metric"><legend>Metric</legend>{radios}</fieldset>'
        f'<p class="muted" data-testid="sweep-best">{best_text} (ringed). Outlined: the sliders now. Choose a cell to move them there.</p>'
        f'<table class="heat" data-testid="sweep"><caption>{METRIC_NAMES[metric]} of the flagged images against the known '
        f'errors: rows class percentile, columns OOD percentile</caption><thead><tr><td class="corner">class ↓ OOD →</td>'
        f'{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        f"{cleanlab_curve(state, sw, metric)}</div>"
    )


def cleanlab_curve(state, sw, metric):
    """The cleanlab rule's metric as a function of the OOD percentile (its label issues do not depend on the class slider)."""
    w, h = 300, 90
    pts = []
    for qo, cell in zip(sw.ood_percentiles, sw.cleanlab):
        value = _metric(cell, metric)
        if value is not None:
            pts.append(f"{qo / 100 * w:.1f},{h - value * h:.1f}")
    x = state.q_ood / 100 * w
    desc = ", ".join(f"OOD {qo}: {fmt(_metric(s, metric))}" for qo, s in zip(sw.ood_percentiles, sw.cleanlab))
    return (
        f'<figure class="curve"><figcaption>cleanlab rule (class threshold = mean self-confidence): '
        f"{METRIC_NAMES[metric]} by OOD percentile</figcaption>"
        f'<svg viewBox="-24 -6 {w + 34} {h + 22}" role="img" aria-label="{esc(desc)}" data-testid="cleanlab-curve">'
        f'<line class="axis" x1="0" y1="{h}" x2="{w}" y2="{h}"/><line class="axis" x1="0" y1="0" x2="0" y2="{h}"/>'
        f'<polyline points="{" ".join(pts)}"/><line class="now" x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{h}"/>'
        f'<text x="-4" y="4" text-anchor="end">1</text><text x="-4" y="{h}" text-anchor="end">0</text>'
        f'<text x="0" y="{h + 14}">0</text><text x="{w}" y="{h + 14}" text-anchor="end">100</text></svg></figure>'
    )


# --------------------------------------------------------------------------- detail / explainer


def explanation(state, result, i):
    """One plain sentence saying why item i is in its category (the same >= rule as the matrix).

    Numbers compared in a sentence are shown with enough decimals to be true (:func:`compared`).
    """
    classes = state.dataset.classes
    labels = state.training.labels
    probs = state.training.probabilities[i]
    given = classes[labels[i]]
    cat = category_of(result, i)
    sug = result.suggested[i]
    top = max(range(len(probs)), key=lambda k: (probs[k], -k))
    rule = "mean self-confidence" if state.rule == "cleanlab" else "threshold"
    if cat in ("correct", "label_issue"):
        name = classes[sug]
        p, t = compared(probs[sug], result.class_thresholds[sug])
        if cat == "correct":
            return (f"The model is confident this is a {name}: {p} is at or above the {name} {rule} {t}, "
                    f"and it is labelled {name} — the label looks right.")
        return (f"The model is confident this is a {name}: {p} is at or above the {name} {rule} {t}, "
                f"but it is labelled {given} — likely a label error.")
    name = classes[top]
    p, t = compared(probs[top], result.class_thresholds[top])
    below = f"its highest probability, {p} for {name}, is below the {name} {rule} {t}"
    if cat == "ood":
        return (f"The model is not confident about any class: {below}, and every probability is below that class's "
                "out-of-distribution threshold: an unusual image, or one that belongs to none of these classes.")
    return (f"The model is unsure: {below}, but some probability is at or above its out-of-distribution threshold, "
            "so it is neither a confident suggestion nor out of distribution.")


def detail(state, result):
    """The Why? panel: the previewed (pointed at, focused) or else the selected image, with its probabilities
    against both thresholds and the reason for its category; and the actions, which always apply to the
    selected (pinned) image and name it."""
    pinned = state.selected
    i = state.preview if state.preview is not None else pinned
    if i is None:
        return ('<p class="empty">Point at or focus an image to see why it is in its category; click it (or press '
                "Enter) to select it and fix it.</p>")
    dataset = state.dataset
    classes = dataset.classes
    if pinned is None:
        out = '<p class="pinned muted">No image selected: click one (or press Enter on it) to fix it.</p>'
    else:
        out = f'<p class="pinned">Selected: <strong data-testid="detail-id">{esc(item_name(dataset, pinned))}</strong>'
        if i != pinned:
            out += f' · previewing <strong data-testid="preview-id">{esc(item_name(dataset, i))}</strong>'
        out += "</p>"
    head = (f'<div class="detail-head">{_image(dataset, i, 112)}<div><h3>{esc(item_name(dataset, i))}</h3>'
            f'<p>Labelled <strong>{esc(classes[state.labels[i]])}</strong>')
    if state.labels[i] != dataset.given[i]:
        head += f" (originally {esc(classes[dataset.given[i]])})"
    head += "</p>"
    if dataset.truth is not None:
        truth = "out of distribution" if dataset.truth[i] < 0 else classes[dataset.truth[i]]
        head += f'<p class="muted">Truth (known for the demo): {esc(truth)}</p>'
    actions = "" if pinned is None else decision_controls(state, result, pinned)
    if result is None or state.training is None:
        return out + head + "</div></div>" + actions
    cat = category_of(result, i)
    head += f'<p><span class="cat {cat}" data-testid="detail-category">{category_name(result, i)}</span>'
    quality = state.training.quality[i]
    if quality is not None:
        head += f' <span class="muted" data-testid="detail-quality">label quality {fmt(quality)}</span>'
    head += "</p></div></div>"
    probs = state.training.probabilities[i]
    if probs is None:
        return (out + head + '<p class="why" data-testid="explanation">You excluded this image as out of distribution, '
                "so it was left out of training and has no predicted probabilities.</p>" + actions)
    rows = []
    for k, name in enumerate(classes):
        c, o = result.class_thresholds[k], result.ood_thresholds[k]
        marks = ""
        if math.isfinite(o):
            marks += f'<span class="tick othr" style="left:{o * 100:.1f}%" title="OOD threshold {fmt(o)}"></span>'
        if math.isfinite(c):
            marks += f'<span class="tick cthr" style="left:{c * 100:.1f}%" title="class threshold {fmt(c)}"></span>'
        rows.append(f'<tr><th scope="row">{esc(name)}</th><td class="num">{fmt(probs[k])}</td>'
                    f'<td class="bar"><span class="fill c{k % CLASS_COLOURS}" style="width:{probs[k] * 100:.1f}%"></span>{marks}</td>'
                    f'<td class="num">{fmt(c)}</td><td class="num">{fmt(o)}</td></tr>')
    table = ('<table class="detail-probs"><thead><tr><th scope="col">Class</th><th scope="col">p</th><th scope="col">'
             '<span class="sr-only">bar</span></th><th scope="col">class thr.</th><th scope="col">OOD thr.</th></tr></thead>'
             f'<tbody>{"".join(rows)}</tbody></table>')
    why = f'<p class="why" data-testid="explanation">{esc(explanation(state, result, i))}</p>'
    stale = '<p class="muted">Results are from before your changes: train again to update them.</p>' if state.stale else ""
    return out + head + table + why + stale + actions


def decision_of(state, i):
    """The user's decision on item i for display and export: accept, keep, exclude, relabel, or ''."""
    if i in state.decisions:
        return state.decisions[i]
    return "relabel" if state.labels[i] != state.dataset.given[i] else ""


def decision_controls(state, result, i):
    """Buttons to accept the suggestion, keep the label, exclude as OOD, or undo, each naming item i; and the
    current decision."""
    decision = decision_of(state, i)
    sug = None if result is None else result.suggested[i]
    classes = state.dataset.classes
    name = esc(item_name(state.dataset, i))
    buttons = []
    if sug is not None and sug != state.labels[i]:
        buttons.append(f'<button type="button" data-action="accept" data-i="{i}" data-testid="accept">'
                       f"Accept {esc(classes[sug])} for {name}</button>")
    if decision != "keep":
        buttons.append(f'<button type="button" data-action="keep" data-i="{i}" data-testid="keep">'
                       f"Keep {esc(classes[state.dataset.given[i]])} for {name}</button>")
    if decision != "exclude":
        buttons.append(f'<button type="button" data-action="exclude" data-i="{i}" data-testid="exclude">Exclude {name} (OOD)</button>')
    if decision:
        buttons.append(f'<button type="button" data-action="undo" data-i="{i}" data-testid="undo">Undo</button>')
    status = (f'<p class="decision" data-testid="decision">Your decision: {DECISION_NAMES[decision]}</p>' if decision else "")
    return f'<div class="decide" role="group" aria-label="Fix {name}">{"".join(buttons)}</div>{status}'


# --------------------------------------------------------------------------- guide

GUIDE_STEPS = (
    ("What you are looking at",
     "A small image dataset with a few wrong labels, and some images that belong to none of its classes. "
     "Cleanlens finds them with confident learning, entirely in your browser."),
    ("Out-of-sample probabilities",
     "An SVM is trained with 5-fold cross-validation, so every image gets predicted probabilities from a model "
     "that never saw it. Press Train after changing labels; New seed reshuffles the folds."),
    ("Thresholds",
     "For each class, the class threshold is a percentile of the model's confidence on images given that class. "
     "Images whose top class clears its threshold get a confident suggested label. Drag the sliders to move them."),
    ("Confident joint",
     "The matrix counts given label against suggested label. Off-diagonal cells are likely label errors. "
     "Choose a cell to see its images."),
    ("Explore and fix",
     "Hover, click or focus any image to see why it was flagged. Relabel images in the dataset panel and train again "
     "to see the known-error count fall."),
)


def guide_dialog():
    """The first-visit guide: the idea in five short parts, readable before Python has started.

    A plain dialog with no steps to click through: the page opens it at once on a first visit (``boot.js``),
    and its button (a ``method="dialog"`` form) or Escape closes it without any script.
    """
    parts = "".join(f"<li><h3>{esc(title)}</h3><p>{esc(body)}</p></li>" for title, body in GUIDE_STEPS)
    return (
        '<dialog id="guide" class="guide" data-testid="guide" aria-labelledby="guide-title">'
        '<h2 id="guide-title">How Cleanlens finds label errors</h2>'
        f'<ol class="guide-steps">{parts}</ol>'
        '<form method="dialog" class="guide-nav"><button type="submit" class="primary" data-testid="guide-close" '
        "autofocus>Start exploring</button></form></dialog>"
    )


# --------------------------------------------------------------------------- your own data


def byo_dialog():
    """The 'Your data' dialog: file picker, mode, formats and limits, and where errors appear."""
    embedding_rows, sklearn_rows = BUILTIN_EMBEDDING_ROWS, SKLEARN_EMBEDDING_ROWS
    max_rows, max_classes = userdata.MAX_PROBABILITY_ROWS, userdata.MAX_CLASSES
    max_megabytes = userdata.MAX_FILE_BYTES // (1024 * 1024)
    modes = (("auto", "Detect from the file"), ("probabilities", "Predicted probabilities (no training)"),
             ("embeddings", "Features / embeddings (train here)"))
    radios = "".join(f'<label><input type="radio" name="byo-mode" value="{m}" data-testid="byo-mode-{m}"'
                     f'{" checked" if m == "auto" else ""}> {text}</label>' for m, text in modes)
    return (
        '<dialog id="byo" data-testid="byo" aria-labelledby="byo-title">'
        '<h2 id="byo-title">Use your own data</h2>'
        '<p><strong>Your files stay on this computer:</strong> Python reads them inside this browser tab; nothing is uploaded.</p>'
        '<p><label for="byo-files">Choose files</label> '
        '<input type="file" id="byo-files" data-action="byo-files" data-testid="byo-files" multiple accept=".csv,.npy,.json"> '
        "or drop them anywhere on the page.</p>"
        f'<fieldset class="modes"><legend>The file holds</legend>{radios}</fieldset>'
        '<p><label for="byo-classes">Class names for .npy files (optional: comma-separated, in class order)</label> '
        '<input type="text" id="byo-classes" data-testid="byo-classes" autocomplete="off" '
        'placeholder="e.g. cat, dog, bird" size="32"></p>'
        '<details><summary>Formats and limits</summary><ul>'
        "<li><strong>Two .npy files</strong> (cleanlab's <code>labels</code> (N,) and <code>pred_probs</code> (N, K)), or a "
        "<strong>CSV</strong> with a <code>label</code> column and one probability column per class (named by class): "
        f"used as they are, up to {max_rows:,} rows.</li>"
        "<li>A <strong>CSV</strong> with a <code>label</code> column and numeric feature columns, or a <strong>JSON</strong> "
        f"file in the demo's format: trained here, up to {embedding_rows:,} rows with the built-in engine "
        f"({sklearn_rows:,} when scikit-learn is available).</li>"
        "<li>Optional CSV columns: <code>id</code>, <code>truth</code> (true class or OOD: enables the score and the sweep), "
        "<code>image</code> (a data:image URI or a path on this site).</li>"
        f"<li>At most {max_classes} classes and {max_megabytes} MB per file.</li></ul></details>"
        '<div id="byo-recent" data-testid="byo-recent"></div>'
        '<progress id="byo-progress" max="1" value="0" hidden aria-label="Reading the file"></progress>'
        '<div id="byo-message" data-testid="byo-message" role="alert"></div>'
        '<div class="guide-nav"><button type="button" class="primary" data-action="byo-load" data-testid="byo-load">Load</button>'
        '<button type="button" data-action="byo-demo" data-testid="byo-demo">Back to the demo</button>'
        '<button type="button" data-action="byo-close" data-testid="byo-close">Close</button></div></dialog>'
    )


def session_notices(problem=None, restored=None, restore_notes=(), conflict=None, confirming=None):
    """What the page says about keeping the user's work.

    ``problem``: why the browser's storage cannot be used (the session will not be kept);
    ``restored``: when the restored session was saved (local time, text), with ``restore_notes`` on parts that
    could not be restored; ``conflict``: when another tab saved this dataset (it then chooses which to keep);
    ``confirming``: the number of changes "Start over" would discard, while it asks to confirm.
    """
    out = []
    if problem:
        out.append('<div class="notice" role="status" data-testid="storage-problem"><p>This session will not be kept '
                   f"after you leave the page: the browser's storage is not available ({esc(problem)}). "
                   '<button type="button" data-action="notice-ok" data-testid="storage-ok">OK</button></p></div>')
    if conflict:
        out.append(
            '<div class="warning" role="alert" data-testid="session-conflict"><p>This dataset was also changed in another '
            f"tab (saved {esc(conflict)}). This tab has stopped saving so that neither overwrites the other.</p><p>"
            '<button type="button" data-action="session-theirs" data-testid="session-theirs">Load the other tab\'s work</button> '
            '<button type="button" data-action="session-mine" data-testid="session-mine">Keep this tab\'s work</button></p></div>')
    if restored and confirming is not None:
        out.append(
            '<div class="warning" role="alert" data-testid="start-over-confirm"><p>Start over on this dataset? This discards '
            f"{confirming:,} label change{'' if confirming == 1 else 's'} and decision{'' if confirming == 1 else 's'}, "
            "and the results trained on them.</p><p>"
            '<button type="button" data-action="start-over-yes" data-testid="start-over-yes">Discard and start over</button> '
            '<button type="button" data-action="start-over-no" data-testid="start-over-no">Cancel</button></p></div>')
    elif restored:
        notes = f' Not restored: {esc("; ".join(restore_notes))}.' if restore_notes else ""
        out.append(
            f'<div class="notice" role="status" data-testid="session-restored"><p>Restored your session from {esc(restored)}.'
            f'{notes} <button type="button" data-action="start-over" data-testid="start-over">Start over</button> '
            '<button type="button" data-action="notice-ok" data-testid="notice-ok">OK</button></p></div>')
    return "".join(out)


def recent_datasets(entries, current):
    """The "Recent datasets" list of the Your data dialog: each saved session, to reopen or delete."""
    if not entries:
        return ""
    rows = []
    for entry in entries:
        key = entry["key"]
        what = f'{entry["items"]:,} items' if isinstance(entry.get("items"), int) else ""
        changes = entry.get("changes") or 0
        what += f", {changes:,} change{'' if changes == 1 else 's'}" if changes else ""
        if key == current:
            action = '<span class="muted">open now</span>'
        else:
            action = (f'<button type="button" data-action="session-open" data-key="{esc(key)}">Open</button> '
                      f'<button type="button" data-action="session-delete" data-key="{esc(key)}" '
                      f'aria-label="Delete the saved session of {esc(entry["name"])}">Delete</button>')
        rows.append(f'<li data-key="{esc(key)}"><span class="name">{esc(entry["name"])}</span> '
                    f'<span class="muted">{esc(what)} · saved {esc(entry["saved"])}</span> {action}</li>')
    return ('<h3>Recent datasets</h3><p class="muted">Kept in this browser only, with your changes.</p>'
            f'<ul class="recent" data-testid="recent">{"".join(rows)}</ul>')


def byo_error(message, renormalizable):
    """A file could not be used: the message, and the offer to renormalise when that is the only problem."""
    offer = ('<p><button type="button" data-action="byo-renormalize" data-testid="byo-renormalize">'
             "Renormalise the rows and load</button></p>" if renormalizable else "")
    return (f'<div class="warning"><p data-testid="byo-error">{esc(message)}</p>'
            f"<p>Nothing was changed: the data you had is still loaded.</p>{offer}</div>")


def data_notes(notes):
    """Things worth knowing about the loaded file (not errors)."""
    if not notes:
        return ""
    return '<div class="warning" data-testid="data-notes">' + "".join(f"<p>{esc(n)}</p>" for n in notes) + "</div>"


# --------------------------------------------------------------------------- the whole app


def app(state, enabled=True):
    """The explorer's main markup; the glue later re-renders its regions by id."""
    result = state.analysis()
    return (
        f'<div id="warnings">{warnings_panel(state)}</div>'
        '<section class="panel dataset" aria-labelledby="h-dataset">'
        f'<div class="panel-head"><h2 id="h-dataset">Dataset <span id="dataset-count" class="muted">{dataset_count(state)}'
        f'</span></h2><span id="known-errors">{known_errors_counter(state)}</span></div>'
        f'<div class="toolbar" id="dataset-toolbar">{dataset_toolbar(state, enabled)}</div>'
        f"{tiles_list(state, result, enabled)}"
        "</section>"
        '<section class="panel thresholds-panel" aria-labelledby="h-thr">'
        '<h2 id="h-thr">Thresholds</h2>'
        f'<div id="threshold-controls" class="sliders">{threshold_controls(state, enabled)}</div>'
        f'<div id="threshold-table">{threshold_table(state, result)}</div>'
        f'<div id="histograms" class="hists">{histograms(state, result)}</div>'
        "</section>"
        '<section class="panel center" aria-label="Confident joint, map and probabilities">'
        f'<div id="center-tabs">{center_tabs(state)}</div>'
        f'<div id="panel-center" class="tabpanel" role="tabpanel" tabindex="0" aria-labelledby="tab-center-{state.center_tab}">{center_body(state, result)}</div>'
        "</section>"
        '<section class="panel results" aria-labelledby="h-results">'
        f'<div class="panel-head"><h2 id="h-results">Results</h2><span id="export" class="export">{export_controls(state)}</span></div>'
        f'<div id="summary" aria-live="polite" aria-atomic="true">{summary(state, result)}</div>'
        f'<div id="results-tabs">{results_tabs(state, result)}</div>'
        f'<div id="panel-results" class="tabpanel" role="tabpanel" tabindex="0" aria-labelledby="tab-results-{state.result_tab}">{results_body(state, result)}</div>'
        "</section>"
        '<section class="panel detail" aria-labelledby="h-detail" tabindex="0"><h2 id="h-detail">Why?</h2>'
        f'<div id="detail" data-testid="detail">{detail(state, result)}</div></section>'
    )
