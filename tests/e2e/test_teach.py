"""A first visit that teaches: the anchored tour, the popover explainer, the phone's details sheet, the engine
settings, the drop zone and the map of data brought without one."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import wait_for_results, wait_until_started
from .expected import categorize, demo

TOUR_ANCHORS = [
    '[data-tour="dataset"]',
    "#tile-legend",
    '[data-testid="run"]',
    "#threshold-controls .class-slider",
    "#threshold-controls .ood-slider",
    '[data-tour="center"]',
    '[data-tour="results"]',
    '[data-tour="detail"]',
    '[data-testid="byo-open"]',
]


def in_view(page, locator):
    """True if the element's box overlaps the viewport (and it is rendered)."""
    box = locator.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["width"] > 0
        and box["height"] > 0
        and box["x"] < size["width"]
        and box["x"] + box["width"] > 0
        and box["y"] < size["height"]
        and box["y"] + box["height"] > 0
    )


@pytest.mark.parametrize("width, height", [(1440, 900), (1024, 768), (390, 844)])
def test_the_tour_walks_over_the_real_controls_by_keyboard(page, base_url, first_visit, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(base_url)
    guide = page.get_by_test_id("guide")
    guide.wait_for(state="visible", timeout=10_000)
    wait_until_started(page)
    start = page.get_by_test_id("tour-start")
    expect(start).to_be_enabled()
    start.focus()
    page.keyboard.press("Enter")
    tour = page.get_by_test_id("tour")
    expect(tour).to_be_visible()
    assert not guide.is_visible()
    for n, selector in enumerate(TOUR_ANCHORS):
        expect(page.get_by_test_id("tour-count")).to_contain_text(f"Step {n + 1} of {len(TOUR_ANCHORS)}")
        anchor = page.locator("[data-tour-target]")
        assert anchor.count() == 1
        assert anchor.evaluate("(el, s) => el.matches(s)", selector), (n, selector)
        assert anchor.is_visible() and in_view(page, anchor), (n, selector, anchor.bounding_box())
        assert in_view(page, tour)
        assert page.evaluate("document.activeElement.closest('#tour') !== null")  # the keyboard stays in the tour
        if n == 1:  # the four categories, in the demo's own classes
            text = tour.inner_text()
            assert all(word in text for word in ("Label issue", "Out of distribution", "Unconfident", "Correct"))
            assert "Sneaker" in text and "Ankle boot" in text
        page.keyboard.press("ArrowRight")
    expect(tour).to_be_visible()  # the last step stays until closed
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_test_id("tour-count")).to_contain_text(f"Step {len(TOUR_ANCHORS) - 1} of")
    page.keyboard.press("Escape")
    expect(tour).to_be_hidden()
    assert page.locator("[data-tour-target]").count() == 0
    assert page.evaluate("document.activeElement.dataset.testid") == "guide-open"  # reopen from here
    page.keyboard.press("Enter")
    expect(guide).to_be_visible()


def test_the_tour_button_waits_for_python_and_the_guide_reads_before(page, base_url, first_visit):
    page.route("**/*.whl", lambda route: None)  # Python never gets our package: the page stays before Python
    page.goto(base_url)
    guide = page.get_by_test_id("guide")
    guide.wait_for(state="visible", timeout=10_000)
    assert "confident" in guide.inner_text().lower()
    assert page.get_by_test_id("tour-start").is_disabled()
    page.get_by_test_id("guide-close").click()
    expect(guide).to_be_hidden()


def test_the_tile_legend_stays_in_view_while_the_tiles_scroll(ready):
    legend = ready.get_by_test_id("tile-legend")
    assert in_view(ready, legend)
    ready.locator("#tiles-scroll").evaluate("el => el.scrollTop = 2000")
    assert in_view(ready, legend)
    assert "label issue" in legend.inner_text() and "out of distribution" in legend.inner_text()


