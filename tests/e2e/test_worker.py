"""Training in the worker (static/worker.js): scikit-learn in the page, its limits, the fallback, offline.

The tests' browsers ask to save data (conftest.SAVE_DATA), so scikit-learn is loaded when a training needs it
(more than 2,000 items), not when the page is idle, except in the offline test, which lets the page preload it.
"""

import time

import numpy as np
from playwright.sync_api import expect

from cleanlens.web import BUILTIN_EMBEDDING_ROWS, SKLEARN_EMBEDDING_ROWS

from .conftest import wait_until_started
from .expected import assert_page_matches, categorize, page_counts
from .test_hostile_files import refused
from .test_own_data import load
from .test_own_data_sizes import LOAD_TIMEOUT, expected_trained_counts, wait_trained
from .userfiles import blobs, features_csv

SKLEARN = "scikit-learn 1.6.1 in a worker"


def test_5000_features_train_with_scikit_learn_in_the_worker_and_the_page_stays_responsive(ready, tmp_path):
    X, labels, _ = blobs(5_000, 32, k=5, seed=22)
    files = features_csv(X, labels)
    (tmp_path / "features.csv").write_bytes(files[0][1])
    load(ready, [tmp_path / "features.csv"], mode="embeddings")
    ready.locator('body[data-state="training"]').wait_for(state="attached", timeout=LOAD_TIMEOUT)
    theme = ready.evaluate("document.documentElement.dataset.theme || ''")
    ready.get_by_test_id("theme").click()  # the page answers while the worker trains
    assert ready.evaluate("document.documentElement.dataset.theme") != theme
    assert ready.evaluate("document.body.dataset.state") == "training"
    wait_trained(ready, 5_000)
    assert SKLEARN in ready.get_by_test_id("engine").inner_text()
    assert page_counts(ready) == expected_trained_counts(files)  # CPython's scikit-learn engine, same file


def test_at_the_row_limit_with_scikit_learn_and_other_data_supersedes_its_training(ready, tmp_path):
    """20,000 rows load and train with scikit-learn (one past is refused: test_own_data_sizes.py); opening the
    demo while a fold is being fitted stops that training (the worker is restarted) and trains the demo."""
    X, labels, _ = blobs(SKLEARN_EMBEDDING_ROWS, 32, k=3, seed=20)
    (tmp_path / "features.csv").write_bytes(features_csv(X, labels)[0][1])
    load(ready, [tmp_path / "features.csv"], mode="embeddings")
    ready.locator(f'#dataset-count:has-text("{SKLEARN_EMBEDDING_ROWS:,} items")').wait_for(timeout=LOAD_TIMEOUT)
    ready.locator('#stage:has-text("folds done")').wait_for(timeout=LOAD_TIMEOUT)  # in the worker, scikit-learn
    started = time.monotonic()
    ready.get_by_test_id("byo-open").click()
    ready.get_by_test_id("byo-demo").click()
    assert wait_until_started(ready) == "ready"
    ready.locator("#tiles > li.tile").nth(299).wait_for(state="attached")
    assert_page_matches(ready, categorize())
    print(f"the demo trained {time.monotonic() - started:.1f} s after it superseded 20,000 rows")
    assert "in a worker" in ready.get_by_test_id("engine").inner_text()


def test_a_worker_that_cannot_start_falls_back_to_the_built_in_engine_on_the_page(page, base_url):
    page.route("**/static/worker.js", lambda route: route.fulfill(status=404, body="missing"))
    page.goto(base_url)
    assert wait_until_started(page) == "ready"
    assert_page_matches(page, categorize())
    assert "built-in (cleanlens" in page.get_by_test_id("engine").inner_text()
    assert "on this page" in page.get_by_test_id("engine").inner_text()
    assert "no training worker" in page.get_by_test_id("engine-note").inner_text()
    # the built-in engine's row limit then applies: one past is refused, the limit trains
    rng = np.random.default_rng(7)
    X, labels = rng.normal(size=(BUILTIN_EMBEDDING_ROWS + 1, 4)), rng.integers(0, 3, BUILTIN_EMBEDDING_ROWS + 1)
    refused(page, features_csv(X, labels), "embeddings", "features.csv: ")
    files = features_csv(X[:-1], labels[:-1])
    load(page, files, mode="embeddings")
    wait_trained(page, BUILTIN_EMBEDDING_ROWS)
    assert "on this page" in page.get_by_test_id("engine").inner_text()
    assert page_counts(page) == expected_trained_counts(files)


def test_offline_reload_after_scikit_learn_was_loaded_trains_with_it(browser, base_url, watch):
    context = browser.new_context(service_workers="allow")
    context.add_init_script("localStorage.setItem('cleanlens-guide-seen', '1')")
    context.route("**/*", watch.route)
    page = context.new_page()
    page.on("pageerror", lambda exc: watch.console_errors.append(str(exc)))
    page.goto(base_url)
    assert wait_until_started(page) == "ready"
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now the service worker controls the page and its training worker from the start
    assert wait_until_started(page) == "ready"
    note = page.get_by_test_id("engine-note")
    expect(note).to_contain_text("kept in this browser for offline use", timeout=LOAD_TIMEOUT)  # preloaded when idle
    context.set_offline(True)
    page.reload()
    assert wait_until_started(page) == "ready"
    expect(note).to_contain_text("scikit-learn 1.6.1 loaded in the worker", timeout=LOAD_TIMEOUT)  # from the cache
    page.get_by_test_id("reseed").click()
    expect(page.get_by_test_id("engine")).to_contain_text("seed 1", timeout=LOAD_TIMEOUT)
    assert SKLEARN in page.get_by_test_id("engine").inner_text()
    context.close()
    assert watch.foreign_requests == []
    assert watch.console_errors == []
