"""Small helpers on the page's DOM (browser only: imports ``js`` and ``pyodide``).

Everything here is a thin, stateless wrapper: finding elements, patching a region to new HTML
(``static/patch.js``), the page's status attributes, downloads, the JSON blocks build.py puts into the page.
"""

from __future__ import annotations

import json
from typing import Any

import js
from pyodide.ffi import create_once_callable
from pyodide.http import pyfetch

from cleanlens.web.wiring import Event

try:
    from pyodide.ffi import jsnull
except ImportError:  # Pyodide 0.27 passes JavaScript's null as None (jsnull is 0.28's)
    jsnull = None

document = js.document


def js_value(value: Any) -> Any:
    """None for JavaScript's null/undefined (which Pyodide passes as jsnull/None), else the value."""
    return None if value is None or value is jsnull else value


def element(node_id: str) -> Any:
    """The element with id ``node_id``, or None."""
    return js_value(document.getElementById(node_id))


def query(selector: str, within: Any = None) -> Any:
    """The first element matching ``selector`` (in ``within``, default the document), or None."""
    return js_value((within or document).querySelector(selector))


def patch(node: Any, html: str, outer: bool = False) -> None:
    """Turn ``node``'s content (``outer``: ``node`` itself, attributes included) into ``html`` with the fewest DOM
    changes (``static/patch.js``): the nodes that stay keep their identity, focus and scroll position, and the
    browser redraws only what differs."""
    js.cleanlensPatch(node, html, outer)


def closest(event: Any, selector: str) -> Any:
    """The nearest ancestor-or-self of the event's target matching ``selector``, or None."""
    target = js_value(event.target)
    if target is None or not hasattr(target, "closest"):
        return None
    return js_value(target.closest(selector))


def read_event(kind: str, raw: Any, with_action: bool) -> Event:
    """The plain :class:`~cleanlens.web.wiring.Event` of a DOM event: what handlers need of it.

    ``with_action``: look up the element with a ``data-action`` it came from (and read its value, checked state
    and ``data-*`` attributes); otherwise only the event's own target.
    """
    key = js_value(getattr(raw, "key", None))
    if not with_action:
        return Event(kind, key=key, target=js_value(raw.target), raw=raw)
    target = closest(raw, "[data-action]")
    if target is None:
        return Event(kind, key=key, target=js_value(raw.target), raw=raw)
    value = js_value(getattr(target, "value", None))
    return Event(
        kind,
        action=str(target.getAttribute("data-action")),
        value=None if value is None else str(value),
        checked=bool(js_value(getattr(target, "checked", None))),
        data=dict(js.Object.entries(target.dataset).to_py()),
        key=key,
        target=target,
        raw=raw,
    )


def focus_key(node: Any) -> str | None:
    """A selector that finds the 'same' control after its region was redrawn, or None."""
    node = js_value(node)
    if node is None or not hasattr(node, "getAttribute"):
        return None
    for attr in ("data-testid", "id"):
        value = node.getAttribute(attr)
        if value:
            return f'[{attr}="{value}"]'
    action = node.getAttribute("data-action")
    if not action:
        return None
    selector = f'[data-action="{action}"]'
    for attr in ("data-i", "data-tab", "data-col", "data-g", "data-s"):
        value = js_value(node.getAttribute(attr))
        if value is not None:
            selector += f'[{attr}="{value}"]'
    return selector


def set_stage(text: str) -> None:
    """The status line's text (what the page is doing)."""
    document.getElementById("stage").textContent = text


def set_state(state: str) -> None:
    """``<body data-state>``: ``loading``, ``training``, ``ready`` or ``error`` (docs/contracts.md)."""
    document.body.dataset.state = state


def saved(revision: int | None) -> None:
    """Mark the page while a save is pending (``<body data-save-pending>``) and with the revision last saved
    (``<body data-saved>``): for tests and tools."""
    if revision is None:
        document.body.dataset.savePending = "1"
    else:
        document.body.removeAttribute("data-save-pending")
        document.body.dataset.saved = str(revision)


def show_error(message: str) -> None:
    """The error panel, for a failure that leaves nothing to work with (``data-state="error"``)."""
    document.getElementById("error-message").textContent = message
    document.getElementById("error").hidden = False
    set_state("error")


async def fetch_bytes(url: str) -> bytes:
    """The bytes at ``url`` (of this site); OSError when the response is not OK."""
    response = await pyfetch(url)
    if not response.ok:
        raise OSError(f"{url}: HTTP {response.status}")
    return await response.bytes()


def download(name: str, text: str, mime: str) -> None:
    """Offer ``text`` as a file download, generated in the browser (nothing is sent anywhere)."""
    blob = js.Blob.new([text], js.Object.fromEntries([["type", f"{mime};charset=utf-8"]]))
    url = js.URL.createObjectURL(blob)
    link = document.createElement("a")
    link.href = url
    link.download = name
    document.body.appendChild(link)
    link.click()
    link.remove()
    js.setTimeout(create_once_callable(lambda: js.URL.revokeObjectURL(url)), 1000)


def when_idle(callback: Any) -> None:
    """Call ``callback()`` when the browser is next idle (``requestIdleCallback``; a second later without it)."""
    run = create_once_callable(lambda *_: callback())
    if hasattr(js, "requestIdleCallback"):
        js.requestIdleCallback(run, js.Object.fromEntries([["timeout", 5000]]))
    else:
        js.setTimeout(run, 1000)


def later(callback: Any, milliseconds: int = 0) -> None:
    """Run ``callback()`` from a timer of its own, after ``milliseconds``."""
    js.setTimeout(create_once_callable(callback), milliseconds)


def next_frame(callback: Any) -> None:
    """Run ``callback(timestamp)`` before the browser's next paint."""
    js.requestAnimationFrame(create_once_callable(callback))


def local_time(iso: str) -> str:
    """An ISO 8601 UTC time as the browser shows dates and times to this user."""
    if not iso:
        return "an earlier visit"
    return str(js.Date.new(iso).toLocaleString())


def page_json(node_id: str) -> Any:
    """The JSON data block ``<script type="application/json" id=node_id>`` build.py put into the page, or None."""
    node = element(node_id)
    if node is None:
        return None
    try:
        return json.loads(str(node.textContent))
    except ValueError:
        return None


def mark_live() -> None:
    """The controls work now: ``<body data-live>`` and a performance mark (the load benchmark reads both)."""
    if not document.body.hasAttribute("data-live"):
        document.body.dataset.live = "1"
        js.performance.mark("cleanlens:live")
    document.documentElement.removeAttribute("data-resuming")


def matches_media(query_text: str) -> bool:
    """True if the CSS media query holds (e.g. ``(hover: hover)``)."""
    return bool(js.matchMedia(query_text).matches)


def viewport() -> tuple[float, float]:
    """The viewport's width and height in CSS pixels."""
    return float(js.window.innerWidth), float(js.window.innerHeight)
