"""The explorer, driven like a user would, checked against the CPython engine."""

import re

import pytest
from playwright.sync_api import expect

from cleanlens.web import render

from .conftest import wait_for_results, wait_until_started
from .expected import _probabilities, assert_page_matches, categorize, demo, page_counts
from .test_sessions import wait_saved


def test_first_results_match_the_engine(ready):
    assert_page_matches(ready, categorize())
    engine = ready.get_by_test_id("engine").inner_text()
    assert "built-in (cleanlens" in engine and "in a worker" in engine and "5-fold" in engine and "seed 0" in engine
    assert "scikit-learn" in ready.get_by_test_id("engine-note").inner_text()  # (loaded on demand: save-data)
    assert ready.get_by_test_id("run").is_disabled()  # nothing changed since training


def test_slider_keys_update_every_count(ready):
    slider = ready.get_by_test_id("class-percentile")
    slider.focus()
    for _ in range(5):
        slider.press("ArrowRight")
    assert ready.get_by_test_id("class-percentile-value").inner_text() == "55"
    assert_page_matches(ready, categorize(q_class=55, q_ood=15))
    ood = ready.get_by_test_id("ood-percentile")
    ood.focus()
    ood.press("End")  # OOD 100 pushes the class percentile up to 100
    assert ready.get_by_test_id("class-percentile-value").inner_text() == "100"
    assert_page_matches(ready, categorize(q_class=100, q_ood=100))
    slider.focus()
    slider.press("Home")  # class 0 pulls OOD down to 0
    assert ready.get_by_test_id("ood-percentile-value").inner_text() == "0"
    assert_page_matches(ready, categorize(q_class=0, q_ood=0))


def test_the_confident_joint_rule(ready):
    ready.get_by_test_id("rule").select_option("confident-joint")
    assert_page_matches(ready, categorize(rule="cleanlab"))
    assert "rule=confident-joint" in ready.evaluate("new Promise(r => setTimeout(() => r(location.hash), 400))")


def test_threshold_readouts_match_the_engine(ready):
    result = categorize()
    for k in range(len(demo().classes)):
        assert ready.get_by_test_id(f"class-threshold-{k}").inner_text() == render.fmt(result.class_thresholds[k])
        assert ready.get_by_test_id(f"ood-threshold-{k}").inner_text() == render.fmt(result.ood_thresholds[k])


def test_cell_click_shows_exactly_that_cells_items(ready):
    result = categorize()
    k = len(result.joint)
    for g, s in [(g, s) for g in range(k) for s in range(k)]:
        ready.get_by_test_id(f"joint-cell-{g}-{s}").click()
        shown = ready.locator('[data-testid="cell-items"] li[data-i]')
        assert sorted(int(x) for x in shown.evaluate_all("els => els.map(e => e.dataset.i)")) == result.joint_ids[g][s]


def test_cell_opens_with_the_keyboard(ready):
    cell = ready.get_by_test_id("joint-cell-0-0")
    cell.focus()
    cell.press("Enter")
    assert ready.get_by_test_id("cell-title").is_visible()
    assert ready.evaluate("document.activeElement.dataset.testid") == "joint-cell-0-0"


def test_relabel_then_train_gives_the_engines_counts(ready):
    data = demo()
    labels = list(data.given)
    changed = [0, 1, 2]
    trained_on = ready.get_by_test_id("trained-on")
    assert trained_on.inner_text() == "Trained on the given labels."
    for i in changed:
        labels[i] = (labels[i] + 1) % len(data.classes)
        ready.locator(f'select[data-action="relabel"][data-i="{i}"]').select_option(str(labels[i]))
    assert ready.get_by_test_id("stale").is_visible()
    assert ready.get_by_test_id("known-errors").inner_text() == str(len(data.known_errors(labels)))
    run = ready.get_by_test_id("run")
    assert run.is_enabled()
    run.focus()
    run.press("Enter")  # keyboard reachable
    wait_for_results(ready)
    assert_page_matches(ready, categorize(labels=labels))
    assert run.is_disabled()
    assert trained_on.inner_text() == "Trained on your labels: 3 changed by you."  # which labels, in the read-out
    wait_saved(ready)
    ready.reload()
    assert wait_until_started(ready) == "ready"
    assert trained_on.inner_text() == "Trained on your labels: 3 changed by you."
    assert_page_matches(ready, categorize(labels=labels))


def test_relabel_during_training_is_kept_and_marks_results_stale(ready):
    ready.get_by_test_id("reseed").click()
    ready.locator('body[data-state="training"]').wait_for(state="attached")
    ready.locator('select[data-action="relabel"][data-i="3"]').select_option(
        str((demo().given[3] + 1) % len(demo().classes))
    )
    expect(ready.get_by_test_id("engine")).to_contain_text("seed 1", timeout=60_000)
    ready.locator('body[data-state="ready"]').wait_for(state="attached")
    assert ready.get_by_test_id("stale").is_visible()
    assert ready.get_by_test_id("run").is_enabled()
    assert_page_matches(ready, categorize(seed=1))


