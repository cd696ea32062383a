"""Images for your own data from a dropped folder or a ``.zip``: read bounded, matched to the items (pure).

A dropped folder arrives in the browser as a list of files (each with a relative path, a size and a way to read
it); a ``.zip`` as one file. Both become :class:`ImageEntry` lists (:func:`folder_entries`,
:func:`zip_entries`), and :func:`match_images` says which entry is each item's image.

Entries
-------
Only files whose extension is an image's (:data:`IMAGE_TYPES`) are entries; others (a ``README``, the CSV
itself, ``__MACOSX/`` and hidden files) are skipped and counted. An entry's MIME type comes from its first
bytes (:func:`image_type`: PNG, JPEG, GIF, WebP, BMP, AVIF), never from its name; SVG is not accepted (it can
hold scripts). An entry whose bytes are no image is left out when read (:meth:`ImageEntry.image`).

Limits (:data:`MAX_ENTRIES` entries, :data:`MAX_IMAGE_BYTES` per image, :data:`MAX_TOTAL_BYTES` in all, a
``.zip`` of at most :data:`MAX_ZIP_BYTES`). A ``.zip`` is checked from its central directory before any image
is expanded: an entry named with ``..``, an absolute path or a drive is refused (no path traversal, although
nothing is ever written to disk); entries whose declared sizes exceed the limits, or that are compressed more
than :data:`MAX_RATIO` times, are refused with one message (:data:`ZIP_BOMB`); reading an entry never yields
more than its declared size (``zipfile`` stops there and checks the CRC). Encrypted entries are refused.

Matching (:func:`match_images`)
-------------------------------
Each item is named by the CSV's ``image`` value when it has one, else by its id (an item whose ``image`` is a
``data:`` URI has its image already and is not matched):

- an ``image`` value (a relative path, ``./`` and ``/`` at its start ignored) matches the entry with that path,
  else the entry with that path below the folder or archive's single top folder, else the only entry with
  that file name;
- an id matches the only entry whose file name without its extension is the id (exactly; else, if no entry
  has it exactly, ignoring case).

Two entries fitting one name make it *ambiguous* (listed, not matched). :class:`ImageMatch` lists the items
without an image and the entries no item named.

In the page
-----------
The page keeps each matched image's bytes and makes a ``blob:`` URL of them (``URL.createObjectURL(new
Blob([bytes], {type}))``, allowed by its Content-Security-Policy): a ``data:`` URL would hold the image a
third larger, as text, in Python, in the DOM and in the saved session. No image leaves the browser.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ..arrays_io import Source, as_source
from ..steps import Due, Steps
from .common import UserDataError, extension, short

IMAGE_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "bmp": "image/bmp",
    "avif": "image/avif",
}
"""Extensions read as images (their MIME type is then taken from the bytes)."""
MAX_ENTRIES = 100_000
"""The most images in a folder or ``.zip`` (the most rows the page loads)."""
MAX_IMAGE_BYTES = 8 * 1024 * 1024
"""The largest image; a thumbnail needs far less."""
MAX_TOTAL_BYTES = 512 * 1024 * 1024
"""The most image bytes in all, expanded."""
MAX_ZIP_BYTES = 256 * 1024 * 1024
"""The largest ``.zip`` accepted (checked before reading)."""
MAX_RATIO = 200
"""An entry expanding to more than this many times its compressed size (and to more than 1 MiB) is a bomb's:
images are compressed already (a PNG deflates to about 1-1.5 times, a flat one to some tens)."""
RATIO_FLOOR = 1024 * 1024
ZIP_BOMB = (
    "{name}: refused: it would expand beyond the limits (at most {entries:,} images of {image} each, {total} in "
    "all, none compressed more than {ratio} times): a zip bomb, or not a folder of images"
)
"""The one message for every sign of a zip bomb."""


@dataclass
class ImageEntry:
    """One image file: ``name`` (its path in the folder or archive, ``/``-separated), ``size`` (bytes, expanded)
    and ``read()`` returning its bytes."""

    name: str
    size: int
    read: Callable[[], bytes] = field(repr=False)

    def image(self) -> tuple[str, bytes] | None:
        """``(MIME type, bytes)`` of the image, or None when its bytes are no image :func:`image_type` knows."""
        data = self.read()
        kind = image_type(data[:32])
        return None if kind is None else (kind, data)


@dataclass
class ImageMatch:
    """What :func:`match_images` found.

    ``entries``: per item the matched :class:`ImageEntry` or None; ``matched``: how many items have one;
    ``missing``: ids of the items without one; ``unused``: names of the entries no item named; ``ambiguous``:
    ``(id, [entry names])`` of names that fit several entries; ``skipped``: files that were no image.
    """

    entries: list[ImageEntry | None]
    matched: int
    missing: list[str]
    unused: list[str]
    ambiguous: list[tuple[str, list[str]]]
    skipped: int = 0

    def summary(self, limit: int = 5) -> str:
        """One sentence for the page: how many matched, and the first names of what did not."""

        def first(names):
            shown = ", ".join(map(short, names[:limit]))
            return shown + (", …" if len(names) > limit else "")

        parts = [f"{self.matched:,} of {len(self.entries):,} items have an image"]
        if self.missing:
            parts.append(f"no image for {len(self.missing):,} ({first(self.missing)})")
        if self.unused:
            parts.append(f"{len(self.unused):,} images named by no item ({first(self.unused)})")
        if self.ambiguous:
            parts.append(f"{len(self.ambiguous):,} names fit several images ({first([a for a, _ in self.ambiguous])})")
        if self.skipped:
            parts.append(f"{self.skipped:,} files were not images")
        return "; ".join(parts)


def image_type(head: bytes) -> str | None:
    """The MIME type of an image from its first bytes (at least 12), or None.

    >>> image_type(bytes.fromhex("89504e470d0a1a0a0000000d")), image_type(b"<svg xmlns=")
    ('image/png', None)
    """
    head = bytes(head)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:2] == b"BM":
        return "image/bmp"
    if head[4:12] in (b"ftypavif", b"ftypavis"):
        return "image/avif"
    return None


def _is_image_name(path: str) -> bool:
    parts = path.split("/")
    if any(p.startswith(".") for p in parts) or parts[0] == "__MACOSX":
        return False
    return extension(parts[-1]) in IMAGE_TYPES


def _check_count_and_total(name: str, count: int, total: int) -> None:
    if count > MAX_ENTRIES or total > MAX_TOTAL_BYTES:
        raise UserDataError(_bomb(name) if name.lower().endswith(".zip") else _too_much(name, count, total))


def _bomb(name: str) -> str:
    return ZIP_BOMB.format(
        name=name,
        entries=MAX_ENTRIES,
        image=f"{MAX_IMAGE_BYTES // 2**20} MiB",
        total=f"{MAX_TOTAL_BYTES // 2**20} MiB",
        ratio=MAX_RATIO,
    )


def _too_much(name: str, count: int, total: int) -> str:
    return (
        f"{name}: {count:,} images, {total / 2**20:.1f} MiB: at most {MAX_ENTRIES:,} images and "
        f"{MAX_TOTAL_BYTES // 2**20} MiB are supported"
    )


def folder_entries(files: Iterable[tuple[str, int, Callable[[], bytes]]], name: str = "folder") -> list[ImageEntry]:
    """The images of a dropped folder: ``files`` are ``(relative path, size, read)`` as the browser lists them
    (``File.webkitRelativePath`` or the path of a directory entry; ``\\`` taken for ``/``). Other files are
    skipped (counted by :func:`match_images` only through ``skipped``, see :func:`count_skipped`). Refused
    (:class:`~cleanlens.userdata.UserDataError`): more than :data:`MAX_ENTRIES` images or
    :data:`MAX_TOTAL_BYTES`, an image over :data:`MAX_IMAGE_BYTES`."""
    entries, total = [], 0
    for path, size, read in files:
        path = path.replace("\\", "/").lstrip("/")
        if not _is_image_name(path):
            continue
        if size > MAX_IMAGE_BYTES:
            raise UserDataError(
                f"{name}: {short(path)}: {size:,} bytes; an image may have at most {MAX_IMAGE_BYTES // 2**20} MiB"
            )
        total += size
        entries.append(ImageEntry(path, size, read))
        _check_count_and_total(name, len(entries), total)
    return entries


class _SourceFile(io.RawIOBase):
    """A seekable, read-only file over a :class:`~cleanlens.arrays_io.Source` (what :mod:`zipfile` needs)."""

    def __init__(self, source: Source):
        self.source, self.position = source, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.source.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer) -> int:
        end = min(self.source.size, self.position + len(buffer))
        data = bytes(self.source.read(min(self.position, end), end))
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)


def _safe_path(name: str, path: str) -> str:
    """The entry's path, or UserDataError for one that climbs out or is absolute (no path traversal)."""
    parts = path.replace("\\", "/").split("/")
    if path.startswith(("/", "\\")) or ".." in parts or (len(parts[0]) == 2 and parts[0][1] == ":"):
        raise UserDataError(f"{name}: refused: the entry {short(path)} points outside the archive")
    return posixpath.normpath("/".join(parts)).lstrip("/")


