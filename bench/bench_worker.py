"""Training in the worker, in Chromium: its start, scikit-learn's load, training times and the page's main thread.

    python build.py bench worker [--runs 3] [--repeats 3] [--sizes 2000x32x3,10000x32x10,20000x32x5]
                                 [--sites dist,OTHER_DIST]

Each run opens the site in a fresh Chromium profile (nothing cached), waits for the demo's first results, then
for scikit-learn to be loaded into the training worker when the page is idle (the browser does not ask to save
data). Then, for each size ``NxDxK``, a features CSV of N rows, D features and K classes (Gaussian blobs, as
users' embeddings) goes through "Your data" and trains; "New seed" trains it ``--repeats - 1`` times more.
Reported, medians (min–max) over runs and repeats:

- **worker start**: the worker's own report, from its script's start to our package imported (Pyodide's
  files come from the browser's cache: the page fetched them);
- **stack load**: from the page's request to scikit-learn imported, of which the imports; MB fetched;
- per size: **engine s** (the cross-validation's computing time in the worker: the read-out's "trained here
  in"), **wall s** (``data-state`` training → ready: the page's copy of the features, the messages, the
  page's own analysis of the results), **longest task** on the page's main thread during the training (Long
  Tasks API: only tasks over 50 ms are reported, so "<50" means none) and **progress** (distinct stage texts
  the page showed during the training);
- **memory**: Python's memory in the page (``cleanlensWasmBytes``) and in the worker (its status) after the
  largest size.

With several ``--sites`` every run visits each in turn (side by side). No assertions.
"""

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from browser import ROOT, fresh_context, served, wait_until_started
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(ROOT / "py"))

from tests.e2e.userfiles import blobs, features_csv  # noqa: E402

OBSERVE = """
window.__long = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push([e.startTime, e.duration]); })
  .observe({type: "longtask", buffered: true});
window.__states = [];
window.__stages = [];
new MutationObserver(() => {
  const s = document.body && document.body.dataset.state;
  const last = window.__states[window.__states.length - 1];
  if (s && (!last || last[0] !== s)) window.__states.push([s, performance.now()]);
  const stage = document.getElementById("stage");
  const text = stage ? stage.textContent : "";
  const previous = window.__stages[window.__stages.length - 1];
  if (text && (!previous || previous[0] !== text)) window.__stages.push([text, performance.now()]);
}).observe(document, {subtree: true, attributes: true, childList: true, characterData: true});
"""
WORKER_STATUS = "JSON.parse(window.cleanlensWorkerStatus ? window.cleanlensWorkerStatus() : '{}')"


