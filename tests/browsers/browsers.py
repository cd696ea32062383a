"""Firefox ESR (Marionette) and WebKitGTK (WebKitWebDriver + Selenium) behind one small interface.

Shared by the browser smoke suite (``tests/browsers/``) and ``bench/bench_browsers.py``.

* Firefox: Debian's ``firefox-esr``, headless, a new temporary profile per launch, driven over
  Marionette with the ``marionette-driver`` package (Debian has no geckodriver).
* WebKit: Debian's ``webkit2gtk-driver`` (WebKitWebDriver), which starts the MiniBrowser of
  libwebkit2gtk-4.1 in automation mode (ephemeral storage: every launch is a first visit) on an
  Xvfb display started here, through Selenium's WebKitGTK driver.

Neither driver reads the browser console, so both load a *test copy* of the site
(:func:`instrumented_site`): dist/ plus ``recorder.js`` as the page's first script, which
records console errors, uncaught errors, rejected promises, CSP violations and the start-up
stages into ``window.__cleanlens``. The published dist/ never contains it.
"""

import gc
import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import build

HERE = Path(__file__).resolve().parent
RECORDER = HERE / "recorder.js"
RECORDER_URL = "./static/test-recorder.js"
FIREFOX = "/usr/bin/firefox-esr"
WEBKIT_DRIVER = "/usr/bin/WebKitWebDriver"
XVFB = "/usr/bin/Xvfb"
NAMES = ("firefox", "webkit")
WIDTH, HEIGHT = 1440, 900


def minibrowser():
    """The MiniBrowser of libwebkit2gtk-4.1 (its path has the machine's multiarch triplet), or None."""
    found = sorted(glob.glob("/usr/lib/*/webkit2gtk-4.1/MiniBrowser"))
    return found[0] if found else None


def missing(name):
    """Why browser `name` cannot run here (one line), or None when everything it needs is installed."""
    if name == "firefox":
        needs = {FIREFOX: "firefox-esr"}
    else:
        needs = {WEBKIT_DRIVER: "webkit2gtk-driver", XVFB: "xvfb", minibrowser() or "MiniBrowser": "webkit2gtk-driver"}
    absent = sorted({package for path, package in needs.items() if not Path(path).exists()})
    if not absent:
        return None
    return (
        f"{name}: {', '.join(absent)} not installed: run `apt-get install -y {' '.join(absent)}` "
        "(`python3 build.py test` does it when apt-get is available)"
    )


def instrumented_site(dist, dest):
    """Copy the built site `dist` to `dest` with recorder.js as the first script of the page.

    The page's CSP allows scripts from its own origin only, so the recorder is a file of the
    site, not an inline script. The service worker's file list and cache name are written again
    for the copy, so the offline reload also serves the recorder. Returns `dest`.
    """
    dist, dest = Path(dist), Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(dist, dest)
    shutil.copy2(RECORDER, dest / RECORDER_URL)
    index = dest / "index.html"
    html = index.read_text(encoding="utf-8")
    anchor = '<script src="./static/boot.js"></script>'
    if anchor not in html:
        raise RuntimeError(f"{index} has no {anchor}: the recorder cannot be placed before it")
    index.write_text(html.replace(anchor, f'<script src="{RECORDER_URL}"></script>\n  {anchor}', 1), encoding="utf-8")
    build.write_service_worker(dest)
    return dest


class Server:
    """build.py's static server for a folder on 127.0.0.1, which can be stopped (the network gone) and restarted."""

    def __init__(self, directory):
        self.directory = directory
        self.port = 0
        self.server = None

    def start(self):
        import threading

        self.server = build.make_server(self.directory, self.port)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/"


