"""The page's start-up and its one path from an event to the screen (browser only: imports ``js``, ``pyodide``).

::

    DOM event ──> Dispatcher (one listener per event type; wiring.on declarations next to each handler)
              ──> handler(event) ──> ExplorerState method ──> Changes (aspects, items)
              ──> Explorer.apply(changes) ──> Screen.update: regions.REGIONS says which regions re-render;
                                              static/patch.js patches their nodes in place
                                          ──> Keeper.schedule (the work and view are saved, batched)
                                          ──> the URL fragment (the view, shareable)

The handlers live with what they work on: pure state changes in :mod:`.actions`; the popover and the tour in
:mod:`.overlays`; data, files and sessions in :mod:`.opening`; training in :mod:`.trainer`; selection, keys,
export and the page's own events here.
"""

from __future__ import annotations

import asyncio
import json
import traceback
from collections.abc import Coroutine, Sequence
from typing import Any

import js
from pyodide.ffi import create_proxy

from cleanlens.web import actions, explore_link, render, worker_client
from cleanlens.web.changes import CENTER_TAB, EXPORTED, IN_URL, NOTICES, RESULTS, SAVED, Changes, changed
from cleanlens.web.dom import (
    closest,
    document,
    download,
    element,
    later,
    local_time,
    mark_live,
    next_frame,
    page_json,
    query,
    read_event,
    saved,
    set_stage,
    set_state,
    show_error,
    when_idle,
)
from cleanlens.web.opening import Files, Opener, demo_state, read_files, switching_data
from cleanlens.web.overlays import Popover, Tour
from cleanlens.web.saving import Keeper
from cleanlens.web.scheduler import drive, settle
from cleanlens.web.screen import Screen
from cleanlens.web.state import CENTER_TABS, RESULT_TABS, ExplorerState
from cleanlens.web.trainer import Trainer
from cleanlens.web.wiring import Dispatcher, Event, bindings_in, on

THEME = "cleanlens-theme"
UNLOAD_VIEW_KEY = "cleanlens-unload-view"
"""sessionStorage: the view not yet in the URL when the page was left, as {"from": old fragment, "to": new};
static/boot.js applies it when the next page of the tab has that old fragment (a reload)."""
URL_EVERY_MS = 250
"""The URL fragment is written at most this often (browsers throttle ``history.replaceState``)."""
LISTEN_ON = {"resize": "window", "beforeunload": "window", "pagehide": "window", "scroll": "capture"}
"""Where the page listens for an event type: the document (default), the window, or the document while
capturing (scrolling does not bubble)."""
ON_ITEMS = {"click", "input", "change", "mouseover", "focusin", "keydown", "focusout", "scroll", "resize"}
"""Events whose handlers act on the items the page shows: ignored while other data opens (the page still shows
the previous data's items). Dropping files still works, and leaving or hiding the page still saves."""


