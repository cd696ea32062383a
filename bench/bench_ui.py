"""Interaction benchmark: slider moves and relabel+train in headless Chromium.

    python build.py bench ui [--runs 5] [--moves 100]

Slider: in the page, the class-percentile input is set to a new value and an
`input` event dispatched (what a key press on a focused range input does),
sweeping 0..100 and back; per move we record the time until the handler has
updated every panel (it runs synchronously inside dispatchEvent) and until the
next frame has been painted. Train: one image is relabelled, then the Train
button clicked; the time until <body data-state> is back to `ready` with the
new results. Each run is a fresh page in a fresh profile; medians and
min–max over runs; p95 over all slider moves. No assertions.
"""

import argparse
import statistics
import sys
import time

from browser import SLIDER_STEPS, build, fresh_context, percentile, served, wait_until_started
from playwright.sync_api import sync_playwright

RELABEL_AND_TRAIN = """async () => {
  const select = document.querySelector('#tiles select[data-action="relabel"]');
  select.value = String((+select.value + 1) % select.options.length);
  select.dispatchEvent(new Event('change', {bubbles: true}));
  const t0 = performance.now();
  document.querySelector('[data-testid="run"]').click();
  await new Promise((resolve) => {
    const check = () => document.body.dataset.state === 'ready' && !document.querySelector('[data-testid=stale]')
      ? resolve() : setTimeout(check, 5);
    check();
  });
  return performance.now() - t0;
}"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--moves", type=int, default=100)
    args = parser.parse_args(argv)
    handler, painted, train = [], [], []
    with sync_playwright() as playwright, served(build.DIST) as url:
        for _ in range(args.runs):
            with fresh_context(playwright) as context:
                page = context.new_page()
                page.goto(url)
                wait_until_started(page, timeout=120_000)
                values = [m % 100 if m % 200 < 100 else 100 - m % 100 for m in range(args.moves)]  # 0..100 and back
                sweep = page.evaluate(SLIDER_STEPS, values)
                handler += sweep["handler"]
                painted += sweep["painted"]
                train.append(page.evaluate(RELABEL_AND_TRAIN) / 1000)
    print(
        f"# UI interactions, {time.strftime('%Y-%m-%d')}, headless Chromium 1440x900, {args.runs} runs "
        f"x {args.moves} slider moves"
    )
    print(
        f"slider move -> handler done (ms):   median {statistics.median(handler):6.1f}  p95 "
        f"{percentile(handler, 95):6.1f}  max {max(handler):6.1f}"
    )
    print(
        f"slider move -> next frame (ms):     median {statistics.median(painted):6.1f}  p95 "
        f"{percentile(painted, 95):6.1f}  max {max(painted):6.1f}"
    )
    print(
        f"relabel + Train -> results (s):     median {statistics.median(train):6.2f}  "
        f"({min(train):.2f}–{max(train):.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
