"""The page's start-up and event wiring (browser only: imports ``js`` and ``pyodide``).

State lives in :class:`~cleanlens.web.state.ExplorerState`, HTML comes from
:mod:`cleanlens.web.render`; this module binds the two to the DOM. One
delegated listener per event type on the document looks up the
``data-action`` of the element the event came from in a table of handlers
(:data:`CLICKS`, :data:`CHANGES`). After each change only the regions that
depend on it are re-rendered (:data:`REGIONS`); the dataset tiles, the
largest region, are patched in place when only their categories changed.
Long lists (:data:`VIRTUAL`) draw only the rows in view and redraw as they
scroll. Long work (reading files, training) runs as generators driven by
:func:`drive`, which lets the browser handle input and paint every
:data:`YIELD_EVERY` seconds; background tasks run through
:meth:`Explorer.spawn`, which shows any failure instead of losing it.
"""

import asyncio
import gc
import hashlib
import json
import math
import time
import traceback
from types import SimpleNamespace

import js
from pyodide.ffi import create_once_callable, create_proxy
from pyodide.http import pyfetch

from cleanlens import layout, userdata
from cleanlens.crossval import CrossValError, iter_out_of_sample_probabilities, sklearn_available
from cleanlens.dataset import DatasetError, parse_dataset
from cleanlens.steps import Cancelled
from cleanlens.web import (
    BUILTIN_EMBEDDING_ROWS,
    DEMO_DATASET,
    SKLEARN_EMBEDDING_ROWS,
    SKLEARN_FEATURE_VALUES,
    explore_link,
    render,
    session,
    worker_client,
)
from cleanlens.web.saving import Keeper
from cleanlens.web.state import CENTER_TABS, ENGINE_DEFAULTS, RESULT_TABS, ExplorerState, TrainingError, training_info

try:
    from pyodide.ffi import jsnull
except ImportError:  # Pyodide 0.27 passes JavaScript's null as None (jsnull is 0.28's)
    jsnull = None

document = js.document
THEME = "cleanlens-theme"
UNLOAD_VIEW_KEY = "cleanlens-unload-view"
"""sessionStorage: the view not yet in the URL when the page was left, as {"from": old fragment, "to": new};
static/boot.js applies it when the next page of the tab has that old fragment (a reload)."""
YIELD_EVERY = 0.03
"""Seconds of work between two chances for the browser to handle input and paint. The generators this
module drives yield every few milliseconds, so no task runs much longer than this."""
PROGRESS_EVERY = 0.25
"""Seconds between two updates of the training progress bar and stage (each costs the next frame a repaint)."""
OVERSCAN = 3
"""Rows a virtual list draws beyond the visible ones, above and below."""

# region id -> render function of the Explorer; re-rendered by Explorer.refresh(names)
REGIONS = {
    "run-controls": lambda ex: render.run_controls(ex.state, True, ex.busy, worker_client.client.status),
    "engine-settings": lambda ex: render.engine_settings(ex.state),
    "warnings": lambda ex: (
        ex.session_notices()
        + render.warnings_panel(ex.state)
        + ex.training_problem
        + render.link_notes(ex.link_notes)
        + render.data_notes(ex.data_notes)
        + ex.problem
    ),
    "known-errors": lambda ex: render.known_errors_counter(ex.state),
    "dataset-count": lambda ex: render.dataset_count(ex.state),
    "dataset-toolbar": lambda ex: render.dataset_toolbar(ex.state),
    "tiles": lambda ex: render.tiles(ex.state, ex.result, ex.window("tiles")),
    "threshold-controls": lambda ex: render.threshold_controls(ex.state),
    "threshold-table": lambda ex: render.threshold_table(ex.state, ex.result),
    "histograms": lambda ex: render.histograms(ex.state, ex.result),
    "center-tabs": lambda ex: render.center_tabs(ex.state),
    "panel-center": lambda ex: render.center_body(ex.state, ex.result, ex.window("table")),
    "summary": lambda ex: render.summary(ex.state, ex.result),
    "export": lambda ex: render.export_controls(ex.state),
    "results-tabs": lambda ex: render.results_tabs(ex.state, ex.result),
    "panel-results": lambda ex: render.results_body(ex.state, ex.result, ex.window("results")),
    "detail": lambda ex: render.detail(ex.state, ex.result),
}
AFTER_THRESHOLDS = (
    "threshold-table",
    "histograms",
    "panel-center",
    "summary",
    "results-tabs",
    "panel-results",
    "detail",
)
AFTER_TRAINING = tuple(name for name in REGIONS if name != "engine-settings")  # (its inputs keep what is typed)
AFTER_LIST = ("tiles", "dataset-count")
USER_CHANGES = ("click", "input", "change", "keydown", "drop")
"""Events through which the user changes their work or view: the session is saved after each."""
ON_ITEMS = ("click", "input", "change", "mouseover", "focusin", "keydown", "focusout", "scroll", "resize")
"""Events whose handlers act on the items the page shows: ignored while :meth:`Explorer.open` swaps the data,
since the page still shows the previous data's items. (Drag and drop still run: the page must keep taking a
dropped file rather than let the browser open it; leaving and hiding the page still save.)"""

# virtual list name -> (the element that scrolls, render function of the rows in a window)
VIRTUAL = {
    "tiles": ("tiles-scroll", lambda ex, window: render.tiles(ex.state, ex.result, window)),
    "results": ("panel-results", lambda ex, window: render.result_items(ex.state, ex.result, window)),
    "table": ("panel-center", lambda ex, window: render.table_rows(ex.state, ex.result, window)),
}


def set_stage(text):
    document.getElementById("stage").textContent = text


def set_state(state):
    document.body.dataset.state = state


def saved(revision):
    """Mark the page while a save is pending (``<body data-save-pending>``) and with the revision last saved
    (``<body data-saved>``): for tests and tools."""
    if revision is None:
        document.body.dataset.savePending = "1"
    else:
        document.body.removeAttribute("data-save-pending")
        document.body.dataset.saved = str(revision)


def show_error(exc):
    document.getElementById("error-message").textContent = render.error_message(exc)
    document.getElementById("error").hidden = False
    set_state("error")


async def fetch_bytes(url):
    response = await pyfetch(url)
    if not response.ok:
        raise OSError(f"{url}: HTTP {response.status}")
    return await response.bytes()


def download(name, text, mime):
    """Offer `text` as a file download, generated in the browser (nothing is sent anywhere)."""
    blob = js.Blob.new([text], js.Object.fromEntries([["type", f"{mime};charset=utf-8"]]))
    url = js.URL.createObjectURL(blob)
    link = document.createElement("a")
    link.href = url
    link.download = name
    document.body.appendChild(link)
    link.click()
    link.remove()
    js.setTimeout(create_once_callable(lambda: js.URL.revokeObjectURL(url)), 1000)


async def pause():
    """Let the browser handle input and paint: ``scheduler.yield()`` where the browser has it, else a new task."""
    scheduler = getattr(js, "scheduler", None)
    if scheduler is not None and hasattr(scheduler, "yield"):
        await getattr(scheduler, "yield")()
        return

    def wait(resolve, reject):
        js.setTimeout(resolve, 0)

    await js.Promise.new(create_once_callable(wait))


