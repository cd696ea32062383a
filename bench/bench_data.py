"""Your own data in the page: load time, slider steps, longest task and memory, by size and format.

    python build.py bench data [--runs 5] [--moves 60] [--sites dist,OTHER_DIST] [--cases 1797-npy,...]

For each case (files made as users make them: ``tests/e2e/userfiles.py``)
and each run, a fresh Chromium profile opens the site, waits for the demo,
then loads the files through "Your data" and measures, in the page:

- **load**: from the Load click to the last change of the category counts
  (the results shown; training included for features);
- **longest task**: the longest main-thread task (Long Tasks API: only tasks
  over 50 ms are reported, so "<50" means none) from the click to the results;
- **slider**: ``--moves`` class-slider steps (value set, ``input`` event, as a
  key press does): until the handler has updated every panel, and until the
  next frame has been painted; medians and p95 over all steps of all runs;
- **wasm MB**: the size of Python's memory after the load
  (``window.cleanlensWasmBytes()``; it never shrinks);
- **saving**: the session saved after one relabel, and after "Accept all"
  (milliseconds to write it to IndexedDB, and its size), and the user's files
  stored once at load (``window.cleanlensTimings()``).

With several ``--sites`` (e.g. the site built from an older commit) every
run visits each site in turn, so the columns are measured side by side.
Medians (min–max) over runs; no assertions.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from browser import ROOT, SLIDER_STEPS, fresh_context, percentile, served, wait_until_started
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(ROOT / "py"))

from tests.e2e.userfiles import demo_schema, digits, features_csv, npy_pair, probabilities_csv, synthetic  # noqa: E402


def cases():
    """name -> (function returning the files, mode, number of items)."""

    def digits_npy():
        _, labels, probs = digits()
        return npy_pair(labels, probs)

    def digits_csv():
        _, labels, probs = digits()
        return probabilities_csv(labels, probs)

    def probs(n, k, fmt):
        def make():
            labels, p = synthetic(n, k, seed=n + k)
            return npy_pair(labels, p) if fmt == "npy" else probabilities_csv(labels, p)

        return make

    def features(n):
        def make():
            import numpy as np  # noqa: PLC0415

            rng = np.random.default_rng(n)
            centres = rng.normal(size=(3, 32)) * 2
            y = rng.integers(0, 3, n)
            return features_csv(centres[y] + rng.normal(size=(n, 32)), y)

        return make

    return {
        "1797-npy": (digits_npy, "auto", 1797),
        "1797-csv": (digits_csv, "auto", 1797),
        "10000-npy": (probs(10_000, 10, "npy"), "auto", 10_000),
        "10000-csv": (probs(10_000, 10, "csv"), "auto", 10_000),
        "10000x50-csv": (probs(10_000, 50, "csv"), "auto", 10_000),
        "100000-csv": (probs(100_000, 10, "csv"), "auto", 100_000),
        "100000-npy": (probs(100_000, 10, "npy"), "auto", 100_000),
        "features-2000": (features(2000), "embeddings", 2000),
        "json-2000": (lambda: [("mine.json", demo_schema(2000))], "auto", 2000),
    }


OBSERVE = """
window.__long = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push([e.startTime, e.duration]); })
  .observe({type: "longtask", buffered: true});
