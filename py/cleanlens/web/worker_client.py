"""The page's side of the training worker (``static/worker.js``): start it, load scikit-learn in it, train there.

Every cross-validation of the page runs in the worker, whichever engine, so the page's main thread never blocks
on training. The worker starts Pyodide with our package once the controls are live (the built-in engine, ~1.5 s);
numpy, scipy and scikit-learn (29.1 MB) are loaded into it when the page is idle (:meth:`WorkerClient.preload`),
unless the browser asks to save data, reports a slow connection or little memory (:func:`preload_allowed`);
a training that needs them then loads them first. If the worker cannot start, :meth:`WorkerClient.train` raises
:class:`WorkerUnavailable` and the page trains with the built-in engine on its own thread, as it did before.

``js`` and ``pyodide`` are imported only when the worker starts: the pure parts here (the engine choice, the
preload rule, the messages) are tested under CPython.

:attr:`WorkerClient.status` (a dict, what the read-out shows, :func:`cleanlens.web.render.engine_status`):
``state`` ("off", "starting", "ready", "failed"), ``stack`` ("none", "loading", "ready", "failed"), ``loaded`` and
``total`` (bytes of the stack), ``versions`` (name -> version once loaded), ``reason`` (why something failed or
is not preloaded), ``memory`` (bytes of the worker's Python memory), ``start`` (seconds the worker took to start),
``seconds`` and ``imported`` (the stack's load, and of it the imports), ``kept`` (bytes of the stack the service
worker keeps for offline use).
"""

from __future__ import annotations

import asyncio
import time
from array import array
from itertools import chain
from typing import TYPE_CHECKING, Any

from cleanlens.crossval import CrossValError, CVResult, Progress
from cleanlens.steps import Cancelled
from cleanlens.web import BUILTIN_EMBEDDING_ROWS

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping, Sequence

WORKER_URL = "./static/worker.js"
RESTART_AFTER = 0.5
"""Seconds a cancelled training may take to stop before the worker is terminated and started again. The worker
reads a cancel only between two C calls, and one scikit-learn ``fit`` takes seconds at 20,000 rows, while a
restart costs ~1.5 s in the background (measured in docs/engine.md)."""
SLOW_CONNECTIONS = ("slow-2g", "2g", "3g")
"""``navigator.connection.effectiveType`` values for which the stack is not preloaded (29.1 MB)."""
LOW_MEMORY_GB = 2
"""``navigator.deviceMemory`` (GB, rounded down by the browser) at or below which the stack is not preloaded:
Python's memory with scikit-learn loaded is ~250 MB in the worker, besides the page's."""
FLATTEN_ROWS = 1_000
"""Rows copied into the request's array between two pauses of the page (a few ms each)."""


class WorkerUnavailable(Exception):
    """The worker cannot train (not started, failed to start, or died); the page trains on its own thread."""


def preload_allowed(
    save_data: bool = False, effective_type: str | None = None, device_memory: float | None = None
) -> tuple[bool, str]:
    """Whether to load scikit-learn into the worker without being asked: ``(allowed, reason)``.

    Arguments are what the browser reports (``navigator.connection.saveData``, ``.effectiveType``,
    ``navigator.deviceMemory``; None where it reports nothing).
    """
    if save_data:
        return False, "the browser asks to save data"
    if effective_type in SLOW_CONNECTIONS:
        return False, f"the connection is slow ({effective_type})"
    if device_memory is not None and device_memory <= LOW_MEMORY_GB:
        return False, f"this device reports little memory ({device_memory:g} GB)"
    return True, ""


def choose_engine(status: Mapping[str, Any], n_items: int) -> str:
    """The engine a training of ``n_items`` items runs with (``auto``): ``"sklearn"`` or ``"builtin"``.

    scikit-learn once it is loaded, or when the data is larger than the built-in engine's limit (it is then loaded
    on demand); else the built-in engine, even while scikit-learn is loading: loading took 21-28 s cold on the
    shared 2-core machine, the built-in engine trains 2,000 x 32 in 6-13 s (docs/engine.md). Raises CrossValError
    if data over that limit cannot be trained because scikit-learn failed to load.
    """
    stack = status.get("stack", "none")
    if stack == "ready":
        return "sklearn"
    if n_items > BUILTIN_EMBEDDING_ROWS:
        if stack == "failed":
            raise CrossValError(
                f"{n_items:,} items need scikit-learn (the built-in engine trains at most {BUILTIN_EMBEDDING_ROWS:,}), "
                f"which could not be loaded: {status.get('reason') or 'unknown reason'}"
            )
        return "sklearn"
    return "builtin"


