"""Images from a folder or a .zip: 2,000 PNGs made here, matched by id or by the image column; refused archives."""

import io
import struct
import zipfile
import zlib

import pytest

from cleanlens.userdata import UserDataError
from cleanlens.userdata.images import (
    MAX_IMAGE_BYTES,
    ImageEntry,
    count_skipped,
    folder_entries,
    image_type,
    match_images,
    zip_entries,
)


def png(seed: int, size: int = 4) -> bytes:
    """A tiny grey PNG (stdlib only: zlib and struct), its pixels depending on ``seed``."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes((seed * 7 + x * 13 + y) % 256 for x in range(size)) for y in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def archive(files: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


IDS = [f"d{i:04d}" for i in range(2_000)]
PNGS = {f"digits/{item}.png": png(i) for i, item in enumerate(IDS)}


def test_two_thousand_pngs_in_a_zip_match_their_ids():
    data = archive({**PNGS, "digits/README.txt": b"not an image", "__MACOSX/digits/._d0000.png": b"junk"})
    entries = zip_entries("digits.zip", data)
    assert len(entries) == 2_000 and entries[0].name == "digits/d0000.png"
    match = match_images(
        IDS + ["d9999"], None, entries, skipped=count_skipped(zipfile.ZipFile(io.BytesIO(data)).namelist())
    )
    assert match.matched == 2_000 and match.missing == ["d9999"] and match.unused == [] and match.skipped == 2
    kind, body = match.entries[17].image()
    assert kind == "image/png" and body == PNGS["digits/d0017.png"]
    assert match.summary().startswith("2,000 of 2,001 items have an image; no image for 1 ('d9999')")


def test_a_dropped_folder_matches_by_the_image_column_and_lists_what_did_not():
    files = [(name, len(body), lambda body=body: body) for name, body in list(PNGS.items())[:5]]
    files.append(("digits\\extra\\d0001.png", 100, lambda: png(1)))  # Windows separators; a second d0001.png
    files.append(("digits/notes.csv", 10, lambda: b"id,label\n"))
    entries = folder_entries(files)
    assert [e.name for e in entries][-1] == "digits/extra/d0001.png" and len(entries) == 6
    refs = ["digits/d0000.png", "./d0002.png", "extra/d0001.png", "other/d0001.png", None, "data:image/png;base64,AA=="]
    ids = ["a", "b", "c", "d", "d0004", "f"]
    match = match_images(ids, refs, entries)
    names = [e.name if e else None for e in match.entries]
    assert names == ["digits/d0000.png", "digits/d0002.png", "digits/extra/d0001.png", None, "digits/d0004.png", None]
    assert match.missing == ["d"] and match.ambiguous == [
        ("other/d0001.png", ["digits/d0001.png", "digits/extra/d0001.png"])
    ]
    assert match.unused == ["digits/d0001.png", "digits/d0003.png"]


def test_ids_match_ignoring_case_only_when_nothing_matches_exactly():
    entries = [ImageEntry(name, 1, lambda: b"") for name in ("Cat.PNG", "dog.png", "DOG.png")]
    match = match_images(["cat", "dog", "DOG"], None, entries)
    assert [e.name for e in match.entries] == ["Cat.PNG", "dog.png", "DOG.png"]


def test_zip_bombs_and_traversal_are_refused_with_one_line():
    flat = archive({"a.png": b"\x89PNG\r\n\x1a\n" + bytes(2 * 1024 * 1024)})  # compressed ~1,000 times
    with pytest.raises(UserDataError, match="bomb.zip: refused: it would expand beyond the limits .* a zip bomb"):
        zip_entries("bomb.zip", flat)
    big = archive({"a.png": bytes(MAX_IMAGE_BYTES + 1)}, zipfile.ZIP_STORED)
    with pytest.raises(UserDataError, match="a zip bomb"):
        zip_entries("big.zip", big)
    with pytest.raises(UserDataError, match="evil.zip: refused: the entry '../up.png' points outside the archive"):
        zip_entries("evil.zip", archive({"../up.png": png(0)}))
    with pytest.raises(UserDataError, match="points outside"):
        zip_entries("abs.zip", archive({"/etc/x.png": png(0)}))
    with pytest.raises(UserDataError, match="^x.zip: not a readable .zip"):
        zip_entries("x.zip", b"PK\x03\x04 not really")


def test_encrypted_entries_and_oversized_folder_images_are_refused():
    data = bytearray(archive({"a.png": png(0)}))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # set the "encrypted" flag bit
        at = data.index(signature) + offset
        data[at] |= 1
    with pytest.raises(UserDataError, match="a.png' is encrypted"):
        zip_entries("locked.zip", bytes(data))
    with pytest.raises(UserDataError, match="an image may have at most 8 MiB"):
        folder_entries([("big.png", MAX_IMAGE_BYTES + 1, lambda: b"")])


def test_image_types_come_from_the_bytes():
    assert image_type(png(3)[:16]) == "image/png"
    assert image_type(b"\xff\xd8\xff\xe0" + bytes(8)) == "image/jpeg"
    assert image_type(b"GIF89a" + bytes(6)) == "image/gif"
    assert image_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert image_type(b"BM" + bytes(10)) == "image/bmp"
    assert image_type(b"\x00\x00\x00\x1cftypavif") == "image/avif"
    assert image_type(b"<svg onload=alert(1)>") is None
    assert ImageEntry("fake.png", 5, lambda: b"hello").image() is None


def test_the_matched_images_are_read_in_steps():
    from cleanlens.steps import collect
    from cleanlens.userdata.images import iter_images

    entries = zip_entries("d.zip", archive(dict(list(PNGS.items())[:50])))
    match = match_images(IDS[:49] + ["nobody"], None, entries)
    pauses, images = collect(iter_images(match, due=lambda: True))
    assert len(pauses) == 50 and images[-1] is None
    assert images[:49] == [("image/png", PNGS[f"digits/{i}.png"]) for i in IDS[:49]]


def test_file_roles_split_the_data_from_its_images():
    from cleanlens.userdata.images import file_role

    roles = [file_role(n) for n in ("a.csv", "p.npy", "d.json", "x.ZIP", "dir/b.JPG", "c.webp", ".hidden.png", "s.svg")]
    assert roles == ["data", "data", "data", "zip", "image", "image", "data", "data"]
