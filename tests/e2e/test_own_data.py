"""Bring your own data: every format, every validation error, hostile inputs; nothing leaves the browser."""

import json

import numpy as np
import pytest

from cleanlens.confident import CATEGORIES
from cleanlens.crossval import out_of_sample_probabilities
from cleanlens.tuning import scale_gamma
from cleanlens.userdata import load_files

from ..test_userdata import csv_bytes as csv_text
from ..test_userdata import npy
from .conftest import wait_until_started
from .expected import demo, own_categorize, page_counts

HOSTILE = "<img src=x onerror=alert(1)>"


def random_probabilities(n=200, k=4, seed=1, byteorder="<"):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k)) + 3 * np.eye(k)[labels]
    logits[: n // 10] = rng.normal(size=(n // 10, k))  # some noisy rows
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return labels.astype(byteorder + "i8"), probs.astype(byteorder + "f8")


def embeddings_csv(n_per_class=25, seed=2, images=()):
    rng = np.random.default_rng(seed)
    lines = ["id,label,truth,f1,f2,f3" + (",image" if images else "")]
    row = 0
    for k, name in enumerate(["cat", "dog", "bear"]):
        for _ in range(n_per_class):
            x = rng.normal(loc=2.5 * k, size=3)
            given = name if row % 17 else ["cat", "dog", "bear"][(k + 1) % 3]
            line = f"r{row},{given},{name}," + ",".join(f"{v:.4f}" for v in x)
            if images:
                line += ',"' + images[row % len(images)] + '"'
            lines.append(line)
            row += 1
    return csv_text(*lines)


def load(page, files, mode="auto"):
    """Open 'Your data', choose files ((name, bytes) pairs, or paths), pick the mode, press Load."""
    page.get_by_test_id("byo-open").click()
    page.get_by_test_id(f"byo-mode-{mode}").check()
    page.get_by_test_id("byo-files").set_input_files(
        [
            f if not isinstance(f, tuple) else {"name": f[0], "mimeType": "application/octet-stream", "buffer": f[1]}
            for f in files
        ]
    )
    page.get_by_test_id("byo-load").click()


def wait_loaded(page, source):
    page.locator(f'[data-testid="engine"]:has-text("{source}")').wait_for(timeout=60_000)
    page.locator('body[data-state="ready"]').wait_for(state="attached")


def assert_counts(page, result):
    assert page_counts(page) == {c: result.counts[c] for c in CATEGORIES}


@pytest.mark.parametrize("byteorder", ["<", ">"])
def test_npy_pair(ready, byteorder):
    labels, probs = random_probabilities(byteorder=byteorder)
    load(ready, [("labels.npy", npy(labels)), ("pred_probs.npy", npy(probs))])
    wait_loaded(ready, "labels.npy + pred_probs.npy")
    assert ready.get_by_test_id("byo").is_hidden()
    expected = own_categorize(labels.tolist(), probs.astype(float).tolist(), 4)
    assert_counts(ready, expected)
    assert ready.locator("#tiles > li").count() == len(labels)
    assert ready.get_by_test_id("run").inner_text() == "Re-analyse"
    # a relabel is a mark on the file's analysis: the counts keep their basis, and nothing offers to re-analyse
    # the new label against the same probabilities (new pred_probs from a retrained model check it)
    new = (int(labels[0]) + 1) % 4
    ready.locator('select[data-action="relabel"][data-i="0"]').select_option(str(new))
    assert ready.get_by_test_id("run").is_disabled()
    assert "load its new pred_probs" in ready.get_by_test_id("check-fixes").inner_text()
    assert_counts(ready, expected)


def test_probabilities_csv_with_truth_gives_a_score_and_a_sweep(ready):
    labels, probs = random_probabilities(n=120, k=3, seed=5)
    names = ["cat", "dog", "bear"]
    truth = labels.copy()
    truth[:6] = (truth[:6] + 1) % 3
    rows = [
        f"x{i},{names[g]},{names[t]}," + ",".join(f"{p:.6f}" for p in row)
        for i, (g, t, row) in enumerate(zip(labels, truth, probs))
    ]
    data = csv_text("id,label,truth,cat,dog,bear", *rows)
    load(ready, [("mine.csv", data)])
    wait_loaded(ready, "mine.csv")
    loaded = load_files([("mine.csv", data)])
    expected = own_categorize(loaded.dataset.given, loaded.probabilities, 3)
    assert_counts(ready, expected)
    assert "of the 6 label errors in the truth (from your file)" in ready.get_by_test_id("score").inner_text()
    ready.locator('[data-action="tab-center"][data-tab="sweep"]').click()
    assert ready.get_by_test_id("sweep").is_visible()


def test_embeddings_csv_trains_here_with_safe_images_only(ready):
    tiny_png = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAA"
        "ABJRU5ErkJggg=="
    )
    images = [
        tiny_png,
        "javascript:alert(1)",
        "http://evil.example/x.png",
        "//evil.example/x.png",
        "static/favicon.svg",
    ]
    data = embeddings_csv(images=images)
    load(ready, [("emb.csv", data)])
    ready.get_by_test_id("data-notes").wait_for(timeout=60_000)
    ready.locator('body[data-state="ready"]').wait_for(state="attached")
    loaded = load_files([("emb.csv", data)])
    features = loaded.dataset.features  # your own features: gamma defaults to scikit-learn's 'scale'
    probs = out_of_sample_probabilities(
        features, loaded.dataset.given, 3, engine="builtin", seed=0, gamma=scale_gamma(features)
    ).probabilities
    assert_counts(ready, own_categorize(loaded.dataset.given, probs, 3))
    sources = ready.locator("#tiles img").evaluate_all("els => els.map(e => e.getAttribute('src'))")
    assert sources and all(s.startswith("data:image/") or s == "static/favicon.svg" for s in sources)
    assert "image URLs" in ready.get_by_test_id("data-notes").inner_text()


