"""The page's start-up and event wiring (browser only: imports ``js`` and ``pyodide``).

State lives in :class:`~cleanlens.web.state.ExplorerState`, HTML comes from
:mod:`cleanlens.web.render`; this module binds the two to the DOM. One
delegated listener per event type on the document dispatches on the
``data-action`` of the element the event came from. After each change only
the regions that depend on it are re-rendered (see :data:`REGIONS`); the
dataset tiles, the largest region, are patched in place when only their
categories changed.
"""

import asyncio
import hashlib
import time
import traceback

import js
from pyodide.ffi import create_once_callable, create_proxy, jsnull
from pyodide.http import pyfetch

from cleanlens import __version__
from cleanlens.crossval import CrossValError, iter_out_of_sample_probabilities, sklearn_available
from cleanlens.dataset import DatasetError, parse_dataset
from cleanlens import userdata
from cleanlens.web import BUILTIN_EMBEDDING_ROWS, DEMO_DATASET, SKLEARN_EMBEDDING_ROWS, render
from cleanlens.web.state import CENTER_TABS, RESULT_TABS, ExplorerState

document = js.document
GUIDE_SEEN = "cleanlens-guide-seen"
THEME = "cleanlens-theme"
YIELD_EVERY = 0.05  # seconds of training between two chances for the browser to paint

# region id -> render function of the Explorer; re-rendered by Explorer.refresh(names)
REGIONS = {
    "run-controls": lambda ex: render.run_controls(ex.state, True, ex.busy),
    "warnings": lambda ex: (render.warnings_panel(ex.state) + ex.training_problem + render.link_notes(ex.link_notes)
                            + render.data_notes(ex.data_notes)),
    "known-errors": lambda ex: render.known_errors_counter(ex.state),
    "dataset-toolbar": lambda ex: render.dataset_toolbar(ex.state),
    "tiles": lambda ex: render.tiles(ex.state, ex.result),
    "threshold-table": lambda ex: render.threshold_table(ex.state, ex.result),
    "histograms": lambda ex: render.histograms(ex.state, ex.result),
    "center-tabs": lambda ex: render.center_tabs(ex.state),
    "panel-center": lambda ex: render.center_body(ex.state, ex.result),
    "summary": lambda ex: render.summary(ex.state, ex.result),
    "export": lambda ex: render.export_controls(ex.state),
    "results-tabs": lambda ex: render.results_tabs(ex.state, ex.result),
    "panel-results": lambda ex: render.results_body(ex.state, ex.result),
    "detail": lambda ex: render.detail(ex.state, ex.result),
}
AFTER_THRESHOLDS = ("threshold-table", "histograms", "panel-center", "summary", "results-tabs", "panel-results", "detail")
AFTER_TRAINING = tuple(REGIONS)


def set_stage(text):
    document.getElementById("stage").textContent = text


def set_state(state):
    document.body.dataset.state = state


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