class Explorer:
    """The running explorer: the state shown, and the parts that draw and change it."""

    def __init__(self) -> None:
        self.state: ExplorerState | None = None
        self.switching = False  # True while open() swaps the data: the page still shows the previous data
        self._url_pending = False
        self._frame_pending = False
        self._proxies: list[Any] = []
        self.keeper = Keeper(on_change=self.storage_changed, on_saved=saved, spawn=self.spawn)
        self.screen = Screen(self.current)
        self.popover = Popover(self.current, self.apply)
        self.tour = Tour(self.current, self.popover.hide)
        self.opener = Opener(self.current, self.open, self.apply, self.spawn, self.keeper)
        self.trainer = Trainer(self.current, self.apply, self.spawn, self.keeper)
        self.dispatcher = Dispatcher(
            bindings_in(actions, self.current)
            + bindings_in(self)
            + bindings_in(self.popover)
            + bindings_in(self.tour)
            + bindings_in(self.opener)
            + bindings_in(self.trainer)
        )

    def current(self) -> ExplorerState:
        return self.state

    # ------------------------------------------------------------------ events -> changes -> screen

    def mount(self) -> None:
        """Listen for every event type a handler takes (once) and enable the tools."""
        document.getElementById("tools").innerHTML = render.tools()
        for kind in self.dispatcher.kinds:
            where = LISTEN_ON.get(kind, "document")
            target = js.window if where == "window" else document
            proxy = create_proxy(lambda raw, kind=kind: self.dispatch(kind, raw))
            self._proxies.append(proxy)
            target.addEventListener(kind, proxy, where == "capture")
        start = query('[data-action="tour-start"]')
        if start is not None:  # the guide was painted before Python: its tour works from now on
            start.disabled = False
            element("tour-hint").textContent = "A walk over the real controls: ← → to move, Esc to leave."

    def dispatch(self, kind: str, raw: Any) -> None:
        """One DOM event: every handler declared for it runs, and what they changed is shown."""
        if self.state is None or (self.switching and kind in ON_ITEMS):
            return
        event = read_event(kind, raw, self.dispatcher.actions(kind))
        try:
            for binding, handler in self.dispatcher.handlers(kind, event.action, event.key):
                if binding.prevent:
                    raw.preventDefault()
                self.apply(handler(event) or Changes())
        except Exception as exc:  # noqa: BLE001 (never let one event break the page)
            self.report_problem(exc)

    def apply(self, changes: Changes) -> None:
        """Show what ``changes`` changed; save the work and view; update the URL."""
        if not changes or self.state is None:
            return
        self.screen.update(changes)
        if changes.touches(SAVED):
            self.keeper.schedule(self.state)
        if changes.touches(IN_URL):
            self.schedule_url_update()
        if CENTER_TAB in changes and self.state.view.center_tab == "scatter":
            self.trainer.ensure_layout()

    def spawn(self, coroutine: Coroutine) -> Any:
        """Run a background task with the same error handling as an event handler."""

        async def run() -> None:
            try:
                await coroutine
            except Exception as exc:  # noqa: BLE001 (a failed task must be seen, not lost in the event loop)
                self.report_problem(exc)

        return asyncio.ensure_future(run())

    def report_problem(self, exc: Exception) -> None:
        """A bug: log it, say so in the page; the page and the user's work stay."""
        js.console.error(traceback.format_exc())
        if self.state is not None:
            self.state.notices.problem = render.error_message(exc)
            self.screen.update(changed(NOTICES))

    def storage_changed(self) -> None:
        """The keeper's storage failed, or another tab saved this dataset: say so."""
        if self.state is not None:
            self.keeper_notices()
            self.apply(changed(NOTICES))

    def keeper_notices(self) -> None:
        """The state's session notices as the keeper has them now (storage problem, another tab's save)."""
        conflict = self.keeper.conflict
        self.state.notices.storage_failed(self.keeper.problem)
        self.state.notices.conflict = None if conflict is None else local_time(conflict[1])

    def worker_changed(self, status: dict) -> None:
        """The training worker's status changed: the engine read-out follows it."""
        if self.state is not None:
            self.apply(self.state.set_worker_status(status))

    def schedule_url_update(self) -> None:
        """Write the view into the URL fragment, at most every :data:`URL_EVERY_MS`."""
        if self._url_pending:
            return
        self._url_pending = True

        def write() -> None:
            self._url_pending = False
            if self.state is not None:
                js.history.replaceState(None, "", "#" + self.state.to_fragment())

        later(write, URL_EVERY_MS)

    # ------------------------------------------------------------------ selection and the page's own events

    @on("click", "select")
    def select(self, event: Event) -> Changes:
        """Pin an item (a click, or Enter): the Why? panel's actions apply to it; the URL names it. On a phone the
        panel opens over the bottom of the screen (``data-sheet``), in view of the image chosen."""
        element("detail-panel").dataset.sheet = "open"
        return self.state.select(event.item)

    @on("keydown", "select", keys=actions.REVIEW_KEY_NAMES, prevent=True)
    @on("keydown", "accept", keys=actions.REVIEW_KEY_NAMES, prevent=True)
    @on("keydown", "keep", keys=actions.REVIEW_KEY_NAMES, prevent=True)
    @on("keydown", "exclude", keys=actions.REVIEW_KEY_NAMES, prevent=True)
    @on("keydown", "undo", keys=actions.REVIEW_KEY_NAMES, prevent=True)
    def review_key(self, event: Event) -> None:
        """A, K, X, U on an item of a list or in the Why? panel: Accept, Keep, Exclude, Undo of that item. The
        next undecided item of the results list is then pinned and, when the key came from that list, focused."""
        in_results = closest(event.raw, f"#{render.ids.PANEL_RESULTS}") is not None
        self.apply(self.state.decide_and_advance(actions.REVIEW_KEYS[event.key.lower()], event.item))
        nxt = query(f'#{render.ids.PANEL_RESULTS} button[data-i="{self.state.view.selected}"]') if in_results else None
        if nxt is not None:
            nxt.focus()

    @on("click", "sheet-close")
    def close_sheet(self, event: Event) -> None:
        """On a phone: close the details (the selection stays)."""
        element("detail-panel").removeAttribute("data-sheet")
        tile = query(f'#tiles button[data-i="{self.state.view.selected}"]')
        if tile is not None:
            tile.focus()

    @on("click")
    def close_settings(self, event: Event) -> None:
        """A click outside the engine settings closes them (what was typed is kept)."""
        box = element("settings-box")
        if box is not None and box.open and closest(event.raw, "#settings-box") is None:
            box.open = False

    @on("keydown", "tab-center", keys=("ArrowLeft", "ArrowRight", "Home", "End"), prevent=True)
    @on("keydown", "tab-results", keys=("ArrowLeft", "ArrowRight", "Home", "End"), prevent=True)
    def tab_keys(self, event: Event) -> None:
        """Arrow keys, Home and End move along a tab strip (and show that tab)."""
        tabs = CENTER_TABS if event.action == "tab-center" else RESULT_TABS
        n = tabs.index(event.data["tab"])
        n = {"ArrowLeft": n - 1, "ArrowRight": n + 1, "Home": 0, "End": len(tabs) - 1}[event.key] % len(tabs)
        tab = query(f'[data-action="{event.action}"][data-tab="{tabs[n]}"]')
        tab.click()
        tab.focus()

    @on("keydown", "sweep-cell", keys=("ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"), prevent=True)
    def sweep_keys(self, event: Event) -> None:
        """Arrow keys move over the threshold sweep's grid (one cell is in the tab order at a time)."""
        qc, qo = event.integer("qc"), event.integer("qo")
        dc, do = {"ArrowLeft": (0, -5), "ArrowRight": (0, 5), "ArrowUp": (5, 0), "ArrowDown": (-5, 0)}[event.key]
        nxt = query(f'[data-action="sweep-cell"][data-qc="{qc + dc}"][data-qo="{qo + do}"]')
        if nxt is not None:
            event.target.tabIndex = -1
            nxt.tabIndex = 0
            nxt.focus()

    @on("click", "export")
    def export(self, event: Event) -> Changes:
        name, text = self.state.export(event.data["kind"])
        mime = "text/csv" if name.endswith(".csv") else "application/json"
        download(name, text, mime)
        explore_link.send_export(name, text)  # back to `cleanlens explore`, when it opened the page
        return changed(EXPORTED)

    @on("click", "theme")
    def toggle_theme(self, event: Event) -> None:
        root = document.documentElement
        current = root.getAttribute("data-theme") or (
            "dark" if js.matchMedia("(prefers-color-scheme: dark)").matches else "light"
        )
        root.dataset.theme = theme = "light" if current == "dark" else "dark"
        js.localStorage.setItem(THEME, theme)
        document.getElementById("tools").innerHTML = render.tools()
        query('[data-action="theme"]').focus()

    @on("scroll")
    @on("resize")
    def scrolled(self, event: Event) -> None:
        """Redraw the virtual lists and move what floats, once per frame while anything scrolls."""
        if self._frame_pending:
            return
        self._frame_pending = True

        def frame(_timestamp: float) -> None:
            self._frame_pending = False
            try:
                self.screen.lists.place_all()
                self.tour.place()
                self.popover.place()
            except Exception as exc:  # noqa: BLE001
                self.report_problem(exc)

        next_frame(frame)

    @on("beforeunload")
    def leaving(self, event: Event) -> None:
        """Ask before leaving while there are changes not yet exported (they are also kept in the browser).
        A view change still waiting for its URL update is handed to the next page of this tab (a reload
        navigates to the URL as it was when the reload began, so writing the URL now is too late)."""
        if self._url_pending:
            left = {"from": str(js.location.hash), "to": "#" + self.state.to_fragment()}
            try:
                js.sessionStorage.setItem(UNLOAD_VIEW_KEY, json.dumps(left))
            except Exception:  # noqa: BLE001 (storage disabled: the reload shows the view before the change)
                pass
        self.keeper.flush()
        if self.state.work.unexported:
            event.raw.preventDefault()
            event.raw.returnValue = "Your changes are not exported yet."

    @on("pagehide")
    @on("visibilitychange")
    def hidden(self, event: Event) -> None:
        self.keeper.flush()

    # ------------------------------------------------------------------ opening data

    async def open(
        self,
        state: ExplorerState,
        notes: Sequence[str],
        files: Files | None = None,
        link: str | None = None,
        prerendered: dict[str, Any] | None = None,
    ) -> None:
        """Show a dataset: restore its saved session (labels, decisions, view, results) or start one.

        A training still running for the previous data is stopped first. ``files``: ``(names, buffers, mode,
        renormalize, class_names, images)`` of the user's own files and images, kept in the browser so that a reload
        does not ask for them; ``link``: a URL fragment, whose view wins over the saved one; ``prerendered``: the demo's
        results computed when the site was built, shown (live) at once when they are what this dataset would
        show, and then computed again here.
        """
        await self.trainer.stop()
        switching_data()
        self.switching = True
        try:
            previous, self.state = self.state, state
            state.notices.data = list(notes)
            state.worker = dict(worker_client.client.status)
            trained = await self.opener.restore_session(state, previous, files)
            self.keeper_notices()
            if link:
                state.apply_link(link)
            self.tour.end(refocus=False)
        finally:
            self.switching = False
        self.screen.show()
        self.popover.hide()
        self.schedule_url_update()
        if state.view.center_tab == "scatter":
            self.trainer.ensure_layout()
        await self.show_results(trained, prerendered)
        mark_live()

    async def show_results(
        self, trained: tuple[list[int], frozenset[int], dict[str, Any]] | None, prerendered: dict[str, Any] | None
    ) -> None:
        """The open data's results: restored from its session, the ones computed when the site was built, or
        trained now."""
        state = self.state
        if trained is not None and trained[2].get("seed", state.engine.seed) == state.engine.seed:
            if await self.trainer.restore(*trained):
                set_state("ready")
                self.apply(changed(RESULTS))
                settle()
            else:  # the results were not kept: compute the same ones again
                self.trainer.start(inputs=trained[:2])
        elif trained is None and built_results_fit(state, prerendered):
            self.apply(
                await drive(
                    state.finish_training_steps(
                        prerendered["labels"], prerendered["probabilities"], prerendered["info"]
                    )
                )
            )
            self.trainer.start(expected=prerendered["probabilities"])
        else:
            self.trainer.start()


