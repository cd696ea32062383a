"""After one visit the service worker serves the whole site: it loads and trains with the network off."""

import shutil

from playwright.sync_api import expect

import build

from .conftest import wait_until_started


def test_reload_offline_reaches_ready_and_trains(browser, base_url, watch):
    context = browser.new_context(service_workers="allow")
    context.add_init_script("localStorage.setItem('cleanlens-guide-seen', '1')")
    context.route("**/*", watch.route)
    page = context.new_page()
    page.on("pageerror", lambda exc: watch.console_errors.append(str(exc)))
    page.goto(base_url)
    assert wait_until_started(page) == "ready"
    # wait until the worker has installed (every file cached) and controls the page
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    assert wait_until_started(page) == "ready"
    assert page.evaluate("!!navigator.serviceWorker.controller")

    context.set_offline(True)
    page.reload()
    assert wait_until_started(page) == "ready"
    page.get_by_test_id("reseed").click()
    expect(page.get_by_test_id("engine")).to_contain_text("seed 1", timeout=60_000)
    assert page.locator("#error").is_hidden()
    # the standard library on demand comes from the worker too (Playwright's routing, which sends a synchronous
    # request to the network before the worker sees it, is lifted for this: the request stays on the origin)
    context.unroute("**/*")
    assert page.evaluate("window.cleanlensImport('colorsys')") > 0
    context.close()
    assert watch.foreign_requests == []
    assert watch.console_errors == []


def test_cache_name_changes_with_the_site(site, tmp_path):
    first = (site / "sw.js").read_text()
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    (copy / "embeddings" / "extra.json").write_text("{}")
    build.write_service_worker(copy)
    second = (copy / "sw.js").read_text()
    version = lambda text: text.split('const VERSION = "', 1)[1].split('"', 1)[0]  # noqa: E731
    assert version(first) != version(second)
    assert '"./embeddings/extra.json"' in second and '"./embeddings/extra.json"' not in first