def train_message(
    request_id: int,
    features: Sequence[Sequence[float]],
    labels: Sequence[int],
    n_classes: int,
    engine: str,
    settings: Mapping[str, float],
) -> dict[str, Any]:
    """The worker's ``train`` message (see :mod:`cleanlens.web.worker`) with plain Python arrays: features as an
    ``array("d")`` (N x D, row-major) and labels as an ``array("i")``; the page copies them into typed arrays."""
    return {
        "type": "train",
        "id": request_id,
        "features": array("d", chain.from_iterable(features)),
        "rows": len(features),
        "cols": len(features[0]) if features else 0,
        "labels": array("i", labels),
        "n_classes": n_classes,
        "engine": engine,
        "C": float(settings["C"]),
        "gamma": float(settings["gamma"]),
        "folds": int(settings["folds"]),
        "seed": int(settings["seed"]),
    }


def cv_result(message: Mapping[str, Any], n_classes: int, probabilities: Sequence[float] | None = None) -> CVResult:
    """A worker's ``result`` message as a :class:`~cleanlens.crossval.CVResult` (probabilities N lists of K).

    ``probabilities``: the flat list of N x K floats if already read from the message's buffer, else read here;
    likewise the folds."""
    flat = probabilities if probabilities is not None else memoryview(message["probabilities"]).cast("B").cast("d")
    rows = [list(flat[i : i + n_classes]) for i in range(0, len(flat), n_classes)]
    items = memoryview(message["fold_items"]).cast("B").cast("i").tolist()
    folds, start = [], 0
    for size in memoryview(message["fold_sizes"]).cast("B").cast("i").tolist():
        folds.append(items[start : start + size])
        start += size
    return CVResult(
        probabilities=rows,
        engine=str(message["engine"]),
        versions=dict(message["versions"]),
        C=float(message["C"]),  # (JavaScript's 3.0 reaches Python as the int 3)
        gamma=float(message["gamma"]),
        n_folds=int(message["folds"]),
        seed=int(message["seed"]),
        seconds=float(message["seconds"]),
        folds=folds,
        calibration=message.get("calibration", ""),
    )