def built_results_fit(state: ExplorerState, prerendered: dict | None) -> bool:
    """True if the results computed when the site was built are exactly what the open data would show."""
    info = (prerendered or {}).get("info", {})
    engine = state.engine
    return (
        prerendered is not None
        and state.is_demo
        and prerendered.get("sha256") == state.source_sha256
        and prerendered.get("labels") == state.labels
        and not state.work.decisions
        and info.get("seed") == engine.seed
        and (info.get("C"), info.get("gamma"), info.get("folds")) == (engine.svm_C, engine.svm_gamma, engine.n_folds)
    )


def expose_diagnostics(explorer: Explorer) -> None:
    """For benchmarks and tests: ``window.cleanlensWasmBytes()``, the size of Python's memory (it only grows);
    ``window.cleanlensTimings()``, JSON of the last writes to the browser's storage (what -> [ms, bytes]);
    ``window.cleanlensWorkerStatus()``, JSON of the training worker's status (its ``memory``: its Python's)."""
    import pyodide_js  # noqa: PLC0415 (exists only in the browser)

    js.window.cleanlensWasmBytes = create_proxy(lambda: pyodide_js._module.HEAP8.length)
    js.window.cleanlensTimings = create_proxy(lambda: json.dumps(explorer.keeper.timings))
    js.window.cleanlensWorkerStatus = create_proxy(lambda: json.dumps(worker_client.client.status))


