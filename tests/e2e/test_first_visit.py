"""The first visit: what is changed before Python runs is applied once it does, the wait says how far it is,
and the standard library's modules that the start-up does not import still import, fetched on demand."""

import json
import zipfile

from .conftest import wait_until_started
from .expected import assert_page_matches, categorize, demo, page_counts
from .test_sessions import relabel

WASM = "**/pyodide.asm.wasm"


class Hold(list):
    """Every request matching ``pattern`` held (this list) until :meth:`release`, which lets them and every
    later one through (the training worker fetches the same files)."""

    def __init__(self, page, pattern):
        super().__init__()
        self.released = False
        page.route(pattern, lambda route: route.continue_() if self.released else self.append(route))

    def release(self):
        self.released = True
        for route in self:
            route.continue_()


def wait_for(page, condition, timeout_s=60):
    for _ in range(int(timeout_s * 20)):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError("timed out")


def test_changes_before_python_runs_are_applied_once_it_does(page, base_url):
    held = Hold(page, WASM)  # the runtime cannot start until the test lets the WebAssembly through
    page.goto(base_url)
    wait_for(page, lambda: held)
    assert page.get_by_test_id("load-progress").is_visible()
    assert "Downloading Python" in page.get_by_test_id("stage").inner_text()
    # the pre-rendered tabs and image buttons do nothing yet, and look it
    assert page.get_by_role("tab").first.is_disabled() and page.locator("#tiles button.pick").first.is_disabled()
    slider = page.get_by_test_id("class-percentile")
    slider.focus()
    for _ in range(3):
        slider.press("ArrowRight")
    new_label = (demo().given[4] + 1) % 3
    relabel(page, 4, new_label)
    assert page.get_by_test_id("class-percentile-value").inner_text() == "53"
    assert "applied as soon as it runs" in page.get_by_test_id("stage").inner_text()
    assert page.evaluate("document.body.dataset.live") is None
    held.release()

    page.locator("body[data-live]").wait_for(state="attached", timeout=90_000)
    assert wait_until_started(page) == "ready"
    # the results are still those of the given labels (now stale), at the percentile moved to before
    assert page.get_by_test_id("stale").is_visible()
    assert page.get_by_test_id("class-percentile").input_value() == "53"
    assert page.locator('select[data-action="relabel"][data-i="4"]').input_value() == str(new_label)
    assert_page_matches(page, categorize(q_class=53))
    assert page.get_by_test_id("load-progress").is_hidden()


def test_a_module_outside_the_shipped_standard_library_imports_on_demand(ready, site):
    shipped = zipfile.ZipFile(site / "static" / "vendor" / "pyodide" / "python_stdlib.zip")
    modules = json.loads(shipped.read("on-demand.json"))["modules"]
    assert modules["xml.dom.minidom"] == "xml.zip" and not any(name.startswith("xml/") for name in shipped.namelist())
    assert json.loads(ready.evaluate("window.cleanlensStdlib()")) == {}  # the start-up needed nothing more
    requests = []
    ready.on("request", lambda request: requests.append(request.url))

    assert ready.evaluate("window.cleanlensImport('xml.dom.minidom')") > 0  # a whole package
    assert ready.evaluate("window.cleanlensImport('encodings.cp1252')") > 0  # the rest of a shipped package
    fetched = json.loads(ready.evaluate("window.cleanlensStdlib()"))
    assert set(fetched) == {"xml.zip", "encodings.zip"}
    error = ready.evaluate(
        "(() => { try { window.cleanlensImport('no_such_module'); } catch (e) { return String(e); } })()"
    )
    assert "ModuleNotFoundError" in error
    error = ready.evaluate(  # a module of an archive's package the index does not have: no request either
        "(() => { try { window.cleanlensImport('xml.no_such_module'); } catch (e) { return String(e); } })()"
    )
    assert "ModuleNotFoundError" in error
    assert [url.rsplit("/", 1)[1] for url in requests] == ["xml.zip", "encodings.zip"]  # the last two: no request
    assert page_counts(ready) == categorize().counts  # the page is as it was
