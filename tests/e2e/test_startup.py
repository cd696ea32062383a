"""The page starts from local files only, paints before Python is ready, and reports failures."""

import os

from cleanlens.web import DEMO_DATASET

from .conftest import serve, wait_until_started


def test_prerendered_page_paints_before_python(page, base_url):
    """The served HTML already holds the dataset tiles and the controls (disabled until Python runs)."""
    response = page.goto(base_url)
    html = response.text()
    assert 'data-testid="stage">These results were computed when this site was built' in html
    assert html.count('<li class="tile') > 0
    assert 'data-testid="class-percentile"' in html and 'data-testid="run"' in html
    assert wait_until_started(page) == "ready"


def test_shows_the_stage_while_loading(page, base_url):
    stages = []
    page.expose_function("recordStage", lambda text: stages.append(text))
    page.add_init_script("""
        new MutationObserver(() => {
            const el = document.getElementById('stage');
            if (el) window.recordStage(el.textContent);
        }).observe(document, {subtree: true, childList: true, characterData: true});
    """)
    page.goto(base_url)
    wait_until_started(page)
    assert "Loading data…" in stages
    assert any(s.startswith("Training") for s in stages)


def test_served_from_a_sub_path(browser, site, tmp_path, watch):
    (tmp_path / "cleanlens").symlink_to(site, target_is_directory=True)
    server = serve(tmp_path)
    try:
        context = browser.new_context(service_workers="block")
        context.route("**/*", watch.route)
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/cleanlens/")
        assert wait_until_started(page) == "ready"
        context.close()
    finally:
        server.shutdown()
    assert watch.foreign_requests == []


def test_corrupt_dataset_shows_the_error_panel(page, base_url, console_errors):
    name = os.path.basename(DEMO_DATASET)
    page.route(
        f"**/{DEMO_DATASET}",
        lambda route: route.fulfill(status=200, body='{"classes": [', content_type="application/json"),
    )
    page.goto(base_url)
    assert wait_until_started(page) == "error"
    assert page.locator("#error").is_visible()
    message = page.get_by_test_id("error-message").inner_text()
    assert name in message and "not valid JSON" in message
    assert not page.locator("#status").is_visible()


def test_missing_runtime_file_shows_the_error_panel(page, base_url, console_errors):
    page.route("**/wheels/*.whl", lambda route: route.fulfill(status=404, body="gone"))
    page.goto(base_url)
    assert wait_until_started(page) == "error"
    assert page.locator("#error").is_visible()
    assert page.get_by_test_id("error-message").inner_text().strip() != ""
