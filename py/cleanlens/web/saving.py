"""Keeping the user's work: autosave, restore, two tabs, recent datasets (browser glue; no DOM).

:class:`Keeper` saves the session of the open dataset (:mod:`cleanlens.web.session`) into the browser's
IndexedDB (:mod:`cleanlens.web.store`) a moment after each change, batched: a slider step only marks the
session as changed; the record is written from a timer, outside any event handler. It also keeps the
user's own files and the last training's probabilities, so that a reload restores the data, the work
and the results without asking for files or training again.

Two tabs on the same dataset: every save carries a revision number and the saving tab's id, and is
announced on a BroadcastChannel. A tab that learns (from the channel, or from the stored revision when
it is about to save) that another tab saved this dataset after it last did, stops saving and reports a
*conflict*; the user then chooses which work to keep. Nothing is overwritten silently.

When storage is unavailable (disabled, private mode, full), :attr:`Keeper.problem` says why and every
operation does nothing: the page works as before.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
from array import array
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import js
from pyodide.ffi import create_once_callable, create_proxy, to_js

from cleanlens.web import session
from cleanlens.web.store import Store, StoreUnavailable, js_object

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Sequence

    from cleanlens.web.state import ExplorerState, Training

SAVE_DELAY_MS = 400
"""A change is saved this long after it, together with the changes that follow it meanwhile."""
CHANNEL = "cleanlens-sessions"
RESUME = "cleanlens-resume"
"""localStorage key set while the page would open on saved work: ``boot.js`` then hides the demo's pre-rendered
results until Python has restored that work (IndexedDB cannot be read before the first paint)."""
RECENT = 8
"""Datasets listed under "Recent datasets"."""


def training_digest(labels: Sequence[int], excluded: frozenset[int], info: dict[str, Any]) -> str:
    """A fingerprint of a training's inputs: the stored probabilities are used only for the same run."""
    text = json.dumps([list(labels), sorted(excluded), info], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def buffer_to_bytes(buffer: Any) -> bytes:
    """The bytes of a JavaScript ArrayBuffer."""
    return js.Uint8Array.new(buffer).to_bytes()


class Keeper:
    """Saves and restores the open dataset's session; see the module docstring.

    ``on_change()`` is called when something the page shows about saving changed (a conflict, a problem);
    ``on_saved(revision)`` when a save is scheduled (``None``) and when it is written (its revision);
    ``spawn(coroutine)`` runs a background task with the page's error handling.
    """

    def __init__(
        self,
        on_change: Callable[[], None],
        on_saved: Callable[[int | None], None],
        spawn: Callable[[Coroutine], Any],
    ) -> None:
        self.on_change = on_change
        self.on_saved = on_saved
        self.spawn = spawn
        self.store = None
        self.problem = None  # why sessions are not kept, once storage failed
        self.tab = secrets.token_hex(8)
        self.key = None
        self.kind = None
        self.revision = 0
        self.conflict = None  # (tab, saved time) of another tab's newer save of this dataset
        self.timings = {}  # what -> (milliseconds, bytes) of the last write: "session", "files", "results"
        self._pending = False  # a save timer is running
        self._dirty = False  # there are changes not yet saved
        self._state = None
        self._lock = asyncio.Lock()  # one save at a time: revisions go up one by one
        self._channel = None
        self._proxies = []

    # ------------------------------------------------------------------ setup

    async def start(self) -> None:
        try:
            self.store = await Store.open()
        except StoreUnavailable as exc:
            self.fail(exc)
            return
        channel_class = getattr(js, "BroadcastChannel", None)
        if channel_class is not None:
            self._channel = channel_class.new(CHANNEL)
            proxy = create_proxy(self._on_message)
            self._proxies.append(proxy)
            self._channel.addEventListener("message", proxy)

    def fail(self, exc: Exception) -> None:
        """Storage failed: stop using it and say so once."""
        if self.problem is None:
            self.problem = str(exc)
            self.store = None
            self.on_change()

    def _on_message(self, event):
        data = event.data
        key, tab, revision = str(data.key), str(data.tab), int(data.revision)
        if key == self.key and tab != self.tab and revision > self.revision:
            self.conflict = (tab, str(data.saved))
            self.on_change()

    # ------------------------------------------------------------------ the open dataset

    async def close(self) -> None:
        """Save what is not saved yet of the dataset open now (before another one is opened)."""
        if self._dirty:
            await self.save()

    async def open(self, key: str, kind: str) -> None:
        """The page now shows dataset ``key`` (``kind``: "demo" or "files"); its saves start from its record.
        Call :meth:`close` first. Only changes are saved, so merely opening data in a second tab does
        not disturb the first."""
        self.key, self.kind = key, kind
        self.revision = 0
        self.conflict = None
        self._state = None
        self._dirty = False
        if self.store is not None:
            await self._call(self.store.put, "meta", "current", key)

    @staticmethod
    def set_resume(on: bool) -> None:
        """Tell the next page load whether it opens on saved work (see :data:`RESUME`)."""
        try:
            if on:
                js.localStorage.setItem(RESUME, "1")
            else:
                js.localStorage.removeItem(RESUME)
        except Exception:  # noqa: BLE001 (storage disabled: the next load briefly shows the demo's results)
            pass

    async def record(self, key: str) -> Any:
        """The stored session record of ``key`` (a dict), or None; remembers its revision as the one seen."""
        text = await self._call(self.store.get, "sessions", key) if self.store else None
        if text is None:
            return None
        try:
            record = json.loads(str(text))
        except ValueError:
            return {"format": None}
        if key == self.key and isinstance(record, dict) and isinstance(record.get("revision"), int):
            self.revision = record["revision"]
        return record

    def schedule(self, state: ExplorerState) -> None:
        """Save ``state`` soon (batched with the changes that follow within :data:`SAVE_DELAY_MS`)."""
        self._state = state
        self._dirty = True
        if self.store is None or self.conflict is not None or self._pending:
            return
        self._pending = True
        self.on_saved(None)

        def fire():  # a timer task of its own, never inside the handler that made the change
            self._pending = False
            if self._dirty:
                self.spawn(self.save())
            else:  # what was pending was forgotten meanwhile (Start over)
                self.on_saved(self.revision)

        js.setTimeout(create_once_callable(fire), SAVE_DELAY_MS)

    def flush(self) -> None:
        """Save a pending change at once (the page is being hidden or closed)."""
        if self._dirty and self.store is not None and self.conflict is None:
            self.spawn(self.save())

    async def save(self, force: bool = False) -> None:
        """Write the open dataset's record now (unless another tab saved it since, or ``force``)."""
        async with self._lock:
            await self._save(force)

    async def _save(self, force):
        state, key = self._state, self.key
        if self.store is None or state is None or key is None:
            return
        self._dirty = False
        seen = self.revision
        stored = await self.record(key)  # (sets self.revision to the stored one)
        newer = stored is not None and stored.get("tab") != self.tab and self.revision > seen
        if not force and (newer or self.conflict is not None):
            if newer:
                self.conflict = (stored.get("tab"), stored.get("saved"))
                self.on_change()
            self.revision = seen
            return
        started = js.performance.now()
        record = session.to_record(state, key=key, kind=self.kind, revision=self.revision + 1, tab=self.tab)
        text = json.dumps(record, separators=(",", ":"))
        await self._call(self.store.put, "sessions", key, text)
        if self.store is None:
            return
        self.revision = record["revision"]
        self.conflict = None
        self.set_resume(True)
        self.timings["session"] = (js.performance.now() - started, len(text.encode()))
        if not self._pending:  # (a change made while this save ran has its own save coming)
            self.on_saved(self.revision)
        if self._channel is not None:
            self._channel.postMessage(
                js_object({"key": key, "tab": self.tab, "revision": self.revision, "saved": record["saved"]})
            )

    async def _call(self, method, *args):
        """Run a store operation; on failure, report it and return None."""
        try:
            return await method(*args)
        except StoreUnavailable as exc:
            self.fail(exc)
            return None

    # ------------------------------------------------------------------ files, results, the list

    async def current(self) -> str | None:
        """The key of the dataset open last, or None."""
        if self.store is None:
            return None
        key = await self._call(self.store.get, "meta", "current")
        return None if key is None else str(key)

    async def keep_files(
        self,
        key: str,
        names: Sequence[str],
        buffers: Sequence[Any],
        mode: str,
        renormalize: bool,
        class_names: list[str] | None = None,
        images: tuple | None = None,
    ) -> None:
        """Store the user's files (JavaScript ArrayBuffers), and how they were read, for dataset ``key``; with
        ``images`` (:data:`cleanlens.web.own_images.Kept`: kind, names, ArrayBuffers, skipped) their images."""
        if self.store is None:
            return
        started = js.performance.now()
        value = js_object(
            {
                "names": list(names),
                "mode": mode,
                "renormalize": renormalize,
                "classes": json.dumps(class_names),
                "saved": _now(),
            }
        )
        value.buffers = to_js(list(buffers))
        size = sum(int(b.byteLength) for b in buffers)
        if images is not None:
            kind, image_names, image_buffers, skipped = images
            value.images = js_object({"kind": kind, "names": list(image_names), "skipped": int(skipped)})
            value.images.buffers = to_js(list(image_buffers))
            size += sum(int(b.byteLength) for b in image_buffers)
        await self._call(self.store.put, "files", key, value)
        self.timings["files"] = (js.performance.now() - started, size)

    async def files(self, key: str) -> tuple[list[str], list[Any], str, bool, list[str] | None, tuple | None] | None:
        """``(names, buffers, mode, renormalize, class_names, images)`` of the stored files of ``key``, or None
        (``images``: as :meth:`keep_files` took them, or None)."""
        if self.store is None:
            return None
        value = await self._call(self.store.get, "files", key)
        if value is None:
            return None
        try:
            class_names = json.loads(str(value.classes)) if getattr(value, "classes", None) else None
        except ValueError:
            class_names = None
        kept = getattr(value, "images", None)
        images = None
        if kept is not None:
            images = (str(kept.kind), [str(n) for n in kept.names], list(kept.buffers), int(kept.skipped))
        return list(value.names), list(value.buffers), str(value.mode), bool(value.renormalize), class_names, images

    async def keep_results(self, key: str, training: Training) -> None:
        """Store the probabilities of ``training`` (a trained :class:`~cleanlens.web.state.Training`)."""
        if self.store is None:
            return
        started = js.performance.now()
        rows = training.probabilities
        k = len(next(row for row in rows if row is not None))
        flat = array("d")
        for row in rows:
            flat.extend(row if row is not None else [0.0] * k)
        value = js_object(
            {
                "digest": training_digest(training.labels, training.excluded, training.info),
                "items": len(rows),
                "classes": k,
            }
        )
        value.probabilities = to_js(flat.tobytes()).buffer
        await self._call(self.store.put, "results", key, value)
        self.timings["results"] = (js.performance.now() - started, len(flat) * 8)

    async def results(
        self, key: str, labels: Sequence[int], excluded: frozenset[int], info: dict[str, Any], k: int
    ) -> list[list[float] | None] | None:
        """The stored probabilities (N rows, None for excluded items) of exactly this training, or None."""
        if self.store is None:
            return None
        value = await self._call(self.store.get, "results", key)
        if value is None or str(value.digest) != training_digest(labels, excluded, info):
            return None
        if int(value.items) != len(labels) or int(value.classes) != k:
            return None
        flat = array("d")
        flat.frombytes(buffer_to_bytes(value.probabilities))
        if len(flat) != len(labels) * k:
            return None
        return [None if i in excluded else flat[i * k : (i + 1) * k].tolist() for i in range(len(labels))]

    async def recent(self) -> list[dict[str, Any]]:
        """The saved sessions, newest first (at most :data:`RECENT`): dicts with key, name, kind, items,
        saved, changes (labels changed and decisions)."""
        if self.store is None:
            return []
        out = []
        for key in await self._call(self.store.keys, "sessions") or []:
            record = await self.record_quietly(key)
            if isinstance(record, dict) and record.get("format") == session.FORMAT:
                labels, decisions = record.get("labels") or {}, record.get("decisions") or {}
                out.append(
                    {
                        "key": key,
                        "name": str(record.get("name", key)),
                        "kind": record.get("kind"),
                        "items": record.get("items"),
                        "saved": str(record.get("saved", "")),
                        "changes": len(set(labels) | set(decisions)),
                    }
                )
        out.sort(key=lambda r: r["saved"], reverse=True)
        return out[:RECENT]

    async def record_quietly(self, key: str) -> Any:
        text = await self._call(self.store.get, "sessions", key)
        try:
            return None if text is None else json.loads(str(text))
        except ValueError:
            return None

    async def forget(self, key: str) -> None:
        """Delete everything kept for ``key``."""
        if self.store is None:
            return
        for name in ("sessions", "files", "results"):
            await self._call(self.store.delete, name, key)
        if key == self.key:
            self.revision = 0
            self._dirty = False  # what was pending is what is being forgotten
            self.set_resume(key != "demo")


def _now():
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
