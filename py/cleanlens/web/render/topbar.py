"""The top bar: the Train and New seed buttons with the engine read-out and the progress bar, the engine
settings (C, γ, folds) and the tool buttons (Your data, Guide, theme).

Inputs: the state (its training's ``info``, its engine settings, whether the labels changed since) and
``enabled`` (False in the page pre-rendered by ``build.py``, before Python has started).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cleanlens.tuning import C_VALUES, GAMMA_FACTORS
from cleanlens.web.state import ENGINE_LIMITS
from cleanlens.web.state.fragment import exact

from .common import _disabled, esc

if TYPE_CHECKING:
    from cleanlens.web.state import ExplorerState


def run_controls(
    state: ExplorerState, enabled: bool = True, busy: bool = False, worker: dict[str, Any] | None = None
) -> str:
    """Train / new-seed buttons, the engine read-out and the progress bar.

    One line whatever happens: the read-out is cut short with its whole text on hover and in the engine
    settings, and "results out of date" replaces nothing (it takes the read-out's room), so the page below
    never moves. ``worker``: the training worker's status (:func:`engine_status`), shown after the engine.
    """
    can = enabled and state.can_train and not busy
    verb = "Re-analyse" if state.given_probabilities is not None else "Train"
    info = state.training.info if state.training else None
    engine = engine_label(info, info.get("sklearn_importable", False)) if info else "not trained yet"
    labels_used = trained_on(state)
    if labels_used:
        engine += f' <span class="note" data-testid="trained-on">{esc(labels_used)}</span>'
    status = engine_status(worker) if worker and state.given_probabilities is None else ""
    if status:
        engine += f' <span class="note" id="engine-note" data-testid="engine-note">({esc(status)})</span>'
    plain = " ".join(engine.replace("<", " <").split())
    stale = ""
    if state.stale and state.given_probabilities is not None:
        stale = (
            '<span class="stale" data-testid="stale" title="Your decisions are marks on the analysis of your '
            "file's labels; to check fixes, load new pred_probs\">Decisions marked on your file's analysis</span>"
        )
    elif state.stale:
        stale = (
            '<span class="stale" data-testid="stale" title="Labels changed — results are out of date. Train again.">'
            "Labels changed — train again.</span>"
        )
    elif state.engine_changed:
        stale = '<span class="stale" data-testid="engine-changed">Engine settings changed — train to use them.</span>'
    return (
        f'<button type="button" class="primary" data-action="train" data-testid="run"{_disabled(can)}>'
        f"{'Training…' if busy else verb}</button>"
        f'<button type="button" data-action="reseed" data-testid="reseed"'
        f"{_disabled(enabled and not busy and state.training is not None and state.given_probabilities is None)}>"
        f"New seed</button>"
        + (
            '<button type="button" data-action="cancel-training" data-testid="cancel-training">Cancel</button>'
            if busy and enabled
            else ""
        )
        + f'<progress id="progress" data-testid="progress" max="1" value="0"{"" if busy else " hidden"} '
        'aria-label="Training progress"></progress>'
        f'{stale}<span class="engine" data-testid="engine" title="{esc(_strip_tags(plain))}">Engine: {engine}</span>'
    )


def trained_on(state: ExplorerState) -> str:
    """For features trained in the page: which labels the shown results were trained on, as one sentence
    ("Trained on the given labels." or "Trained on your labels: 12 changed by you, 3 left out."); "" otherwise."""
    training = state.training
    if training is None or state.given_probabilities is not None:
        return ""
    changed = sum(1 for a, b in zip(training.labels, state.dataset.given) if a != b)
    left_out = len(training.excluded)
    if not changed and not left_out:
        return "Trained on the given labels."
    parts = [f"{changed:,} changed by you"] if changed else ["none changed"]
    if left_out:
        parts.append(f"{left_out:,} left out")
    return f"Trained on your labels: {', '.join(parts)}."


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


def engine_settings(state: ExplorerState, enabled: bool = True) -> str:
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
        value, default = getattr(state.engine, name), state.engine.defaults()[name]
        fields.append(
            f'<label for="engine-{key}">{label}</label>'
            f'<input type="number" id="engine-{key}" data-action="engine-setting" data-name="{name}" '
            f'data-testid="engine-{key}" min="{lo:g}" max="{hi:g}" step="{step}" value="{exact(value)}" required{d}'
            f"{_INVALID if refused and refused[0] == name else ''}>"
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
    tune = _disabled(enabled and state.given_probabilities is None and not state.running)
    return (
        '<details class="settings" id="settings-box"><summary data-testid="engine-settings">Engine settings</summary>'
        '<div class="settings-body"><p class="muted">RBF SVM with per-class sigmoid calibration, out-of-sample '
        f'probabilities by stratified cross-validation.</p><div class="settings-grid">{"".join(fields)}</div>'
        '<p class="settings-actions"><button type="button" data-action="engine-defaults" '
        f'data-testid="engine-defaults"{d}>'
        f"Defaults</button> "
        f'<button type="button" data-action="tune" data-testid="tune"{tune}{_TUNE_TITLE}>Tune C and γ</button> '
        f'<span id="engine-message" class="muted" role="status">{note}</span></p></div></details>'
    )


_TUNE_TITLE = (
    f' title="Cross-validate C in {", ".join(f"{c:g}" for c in C_VALUES)} and γ in '
    f"{', '.join(f'{f:g}' for f in GAMMA_FACTORS)} times scikit-learn's 'scale', and keep the pair with the "
    'lowest out-of-fold log loss; it can be cancelled"'
)
"""What Tune does (docs/definitions.md; the grid is :func:`cleanlens.tuning.grid`)."""


def tools(enabled: bool = True) -> str:
    """The data, guide and theme buttons of the top bar."""
    d = _disabled(enabled)
    return (
        f'<button type="button" data-action="byo-open" data-testid="byo-open"{d}>Your data</button>'
        f'<button type="button" data-action="guide-open" data-testid="guide-open"{d}>Guide</button>'
        f'<button type="button" data-action="theme" data-testid="theme"{d}>Switch theme</button>'
    )


_ENGINE_NAMES = {"sklearn": "scikit-learn", "builtin": "built-in"}
"""How the read-out names each engine."""


def engine_label(info: dict[str, Any], sklearn_importable: bool = False) -> str:
    """The engine read-out: which engine computed the results shown and where, its version, the hyperparameters.

    ``info``: the training's info (:func:`cleanlens.web.state.training_info`; ``where``: "worker" or "page" for a
    training in this browser). ``sklearn_importable``: kept for the read-out of results saved before the worker
    existed (it then says why the built-in engine ran).
    """
    if info["engine"] == "file":
        return f"probabilities from your file {esc(info['source'])} (nothing to train)"
    where = "computed when this site was built" if info.get("built") else f"trained here in {info['seconds']:.2f} s"
    name = _ENGINE_NAMES.get(info["engine"], info["engine"])
    version = info.get("engine_version", "")
    if info["engine"] == "builtin":
        version = f"({version})" if version else ""
    place = {"worker": " in a worker", "page": " on this page"}.get(info.get("where"), "")
    text = (
        f"{esc(name)} {esc(version)}{place} · RBF SVM C={info['C']:g}, "
        f"γ={info['gamma']:.3g} · {info['folds']}-fold CV · seed {info['seed']} · {where}"
    )
    if info["engine"] == "builtin" and info.get("where") is None and not info.get("built"):
        why = (
            "scikit-learn imports but was not chosen"
            if sklearn_importable
            else "scikit-learn was not available, so the standard-library SVM was used"
        )
        text += f' <span class="note">({why})</span>'
    return text


def _megabytes(size):
    return f"{size / 1e6:.1f} MB"


def engine_status(worker: dict[str, Any]) -> str:
    """One line (plain text) on the training worker and scikit-learn in it, from its status.

    ``worker``: :attr:`cleanlens.web.worker_client.WorkerClient.status` (``state``, ``stack``, ``loaded``,
    ``total``, ``versions``, ``reason``, and ``kept``: bytes of the stack kept in this browser for offline use).
    """
    state, stack, reason = worker.get("state"), worker.get("stack"), worker.get("reason") or ""
    total = worker.get("total") or 0
    if state == "failed":
        return f"no training worker: {reason}; training runs on this page with the built-in engine"
    if state in (None, "off"):
        return ""
    if state == "starting":
        return "starting the training worker…"
    if stack == "loading":
        loaded = worker.get("loaded") or 0
        if total and loaded >= total:
            return f"starting scikit-learn ({_megabytes(total)} loaded)…"
        return f"loading scikit-learn: {_megabytes(loaded)} of {_megabytes(total)}…"
    if stack == "ready":
        version = (worker.get("versions") or {}).get("scikit-learn", "")
        kept = worker.get("kept") or 0
        offline = f"; its {_megabytes(kept)} are kept in this browser for offline use" if kept else ""
        return f"scikit-learn {version} loaded in the worker{offline}".replace("  ", " ")
    if stack == "failed":
        return f"scikit-learn could not be loaded: {reason}"
    if reason:
        return f"{reason} ({_megabytes(total)})" if total else reason
    return f"scikit-learn not loaded yet ({_megabytes(total)})" if total else "scikit-learn not loaded yet"
