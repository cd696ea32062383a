"""The top bar: the Train and New seed buttons with the engine read-out and the progress bar, the engine
settings (C, γ, folds) and the tool buttons (Your data, Guide, theme).

Inputs: the state (its training's ``info``, its engine settings, whether the labels changed since) and
``enabled`` (False in the page pre-rendered by ``build.py``, before Python has started).
"""

from __future__ import annotations

from cleanlens.web.state import ENGINE_DEFAULTS, ENGINE_LIMITS

from .common import _disabled, esc


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


_INVALID = ' aria-invalid="true"'


def engine_settings(state, enabled=True):
    """The engine settings (C and gamma of the RBF SVM, cross-validation folds) with their defaults marked,
    inside a disclosure of the top bar; the next Train uses them, the URL and the export's audit record them."""
    d = _disabled(enabled and state.given_probabilities is None)
    refused = state.notices.engine
    fields = []
    for name, key, label, step in (
        ("svm_C", "C", "C (regularisation)", "any"),
        ("svm_gamma", "gamma", "γ (RBF kernel width)", "any"),
        ("n_folds", "folds", "Folds", "1"),
    ):
        lo, hi = ENGINE_LIMITS[name]
        value, default = getattr(state.engine, name), ENGINE_DEFAULTS[name]
        fields.append(
            f'<label for="engine-{key}">{label}</label>'
            f'<input type="number" id="engine-{key}" data-action="engine-setting" data-name="{name}" '
            f'data-testid="engine-{key}" min="{lo:g}" max="{hi:g}" step="{step}" value="{value:g}" required{d}'
            f'{_INVALID if refused and refused[0] == name else ""}>'
            f'<span class="muted">default {default:g}{" ✓" if value == default else ""}</span>'
        )
    if state.given_probabilities is not None:
        note = "Your probabilities come from your file: nothing is trained, so these settings are not used."
    elif refused:
        note = f"{refused[1]}: kept {getattr(state.engine, refused[0]):g}."
    elif state.engine_changed:
        note = "Press Train to use these settings."
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
