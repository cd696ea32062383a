"""Smoke test of the built site in Firefox ESR and WebKitGTK: what a new user does first.

The tests of one browser share one page and run in this order: the first visit reaches `ready`
with the demo's counts and the guide closes on Escape; a slider step changes the counts; with
the network gone the page reloads (right after one more slider step, which it keeps) from the service worker and
trains again; "Your data" loads a
.npy pair. After each, no console error, prompt or open dialog (conftest.nothing_left_open).
Expected numbers come from the engine under CPython, as in tests/e2e/expected.py.
"""

import numpy as np

from cleanlens.confident import CATEGORIES

from ..e2e.expected import COUNT_IDS, categorize, own_categorize
from .conftest import BOOT_TIMEOUT


def counts(browser):
    return {name: int(browser.text(testid)) for name, testid in COUNT_IDS.items()}


def expected_counts(result):
    return {name: result.counts[name] for name in CATEGORIES}


def test_first_visit_reaches_ready_with_the_demo_counts(page):
    browser = page.browser
    assert page.load() == "ready", browser.text("error-message")
    assert counts(browser) == expected_counts(categorize())
    assert "in a worker" in browser.text("engine"), browser.text("engine")  # the training worker runs here too
    # a first visit: the guide opened by itself, and Escape closes it
    assert browser.js("return document.getElementById('guide').open")
    browser.keys("guide-close", "ESCAPE")
    browser.wait("return !document.getElementById('guide').open", 5, what="the guide to close")


def test_a_slider_step_changes_the_counts(page):
    browser = page.browser
    before = expected_counts(categorize())
    steps = next(n for n in range(1, 20) if expected_counts(categorize(q_class=50 + n)) != before)
    browser.keys("class-percentile", *["RIGHT"] * steps)
    browser.wait(
        "return document.querySelector('[data-testid=\"class-percentile-value\"]').textContent === arguments[0]",
        5,
        str(50 + steps),
        what=f"the class percentile to read {50 + steps}",
    )
    assert counts(browser) == expected_counts(categorize(q_class=50 + steps)) != before
    # the view reaches the URL within 250 ms of a change
    browser.wait("return location.hash.includes(arguments[0])", 5, f"class={50 + steps}&", what="the view in the URL")


def test_reload_without_network_comes_from_the_service_worker(page):
    browser, server = page.browser, page.server
    assert browser.js("return 'serviceWorker' in navigator"), f"{browser.name} has no service workers"
    browser.wait(
        "return !!navigator.serviceWorker.controller && navigator.serviceWorker.controller.state === 'activated'",
        BOOT_TIMEOUT,
        what="the service worker to control the page",
    )
    # one more slider step, and the reload comes at once: the view waiting for its URL update is written on
    # beforeunload, so the reloaded page shows it
    q_class = int(browser.text("class-percentile-value")) + 1
    q_ood = int(browser.text("ood-percentile-value"))
    browser.keys("class-percentile", "RIGHT")
    browser.wait(
        "return document.querySelector('[data-testid=\"class-percentile-value\"]').textContent === arguments[0]",
        5,
        str(q_class),
        what=f"the class percentile to read {q_class}",
    )
    server.stop()
    try:
        assert page.load(reload=True) == "ready", browser.text("error-message")
        assert browser.js("return !!navigator.serviceWorker.controller")
        # the view (sliders) is kept, and the results are the engine's for it
        assert int(browser.text("class-percentile-value")) == q_class
        assert counts(browser) == expected_counts(categorize(q_class=q_class, q_ood=q_ood))
    finally:
        server.start()


def test_your_data_loads_a_npy_pair(page, tmp_path):
    browser = page.browser
    rng = np.random.default_rng(3)
    n, k = 120, 3
    labels = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k)) + 3 * np.eye(k)[labels]
    logits[:12] = rng.normal(size=(12, k))
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.save(tmp_path / "labels.npy", labels.astype("<i8"))
    np.save(tmp_path / "pred_probs.npy", probs)
    browser.click("byo-open")
    browser.wait("return document.getElementById('byo').open", 5, what="the 'Your data' dialog")
    browser.choose_files("byo-files", [tmp_path / "labels.npy", tmp_path / "pred_probs.npy"])
    browser.click("byo-load")
    browser.wait(
        "const e = document.querySelector('[data-testid=\"engine\"]'); "
        "return document.body.dataset.state === 'ready' && e && e.textContent.includes('labels.npy + pred_probs.npy')",
        60,
        what="the .npy pair to be analysed",
    )
    q_ood = int(browser.text("ood-percentile-value"))  # own data opens with find_label_issues: no class slider
    expected = own_categorize(labels.tolist(), probs.tolist(), k, q_ood=q_ood)
    assert counts(browser) == expected_counts(expected)
    assert browser.js("return document.querySelectorAll('#tiles > li').length") == n