async def drive(steps, progress=None, cancelled=None, every=None):
    """Run a generator to its end, pausing for the browser every ``every`` seconds (default :data:`YIELD_EVERY`;
    0 pauses after every step, for generators that already yield by time); return its value.

    ``progress(value)`` is called with each value the generator yields that is not None; ``cancelled()``,
    if given, is checked at every pause and raises :class:`~cleanlens.crossval.Cancelled` when true.

    Python's cyclic garbage collector is held off meanwhile: with 100,000 rows in memory one full collection
    takes 150-300 ms in Pyodide, a frozen tab; this work makes little cyclic garbage (see :func:`settle`).
    """
    _GC_HOLDS[0] += 1
    gc.disable()
    try:
        last = time.perf_counter()
        while True:
            try:
                value = next(steps)
            except StopIteration as stop:
                return stop.value
            if progress is not None and value is not None:
                progress(value)
            if time.perf_counter() - last >= (YIELD_EVERY if every is None else every):
                await pause()
                if cancelled is not None and cancelled():
                    steps.close()
                    raise Cancelled()
                last = time.perf_counter()
    finally:
        _GC_HOLDS[0] -= 1
        if not _GC_HOLDS[0]:
            gc.enable()


_GC_HOLDS = [0]  # drives running (the collector is back on when none is)


def settle():
    """After data was loaded and analysed: move everything alive now out of the collector's sight.

    ``gc.freeze()``: the dataset and results live as long as the data is open, and later collections
    (during slider steps) need not walk them. Data that is dropped is still freed by reference counting;
    :func:`unsettle` hands it back to the collector before other data is opened.
    """
    gc.freeze()


def unsettle():
    gc.unfreeze()


def typed_class_names(text):
    """Class names typed into the dialog (comma- or line-separated), or None when the field is empty."""
    names = [name.strip() for line in str(text).splitlines() for name in line.split(",")]
    names = [name for name in names if name]
    return names or None


def differs(expected, probabilities, tolerance=1e-9):
    """The largest difference between two sets of probability rows if it exceeds ``tolerance``, else None."""
    worst = max(
        (abs(a - b) for row_a, row_b in zip(expected, probabilities) for a, b in zip(row_a, row_b)), default=0.0
    )
    return worst if worst > tolerance or len(expected) != len(probabilities) else None


def js_value(value):
    """None for JavaScript's null/undefined (which Pyodide passes as jsnull/None), else the value."""
    return None if value is None or value is jsnull else value


def closest(event, selector):
    """The nearest ancestor-or-self of the event's target matching selector, or None."""
    target = js_value(event.target)
    if target is None or not hasattr(target, "closest"):
        return None
    return js_value(target.closest(selector))


def focus_key(node):
    """A selector that finds the 'same' control after its region is re-rendered, or None."""
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


