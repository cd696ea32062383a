"""The committed demo dataset (embeddings/fashion3.json + static/demo/*.png).

Consistency checks run everywhere (standard library only). The
reproducibility check rebuilds everything from Fashion-MNIST and compares byte
for byte; it runs only where the Debian package dataset-fashion-mnist is
installed and numpy + scikit-learn are available (about a minute: it trains
the MLP feature extractor on 60,000 images).
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zlib
from collections import Counter
from pathlib import Path

import pytest

from cleanlens.dataset import OOD, load_dataset

REPO = Path(__file__).resolve().parent.parent
DATASET = REPO / "embeddings" / "fashion3.json"
IMAGE_DIR = REPO / "static" / "demo"
FASHION_MNIST = Path(os.environ.get("CLEANLENS_FASHION_MNIST", "/usr/share/datasets/fashion-mnist"))
SIDE = 84


@pytest.fixture(scope="module")
def ds():
    return load_dataset(DATASET)


@pytest.fixture(scope="module")
def raw():
    return json.loads(DATASET.read_text(encoding="utf-8"))


def read_png(path):
    """Parse a PNG strictly enough to trust it: signature, chunk CRCs, IHDR, IDAT size."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name}: no PNG signature"
    pos, chunks, idat = 8, [], b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, f"{path.name}: bad CRC in {kind!r}"
        chunks.append(kind)
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        if kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND", f"{path.name}: chunks {chunks}"
    width, height, depth, colour, _, _, interlace = header
    raw = zlib.decompress(idat)
    assert len(raw) == height * (width + 1), f"{path.name}: wrong image data size"
    assert all(raw[r * (width + 1)] <= 4 for r in range(height)), f"{path.name}: bad filter type"
    return width, height, depth, colour, interlace


def test_loads_with_the_expected_shape(ds):
    assert ds.classes == ["Sneaker", "Ankle boot", "Trouser"]
    assert len(ds) == 300
    assert {len(v) for v in ds.features} == {32}
    assert len(set(ds.ids)) == 300
    assert ds.truth is not None and ds.layout is not None


def test_known_errors(ds):
    errors = ds.known_errors()
    assert len(errors) == 18
    truth = Counter(ds.truth)
    assert truth[OOD] == 9
    assert all(truth[k] == 97 for k in range(3))
    flipped = Counter(ds.truth[i] for i in errors if ds.truth[i] != OOD)
    assert flipped == {0: 3, 1: 3, 2: 3}
    # Errors are spread through the list, not clustered at one end.
    assert min(errors) < 100 and max(errors) >= 200


def test_provenance(raw):
    prov = raw["provenance"]
    for key in (
        "source",
        "licence",
        "seeds",
        "classes",
        "errors",
        "extractor",
        "embedding",
        "layout",
        "images",
        "build",
    ):
        assert key in prov, key
    assert "Zalando" in prov["licence"] and "MIT" in prov["licence"]
    assert 0.8 < prov["extractor"]["test_accuracy"] < 1
    assert 0 < prov["embedding"]["explained_variance_ratio"] <= 1
    assert prov["classes"]["triples_measured"], "the measured class triples are recorded"


def test_values_are_rounded(raw):
    for item in raw["items"]:
        assert all(float(f"{x:.5g}") == x for x in item["embedding"]), item["id"]
        assert all(0 <= v <= 100 and round(v, 2) == v for v in item["xy"]), item["id"]


def test_layout_spans_0_to_100(ds):
    xs = [p[0] for p in ds.layout]
    ys = [p[1] for p in ds.layout]
    assert min(xs) == 0 and min(ys) == 0
    assert max(max(xs), max(ys)) == 100


def test_every_image_exists_and_is_a_valid_png(ds):
    for item_id, image in zip(ds.ids, ds.images):
        assert image == f"static/demo/{item_id}.png"
        path = REPO / image
        assert path.is_file(), f"missing {image}"
        assert read_png(path) == (SIDE, SIDE, 8, 0, 0), f"{image}: expected {SIDE}x{SIDE} 8-bit greyscale"


def test_no_stray_thumbnails(ds):
    on_disk = {p.name for p in IMAGE_DIR.glob("*.png")}
    assert on_disk == {Path(i).name for i in ds.images}


def test_size_budget():
    total = sum(p.stat().st_size for p in (REPO / "embeddings").rglob("*") if p.is_file())
    total += sum(p.stat().st_size for p in IMAGE_DIR.rglob("*") if p.is_file())
    assert total < 1_000_000, f"embeddings/ + static/demo/ = {total} bytes"


def test_png_writer_round_trip():
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import make_dataset
    finally:
        sys.path.pop(0)
    pixels = bytes((i * 37 + i // 28 * 11) % 256 for i in range(784))
    data = make_dataset.thumbnail_png(pixels)
    width, height, rows = make_dataset.read_png_grey(data)
    assert (width, height) == (SIDE, SIDE)
    for r in range(SIDE):
        assert rows[r] == bytes(pixels[(r // 3) * 28 + c // 3] for c in range(SIDE))


def test_build_is_reproducible():
    """`python tools/make_dataset.py --check` (= `python build.py dataset --check`)."""
    assert FASHION_MNIST.is_dir(), (
        f"Fashion-MNIST is not installed ({FASHION_MNIST}): `apt-get install "
        "dataset-fashion-mnist` (python3 build.py test does)"
    )
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "make_dataset.py"), "--check", "--source", str(FASHION_MNIST)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr
