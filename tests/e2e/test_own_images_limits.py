"""Every limit on images that docs/your-data.md states ("Images from a folder or a .zip"), in the page: a file at
the limit loads with its CSV and the dialog says which items have an image; one past it is refused with the
loader's own line, and the data and images shown before stay.

The archives are made as users make them (``zipfile``, stored or deflated); the images are real PNGs, padded
after their end where a size must be reached (browsers show such a PNG). Large files go through the file system.

Writing this test found a bug, since fixed: the page read a ``.zip`` into memory before checking its size, so a
file of any size was read whole before it was refused (docs/your-data.md says "before reading"). The refusal
reads the same either way, so this test does not tell the two apart; ``own_images.gather`` now checks the size
first (``userdata.images.check_zip_size``).
"""

import io
import random
import zipfile
from dataclasses import dataclass

import pytest

from cleanlens.userdata import UserDataError
from cleanlens.userdata.images import (
    MAX_ENTRIES,
    MAX_IMAGE_BYTES,
    MAX_RATIO,
    MAX_TOTAL_BYTES,
    MAX_ZIP_BYTES,
    folder_entries,
    zip_entries,
)

from ..test_userdata_images import archive, png
from .test_own_data import load, wait_loaded
from .test_own_images import probabilities_csv, summary, tile_sources

IDS = [f"d{i:04d}" for i in range(40)]
MATCHED = 5  # the first items have their image in each archive; the rest of an archive is named by no item
MiB = 2**20


def padded_png(seed: int, size: int) -> bytes:
    """A 16 × 16 PNG padded with zeros after its end to ``size`` bytes."""
    image = png(seed, 16)
    return image + bytes(size - len(image))


def incompressible_png(seed: int, size: int, random_bytes: int) -> bytes:
    """A PNG of ``size`` bytes whose padding starts with ``random_bytes`` bytes that do not compress (so its
    deflate ratio is set by ``random_bytes``)."""
    image = png(seed, 16)
    return image + random.Random(seed).randbytes(random_bytes) + bytes(size - len(image) - random_bytes)


def zip_of(files: dict[str, bytes], compression=zipfile.ZIP_STORED) -> bytes:
    """A ``.zip`` of ``files``, stored (images are compressed already) unless ``compression`` says otherwise."""
    return archive(files, compression)


def named(sizes: list[int], seed: int = 0) -> dict[str, bytes]:
    """Padded PNGs of ``sizes``: the first :data:`MATCHED` named by the first ids, the rest by no item."""
    return {
        (f"pics/{IDS[i]}.png" if i < MATCHED else f"pics/other{i:06d}.png"): padded_png(seed + i, size)
        for i, size in enumerate(sizes)
    }


def zip_of_size(total: int) -> bytes:
    """A stored ``.zip`` of exactly ``total`` bytes (about 256 MiB): 43 padded PNGs of 6 MiB, the last one sized to
    fit."""
    sizes = [6 * MiB] * 43
    first = zip_of(named(sizes))
    sizes[-1] += total - len(first)
    data = zip_of(named(sizes))
    assert len(data) == total
    return data


def deflated_with_ratio(size: int, past: bool) -> bytes:
    """A ``.zip`` of one deflated PNG of ``size`` bytes whose ratio (size / compressed size) is the largest at most
    :data:`MAX_RATIO` (``past=False``) or the smallest above it (``past=True``), found by bisection on its
    incompressible bytes."""

    def archive(random_bytes):
        return zip_of({f"pics/{IDS[0]}.png": incompressible_png(0, size, random_bytes)}, zipfile.ZIP_DEFLATED)

    def ratio(data):
        (info,) = zipfile.ZipFile(io.BytesIO(data)).infolist()
        return info.file_size / info.compress_size

    low, high = 0, size // MAX_RATIO + 64
    assert ratio(archive(low)) > MAX_RATIO >= ratio(archive(high))
    while high - low > 1:
        middle = (low + high) // 2
        if ratio(archive(middle)) > MAX_RATIO:
            low = middle
        else:
            high = middle
    return archive(low if past else high)


@dataclass
class Limit:
    at: dict  # name -> bytes: files chosen with the CSV (a .zip) or in the folder (relative paths)
    past: dict
    says: str  # words of the refusal of the file one past: the limit's own
    shown: str  # the start of the summary for the file at the limit
    matched: int  # items with an image then
    folder: bool = False


def zip_size():
    return Limit(
        {"big.zip": zip_of_size(MAX_ZIP_BYTES)},
        {"big.zip": zip_of_size(MAX_ZIP_BYTES + 1)},
        f"big.zip: {MAX_ZIP_BYTES + 1:,} bytes; a .zip of images may have at most 256 MiB",
        f"Images from big.zip: {MATCHED} of 40 items have an image; no image for 35",
        MATCHED,
    )


def one_image_in_a_zip():
    return Limit(
        {"one.zip": zip_of(named([MAX_IMAGE_BYTES]))},
        {"one.zip": zip_of(named([MAX_IMAGE_BYTES + 1]))},
        "one.zip: refused: it would expand beyond the limits",
        "Images from one.zip: 1 of 40 items have an image",
        1,
    )


