"""The standard library on demand (browser only: :func:`fetch_sync` and :func:`expose` use ``js``).

The page ships a standard library cut to what it imports when it starts (``python_stdlib.zip``, written by
build.py with tools/stdlib.mjs: about 140 of the 560 modules). Every other file of the standard library is
in one archive per top-level name, ``static/vendor/pyodide/stdlib/NAME.zip`` (``xml.zip`` holds the whole
``xml`` package; ``email.zip`` the parts of ``email`` the start-up does not import), listed in the zip's
``on-demand.json``: ``{"chunks": {top-level name: archive file name}}``.

:func:`install` puts an :class:`OnDemand` finder last on ``sys.meta_path``. When an import finds nothing
else and the module's top-level name has an archive, the finder fetches that archive (a synchronous request:
an ``import`` statement cannot wait for a promise; one round trip plus the archive, measured in
docs/architecture.md), writes it into Pyodide's file system and imports from it with Python's own path
finder (zipimport). Later imports from the same archive need no request. A name that is not in the standard
library costs nothing: the finder knows every archive's names without asking the network.
"""

from __future__ import annotations

import json
import os
import sys
import time
import zipfile
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

    ``chunks``: top-level name -> archive file name; ``base``: the archives' URL prefix; ``fetch``: url -> bytes
    (:func:`fetch_sync` in the page). ``fetched`` records, per archive, ``(bytes, milliseconds)``.
    """

    def __init__(self, chunks: dict[str, str], base: str = ARCHIVES, fetch=None, target: str = TARGET):
        self.chunks = chunks
        self.base = base
        self.fetch = fetch or fetch_sync
        self.target = target
        self.paths: dict[str, str] = {}  # archive -> its path in the file system
        self.folders: dict[str, set[str]] = {}  # archive -> the package folders it holds
        self.fetched: dict[str, tuple[int, float]] = {}

    def find_spec(self, fullname: str, path=None, target=None) -> ModuleSpec | None:
        """The spec of ``fullname`` from its archive (fetched now if needed), or None if it has none."""
        archive = self.chunks.get(fullname.partition(".")[0])
        if archive is None:
            return None
        where = self._archive(archive)
        parent = fullname.rpartition(".")[0]
        if not parent:
            return PathFinder.find_spec(fullname, [where])
        package = sys.modules.get(parent)
        search = getattr(package, "__path__", None)
        folder = parent.replace(".", "/")
        if search is None or folder not in self.folders[archive]:
            return None
        inside = f"{where}/{folder}"
        if inside not in search:  # the package came from the shipped zip: its other modules are here too
            search.append(inside)
        return PathFinder.find_spec(fullname, [inside])

    def _archive(self, archive: str) -> str:
        if archive not in self.paths:
            start = time.perf_counter()
            data = self.fetch(self.base + archive)
            os.makedirs(self.target, exist_ok=True)
            path = f"{self.target}/{archive}"
            with open(path, "wb") as handle:
                handle.write(data)
            with zipfile.ZipFile(path) as opened:
                self.folders[archive] = {name.rpartition("/")[0] for name in opened.namelist()}
            self.paths[archive] = path
            self.fetched[archive] = (len(data), (time.perf_counter() - start) * 1000)
        return self.paths[archive]


def shipped_index(paths: list[str] | None = None) -> dict[str, str] | None:
    """The chunks of the first zip on ``paths`` (default ``sys.path``) with an ``on-demand.json``: the standard
    library Python started with, in the page. None if there is none (a whole standard library)."""
    for entry in sys.path if paths is None else paths:
        if entry.endswith(".zip"):
            try:
                return json.loads(zipimport.zipimporter(entry).get_data(INDEX))["chunks"]
            except (OSError, zipimport.ZipImportError, ValueError, KeyError):
                continue
    return None


def install() -> OnDemand | None:
    """Put the finder last on ``sys.meta_path`` (once) and expose it to tools; None without a trimmed zip."""
    for finder in sys.meta_path:
        if isinstance(finder, OnDemand):
            return finder
    chunks = shipped_index()
    if chunks is None:
        return None
    finder = OnDemand(chunks)
    sys.meta_path.append(finder)
    expose(finder)
    return finder


def expose(finder: OnDemand) -> None:
    """For benchmarks and tests: ``window.cleanlensImport(name)`` imports a module and returns how many
    milliseconds it took; ``window.cleanlensStdlib()``, JSON of the archives fetched so far (name -> [bytes,
    ms])."""
    import importlib  # noqa: PLC0415

    import js  # noqa: PLC0415
    from pyodide.ffi import create_proxy  # noqa: PLC0415

    def timed_import(name):
        start = time.perf_counter()
        importlib.import_module(str(name))
        return (time.perf_counter() - start) * 1000

    js.window.cleanlensImport = create_proxy(timed_import)
    js.window.cleanlensStdlib = create_proxy(lambda: json.dumps(finder.fetched))