class Explorer:
    """The running explorer: the state, the DOM regions, training."""

    def __init__(self, state):
        self.state = state
        self.busy = False
        self.result = None
        self.training_problem = ""
        self.problem = ""  # a bug caught in a handler or task, shown in the warnings region
        self.link_notes = []
        self.data_notes = []
        self.byo_files = []
        self.byo_busy = False
        self.generation = 0  # bumped when other data is opened: a running training for older data stops
        self.training_task = None
        self.windows = {}  # virtual list name -> (start, stop, columns, count) drawn
        self._url_pending = False
        self._scroll_pending = False
        self.tile_nodes = {}
        self.tile_cats = {}
        self._proxies = []
        self.keeper = Keeper(
            on_change=lambda: self.state is not None and self.refresh(["warnings"]), on_saved=saved, spawn=self.spawn
        )
        self.restored = None  # (local time, notes) of the session restored for the open dataset
        self.confirming = None  # changes "Start over" would discard, while it asks
        self.storage_notice = True  # the storage problem is said once, until dismissed
        self.pop_target = None  # the element the popover explains (it has aria-describedby="pop")
        self.tour = None  # (steps, step shown) while the tour is open
        self.layout_task = None
        self.switching = False  # True while open() swaps the data: the page still shows the previous data

    # ------------------------------------------------------------------ rendering

    def mount(self):
        """Bind events (once) and enable the tools; :meth:`open` then shows the data."""
        document.getElementById("tools").innerHTML = render.tools()
        for kind, handler in (
            ("click", self.on_click),
            ("input", self.on_input),
            ("change", self.on_change),
            ("mouseover", self.on_hover),
            ("focusin", self.on_focus),
            ("keydown", self.on_key),
            ("dragover", self.on_dragover),
            ("drop", self.on_drop),
            ("dragleave", self.on_dragleave),
            ("focusout", self.on_blur),
        ):
            self.listen(document, kind, handler)
        start = js_value(document.querySelector('[data-action="tour-start"]'))
        if start is not None:  # the guide was painted before Python: its tour works from now on
            start.disabled = False
            document.getElementById(
                "tour-hint"
            ).textContent = "A walk over the real controls: ← → to move, Esc to leave."
        self.listen(document, "scroll", self.on_scroll, capture=True)
        self.listen(js.window, "resize", self.on_scroll)
        self.listen(js.window, "beforeunload", self.on_beforeunload)
        self.listen(js.window, "pagehide", lambda _event: self.keeper.flush())
        self.listen(document, "visibilitychange", lambda _event: self.keeper.flush())

    def listen(self, target, kind, handler, capture=False):
        if kind in USER_CHANGES:  # what the user does is saved (hovering, focusing and scrolling are not work)
            handler = self.saving(handler)
        if kind in ON_ITEMS:
            handler = self.not_while_switching(handler)
        proxy = create_proxy(self.guarded(handler))
        self._proxies.append(proxy)
        target.addEventListener(kind, proxy, capture)

    def show(self):
        """Render the whole explorer for the current state."""
        self.result = self.state.analysis()
        self.windows = {}
        document.getElementById("app").innerHTML = render.app(self.state)
        self.hide_popover()
        self.refresh(["run-controls", "engine-settings", "warnings"])
        self.place_all()
        self._index_tiles()

    def report_problem(self, exc):
        """A bug: log it, say so in the page; the page and the user's work stay."""
        js.console.error(traceback.format_exc())
        self.problem = render.internal_error(exc)
        node = js_value(document.getElementById("warnings"))
        if node is not None:
            node.innerHTML = REGIONS["warnings"](self)

    def saving(self, handler):
        """Wrap an event handler so that the session is saved (soon, batched) after it ran."""

        def run(event):
            handler(event)
            if self.state is not None:
                self.keeper.schedule(self.state)

        return run

    def guarded(self, handler):
        """Wrap an event handler so that a bug is shown (:meth:`report_problem`), never lost."""

        def run(event):
            try:
                handler(event)
            except Exception as exc:  # noqa: BLE001 (never let one event break the page)
                self.report_problem(exc)

        return run

    def not_while_switching(self, handler):
        """Wrap an event handler so that it is skipped while other data opens (:data:`ON_ITEMS`)."""

        def run(event):
            if not self.switching:
                handler(event)

        return run

    def spawn(self, coroutine):
        """Run a background task with the same error handling as an event handler."""

        async def run():
            try:
                await coroutine
            except Exception as exc:  # noqa: BLE001 (a failed task must be seen, not lost in the event loop)
                self.report_problem(exc)

        return asyncio.ensure_future(run())

    def refresh(self, names):
        """Re-render the named regions, keeping keyboard focus on the same control."""
        self.result = self.state.analysis()
        active = document.activeElement
        key = focus_key(active)
        for name in names:
            node = js_value(document.getElementById(name))
            if node is not None:
                node.innerHTML = REGIONS[name](self)
        for name in VIRTUAL:
            if name in names or VIRTUAL[name][0] in names:
                self.place(name)
        if "tiles" in names:
            self._index_tiles()
        if key and not active.isConnected:
            again = js_value(document.querySelector(key))
            if again is not None:
                again.focus()
        self.schedule_url_update()

    def session_notices(self):
        keeper = self.keeper
        restored, notes = self.restored or (None, ())
        conflict = None if keeper.conflict is None else local_time(keeper.conflict[1])
        return render.session_notices(
            keeper.problem if self.storage_notice else None, restored, notes, conflict, self.confirming
        )

    def schedule_url_update(self):
        """Write the view into the URL fragment, at most every 250 ms (browsers throttle replaceState)."""
        if self._url_pending:
            return
        self._url_pending = True

        def write():
            self._url_pending = False
            js.history.replaceState(None, "", "#" + self.state.to_fragment())

        js.setTimeout(create_once_callable(write), 250)

    def _index_tiles(self):
        self.tile_nodes = {int(node.dataset.i): node for node in document.querySelectorAll("#tiles > li.tile")}
        self.tile_cats = {i: node.dataset.cat for i, node in self.tile_nodes.items()}

    def patch_tiles(self):
        """Update the category of the drawn tiles whose category changed (or re-render when a filter depends on it)."""
        if self.state.filter_category is not None:
            self.refresh(AFTER_LIST)
            return
        for i, node in self.tile_nodes.items():
            cat = render.category_of(self.result, i)
            if self.tile_cats[i] != cat:
                node.dataset.cat = cat
                self.tile_cats[i] = cat

    def after_thresholds(self):
        self.refresh(AFTER_THRESHOLDS)
        self.patch_tiles()

    # ------------------------------------------------------------------ virtual lists

    def window(self, name):
        """The ``(start, stop)`` items drawn of virtual list `name`, or None (not drawn yet, or short)."""
        drawn = self.windows.get(name)
        return None if drawn is None else drawn[:2]

    def place(self, name):
        """Draw the rows of virtual list `name` that are in view (if it is long), and size its spacers."""
        container_id, draw = VIRTUAL[name]
        node = js_value(document.querySelector(f'[data-virtual="{name}"]'))
        if node is None:
            self.windows.pop(name, None)
            return
        count = int(node.dataset.count)
        if count <= render.VIRTUAL_MIN:
            self.windows.pop(name, None)
            node.style.paddingTop = node.style.paddingBottom = ""
            return
        container = document.getElementById(container_id)
        pitch, column, gap = float(node.dataset.row), float(node.dataset.col), float(node.dataset.gap)
        cols = max(1, math.floor((node.clientWidth + gap) / column)) if column else 1
        offset = (
            0.0
            if node.id == container_id
            else (node.getBoundingClientRect().top - container.getBoundingClientRect().top + container.scrollTop)
        )
        top = max(0, math.floor((container.scrollTop - offset) / pitch))
        bottom = max(top + 1, math.ceil((container.scrollTop - offset + container.clientHeight) / pitch))
        drawn = self.windows.get(name)
        if drawn is None or drawn[2:] != (cols, count) or drawn[0] > top * cols or drawn[1] < min(count, bottom * cols):
            start = max(0, top - OVERSCAN) * cols
            stop = min(count, (bottom + OVERSCAN) * cols)
            key = focus_key(document.activeElement) if node.contains(document.activeElement) else None
            self.windows[name] = (start, stop, cols, count)
            node.innerHTML = draw(self, (start, stop))
            if key:
                again = js_value(node.querySelector(key))
                if again is not None:
                    again.focus()
            if name == "tiles":
                self._index_tiles()
        start, stop = self.windows[name][:2]
        if node.tagName != "TBODY":  # a list: spacers as padding (a table draws spacer rows itself)
            rows = math.ceil(count / cols)
            node.style.paddingTop = f"{start // cols * pitch}px"
            node.style.paddingBottom = f"{max(0, rows - math.ceil(stop / cols)) * pitch}px"

    def place_all(self):
        for name in VIRTUAL:
            self.place(name)

    def on_scroll(self, event):
        """Redraw the virtual lists once per frame while anything scrolls (or the window is resized)."""
        if self._scroll_pending:
            return
        self._scroll_pending = True

        def frame(_timestamp):
            self._scroll_pending = False
            try:
                self.place_all()
                if self.tour is not None:
                    self.tour_place()
                if self.pop_target is not None:
                    self.place_popover()
            except Exception as exc:  # noqa: BLE001
                self.report_problem(exc)

        js.requestAnimationFrame(create_once_callable(frame))

    # ------------------------------------------------------------------ selection

    def select(self, i):
        """Pin item i (a click, or Enter): the Why? panel's actions apply to it; the URL names it. On a phone the
        panel opens over the bottom of the screen (``data-sheet``), in view of the image chosen."""
        document.getElementById("detail-panel").dataset.sheet = "open"
        self.state.preview = None
        if i == self.state.selected:
            self.refresh(["detail", "histograms"])
            return
        self.state.selected = i
        for node in document.querySelectorAll(".selected"):
            node.classList.remove("selected")
        for node in document.querySelectorAll(
            f'.tile[data-i="{i}"], .res[data-i="{i}"], .pt[data-i="{i}"], tr[data-i="{i}"]'
        ):
            node.classList.add("selected")
        self.refresh(["detail", "histograms"] + (["panel-center"] if self.state.center_tab == "scatter" else []))

    def show_preview(self, i):
        """Show item i (under the pointer or keyboard focus; None: no item) in the Why? panel, not pinning it."""
        if i == self.state.preview or (i is not None and i == self.state.selected and self.state.preview is None):
            return
        self.state.preview = None if i == self.state.selected else i
        self.refresh(["detail", "histograms"])

    def after_fix(self, items):
        """Show the labels and decisions of `items` (changed by a fix) wherever they appear."""
        for i in items:
            node = self.tile_nodes.get(i)
            if node is not None:
                node.querySelector("select").value = str(self.state.labels[i])
                node.querySelector("select").title = self.state.dataset.classes[self.state.labels[i]]
                node.classList.toggle("relabelled", self.state.labels[i] != self.state.dataset.given[i])
                node.classList.toggle("excluded", self.state.decisions.get(i) == "exclude")
        self.refresh(["run-controls", "warnings", "known-errors", "detail", "panel-results"])

    # ------------------------------------------------------------------ events

    def on_input(self, event):
        action = js_value(event.target.getAttribute("data-action"))
        if action not in ("class-percentile", "ood-percentile"):
            return
        value = int(event.target.value)
        if action == "class-percentile":
            self.state.set_class_percentile(value)
        else:
            self.state.set_ood_percentile(value)
        self.sync_sliders()
        self.after_thresholds()

    def sync_sliders(self):
        """Show the state's percentiles on both range inputs and their read-outs (they move each other)."""
        for name, value, shown in (
            ("class-percentile", self.state.q_class, render.class_slider_value(self.state)),
            ("ood-percentile", self.state.q_ood, str(self.state.q_ood)),
        ):
            document.getElementById(name).value = str(value)
            document.querySelector(f'[data-testid="{name}-value"]').textContent = shown

    def on_change(self, event):
        target = event.target
        handler = CHANGES.get(js_value(target.getAttribute("data-action")))
        if handler is not None:
            handler(self, target)

    def relabel(self, target):
        i = int(target.dataset.i)
        self.state.relabel(i, int(target.value))
        target.title = self.state.dataset.classes[self.state.labels[i]]
        self.tile_nodes[i].classList.toggle("relabelled", self.state.labels[i] != self.state.dataset.given[i])
        self.refresh(["run-controls", "warnings", "known-errors"] + (["detail"] if self.state.selected == i else []))

    def set_view(self, name, value, regions):
        setattr(self.state, name, value)
        self.refresh(regions)
        if name == "center_tab" and value == "scatter":
            self.ensure_layout()

    def on_click(self, event):
        box = js_value(document.getElementById("settings-box"))
        if box is not None and box.open and closest(event, "#settings-box") is None:
            box.open = False  # a click elsewhere closes the engine settings (they are kept)
        target = closest(event, "[data-action]")
        if target is None:
            return
        handler = CLICKS.get(target.getAttribute("data-action"))
        if handler is not None:
            handler(self, target)

    def choose_cell(self, target):
        self.state.cell = (int(target.dataset.g), int(target.dataset.s))
        self.state.result_tab = "cell"
        self.refresh(["panel-center", "results-tabs", "panel-results"])

    def sort_table(self, target):
        column = target.dataset.col
        current, ascending = self.state.table_sort
        self.state.table_sort = (column, not ascending if column == current else True)
        self.refresh(["panel-center"])

    def sweep_cell(self, target):
        self.state.set_class_percentile(int(target.dataset.qc))
        self.state.set_ood_percentile(int(target.dataset.qo))
        self.sync_sliders()
        self.after_thresholds()

    def decide(self, target):
        i = int(target.dataset.i)
        getattr(self.state, target.getAttribute("data-action"))(i)
        self.after_fix([i])

    def export(self, target):
        name, text = self.state.export(target.dataset.kind)
        download(name, text, "text/csv" if name.endswith(".csv") else "application/json")
        explore_link.send_export(name, text)  # explore hook: back to `cleanlens explore` (web/explore_link.py)
        self.keeper.schedule(self.state)  # the export cleared the "not exported" flag

    def on_hover(self, event):
        """Pointing at an image previews it in the Why? panel and explains it in a popover beside it; moving off the
        images shows the pinned one again."""
        target = closest(event, '[data-action="select"], .thumbs [data-i]')
        i = None if target is None else int(target.getAttribute("data-i"))
        self.show_preview(i)
        if target is not None and js.matchMedia("(hover: hover)").matches:
            self.show_popover(target, i)
        else:
            self.hide_popover()

    def on_focus(self, event):
        """Focusing an image previews it; from the keyboard (``:focus-visible``) the popover explains it too."""
        target = closest(event, '[data-action="select"]')
        i = None if target is None else int(target.getAttribute("data-i"))
        self.show_preview(i)
        if target is not None and target.matches(":focus-visible"):
            self.show_popover(target, i)
        elif target is None and self.pop_target is not None and not self.pop_target.matches(":hover"):
            self.hide_popover()

    def on_blur(self, event):
        if (
            self.pop_target is not None
            and js_value(event.target) == self.pop_target
            and not self.pop_target.matches(":hover")
        ):
            self.hide_popover()

    # ------------------------------------------------------------------ popover explainer

    def show_popover(self, target, i):
        """Explain item i next to `target` (``role="tooltip"``): it takes no focus and changes no selection."""
        pop = document.getElementById("pop")
        pop.innerHTML = render.popover(self.state, self.result, i)
        pop.hidden = False
        if self.pop_target is not None and self.pop_target != target:
            self.pop_target.removeAttribute("aria-describedby")
        self.pop_target = target
        if target.tagName != "circle":  # (an SVG point has its own title)
            target.setAttribute("aria-describedby", "pop")
        self.place_popover()

    def place_popover(self):
        """Put the popover beside its image: right of it if there is room, else left, else below or above."""
        target, pop = self.pop_target, document.getElementById("pop")
        if target is None or not target.isConnected:
            self.hide_popover()
            return
        rect = target.getBoundingClientRect()
        width, height = pop.offsetWidth, pop.offsetHeight
        view_w, view_h = js.window.innerWidth, js.window.innerHeight
        gap, edge = 10, 6
        if rect.right + gap + width <= view_w - edge:
            left, top = rect.right + gap, rect.top
        elif rect.left - gap - width >= edge:
            left, top = rect.left - gap - width, rect.top
        else:
            left = rect.left
            top = rect.bottom + gap if rect.bottom + gap + height <= view_h - edge else rect.top - gap - height
        pop.style.left = f"{max(edge, min(left, view_w - width - edge)):.0f}px"
        pop.style.top = f"{max(edge, min(top, view_h - height - edge)):.0f}px"

    def hide_popover(self):
        if self.pop_target is not None:
            self.pop_target.removeAttribute("aria-describedby")
            self.pop_target = None
        pop = js_value(document.getElementById("pop"))
        if pop is not None:
            pop.hidden = True

    def close_sheet(self, _target=None):
        """On a phone: close the details (the selection stays)."""
        document.getElementById("detail-panel").removeAttribute("data-sheet")
        tile = js_value(document.querySelector(f'#tiles button[data-i="{self.state.selected}"]'))
        if tile is not None:
            tile.focus()

    # ------------------------------------------------------------------ tour

    def tour_start(self, _target=None):
        """Start the anchored tour (from the guide): each step highlights a real part of the page."""
        guide = document.getElementById("guide")
        if guide.open:
            guide.close()
        self.hide_popover()
        self.tour = (render.tour_steps(self.state, self.result), 0)
        self.tour_show(0)

    def tour_show(self, n):
        steps = self.tour[0]
        n = max(0, min(n, len(steps) - 1))
        self.tour = (steps, n)
        for node in document.querySelectorAll("[data-tour-target]"):
            node.removeAttribute("data-tour-target")
        anchor = js_value(document.querySelector(steps[n][0]))
        card = document.getElementById("tour")
        card.innerHTML = render.tour_card(steps, n)
        card.hidden = False
        document.getElementById("tour-ring").hidden = False
        if anchor is not None:
            anchor.setAttribute("data-tour-target", "")
            anchor.scrollIntoView(js.Object.fromEntries([["block", "nearest"], ["inline", "nearest"]]))
        self.tour_place()
        card.querySelector('[data-testid="tour-next"]').focus()

    def tour_place(self):
        """Ring the step's anchor and put the card beside it (right, left, below or above, whichever fits; on a
        narrow screen at the bottom or top, away from the anchor)."""
        anchor = js_value(document.querySelector("[data-tour-target]"))
        card, ring = document.getElementById("tour"), document.getElementById("tour-ring")
        view_w, view_h = js.window.innerWidth, js.window.innerHeight
        width, height = card.offsetWidth, card.offsetHeight
        gap, edge = 14, 8
        if anchor is None:
            ring.hidden = True
            card.style.left, card.style.top = f"{(view_w - width) / 2:.0f}px", f"{edge}px"
            return
        rect = anchor.getBoundingClientRect()
        ring.style.left, ring.style.top = f"{rect.left - 4:.0f}px", f"{rect.top - 4:.0f}px"
        ring.style.width, ring.style.height = f"{rect.width + 8:.0f}px", f"{rect.height + 8:.0f}px"
        mid = max(rect.top, 0) + (min(rect.bottom, view_h) - max(rect.top, 0)) / 2
        spots = [
            (rect.right + gap, mid - height / 2),
            (rect.left - gap - width, mid - height / 2),
            (rect.left, rect.bottom + gap),
            (rect.left, rect.top - gap - height),
        ]
        for left, top in spots:
            left = (
                max(edge, min(left, view_w - width - edge))
                if top in (rect.bottom + gap, rect.top - gap - height)
                else left
            )
            top = (
                max(edge, min(top, view_h - height - edge))
                if left in (rect.right + gap, rect.left - gap - width)
                else top
            )
            fits = edge <= left and left + width <= view_w - edge and edge <= top and top + height <= view_h - edge
            overlaps = left < rect.right and left + width > rect.left and top < rect.bottom and top + height > rect.top
            if fits and not overlaps:
                break
        else:  # nothing beside it fits: the bottom of the screen, or the top when the anchor is low
            left = edge if view_w < width + 2 * edge else (view_w - width) / 2
            top = view_h - height - edge if mid < view_h / 2 else edge
        card.style.left, card.style.top = f"{left:.0f}px", f"{top:.0f}px"

    def tour_end(self, _target=None, refocus=True):
        """Close the tour; focus goes back to the Guide button (where the tour can be taken again)."""
        if self.tour is None:
            return
        self.tour = None
        for node in document.querySelectorAll("[data-tour-target]"):
            node.removeAttribute("data-tour-target")
        document.getElementById("tour").hidden = True
        document.getElementById("tour-ring").hidden = True
        if refocus:
            document.querySelector('[data-action="guide-open"]').focus()

    # ------------------------------------------------------------------ engine settings and map

    def engine_setting(self, target):
        """An engine setting was changed: keep it if valid (Train then uses it), else say why and keep the old one."""
        name = str(target.dataset.name)
        message = document.getElementById("engine-message")
        try:
            self.state.set_engine(name, target.value)
        except ValueError as exc:
            message.textContent = f"{exc}: kept {getattr(self.state, name):g}."
            target.setAttribute("aria-invalid", "true")
            return
        target.removeAttribute("aria-invalid")
        message.textContent = (
            "Press Train to use these settings."
            if self.state.engine_changed
            else "These are the settings of the results shown."
        )
        self.refresh(["run-controls"])

    def engine_defaults(self, _target=None):
        for name, value in ENGINE_DEFAULTS.items():
            setattr(self.state, name, value)
        box_open = document.getElementById("settings-box").open
        self.refresh(["engine-settings", "run-controls"])
        document.getElementById("settings-box").open = box_open
        document.querySelector('[data-testid="engine-defaults"]').focus()

    def ensure_layout(self):
        """Compute the map of data brought without one (PCA of its features) in the background, once."""
        state = self.state
        if (
            state.map_layout() is not None
            or state.given_probabilities is not None
            or not state.dataset.features
            or (self.layout_task is not None and not self.layout_task.done())
        ):
            return
        self.layout_task = self.spawn(self.compute_layout(state))

    async def compute_layout(self, state):
        started = time.perf_counter()
        result = await drive(layout.iter_pca(state.dataset.features))
        seconds = time.perf_counter() - started
        share = sum(result.explained)
        state.layout = result.positions
        state.layout_note = (
            f"the first two principal components of your {result.dimensions} standardised features "
            f"({share:.0%} of their variance), computed here in {seconds:.2f} s"
        )
        if state is self.state and state.center_tab == "scatter":
            self.refresh(["panel-center"])

    def on_key(self, event):
        target = js_value(event.target)
        if event.key == "Escape" and self.pop_target is not None:
            self.hide_popover()
        if self.tour is not None:
            if event.key == "Escape":
                event.preventDefault()
                self.tour_end()
                return
            if closest(event, "#tour") is not None and event.key in ("ArrowRight", "ArrowLeft"):
                event.preventDefault()
                self.tour_show(self.tour[1] + (1 if event.key == "ArrowRight" else -1))
                return
        tab_action = js_value(target.getAttribute("data-action")) if hasattr(target, "getAttribute") else None
        if tab_action in ("tab-center", "tab-results") and event.key in ("ArrowLeft", "ArrowRight", "Home", "End"):
            keys = CENTER_TABS if tab_action == "tab-center" else RESULT_TABS
            n = keys.index(target.dataset.tab)
            n = {"ArrowLeft": n - 1, "ArrowRight": n + 1, "Home": 0, "End": len(keys) - 1}[event.key] % len(keys)
            event.preventDefault()
            document.querySelector(f'[data-action="{tab_action}"][data-tab="{keys[n]}"]').click()
            document.querySelector(f'[data-action="{tab_action}"][data-tab="{keys[n]}"]').focus()
        elif tab_action == "sweep-cell" and event.key in ("ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"):
            qc, qo = int(target.dataset.qc), int(target.dataset.qo)
            dc, do = {"ArrowLeft": (0, -5), "ArrowRight": (0, 5), "ArrowUp": (5, 0), "ArrowDown": (-5, 0)}[event.key]
            nxt = js_value(
                document.querySelector(f'[data-action="sweep-cell"][data-qc="{qc + dc}"][data-qo="{qo + do}"]')
            )
            event.preventDefault()
            if nxt is not None:
                target.tabIndex = -1
                nxt.tabIndex = 0
                nxt.focus()

    def on_dragover(self, event):
        event.preventDefault()  # allow dropping files anywhere on the page
        transfer = js_value(event.dataTransfer)
        if transfer is not None and "Files" in list(transfer.types):
            transfer.dropEffect = "copy"
            document.body.dataset.dropping = "1"  # the drop zone shows (static/app.css)

    def on_dragleave(self, event):
        if js_value(event.relatedTarget) is None:  # left the window
            document.body.removeAttribute("data-dropping")

    def on_drop(self, event):
        event.preventDefault()
        document.body.removeAttribute("data-dropping")
        files = list(event.dataTransfer.files) if js_value(event.dataTransfer) is not None else []
        if files:
            self.byo_files = files
            dialog = document.getElementById("byo")
            if not dialog.open:
                dialog.showModal()
            self.spawn(self.load_user_files())

    # ------------------------------------------------------------------ data sets

    async def open_demo(self):
        """(Re)open the demo dataset (with its saved session, if any)."""
        await self.open(await demo_state(), [])

    async def open(self, state, notes, files=None, link=None, prerendered=None):
        """Show a dataset: restore its saved session (labels, decisions, view, results) or start one.

        A training still running for the previous data is stopped first. A dataset without a saved session
        keeps the view settings the user had. ``files``: ``(names, buffers, mode, renormalize)`` of the user's
        own files, kept in the browser so that a reload does not ask for them; ``link``: a URL fragment, whose
        view wins over the saved one; ``prerendered``: the demo's results computed when the site was built,
        shown (live) at once when they are what this dataset would show, and then computed again here.
        """
        await self.stop_training()
        unsettle()
        set_state("loading")  # (not "ready" while the previous data is still on screen)
        set_stage("Loading data…")
        self.switching = True
        try:
            trained = await self._swap(state, notes, files, link)
        finally:
            self.switching = False
        self.show()
        if state.center_tab == "scatter":
            self.ensure_layout()
        if trained is not None and trained[2].get("seed", state.seed) == state.seed:
            if await self.restore_training(*trained):
                set_state("ready")
                self.refresh(AFTER_TRAINING)
                settle()
            else:  # the results were not kept: compute the same ones again
                self.start_training(inputs=trained[:2])
        elif trained is None and self.built_results_fit(prerendered):
            await drive(
                state.finish_training_steps(prerendered["labels"], prerendered["probabilities"], prerendered["info"])
            )
            self.refresh(AFTER_TRAINING)
            self.start_training(expected=prerendered["probabilities"])
        else:
            self.start_training()
        mark_live()

    async def _swap(self, state, notes, files, link):
        """:meth:`open`'s part before the new data is shown: make ``state`` current and restore its session.
        Returns ``(labels, excluded, info)`` of the saved results to restore, or None."""
        previous, self.state = self.state, state
        self.data_notes = notes
        self.training_problem = ""
        self.restored = self.confirming = None
        key = session.dataset_key(state)
        await self.keeper.close()
        await self.keeper.open(key, "demo" if state.is_demo else "files")
        if files is not None:
            await self.keeper.keep_files(key, *files)
        record = await self.keeper.record(key)
        self.keeper.set_resume(key != "demo" or record is not None)
        trained = None
        if record is not None:
            try:
                session.check(record, state, key)
                restore_notes = session.apply(record, state)
                trained = session.training_of(record, state)
                if trained is not None:  # the settings those results were trained with (the view does not keep them)
                    state.adopt_engine(trained[2])
                self.restored = (local_time(record.get("saved", "")), restore_notes)
            except session.SessionError as exc:
                self.data_notes = notes + [
                    f"A session saved for this data could not be restored ({exc}) and was discarded."
                ]
                await self.keeper.forget(key)
        elif previous is not None:
            for name in ("q_class", "q_ood", "rule", "seed", "center_tab", "sweep_metric"):
                setattr(state, name, getattr(previous, name))
        if link:
            self.link_notes = state.apply_fragment(link)
        self.tour_end(refocus=False)
        return trained

    def built_results_fit(self, prerendered):
        """True if the results computed when the site was built are exactly what the open data would show."""
        state = self.state
        info = (prerendered or {}).get("info", {})
        return (
            prerendered is not None
            and state.is_demo
            and prerendered.get("sha256") == state.source_sha256
            and prerendered.get("labels") == state.labels
            and not state.decisions
            and info.get("seed") == state.seed
            and (info.get("C"), info.get("gamma"), info.get("folds")) == (state.svm_C, state.svm_gamma, state.n_folds)
        )

    async def restore_training(self, labels, excluded, info):
        """Show the saved results without training again: True if they could be restored."""
        state = self.state
        if state.given_probabilities is not None:
            probabilities = [None if i in excluded else row for i, row in enumerate(state.given_probabilities)]
        else:
            probabilities = await self.keeper.results(
                self.keeper.key, labels, excluded, info, len(state.dataset.classes)
            )
            if probabilities is None:
                return False
        try:
            await drive(state.finish_training_steps(labels, probabilities, info, excluded))
        except TrainingError:
            return False
        return True

    async def stop_training(self):
        """Stop a running training (it ends at its next pause) and wait for it."""
        self.generation += 1
        task = self.training_task
        if task is not None and not task.done():
            try:
                await task
            except Exception:  # noqa: BLE001 (its own handler has reported it)
                pass

    async def read_files(self, names, buffers, mode, renormalize, class_names=None, progress=None, sizes=None):
        """Validate the user's files in steps; returns ``(state, notes)`` (notes: the loader's explanations
        and warnings). Raises :class:`~cleanlens.userdata.UserDataError` for unusable files.

        ``buffers``: each file's bytes as a JavaScript ArrayBuffer, or None for a file not read (``sizes``
        then gives its size); ``class_names``: the names the user typed for ``.npy`` data, or None. The bytes
        stay in JavaScript: the loader reads them through a source whose ``read(start, end)`` copies only that
        slice into Python, so a refused file never grows the wasm memory by its size.
        """
        sources = []
        for name, buffer, size in zip(names, buffers, sizes or [int(b.byteLength) for b in buffers]):

            def read(start, end, buffer=buffer):
                return js.Uint8Array.new(buffer, start, end - start).to_bytes()

            sources.append((name, SimpleNamespace(size=size, read=read)))
        # issue 22: scikit-learn's limits unless the training worker failed (it loads scikit-learn on demand)
        if worker_client.client.status["state"] == "failed":
            limits = {"max_embedding_rows": BUILTIN_EMBEDDING_ROWS}
        else:
            limits = {"max_embedding_rows": SKLEARN_EMBEDDING_ROWS, "max_feature_values": SKLEARN_FEATURE_VALUES}
        steps = userdata.iter_load_files(sources, mode=mode, renormalize=renormalize, class_names=class_names, **limits)
        loaded = await drive(steps, progress)
        state = ExplorerState(
            loaded.dataset,
            source_name=loaded.source_name,
            source_sha256=loaded.source_sha256,
            given_probabilities=loaded.probabilities,
            is_demo=False,
        )
        return state, [*loaded.notes, *loaded.warnings]

    async def load_user_files(self, renormalize=False):
        """Read the chosen files (:meth:`read_files`) and open them; on any problem keep what was loaded.

        Every exception is caught here: a UserDataError is shown as is; anything else is shown as an internal
        error and logged; the progress bar and busy flag are always cleared.
        """
        if self.byo_busy:
            return
        message = document.getElementById("byo-message")
        progress = document.getElementById("byo-progress")
        files = self.byo_files
        if not files:
            message.innerHTML = render.byo_error("Choose one .csv or .json file, or two .npy files, first.", False)
            return
        self.byo_busy = True
        try:
            message.innerHTML = ""
            progress.value = 0
            progress.hidden = False
            names = [str(f.name) for f in files]
            sizes = [int(f.size) for f in files]
            # A file over the size limit, or any file of more than three (no accepted combination has more),
            # is not even read: the loader refuses them from their size and names alone.
            buffers = [
                await f.arrayBuffer() if size <= userdata.MAX_FILE_BYTES and len(files) <= 3 else None
                for f, size in zip(files, sizes)
            ]
            mode = document.querySelector('input[name="byo-mode"]:checked').value
            class_names = typed_class_names(document.getElementById("byo-classes").value)

            def show_progress(value):
                progress.value = value

            state, notes = await self.read_files(names, buffers, mode, renormalize, class_names, show_progress, sizes)
        except userdata.UserDataError as exc:
            message.innerHTML = render.byo_error(str(exc), exc.renormalizable)
            return
        except Exception as exc:  # noqa: BLE001 (last resort: a bug; keep the previous data and say so)
            js.console.error(f"cleanlens: loading your data failed:\n{traceback.format_exc()}")
            text = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
            message.innerHTML = render.byo_error(
                f"Internal error while reading the files ({text}); the data you had is still loaded.", False
            )
            return
        finally:
            progress.hidden = True
            self.byo_busy = False
        document.getElementById("byo").close()
        await self.open(state, notes, files=(names, buffers, mode, renormalize, class_names))

    async def reopen(self, key):
        """Open a dataset from the recent list (the demo, or files kept in the browser)."""
        if key == "demo":
            await self.open_demo()
            return
        stored = await self.keeper.files(key)
        if stored is None:
            self.data_notes = ["The files of that dataset are no longer kept in this browser: load them again."]
            self.refresh(["warnings"])
            return
        try:
            state, notes = await self.read_files(*stored)
        except userdata.UserDataError as exc:
            self.data_notes = [f"The kept files could not be read again: {exc}"]
            self.refresh(["warnings"])
            return
        await self.open(state, notes)

    async def show_recent(self):
        """Fill the dialog's list of recent datasets."""
        entries = await self.keeper.recent()
        for entry in entries:
            entry["saved"] = local_time(entry["saved"])
        document.getElementById("byo-recent").innerHTML = render.recent_datasets(entries, self.keeper.key)

    async def forget(self, key):
        await self.keeper.forget(key)
        await self.show_recent()

    def start_over(self, _target=None):
        """Ask to confirm, then discard this dataset's saved work and open it afresh."""
        self.confirming = len(set(self.state.label_changes()) | set(self.state.decisions))
        self.refresh(["warnings"])
        document.querySelector('[data-action="start-over-no"]').focus()

    async def start_over_confirmed(self):
        state = self.state
        await self.stop_training()
        await self.keeper.forget(self.keeper.key)
        fresh = ExplorerState(
            state.dataset,
            source_name=state.source_name,
            source_sha256=state.source_sha256,
            given_probabilities=state.given_probabilities,
            is_demo=state.is_demo,
        )
        await self.open(fresh, [])

    async def keep_mine(self):
        """Resolve a conflict with another tab by saving this tab's work over it."""
        self.keeper.conflict = None
        self.keeper.schedule(self.state)
        await self.keeper.save(force=True)
        self.refresh(["warnings"])

    def on_beforeunload(self, event):
        """Ask before leaving while there are changes not yet exported (they are also kept in the browser).
        A view change still waiting for its URL update is handed to the next page of this tab (a reload
        navigates to the URL as it was when the reload began, so writing the URL now is too late)."""
        if self._url_pending and self.state is not None:
            left = {"from": str(js.location.hash), "to": "#" + self.state.to_fragment()}
            try:
                js.sessionStorage.setItem(UNLOAD_VIEW_KEY, json.dumps(left))
            except Exception:  # noqa: BLE001 (storage disabled: the reload shows the view before the change)
                pass
        self.keeper.flush()
        if self.state is not None and self.state.unexported:
            event.preventDefault()
            event.returnValue = "Your changes are not exported yet."

    # ------------------------------------------------------------------ theme and guide

    def toggle_theme(self, _target=None):
        root = document.documentElement
        current = js_value(root.getAttribute("data-theme")) or (
            "dark" if js.matchMedia("(prefers-color-scheme: dark)").matches else "light"
        )
        theme = "light" if current == "dark" else "dark"
        root.dataset.theme = theme
        js.localStorage.setItem(THEME, theme)
        document.getElementById("tools").innerHTML = render.tools()
        document.querySelector('[data-action="theme"]').focus()

    # ------------------------------------------------------------------ training

    def start_training(self, seed=None, save=False, inputs=None, expected=None):
        """Start :meth:`train` as a background task (one at a time); see there for the arguments."""
        if not self.busy:
            self.training_task = self.spawn(self.train(seed, save, inputs, expected))

    async def train(self, seed=None, save=False, inputs=None, expected=None):
        """Cross-validate (or, for probabilities from a file, analyse) the current labels, yielding to the browser.

        Works on a copy of the labels: relabelling during training marks the new results stale. Opening other
        data stops it (:meth:`stop_training`); an unusable labelling is explained and the previous results stay.
        ``save``: save the session when done (a training the user asked for; the first one of a dataset is
        not work to keep). ``inputs``: ``(labels, excluded)`` to train on instead of the current ones (to
        recompute a restored session's results: the same inputs and seed give the same results). ``expected``:
        the probabilities this training must reproduce (those computed when the site was built): a difference
        is a determinism bug, reported in the page and the console.
        """
        if self.busy:
            return
        self.busy = True
        generation = self.generation
        state = self.state
        labels, excluded = inputs or (list(state.labels), state.excluded)
        seed = state.seed if seed is None else seed

        def cancelled():
            return generation != self.generation

        try:
            if state.given_probabilities is not None:  # probabilities mode: nothing to train, analyse the labels
                probabilities = [None if i in excluded else row for i, row in enumerate(state.given_probabilities)]
                info = {"engine": "file", "source": state.source_name, "seed": seed}
            else:
                probabilities, info = await self._cross_validate(labels, excluded, seed, cancelled)
            await drive(state.finish_training_steps(labels, probabilities, info, excluded), cancelled=cancelled)
            self.training_problem = ""
            mismatch = None if expected is None else differs(expected, probabilities)
            if mismatch is not None:  # the same inputs must give the same results, here as at build time
                self.training_problem = render.determinism_problem(mismatch)
                js.console.error(
                    f"cleanlens: the results trained here differ from those computed when the site was "
                    f"built, by up to {mismatch:.3g}"
                )
        except Cancelled:
            return  # other data was opened meanwhile; it has its own results
        except (CrossValError, TrainingError) as exc:  # unusable labelling: say why, keep the previous results
            self.training_problem = render.training_problem(str(exc))
        finally:
            self.busy = False
        set_state("ready")
        self.refresh(AFTER_TRAINING)
        settle()
        js.performance.mark("cleanlens:trained")
        if not self.training_problem:
            if state.given_probabilities is None:  # a reload then shows these results without training again
                await self.keeper.keep_results(self.keeper.key, state.training)
            if save:
                self.keeper.schedule(state)

    async def _cross_validate(self, labels, excluded, seed, cancelled):
        """Run the cross-validation in slices of computing time, showing progress; return ``(probabilities, info)``
        (all items). The engine yields after every slice (``crossval.DEFAULT_SLICE_SECONDS``) and the browser
        gets its turn after each."""
        set_state("training")
        set_stage("Training…")
        self.refresh(["run-controls"])
        dataset = self.state.dataset
        active = [i for i in range(len(labels)) if i not in excluded]
        state = self.state
        features, active_labels = [dataset.features[i] for i in active], [labels[i] for i in active]
        shown = {"text": "", "at": 0.0}

        def show_progress(step):
            # Touch the DOM only every so often: each change costs the next frame a repaint
            # (~14 ms in Chromium with 1,000 tiles on the page, 2026-11-28).
            if time.perf_counter() - shown["at"] >= PROGRESS_EVERY:
                progress = document.getElementById("progress")
                if progress is not None:
                    progress.value = step.fraction
                if step.stage == "loading":
                    text = render.engine_status(worker_client.client.status).capitalize()
                else:
                    text = f"Training: {step.fold} of {step.n_folds} folds done…"
                if text != shown["text"]:
                    set_stage(text)
                    shown["text"] = text
                shown["at"] = time.perf_counter()

        # ---- training worker hook (issue 22): every cross-validation runs in the worker (static/worker.js),
        # whichever engine; the page's thread only if the worker cannot start. Contract: worker_client.train.
        client = worker_client.client
        if client.status["state"] != "failed":
            client.start()
            settings = {"C": state.svm_C, "gamma": state.svm_gamma, "folds": state.n_folds, "seed": seed}
            _GC_HOLDS[0] += 1  # as drive() does: a full collection walks every row (100 ms at 20,000 x 32)
            gc.disable()
            try:
                result = await client.train(
                    features, active_labels, len(dataset.classes), settings, show_progress, pause, cancelled
                )
                return self._all_items(labels, active, result, "worker")
            except worker_client.WorkerUnavailable:
                self.refresh(["run-controls"])  # the read-out says so; train here instead
            finally:
                _GC_HOLDS[0] -= 1
                if not _GC_HOLDS[0]:
                    gc.enable()
        if len(active) > BUILTIN_EMBEDDING_ROWS:
            raise CrossValError(
                f"{len(active):,} items need scikit-learn in a worker (the built-in engine trains at most "
                f"{BUILTIN_EMBEDDING_ROWS:,}), and the worker could not start: {client.status.get('reason')}"
            )
        # ---- end of the hook
        steps = iter_out_of_sample_probabilities(
            features,
            active_labels,
            len(dataset.classes),
            seed=seed,
            C=state.svm_C,
            gamma=state.svm_gamma,
            n_folds=state.n_folds,
        )
        result = await drive(steps, show_progress, cancelled, every=0.0)
        return self._all_items(labels, active, result, "page")

    @staticmethod
    def _all_items(labels, active, result, where):
        """``(probabilities, info)`` of a CVResult of the ``active`` items: a row per item (None if left out)."""
        js.performance.mark("cleanlens:computed")  # (benchmarks: the training, before the page shows its results)
        info = dict(training_info(result, sklearn_available()), where=where)
        probabilities = [None] * len(labels)
        for i, row in zip(active, result.probabilities):
            probabilities[i] = row
        return probabilities, info

    def show_worker_status(self, status):
        """The training worker's status changed: update the engine read-out's note (issue 22)."""
        note = js_value(document.getElementById("engine-note"))
        engine = js_value(document.querySelector('[data-testid="engine"]'))
        if note is None or engine is None or self.state is None or self.state.given_probabilities is not None:
            if engine is not None and self.state is not None:
                self.refresh(["run-controls"])
            return
        text = f"({render.engine_status(status)})"
        if str(note.textContent) != text:
            note.textContent = text
            engine.title = " ".join(str(engine.textContent).removeprefix("Engine: ").split())


