"""Your data with its images: a folder or a .zip of 2,000 PNGs beside the CSV, matched by the image column or the
id, shown as blob: URLs, listed when unmatched, refused with one line when broken, and kept across a reload."""

import pytest

from ..test_userdata_images import archive, png
from .test_own_data import load, wait_loaded

N = 2_000
IDS = [f"d{i:04d}" for i in range(N)]
MISSING = ("d0007", "d0410")
EXTRA = ("extra-a.png", "extra-b.png")


def probabilities_csv(ids, image=None):
    """Two-class probabilities for ``ids`` (a few confidently mislabelled), with an ``image`` column when given."""
    lines = ["id,label,cat,dog" + (",image" if image else "")]
    for i, item in enumerate(ids):
        p = 0.9 if i % 2 else 0.15
        label = "cat" if (i % 2) != (i % 97 == 0) else "dog"
        lines.append(f"{item},{label},{p:.2f},{1 - p:.2f}" + (f",{image(i, item)}" if image else ""))
    return ("items.csv", ("\n".join(lines) + "\n").encode())


def images_zip():
    files = {f"digits/{item}.png": png(i, 16) for i, item in enumerate(IDS) if item not in MISSING}
    files.update({f"digits/{name}": png(7, 16) for name in EXTRA})
    files["digits/README.txt"] = b"not an image"
    return ("digits.zip", archive(files))


SUMMARY = (
    "Images from digits.zip: 1,998 of 2,000 items have an image; no image for 2 ('d0007', 'd0410'); "
    "2 images named by no item ('digits/extra-a.png', 'digits/extra-b.png')."
)


def summary(page):
    return page.get_by_test_id("byo-images-summary").inner_text(timeout=120_000)


def tile_sources(page, count=5):
    """The src of the first drawn tiles' images, once they are decoded (a blob: URL that loaded)."""
    page.locator("#tiles > li img").first.wait_for(timeout=30_000)
    return page.evaluate(
        """(count) => Array.from(document.querySelectorAll('#tiles > li img')).slice(0, count)
            .map((img) => img.src)""",
        count,
    )


def decoded(page):
    """Whether the first tile's image decodes (its blob: URL holds the PNG)."""
    return page.evaluate(
        """async () => {
            const img = new Image();
            img.src = document.querySelector('#tiles > li img').src;
            await img.decode();
            return [img.naturalWidth, img.naturalHeight];
        }"""
    )


def test_a_zip_of_2000_pngs_and_a_reload(ready):
    load(ready, [probabilities_csv(IDS), images_zip()])
    assert summary(ready) == SUMMARY
    wait_loaded(ready, "items.csv")
    ready.get_by_test_id("byo-done").click()
    assert not ready.get_by_test_id("byo").is_visible()
    assert ready.get_by_test_id("data-notes").inner_text().count(SUMMARY) == 1
    sources = tile_sources(ready)
    assert sources and all(src.startswith("blob:") for src in sources)
    assert decoded(ready) == [16, 16]
    # the results list and the Why? panel show the same images
    ready.locator("#panel-results img").first.wait_for()
    assert ready.locator("#panel-results img").first.get_attribute("src").startswith("blob:")
    ready.reload()  # the files and images were stored when the data opened
    wait_loaded(ready, "items.csv")
    assert SUMMARY in ready.get_by_test_id("data-notes").inner_text()
    sources = tile_sources(ready)
    assert sources and all(src.startswith("blob:") for src in sources)
    assert decoded(ready) == [16, 16]


def test_a_folder_matched_by_the_image_column_or_the_id(ready, tmp_path):
    folder = tmp_path / "photos"
    (folder / "sub").mkdir(parents=True)
    for i, item in enumerate(IDS):
        if item in MISSING:
            continue
        # even rows are named by the image column (a path below the folder), odd rows by their id
        (folder / ("sub" if i % 2 == 0 else "") / f"{item if i % 2 else f'img{i}'}.png").write_bytes(png(i, 16))
    (folder / "unused.png").write_bytes(png(1, 16))
    (folder / "notes.txt").write_text("not an image")

    def image(i, item):
        return f"sub/img{i}.png" if i % 2 == 0 else ""

    ready.get_by_test_id("byo-open").click()
    ready.get_by_test_id("byo-folder").set_input_files(folder)
    name, data = probabilities_csv(IDS, image)
    ready.get_by_test_id("byo-files").set_input_files({"name": name, "mimeType": "text/csv", "buffer": data})
    ready.get_by_test_id("byo-load").click()
    text = summary(ready)
    assert text.startswith("Images from the folder photos: 1,998 of 2,000 items have an image; ")
    assert "no image for 2 ('d0007', 'd0410')" in text
    assert "1 images named by no item ('photos/unused.png')" in text
    assert "1 files were not images" in text
    wait_loaded(ready, "items.csv")
    ready.get_by_test_id("byo-done").click()
    assert all(src.startswith("blob:") for src in tile_sources(ready))
    # the folder went with those data: other data with a .zip next take the .zip's images, not "several"
    ids = IDS[:40]
    zipped = ("next.zip", archive({f"{item}.png": png(i, 16) for i, item in enumerate(ids)}))
    load(ready, [("next.csv", probabilities_csv(ids)[1]), zipped])
    assert summary(ready).startswith("Images from next.zip: 40 of 40 items have an image")
    wait_loaded(ready, "next.csv")


@pytest.mark.parametrize(
    "bad, message",
    [
        (("broken.zip", b"PK\x03\x04 this is no zip"), "broken.zip: not a readable .zip"),
        (("escape.zip", archive({"../../etc/d0001.png": png(1)})), "escape.zip: refused: the entry"),
    ],
)
def test_a_bad_zip_is_refused_and_the_images_shown_stay(ready, bad, message):
    ids = IDS[:40]
    load(
        ready,
        [probabilities_csv(ids), ("small.zip", archive({f"{item}.png": png(i, 16) for i, item in enumerate(ids)}))],
    )
    assert summary(ready).startswith("Images from small.zip: 40 of 40 items have an image")
    wait_loaded(ready, "items.csv")
    ready.get_by_test_id("byo-done").click()
    before = tile_sources(ready)
    load(ready, [("other.csv", probabilities_csv(IDS[:30])[1]), bad])
    assert message in ready.get_by_test_id("byo-error").inner_text(timeout=30_000)
    assert ready.get_by_test_id("byo-images-summary").count() == 0
    ready.get_by_test_id("byo-close").click()
    assert ready.locator('[data-testid="engine"]:has-text("items.csv")').count() == 1
    assert tile_sources(ready) == before
    assert decoded(ready) == [16, 16]


def test_a_dropped_zip_and_csv(ready):
    name, csv = probabilities_csv(IDS[:50])
    zipped = archive({f"pics/{item}.png": png(i, 16) for i, item in enumerate(IDS[:49])})
    ready.evaluate(
        """([csv, zipped]) => {
        const dt = new DataTransfer();
        dt.items.add(new File([csv], 'items.csv', {type: 'text/csv'}));
        dt.items.add(new File([new Uint8Array(zipped)], 'pics.zip', {type: 'application/zip'}));
        document.querySelector('#tiles').dispatchEvent("""
        """new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
    }""",
        [csv.decode(), list(zipped)],
    )
    assert summary(ready) == "Images from pics.zip: 49 of 50 items have an image; no image for 1 ('d0049')."
    wait_loaded(ready, name)