def test_demo_schema_json_and_back_to_the_demo(ready):
    data = demo()
    items = [
        {"id": f"j{i}", "image": data.images[i], "given": data.classes[data.given[i]], "embedding": data.features[i]}
        for i in range(0, 300, 3)
    ]
    payload = json.dumps({"classes": data.classes, "items": items, "provenance": {}}).encode()
    load(ready, [("subset.json", payload)], mode="embeddings")
    ready.get_by_test_id("byo").wait_for(state="hidden", timeout=60_000)
    ready.locator('body[data-state="ready"]').wait_for(state="attached")
    assert ready.locator("#tiles > li").count() == 100
    assert "known-errors" not in ready.locator("#known-errors").inner_html()  # no truth in this file
    ready.get_by_test_id("byo-open").click()
    ready.get_by_test_id("byo-demo").click()
    ready.locator('[data-testid="engine"]:has-text("seed")').wait_for()
    ready.locator("#tiles > li").nth(299).wait_for()
    assert ready.get_by_test_id("known-errors").inner_text() == "18"


def test_drop_files_on_the_page(ready):
    labels, probs = random_probabilities(n=50, k=2, seed=3)
    text = "label,a,b\n" + "".join(f"{'ab'[g]},{p[0]:.6f},{p[1]:.6f}\n" for g, p in zip(labels, probs))
    ready.evaluate(
        """(text) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], 'dropped.csv', {type: 'text/csv'}));
        document.querySelector('#tiles').dispatchEvent("""
        """new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
    }""",
        text,
    )
    wait_loaded(ready, "dropped.csv")
    assert ready.locator("#tiles > li").count() == 50


GOOD = "id,label,cat,dog\na,cat,0.9,0.1\nb,dog,0.2,0.8\n"
P, E, A = "probabilities", "embeddings", "auto"
ERRORS = [
    (
        [("ragged.csv", b"label,cat,dog\ncat,0.9,0.1\ndog,0.8\n")],
        A,
        "ragged.csv: line 3 has 2 columns, the header has 3",
    ),
    ([("text.csv", b"label,cat,dog\ncat,0.9,abc\ndog,0.2,0.8\n")], P, "line 2, column 3 ('dog'): not a number: 'abc'"),
    ([("nan.csv", b"label,cat,dog\ncat,nan,0.1\ndog,0.2,0.8\n")], P, "line 2, column 2 ('cat'): not finite"),
    (
        [("unknown.csv", b"label,cat,dog\ncat,0.9,0.1\ndgo,0.2,0.8\n")],
        P,
        "line 3, column 1 ('label'): unknown label 'dgo'",
    ),
    (
        [("dupes.csv", b"id,label,cat,dog\na,cat,0.9,0.1\na,dog,0.2,0.8\n")],
        A,
        "line 3: duplicate id 'a' (first on line 2)",
    ),
    ([("sums.csv", b"label,cat,dog\ncat,0.9,0.3\ndog,0.2,0.8\n")], P, "line 2: probabilities sum to"),
    ([("empty.csv", b"")], A, "empty.csv: the file is empty"),
    ([("header.csv", b"label,cat,dog\n")], A, "header.csv: has a header but no rows"),
    ([("image.png", b"\x89PNG....")], A, "image.png: wrong file type"),
    (
        [("nobear.csv", b"label,cat,dog,bear\ncat,0.8,0.1,0.1\ndog,0.1,0.8,0.1\n")],
        P,
        "class 'bear' (column 4) has no items",
    ),
    (
        [("few.csv", b"label,f1,f2\ncat,1,2\ndog,2,3\ncat,1,1\n")],
        E,
        "few.csv: 3 items; embeddings mode needs at least 5",
    ),
    ([("labels.npy", npy(np.array([0, 1, 1])))], A, "probabilities mode needs two .npy files"),
    ([("bad.json", b"{not json")], A, "bad.json: not valid JSON"),
]