# data-action -> handler(explorer, element) for clicks and changes
CLICKS = {
    "select": lambda ex, t: ex.select(int(t.getAttribute("data-i"))),
    "train": lambda ex, t: ex.start_training(save=True),
    "reseed": lambda ex, t: ex.start_training(seed=ex.state.seed + 1, save=True),
    "cell": Explorer.choose_cell,
    "tab-center": lambda ex, t: ex.set_view("center_tab", t.dataset.tab, ["center-tabs", "panel-center"]),
    "tab-results": lambda ex, t: ex.set_view("result_tab", t.dataset.tab, ["results-tabs", "panel-results"]),
    "table-sort": Explorer.sort_table,
    "sweep-cell": Explorer.sweep_cell,
    "accept": Explorer.decide,
    "keep": Explorer.decide,
    "exclude": Explorer.decide,
    "undo": Explorer.decide,
    "accept-all": lambda ex, t: ex.after_fix(ex.state.accept_all()),
    "undo-all": lambda ex, t: ex.after_fix(ex.state.undo_bulk()),
    "export": Explorer.export,
    "theme": Explorer.toggle_theme,
    "guide-open": lambda ex, t: (ex.tour_end(refocus=False), document.getElementById("guide").showModal()),
    "tour-start": Explorer.tour_start,
    "tour-next": lambda ex, t: ex.tour_show(ex.tour[1] + 1),
    "tour-back": lambda ex, t: ex.tour_show(ex.tour[1] - 1),
    "tour-end": Explorer.tour_end,
    "sheet-close": Explorer.close_sheet,
    "engine-defaults": Explorer.engine_defaults,
    "byo-open": lambda ex, t: (document.getElementById("byo").showModal(), ex.spawn(ex.show_recent())),
    "session-open": lambda ex, t: (document.getElementById("byo").close(), ex.spawn(ex.reopen(str(t.dataset.key)))),
    "session-delete": lambda ex, t: ex.spawn(ex.forget(str(t.dataset.key))),
    "start-over": Explorer.start_over,
    "start-over-yes": lambda ex, t: ex.spawn(ex.start_over_confirmed()),
    "start-over-no": lambda ex, t: (setattr(ex, "confirming", None), ex.refresh(["warnings"])),
    "notice-ok": lambda ex, t: (
        setattr(ex, "restored", None),
        setattr(ex, "storage_notice", False),
        ex.refresh(["warnings"]),
    ),
    "session-theirs": lambda ex, t: ex.spawn(ex.reopen(ex.keeper.key)),
    "session-mine": lambda ex, t: ex.spawn(ex.keep_mine()),
    "byo-close": lambda ex, t: document.getElementById("byo").close(),
    "byo-load": lambda ex, t: ex.spawn(ex.load_user_files()),
    "byo-renormalize": lambda ex, t: ex.spawn(ex.load_user_files(renormalize=True)),
    "byo-demo": lambda ex, t: (document.getElementById("byo").close(), ex.spawn(ex.open_demo())),
}
CHANGES = {
    "relabel": Explorer.relabel,
    "engine-setting": Explorer.engine_setting,
    "sweep-metric": lambda ex, t: ex.set_view("sweep_metric", t.value, ["panel-center"]),
    "rule": lambda ex, t: (
        ex.state.set_rule("cleanlab" if t.checked else "percentile"),
        ex.refresh(["threshold-controls"]),
        ex.after_thresholds(),
    ),
    "byo-files": lambda ex, t: (
        setattr(ex, "byo_files", list(t.files)),
        setattr(document.getElementById("byo-message"), "innerHTML", ""),
    ),
    "filter-class": lambda ex, t: ex.set_view("filter_class", int(t.value) if t.value != "" else None, AFTER_LIST),
    "filter-category": lambda ex, t: ex.set_view("filter_category", t.value or None, AFTER_LIST),
    "sort": lambda ex, t: ex.set_view("sort", t.value, AFTER_LIST),
}