def check_zip_size(name: str, size: int) -> None:
    """Refuse a ``.zip`` of images over :data:`MAX_ZIP_BYTES` from its ``size`` alone (the page calls it before
    reading the file, :func:`zip_entries` again on the bytes)."""
    if size > MAX_ZIP_BYTES:
        raise UserDataError(f"{name}: {size:,} bytes; a .zip of images may have at most {MAX_ZIP_BYTES // 2**20} MiB")


def zip_entries(name: str, data: object) -> list[ImageEntry]:
    """The images of a ``.zip`` (``data``: bytes-like or a :class:`~cleanlens.arrays_io.Source`), checked
    from its central directory before anything is expanded (see the module docstring). Every problem is a
    :class:`~cleanlens.userdata.UserDataError` with one line naming the file."""
    source = as_source(data)
    check_zip_size(name, source.size)
    try:
        archive = zipfile.ZipFile(io.BufferedReader(_SourceFile(source)))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise UserDataError(f"{name}: not a readable .zip ({' '.join(str(exc).split())[:120]})") from None
    if len(infos) > MAX_ENTRIES * 2:
        raise UserDataError(_bomb(name))
    entries, total = [], 0
    for info in infos:
        path = _safe_path(name, info.filename)
        if info.is_dir() or not _is_image_name(path):
            continue
        if info.flag_bits & 0x1:
            raise UserDataError(f"{name}: {short(path)} is encrypted; use a .zip without a password")
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > MAX_IMAGE_BYTES or (info.file_size > RATIO_FLOOR and ratio > MAX_RATIO):
            raise UserDataError(_bomb(name))
        total += info.file_size
        _check_count_and_total(name, len(entries) + 1, total)
        entries.append(ImageEntry(path, info.file_size, _reader(name, archive, info)))
    return entries


