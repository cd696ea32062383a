"""Cold start in Chromium, Firefox ESR and WebKitGTK, traced stage by stage.

    python build.py bench browsers [--runs 3] [--browsers chromium,firefox,webkit] [--site DIR ...] [--json FILE]

Each run starts the browser with a new, empty profile (nothing cached, service workers allowed,
as for a first-time visitor) and loads a copy of the built site with the test recorder
(tests/browsers/recorder.js) as its first script; runs are interleaved across browsers
(run 1 of each, then run 2, ...) so that a busy machine slows them alike; with several
--site, each browser loads each site in turn (an A/B comparison). The recorder's
marks (ms since navigation start) split the time to `ready` into consecutive stages:

    page        navigation -> PyScript asks Pyodide for the interpreter (HTML, PyScript, config, storage)
    fetch       -> pyodide.asm.wasm has arrived (pyodide.asm.mjs, the wasm; the stdlib zip in parallel)
    compile     -> WebAssembly.instantiateStreaming resolved (what compiling adds after the bytes arrived)
    python init -> Pyodide's loadPyodide resolved (CPython and Pyodide's own start-up)
    packages    -> py:ready (micropip loaded, our wheel installed)
    import      -> "Loading data..." (the page's script imported cleanlens.web.app)
    data        -> the tools are live (session storage opened, the demo fetched and parsed)
    render      -> <body data-state="training"> (the explorer rendered)
    train       -> <body data-state="ready"> (5-fold cross-validation)

Also `cpu`: the CPU time that the browser's processes (all descendants of this one) used from
its launch to `ready` — on a shared machine less sensitive to other work than the wall-clock
stages. Prints, per browser, the median and min-max of each; no assertions.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "py"))

from browser import browser_cpu  # noqa: E402

import build  # noqa: E402
from tests.browsers import browsers  # noqa: E402

STAGES = ("page", "fetch", "compile", "python init", "packages", "import", "data", "render", "train")
BROWSERS = ("chromium", "firefox", "webkit")
TIMEOUT = 300


def stages(record):
    """The stage durations (ms) and the time to ready from one page's recorder record."""
    marks = {}
    for mark in record["marks"]:
        marks.setdefault(mark[0], mark[1:])
    wasm = [r for r in record["resources"] if r[0].endswith("/pyodide.asm.wasm")]
    instantiate = marks.get("wasm instantiateStreaming") or marks.get("wasm instantiate")
    bounds = [
        0.0,
        marks["Loading interpreter"][0],
        wasm[0][2] if wasm else marks["Loading interpreter"][0],
        instantiate[1],
        marks["Loaded interpreter"][0],
        marks["py:ready"][0],
        marks["stage Loading data…"][0],
        marks["tools live"][0],
        marks["state training"][0],
        marks["state ready"][0],
    ]
    durations = dict(zip(STAGES, (b - a for a, b in zip(bounds, bounds[1:]))))
    durations["ready"] = bounds[-1]
    return durations


class Chromium:
    """Debian's Chromium through Playwright, with a fresh profile (the e2e suite's flags)."""

    name = "chromium"

    def __init__(self, playwright):
        from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

        self.profile = tempfile.TemporaryDirectory()
        self.context = playwright.chromium.launch_persistent_context(
            self.profile.name,
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            service_workers="allow",
            viewport={"width": browsers.WIDTH, "height": browsers.HEIGHT},
        )
        self.page = self.context.new_page()
        self.version = chromium_version()

    def goto(self, url):
        self.page.goto(url)

    def js(self, script, *args):
        return self.page.evaluate(f"(args) => (function () {{ {script} }}).apply(null, args)", list(args))

    wait = browsers.Browser.wait
    wait_started = browsers.Browser.wait_started
    record = browsers.Browser.record

    def quit(self):
        self.context.close()
        self.profile.cleanup()


def chromium_version():
    import subprocess

    out = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True).stdout
    return out.split()[1] if out else ""


def run(names, runs, sites):
    """{site: {browser: [stages of each run]}} and {browser: version}; every load in a fresh profile."""
    from playwright.sync_api import sync_playwright

    results = {site: {name: [] for name in names} for site in sites}
    versions = {}
    servers = {site: browsers.Server(site).start() for site in sites}
    try:
        with sync_playwright() as playwright:
            for number in range(runs):
                for name in names:
                    for site, server in servers.items():
                        cpu = browser_cpu()
                        browser = Chromium(playwright) if name == "chromium" else browsers.launch(name)
                        try:
                            versions[name] = browser.version
                            browser.goto(server.url)
                            state = browser.wait_started(TIMEOUT)
                            cpu = browser_cpu() - cpu
                            record = browser.record()
                        finally:
                            browser.quit()
                        label = f"{name} run {number + 1}" + (f" {site.name}" if len(sites) > 1 else "")
                        if state != "ready" or record["errors"]:
                            print(f"{label}: {state}, errors {record['errors']}", file=sys.stderr)
                            continue
                        durations = stages(record)
                        durations["cpu"] = cpu * 1000
                        results[site][name].append(durations)
                        print(
                            f"{label}: ready {durations['ready'] / 1000:.2f} s (load {os.getloadavg()[0]:.1f})",
                            file=sys.stderr,
                            flush=True,
                        )
    finally:
        for server in servers.values():
            server.stop()
    return results, versions


def summary(values):
    return f"{statistics.median(values):6.2f} ({min(values):.2f}–{max(values):.2f})"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--browsers", default=",".join(BROWSERS))
    parser.add_argument(
        "--site", type=Path, action="append", help="a built site (default: dist/); several: compared, loads interleaved"
    )
    parser.add_argument("--json", type=Path, help="also write every run's stages here")
    args = parser.parse_args(argv)
    names = [n for n in args.browsers.split(",") if n]
    for name in names:
        if name != "chromium" and browsers.missing(name):
            parser.error(browsers.missing(name))
    given = args.site or [build.DIST]
    if given == [build.DIST] and not (build.DIST / "index.html").exists():
        build.dist()
    with tempfile.TemporaryDirectory() as tmp:
        copies = {
            browsers.instrumented_site(site, Path(tmp) / f"{n}-{site.name}"): site for n, site in enumerate(given)
        }
        results, versions = run(names, args.runs, list(copies))
    results = {str(copies[copy]): by_browser for copy, by_browser in results.items()}
    if args.json:
        args.json.write_text(json.dumps({"versions": versions, "runs": results}, indent=1))
    for site, by_browser in results.items():
        print(
            f"# cold start of {site}, {time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, "
            f"{args.runs} runs per browser (interleaved), fresh profile per run; seconds, median (min–max)"
        )
        heads = [f"{n} {versions.get(n, '')}" for n in names]
        print(f"{'stage':12} " + " ".join(f"{h:>26}" for h in heads))
        for stage in (*STAGES, "ready", "cpu"):
            cells = [summary([r[stage] / 1000 for r in by_browser[n]]) if by_browser[n] else "—" for n in names]
            print(f"{stage:12} " + " ".join(f"{c:>26}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