async def demo_state():
    """A fresh explorer state for the demo dataset (fetched from the site, validated)."""
    name = DEMO_DATASET.rsplit("/", 1)[-1]
    data = await fetch_bytes(DEMO_DATASET)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DatasetError(f"{name}: not UTF-8 text") from None
    return ExplorerState(parse_dataset(text, name), source_name=name, source_sha256=hashlib.sha256(data).hexdigest())


def expose_diagnostics(explorer):
    """For benchmarks and tests: ``window.cleanlensWasmBytes()``, the size of Python's memory (it only grows);
    ``window.cleanlensTimings()``, JSON of the last writes to the browser's storage (what -> [ms, bytes]);
    ``window.cleanlensWorkerStatus()``, JSON of the training worker's status (its ``memory``: its Python's)."""
    import json  # noqa: PLC0415

    import pyodide_js  # noqa: PLC0415 (exists only in the browser)

    js.window.cleanlensWasmBytes = create_proxy(lambda: pyodide_js._module.HEAP8.length)
    js.window.cleanlensTimings = create_proxy(lambda: json.dumps(explorer.keeper.timings))
    js.window.cleanlensWorkerStatus = create_proxy(lambda: json.dumps(worker_client.client.status))  # issue 22


def local_time(iso):
    """An ISO 8601 UTC time as the browser shows dates and times to this user."""
    if not iso:
        return "an earlier visit"
    return str(js.Date.new(iso).toLocaleString())


