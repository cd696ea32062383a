"""Instant start: the demo's results are in the served page, the controls work as soon as Python runs, the
in-browser training reproduces the build's results exactly, and saved work is never shown as the demo's."""

import re

from .conftest import wait_until_started
from .expected import assert_page_matches, categorize, demo, page_counts
from .test_sessions import relabel, wait_saved

FIRST_FRAME = (
    """
window.__marks = [];
document.addEventListener("DOMContentLoaded", () => requestAnimationFrame(() => {
    const count = document.querySelector('[data-testid="count-label-issues"]');
    const app = document.getElementById("app");
    window.__firstFrame = {state: document.body.dataset.state, """
    """resuming: document.documentElement.dataset.resuming || "",
                           issues: count ? count.textContent : null, appVisibility: getComputedStyle(app).visibility};
}));
new MutationObserver(() => {
    const body = document.body;
    if (body && body.dataset.live && !window.__liveState) window.__liveState = body.dataset.state;
}).observe(document, {subtree: true, attributes: true, attributeFilter: ["data-live"]});
"""
)


def counts_in(html):
    return {
        name: int(re.search(rf'data-testid="{testid}">(\d+)<', html).group(1))
        for name, testid in (
            ("correct", "count-correct"),
            ("label_issue", "count-label-issues"),
            ("ood", "count-ood"),
            ("unconfident", "count-unconfident"),
        )
    }


def test_the_served_page_holds_the_results_and_the_browser_reproduces_them(page, base_url):
    html = page.goto(base_url).text()
    expected = categorize()
    assert counts_in(html) == {c: n for c, n in expected.counts.items()}
    assert "computed when this site was built" in html
    for g, row in enumerate(expected.joint):
        for s, n in enumerate(row):
            assert re.search(
                rf'data-testid="joint-cell-{g}-{s}"[^>]*><span class="head"><span><span class="jcount">{n}<', html
            )
    assert wait_until_started(page) == "ready"
    assert_page_matches(page, expected)  # trained here: the same results
    assert "trained here in" in page.get_by_test_id("engine").inner_text()
    assert page.get_by_test_id("determinism").count() == 0  # (and the console has no error: the fixture checks)


def test_results_are_on_screen_at_first_paint_and_the_sliders_work_before_training_ends(page, base_url):
    page.add_init_script(FIRST_FRAME)
    page.goto(base_url)
    page.locator("body[data-live]").wait_for(state="attached", timeout=90_000)
    first = page.evaluate("window.__firstFrame")
    assert first["state"] == "loading" and first["resuming"] == "" and first["appVisibility"] == "visible"
    assert first["issues"] == str(categorize().counts["label_issue"])
    assert page.evaluate("window.__liveState") in ("loading", "training")  # live before the training is done
    slider = page.get_by_test_id("class-percentile")
    slider.focus()
    slider.press("ArrowRight")
    assert page_counts(page) == {c: n for c, n in categorize(q_class=51).counts.items()}
    assert wait_until_started(page) == "ready"
    assert page_counts(page) == {c: n for c, n in categorize(q_class=51).counts.items()}


def test_a_relabel_before_the_training_ends_is_kept_and_marks_the_results_stale(page, base_url):
    page.goto(base_url)
    page.locator("body[data-live]").wait_for(state="attached", timeout=90_000)
    relabel(page, 4, (demo().given[4] + 1) % 3)
    assert wait_until_started(page) == "ready"
    assert page.get_by_test_id("stale").is_visible()
    assert page.locator('select[data-action="relabel"][data-i="4"]').input_value() == str((demo().given[4] + 1) % 3)
    assert_page_matches(page, categorize())


def test_saved_work_is_never_shown_as_the_demos_results(ready):
    labels = list(demo().given)
    for i in range(12):
        labels[i] = (labels[i] + 1) % 3
        relabel(ready, i, labels[i])
    ready.get_by_test_id("run").click()
    ready.get_by_test_id("stale").wait_for(state="detached", timeout=90_000)
    ready.locator('body[data-state="ready"]').wait_for(state="attached")
    wait_saved(ready)
    ready.add_init_script(FIRST_FRAME)
    ready.reload()
    ready.locator("body[data-live]").wait_for(state="attached", timeout=90_000)
    first = ready.evaluate("window.__firstFrame")
    assert first["resuming"] == "1" and first["appVisibility"] == "hidden"  # a neutral placeholder, not the demo's
    assert ready.evaluate("document.documentElement.dataset.resuming") is None
    assert wait_until_started(ready) == "ready"
    assert_page_matches(ready, categorize(labels=labels))


def test_a_link_to_another_view_is_not_shown_with_the_demos_results(page, base_url):
    page.add_init_script(FIRST_FRAME)
    page.goto(f"{base_url}#class=70&ood=20")
    page.locator("body[data-live]").wait_for(state="attached", timeout=90_000)
    assert page.evaluate("window.__firstFrame")["resuming"] == "1"
    assert wait_until_started(page) == "ready"
    assert_page_matches(page, categorize(q_class=70, q_ood=20))