def stack_loaded(page, timeout=600):
    """Wait for scikit-learn in the worker; return the worker's status (or raise TimeoutError)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = page.evaluate(WORKER_STATUS)
        if status.get("stack") in ("ready", "failed") or status.get("state") == "failed":
            return status
        time.sleep(0.25)
    raise TimeoutError("scikit-learn was not loaded")


def train_once(page, n, action):
    """Run ``action()`` (a Load or a New seed click) and measure the training it starts."""
    before = len(page.evaluate("window.__states"))
    action()
    page.wait_for_function(
        f"() => window.__states.length > {before} && document.body.dataset.state === 'ready' && "
        f"/^{n:,} (items|images)$/.test(document.querySelector('#dataset-count').textContent.trim())",
        timeout=900_000,
    )
    states = page.evaluate("window.__states")[before:]
    starts = [t for s, t in states if s == "training"]
    start, end = (starts[0] if starts else states[0][1]), states[-1][1]
    computed = page.evaluate("performance.getEntriesByName('cleanlens:computed').map((m) => m.startTime)")
    computed = max([t for t in computed if start <= t <= end], default=end)
    engine = page.get_by_test_id("engine").inner_text()
    seconds = float(re.search(r"trained here in ([0-9.]+) s", engine).group(1))
    tasks = page.evaluate("window.__long")
    longest = max((d for s, d in tasks if start <= s and s + d <= computed), default=0.0)
    shown = max((d for s, d in tasks if computed <= s + d and s <= end), default=0.0)
    stages = {text for text, t in page.evaluate("window.__stages") if start <= t <= end}
    return {
        "engine": seconds,
        "wall": (end - start) / 1000,
        "longest": longest,
        "shown": shown,
        "progress": len(stages),
        "name": engine.split(" ·", 1)[0],
    }


def run_site(playwright, url, files, repeats):
    with fresh_context(playwright, [OBSERVE]) as context:
        page = context.new_page()
        page.goto(url)
        wait_until_started(page, timeout=180_000)
        asked = time.monotonic()
        status = stack_loaded(page)
        out = {
            "worker start": page.evaluate(WORKER_STATUS).get("start", None),
            "status": status,
            "stack wall": time.monotonic() - asked,
            "sizes": {},
        }
        for label, (path, n) in files.items():

            def load(path=path):
                page.get_by_test_id("byo-open").click()
                page.get_by_test_id("byo-mode-embeddings").check()
                page.get_by_test_id("byo-files").set_input_files([str(path)])
                page.get_by_test_id("byo-load").click()

            runs = [train_once(page, n, load)]
            for _ in range(repeats - 1):
                runs.append(train_once(page, n, lambda: page.get_by_test_id("reseed").click()))
            out["sizes"][label] = runs
        out["memory"] = (
            page.evaluate("window.cleanlensWasmBytes()") / 2**20,
            (page.evaluate(WORKER_STATUS).get("memory") or 0) / 2**20,
        )
        return out


def summary(values, fmt="{:.2f}"):
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3, help="trainings per size and run (New seed)")
    parser.add_argument("--sizes", default="2000x32x3,10000x32x10,20000x32x5", help="NxDxK, comma-separated")
    parser.add_argument("--sites", default=str(ROOT / "dist"), help="comma-separated built sites (default: dist/)")
    args = parser.parse_args(argv)
    sites = [Path(s) for s in args.sites.split(",")]
    results = {str(site): [] for site in sites}
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        files = {}
        for size in args.sizes.split(","):
            n, d, k = (int(x) for x in size.split("x"))
            X, labels, _ = blobs(n, d, k=k, seed=n + d + k)
            path = Path(folder) / f"features-{size}.csv"
            path.write_bytes(features_csv(X, labels)[0][1])
            files[size] = (path, n)
        for _ in range(args.runs):
            for site in sites:
                with served(site) as url:
                    results[str(site)].append(run_site(playwright, url, files, args.repeats))
    print(
        f"# training in the worker, {time.strftime('%Y-%m-%d')}, headless Chromium, {args.runs} runs x "
        f"{args.repeats} trainings per size; seconds, medians (min–max)"
    )
    for site, runs in results.items():
        print(f"\n## {Path(site).parent.name}/{Path(site).name}")
        status = [r["status"] for r in runs]
        print(f"worker start          {summary([s.get('start') for s in status])}")
        print(f"stack load (worker)   {summary([s.get('seconds') for s in status])}")
        print(f"  of which imports    {summary([s.get('imported') for s in status])}")
        print(f"stack load (page)     {summary([r['stack wall'] for r in runs])}")
        print(f"stack MB              {summary([s.get('loaded', 0) / 1e6 for s in status], '{:.1f}')}")
        print(
            f"{'size':14} {'engine':>26} {'engine s':>22} {'wall s':>22} {'longest task ms':>22} "
            f"{'showing it, ms':>22} {'progress':>10}"
        )
        for size in args.sizes.split(","):
            samples = [x for r in runs for x in r["sizes"][size]]
            names = sorted({x["name"] for x in samples})
            longest = [x["longest"] for x in samples]
            print(
                f"{size:14} {'/'.join(names):>26} {summary([x['engine'] for x in samples]):>22} "
                f"{summary([x['wall'] for x in samples]):>22} "
                f"{('<50' if max(longest) == 0 else summary(longest, '{:.0f}')):>22} "
                f"{summary([x['shown'] for x in samples], '{:.0f}'):>22} "
                f"{summary([x['progress'] for x in samples], '{:.0f}'):>10}"
            )
        memory = [r["memory"] for r in runs]
        print(
            f"memory MB after the largest: page {summary([m[0] for m in memory], '{:.0f}')}, "
            f"worker {summary([m[1] for m in memory], '{:.0f}')}"
        )
        print(json.dumps({"status": status[-1]}, default=str)[:300])
    return 0


if __name__ == "__main__":
    sys.exit(main())
