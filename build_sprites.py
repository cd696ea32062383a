"""The demo's sprite sheet: its thumbnails (8-bit greyscale PNGs) packed into one PNG at build time.

Standard library only: a minimal PNG reader and writer (zlib, struct).
"""

from __future__ import annotations

import json
import math
import struct
import zlib
from pathlib import Path

from build_common import ROOT, BuildError

SPRITE_SHEET = "static/demo/sheet.png"
"""Where :func:`sprite_sheet` writes the demo's thumbnails as one image (inside the site)."""
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def read_grey_png(data, name="PNG"):
    """Decode an 8-bit greyscale, non-interlaced PNG (what the demo's thumbnails are): ``(width, height, rows)``,
    rows as bytes. Anything else is a BuildError naming the file."""
    if data[:8] != PNG_SIGNATURE:
        raise BuildError(f"{name} is not a PNG file.")
    pos, idat, header = 8, [], None
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None or header[2:5] != (8, 0, 0) or header[6] != 0:
        raise BuildError(f"{name}: the sprite sheet needs 8-bit greyscale, non-interlaced PNGs.")
    width, height = header[:2]
    raw = zlib.decompress(b"".join(idat))
    rows, previous, stride = [], bytearray(width), width + 1
    for y in range(height):
        kind, line = raw[y * stride], bytearray(raw[y * stride + 1 : (y + 1) * stride])
        for x in range(width):
            a = line[x - 1] if x else 0
            b = previous[x]
            c = previous[x - 1] if x else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            elif kind != 0:
                raise BuildError(f"{name}: unknown PNG filter {kind}.")
        rows.append(bytes(line))
        previous = line
    return width, height, rows


def write_grey_png(width, height, rows):
    """Encode rows of 8-bit grey pixels as a PNG (each row's filter chosen by the usual least-sum heuristic)."""
    out, previous = bytearray(), bytes(width)
    for row in rows:
        candidates = [
            bytes([0]) + row,
            bytes([1]) + bytes((row[x] - (row[x - 1] if x else 0)) & 255 for x in range(width)),
            bytes([2]) + bytes((row[x] - previous[x]) & 255 for x in range(width)),
        ]
        out += min(candidates, key=lambda c: sum(v if v < 128 else 256 - v for v in c[1:]))
        previous = row

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    return (
        PNG_SIGNATURE
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(bytes(out), 9))
        + chunk(b"IEND", b"")
    )


def upscale_factor(size, images):
    """The largest f dividing ``size`` such that every image is an exact f-times nearest-neighbour enlargement
    (so the sheet can hold each at ``size / f`` pixels and the page enlarge it again, pixelated, losing nothing)."""
    for f in range(size, 1, -1):
        if size % f == 0 and all(
            rows[y][x] == rows[y - y % f][x - x % f] for _, _, rows in images for y in range(size) for x in range(size)
        ):
            return f
    return 1


def sprite_sheet(site, dataset_path=None):
    """Write the demo's thumbnails into one image, ``site/SPRITE_SHEET``; return its manifest (JSON-ready).

    The page then needs one request for every thumbnail instead of one per image (a cold load asked for
    about 112 of them, and a tile scrolled into view was blank until its own request came back). Each
    thumbnail is kept at its true resolution (the demo's 84x84 PNGs are 3x enlargements of 28x28 pixels),
    in the demo dataset's order, ``columns`` per row. The manifest maps each image path to its cell
    (:func:`cleanlens.web.render.use_sprites` reads it).
    """
    from cleanlens.web import DEMO_DATASET  # noqa: PLC0415 (needs sys.path above)

    dataset = json.loads(Path(dataset_path or ROOT / DEMO_DATASET).read_text(encoding="utf-8"))
    paths = list(dict.fromkeys(item["image"] for item in dataset["items"] if item.get("image")))
    if not paths:
        return None
    images = [read_grey_png((ROOT / path).read_bytes(), path) for path in paths]
    size = images[0][0]
    if any((w, h) != (size, size) for w, h, _ in images):
        raise BuildError("The demo's thumbnails must all be square and of one size for the sprite sheet.")
    factor = upscale_factor(size, images)
    cell = size // factor
    columns = math.ceil(math.sqrt(len(images)))
    count_rows = math.ceil(len(images) / columns)
    blank = bytes(cell * columns)
    sheet = [bytearray(blank) for _ in range(cell * count_rows)]
    for n, (_, _, rows) in enumerate(images):
        top, left = n // columns * cell, n % columns * cell
        for y in range(cell):
            sheet[top + y][left : left + cell] = rows[y * factor][::factor]
    target = Path(site) / SPRITE_SHEET
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(write_grey_png(cell * columns, cell * count_rows, [bytes(r) for r in sheet]))
    return {
        "url": SPRITE_SHEET,
        "cell": cell,
        "columns": columns,
        "rows": count_rows,
        "images": {path: n for n, path in enumerate(paths)},
    }
