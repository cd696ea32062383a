"""axe-core finds no serious or critical accessibility violations, in both themes."""

import pytest

import build

from .conftest import wait_until_started

AXE = build.ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("tab", ["joint", "scatter", "table", "sweep"])
def test_no_serious_violations(page, base_url, scheme, tab):
    if not AXE.exists():
        pytest.fail("node_modules/axe-core is missing: run `npm ci` (python build.py test does it)")
    page.emulate_media(color_scheme=scheme)
    page.goto(base_url)
    assert wait_until_started(page) == "ready"
    page.locator(f'[data-action="tab-center"][data-tab="{tab}"]').click()
    page.locator("#tiles button[data-i]").first.focus()  # fill the detail panel too
    page.evaluate(AXE.read_text())  # not add_script_tag: the page's CSP blocks inline scripts
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:5]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