def test_the_popover_never_covers_the_actions(ready):
    ready.locator(f'#tiles button[data-i="{categorize().label_issues[0]}"]').click()
    actions = ready.locator("#detail .decide").bounding_box()
    pop = ready.get_by_test_id("popover")
    for item in ready.locator('[data-testid="label_issue-items"] button.pick').all()[:8]:
        item.hover()
        expect(pop).to_be_visible()
        box = pop.bounding_box()
        apart = (
            box["x"] + box["width"] <= actions["x"]
            or actions["x"] + actions["width"] <= box["x"]
            or box["y"] + box["height"] <= actions["y"]
            or actions["y"] + actions["height"] <= box["y"]
        )
        assert apart, (box, actions)


def test_the_popover_explains_the_image_under_the_pointer_and_never_changes_the_selection(ready):
    result = categorize()
    pinned, other = result.label_issues[0], result.ood[0]
    ready.locator(f'#tiles button[data-i="{pinned}"]').click()
    tile = ready.locator(f'#tiles button[data-i="{other}"]')
    tile.hover()
    pop = ready.get_by_test_id("popover")
    expect(pop).to_be_visible()
    assert pop.get_attribute("role") == "tooltip"
    assert ready.get_by_test_id("pop-id").inner_text() == demo().ids[other]
    assert "Out of distribution" in pop.inner_text() and "none of these classes" in pop.inner_text()
    box, tile_box = pop.bounding_box(), tile.bounding_box()
    assert abs(box["x"] - (tile_box["x"] + tile_box["width"])) < 40 or abs(box["x"] + box["width"] - tile_box["x"]) < 40
    assert ready.get_by_test_id("detail-id").inner_text() == demo().ids[pinned]  # the actions still name the pinned one
    assert demo().ids[pinned] in ready.get_by_test_id("accept").inner_text()
    assert ready.evaluate("document.activeElement.closest('#pop')") is None  # it never takes focus
    ready.mouse.move(700, 10)
    expect(pop).to_be_hidden()


def test_the_popover_follows_keyboard_focus_in_results_and_map(ready):
    result = categorize()
    first = ready.locator('[data-testid="label_issue-items"] button[data-i]').first
    first.focus()
    ready.keyboard.press("Tab")
    ready.keyboard.press("Shift+Tab")  # keyboard focus (:focus-visible)
    pop = ready.get_by_test_id("popover")
    expect(pop).to_be_visible()
    i = int(first.get_attribute("data-i"))
    assert ready.get_by_test_id("pop-id").inner_text() == demo().ids[i]
    assert first.get_attribute("aria-describedby") == "pop"
    ready.keyboard.press("Escape")
    expect(pop).to_be_hidden()
    ready.locator('[data-action="tab-center"][data-tab="scatter"]').click()
    expect(ready.get_by_test_id("map-legend")).to_be_visible()
    point = ready.locator(f'circle.pt[data-i="{result.label_issues[0]}"]')
    point.dispatch_event("mouseover")  # (points overlap: hovering by position may find a neighbour)
    expect(pop).to_be_visible()
    text = pop.inner_text()
    assert demo().ids[result.label_issues[0]] in text and "suggested" in text and "Label issue" in text
    point.dispatch_event("click")
    assert ready.locator("g.chosen").count() == 1  # the selection is marked on the map


@pytest.mark.parametrize("width, height", [(1440, 900), (1024, 768)])
def test_the_pinned_panel_and_its_actions_are_in_view_without_scrolling(page, base_url, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(base_url)
    wait_until_started(page)
    i = categorize().label_issues[0]
    page.locator(f'#tiles button[data-i="{i}"]').click()
    for testid in ("detail-id", "accept", "keep", "exclude"):
        assert in_view(page, page.get_by_test_id(testid)), testid
    page.mouse.wheel(0, 1500)  # the page scrolls (1024x768): the panel stays with the dataset
    page.wait_for_timeout(200)
    for testid in ("detail-id", "accept"):
        assert in_view(page, page.get_by_test_id(testid)), testid


def test_on_a_phone_selecting_an_image_opens_its_details_in_view(page, base_url):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base_url)
    wait_until_started(page)
    i = categorize().label_issues[0]
    page.locator(f'#tiles button[data-i="{i}"]').click()
    for testid in ("detail-id", "explanation", "accept"):
        assert in_view(page, page.get_by_test_id(testid)), testid
    page.get_by_test_id("sheet-close").click()
    assert not in_view(page, page.get_by_test_id("accept"))
    assert page.get_by_test_id("detail-id").inner_text() == demo().ids[i]  # still selected