async def start() -> None:
    """Open the dataset of the last visit (restoring its session) or the demo; any failure shows the error panel."""
    try:
        set_stage("Loading data…")
        render.use_sprites(page_json("sprites"))
        explorer = Explorer()
        expose_diagnostics(explorer)
        await explorer.keeper.start()
        state, notes = None, []
        key = await explorer.keeper.current()
        stored = None if key in (None, "demo") else await explorer.keeper.files(key)
        if explore_link.token() is not None:  # opened by `cleanlens explore` (web/explore_link.py)
            stored = await explore_link.fetch_files(explore_link.token())
        if stored is not None:
            try:
                state, notes = await read_files(*stored)
            except Exception as exc:  # noqa: BLE001 (whatever happened to the kept files, the demo still opens)
                js.console.error(traceback.format_exc())
                notes = [f"The data you had open could not be read again ({exc}); here is the demo."]
        explorer.mount()
        js.performance.mark("cleanlens:data")
        worker_client.client.on_status = explorer.worker_changed
        await explorer.open(
            state or await demo_state(), notes, link=str(js.location.hash), prerendered=page_json("prerendered")
        )
        worker_client.client.start()  # once the controls are live (a first training may have started it)
        if explorer.trainer.task is not None:
            await explorer.trainer.task
        when_idle(worker_client.client.preload)  # scikit-learn, unless the browser asks to save data
    except Exception as exc:  # noqa: BLE001 (every start-up failure must reach the user)
        show_error(render.error_message(exc))
        js.console.error(traceback.format_exc())
