"""Fixtures for the browser smoke suite: the built site in Firefox ESR and in WebKitGTK.

Every test here is marked ``browsers`` (select with ``-m browsers``, leave out with
``-m "not browsers"``). Each browser is started once per run with a fresh profile; its tests
share one page, in order (first visit, a slider step, the offline reload, your own data), so
the suite costs two cold starts per browser. A browser that is not installed fails its tests
with a one-line reason (``python3 build.py test`` installs them with apt).
"""

import pytest

import build

from . import browsers

BOOT_TIMEOUT = 150  # seconds: WebKit's cold start on a shared, busy 2-core machine, with headroom


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browsers/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browsers)


@pytest.fixture(scope="session")
def test_site(tmp_path_factory):
    """A copy of dist/ with recorder.js as the page's first script (dist/ itself is left as built)."""
    if not (build.DIST / "index.html").exists():
        pytest.fail("dist/ is missing: run `python3 build.py dist` (or `python3 build.py test`) first")
    return browsers.instrumented_site(build.DIST, tmp_path_factory.mktemp("browsers") / "site")


@pytest.fixture(scope="module")
def server(test_site):
    """The test site on 127.0.0.1; a test may stop it (no network) and start it again on the same port."""
    server = browsers.Server(test_site).start()
    yield server
    server.stop()


@pytest.fixture(scope="module", params=browsers.NAMES)
def browser(request):
    reason = browsers.missing(request.param)
    if reason:
        pytest.fail(reason, pytrace=False)
    browser = browsers.launch(request.param)
    yield browser
    browser.quit()


class Page:
    """The one page a browser's tests share, with what its recorder saw in earlier loads."""

    def __init__(self, browser, server):
        self.browser = browser
        self.server = server
        self.earlier_errors = []
        self.load_seconds = []

    def load(self, reload=False):
        """Open (or reload) the page and wait for it to start; keeps the previous load's errors."""
        import time

        record = self.browser.record() if reload else None
        if record:
            self.earlier_errors += record["errors"]
        started = time.monotonic()
        if reload:
            self.browser.reload()
        else:
            self.browser.goto(self.server.url)
        state = self.browser.wait_started(BOOT_TIMEOUT)
        self.load_seconds.append(time.monotonic() - started)
        return state

    def errors(self):
        record = self.browser.record()
        assert record is not None, f"{self.browser.name}: the recorder did not run in the page"
        return self.earlier_errors + record["errors"]


@pytest.fixture(scope="module")
def page(browser, server):
    return Page(browser, server)


@pytest.fixture(autouse=True)
def nothing_left_open(request):
    """After each test: no console errors so far, no prompt and no dialog of the page left open."""
    yield
    if "page" not in request.fixturenames:
        return
    page = request.getfixturevalue("page")
    browser = page.browser
    prompt = browser.alert_text()
    assert prompt is None, f"{browser.name}: a prompt is open: {prompt!r}"
    open_dialogs = browser.js("return [...document.querySelectorAll('dialog[open]')].map(d => d.id)")
    assert open_dialogs == [], f"{browser.name}: dialogs left open: {open_dialogs}"
    errors = page.errors()
    assert errors == [], f"{browser.name}: console errors: {errors}"
