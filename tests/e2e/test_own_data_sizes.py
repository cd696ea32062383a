"""Your own data at every size the page accepts, made the way users make their files.

Each test writes files as a data scientist would (``np.save`` of
``cross_val_predict(..., method="predict_proba")``, ``DataFrame.to_csv``),
loads them through the "Your data" dialog, and checks the page's counts
against the CPython engine on the same files. Limits are tested at the limit
and one past it; a refused file leaves the previous data as it was.
"""

import numpy as np
import pytest
from playwright.sync_api import expect

from cleanlens.confident import CATEGORIES
from cleanlens.crossval import out_of_sample_probabilities
from cleanlens.tuning import scale_gamma
from cleanlens.userdata import MAX_CLASSES, MAX_PROBABILITY_ROWS, load_files
from cleanlens.web import BUILTIN_EMBEDDING_ROWS, SKLEARN_EMBEDDING_ROWS
from cleanlens.web.render import VIRTUAL_MIN

from .expected import PAGE_LIMITS, own_categorize, page_counts, page_engine
from .test_own_data import load, wait_loaded
from .userfiles import demo_schema, digits, features_csv, npy_pair, probabilities_csv, synthetic

LOAD_TIMEOUT = 180_000  # a 100,000-row file on a busy 2-core machine, with headroom


def expected_counts(files, **kwargs):
    loaded = load_files(files, **kwargs)
    k = len(loaded.dataset.classes)
    result = own_categorize(loaded.dataset.given, loaded.probabilities, k)
    return {c: result.counts[c] for c in CATEGORIES}


def assert_virtual_tiles(page, n):
    """A long dataset draws a window of tiles that knows the whole size, and scrolling reaches the end."""
    tiles = page.locator("#tiles > li")
    drawn = tiles.count()
    assert 0 < drawn < n
    assert tiles.first.get_attribute("aria-setsize") == str(n)
    assert "more" not in (tiles.first.get_attribute("class") or "")
    page.get_by_test_id("sort").select_option("dataset")
    page.locator("#tiles-scroll").evaluate("el => { el.scrollTop = el.scrollHeight; }")
    page.locator(f'#tiles > li[data-i="{n - 1}"]').wait_for()
    last = page.locator(f'#tiles button[data-i="{n - 1}"]')
    last.click()
    assert page.get_by_test_id("detail-id").inner_text() == f"#{n - 1}"  # row numbers, never read as a class


def wait_trained(page, n):
    """After loading data that trains here: wait until the page shows its n items trained."""
    page.locator(f'#dataset-count:has-text("{n:,} items")').wait_for(timeout=LOAD_TIMEOUT)
    page.locator('[data-testid="engine"]:has-text("seed")').wait_for(timeout=LOAD_TIMEOUT)
    expect(page.get_by_test_id("count-correct")).not_to_have_text("–", timeout=LOAD_TIMEOUT)
    page.locator('body[data-state="ready"]').wait_for(state="attached", timeout=LOAD_TIMEOUT)


def assert_demo_intact(page):
    assert page.locator("#tiles > li.tile").count() == 300
    assert page.get_by_test_id("known-errors").inner_text() == "18"


def test_digits_as_npy_files(ready):
    _, labels, probs = digits()
    files = npy_pair(labels, probs)
    load(ready, files)
    wait_loaded(ready, "labels.npy + pred_probs.npy")
    assert page_counts(ready) == expected_counts(files)
    assert "1,797 items" in ready.locator("#dataset-count").inner_text()
    assert_virtual_tiles(ready, 1797)
    # under the percentile rule, a slider step after the scroll still matches the engine
    ready.get_by_test_id("rule").select_option("percentile")
    slider = ready.get_by_test_id("class-percentile")
    slider.focus()
    slider.press("ArrowRight")
    loaded = load_files(files)
    result = own_categorize(loaded.dataset.given, loaded.probabilities, 10, q_class=51, rule="percentile")
    assert page_counts(ready) == {c: result.counts[c] for c in CATEGORIES}
    for g, s in [(0, 0), (3, 5), (9, 9)]:
        text = ready.get_by_test_id(f"joint-cell-{g}-{s}").inner_text().strip()
        assert text.split()[0] == str(result.joint[g][s])


def test_digits_as_a_probabilities_csv(ready):
    _, labels, probs = digits()
    files = probabilities_csv(labels, probs)
    load(ready, files)
    wait_loaded(ready, "pred_probs.csv")
    assert page_counts(ready) == expected_counts(files)
    assert_virtual_tiles(ready, 1797)