window.__countChanged = 0;
new MutationObserver(() => {
  const el = document.querySelector('[data-testid="count-correct"]');
  if (el && /^[0-9]+$/.test(el.textContent)) window.__countChanged = performance.now();
}).observe(document, {subtree: true, childList: true, characterData: true});
document.addEventListener("click", (e) => {
  if (e.target.closest && e.target.closest('[data-testid="byo-load"]')) window.__clicked = performance.now();
}, true);
"""


def measure(playwright, url, files, mode, n, moves):
    """One run of one case on one site: a dict of measurements, or {"failed": reason}."""
    with fresh_context(playwright, [OBSERVE]) as context:
        page = context.new_page()
        page.goto(url)
        wait_until_started(page, timeout=180_000)
        page.get_by_test_id("byo-open").click()
        page.get_by_test_id(f"byo-mode-{mode}").check()
        page.get_by_test_id("byo-files").set_input_files([str(f) for f in files])
        page.get_by_test_id("byo-load").click()
        try:
            page.locator(f'#tiles > li[data-i="{n - 1}"], [data-testid="byo-error"]').first.wait_for(
                state="attached", timeout=5_000
            )
        except Exception:  # noqa: BLE001 (a virtual grid does not draw the last tile)
            pass
        try:
            page.get_by_test_id("byo").wait_for(state="hidden", timeout=300_000)
            page.wait_for_function(
                "() => document.body.dataset.state === 'ready' && "
                "/^[0-9]+$/.test(document.querySelector('[data-testid=count-correct]').textContent)"
                f" && document.body.innerText.includes('{n:,}')",
                timeout=300_000,
            )
        except Exception as exc:  # noqa: BLE001
            return {"failed": type(exc).__name__}
        time.sleep(0.5)
        clicked, shown = page.evaluate("[window.__clicked, window.__countChanged]")
        longest = max((d for s, d in page.evaluate("window.__long") if clicked <= s <= shown), default=0.0)
        wasm = page.evaluate("window.cleanlensWasmBytes ? window.cleanlensWasmBytes() : null")
        slider = page.evaluate(SLIDER_STEPS, [30 + m % 40 for m in range(moves)])
        out = {
            "load": (shown - clicked) / 1000,
            "longest": longest,
            "wasm": wasm / 2**20 if wasm else None,
            "handler": slider["handler"],
            "painted": slider["painted"],
        }
        if page.evaluate("!!window.cleanlensTimings"):
            saved = page.locator("body[data-saved]:not([data-save-pending])")
            page.locator('#tiles select[data-action="relabel"]').first.select_option(index=1)
            saved.wait_for(state="attached", timeout=60_000)
            timings = json.loads(page.evaluate("window.cleanlensTimings()"))
            out["save"], out["files"] = timings.get("session"), timings.get("files")
            accept = page.get_by_test_id("accept-all")
            if accept.count():
                accept.click()
                saved.wait_for(state="attached", timeout=60_000)
                out["save_all"] = json.loads(page.evaluate("window.cleanlensTimings()")).get("session")
        return out


def _write(runs, what):
    """Median milliseconds and size of a storage write over runs, e.g. "3.1 ms, 1.2 kB" (or "–")."""
    values = [r[what] for r in runs if r.get(what)]
    if not values:
        return "–"
    return f"{statistics.median(v[0] for v in values):.1f} ms, {statistics.median(v[1] for v in values) / 1000:.1f} kB"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--moves", type=int, default=60)
    parser.add_argument("--sites", default=str(ROOT / "dist"), help="comma-separated built sites (default: dist/)")
    parser.add_argument("--cases", default=",".join(cases()), help="comma-separated case names")
    args = parser.parse_args(argv)
    sites = [Path(s) for s in args.sites.split(",")]
    chosen = {name: cases()[name] for name in args.cases.split(",")}
    results = {(name, str(site)): [] for name in chosen for site in sites}
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        paths = {}
        for name, (make, _, _) in chosen.items():
            paths[name] = []
            for file_name, data in make():
                path = Path(folder) / name / file_name
                path.parent.mkdir(exist_ok=True)
                path.write_bytes(data)
                paths[name].append(path)
        for _ in range(args.runs):
            for name, (_, mode, n) in chosen.items():
                for site in sites:
                    with served(site) as url:
                        results[(name, str(site))].append(measure(playwright, url, paths[name], mode, n, args.moves))
    print(
        f"# your data in the page, {time.strftime('%Y-%m-%d')}, headless Chromium 1440x900, {args.runs} runs, "
        f"{args.moves} slider steps per run; medians (min–max); slider p50/p95 over all steps"
    )
    print(
        f"{'case':14} {'site':28} {'load s':>18} {'longest task ms':>20} {'slider handler ms':>18} "
        f"{'slider painted ms':>18} {'wasm MB':>8}  save after 1 relabel / after Accept all / files (ms, kB)"
    )
    for (name, site), runs in results.items():
        ok = [r for r in runs if "failed" not in r]
        label = Path(site).parent.name + "/" + Path(site).name
        if not ok:
            print(f"{name:14} {label:28} failed: {runs[0]['failed']}")
            continue

        def spread(values, fmt="{:.2f}"):
            return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"

        handler = [x for r in ok for x in r["handler"]]
        painted = [x for r in ok for x in r["painted"]]
        longest = [r["longest"] for r in ok]
        wasm = [r["wasm"] for r in ok if r["wasm"]]
        print(
            f"{name:14} {label:28} {spread([r['load'] for r in ok]):>18} "
            f"{(spread(longest, '{:.0f}') if max(longest) else '<50'):>20} "
            f"{statistics.median(handler):6.1f} / {percentile(handler, 95):6.1f}   "
            f"{statistics.median(painted):6.1f} / {percentile(painted, 95):6.1f}   "
            f"{statistics.median(wasm) if wasm else float('nan'):8.0f}  "
            + " / ".join(_write(ok, what) for what in ("save", "save_all", "files"))
            + (f"  ({len(runs) - len(ok)} failed)" if len(ok) < len(runs) else "")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