class Xvfb:
    """A virtual X display for WebKitGTK (the MiniBrowser needs one), on a free display number."""

    def __init__(self):
        read, write = os.pipe()
        self.process = subprocess.Popen(
            [XVFB, "-displayfd", str(write), "-screen", "0", f"{WIDTH + 80}x{HEIGHT + 120}x24", "-nolisten", "tcp"],
            pass_fds=(write,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write)
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        if not number:
            self.process.kill()
            raise RuntimeError("Xvfb did not start")
        self.display = f":{number}"

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


class Browser:
    """One browser session. Scripts are function bodies (``return ...``) run in the page."""

    name = ""
    version = ""

    def js(self, script, *args):
        raise NotImplementedError

    def goto(self, url):
        raise NotImplementedError

    def reload(self):
        """Reload as the user's reload button does: through the service worker and HTTP cache.

        (Marionette's refresh bypasses both, as a forced reload does.) Returns once the new
        document is there; the old one is told apart by a mark left on its window.
        """
        self.js("window.__cleanlensOld = true; setTimeout(() => location.reload(), 0)")
        self.wait("return !window.__cleanlensOld && !!document.body", 120, what="the reloaded page", tolerate=True)

    def element(self, testid):
        raise NotImplementedError

    def keys(self, testid, *keys):
        """Send key presses to the element (e.g. "RIGHT", "ESCAPE")."""
        raise NotImplementedError

    def choose_files(self, testid, paths):
        raise NotImplementedError

    def alert_text(self):
        """The text of an open alert/confirm/beforeunload prompt, or None."""
        raise NotImplementedError

    def quit(self):
        raise NotImplementedError

    # ---- shared helpers, in terms of the above

    def click(self, testid):
        self.element(testid).click()

    def text(self, testid):
        return self.js(
            'const e = document.querySelector(`[data-testid="${arguments[0]}"]`); return e ? e.textContent : null',
            testid,
        )

    def wait(self, script, timeout, *args, interval=0.1, what=None, tolerate=False):
        """Run `script` until it returns something truthy (returned); AssertionError after `timeout` seconds.

        tolerate: a script that fails (e.g. while a navigation replaces the document) is tried again.
        """
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.js(script, *args)
            except Exception:  # noqa: BLE001 (the drivers' errors differ; only while navigating)
                if not tolerate:
                    raise
                value = None
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: timed out after {timeout} s waiting for {what or script}")
            time.sleep(interval)

    def wait_started(self, timeout):
        """Wait until <body data-state> is 'ready' or 'error'; return it."""
        return self.wait(
            "const s = document.body && document.body.dataset.state; "
            "return (s === 'ready' || s === 'error') ? s : null",
            timeout,
            what="ready or error",
        )

    def record(self):
        """What recorder.js saw in the current page: {'errors', 'warnings', 'marks'}, or None without it."""
        return self.js(
            "if (!window.__cleanlens) return null; "
            "const r = JSON.parse(JSON.stringify(window.__cleanlens)); "
            "r.resources = performance.getEntriesByType('resource').map("
            "e => [e.name, e.startTime, e.responseEnd, e.transferSize]); return r"
        )


class Firefox(Browser):
    name = "firefox"

    def __init__(self):
        import logging

        import mozlog.unstructured
        from marionette_driver.marionette import Marionette

        mozlog.unstructured.getLogger("mozversion").setLevel(logging.WARNING)  # its INFO lines go to stdout
        self.workspace = tempfile.mkdtemp(prefix="cleanlens-firefox-")
        self.marionette = Marionette(
            bin=FIREFOX, headless=True, port=0, startup_timeout=120, gecko_log=os.path.join(self.workspace, "gecko.log")
        )
        self.marionette.start_session()
        self.version = self.marionette.session_capabilities.get("browserVersion", "")
        self.marionette.set_window_rect(width=WIDTH, height=HEIGHT)
        self.marionette.timeout.page_load = 120

    def js(self, script, *args):
        # sandbox=None: run in the page's own global, where window.__cleanlens lives
        return self.marionette.execute_script(script, script_args=list(args), sandbox=None)

    def goto(self, url):
        self.marionette.navigate(url)

    def element(self, testid):
        return self.marionette.find_element("css selector", f'[data-testid="{testid}"]')

    def keys(self, testid, *keys):
        from marionette_driver.keys import Keys

        self.element(testid).send_keys(*(getattr(Keys, key) for key in keys))

    def choose_files(self, testid, paths):
        self.element(testid).send_keys("\n".join(str(p) for p in paths))

    def alert_text(self):
        from marionette_driver import errors
        from marionette_driver.marionette import Alert

        try:
            return Alert(self.marionette).text
        except errors.NoAlertPresentException:
            return None

    def quit(self):
        try:
            self.marionette.cleanup()
        finally:
            # drop the profile now (its finaliser would otherwise run, noisily, at interpreter exit)
            self.marionette.instance = None
            self.marionette = None
            gc.collect()
            shutil.rmtree(self.workspace, ignore_errors=True)


class WebKit(Browser):
    name = "webkit"

    def __init__(self):
        from selenium import webdriver
        from selenium.webdriver.webkitgtk.options import Options
        from selenium.webdriver.webkitgtk.service import Service

        self.xvfb = Xvfb()
        try:
            options = Options()
            options.binary_location = minibrowser()
            options.add_argument("--automation")
            service = Service(executable_path=WEBKIT_DRIVER, env=dict(os.environ, DISPLAY=self.xvfb.display))
            self.driver = webdriver.WebKitGTK(options=options, service=service)
        except BaseException:
            self.xvfb.stop()
            raise
        self.version = self.driver.capabilities.get("browserVersion", "")
        self.driver.set_window_size(WIDTH, HEIGHT)
        self.driver.set_page_load_timeout(120)

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def goto(self, url):
        self.driver.get(url)

    def element(self, testid):
        return self.driver.find_element("css selector", f'[data-testid="{testid}"]')

    def keys(self, testid, *keys):
        from selenium.webdriver.common.keys import Keys

        names = {"RIGHT": "ARROW_RIGHT", "LEFT": "ARROW_LEFT"}
        self.element(testid).send_keys(*(getattr(Keys, names.get(key, key)) for key in keys))

    def choose_files(self, testid, paths):
        self.element(testid).send_keys("\n".join(str(p) for p in paths))

    def alert_text(self):
        from selenium.common.exceptions import NoAlertPresentException

        try:
            return self.driver.switch_to.alert.text
        except NoAlertPresentException:
            return None

    def quit(self):
        try:
            self.driver.quit()
        finally:
            self.xvfb.stop()


def launch(name):
    """Start browser `name` ('firefox' or 'webkit') with a fresh, empty profile."""
    return {"firefox": Firefox, "webkit": WebKit}[name]()