def expected_trained_counts(files):
    loaded = load_files(files, mode="embeddings", **PAGE_LIMITS)
    data = loaded.dataset
    gamma = scale_gamma(data.features)  # your own features: gamma defaults to scikit-learn's 'scale'
    probs = out_of_sample_probabilities(
        data.features, data.given, len(data.classes), engine=page_engine(len(data.given)), seed=0, gamma=gamma
    ).probabilities
    result = own_categorize(data.given, probs, len(data.classes))
    return {c: result.counts[c] for c in CATEGORIES}


def test_digits_as_a_features_csv_trains_here(ready):
    X, labels, _ = digits()
    files = features_csv(X[:1000], labels[:1000])
    load(ready, files, mode="embeddings")
    wait_trained(ready, 1000)
    assert page_counts(ready) == expected_trained_counts(files)
    assert_virtual_tiles(ready, 1000)


def test_1001_rows_with_a_short_header(ready):
    labels, probs = synthetic(1001, 3, seed=4)
    lines = ["label,a,b,c"] + [
        f"{['a', 'b', 'c'][g]}," + ",".join(f"{p:.6f}" for p in row) for g, row in zip(labels, probs)
    ]
    files = [("short.csv", ("\n".join(lines) + "\n").encode())]
    load(ready, files)
    wait_loaded(ready, "short.csv")
    assert page_counts(ready) == expected_counts(files)
    assert_virtual_tiles(ready, 1001)


@pytest.mark.parametrize(
    "n, k, fmt",
    [(10_000, 10, "npy"), (10_000, 50, "csv"), (MAX_PROBABILITY_ROWS, 10, "csv"), (MAX_PROBABILITY_ROWS, 10, "npy")],
)
def test_large_probability_files(ready, n, k, fmt):
    labels, probs = synthetic(n, k, seed=n + k)
    files = npy_pair(labels, probs) if fmt == "npy" else probabilities_csv(labels, probs)
    load(ready, files)
    wait_loaded(ready, files[0][0] if fmt == "csv" else "labels.npy + pred_probs.npy")
    assert page_counts(ready) == expected_counts(files)
    assert f"{n:,} items" in ready.locator("#dataset-count").inner_text()
    assert ready.locator("#tiles > li").count() < 400  # only what is in view is drawn
    # the joint shows every count, K x K
    assert ready.locator('[data-testid^="joint-cell-"]').count() == k * k
    # the results list is a window too, and knows its length
    issues = ready.locator('[data-testid="label_issue-items"] li')
    if page_counts(ready)["label_issue"] > VIRTUAL_MIN:
        assert issues.count() < page_counts(ready)["label_issue"]
        assert issues.first.get_attribute("aria-setsize") == str(page_counts(ready)["label_issue"])


def past_probability_rows():
    labels, probs = synthetic(MAX_PROBABILITY_ROWS + 1, 3, seed=7)
    return npy_pair(labels, probs), "auto", f"at most {MAX_PROBABILITY_ROWS:,}"


def past_classes():
    labels, probs = synthetic(2_000, MAX_CLASSES + 1, seed=3)
    return probabilities_csv(labels, probs), "auto", f"at most {MAX_CLASSES}"


def past_embedding_rows():
    """One row past the limit with scikit-learn (which the training worker loads on demand); the built-in
    engine's, for a page without the worker, is in test_worker.py."""
    n = SKLEARN_EMBEDDING_ROWS + 1
    rng = np.random.default_rng(9)
    return features_csv(rng.normal(size=(n, 8)), rng.integers(0, 3, n)), "embeddings", f"at most {n - 1:,} rows"


@pytest.mark.parametrize("case", [past_probability_rows, past_classes, past_embedding_rows], ids=lambda f: f.__name__)
def test_one_past_each_limit_is_refused_and_nothing_is_lost(ready, case):
    files, mode, message = case()
    load(ready, files, mode=mode)
    error = ready.get_by_test_id("byo-error")
    error.wait_for(timeout=LOAD_TIMEOUT)
    assert message in error.inner_text()
    ready.get_by_test_id("byo-close").click()
    assert_demo_intact(ready)


@pytest.mark.parametrize("n", [1000, BUILTIN_EMBEDDING_ROWS])
def test_demo_schema_json_up_to_the_embeddings_limit(ready, n):
    files = [("mine.json", demo_schema(n))]
    load(ready, files)
    wait_trained(ready, n)
    assert page_counts(ready) == expected_trained_counts(files)
    assert f"{n:,} items" in ready.locator("#dataset-count").inner_text()


def test_a_features_csv_at_the_embeddings_limit(ready):
    X, labels, _ = digits()
    X = np.vstack([X, X[: BUILTIN_EMBEDDING_ROWS - len(X)]])
    labels = np.concatenate([labels, labels[: BUILTIN_EMBEDDING_ROWS - len(labels)]])
    files = features_csv(X, labels)
    load(ready, files, mode="embeddings")
    wait_trained(ready, BUILTIN_EMBEDDING_ROWS)
    assert page_counts(ready) == expected_trained_counts(files)
