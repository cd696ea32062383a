"""Fixtures for end-to-end tests: the built site (dist/) on 127.0.0.1 and Debian's Chromium.

Every request to a host other than 127.0.0.1 is aborted and recorded; a test
fails if any was attempted (proof that the page works offline), and fails if
the browser console logged an error, unless the test takes the
``console_errors`` fixture to inspect them itself. Service workers are blocked
so that routing sees every request.
"""

import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

import build

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BOOT_TIMEOUT_MS = 90_000  # cold start on a shared 2-core machine, with headroom


RENDERER_CRASH = ["Page crashed", "Target crashed"]  # Playwright's words, by the call that noticed


def pytest_collection_modifyitems(items):
    """Mark end-to-end tests; rerun one (twice at most) if Chromium's renderer process crashed under it.

    On these shared machines a renderer occasionally dies while Pyodide starts
    (seen on 2026-11-28 in a few full runs, mostly while a second browser test
    run shared the machine; 1 of 24 loads in a two-process stress run; not
    reproduced on demand, and no console error or app state precedes it; on
    2026-12-05 CI saw it as "Target crashed" while a fresh page booted the demo
    in test_limits.py, which then passed 3 runs in a row here; on 2026-12-06 a
    clean-clone run saw four of five test_review.py boots crash twice within
    a minute, then passed everything after, and the same files passed together
    right after). Only those errors are retried, twice, 5 s apart, so a short
    burst of crashes passes; the summary reports every rerun.
    """
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.flaky(reruns=2, reruns_delay=5, only_rerun=RENDERER_CRASH))


def serve(directory):
    server = build.make_server(directory)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="session")
def site():
    """The built site, dist/ (made by `python build.py dist`, which `python build.py test` runs)."""
    if not (build.DIST / "index.html").exists():
        pytest.fail("dist/ is missing: run `python build.py dist` (or `python build.py test`) first")
    return build.DIST


@pytest.fixture(scope="session")
def base_url(site):
    server = serve(site)
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module: a fresh process now and then keeps a long run's memory bounded."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (python build.py test does it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageWatch:
    """What a page did that a test must check: foreign requests and console errors."""

    def __init__(self):
        self.foreign_requests = []
        self.console_errors = []
        self.dialogs = []  # alert/confirm/prompt: no script of ours opens one, so any means injected code ran
        self.unload_prompts = 0  # "leave this page?" prompts (accepted, so the navigation goes on)

    def dialog(self, dialog):
        if dialog.type == "beforeunload":
            self.unload_prompts += 1
            dialog.accept()
        else:
            self.dialogs.append(dialog.message)
            dialog.dismiss()

    def route(self, route):
        host = urlsplit(route.request.url).hostname
        if host == "127.0.0.1" or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.foreign_requests.append(route.request.url)
            route.abort()

    def console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)


@pytest.fixture
def watch():
    return PageWatch()


@pytest.fixture
def console_errors(watch):
    """Take this fixture to inspect console errors yourself instead of failing on them."""
    return watch.console_errors


SAVE_DATA = (
    'Object.defineProperty(Navigator.prototype, "connection", {configurable: true, get: () => ({saveData: true})});'
)
"""A browser that asks to save data (``navigator.connection.saveData``): the page then loads scikit-learn into its
training worker only when a training needs it, instead of as soon as it is idle (29 MB, and seconds of CPU per
page: a test run would spend minutes on it). Tests that take the ``preload`` fixture see the default."""


@pytest.fixture
def context(browser, watch, request):
    """A fresh browser context (empty storage). The guide is marked as seen unless the test takes `first_visit`;
    scikit-learn is loaded on demand only (:data:`SAVE_DATA`) unless it takes `preload`."""
    context = browser.new_context(service_workers="block", viewport={"width": 1440, "height": 900})
    context.route("**/*", watch.route)
    if "first_visit" not in request.fixturenames:
        context.add_init_script("localStorage.setItem('cleanlens-guide-seen', '1')")
    if "preload" not in request.fixturenames:
        context.add_init_script(SAVE_DATA)
    yield context
    context.close()
    assert watch.foreign_requests == [], f"requests left 127.0.0.1: {watch.foreign_requests}"
    assert watch.dialogs == [], f"a script opened a dialog: {watch.dialogs}"
    if "console_errors" not in request.fixturenames:
        assert watch.console_errors == [], f"console errors: {watch.console_errors}"


@pytest.fixture
def preload():
    """Take this fixture to let the page load scikit-learn when idle, as it does for a browser that does not ask to
    save data."""
    return True


@pytest.fixture
def first_visit():
    """Take this fixture to start as a first-time visitor (the guide opens by itself)."""
    return True


@pytest.fixture
def page(context, watch):
    page = context.new_page()
    page.on("console", watch.console)
    page.on("pageerror", lambda exc: watch.console_errors.append(f"pageerror: {exc}"))
    page.on("dialog", watch.dialog)
    return page


@pytest.fixture
def ready(page, base_url):
    """The page, opened on the demo, after its first results."""
    page.goto(base_url)
    assert wait_until_started(page) == "ready"
    return page


def wait_until_started(page, timeout=BOOT_TIMEOUT_MS):
    """Wait until <body data-state> is 'ready' or 'error' (start-up and first training done); return it."""
    # A selector wait, not wait_for_function: the page's Content-Security-Policy forbids the eval that needs.
    page.locator('body[data-state="ready"], body[data-state="error"]').wait_for(state="attached", timeout=timeout)
    return page.evaluate("document.body.dataset.state")


def wait_for_results(page, timeout=BOOT_TIMEOUT_MS):
    """After a Train click: wait until the new results are shown (not stale, state ready)."""
    page.get_by_test_id("stale").wait_for(state="detached", timeout=timeout)
    page.locator('body[data-state="ready"]').wait_for(state="attached", timeout=timeout)