def one_image_in_a_folder():
    return Limit(
        {f"pics/{IDS[0]}.png": padded_png(0, MAX_IMAGE_BYTES)},
        {f"pics/{IDS[0]}.png": padded_png(0, MAX_IMAGE_BYTES + 1)},
        f"{MAX_IMAGE_BYTES + 1:,} bytes; an image may have at most 8 MiB",
        "Images from the folder pics: 1 of 40 items have an image",
        1,
        folder=True,
    )


def entries():
    def many(n):
        tiny = png(0, 1)
        files = {f"pics/{IDS[i]}.png": png(i, 16) for i in range(MATCHED)}
        files.update({f"pics/x{i:06d}.png": tiny for i in range(n - MATCHED)})
        return {"many.zip": zip_of(files)}

    return Limit(
        many(MAX_ENTRIES),
        many(MAX_ENTRIES + 1),
        "many.zip: refused: it would expand beyond the limits",
        f"Images from many.zip: {MATCHED} of 40 items have an image; no image for 35 ",
        MATCHED,
    )


def total_bytes():
    def deflated(extra):
        n = MAX_TOTAL_BYTES // MAX_IMAGE_BYTES
        files = {
            (f"pics/{IDS[i]}.png" if i < 2 else f"pics/big{i:03d}.png"): incompressible_png(i, MAX_IMAGE_BYTES, 48_000)
            for i in range(n)
        }
        if extra:  # one byte more in all: a file named as an image (no item names it, so it is never read)
            files["pics/tiny.png"] = b"\x89"
        return {"all.zip": zip_of(files, zipfile.ZIP_DEFLATED)}

    return Limit(
        deflated(False),
        deflated(True),
        "all.zip: refused: it would expand beyond the limits",
        "Images from all.zip: 2 of 40 items have an image",
        2,
    )


def ratio():
    return Limit(
        {"flat.zip": deflated_with_ratio(2 * MiB, past=False)},
        {"flat.zip": deflated_with_ratio(2 * MiB, past=True)},
        "flat.zip: refused: it would expand beyond the limits",
        "Images from flat.zip: 1 of 40 items have an image",
        1,
    )


LIMITS = [zip_size, one_image_in_a_zip, one_image_in_a_folder, entries, total_bytes, ratio]


def write(folder, files):
    """Write ``files`` (relative path -> bytes) below ``folder``; return the paths of the top-level entries."""
    tops = []
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        top = folder / name.split("/", 1)[0]
        if top not in tops:
            tops.append(top)
    return tops


def cpython_refusal(limit: Limit) -> str:
    """The CPython loader's line for the file one past the limit (the page must give the same); it takes the file
    at the limit."""
    check(limit, "at")
    with pytest.raises(UserDataError) as refusal:
        check(limit, "past")
    assert limit.says in str(refusal.value), str(refusal.value)
    return str(refusal.value)


def check(limit: Limit, which: str) -> None:
    files = getattr(limit, which)
    if limit.folder:
        reads = [(name, len(data), lambda data=data: data) for name, data in files.items()]
        run = lambda: folder_entries(reads, "pics")  # noqa: E731
    else:
        ((name, data),) = files.items()
        run = lambda: zip_entries(name, data)  # noqa: E731
    run()


def choose(page, tmp_path, limit: Limit, which: str) -> None:
    """Open Your data, choose the CSV of :data:`IDS` and the images (a .zip beside it, or the folder), Load."""
    folder = tmp_path / which
    csv_name, csv = probabilities_csv(IDS)
    paths = write(folder, getattr(limit, which))
    (folder / csv_name).write_bytes(csv)
    if limit.folder:
        page.get_by_test_id("byo-open").click()
        page.get_by_test_id("byo-folder").set_input_files(paths[0])
        page.get_by_test_id("byo-files").set_input_files(folder / csv_name)
        page.get_by_test_id("byo-load").click()
    else:
        load(page, [folder / csv_name, *paths])


@pytest.mark.parametrize("make", LIMITS, ids=lambda make: make.__name__)
def test_at_the_image_limit_loads_and_one_past_is_refused(ready, tmp_path, make):
    limit = make()
    message = cpython_refusal(limit)
    # some data with images first, so that "the images shown stay" means something
    load(ready, [probabilities_csv(IDS), ("first.zip", zip_of(named([1000] * 3)))])
    assert summary(ready).startswith("Images from first.zip: 3 of 40 items")
    wait_loaded(ready, "items.csv")
    ready.get_by_test_id("byo-done").click()
    before = tile_sources(ready, 40)

    refusal = ready.get_by_test_id("byo-error")
    choose(ready, tmp_path, limit, "past")
    refusal.wait_for(timeout=120_000)
    assert refusal.inner_text().startswith(message), (refusal.inner_text(), message)
    assert ready.get_by_test_id("byo-images-summary").count() == 0
    ready.get_by_test_id("byo-close").click()
    assert tile_sources(ready, 40) == before

    choose(ready, tmp_path, limit, "at")
    text = summary(ready)
    assert text.startswith(limit.shown), text
    wait_loaded(ready, "items.csv")
    ready.get_by_test_id("byo-done").click()
    sources = tile_sources(ready, 40)
    assert sources != before and sum(src.startswith("blob:") for src in sources) == limit.matched