def test_focus_previews_an_image_and_enter_selects_it(ready):
    result = categorize()
    i = next(iter(result.label_issues or result.correct))
    button = ready.locator(f'#tiles button[data-i="{i}"]')
    button.focus()  # keyboard focus previews, as the pointer does
    sentence = ready.get_by_test_id("explanation").inner_text()
    assert ("likely a label error" in sentence) if i in result.label_issues else ("looks right" in sentence)
    assert ready.get_by_test_id("detail-id").count() == 0  # nothing pinned yet
    button.press("Enter")
    assert ready.get_by_test_id("detail-id").inner_text() == demo().ids[i]


def test_pointing_at_other_images_never_changes_what_the_actions_apply_to(ready):
    result = categorize()
    pinned, other = result.label_issues[0], result.correct[0]
    ready.locator(f'#tiles button[data-i="{pinned}"]').click()
    ready.locator(f'#tiles button[data-i="{other}"]').hover()  # crossing another image on the way to Accept
    assert ready.get_by_test_id("preview-id").inner_text() == demo().ids[other]
    assert ready.get_by_test_id("detail-id").inner_text() == demo().ids[pinned]
    accept = ready.get_by_test_id("accept")
    assert demo().ids[pinned] in accept.inner_text()
    accept.click()
    assert ready.locator(f'select[data-action="relabel"][data-i="{pinned}"]').input_value() == str(
        result.suggested[pinned]
    )
    assert ready.locator(f'select[data-action="relabel"][data-i="{other}"]').input_value() == str(demo().given[other])
    listed = ready.locator('[data-testid="label_issue-items"] li').evaluate_all("els => els.map(e => +e.dataset.i)")
    nxt = listed[(listed.index(pinned) + 1) % len(listed)]  # Accept pinned the next undecided issue of the list
    assert ready.get_by_test_id("detail-id").inner_text() == demo().ids[nxt]
    ready.wait_for_function(
        "id => location.hash.includes('item=' + id + '&') || location.hash.endsWith('item=' + id)",
        arg=demo().ids[nxt],
    )  # the URL follows the selection (within 250 ms)


def test_under_the_cleanlab_rule_the_class_slider_is_off_and_ood_thresholds_stay_below_the_means(ready):
    ready.get_by_test_id("rule").select_option("confident-joint")
    assert ready.get_by_test_id("class-percentile").is_disabled()
    assert ready.get_by_test_id("class-percentile-value").inner_text() == "mean"
    result = categorize(rule="cleanlab")
    for k in range(len(demo().classes)):
        assert float(ready.get_by_test_id(f"ood-threshold-{k}").inner_text()) <= float(
            ready.get_by_test_id(f"class-threshold-{k}").inner_text()
        )
        assert result.ood_thresholds[k] <= result.class_thresholds[k]
    ready.get_by_test_id("rule").select_option("percentile")
    assert ready.get_by_test_id("class-percentile").is_enabled()
    assert ready.get_by_test_id("class-percentile-value").inner_text() == "50"


def test_theme_toggle_is_remembered(ready):
    before = ready.evaluate("getComputedStyle(document.body).backgroundColor")
    ready.get_by_test_id("theme").click()
    theme = ready.evaluate("document.documentElement.dataset.theme")
    assert theme in ("light", "dark")
    assert ready.evaluate("getComputedStyle(document.body).backgroundColor") != before
    ready.reload()
    assert ready.evaluate("document.documentElement.dataset.theme") == theme


GUIDE_AT_FIRST_PAINT = """
document.addEventListener("DOMContentLoaded", () => requestAnimationFrame(() => {
    window.__guideOpenAtFirstFrame = document.getElementById("guide").open;
    window.__stateAtFirstFrame = document.body.dataset.state;
}));
"""


def test_guide_opens_on_first_visit_before_python_and_closes_by_keyboard(page, base_url, first_visit):
    page.add_init_script(GUIDE_AT_FIRST_PAINT)
    page.goto(base_url)
    guide = page.get_by_test_id("guide")
    guide.wait_for(state="visible", timeout=10_000)
    assert page.evaluate("[window.__guideOpenAtFirstFrame, window.__stateAtFirstFrame]") == [True, "loading"]
    assert "confident" in guide.inner_text().lower()
    page.keyboard.press("Escape")
    assert not guide.is_visible()
    wait_until_started(page)
    page.reload()
    wait_until_started(page)
    assert not guide.is_visible()  # once only
    page.get_by_test_id("guide-open").focus()
    page.keyboard.press("Enter")
    assert guide.is_visible()
    assert page.evaluate("document.activeElement.dataset.testid") == "guide-close"
    page.keyboard.press("Tab")  # the page behind the modal dialog is inert: focus never reaches it
    assert page.evaluate("!document.activeElement.closest('main, header')")
    page.get_by_test_id("guide-close").focus()
    page.keyboard.press("Enter")
    assert not guide.is_visible()


