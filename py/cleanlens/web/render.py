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
from html import escape
from itertools import islice

from cleanlens import userdata
from cleanlens.confident import CATEGORIES
from cleanlens.web import BUILTIN_EMBEDDING_ROWS, SKLEARN_EMBEDDING_ROWS
from cleanlens.web.state import ENGINE_DEFAULTS, ENGINE_LIMITS

CATEGORY_NAMES = {
    "correct": "Correct",
    "label_issue": "Label issue",
    "ood": "Out of distribution",
    "unconfident": "Unconfident",
}
EXCLUDED_NAME = "Excluded"
DECISION_NAMES = {
    "accept": "suggestion accepted",
    "keep": "label kept",
    "exclude": "excluded (OOD)",
    "relabel": "relabelled by hand",
}
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
        return (
            f'data-virtual="{name}" data-count="{count}" data-row="{self.row + self.gap}" '
            f'data-col="{self.column + self.gap if self.column else 0}" data-gap="{self.gap}"'
        )


TILE_GEOMETRY = Geometry(row=96, gap=6, column=72)
RESULT_GEOMETRY = Geometry(row=90, gap=6, column=64)
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


_SPRITES = {}
"""Image path -> ``background-position`` of its cell in the sprite sheet (see :func:`use_sprites`)."""


def use_sprites(manifest):
    """Draw the images the sprite sheet holds from it (``build.py``'s :func:`sprite_sheet` manifest; None: none).

    The stylesheet draws the sheet (:func:`sprite_style`), so an image costs no request
    of its own and is never blank when it scrolls into view.
    """
    _SPRITES.clear()
    if not manifest:
        return
    columns, rows = manifest["columns"], manifest["rows"]
    for path, n in manifest["images"].items():
        x = n % columns * 100 / (columns - 1) if columns > 1 else 0
        y = n // columns * 100 / (rows - 1) if rows > 1 else 0
        _SPRITES[path] = f"{x:.4g}% {y:.4g}%"


def sprite_style(manifest):
    """The sheet's size in cells as a CSS variable, for the page's root element ('' without a sheet). The
    stylesheet names the sheet itself (``static/demo/sheet.png``, beside it)."""
    if not manifest:
        return ""
    return f"--sheet-size:{manifest['columns'] * 100}% {manifest['rows'] * 100}%"


def _image(dataset, i, size, extra=""):
    """Item i's image with alt text (id, given label): its cell of the sprite sheet, an <img>, or a text stand-in
    when it has none."""
    label = dataset.classes[dataset.given[i]]
    alt = f"{item_name(dataset, i)}, labelled {label}"
    src = dataset.images[i]
    if not src:
        return (
            f'<span class="noimg" style="width:{size}px;height:{size}px" role="img" '
            f'aria-label="{esc(alt)}">{esc(item_name(dataset, i))}</span>'
        )
    cell = _SPRITES.get(src)
    if cell is not None:
        return (
            f'<span class="spr" role="img" aria-label="{esc(alt)}" style="width:{size}px;height:{size}px;'
            f'background-position:{cell}"{extra}></span>'
        )
    return (
        f'<img src="{esc(src)}" alt="{esc(alt)}" width="{size}" height="{size}" loading="lazy" decoding="async"{extra}>'
    )


def _thumb(dataset, i, size):
    """A decorative thumbnail of item i (its name is said elsewhere), with ``data-i``; '' without an image."""
    src = dataset.images[i]
    if not src:
        return ""
    cell = _SPRITES.get(src)
    if cell is not None:
        return (
            f'<span class="spr" aria-hidden="true" data-i="{i}" style="width:{size}px;height:{size}px;'
            f'background-position:{cell}"></span>'
        )
    return f'<img src="{esc(src)}" alt="" width="{size}" height="{size}" loading="lazy" decoding="async" data-i="{i}">'


# --------------------------------------------------------------------------- top bar


def run_controls(state, enabled=True, busy=False):
    """Train / new-seed buttons, the engine read-out and the progress bar.

    One line whatever happens: the read-out is cut short with its whole text on hover and in the engine
    settings, and "results out of date" replaces nothing (it takes the read-out's room), so the page below
    never moves.
    """
    can = enabled and state.can_train and not busy
    verb = "Re-analyse" if state.given_probabilities is not None else "Train"
    info = state.training.info if state.training else None
    engine = engine_label(info, info.get("sklearn_importable", False)) if info else "not trained yet"
    plain = " ".join(engine.replace("<", " <").split())
    stale = ""
    if state.stale:
        stale = (
            '<span class="stale" data-testid="stale" title="Labels changed — results are out of date. Train again.">'
            "Labels changed — results are out of date. Train again.</span>"
        )
    elif state.engine_changed:
        stale = '<span class="stale" data-testid="engine-changed">Engine settings changed — train to use them.</span>'
    return (
        f'<button type="button" class="primary" data-action="train" data-testid="run"{_disabled(can)}>'
        f"{'Training…' if busy else verb}</button>"
        f'<button type="button" data-action="reseed" data-testid="reseed"'
        f"{_disabled(enabled and not busy and state.training is not None and state.given_probabilities is None)}>"
        f"New seed</button>"
        f'<progress id="progress" data-testid="progress" max="1" value="0"{"" if busy else " hidden"} '
        'aria-label="Training progress"></progress>'
        f'{stale}<span class="engine" data-testid="engine" title="{esc(_strip_tags(plain))}">Engine: {engine}</span>'
    )