def test_no_truncated_label_names_and_no_shift_from_the_out_of_date_note(ready):
    widths = ready.locator("#tiles select").evaluate_all("els => els.map(e => e.scrollWidth <= e.clientWidth + 1)")
    assert all(widths)
    before = ready.locator("main#app").bounding_box()["y"]
    ready.locator('select[data-action="relabel"][data-i="0"]').select_option(str((demo().given[0] + 1) % 3))
    expect(ready.get_by_test_id("stale")).to_be_visible()
    assert ready.locator("main#app").bounding_box()["y"] == before


def test_engine_settings_train_with_them_and_are_kept_in_the_link_and_the_audit(ready):
    ready.get_by_test_id("engine-settings").click()
    c = ready.get_by_test_id("engine-C")
    assert c.input_value() == "1"
    c.fill("3")
    c.press("Tab")
    expect(ready.get_by_test_id("engine-changed")).to_be_visible()
    run = ready.get_by_test_id("run")
    expect(run).to_be_enabled()
    run.click()
    ready.locator('body[data-state="ready"]').wait_for(state="attached")
    expect(ready.get_by_test_id("engine")).to_contain_text("C=3", timeout=60_000)
    expect(ready).to_have_url(re.compile(r"#.*C=3"))
    assert_counts_match = categorize  # the same engine under CPython, with C=3
    from cleanlens.confident import ConfidentLearning
    from cleanlens.crossval import out_of_sample_probabilities

    data = demo()
    probs = out_of_sample_probabilities(data.features, data.given, 3, engine="builtin", C=3.0).probabilities
    expected = ConfidentLearning(data.given, probs, 3).categorize(50, 15)
    assert ready.get_by_test_id("count-label-issues").inner_text() == str(expected.counts["label_issue"])
    del assert_counts_match
    with ready.expect_download() as download:
        ready.get_by_test_id("export-audit").click()
    audit = download.value.path().read_text()
    assert '"C": 3.0' in audit and '"folds": 5' in audit


def test_a_bad_engine_setting_is_explained_and_not_used(ready):
    ready.get_by_test_id("engine-settings").click()
    folds = ready.get_by_test_id("engine-folds")
    folds.fill("1")
    folds.press("Tab")
    assert "between 2 and 10" in ready.locator("#engine-message").inner_text()
    assert ready.get_by_test_id("run").is_disabled()


def test_dragging_files_over_the_page_shows_the_drop_zone(ready):
    ready.evaluate("""() => {
        const data = new DataTransfer();
        data.items.add(new File(["a"], "x.csv"));
        document.body.dispatchEvent(new DragEvent("dragover", {dataTransfer: data, bubbles: true, cancelable: true}));
    }""")
    expect(ready.locator(".dropzone")).to_be_visible()
    ready.evaluate(
        """() => document.body.dispatchEvent(new DragEvent("dragleave", {bubbles: true, relatedTarget: null}))"""
    )
    expect(ready.locator(".dropzone")).to_be_hidden()


def test_features_without_a_layout_get_a_pca_map(ready):
    from .test_own_data import embeddings_csv, load

    load(ready, [("emb.csv", embeddings_csv())])
    ready.get_by_test_id("byo").wait_for(state="hidden", timeout=60_000)
    wait_for_results(ready)
    ready.locator('[data-action="tab-center"][data-tab="scatter"]').click()
    expect(ready.locator("svg.scatter circle.pt").first).to_be_attached(timeout=30_000)
    assert "principal components" in ready.locator(".map-what").inner_text()
