"""Your own images (browser only: imports ``js`` and ``pyodide``): a folder or a ``.zip`` of images chosen or
dropped with the data, matched to its items by :mod:`cleanlens.userdata.images`, shown as ``blob:`` URLs.

- :func:`dropped` walks a drop's folders (``DataTransferItem.webkitGetAsEntry``) into ``(path, File)`` pairs;
- :func:`gather` reads the chosen images into :data:`Kept` (what the keeper stores beside the session, so a
  reload shows them again): ``("zip", [name], [ArrayBuffer], 0)`` or
  ``("folder", [path, …], [ArrayBuffer, …], skipped)`` (only the folder's images; ``skipped`` counts the rest);
- :func:`attach` matches them to a loaded dataset and replaces its ``images`` by ``blob:`` URLs, reading one image
  a step (:func:`~cleanlens.userdata.images.iter_images`); the previous data's URLs are revoked.

Nothing here sends anything anywhere: the bytes stay in this tab (and in its IndexedDB).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import js
from pyodide.ffi import create_once_callable, to_js

from cleanlens.dataset import Dataset
from cleanlens.userdata import UserDataError
from cleanlens.userdata.images import (
    ImageEntry,
    check_zip_size,
    count_skipped,
    folder_entries,
    iter_images,
    match_images,
    zip_entries,
)
from cleanlens.web.scheduler import drive, throttled
from cleanlens.web.store import js_object

Kept = tuple  # (kind, names, buffers, skipped): "zip" or "folder", the names or paths, ArrayBuffers, non-images

_URLS: list[str] = []
"""The ``blob:`` URLs made for the data open now (revoked when other images are attached)."""


def _promise(start: Any) -> Any:
    """A JavaScript Promise settled by ``start(resolve, reject)`` (for the callback APIs of directory entries)."""
    return js.Promise.new(create_once_callable(start))


async def _walk(entry: Any, out: list[tuple[str, Any]]) -> None:
    if entry.isFile:
        file = await _promise(lambda resolve, reject: entry.file(resolve, reject))
        out.append((str(entry.fullPath).lstrip("/"), file))
        return
    reader = entry.createReader()
    while True:  # readEntries gives at most 100 entries a call, then an empty list
        batch = list(await _promise(lambda resolve, reject: reader.readEntries(resolve, reject)))
        if not batch:
            return
        for child in batch:
            await _walk(child, out)


def drop_entries(transfer: Any) -> list[Any]:
    """The file system entries of a drop; call it while the drop event is dispatched (later they are gone)."""
    items = list(transfer.items) if transfer is not None and transfer.items is not None else []
    entries = [item.webkitGetAsEntry() for item in items if str(item.kind) == "file"]
    return [e for e in entries if e is not None]


async def dropped(entries: list[Any]) -> tuple[list[Any], list[tuple[str, Any]]]:
    """``(files, folder)`` of a drop's entries (from :func:`drop_entries`): the files dropped as they are, and
    every file inside the dropped folders as ``(relative path, File)``."""
    files: list[Any] = []
    folder: list[tuple[str, Any]] = []
    for entry in entries:
        if entry.isFile:
            files.append(await _promise(lambda resolve, reject, entry=entry: entry.file(resolve, reject)))
        else:
            await _walk(entry, folder)
    return files, folder


async def gather(zips: list[Any], folder: list[tuple[str, Any]]) -> Kept | None:
    """The images chosen with the data, read into :data:`Kept` (None: none). ``zips``: ``.zip`` Files;
    ``folder``: ``(path, File)`` of a folder's files (checked against the limits from their sizes first; only
    the images are read). Raises :class:`~cleanlens.userdata.UserDataError` for more than one source or a
    folder over the limits."""
    if len(zips) + bool(folder) > 1:
        raise UserDataError("Choose one folder or one .zip of images, not several.")
    if zips:
        check_zip_size(str(zips[0].name), int(zips[0].size))  # before reading it into memory
        return ("zip", [str(zips[0].name)], [await zips[0].arrayBuffer()], 0)
    if not folder:
        return None
    name = folder[0][0].split("/", 1)[0] if "/" in folder[0][0] else "folder"
    files = dict(folder)
    entries = folder_entries(((path, int(file.size), None) for path, file in folder), name)
    paths = [e.name for e in entries]
    buffers = [await files[path].arrayBuffer() for path in paths]
    return ("folder", paths, buffers, count_skipped(path for path, _ in folder))


def _entries(kept: Kept) -> tuple[list[ImageEntry], int]:
    """The :class:`ImageEntry` list of kept images, and how many of the files were no image."""
    kind, names, buffers, skipped = kept
    if kind == "zip":
        buffer = buffers[0]

        def read(start: int, end: int) -> bytes:
            return js.Uint8Array.new(buffer, start, end - start).to_bytes()

        source = SimpleNamespace(size=int(buffer.byteLength), read=read)
        entries = zip_entries(str(names[0]), source)
        return entries, 0
    reads = [
        (str(path), int(b.byteLength), lambda b=b: js.Uint8Array.new(b).to_bytes()) for path, b in zip(names, buffers)
    ]
    return folder_entries(reads, "folder"), int(skipped)


def _source_name(kept: Kept) -> str:
    kind, names = kept[0], kept[1]
    if kind == "zip":
        return str(names[0])
    tops = {str(n).split("/", 1)[0] for n in names if "/" in str(n)}
    return f"the folder {next(iter(tops))}" if len(tops) == 1 else "the folder"


def _blob_url(kind: str, data: bytes) -> str:
    blob = js.Blob.new(to_js([to_js(data)]), js_object({"type": kind}))
    return str(js.URL.createObjectURL(blob))


async def attach(dataset: Dataset, kept: Kept, progress: Any = None) -> str:
    """Match ``kept`` images to ``dataset``'s items and show each matched one as a ``blob:`` URL (its
    ``images`` are replaced in place; items without a match keep what they had). Returns the one-line summary
    (:meth:`~cleanlens.userdata.images.ImageMatch.summary`, with the source's name). Raises
    :class:`~cleanlens.userdata.UserDataError` for a bad ``.zip`` or an image that cannot be read; nothing is
    changed then."""
    entries, skipped = _entries(kept)
    match = match_images(dataset.ids, dataset.images, entries, skipped)
    images = await drive(iter_images(match, throttled(0.03)), every=0)
    unreadable = sum(1 for e, image in zip(match.entries, images) if e is not None and image is None)
    urls = [None if image is None else _blob_url(*image) for image in images]
    for url in _URLS:
        js.URL.revokeObjectURL(url)
    _URLS[:] = [u for u in urls if u is not None]
    for i, url in enumerate(urls):
        if url is not None:
            dataset.images[i] = url
    summary = f"Images from {_source_name(kept)}: {match.summary()}"
    if unreadable:
        summary += f"; {unreadable:,} files were no image this page can show (left out)"
    return summary + "."