@pytest.mark.parametrize("files, mode, message", ERRORS, ids=[e[0][0][0] for e in ERRORS])
def test_bad_files_are_explained_and_nothing_is_lost(ready, files, mode, message):
    before = page_counts(ready)
    ready.locator('select[data-action="relabel"][data-i="0"]').select_option(str((demo().given[0] + 1) % 3))
    load(ready, files, mode)
    error = ready.get_by_test_id("byo-error")
    error.wait_for()
    assert message in error.inner_text()
    assert ready.get_by_test_id("byo").is_visible()
    ready.get_by_test_id("byo-close").click()
    assert ready.locator("#tiles > li").count() == 300
    assert page_counts(ready) == before
    assert ready.get_by_test_id("stale").is_visible()  # the user's relabel is still there
    assert ready.locator('select[data-action="relabel"][data-i="0"]').input_value() == str((demo().given[0] + 1) % 3)


def test_rows_not_summing_to_one_can_be_renormalised(ready):
    data = b"label,cat,dog\ncat,0.99,0.11\ndog,0.2,0.9\ncat,0.7,0.3\ndog,0.4,0.6\n"
    load(ready, [("sums.csv", data)], mode="probabilities")
    ready.get_by_test_id("byo-error").wait_for()
    ready.get_by_test_id("byo-renormalize").click()
    wait_loaded(ready, "sums.csv")
    assert ready.locator("#tiles > li").count() == 4


def test_hostile_text_is_shown_as_text(ready):
    data = csv_text(f"id,label,{HOSTILE},dog", f"{HOSTILE},{HOSTILE},0.9,0.1", "b,dog,0.2,0.8", "c,dog,0.3,0.7")
    load(ready, [("<b>evil</b>.csv", data)])
    wait_loaded(ready, "evil")
    assert ready.locator("img[src='x']").count() == 0
    assert HOSTILE in ready.locator("#tiles").inner_text() or HOSTILE in ready.locator("#tiles").inner_html().replace(
        "&lt;", "<"
    ).replace("&gt;", ">")
    assert "<b>evil</b>.csv" in ready.get_by_test_id("engine").inner_text()
    assert ready.locator('[data-testid="engine"] b').count() == 0


HEARTBEAT = """() => {
    window.__gaps = [];
    let last = performance.now();
    const beat = () => { const now = performance.now(); window.__gaps.push(now - last); last = now;
                         if (window.__gaps.length < 100000) requestAnimationFrame(beat); };
    requestAnimationFrame(beat);
}"""


def test_a_50_mb_file_is_refused_and_nothing_is_lost(ready, tmp_path):
    row = "cat,0.25,0.25,0.25,0.25\n"
    big = tmp_path / "big.csv"
    big.write_text("label,cat,dog,bear,eel\n" + row * (50 * 1024 * 1024 // len(row)))
    ready.evaluate(HEARTBEAT)
    load(ready, [big])
    ready.get_by_test_id("byo-error").wait_for(timeout=120_000)
    assert "at most 100,000" in ready.get_by_test_id("byo-error").inner_text()
    gaps = ready.evaluate("window.__gaps")
    print(f"50 MB file: longest frame gap {max(gaps):.0f} ms over {len(gaps)} frames")  # reported, not asserted
    assert ready.locator("#tiles > li").count() == 300


def test_a_csv_with_10000_columns(ready):
    header = "label," + ",".join(f"c{j}" for j in range(10_000))
    rows = [f"{'ab'[i % 2]}," + ",".join("0.0001" for _ in range(10_000)) for i in range(20)]
    ready.evaluate(HEARTBEAT)
    load(ready, [("wide.csv", csv_text(header, *rows))], mode="probabilities")
    ready.get_by_test_id("byo-error").wait_for(timeout=60_000)
    assert "50" in ready.get_by_test_id("byo-error").inner_text()
    gaps = ready.evaluate("window.__gaps")
    print(f"10,000 columns: longest frame gap {max(gaps):.0f} ms over {len(gaps)} frames")  # reported, not asserted


def test_a_link_made_with_own_data_says_to_load_it_again(page, base_url):
    page.goto(f"{base_url}#data=own&class=60&item=x1")
    assert wait_until_started(page) == "ready"
    assert "own data file" in page.get_by_test_id("link-notes").inner_text()
    assert page.get_by_test_id("class-percentile").input_value() == "60"