class WorkerClient:
    """The training worker of this page (one per page: :data:`client`).

    ``on_status(status)``: called after every status change (the page updates its read-out).
    """

    def __init__(self):
        self.status = {"state": "off", "stack": "none", "loaded": 0, "total": 0, "versions": {}, "reason": ""}
        self.worker = None
        self.on_status = None
        self.requests = {}  # id -> (future, on_progress)
        self.next_id = 0
        self.running = None  # the id of the training in progress
        self.stack_wanted = False
        self._changed = None  # an asyncio.Event set at every status message
        self._proxies = []

    # ------------------------------------------------------------------ life cycle

    def start(self) -> None:
        """Start the worker (once); failures are reported in :attr:`status`, never raised."""
        if self.worker is not None or self.status["state"] == "failed":
            return
        import js  # noqa: PLC0415 (browser only)
        from pyodide.ffi import create_proxy, to_js  # noqa: PLC0415

        self._changed = asyncio.Event()
        if not hasattr(js, "Worker"):
            self._set({"state": "failed", "reason": "this browser has no Web Workers"})
            return
        try:
            self.worker = js.Worker.new(WORKER_URL, to_js({"type": "module"}, dict_converter=js.Object.fromEntries))
        except Exception as exc:  # noqa: BLE001 (e.g. a browser without module workers, or workers blocked)
            self._set({"state": "failed", "reason": " ".join(str(exc).split())[:200]})
            return
        self._proxies = [create_proxy(self._on_message), create_proxy(self._on_error)]
        self.worker.onmessage, self.worker.onerror = self._proxies
        self._set({"state": "starting"})
        if self.stack_wanted:
            self.load_stack()

    def _restart(self):
        """Terminate the worker (a training that would not stop) and start a new one, the stack again if it was
        loaded; every request still waiting is cancelled."""
        self.worker.terminate()
        for proxy in self._proxies:
            proxy.destroy()
        self.worker, self._proxies, self.running = None, [], None
        for future, _ in self.requests.values():
            if not future.done():
                future.set_exception(Cancelled())
        self.requests.clear()
        self.stack_wanted = self.stack_wanted or self.status["stack"] in ("loading", "ready")
        self.status.update(state="off", stack="none", loaded=0)
        self.start()

    def load_stack(self) -> None:
        """Ask the worker to load numpy and scikit-learn (idempotent; again after a failure)."""
        self.stack_wanted = True
        if self.worker is not None and self.status["stack"] in ("none", "failed"):
            self.worker.postMessage(_js({"type": "stack"}))

    def preload(self) -> None:
        """Load the stack now unless the browser asks to save data or reports a slow connection or little memory
        (:func:`preload_allowed`); the reason is kept in the status for the read-out."""
        import js  # noqa: PLC0415

        connection = getattr(js.navigator, "connection", None)
        allowed, reason = preload_allowed(
            bool(getattr(connection, "saveData", False)),
            getattr(connection, "effectiveType", None),
            getattr(js.navigator, "deviceMemory", None),
        )
        if allowed:
            self.load_stack()
        else:
            self._set({"reason": f"scikit-learn loads when needed: {reason}"})

    # ------------------------------------------------------------------ messages

    def _set(self, changes):
        self.status.update(changes)
        if self._changed is not None:
            self._changed.set()
            self._changed = asyncio.Event()
        if self.on_status is not None:
            self.on_status(self.status)

    def _on_error(self, event):
        """The worker script failed (missing file, syntax, no module workers) or died: fail every request."""
        event.preventDefault()
        reason = " ".join(str(getattr(event, "message", "") or "the worker script could not run").split())[:200]
        self._fail(reason)

    def _fail(self, reason):
        for future, _ in self.requests.values():
            if not future.done():
                future.set_exception(WorkerUnavailable(reason))
        self.requests.clear()
        self._set({"state": "failed", "reason": reason})

    def _on_message(self, event):
        message = event.data
        kind = message.type
        if kind == "status":
            status = message.to_py()
            status.pop("type", None)
            if status.get("stack") == "ready" and self.status["stack"] != "ready":
                status["kept"] = status.get("total", 0) if _offline_copy() else 0
            self._set(status)
            if self.status["state"] == "failed":
                self._fail(self.status["reason"])
            return
        future, on_progress = self.requests.get(message.id, (None, None))
        if future is None or future.done():
            return
        if kind == "progress":
            if on_progress is not None:
                on_progress(Progress(str(message.stage), message.fold, message.n_folds, message.fraction))
            return
        if kind == "tuned":  # Tune's answer; the chosen cell's result follows
            return
        self.requests.pop(message.id, None)
        if kind == "result":
            future.set_result(message)
        elif kind == "cancelled":
            future.set_exception(Cancelled())
        elif kind == "error" and message.kind == "input":
            future.set_exception(CrossValError(str(message.message)))
        else:
            future.set_exception(RuntimeError(f"the training worker failed: {message.message}"))

    # ------------------------------------------------------------------ training

    def usable(self) -> bool:
        """True if trainings can go to the worker (started, not failed)."""
        return self.worker is not None and self.status["state"] != "failed"

    async def train(
        self,
        features: Sequence[Sequence[float]],
        labels: Sequence[int],
        n_classes: int,
        settings: Mapping[str, float],
        on_progress: Callable[[Progress], object] | None = None,
        pause: Callable[[], Awaitable[object]] | None = None,
        cancelled: Callable[[], bool] | None = None,
        tune: bool = False,
    ) -> CVResult:
        """Cross-validate in the worker; return a :class:`~cleanlens.crossval.CVResult`. With ``tune``, choose
        C and gamma first (:func:`cleanlens.tuning.iter_tune`, its default grid): the result is the chosen
        cell's, and says which (progress: stage ``"tune"``, ``fold`` = the setting tried, of ``n_folds``).

        ``features``: N rows of D floats; ``labels``: N class indices; ``settings``: ``C``, ``gamma``, ``folds``,
        ``seed``; ``on_progress(Progress)``: the worker's progress (stage ``"loading"``, with the share of the stack
        loaded, while scikit-learn is loaded first); ``pause()``: awaited between chunks of the page's own work
        (copying the features), default ``asyncio.sleep(0)``; ``cancelled()``: polled while waiting, True cancels
        (as :meth:`cancel` does). Supersedes any other training. Raises Cancelled, CrossValError (unusable
        inputs, or scikit-learn needed and not loadable) or WorkerUnavailable (the page must train on its own
        thread).
        """
        from pyodide.ffi import to_js  # noqa: PLC0415

        if not self.usable():
            raise WorkerUnavailable(self.status.get("reason") or "the training worker is not running")
        self.cancel()
        request_id = self.next_id = self.next_id + 1
        self.running = request_id

        def check():
            if cancelled is not None and cancelled() and self.running == request_id:
                self.cancel()
            if self.running != request_id:
                raise Cancelled()

        while self.status["state"] == "starting":
            await self._wait(0.1)
            check()
        if self.status["state"] != "ready":
            raise WorkerUnavailable(self.status.get("reason") or "the training worker did not start")
        engine = choose_engine(self.status, len(features))
        if engine == "sklearn" and self.status["stack"] != "ready":
            self.load_stack()
            while self.status["stack"] in ("none", "loading") and self.status["state"] == "ready":
                if on_progress is not None and self.status["total"]:
                    share = self.status["loaded"] / self.status["total"]
                    on_progress(Progress("loading", 0, int(settings["folds"]), share))
                await self._wait(0.1)
                check()
            if self.status["state"] != "ready":
                raise WorkerUnavailable(self.status.get("reason") or "the training worker stopped")
            engine = choose_engine(self.status, len(features))  # raises if it failed and is needed
        message = await self._message(request_id, features, labels, n_classes, engine, settings, pause)
        if tune:
            message["type"] = "tune"
        check()
        future = asyncio.get_event_loop().create_future()
        self.requests[request_id] = (future, on_progress)
        self.worker.postMessage(_js(message), to_js([message["features"].buffer, message["labels"].buffer]))
        try:
            while not future.done():
                await asyncio.wait([future], timeout=0.05)
                if cancelled is not None and cancelled() and self.running == request_id:
                    self.cancel()
            reply = future.result()
        finally:
            if self.running == request_id:
                self.running = None
        return cv_result(
            {
                "engine": reply.engine,
                "versions": reply.versions.to_py(),
                "C": reply.C,
                "gamma": reply.gamma,
                "folds": reply.folds,
                "seed": reply.seed,
                "seconds": reply.seconds,
                "fold_items": reply.fold_items.to_py(),
                "fold_sizes": reply.fold_sizes.to_py(),
            },
            n_classes,
            memoryview(reply.probabilities.to_py()).cast("B").cast("d").tolist(),
        )

    async def _wait(self, timeout):
        """Until the next status message, or ``timeout`` seconds."""
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except TimeoutError:
            pass

    async def _message(self, request_id, features, labels, n_classes, engine, settings, pause):
        """The train message with the features copied into a Float64Array a few rows at a time."""
        import js  # noqa: PLC0415

        message = train_message(request_id, features[:0], labels, n_classes, engine, settings)
        n, d = len(features), len(features[0]) if features else 0
        typed = js.Float64Array.new(n * d)
        for start in range(0, n, FLATTEN_ROWS):
            chunk = array("d", chain.from_iterable(features[start : start + FLATTEN_ROWS]))
            typed.subarray(start * d, start * d + len(chunk)).assign(chunk)
            await (pause() if pause is not None else asyncio.sleep(0))
        labels_typed = js.Int32Array.new(n)
        labels_typed.assign(message["labels"])
        message.update(features=typed, labels=labels_typed, rows=n, cols=d)
        return message

    def cancel(self) -> None:
        """Stop the training in progress, if any: the worker stops at its next pause, or is restarted when it has
        not stopped within :data:`RESTART_AFTER` seconds (inside a long C call)."""
        request_id, self.running = self.running, None
        if request_id is None or self.worker is None:
            return
        entry = self.requests.get(request_id)
        self.worker.postMessage(_js({"type": "cancel", "id": request_id}))
        if entry is None:
            return
        started = time.perf_counter()

        async def watch():
            while not entry[0].done():
                if time.perf_counter() - started >= RESTART_AFTER:
                    self._restart()
                    return
                await asyncio.sleep(0.05)

        asyncio.ensure_future(watch())


def _offline_copy():
    """True if the service worker controls this page: it then keeps every file of the stack it serves."""
    import js  # noqa: PLC0415

    container = getattr(js.navigator, "serviceWorker", None)
    return bool(container is not None and container.controller)


def _js(message):
    """A message dict as a JavaScript object (typed arrays kept as they are)."""
    import js  # noqa: PLC0415
    from pyodide.ffi import to_js  # noqa: PLC0415

    return to_js(message, dict_converter=js.Object.fromEntries)


client = WorkerClient()
"""The page's training worker."""