def test_filters_and_sorting(ready):
    data = demo()
    shown = ready.locator("#tiles > li").evaluate_all("els => els.map(e => +e.dataset.i)")
    quality = [p[g] for p, g in zip(_probabilities(tuple(data.given), 0), data.given)]  # self-confidence
    assert shown == sorted(range(len(data.given)), key=lambda i: (quality[i], i))  # worst label quality first
    ready.get_by_test_id("sort").select_option("dataset")
    ready.get_by_test_id("filter-class").select_option("1")
    shown = ready.locator("#tiles > li").evaluate_all("els => els.map(e => +e.dataset.i)")
    assert shown == [i for i, g in enumerate(data.given) if g == 1]
    ready.get_by_test_id("filter-class").select_option("")
    ready.get_by_test_id("filter-category").select_option("ood")
    shown = ready.locator("#tiles > li").evaluate_all("els => els.map(e => +e.dataset.i)")
    assert shown == categorize().ood
    assert page_counts(ready)["ood"] == len(shown)


def test_shared_link_restores_the_view(page, base_url):
    data = demo()
    item = data.ids[5]
    page.goto(f"{base_url}#class=70&ood=20&rule=percentile&seed=2&item={item}&cell=0-1&view=table&results=cell")
    assert wait_until_started(page) == "ready"
    assert page.get_by_test_id("class-percentile").input_value() == "70"
    assert page.get_by_test_id("ood-percentile").input_value() == "20"
    assert "seed 2" in page.get_by_test_id("engine").inner_text()
    assert page.get_by_test_id("detail-id").inner_text() == item
    assert page.get_by_test_id("cell-title").is_visible()
    assert page.locator("table.probs").is_visible()
    assert_page_matches_table_view(page, categorize(q_class=70, q_ood=20, seed=2))


def assert_page_matches_table_view(page, result):
    assert page_counts(page) == {name: result.counts[name] for name in result.counts}
    shown = page.locator('[data-testid="cell-items"] li[data-i]').evaluate_all("els => els.map(e => +e.dataset.i)")
    assert sorted(shown) == result.joint_ids[0][1]


def test_the_url_follows_the_view(ready):
    slider = ready.get_by_test_id("class-percentile")
    slider.focus()
    slider.press("ArrowRight")
    ready.get_by_test_id("joint-cell-1-0").click()
    expect(ready).to_have_url(re.compile(r"#.*class=51.*cell=1-0"))


def test_a_broken_link_is_explained_not_fatal(page, base_url):
    page.goto(f"{base_url}#class=abc&item=no-such-image")
    assert wait_until_started(page) == "ready"
    notes = page.get_by_test_id("link-notes").inner_text()
    assert "no-such-image" in notes and "class='abc'" in notes


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width, height, page_scrolls", [(1440, 900, False), (1024, 768, True), (390, 844, True)])
def test_layout_fits(page, base_url, width, height, page_scrolls, scheme, tmp_path):
    """One 1440x900 screen without page scrolling; smaller screens scroll vertically, never sideways; label names
    whole; the tile legend in view; a screenshot of each (in pytest's tmp_path, to look at when it fails)."""
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(base_url)
    assert wait_until_started(page) == "ready"
    size = page.evaluate("({w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight})")
    assert size["w"] <= width, f"horizontal overflow: {size['w']} > {width}"
    if not page_scrolls:
        assert size["h"] <= height, f"the page scrolls: {size['h']} > {height}"
    for testid in ("run", "class-percentile", "ood-percentile", "count-correct", "joint-cell-0-0", "tile-legend"):
        assert page.get_by_test_id(testid).is_visible()
    cut = page.locator("#tiles select, .toolbar select").evaluate_all(
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.getAttribute('aria-label'))"
    )
    assert cut == [], f"label names cut short: {cut}"
    # beyond the right edge and not clipped by an ancestor (an ellipsised line's text is clipped, on purpose)
    wide = page.locator("main#app *, header *").evaluate_all(
        "(els, width) => els.filter(e => {"
        "  if (e.getBoundingClientRect().right <= width + 1 || getComputedStyle(e).position === 'fixed') return false;"
        "  for (let a = e.parentElement; a; a = a.parentElement)"
        "    if (getComputedStyle(a).overflowX !== 'visible' && a.getBoundingClientRect().right <= width + 1) "
        "return false;"
        "  return true;"
        "}).map(e => e.tagName + '.' + e.className)",
        width,
    )
    assert wide == [], f"controls beyond the right edge: {wide[:5]}"
    page.screenshot(path=str(tmp_path / f"layout-{width}x{height}-{scheme}.png"))


def test_everything_one_class_is_warned_about_not_silent(ready):
    ready.evaluate("""() => {
        for (const select of document.querySelectorAll('select[data-action="relabel"]')) {
            select.value = '0';
            select.dispatchEvent(new Event('change', {bubbles: true}));
        }
    }""")
    warning = ready.get_by_test_id("warning")
    assert "Every item is labelled" in warning.inner_text()
    ready.get_by_test_id("run").click()
    wait_for_results(ready)
    # training runs (every image gets p = 1 for the one class), finds nothing, and the page says why
    assert "Every item is labelled" in ready.get_by_test_id("warning").inner_text()
    assert page_counts(ready)["label_issue"] == 0
    assert_page_matches(ready, categorize(labels=[0] * len(demo().given)))
