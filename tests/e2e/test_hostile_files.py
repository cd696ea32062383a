"""The issue's hostile files in the page: each gets its message, the data you had stays, the dialog keeps working.

The inputs are built by tests/test_fuzz_inputs.py (:func:`hostile_input`), the same corpus the
loader and the CLI are tested with. Before the fix some of them left the dialog stuck
("Unhandled exception in event loop"), killed Python (JSON nested 100,000 levels: "Maximum
call stack size exceeded") or froze the tab for seconds (the 41 MB, 60 MB and 61 MB files).
"""

import pytest
from playwright.sync_api import expect

from ..test_fuzz_inputs import hostile_input
from .expected import page_counts
from .test_own_data import HEARTBEAT, load

SMALL = [
    "npy-shape-negative",
    "npy-shape-float",
    "npy-shape-text",
    "json-given-list",
    "json-truth-object",
    "json-int-400-digits",
    "json-int-5000-digits",
    "json-nested-100000",
    "csv-label-1.5",
    "csv-label-cat",
    "npy-label-out-of-range",
    "npy-zero-rows",
    "npy-one-class",
    "csv-10mb-field",
]
LARGE = ["csv-2m-columns", "csv-3m-rows", "npy-800k-rows"]


def refused(page, files, mode, message, tmp_path=None):
    """Load ``files``; check the message, that nothing was lost (the tiles and counts shown before), and close
    the dialog."""
    before = page_counts(page)
    tiles = page.locator("#tiles > li").count()
    if tmp_path is not None:  # large files go through the file system, not the test's protocol
        paths = []
        for name, data in files:
            (tmp_path / name).write_bytes(data)
            paths.append(tmp_path / name)
        files = paths
    load(page, files, mode)
    error = page.get_by_test_id("byo-error")
    error.wait_for(timeout=120_000)
    assert error.inner_text().startswith(message), error.inner_text()
    assert page.locator("#byo-progress").is_hidden()
    page.get_by_test_id("byo-close").click()
    assert page.locator("#tiles > li").count() == tiles
    assert page_counts(page) == before


def test_each_hostile_file_is_explained_and_nothing_is_lost(ready):
    for case in SMALL:
        files, mode, message = hostile_input(case)
        refused(ready, files, mode, message)
    # the renormalise offer for probability-like rows in automatic mode
    files, mode, message = hostile_input("csv-auto-sums")
    load(ready, files, mode)
    ready.get_by_test_id("byo-error").wait_for()
    assert ready.get_by_test_id("byo-error").inner_text().startswith(message)
    ready.get_by_test_id("byo-renormalize").click()
    ready.get_by_test_id("byo").wait_for(state="hidden", timeout=60_000)
    expect(ready.locator("#tiles > li")).to_have_count(5, timeout=60_000)  # the dialog closes before the data shows
    ready.locator('body[data-state="ready"]').wait_for(state="attached")
    assert "Read as predicted probabilities" in ready.get_by_test_id("data-notes").inner_text()
    # "Your data" and "Back to the demo" still work
    ready.get_by_test_id("byo-open").click()
    ready.get_by_test_id("byo-demo").click()
    ready.locator("#tiles > li").nth(299).wait_for(timeout=60_000)
    ready.locator('body[data-state="ready"]').wait_for(state="attached")
    assert ready.get_by_test_id("known-errors").inner_text() == "18"


MEMORY = """async () => self.crossOriginIsolated && performance.measureUserAgentSpecificMemory
    ? (await performance.measureUserAgentSpecificMemory()).bytes : null"""


@pytest.mark.parametrize("case", LARGE)
def test_large_hostile_files_are_refused_without_freezing_the_tab(ready, tmp_path, case):
    files, mode, message = hostile_input(case)
    before = ready.evaluate(MEMORY)  # null: the page is not cross-origin isolated (measured in Node instead)
    ready.evaluate(HEARTBEAT)
    refused(ready, files, mode, message, tmp_path)
    gaps = ready.evaluate("window.__gaps")
    after = ready.evaluate(MEMORY)
    memory = "not measurable here" if before is None else f"{before / 2**20:.0f} -> {after / 2**20:.0f} MB"
    print(f"{case}: longest frame gap {max(gaps):.0f} ms over {len(gaps)} frames; memory {memory}")
    if before is not None:
        assert after <= 1.2 * before
    # (the frame gaps are reported, not asserted: bounded work is checked by the loader's unit tests, and
    #  times are measured by bench/bench_userdata.py)
    ready.get_by_test_id("byo-open").click()
    assert ready.get_by_test_id("byo").is_visible()