async def next_frame():
    """Resolve after the browser has had a chance to paint (rAF, then a task)."""
    def wait(resolve, reject):
        js.requestAnimationFrame(create_once_callable(lambda _t: js.setTimeout(resolve, 0)))
    await js.Promise.new(create_once_callable(wait))


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
        self.link_notes = []
        self.data_notes = []
        self.byo_files = []
        self.byo_busy = False
        self._url_pending = False
        self.tile_nodes = {}
        self.tile_cats = {}
        self._proxies = []

    # ------------------------------------------------------------------ rendering

    def mount(self):
        """Replace the pre-rendered (disabled) markup with the live one and bind events (once)."""
        self.show()
        document.getElementById("tools").innerHTML = render.tools()
        for kind, handler in (("click", self.on_click), ("input", self.on_input), ("change", self.on_change),
                              ("mouseover", self.on_hover), ("focusin", self.on_focus), ("keydown", self.on_key),
                              ("dragover", self.on_dragover), ("drop", self.on_drop)):
            proxy = create_proxy(self.guarded(handler))
            self._proxies.append(proxy)
            document.addEventListener(kind, proxy)
        dialog = document.getElementById("guide")
        proxy = create_proxy(lambda _event: js.localStorage.setItem(GUIDE_SEEN, "1"))
        self._proxies.append(proxy)
        dialog.addEventListener("close", proxy)

    def show(self):
        """Render the whole explorer for the current state."""
        self.result = self.state.analysis()
        document.getElementById("app").innerHTML = render.app(self.state)
        self.refresh(["run-controls", "warnings"])
        self._index_tiles()

    def guarded(self, handler):
        """Wrap an event handler: a bug shows a message and is logged, the page and the user's work stay."""
        def run(event):
            try:
                handler(event)
            except Exception as exc:  # noqa: BLE001 (never let one event break the page)
                js.console.error(traceback.format_exc())
                node = js_value(document.getElementById("warnings"))
                if node is not None:
                    node.innerHTML = render.internal_error(exc)
        return run

    def refresh(self, names):
        """Re-render the named regions, keeping keyboard focus on the same control."""
        self.result = self.state.analysis()
        active = document.activeElement
        key = focus_key(active)
        for name in names:
            node = js_value(document.getElementById(name))
            if node is not None:
                node.innerHTML = REGIONS[name](self)
        if "tiles" in names:
            self._index_tiles()
        if key and not active.isConnected:
            again = js_value(document.querySelector(key))
            if again is not None:
                again.focus()
        self.schedule_url_update()

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
        self.tile_nodes = {int(node.dataset.i): node for node in document.querySelectorAll("#tiles > li")}
        self.tile_cats = {i: node.dataset.cat for i, node in self.tile_nodes.items()}

    def patch_tiles(self):
        """Update the category of the tiles whose category changed (or re-render when a filter depends on it)."""
        if self.state.filter_category is not None or self.state.sort.startswith("confidence"):
            self.refresh(["tiles"])
            return
        for i, node in self.tile_nodes.items():
            cat = render.category_of(self.result, i)
            if self.tile_cats[i] != cat:
                node.dataset.cat = cat
                self.tile_cats[i] = cat

    def after_thresholds(self):
        self.refresh(AFTER_THRESHOLDS)
        self.patch_tiles()

    # ------------------------------------------------------------------ selection

    def select(self, i):
        if i == self.state.selected:
            return
        self.state.selected = i
        for node in document.querySelectorAll(".selected"):
            node.classList.remove("selected")
        for node in document.querySelectorAll(f'.tile[data-i="{i}"], .res[data-i="{i}"], .pt[data-i="{i}"], tr[data-i="{i}"]'):
            node.classList.add("selected")
        self.refresh(["detail", "histograms"])

    def after_fix(self, items):
        """Show the labels and decisions of `items` (changed by a fix) wherever they appear."""
        for i in items:
            node = self.tile_nodes.get(i)
            if node is not None:
                node.querySelector("select").value = str(self.state.labels[i])
                node.classList.toggle("relabelled", self.state.labels[i] != self.state.dataset.given[i])
                node.classList.toggle("excluded", self.state.decisions.get(i) == "exclude")
        self.refresh(["run-controls", "warnings", "known-errors", "detail"])

    def apply_link(self, fragment):
        """Restore a shared view from a URL fragment (notes on what did not apply are shown)."""
        self.link_notes = self.state.apply_fragment(fragment)

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
        for name, value in (("class-percentile", self.state.q_class), ("ood-percentile", self.state.q_ood)):
            document.getElementById(name).value = str(value)
            document.querySelector(f'[data-testid="{name}-value"]').textContent = str(value)

    def on_change(self, event):
        target = event.target
        action = js_value(target.getAttribute("data-action"))
        if action == "relabel":
            i = int(target.dataset.i)
            self.state.relabel(i, int(target.value))
            self.tile_nodes[i].classList.toggle("relabelled", self.state.labels[i] != self.state.dataset.given[i])
            self.refresh(["run-controls", "warnings", "known-errors"] + (["detail"] if self.state.selected == i else []))
        elif action == "sweep-metric":
            self.state.sweep_metric = target.value
            self.refresh(["panel-center"])
        elif action == "rule":
            self.state.set_rule("cleanlab" if target.checked else "percentile")
            self.after_thresholds()
        elif action == "byo-files":
            self.byo_files = list(target.files)
            document.getElementById("byo-message").innerHTML = ""
        elif action == "filter-class":
            self.state.filter_class = int(target.value) if target.value != "" else None
            self.refresh(["tiles"])
        elif action == "filter-category":
            self.state.filter_category = target.value or None
            self.refresh(["tiles"])
        elif action == "sort":
            self.state.sort = target.value
            self.refresh(["tiles"])

    def on_click(self, event):
        target = closest(event, "[data-action]")
        if target is None:
            return
        action = target.getAttribute("data-action")
        if action == "select":
            self.select(int(target.getAttribute("data-i")))
        elif action == "train":
            asyncio.ensure_future(self.train())
        elif action == "reseed":
            asyncio.ensure_future(self.train(seed=self.state.seed + 1))
        elif action == "cell":
            self.state.cell = (int(target.dataset.g), int(target.dataset.s))
            self.state.result_tab = "cell"
            self.refresh(["panel-center", "results-tabs", "panel-results"])
        elif action == "tab-center":
            self.state.center_tab = target.dataset.tab
            self.refresh(["center-tabs", "panel-center"])
        elif action == "tab-results":
            self.state.result_tab = target.dataset.tab
            self.refresh(["results-tabs", "panel-results"])
        elif action == "table-sort":
            column = target.dataset.col
            current, ascending = self.state.table_sort
            self.state.table_sort = (column, not ascending if column == current else True)
            self.refresh(["panel-center"])
        elif action == "sweep-cell":
            self.state.set_class_percentile(int(target.dataset.qc))
            self.state.set_ood_percentile(int(target.dataset.qo))
            self.sync_sliders()
            self.after_thresholds()
        elif action in ("accept", "keep", "exclude", "undo"):
            i = int(target.dataset.i)
            getattr(self.state, action)(i)
            self.after_fix([i])
        elif action == "accept-all":
            self.after_fix(self.state.accept_all())
        elif action == "export":
            name, text = self.state.export(target.dataset.kind)
            download(name, text, "text/csv" if name.endswith(".csv") else "application/json")
        elif action == "theme":
            self.toggle_theme()
        elif action == "byo-open":
            document.getElementById("byo").showModal()
        elif action == "byo-close":
            document.getElementById("byo").close()
        elif action in ("byo-load", "byo-renormalize"):
            asyncio.ensure_future(self.load_user_files(renormalize=action == "byo-renormalize"))
        elif action == "byo-demo":
            document.getElementById("byo").close()
            asyncio.ensure_future(self.open_demo())
        elif action.startswith("guide-"):
            self.guide(action[6:])

    def on_hover(self, event):
        target = closest(event, '[data-action="select"]')
        if target is not None:
            self.select(int(target.getAttribute("data-i")))

    on_focus = on_hover

    def on_key(self, event):
        target = js_value(event.target)
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
            nxt = js_value(document.querySelector(f'[data-action="sweep-cell"][data-qc="{qc + dc}"][data-qo="{qo + do}"]'))
            event.preventDefault()
            if nxt is not None:
                target.tabIndex = -1
                nxt.tabIndex = 0
                nxt.focus()
        elif document.getElementById("guide").open and event.key in ("ArrowLeft", "ArrowRight"):
            event.preventDefault()
            self.guide("back" if event.key == "ArrowLeft" else "next")

    def on_dragover(self, event):
        event.preventDefault()  # allow dropping files anywhere on the page

    def on_drop(self, event):
        event.preventDefault()
        files = list(event.dataTransfer.files) if js_value(event.dataTransfer) is not None else []
        if files:
            self.byo_files = files
            dialog = document.getElementById("byo")
            if not dialog.open:
                dialog.showModal()
            asyncio.ensure_future(self.load_user_files())

    # ------------------------------------------------------------------ data sets

    async def open_demo(self):
        """(Re)load the demo dataset and train on it."""
        await self.open(await demo_state(), [])

    async def open(self, state, notes):
        """Show a new dataset (keeping the view settings the user had), then train or analyse it."""
        if self.state is not None:
            for key in ("q_class", "q_ood", "rule", "seed", "center_tab", "sweep_metric"):
                setattr(state, key, getattr(self.state, key))
        self.state = state
        self.data_notes = notes
        self.training_problem = ""
        self.show()
        await self.train()

    async def load_user_files(self, renormalize=False):
        """Read the chosen files, validate them in steps, and open them; on any problem keep what was loaded.

        Each file's bytes stay in JavaScript (``await f.arrayBuffer()``); the
        loader reads them through a source whose ``read(start, end)`` copies
        only that slice into Python, so a refused file never grows the wasm
        memory by its size. A file over the size limit, or any file of more
        than three (no accepted combination has more), is not even read: the
        loader refuses them from ``size`` and names alone. Every exception is caught
        here: a UserDataError is shown as is; anything else is shown as an
        internal error and logged, and the progress bar and busy flag are
        always cleared.
        """
        from types import SimpleNamespace  # noqa: PLC0415 (here, so that this method is the whole change to app.py)

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
            sources = []
            for f in files:
                size = int(f.size)
                buffer = await f.arrayBuffer() if size <= userdata.MAX_FILE_BYTES and len(files) <= 3 else None

                def read(start, end, buffer=buffer):
                    return js.Uint8Array.new(buffer, start, end - start).to_bytes()

                sources.append((str(f.name), SimpleNamespace(size=size, read=read)))
            mode = document.querySelector('input[name="byo-mode"]:checked').value
            limit = SKLEARN_EMBEDDING_ROWS if sklearn_available() else BUILTIN_EMBEDDING_ROWS
            steps = userdata.iter_load_files(sources, mode=mode, renormalize=renormalize, max_embedding_rows=limit)
            last = time.perf_counter()
            while True:
                try:
                    progress.value = next(steps)
                except StopIteration as stop:
                    loaded = stop.value
                    break
                if time.perf_counter() - last > YIELD_EVERY:
                    await next_frame()
                    last = time.perf_counter()
            state = ExplorerState(loaded.dataset, source_name=loaded.source_name, source_sha256=loaded.source_sha256,
                                  given_probabilities=loaded.probabilities, is_demo=False)
        except userdata.UserDataError as exc:
            message.innerHTML = render.byo_error(str(exc), exc.renormalizable)
            return
        except Exception as exc:  # noqa: BLE001 (last resort: a bug; keep the previous data and say so)
            js.console.error(f"cleanlens: loading your data failed:\n{traceback.format_exc()}")
            text = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
            message.innerHTML = render.byo_error(f"Internal error while reading the files ({text}); the data you had is "
                                                 "still loaded.", False)
            return
        finally:
            progress.hidden = True
            self.byo_busy = False
        document.getElementById("byo").close()
        await self.open(state, [*loaded.notes, *loaded.warnings])

    # ------------------------------------------------------------------ theme and guide

    def toggle_theme(self):
        root = document.documentElement
        current = js_value(root.getAttribute("data-theme")) or ("dark" if js.matchMedia("(prefers-color-scheme: dark)").matches else "light")
        theme = "light" if current == "dark" else "dark"
        root.dataset.theme = theme
        js.localStorage.setItem(THEME, theme)
        document.getElementById("tools").innerHTML = render.tools()
        document.querySelector('[data-action="theme"]').focus()

    def guide(self, command):
        dialog = document.getElementById("guide")
        steps = list(dialog.querySelectorAll(".step"))
        current = next((n for n, s in enumerate(steps) if not s.hidden), 0)
        if command == "open":
            current = 0
        elif command == "close":
            dialog.close()
            return
        elif command == "next":
            if current == len(steps) - 1:
                dialog.close()
                return
            current += 1
        elif command == "back":
            current = max(0, current - 1)
        for n, step in enumerate(steps):
            step.hidden = n != current
        dialog.setAttribute("aria-labelledby", f"guide-title-{current}")
        document.querySelector('[data-action="guide-back"]').disabled = current == 0
        document.querySelector('[data-action="guide-next"]').textContent = "Done" if current == len(steps) - 1 else "Next"
        if not dialog.open:
            dialog.showModal()
        document.querySelector('[data-action="guide-next"]').focus()

    # ------------------------------------------------------------------ training

    async def train(self, seed=None):
        """Cross-validate on a copy of the current labels, yielding to the browser as it goes."""
        if self.busy:
            return
        self.busy = True
        state = self.state
        labels = list(state.labels)
        excluded = state.excluded
        active = [i for i in range(len(labels)) if i not in excluded]
        seed = state.seed if seed is None else seed
        try:
            if state.given_probabilities is not None:  # probabilities mode: nothing to train, analyse the labels
                probabilities = [None if i in excluded else row for i, row in enumerate(state.given_probabilities)]
                state.finish_training(labels, probabilities, {"engine": "file", "source": state.source_name,
                                                              "seed": seed}, excluded)
            else:
                await self._cross_validate(labels, excluded, active, seed)
            self.training_problem = ""
        except (CrossValError, ValueError) as exc:  # unusable labelling: say why, keep the previous results
            self.training_problem = render.training_problem(str(exc))
        finally:
            self.busy = False
        set_state("ready")
        self.refresh(AFTER_TRAINING)

    async def _cross_validate(self, labels, excluded, active, seed):
        """Run the cross-validation in steps, showing progress and yielding to the browser every YIELD_EVERY s."""
        state = self.state
        set_state("training")
        set_stage("Training…")
        self.refresh(["run-controls"])
        progress = document.getElementById("progress")
        last = time.perf_counter()
        dataset = state.dataset
        steps = iter_out_of_sample_probabilities([dataset.features[i] for i in active], [labels[i] for i in active],
                                                 len(dataset.classes), seed=seed)
        for step in steps:
            progress.value = step.fraction
            if step.stage == "done":
                result = step.result
            elif time.perf_counter() - last > YIELD_EVERY:
                set_stage(f"Training: {step.fold} of {step.n_folds} folds done…")
                await next_frame()
                last = time.perf_counter()
        version = result.versions.get("scikit-learn", f"cleanlens {__version__}")
        info = {"engine": result.engine, "engine_version": version, "C": result.C, "gamma": result.gamma,
                "folds": result.n_folds, "seed": result.seed, "seconds": result.seconds,
                "sklearn_importable": sklearn_available()}
        probabilities = [None] * len(labels)
        for i, row in zip(active, result.probabilities):
            probabilities[i] = row
        state.finish_training(labels, probabilities, info, excluded)

async def demo_state():
    """A fresh explorer state for the demo dataset (fetched from the site, validated)."""
    name = DEMO_DATASET.rsplit("/", 1)[-1]
    data = await fetch_bytes(DEMO_DATASET)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DatasetError(f"{name}: not UTF-8 text") from None
    return ExplorerState(parse_dataset(text, name), source_name=name, source_sha256=hashlib.sha256(data).hexdigest())


async def start():
    """Load the demo dataset, mount the explorer, train; any failure shows the error panel."""
    try:
        set_stage("Loading data…")
        explorer = Explorer(await demo_state())
        explorer.apply_link(str(js.location.hash))
        explorer.mount()
        if not js.localStorage.getItem(GUIDE_SEEN):
            explorer.guide("open")
        await explorer.train()
    except Exception as exc:  # noqa: BLE001 (every start-up failure must reach the user)
        show_error(exc)
        js.console.error(traceback.format_exc())
