"""Take the README's screenshots of the built site (dist/) in headless Chromium.

    python tools/screenshots.py [--out docs]

Light and dark at 1440x900, 1024x768 and a phone width (390x844), each after
the first results, with a flagged image selected and another one pointed at
(so the Why? panel and the popover explainer show; on the phone, the details
sheet); plus, at 1440x900 and on the phone, the tour's step on the tile marks
(``-tour``) and, at 1440x900, the Map and Threshold sweep tabs.
"""

import argparse
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

import build  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, wait_until_started  # noqa: E402

SIZES = [(w, h, scheme) for w, h in ((1440, 900), (1024, 768), (390, 844)) for scheme in ("light", "dark")]


def shoot(page, path):
    page.screenshot(path=str(path))
    print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if not (build.DIST / "index.html").exists():
        build.dist()
    server = build.make_server(build.DIST)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width, height, scheme in SIZES:
            context = browser.new_context(
                viewport={"width": width, "height": height}, color_scheme=scheme, service_workers="block"
            )
            context.add_init_script("localStorage.setItem('cleanlens-guide-seen', '1')")
            page = context.new_page()
            page.goto(url)
            wait_until_started(page)
            issues = page.locator('#tiles > li[data-cat="label_issue"] button.pick')
            issues.first.click()
            if width > 760:
                page.locator('#tiles > li[data-cat="ood"] button.pick').first.hover()
            else:
                page.mouse.move(0, 0)
            page.wait_for_timeout(300)
            shoot(page, out / f"cleanlens-{width}x{height}-{scheme}.png")
            if width > 760:
                page.mouse.move(width // 2, 5)
            if scheme == "light" and width != 1024:
                if width < 760:
                    page.get_by_test_id("sheet-close").click()
                page.get_by_test_id("guide-open").click()
                page.get_by_test_id("tour-start").click()
                page.keyboard.press("ArrowRight")
                page.wait_for_timeout(300)
                shoot(page, out / f"cleanlens-{width}x{height}-{scheme}-tour.png")
                page.keyboard.press("Escape")
            if scheme == "light" and width == 1440:
                for tab in ("scatter", "sweep"):
                    page.locator(f'[data-action="tab-center"][data-tab="{tab}"]').click()
                    page.wait_for_timeout(200)
                    shoot(page, out / f"cleanlens-{width}x{height}-{scheme}-{tab}.png")
            context.close()
        browser.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