def _reader(name: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            with archive.open(info) as member:
                data = member.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise UserDataError(f"{name}: {short(info.filename)} cannot be read ({exc})") from None
        if len(data) > info.file_size:
            raise UserDataError(_bomb(name))
        return data

    return read


def iter_images(match: ImageMatch, due: Due | None = None) -> Steps[None, list[tuple[str, bytes] | None]]:
    """The matched images' ``(MIME type, bytes)`` per item (None: no image, or bytes that are no image), read
    one entry at a time: a step generator yielding ``None`` whenever ``due()`` says so (the page makes its
    ``blob:`` URLs from the result)."""
    out = []
    for entry in match.entries:
        out.append(None if entry is None else entry.image())
        if due is not None and due():
            yield None
    return out


def file_role(name: str) -> str:
    """What a file chosen or dropped with the data is: ``"zip"`` (a ``.zip`` of images), ``"image"`` (one image of
    a folder, by its extension) or ``"data"`` (anything else: the CSV, JSON or ``.npy`` the loader reads).

    >>> file_role("photos.ZIP"), file_role("cats/a.png"), file_role("pred_probs.csv")
    ('zip', 'image', 'data')
    """
    if name.lower().endswith(".zip"):
        return "zip"
    return "image" if _is_image_name(name.replace("\\", "/").lstrip("/")) else "data"


def count_skipped(paths: Iterable[str]) -> int:
    """How many of a folder's or archive's file paths are not images (for :attr:`ImageMatch.skipped`)."""
    return sum(1 for p in paths if not p.endswith("/") and not _is_image_name(p.replace("\\", "/").lstrip("/")))


def _index(entries: Sequence[ImageEntry]):
    by_path, by_inner, by_base, by_stem, by_stem_folded = {}, {}, {}, {}, {}
    tops = {e.name.split("/", 1)[0] for e in entries if "/" in e.name}
    single_top = len(tops) == 1 and all("/" in e.name for e in entries)
    for e in entries:
        by_path[e.name] = [e]
        if single_top:
            by_inner.setdefault(e.name.split("/", 1)[1], []).append(e)
        base = e.name.rsplit("/", 1)[-1]
        by_base.setdefault(base, []).append(e)
        stem = base.rsplit(".", 1)[0]
        by_stem.setdefault(stem, []).append(e)
        by_stem_folded.setdefault(stem.casefold(), []).append(e)
    return by_path, by_inner, by_base, by_stem, by_stem_folded


def _relative(ref: str) -> str:
    """An ``image`` value as a path relative to the folder: ``\\`` as ``/``, normalised, without a leading
    ``./`` or ``/``."""
    path = posixpath.normpath(ref.replace("\\", "/"))
    while path.startswith(("./", "/")):
        path = path[1:].lstrip("/") if path.startswith("/") else path[2:]
    return path


def match_images(
    ids: Sequence[str], images: Sequence[str | None] | None, entries: Sequence[ImageEntry], skipped: int = 0
) -> ImageMatch:
    """Match items to image entries (see the module docstring).

    ``ids``: N item ids; ``images``: N values of the CSV's ``image`` column (None or "" where empty), or None;
    ``entries``: from :func:`folder_entries` or :func:`zip_entries`; ``skipped``: files that were no image
    (reported only). Returns an :class:`ImageMatch`.
    """
    by_path, by_inner, by_base, by_stem, by_stem_folded = _index(entries)
    found, missing, ambiguous, used = [], [], [], set()
    for i, item_id in enumerate(ids):
        ref = (images[i] or "").strip() if images is not None else ""
        if ref[:5].lower() == "data:":  # the CSV holds the image itself
            found.append(None)
            continue
        if ref:
            path = _relative(ref)
            candidates = by_path.get(path) or by_inner.get(path) or by_base.get(path.rsplit("/", 1)[-1]) or []
        else:
            candidates = by_stem.get(item_id) or by_stem_folded.get(item_id.casefold()) or []
        if len(candidates) == 1:
            found.append(candidates[0])
            used.add(id(candidates[0]))
        else:
            found.append(None)
            missing.append(item_id)
            if len(candidates) > 1:
                ambiguous.append((ref or item_id, sorted(e.name for e in candidates)))
    unused = [e.name for e in entries if id(e) not in used]
    return ImageMatch(found, sum(e is not None for e in found), missing, unused, ambiguous, skipped)