def _strip_tags(html):
    """The text of a little markup of ours (tags dropped; entities stay escaped for an attribute)."""
    out, inside = [], False
    for ch in html:
        if ch == "<":
            inside = True
        elif ch == ">":
            inside = False
        elif not inside:
            out.append(ch)
    return " ".join("".join(out).split())


def engine_settings(state, enabled=True):
    """The engine settings (C and gamma of the RBF SVM, cross-validation folds) with their defaults marked,
    inside a disclosure of the top bar; the next Train uses them, the URL and the export's audit record them."""
    d = _disabled(enabled and state.given_probabilities is None)
    fields = []
    for name, key, label, step in (
        ("svm_C", "C", "C (regularisation)", "any"),
        ("svm_gamma", "gamma", "γ (RBF kernel width)", "any"),
        ("n_folds", "folds", "Folds", "1"),
    ):
        lo, hi = ENGINE_LIMITS[name]
        value, default = getattr(state, name), ENGINE_DEFAULTS[name]
        fields.append(
            f'<label for="engine-{key}">{label}</label>'
            f'<input type="number" id="engine-{key}" data-action="engine-setting" data-name="{name}" '
            f'data-testid="engine-{key}" min="{lo:g}" max="{hi:g}" step="{step}" value="{value:g}" required{d}>'
            f'<span class="muted">default {default:g}{" ✓" if value == default else ""}</span>'
        )
    if state.given_probabilities is not None:
        note = "Your probabilities come from your file: nothing is trained, so these settings are not used."
    else:
        note = "Train uses these; the link and the export's audit record them."
    return (
        '<details class="settings" id="settings-box"><summary data-testid="engine-settings">Engine settings</summary>'
        '<div class="settings-body"><p class="muted">RBF SVM with per-class sigmoid calibration, out-of-sample '
        f'probabilities by stratified cross-validation.</p><div class="settings-grid">{"".join(fields)}</div>'
        '<p class="settings-actions"><button type="button" data-action="engine-defaults" '
        f'data-testid="engine-defaults"{d}>'
        f'Defaults</button> <span id="engine-message" class="muted" role="status">{note}</span></p></div></details>'
    )


def tools(enabled=True):
    """The data, guide and theme buttons of the top bar."""
    d = _disabled(enabled)
    return (
        f'<button type="button" data-action="byo-open" data-testid="byo-open"{d}>Your data</button>'
        f'<button type="button" data-action="guide-open" data-testid="guide-open"{d}>Guide</button>'
        f'<button type="button" data-action="theme" data-testid="theme"{d}>Switch theme</button>'
    )


def engine_label(info, sklearn_importable):
    """The engine read-out: name, version, hyperparameters, and why the built-in engine is used."""
    if info["engine"] == "file":
        return f"probabilities from your file {esc(info['source'])} (nothing to train)"
    where = "computed when this site was built" if info.get("built") else f"trained here in {info['seconds']:.2f} s"
    text = (
        f"{esc(info['engine'])} {esc(info.get('engine_version', ''))} · RBF SVM C={info['C']:g}, "
        f"γ={info['gamma']:.3g} · {info['folds']}-fold CV · seed {info['seed']} · {where}"
    )
    if info["engine"] == "builtin":
        why = (
            "scikit-learn imports but was not chosen"
            if sklearn_importable
            else "scikit-learn is not bundled with this site, so the standard-library SVM is used"
        )
        text += f' <span class="note" data-testid="engine-note">({why})</span>'
    return text


def internal_error(exc):
    """A bug in an event handler: say so without losing the page (details are in the console)."""
    return (
        '<div class="warning" role="alert" data-testid="internal-error"><p>Something went wrong: '
        f"{esc(error_message(exc))}. Your labels and settings are kept; details are in the browser console.</p></div>"
    )


def link_notes(notes):
    """What a shared link asked for that could not be restored."""
    if not notes:
        return ""
    return (
        '<div class="warning" data-testid="link-notes"><p>Parts of the link could not be restored: '
        f"{esc('; '.join(notes))}.</p></div>"
    )


def determinism_problem(worst):
    """The results trained in the browser differ from those computed when the site was built (a bug)."""
    return (
        '<div class="warning" role="alert" data-testid="determinism"><p>The results trained here differ from the '
        f"ones computed when this site was built (by up to {worst:.3g} in a probability), although the inputs are "
        "the same. This is a bug in Cleanlens: the results shown are the ones trained here.</p></div>"
    )


