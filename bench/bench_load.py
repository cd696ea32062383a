"""Page load benchmark: cold and warm load of built sites in headless Chromium, with a trace of the stages.

    python build.py bench load [--runs 5] [--sites dist,OTHER_DIST]

Each cold run starts Chromium with a new, empty profile (nothing cached) and
loads the site from a local static server; the warm run then reloads the same
page in that profile. With several sites, each run visits every site in turn
(side by side). Reported, in seconds from navigation start (medians, min–max):

- ``first paint`` (first contentful paint) and ``painted`` (the largest
  contentful paint before Python replaced the markup: the pre-rendered grid,
  controls and, since they are pre-rendered too, the demo's results);
- ``runtime fetched``: the Pyodide files (``pyodide.asm.js``/``.wasm``,
  ``python_stdlib.zip``) and our package all received (resource timing);
- the page's own marks: ``python`` (Python runs: the runtime compiled and
  started, our package unpacked), ``imported`` (our package imported),
  ``data`` (the data loaded), ``live`` (the controls work), ``trained`` (the
  in-browser training done);
- each ``<body data-state>``: ``ready`` is the first results trained here;
- bytes transferred (CDP Network.loadingFinished encodedDataLength: on the
  wire, 0 when served from the browser cache) and requests (how many finished
  loading by ``ready``, from the cache or not).

A site built before the marks existed reports only what it has. No assertions.
"""

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

from browser import build, fresh_context, served, wait_until_started
from playwright.sync_api import sync_playwright

RECORD_STATES = (
    """
window.__states = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) """
    """if (e.name === "first-contentful-paint") window.__states.push(["first paint", e.startTime]);
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
)

TRACE = (
    """() => {
  const out = {};
  for (const m of performance.getEntriesByType("mark")) """
    """if (m.name.startsWith("cleanlens:")) out[m.name.slice(10)] = m.startTime;
  const runtime = performance.getEntriesByType("resource").filter((r) =>
    /pyodide\\.asm\\.(m?js|wasm)$|python_stdlib\\.zip$|cleanlens-[^/]*\\.whl$/.test(r.name));
  if (runtime.length) out["runtime fetched"] = Math.max(...runtime.map((r) => r.responseEnd));
  return out;
}"""
)
STAGES = ("first paint", "painted", "runtime fetched", "python", "imported", "data", "live", "trained", "ready")


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
    states.update(page.evaluate(TRACE))
    # The pre-rendered page's largest paint: the last candidate before Python replaced the markup
    # (at 'live', or the 'training' state on sites without the mark); later ones repaint the same content.
    replaced = states.get("live", states.get("training", float("inf")))
    before = [t for t in page.evaluate("window.__lcps") if t < replaced]
    if before:
        states["painted"] = max(before)
    return states, (sum(transferred), len(transferred))


def run(runs, sites=(build.DIST,)):
    """``{site: (cold runs, warm runs)}``, every run visiting each site in turn."""
    results = {str(site): ([], []) for site in sites}
    with sync_playwright() as playwright:
        for _ in range(runs):
            for site in sites:
                with served(site) as url, fresh_context(playwright, [RECORD_STATES]) as context:
                    page = context.new_page()
                    cdp = context.new_cdp_session(page)
                    cdp.send("Network.enable")
                    cold, warm = results[str(site)]
                    cold.append(load_once(page, cdp, url))
                    warm.append(load_once(page, cdp, url, reload=True))
    return results


def summary(values):
    return f"{statistics.median(values):8.2f} ({min(values):.2f}–{max(values):.2f})"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sites", default=str(build.DIST), help="comma-separated built sites (default: dist/)")
    args = parser.parse_args(argv)
    sites = [Path(s) for s in args.sites.split(",")]
    results = run(args.runs, sites)
    print(
        f"# page load, {time.strftime('%Y-%m-%d')}, {platform.machine()} {platform.processor() or ''}, "
        f"headless Chromium, {args.runs} runs, fresh profile per cold run; seconds from navigation start"
    )
    for site, (cold, warm) in results.items():
        label = Path(site).parent.name + "/" + Path(site).name
        print(f"\n## {label}")
        print(f"{'run':6} {'event':16} {'seconds median (min–max)':>28} {'MB transferred median (min–max)':>34}")
        for name, runs in (("cold", cold), ("warm", warm)):
            events = [e for e in STAGES + ("training",) if any(e in r for r, _ in runs)]
            mb = [b / 1e6 for _, (b, _n) in runs]
            for event in sorted(events, key=lambda e: statistics.median(r[e] for r, _ in runs if e in r)):
                secs = [r[event] / 1000 for r, _ in runs if event in r]
                print(f"{name:6} {event:16} {summary(secs):>28} {summary(mb):>34}")
            print(f"{name:6} {'requests':16} {summary([n for _, (_b, n) in runs]):>28}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