def page_json(node_id):
    """The JSON data block ``<script type="application/json" id=node_id>`` that build.py put into the page, or None."""
    node = js_value(document.getElementById(node_id))
    if node is None:
        return None
    try:
        return json.loads(str(node.textContent))
    except ValueError:
        return None


def prerendered():
    """The demo results computed when the site was built (the page's ``#prerendered`` JSON), or None."""
    return page_json("prerendered")


def when_idle(callback):
    """Call ``callback()`` when the browser is next idle (``requestIdleCallback``; a second later without it)."""
    run = create_once_callable(lambda *_: callback())
    if hasattr(js, "requestIdleCallback"):
        js.requestIdleCallback(run, js.Object.fromEntries([["timeout", 5000]]))
    else:
        js.setTimeout(run, 1000)


def mark_live():
    """The controls work now: ``<body data-live>`` and a performance mark (the load benchmark reads both)."""
    if not document.body.hasAttribute("data-live"):
        document.body.dataset.live = "1"
        js.performance.mark("cleanlens:live")
    document.documentElement.removeAttribute("data-resuming")


async def start():
    """Open the dataset of the last visit (restoring its session) or the demo; any failure shows the error panel."""
    try:
        set_stage("Loading data…")
        render.use_sprites(page_json("sprites"))
        explorer = Explorer(None)
        expose_diagnostics(explorer)
        await explorer.keeper.start()
        state, notes = None, []
        key = await explorer.keeper.current()
        stored = None if key in (None, "demo") else await explorer.keeper.files(key)
        if explore_link.token() is not None:  # explore hook: opened by `cleanlens explore` (web/explore_link.py)
            stored = await explore_link.fetch_files(explore_link.token())
        if stored is not None:
            try:
                state, notes = await explorer.read_files(*stored)
            except Exception as exc:  # noqa: BLE001 (whatever happened to the kept files, the demo still opens)
                js.console.error(traceback.format_exc())
                notes = [f"The data you had open could not be read again ({exc}); here is the demo."]
        explorer.mount()
        js.performance.mark("cleanlens:data")
        worker_client.client.on_status = explorer.show_worker_status  # issue 22: the read-out follows the worker
        await explorer.open(state or await demo_state(), notes, link=str(js.location.hash), prerendered=prerendered())
        worker_client.client.start()  # issue 22: once the controls are live (a first training may have started it)
        if explorer.training_task is not None:
            await explorer.training_task
        when_idle(worker_client.client.preload)  # issue 22: scikit-learn, unless the browser asks to save data
    except Exception as exc:  # noqa: BLE001 (every start-up failure must reach the user)
        show_error(exc)
        js.console.error(traceback.format_exc())
