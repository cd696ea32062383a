"""Page load benchmark: cold and warm load of the built site in headless Chromium.

    python build.py bench load [--runs 5]

Each cold run starts Chromium with a new, empty profile (nothing cached) and
loads dist/ from a local static server; the warm run then reloads the same
page in that profile. Reported per run: time from navigation start to the first
contentful paint, "grid painted" (the largest contentful paint of the
pre-rendered dataset grid and controls, before Python replaces them), and
each <body data-state> value (performance.now()): `ready`
means the first results, auto-training included. And bytes transferred (CDP
Network.loadingFinished encodedDataLength, i.e. on the wire, 0 when served
from the browser cache). Prints medians and min–max; no assertions.
"""

import argparse
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, wait_until_started  # noqa: E402

RECORD_STATES = """
window.__states = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.name === "first-contentful-paint") window.__states.push(["first paint", e.startTime]);
}).observe({type: "paint", buffered: true});
window.__lcps = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__lcps.push(e.startTime);
}).observe({type: "largest-contentful-paint", buffered: true});
new MutationObserver(() => {
  const s = document.body && document.body.dataset.state;
  const last = window.__states[window.__states.length - 1];
  if (s && (!last || last[0] !== s)) window.__states.push([s, performance.now()]);
}).observe(document, {subtree: true, attributes: true, attributeFilter: ["data-state"], childList: true});
"""


def load_once(page, cdp, url, reload=False):
    transferred = []
    cdp.on("Network.loadingFinished", lambda event: transferred.append(event["encodedDataLength"]))
    if reload:
        page.reload()
    else:
        page.goto(url)
    wait_until_started(page, timeout=120_000)
    time.sleep(0.2)  # let late loadingFinished events arrive
    states = dict(page.evaluate("window.__states"))
    states.pop("loading", None)
    # The pre-rendered grid's largest paint: the last candidate before Python replaced the markup
    # (at the 'training' state); later candidates are the live re-render of the same content.
    before = [t for t in page.evaluate("window.__lcps") if t < states.get("training", float("inf"))]
    if before:
        states["grid painted"] = max(before)
    return states, sum(transferred)


def run(runs, site=build.DIST):
    if not (site / "index.html").exists():
        build.dist()
    server = build.make_server(site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    cold, warm = [], []
    with sync_playwright() as playwright:
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as profile:
                context = playwright.chromium.launch_persistent_context(
                    profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, service_workers="block",
                    viewport={"width": 1440, "height": 900})
                context.add_init_script(RECORD_STATES)
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cold.append(load_once(page, cdp, url))
                warm.append(load_once(page, cdp, url, reload=True))
                context.close()
    server.shutdown()
    return cold, warm


def summary(values):
    return f"{statistics.median(values):8.2f} ({min(values):.2f}–{max(values):.2f})"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    cold, warm = run(args.runs)
    print(f"# page load, {time.strftime('%Y-%m-%d')}, {platform.machine()} {platform.processor() or ''}, "
          f"headless Chromium, {args.runs} runs, fresh profile per cold run")
    print(f"{'run':6} {'event':14} {'seconds median (min–max)':>28} {'MB transferred median (min–max)':>34}")
    for name, results in (("cold", cold), ("warm", warm)):
        states = sorted({s for r, _ in results for s in r}, key=lambda s: results[0][0].get(s, 0))
        mb = [b / 1e6 for _, b in results]
        for s in states:
            secs = [r[s] / 1000 for r, _ in results if s in r]
            print(f"{name:6} {s:14} {summary(secs):>28} {summary(mb):>34}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
