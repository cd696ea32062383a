"""The page starts from local files only, renders what Python computed, and reports failures."""

import os
from pathlib import Path

from cleanlens.dataset import load_dataset
from cleanlens.web import DEMO_DATASET

from .conftest import serve, wait_until_started

ROOT = Path(__file__).resolve().parents[2]


def test_reaches_ready_and_renders_class_counts(page, base_url):
    page.goto(base_url)
    assert wait_until_started(page) == "ready"
    dataset = load_dataset(ROOT / DEMO_DATASET)
    for k, count in enumerate(dataset.class_counts()):
        assert page.get_by_test_id(f"class-count-{k}").inner_text() == str(count)
    assert page.get_by_test_id("total-count").inner_text() == str(len(dataset))
    assert not page.locator("#error").is_visible()


def test_shows_the_stage_while_loading(page, base_url):
    stages = []
    page.expose_function("recordStage", lambda text: stages.append(text))
    page.add_init_script("""
        new MutationObserver(() => {
            const el = document.getElementById('stage');
            if (el) window.recordStage(el.textContent);
        }).observe(document, {subtree: true, childList: true, characterData: true});
    """)
    response = page.goto(base_url)
    wait_until_started(page)
    assert 'data-testid="stage">Starting Python…<' in response.text()
    assert "Loading data…" in stages


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
    page.route(f"**/{DEMO_DATASET}", lambda route: route.fulfill(status=200, body='{"classes": [', content_type="application/json"))
    page.goto(base_url)
    assert wait_until_started(page) == "error"
    panel = page.locator("#error")
    assert panel.is_visible()
    message = page.get_by_test_id("error-message").inner_text()
    assert name in message and "not valid JSON" in message
    assert not page.locator("#status").is_visible()


def test_missing_runtime_file_shows_the_error_panel(page, base_url, console_errors):
    page.route("**/wheels/*.whl", lambda route: route.fulfill(status=404, body="gone"))
    page.goto(base_url)
    assert wait_until_started(page) == "error"
    assert page.locator("#error").is_visible()
    assert page.get_by_test_id("error-message").inner_text().strip() != ""