def training_problem(message):
    """Training could not run on the current labels: say why, keep the previous results."""
    return (
        f'<div class="warning" role="alert" data-testid="training-error"><p>Training did not run: {esc(message)}. '
        "The results shown are from the previous run.</p></div>"
    )


# --------------------------------------------------------------------------- dataset panel


def dataset_toolbar(state, enabled=True):
    classes = state.dataset.classes
    class_opts = '<option value="">All classes</option>' + "".join(
        f'<option value="{k}"{" selected" if state.filter_class == k else ""}>{esc(name)}</option>'
        for k, name in enumerate(classes)
    )
    cat_opts = '<option value="">All categories</option>' + "".join(
        f'<option value="{c}"{" selected" if state.filter_category == c else ""}>{name}</option>'
        for c, name in dict(CATEGORY_NAMES, excluded=EXCLUDED_NAME).items()
    )
    sorts = {
        "quality": "Worst label first",
        "dataset": "Dataset order",
        "quality-desc": "Best label first",
        "given": "Given label",
    }
    sort_opts = "".join(
        f'<option value="{k}"{" selected" if state.sort == k else ""}>{v}</option>' for k, v in sorts.items()
    )
    d = _disabled(enabled)
    return (
        f'<label>Class <select data-action="filter-class" data-testid="filter-class"{d}>{class_opts}</select></label>'
        f'<label>Category <select data-action="filter-category" data-testid="filter-category"{d}>{cat_opts}'
        "</select></label>"
        f'<label>Sort <select data-action="sort" data-testid="sort"{d}>{sort_opts}</select></label>'
    )


def known_errors_counter(state):
    if state.dataset.truth is None:
        return ""
    n = len(state.known_errors())
    return (
        f'<span title="Images whose current label differs from the demo\'s ground truth">Known errors: '
        f'<strong data-testid="known-errors">{n}</strong></span>'
    )


def tile(state, i, result, enabled=True):
    """One dataset tile: thumbnail (selects the item), its category mark, and its own label control."""
    dataset = state.dataset
    cat = category_of(result, i)
    name = item_name(dataset, i)
    options = "".join(
        f'<option value="{k}"{" selected" if state.labels[i] == k else ""}>{esc(c)}</option>'
        for k, c in enumerate(dataset.classes)
    )
    sel = " selected" if state.selected == i else ""
    changed = " relabelled" if state.labels[i] != dataset.given[i] else ""
    changed += " excluded" if state.decisions.get(i) == "exclude" else ""
    return (
        f'<li class="tile{sel}{changed}" data-i="{i}" data-cat="{cat}">'
        f'<button type="button" class="pick" data-action="select" data-i="{i}" aria-label="Inspect {esc(name)}">'
        f'{_image(dataset, i, 64)}<span class="mark" aria-hidden="true"></span></button>'
        f'<select data-action="relabel" data-i="{i}" aria-label="Label of {esc(name)}" '
        f'title="{esc(dataset.classes[state.labels[i]])}"{_disabled(enabled)}>{options}</select>'
        f"</li>"
    )


def tile_legend():
    """What the tile marks mean; stays in view above the dataset's images."""
    keys = (
        ("label_issue", "label issue"),
        ("ood", "out of distribution"),
        ("unconfident", "unconfident"),
        ("correct", "correct"),
    )
    marks = "".join(
        f'<span class="lg"><span class="lgtile" data-cat="{cat}" aria-hidden="true"><span class="mark">'
        f"</span></span>{text}</span>"
        for cat, text in keys
    )
    return (
        f'<p class="tile-legend" id="tile-legend" data-testid="tile-legend"><span class="sr-only">Tile marks: '
        "red border and ! = label issue, purple border and ∅ = out of distribution, dashed border = unconfident, "
        f"plain = correct.</span>{marks}</p>"
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
    return (
        f'<div class="tiles-scroll" id="tiles-scroll"><ul class="tiles" id="tiles" data-testid="tiles" '
        f'aria-label="Images and their labels" style="{TILE_GEOMETRY.style()}" {TILE_GEOMETRY.attrs("tiles", count)}>'
        f"{tiles(state, result, enabled=enabled)}</ul></div>"
    )


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
        f'<output for="class-percentile" data-testid="class-percentile-value">{class_slider_value(state)}</output>'
        "</div>"
        f'<div class="slider"><label for="ood-percentile">OOD threshold percentile</label>'
        f'<input type="range" id="ood-percentile" data-action="ood-percentile" data-testid="ood-percentile" '
        f'min="0" max="100" step="1" value="{state.q_ood}"{d}>'
        f'<output for="ood-percentile" data-testid="ood-percentile-value">{state.q_ood}</output></div>'
        f'<label class="toggle"><input type="checkbox" data-action="rule" data-testid="rule-cleanlab"'
        f"{' checked' if cleanlab else ''}{d}> cleanlab rule (class threshold = mean self-confidence)</label>"
    )


def threshold_table(state, result):
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


