"""The page opened by ``cleanlens explore``: fetch the data it serves, and send the exports back.

The URL contract is :mod:`cleanlens.explore_server`'s: the page at ``?explore=TOKEN`` fetches
``explore/TOKEN/manifest.json`` and the files it names from its own origin, opens them through the same
loader as "Your data" (:meth:`cleanlens.web.app.Explorer.read_files`), and posts every CSV or JSON export
to ``explore/TOKEN/export``. Only then, and only to its own origin (relative URLs; the page's
Content-Security-Policy allows nothing else): a page opened without ``?explore=`` never sends anything.

Two hooks in :mod:`cleanlens.web.app` use this module: start-up (:func:`fetch_files` instead of the files
kept from the last visit) and the export (:func:`send_export`). The parsing is pure and tested under
CPython; only :func:`token`, :func:`fetch_files` and :func:`send_export` touch the browser.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, quote

from cleanlens.errors import CleanlensError
from cleanlens.userdata import MODES

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,128}")
FILE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
MAX_FILES = 3


class ExploreLinkError(CleanlensError):
    """The data served by ``cleanlens explore`` could not be fetched or is not what the contract says."""


def token_from_search(search: str) -> str | None:
    """The explore token of a URL's query (``?explore=TOKEN``), or None when there is none or it is malformed."""
    values = parse_qs(search.lstrip("?")).get("explore", [])
    return values[0] if len(values) == 1 and TOKEN_PATTERN.fullmatch(values[0]) else None


def data_url(token: str, *parts: str) -> str:
    """The relative URL of an explore resource (the page's own origin)."""
    return "./explore/" + "/".join(quote(p, safe="") for p in (token, *parts))


def parse_manifest(text: str) -> tuple[list[str], str, list[str] | None]:
    """``(names, mode, class_names)`` from the manifest's JSON text, or :class:`ExploreLinkError`.

    >>> parse_manifest('{"files": ["labels.npy", "pred_probs.npy"], "mode": "probabilities", "class_names": null}')
    (['labels.npy', 'pred_probs.npy'], 'probabilities', None)
    """
    try:
        manifest = json.loads(text)
    except ValueError:
        raise ExploreLinkError("the explore manifest is not JSON") from None
    names = manifest.get("files") if isinstance(manifest, dict) else None
    if not (isinstance(names, list) and 0 < len(names) <= MAX_FILES and all(
        isinstance(n, str) and FILE_NAME.fullmatch(n) for n in names
    )):  # fmt: skip
        raise ExploreLinkError("the explore manifest names no usable files")
    mode = manifest.get("mode", "auto")
    classes = manifest.get("class_names")
    if mode not in MODES or not (classes is None or (isinstance(classes, list) and all(
        isinstance(c, str) for c in classes
    ))):  # fmt: skip
        raise ExploreLinkError("the explore manifest's mode or class names are unusable")
    return names, mode, classes


def export_body(name: str, text: str) -> str:
    """The JSON body posted for an export."""
    return json.dumps({"name": name, "text": text})


# --- the browser --------------------------------------------------------------------------------------


def token() -> str | None:
    """The token of the page's own URL, or None (the page was not opened by ``cleanlens explore``)."""
    import js

    return token_from_search(str(js.location.search))


async def _fetch(url):
    import js

    response = await js.fetch(url, js.Object.fromEntries([["cache", "no-store"]]))
    if not response.ok:
        raise ExploreLinkError(
            f"the data served by `cleanlens explore` could not be fetched ({url}: HTTP {response.status}); "
            "is it still running?"
        )
    return response


async def fetch_files(link: str) -> tuple[list[str], list[Any], str, bool, list[str] | None]:
    """``(names, buffers, mode, renormalize, class_names)``, as :meth:`Explorer.read_files` takes them."""
    names, mode, classes = parse_manifest(await (await _fetch(data_url(link, "manifest.json"))).text())
    buffers = [await (await _fetch(data_url(link, "files", name))).arrayBuffer() for name in names]
    return names, buffers, mode, False, classes


def send_export(name: str, text: str) -> None:
    """Post an export to ``cleanlens explore`` when the page was opened by it (else nothing is sent)."""
    link = token()
    if link is None:
        return
    import js
    from pyodide.ffi import create_once_callable

    options = js.Object.fromEntries(
        [["method", "POST"], ["headers", js.Object.fromEntries([["Content-Type", "application/json"]])],
         ["body", export_body(name, text)]]
    )  # fmt: skip
    warn = create_once_callable(lambda error: js.console.warn(f"cleanlens explore: the export was not sent: {error}"))
    js.fetch(data_url(link, "export"), options).catch(warn)
