"""The standard library on demand (browser only: :func:`fetch_sync` and :func:`expose` use ``js``).

The page ships a standard library cut to what it imports when it starts (``python_stdlib.zip``, written by
build.py with tools/stdlib.mjs: about 150 of the 510 modules). Every other file of the standard library is
in one archive per top-level name, ``static/vendor/pyodide/stdlib/NAME.zip`` (``xml.zip`` holds the whole
``xml`` package; ``email.zip`` the parts of ``email`` the start-up does not import), indexed in the zip's
``on-demand.json``: ``{"modules": {module name: archive file name}}`` (every module and package of the
archives, e.g. ``"xml.dom.minidom": "xml.zip"``).

:func:`install` puts an :class:`OnDemand` finder last on ``sys.meta_path``. When an import finds nothing
else and the index names the module, the finder fetches its archive (a synchronous request: an ``import``
statement cannot wait for a promise; one round trip plus the archive, measured in docs/architecture.md),
writes it into Pyodide's file system and imports from it with Python's own path finder (zipimport). Later
imports from the same archive need no request. A name the index does not have costs nothing (``from
pyodide.ffi import jsnull`` on a Pyodide without it asks no network). The training worker installs it too,
with the archives' URL from its manifest.
"""

from __future__ import annotations

import json
import os
import sys
import time
import zipimport
from importlib.machinery import ModuleSpec, PathFinder

ARCHIVES = "./static/vendor/pyodide/stdlib/"
"""Where the archives are, relative to the page (build_runtime.ON_DEMAND beside python_stdlib.zip)."""
INDEX = "on-demand.json"
TARGET = "/lib/stdlib-on-demand"
"""Where fetched archives are written in Pyodide's file system."""
_BYTES = {0xF700 + b: b for b in range(0x80, 0x100)}
"""``x-user-defined`` text -> bytes: that charset maps byte b >= 0x80 to U+F700 + b, and ASCII to itself."""


class OnDemandError(ImportError):
    """An archive of the standard library could not be fetched (the import fails with this message)."""


def fetch_sync(url: str) -> bytes:
    """The bytes at ``url``, fetched synchronously (a synchronous XMLHttpRequest: on the page's main thread
    it can return only text, so the response is read as ``x-user-defined`` text, one character per byte)."""
    import js  # noqa: PLC0415 (the page only: the finder itself runs anywhere)

    request = js.XMLHttpRequest.new()
    request.open("GET", url, False)
    request.overrideMimeType("text/plain; charset=x-user-defined")
    try:
        request.send()
    except Exception as exc:  # noqa: BLE001 (a network error is a JsException)
        raise OnDemandError(f"{url} could not be fetched ({exc})") from None
    if request.status != 200:
        raise OnDemandError(f"{url} could not be fetched (HTTP {request.status})")
    return str(request.responseText).translate(_BYTES).encode("latin-1")


class OnDemand:
    """A meta path finder for the standard library's modules that are not in the shipped zip.

    ``modules``: module name -> archive file name; ``base``: the archives' URL prefix; ``fetch``: url -> bytes
    (:func:`fetch_sync` in the browser); ``ahead``: archive -> module names, for archives the caller fetches
    (:meth:`provide`). ``fetched`` records, per archive fetched here, ``(bytes, milliseconds)``.
    """

    def __init__(
        self, modules: dict[str, str], base: str = ARCHIVES, fetch=None, target: str = TARGET, ahead=None
    ) -> None:
        self.modules = dict(modules)
        self.base = base
        self.fetch = fetch or fetch_sync
        self.target = target
        self.paths: dict[str, str] = {}  # archive -> its path in the file system
        self.fetched: dict[str, tuple[int, float]] = {}
        self.busy: set[str] = set()  # archives being fetched
        self.ahead: dict[str, list[str]] = ahead or {}  # archives fetched by the caller -> their modules

    def find_spec(self, fullname: str, path=None, target=None) -> ModuleSpec | None:
        """The spec of ``fullname`` from its archive (fetched now if needed), or None if it has none."""
        archive = self.modules.get(fullname)
        if archive is None or archive in self.busy:  # (an import while its archive is being fetched: not here)
            return None
        where = self._archive(archive)
        parent = fullname.rpartition(".")[0]
        if not parent:
            return PathFinder.find_spec(fullname, [where])
        search = getattr(sys.modules.get(parent), "__path__", None)
        if search is None:
            return None
        inside = f"{where}/{parent.replace('.', '/')}"
        if inside not in search:  # the package came from the shipped zip: its other modules are here
            search.append(inside)
        return PathFinder.find_spec(fullname, [inside])

    def provide(self, archive: str, path: str) -> None:
        """Import the modules of ``archive``, one of the index's ``ahead`` archives, from ``path``, where the caller
        wrote it (static/worker.js fetches it when it starts): no request for any of them."""
        self.paths[archive] = path
        self.modules.update(dict.fromkeys(self.ahead.get(archive, []), archive))

    def _archive(self, archive: str) -> str:
        if archive not in self.paths:
            start = time.perf_counter()
            self.busy.add(archive)
            try:
                data = self.fetch(self.base + archive)
                os.makedirs(self.target, exist_ok=True)
                path = f"{self.target}/{archive}"
                with open(path, "wb") as handle:
                    handle.write(data)
            finally:
                self.busy.discard(archive)
            self.paths[archive] = path
            self.fetched[archive] = (len(data), (time.perf_counter() - start) * 1000)
        return self.paths[archive]


def shipped_index(paths: list[str] | None = None) -> dict | None:
    """The ``on-demand.json`` of the first zip on ``paths`` (default ``sys.path``) that has one: the standard
    library Python started with (``{"modules": {name: archive}, "ahead": {archive: [names]}}``). None if there is
    none (a whole standard library)."""
    for entry in sys.path if paths is None else paths:
        if entry.endswith(".zip"):
            try:
                return json.loads(zipimport.zipimporter(entry).get_data(INDEX))
            except (OSError, zipimport.ZipImportError, ValueError):
                continue
    return None


def install(base: str = ARCHIVES) -> OnDemand | None:
    """Put the finder, fetching from ``base`` (the archives' URL, relative to the page or absolute), last on
    ``sys.meta_path`` (once); in a page, expose it to tools. None without a trimmed standard library."""
    for finder in sys.meta_path:
        if isinstance(finder, OnDemand):
            return finder
    index = shipped_index()
    if index is None:
        return None
    finder = OnDemand(index["modules"], base, ahead=index.get("ahead"))
    sys.meta_path.append(finder)
    expose(finder)
    return finder


def expose(finder: OnDemand) -> None:
    """For benchmarks and tests, in a page (not in a worker): ``window.cleanlensImport(name)`` imports a module
    and returns how many milliseconds it took; ``window.cleanlensStdlib()``, JSON of the archives fetched so far
    (name -> [bytes, ms])."""
    import importlib  # noqa: PLC0415

    import js  # noqa: PLC0415
    from pyodide.ffi import create_proxy  # noqa: PLC0415

    if not hasattr(js, "window"):
        return

    def timed_import(name):
        start = time.perf_counter()
        importlib.import_module(str(name))
        return (time.perf_counter() - start) * 1000

    js.window.cleanlensImport = create_proxy(timed_import)
    js.window.cleanlensStdlib = create_proxy(lambda: json.dumps(finder.fetched))
