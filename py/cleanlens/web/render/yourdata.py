"""The Your data dialog: the file picker (with a folder or ``.zip`` of images), the mode, the formats and
limits, the recent datasets saved in this browser, why a file could not be used (with the offer to renormalise its
rows), and which items got an image.

Inputs: the limits of :mod:`cleanlens.userdata` and of the engines (nothing from the state); the saved
sessions' entries and the open one's key; an error message; the images' summary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cleanlens import userdata
from cleanlens.userdata import images
from cleanlens.web import BUILTIN_EMBEDDING_ROWS, SKLEARN_EMBEDDING_ROWS

from .common import esc

if TYPE_CHECKING:
    from collections.abc import Sequence


def byo_dialog() -> str:
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
        'accept=".csv,.npy,.json,.txt,.zip"> '
        "or drop them anywhere on the page.</p>"
        '<p><label for="byo-folder">Images (optional): a folder</label> '
        '<input type="file" id="byo-folder" data-action="byo-folder" data-testid="byo-folder" webkitdirectory '
        'multiple aria-describedby="byo-folder-help"> '
        '<span id="byo-folder-help" class="muted">or a <code>.zip</code> chosen or dropped with the CSV: the '
        "<code>image</code> column, or each id, names its file.</span></p>"
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
        f"file in the demo's format: trained here, up to {sklearn_rows:,} rows (over {embedding_rows:,}, "
        f"scikit-learn is loaded first: 29 MB, once; {embedding_rows:,} if this browser cannot run the training "
        "worker).</li>"
        "<li>Optional CSV columns: <code>id</code>, <code>truth</code> (true class or OOD: enables the score and "
        "the sweep), <code>image</code> (a data:image URI, a path on this site, or the name of a file in the folder or "
        "<code>.zip</code> of images).</li>"
        f"<li>Images: .png, .jpg, .gif, .webp, .bmp or .avif, at most {images.MAX_ENTRIES:,}, "
        f"{images.MAX_IMAGE_BYTES // 2**20} MiB each and {images.MAX_TOTAL_BYTES // 2**20} MiB in all "
        f"(a .zip: at most {images.MAX_ZIP_BYTES // 2**20} MiB); kept in this browser with the session.</li>"
        f"<li>At most {max_classes} classes and {max_megabytes} MiB per file.</li></ul></details>"
        '<div id="byo-recent" data-testid="byo-recent"></div>'
        '<progress id="byo-progress" max="1" value="0" hidden aria-label="Reading the file"></progress>'
        '<div id="byo-message" data-testid="byo-message" role="alert"></div>'
        '<div class="guide-nav">'
        '<button type="button" class="primary" data-action="byo-load" data-testid="byo-load">Load</button>'
        '<button type="button" data-action="byo-demo" data-testid="byo-demo">Back to the demo</button>'
        '<button type="button" data-action="byo-close" data-testid="byo-close">Close</button></div></dialog>'
    )


def recent_datasets(entries: Sequence[dict[str, Any]], current: str | None) -> str:
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


def byo_error(message: str, renormalizable: bool) -> str:
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


def byo_images_chosen(count: int) -> str:
    """Images were dropped without data: they wait for the data file (``count``: files in the drop)."""
    return (
        f'<p class="muted" role="status" data-testid="byo-images-chosen">{count:,} image file'
        f"{'' if count == 1 else 's'} ready: choose or drop the CSV they belong to.</p>"
    )


def byo_images_summary(summary: str) -> str:
    """Which items got an image (:func:`cleanlens.web.own_images.attach`'s summary), after a load with images."""
    return (
        f'<div class="notice" role="status"><p data-testid="byo-images-summary">{esc(summary)}</p>'
        '<p>The data is loaded. <button type="button" data-action="byo-close" data-testid="byo-done">'
        "Show it</button></p></div>"
    )
