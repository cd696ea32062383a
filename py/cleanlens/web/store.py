"""The browser's IndexedDB, where the page keeps sessions (browser only: imports ``js`` and ``pyodide``).

One database, ``cleanlens``, with four object stores keyed by text:

- ``sessions``: dataset key -> a session record as JSON text (:mod:`cleanlens.web.session`);
- ``files``: dataset key -> the user's own files (names, mode, and their bytes as ArrayBuffers), so a
  reload does not ask for them again;
- ``results``: dataset key -> the probabilities of the last training (float64 bytes) and what they were
  trained on, so a restored session shows its results without training again;
- ``meta``: ``"current"`` -> the key of the dataset open last.

Nothing here leaves the browser. Every failure (storage disabled, private mode, quota exceeded, a
blocked upgrade) raises :class:`StoreUnavailable` with a short reason; the page then works as before and
says once that the session will not be kept.
"""

from __future__ import annotations

import asyncio
from typing import Any

import js
from pyodide.ffi import create_proxy, to_js

NAME = "cleanlens"
VERSION = 1
STORES = ("sessions", "files", "results", "meta")
OPEN_TIMEOUT = 5.0
"""Seconds to wait for the database to open (another tab holding an older version open blocks it)."""


class StoreUnavailable(Exception):
    """The browser's storage cannot be used; the message says why, in a few words."""


def _reason(target):
    error = getattr(target, "error", None)
    if error is None:
        return "the browser refused"
    return f"{getattr(error, 'name', 'Error')}: {getattr(error, 'message', '')}".rstrip(": ")


async def _wait(target, done, failed=("error", "abort"), timeout=None):
    """Wait for the ``done`` event of an IDBRequest or IDBTransaction; a ``failed`` event raises StoreUnavailable."""
    future = asyncio.get_event_loop().create_future()

    def finish(event):
        if not future.done():
            future.set_result(event)

    def fail(event):
        if not future.done():
            future.set_exception(StoreUnavailable(_reason(target)))

    handlers = [(done, create_proxy(finish))] + [(name, create_proxy(fail)) for name in failed]
    for name, proxy in handlers:
        target.addEventListener(name, proxy)
    try:
        if timeout is None:
            return await future
        return await asyncio.wait_for(future, timeout)
    except TimeoutError:
        raise StoreUnavailable("the browser did not open its storage in time") from None
    finally:
        for name, proxy in handlers:
            target.removeEventListener(name, proxy)
            proxy.destroy()


def js_object(mapping: dict[str, Any]) -> Any:
    """A plain JavaScript object from a dict (values: str, numbers, bools, lists, JS objects)."""
    return to_js(mapping, dict_converter=js.Object.fromEntries)


class Store:
    """An open connection to the database; see the module docstring."""

    def __init__(self, db: Any) -> None:
        self.db = db

    @classmethod
    async def open(cls) -> Store:
        try:
            request = js.indexedDB.open(NAME, VERSION)
        except Exception as exc:  # noqa: BLE001 (SecurityError, or no indexedDB at all)
            raise StoreUnavailable(_message(exc)) from None

        def upgrade(_event):
            db = request.result
            for name in STORES:
                if not db.objectStoreNames.contains(name):
                    db.createObjectStore(name)

        proxy = create_proxy(upgrade)
        request.addEventListener("upgradeneeded", proxy)
        try:
            await _wait(request, "success", ("error", "blocked"), timeout=OPEN_TIMEOUT)
        finally:
            request.removeEventListener("upgradeneeded", proxy)
            proxy.destroy()
        return cls(request.result)

    def _request(self, name, mode, operation, *args):
        """Start ``operation`` (get, put, delete, getAllKeys) on store ``name``: ``(transaction, request)``.

        IndexedDB throws synchronously for some failures (a closed connection, a quota stub, a value it
        cannot clone): they become :class:`StoreUnavailable` like the asynchronous ones.
        """
        try:
            transaction = self.db.transaction(name, mode)
            return transaction, getattr(transaction.objectStore(name), operation)(*args)
        except Exception as exc:  # noqa: BLE001 (any DOMException)
            raise StoreUnavailable(_message(exc)) from None

    async def get(self, name: str, key: str) -> Any:
        """The value under ``key``, or None."""
        _, request = self._request(name, "readonly", "get", key)
        await _wait(request, "success")
        return request.result  # undefined (None here) when there is nothing under key

    async def put(self, name: str, key: str, value: Any) -> None:
        """Store ``value`` (text, or a JS object) under ``key``; returns when it is written."""
        transaction, _ = self._request(name, "readwrite", "put", value, key)
        await _wait(transaction, "complete")

    async def delete(self, name: str, key: str) -> None:
        transaction, _ = self._request(name, "readwrite", "delete", key)
        await _wait(transaction, "complete")

    async def keys(self, name: str) -> list[str]:
        """Every key in the store, as a list of str."""
        _, request = self._request(name, "readonly", "getAllKeys")
        await _wait(request, "success")
        return [str(key) for key in request.result]


def _message(exc):
    """ "Name: message" of a JavaScript error that reached Python (its text, not Pyodide's wrapping)."""
    js_error = getattr(exc, "js_error", None)
    if js_error is not None:
        return f"{getattr(js_error, 'name', 'Error')}: {getattr(js_error, 'message', '')}"
    return str(exc) or type(exc).__name__
