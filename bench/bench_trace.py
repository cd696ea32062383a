"""Where a slider step's time goes in the browser: a Chromium trace of class-slider steps on the demo.

    python build.py bench trace [--runs 3] [--steps 40] [--sites dist,OTHER_DIST]

Per site and run, a fresh profile opens the demo, moves the class slider a few steps (warming up), then
records a Chromium trace (the DevTools timeline categories) over ``--steps`` more steps, each followed by
the next painted frame (as ``bench ui`` does). From the trace's main thread it reports, per step: the
handler (script), style recalculation (and how many elements it restyled), layout, pre-paint and paint,
and the step's time to the next painted frame. With several ``--sites`` each run visits each site in turn,
so the columns are measured side by side. Medians over runs; no assertions.
"""

import argparse
import collections
import statistics
import sys
import time
from pathlib import Path

from browser import SLIDER_STEPS, fresh_context, served, wait_until_started
from playwright.sync_api import sync_playwright

PHASES = ("EventDispatch", "UpdateLayoutTree", "Layout", "PrePaint", "Paint", "Layerize")
CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink"]


def trace_steps(context, page, values):
    """Trace the slider steps ``values`` in ``page``: ``({phase: ms per step}, restyled elements per step,
    painted ms per step)``."""
    cdp = context.new_cdp_session(page)
    events, done = [], []
    cdp.on("Tracing.dataCollected", lambda e: events.extend(e["value"]))
    cdp.on("Tracing.tracingComplete", lambda e: done.append(1))
    cdp.send("Tracing.start", {"traceConfig": {"includedCategories": CATEGORIES}, "transferMode": "ReportEvents"})
    sweep = page.evaluate(SLIDER_STEPS, values)
    cdp.send("Tracing.end")
    while not done:
        page.wait_for_timeout(50)
    main = collections.Counter(e.get("tid") for e in events if e.get("name") == "UpdateLayoutTree")
    tid = main.most_common(1)[0][0] if main else None
    totals, restyled = collections.Counter(), []
    for event in events:
        if event.get("ph") == "X" and event.get("tid") == tid and event.get("name") in PHASES:
            totals[event["name"]] += event.get("dur", 0) / 1000
            if event["name"] == "UpdateLayoutTree":
                restyled.append(event.get("args", {}).get("elementCount", 0))
    per_step = {phase: totals[phase] / len(values) for phase in PHASES}
    return per_step, sum(restyled) / len(values), statistics.median(sweep["painted"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--sites", default="dist", help="comma-separated built sites (default: dist)")
    args = parser.parse_args(argv)
    sites = [Path(s) if s != "dist" else Path(__file__).resolve().parents[1] / "dist" for s in args.sites.split(",")]
    results = {site: [] for site in sites}
    values = [10 + m % 60 for m in range(args.steps)]
    with sync_playwright() as playwright:
        for _ in range(args.runs):
            for site in sites:
                with served(site) as url, fresh_context(playwright) as context:
                    page = context.new_page()
                    page.goto(url)
                    wait_until_started(page, timeout=180_000)
                    page.evaluate(SLIDER_STEPS, [70, 71, 72, 73, 74])
                    results[site].append(trace_steps(context, page, values))
    print(
        f"# Slider step in a Chromium trace, {time.strftime('%Y-%m-%d')}, demo, 1440x900, {args.runs} runs x "
        f"{args.steps} steps; ms per step, medians over runs"
    )
    print("| site | " + " | ".join(PHASES) + " | elements restyled | step -> painted (median) |")
    print("| --- " * (len(PHASES) + 3) + "|")
    for site, runs in results.items():
        cells = [f"{statistics.median(r[0][phase] for r in runs):.2f}" for phase in PHASES]
        restyled = statistics.median(r[1] for r in runs)
        painted = statistics.median(r[2] for r in runs)
        print(f"| {site} | " + " | ".join(cells) + f" | {restyled:.0f} | {painted:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