def histogram_range(state, result):
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


def histograms(state, result):
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
    shown = state.preview if state.preview is not None else state.selected

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
                thumbs = "".join(_thumb(state.dataset, i, 24) for i in islice(ids, limit) if images[i])
                if len(ids) > limit:
                    more = f'<span class="more">+{len(ids) - limit} more</span>'
            said = f" images given {esc(classes[g])}, suggested {esc(classes[s])}"  # read out, not shown
            cells.append(
                f'<td class="{kind}{sel}" style="--heat:{heat:.3f}">'
                f'<button type="button" data-action="cell" data-g="{g}" data-s="{s}" data-testid="joint-cell-{g}-{s}" '
                f'aria-pressed="{"true" if sel else "false"}"><span class="head"><span><span class="jcount">{n}</span>'
                f'<span class="sr-only">{said}</span></span>{more}</span>'
                + (f'<span class="thumbs">{thumbs}</span>' if limit else "")
                + "</button></td>"
            )
        rows.append(
            f'<tr><th scope="row" title="{esc(classes[g])}"><span>{esc(classes[g])}</span></th>{"".join(cells)}</tr>'
        )
    compact = " compact" if k_count > COMPACT_JOINT else ""
    return (
        f'<table class="joint{compact}">'
        "<caption>Confident joint: rows are given labels, columns suggested labels</caption>"
        f'<thead><tr><td class="corner">given ↓ suggested →</td>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


# --------------------------------------------------------------------------- scatter


def scatter(state, result):
    """The 2-D map: points coloured by given label, flagged ones ringed by category, the selected one on top with
    cross-hairs; the legend above it (in view); each point's title says its id, labels and category.

    The demo has a stored layout (t-SNE); data brought by the user gets the first two principal components
    of its features, computed in the page (:mod:`cleanlens.layout`, ``state.layout``).
    """
    dataset = state.dataset
    layout = state.map_layout()
    if layout is None:
        if state.given_probabilities is not None:
            return (
                '<p class="empty">A map needs features: a file of probabilities has none. Load a features CSV or a '
                "JSON file to get a map (the first two principal components of its features).</p>"
            )
        return (
            '<p class="empty" data-testid="map-pending">Computing the map: the first two principal components '
            "of your features…</p>"
        )
    classes = dataset.classes
    xs = [p[0] for p in layout]
    ys = [p[1] for p in layout]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    size = 400

    def pos(v, lo, hi):
        return 12 + (v - lo) / ((hi - lo) or 1) * (size - 24)

    points = []
    chosen = ""
    for i in range(len(dataset)):
        cat = category_of(result, i)
        x, y = pos(xs[i], x0, x1), pos(ys[i], y0, y1)
        sug = None if result is None else result.suggested[i]
        title = f"{item_name(dataset, i)}: labelled {classes[state.labels[i]]}"
        if sug is not None and sug != state.labels[i]:
            title += f", suggested {classes[sug]}"
        if result is not None:
            title += f" · {category_name(result, i)}"
        point = (
            f'<circle class="pt c{state.labels[i] % CLASS_COLOURS}{{sel}}" data-cat="{cat}" data-i="{i}" '
            f'data-action="select" cx="{x:.1f}" cy="{y:.1f}" r="5"><title>{esc(title)}</title></circle>'
        )
        if state.selected == i:
            chosen = (
                f'<g class="chosen" aria-hidden="true"><line x1="0" x2="{size}" y1="{y:.1f}" y2="{y:.1f}"/>'
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{size}"/><circle cx="{x:.1f}" cy="{y:.1f}" r="11"/></g>'
                + point.replace("{sel}", " selected")
            )
        else:
            points.append(point.replace("{sel}", ""))
    legend = "".join(
        f'<span><span class="swatch c{k % CLASS_COLOURS}"></span>{esc(c)}</span>' for k, c in enumerate(classes)
    )
    if dataset.layout is not None:
        what = (
            "t-SNE layout of the image embeddings (computed when the demo was made)"
            if state.is_demo
            else "the 2-D layout from your file"
        )
    else:
        what = state.layout_note or "the first two principal components of your features"
    return (
        f'<div class="map"><p class="legend map-legend" data-testid="map-legend">{legend}'
        '<span><span class="ring label_issue"></span>label issue</span>'
        '<span><span class="ring ood"></span>OOD</span><span><span class="ring unconfident"></span>unconfident</span>'
        '<span><span class="ring chosen"></span>selected</span></p>'
        f'<p class="muted map-what">Map: {esc(what)}. Point at a dot for its details; click to select it.</p>'
        f'<svg class="scatter" viewBox="0 0 {size} {size}" role="img" aria-label="2-D map of the images; '
        'use the dataset panel or the table to choose an image with the keyboard">'
        f"{''.join(points)}{chosen}</svg></div>"
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
        return (
            f'<th scope="col" aria-sort="{sort}"><button type="button" data-action="table-sort" data-col="{col}">'
            f"{text}</button></th>"
        )

    head = th("id", "Image") + th("given", "Given") + th("quality", "Quality")
    head += "".join(th(f"p{k}", f"p({esc(c)})") for k, c in enumerate(classes))
    head += th("suggested", "Suggested") + th("category", "Category")
    return (
        f'<table class="probs" aria-rowcount="{count + 1}" style="{TABLE_GEOMETRY.style()}">'
        '<thead><tr aria-rowindex="1">'
        f"{head}</tr></thead><tbody {TABLE_GEOMETRY.attrs('table', count)}>{table_rows(state, result, window)}"
        "</tbody></table>"
    )


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
        rows.append(
            f'<tr class="spacer" aria-hidden="true" style="height:{start * pitch}px"><td colspan="{width}"></td></tr>'
        )
    for n in range(start, stop):
        i = order[n]
        sug = result.suggested[i]
        sel = ' class="selected"' if state.selected == i else ""
        cells = "".join(f'<td class="num">{fmt(p)}</td>' for p in probs[i])
        rows.append(
            f'<tr{sel} data-i="{i}" aria-rowindex="{n + 2}"><td>'
            '<button type="button" class="linklike" data-action="select" '
            f'data-i="{i}">{esc(item_name(dataset, i))}</button></td><td>{esc(classes[labels[i]])}</td>'
            f'<td class="num">{fmt(quality[i])}</td>{cells}'
            f"<td>{'—' if sug is None else esc(classes[sug])}</td>"
            f'<td><span class="cat {category_of(result, i)}">{category_name(result, i)}</span></td></tr>'
        )
    if stop < len(order):
        rows.append(
            f'<tr class="spacer" aria-hidden="true" style="height:{(len(order) - stop) * pitch}px">'
            f'<td colspan="{width}"></td></tr>'
        )
    return "".join(rows)


# --------------------------------------------------------------------------- summary and results


def summary(state, result):
    """Category counts and the ground-truth score (an aria-live region in the page)."""
    counts = result.counts if result is not None else {}
    parts = "".join(
        f'<div class="count {c}"><span class="n" data-testid="{COUNT_TESTIDS[c]}">{counts[c] if result else "–"}</span>'
        f'<span class="what">{name}</span></div>'
        for c, name in CATEGORY_NAMES.items()
    )
    if result is not None and result.counts.get("excluded"):
        parts += f'<p class="muted">{result.counts["excluded"]} excluded from training</p>'
    s = state.score() if result is not None else None
    line = ""
    if s is not None:
        line = (
            f'<p class="score" data-testid="score">Found <strong>{s.true_positives}</strong> of the {s.wrong} known '
            f"errors, precision {fmt(s.precision)} ({s.flagged} flagged), recall {fmt(s.recall)}, F1 {fmt(s.f1)}</p>"
        )
    return f'<div class="counts">{parts}</div>{line}'


def export_controls(state):
    """Download buttons for the findings and fixes (enabled once there are results)."""
    d = _disabled(state.training is not None)
    return (
        f'<button type="button" data-action="export" data-kind="csv" data-testid="export-csv"{d}>Export CSV</button>'
        f'<button type="button" data-action="export" data-kind="audit" data-testid="export-audit"{d} '
        'title="How the CSV was made (thresholds, engine, data file): a JSON file to keep beside it">Audit</button>'
        f'<button type="button" data-action="export" data-kind="json" data-testid="export-json"{d}>Export JSON</button>'
    )


def warnings_panel(state):
    notes = state.warnings()
    if not notes:
        return ""
    return (
        '<div class="warning" role="alert" data-testid="warning">'
        + "".join(f"<p>{esc(n)}</p>" for n in notes)
        + "</div>"
    )


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
        cap = full = esc(classes[labels[i]])
        if arrow and result.suggested[i] is not None:
            cap += f'<span class="to">→ {esc(classes[result.suggested[i]])}</span>'
            full += f" → {esc(classes[result.suggested[i]])}"
        sel = " selected" if state.selected == i else ""
        decision = state.decisions.get(i)
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
    labels = {
        "label_issue": "Label issues",
        "ood": "Out of distribution",
        "unconfident": "Unconfident",
        "cell": "Joint cell",
    }
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
        head = (
            f'<p class="cellhead" data-testid="cell-title">Given {esc(classes[g])}, suggested {esc(classes[s])}: '
            f"{count:,} images</p>"
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


def accept_all_controls(state):
    """ "Accept all" for the label issues the user has not decided on, and what the last one did (undoable)."""
    pending = state.pending_issues()
    out = (
        f'<p><button type="button" data-action="accept-all" data-testid="accept-all"{_disabled(pending)}>'
        f"Accept all {pending:,} suggested label{'' if pending == 1 else 's'}</button>"
    )
    decided = state.analysis().counts["label_issue"] - pending
    if decided:
        out += f' <span class="muted">({decided:,} you decided on are left as they are)</span>'
    out += "</p>"
    if state.bulk:
        n = len(state.bulk)
        out += (
            f'<p class="notice" role="status" data-testid="accept-all-done">Accepted {n:,} suggested '
            f"label{'' if n == 1 else 's'}. "
            '<button type="button" data-action="undo-all" data-testid="undo-all">Undo</button></p>'
        )
    return out


def _tabs(group, labels, current, counts=None):
    buttons = []
    for key, text in labels.items():
        n = f" ({counts[key]})" if counts and key in counts else ""
        on = key == current
        buttons.append(
            f'<button type="button" role="tab" id="tab-{group}-{key}" data-action="tab-{group}" data-tab="{key}" '
            f'aria-selected="{"true" if on else "false"}" aria-controls="panel-{group}" tabindex="{0 if on else -1}">'
            f"{text}{n}</button>"
        )
    return f'<div role="tablist" aria-label="{group}">{"".join(buttons)}</div>'


def center_tabs(state):
    return _tabs(
        "center",
        {"joint": "Confident joint", "scatter": "Map", "table": "Probabilities", "sweep": "Threshold sweep"},
        state.center_tab,
    )


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
    here = (round(state.q_class / step) * step, round(state.q_ood / step) * step)
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


def cleanlab_curve(state, sw, metric):
    """The cleanlab rule's metric as a function of the OOD percentile (its label issues do not depend on the
    class slider)."""
    w, h = 220, 90
    pts = []
    for qo, cell in zip(sw.ood_percentiles, sw.cleanlab):
        value = _metric(cell, metric)
        if value is not None:
            pts.append(f"{qo / 100 * w:.1f},{h - value * h:.1f}")
    x = state.q_ood / 100 * w
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


# --------------------------------------------------------------------------- detail / explainer


def explanation(state, result, i):
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
    rule = "mean self-confidence" if state.rule == "cleanlab" else "threshold"
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


def probability_rows(state, result, i, compact=False):
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


def popover(state, result, i):
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


def detail(state, result):
    """The Why? panel: first the selected (pinned) image and the actions, which always apply to it and name it
    (kept in view at the top of the panel); then the previewed (pointed at, focused) or else the selected image,
    with its probabilities against both thresholds and the reason for its category."""
    pinned = state.selected
    i = state.preview if state.preview is not None else pinned
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
        head += f'<p class="muted">Truth (known for the demo): {esc(truth)}</p>'
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
        '<p class="muted">Results are from before your changes: train again to update them.</p>' if state.stale else ""
    )
    return out + head + why + probability_rows(state, result, i) + stale


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
        buttons.append(
            f'<button type="button" data-action="accept" data-i="{i}" data-testid="accept">'
            f"Accept {esc(classes[sug])} for {name}</button>"
        )
    if decision != "keep":
        buttons.append(
            f'<button type="button" data-action="keep" data-i="{i}" data-testid="keep">'
            f"Keep {esc(classes[state.dataset.given[i]])} for {name}</button>"
        )
    if decision != "exclude":
        buttons.append(
            f'<button type="button" data-action="exclude" data-i="{i}" data-testid="exclude">'
            f"Exclude {name} (OOD)</button>"
        )
    if decision:
        buttons.append(f'<button type="button" data-action="undo" data-i="{i}" data-testid="undo">Undo</button>')
    status = (
        f'<p class="decision" data-testid="decision">Your decision: {DECISION_NAMES[decision]}</p>' if decision else ""
    )
    return f'<div class="decide" role="group" aria-label="Fix {name}">{"".join(buttons)}</div>{status}'


# --------------------------------------------------------------------------- guide

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
        '<form method="dialog" class="guide-nav"><span class="muted tour-hint" id="tour-hint">The tour shows each part '
        "on the page once Python has started.</span>"
        '<button type="button" data-action="tour-start" data-testid="tour-start" disabled>Take the tour</button>'
        '<button type="submit" class="primary" data-testid="guide-close" autofocus>'
        "Start exploring</button></form></dialog>"
    )


# --------------------------------------------------------------------------- your own data


def byo_dialog():
    """The 'Your data' dialog: file picker, mode, formats and limits, and where errors appear."""
    embedding_rows, sklearn_rows = BUILTIN_EMBEDDING_ROWS, SKLEARN_EMBEDDING_ROWS
    max_rows, max_classes = userdata.MAX_PROBABILITY_ROWS, userdata.MAX_CLASSES
    max_megabytes = userdata.MAX_FILE_BYTES // (1024 * 1024)
    modes = (
        ("auto", "Detect from the file"),
        ("probabilities", "Predicted probabilities (no training)"),
        ("embeddings", "Features / embeddings (train here)"),
    )
    radios = "".join(
        f'<label><input type="radio" name="byo-mode" value="{m}" data-testid="byo-mode-{m}"'
        f"{' checked' if m == 'auto' else ''}> {text}</label>"
        for m, text in modes
    )
    return (
        '<dialog id="byo" data-testid="byo" aria-labelledby="byo-title">'
        '<h2 id="byo-title">Use your own data</h2>'
        "<p><strong>Your files stay on this computer:</strong> "
        "Python reads them inside this browser tab; nothing is uploaded.</p>"
        '<p><label for="byo-files">Choose files</label> '
        '<input type="file" id="byo-files" data-action="byo-files" data-testid="byo-files" multiple '
        'accept=".csv,.npy,.json"> '
        "or drop them anywhere on the page.</p>"
        f'<fieldset class="modes"><legend>The file holds</legend>{radios}</fieldset>'
        '<p><label for="byo-classes">Class names for .npy files (optional: comma-separated, in class order)</label> '
        '<input type="text" id="byo-classes" data-testid="byo-classes" autocomplete="off" '
        'placeholder="e.g. cat, dog, bird" size="32"></p>'
        "<details><summary>Formats and limits</summary><ul>"
        "<li><strong>Two .npy files</strong> (cleanlab's <code>labels</code> (N,) and "
        "<code>pred_probs</code> (N, K)), or a "
        "<strong>CSV</strong> with a <code>label</code> column and one probability column per class (named by class): "
        f"used as they are, up to {max_rows:,} rows.</li>"
        "<li>A <strong>CSV</strong> with a <code>label</code> column and numeric feature columns, or a "
        "<strong>JSON</strong> "
        f"file in the demo's format: trained here, up to {embedding_rows:,} rows with the built-in engine "
        f"({sklearn_rows:,} when scikit-learn is available).</li>"
        "<li>Optional CSV columns: <code>id</code>, <code>truth</code> (true class or OOD: enables the score and "
        "the sweep), <code>image</code> (a data:image URI or a path on this site).</li>"
        f"<li>At most {max_classes} classes and {max_megabytes} MB per file.</li></ul></details>"
        '<div id="byo-recent" data-testid="byo-recent"></div>'
        '<progress id="byo-progress" max="1" value="0" hidden aria-label="Reading the file"></progress>'
        '<div id="byo-message" data-testid="byo-message" role="alert"></div>'
        '<div class="guide-nav">'
        '<button type="button" class="primary" data-action="byo-load" data-testid="byo-load">Load</button>'
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
        out.append(
            '<div class="notice" role="status" data-testid="storage-problem"><p>This session will not be kept '
            f"after you leave the page: the browser's storage is not available ({esc(problem)}). "
            '<button type="button" data-action="notice-ok" data-testid="storage-ok">OK</button></p></div>'
        )
    if conflict:
        out.append(
            '<div class="warning" role="alert" data-testid="session-conflict">'
            "<p>This dataset was also changed in another "
            f"tab (saved {esc(conflict)}). This tab has stopped saving so that neither overwrites the other.</p><p>"
            '<button type="button" data-action="session-theirs" data-testid="session-theirs">'
            "Load the other tab's work</button> "
            '<button type="button" data-action="session-mine" data-testid="session-mine">'
            "Keep this tab's work</button></p></div>"
        )
    if restored and confirming is not None:
        out.append(
            '<div class="warning" role="alert" data-testid="start-over-confirm">'
            "<p>Start over on this dataset? This discards "
            f"{confirming:,} label change{'' if confirming == 1 else 's'} and "
            f"decision{'' if confirming == 1 else 's'}, "
            "and the results trained on them.</p><p>"
            '<button type="button" data-action="start-over-yes" data-testid="start-over-yes">'
            "Discard and start over</button> "
            '<button type="button" data-action="start-over-no" data-testid="start-over-no">Cancel</button></p></div>'
        )
    elif restored:
        notes = f" Not restored: {esc('; '.join(restore_notes))}." if restore_notes else ""
        out.append(
            '<div class="notice" role="status" data-testid="session-restored">'
            f"<p>Restored your session from {esc(restored)}."
            f'{notes} <button type="button" data-action="start-over" data-testid="start-over">Start over</button> '
            '<button type="button" data-action="notice-ok" data-testid="notice-ok">OK</button></p></div>'
        )
    return "".join(out)


def recent_datasets(entries, current):
    """The "Recent datasets" list of the Your data dialog: each saved session, to reopen or delete."""
    if not entries:
        return ""
    rows = []
    for entry in entries:
        key = entry["key"]
        what = f"{entry['items']:,} items" if isinstance(entry.get("items"), int) else ""
        changes = entry.get("changes") or 0
        what += f", {changes:,} change{'' if changes == 1 else 's'}" if changes else ""
        if key == current:
            action = '<span class="muted">open now</span>'
        else:
            action = (
                f'<button type="button" data-action="session-open" data-key="{esc(key)}">Open</button> '
                f'<button type="button" data-action="session-delete" data-key="{esc(key)}" '
                f'aria-label="Delete the saved session of {esc(entry["name"])}">Delete</button>'
            )
        rows.append(
            f'<li data-key="{esc(key)}"><span class="name">{esc(entry["name"])}</span> '
            f'<span class="muted">{esc(what)} · saved {esc(entry["saved"])}</span> {action}</li>'
        )
    return (
        '<h3>Recent datasets</h3><p class="muted">Kept in this browser only, with your changes.</p>'
        f'<ul class="recent" data-testid="recent">{"".join(rows)}</ul>'
    )


def byo_error(message, renormalizable):
    """A file could not be used: the message, and the offer to renormalise when that is the only problem."""
    offer = (
        '<p><button type="button" data-action="byo-renormalize" data-testid="byo-renormalize">'
        "Renormalise the rows and load</button></p>"
        if renormalizable
        else ""
    )
    return (
        f'<div class="warning"><p data-testid="byo-error">{esc(message)}</p>'
        f"<p>Nothing was changed: the data you had is still loaded.</p>{offer}</div>"
    )


def data_notes(notes):
    """Things worth knowing about the loaded file (not errors)."""
    if not notes:
        return ""
    return '<div class="warning" data-testid="data-notes">' + "".join(f"<p>{esc(n)}</p>" for n in notes) + "</div>"


# --------------------------------------------------------------------------- the whole app


def app(state, enabled=True):
    """The explorer's main markup; the glue later re-renders its regions by id.

    The dataset and the Why? panel share a wrapper (``.side``): a sticky column beside everything else on
    medium screens, nothing of its own (``display: contents``) on wide ones.
    """
    result = state.analysis()
    return (
        f'<div id="warnings">{warnings_panel(state)}</div>'
        '<div class="side">'
        '<section class="panel dataset" aria-labelledby="h-dataset" data-tour="dataset">'
        '<div class="panel-head"><h2 id="h-dataset">Dataset '
        f'<span id="dataset-count" class="muted">{dataset_count(state)}'
        f'</span></h2><span id="known-errors">{known_errors_counter(state)}</span></div>'
        f'<div class="toolbar" id="dataset-toolbar">{dataset_toolbar(state, enabled)}</div>'
        f"{tile_legend()}"
        f"{tiles_list(state, result, enabled)}"
        "</section>"
        '<section class="panel detail" id="detail-panel" aria-labelledby="h-detail" tabindex="-1" data-tour="detail">'
        '<h2 id="h-detail">Why?</h2>'
        f'<div id="detail" data-testid="detail">{detail(state, result)}</div></section>'
        "</div>"
        '<section class="panel thresholds-panel" aria-labelledby="h-thr" data-tour="thresholds">'
        '<h2 id="h-thr">Thresholds</h2>'
        f'<div id="threshold-controls" class="sliders">{threshold_controls(state, enabled)}</div>'
        f'<div id="threshold-table">{threshold_table(state, result)}</div>'
        f'<div id="histograms" class="hists">{histograms(state, result)}</div>'
        "</section>"
        '<section class="panel center" aria-label="Confident joint, map and probabilities" data-tour="center">'
        f'<div id="center-tabs">{center_tabs(state)}</div>'
        '<div id="panel-center" class="tabpanel" role="tabpanel" tabindex="0" '
        f'aria-labelledby="tab-center-{state.center_tab}">{center_body(state, result)}</div>'
        "</section>"
        '<section class="panel results" aria-labelledby="h-results" data-tour="results">'
        '<div class="panel-head"><h2 id="h-results">Results</h2>'
        f'<span id="export" class="export">{export_controls(state)}</span></div>'
        f'<div id="summary" aria-live="polite" aria-atomic="true">{summary(state, result)}</div>'
        f'<div id="results-tabs">{results_tabs(state, result)}</div>'
        '<div id="panel-results" class="tabpanel" role="tabpanel" tabindex="0" '
        f'aria-labelledby="tab-results-{state.result_tab}">{results_body(state, result)}</div>'
        "</section>"
    )


# --------------------------------------------------------------------------- the tour


def _example(state, result, category):
    """An item of the category with its name, labels and top probability, worst label quality first (or None)."""
    if result is None or state.training is None:
        return None
    code = CATEGORIES.index(category)
    for i in state.training.quality_order:
        if result.categories[i] == code:
            return i
    return None


def tour_steps(state, result):
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
            "#threshold-controls .slider:first-of-type",
            "Class threshold",
            "<p>For each class, the threshold is this percentile of the model's confidence on the images labelled with "
            "it (its self-confidence). An image whose probability for a class reaches that class's threshold gets a "
            "confident suggestion: correct if it is its label, a label issue if not. Higher = stricter.</p>",
        ),
        (
            "#threshold-controls .slider:nth-of-type(2)",
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
            "with buttons to accept the suggestion, keep the label or exclude it.</p>",
        ),
        (
            '[data-testid="byo-open"]',
            "Your data",
            "<p>Bring two .npy files (cleanlab's labels and pred_probs), a CSV of probabilities or of features, or a "
            "JSON file — or drop them anywhere on the page. Nothing leaves your browser.</p>",
        ),
    ]


def tour_card(steps, n):
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
