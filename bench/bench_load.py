"""Page load benchmark: a first visit (cold) and a return visit (warm, from the service worker) of built sites
in headless Chromium, on an emulated connection, served as GitHub Pages serves them.

    python build.py bench load [--net local|home|mobile] [--gzip] [--runs 5] [--sites dist,OTHER_DIST]

The sites are served by bench/static_server.mjs: HTTPS and HTTP/2 (as GitHub Pages), ``Cache-Control:
max-age=600``, and with ``--gzip`` ``Content-Encoding: gzip`` for what a CDN compresses. Which types GitHub
Pages compresses is not documented; assumed here (see static_server.mjs): HTML, CSS, JavaScript, JSON, SVG and
WebAssembly yes, archives (``.zip``, ``.whl``) and PNG no. The project's archives are deflated, so they are
small whichever way a server treats them.

``--net`` sets Chromium's network emulation (CDP ``Network.emulateNetworkConditions``): ``home`` is 20 Mbit/s
down, 40 ms latency; ``mobile`` 5 Mbit/s down, 150 ms; ``local`` none. Each cold run starts Chromium with a new,
empty profile (service workers blocked, so every request is seen); with several sites each run visits every
site in turn (interleaved), and the table shows medians (min–max). Then, once per run and site, a warm start:
a new profile with service workers allowed loads the page, waits until the service worker has cached the
site, and reloads. Reported, in seconds from navigation start:

- ``first paint`` (first contentful paint); ``results visible``: the largest contentful paint before Python
  replaced the markup (the pre-rendered results, thumbnails included);
- ``runtime downloaded``: static/boot.js's ``cleanlens:downloaded`` mark (every file of its plan is in);
  ``Python runs``: the page's ``cleanlens:python`` mark (Pyodide started, our package unpacked), and the
  time from one to the other (CPU: compiling the WebAssembly, starting Python);
- ``controls live``: the page's ``cleanlens:live`` mark (the sliders work); ``CPU to live``: the CPU time
  Chromium's processes used until then (less sensitive than wall-clock time to other work on a shared
  machine); ``ready``: trained here;
- bytes received before live (resource timing: the body as sent, gzip where the server compressed it, and
  the decoded body, "raw"), requests before live, and per file; URLs requested more than once (CDP
  ``Network.requestWillBeSent``): a preload the page did not reuse shows up there;
- ``import on demand``: after ready, how long importing a standard-library module that is not in the page's
  trimmed standard library takes (``window.cleanlensImport``, where the site has it);
- ``warm: live``, ``warm: ready``: the same marks on the reload served by the service worker.

A site built before a mark existed reports only what it has. No assertions.
"""

import argparse
import contextlib
import platform
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from browser import INSECURE_ARGS, browser_cpu, build, fresh_context, served_like_pages, wait_until_started
from playwright.sync_api import sync_playwright

NETWORKS = {  # name -> (download bytes/s, upload bytes/s, latency ms, description)
    "local": None,
    "home": (20e6 / 8, 5e6 / 8, 40, "20 Mbit/s down, 40 ms"),
    "mobile": (5e6 / 8, 1e6 / 8, 150, "5 Mbit/s down, 150 ms"),
}
PROBES = ("colorsys", "xml.dom.minidom", "difflib")
"""Standard-library modules the page never imports at start-up: imported on demand after ready."""

RECORD = """
window.__states = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries())
    if (e.name === "first-contentful-paint") window.__states.push(["first paint", e.startTime]);
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

MEASURE = """() => {
  const out = {marks: {}, files: []};
  for (const m of performance.getEntriesByType("mark"))
    if (m.name.startsWith("cleanlens:")) out.marks[m.name.slice(10)] = m.startTime;
  for (const r of [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")])
    out.files.push([r.name, r.encodedBodySize, r.decodedBodySize, r.responseEnd]);
  out.states = window.__states;
  out.lcps = window.__lcps;
  return out;
}"""

WAIT_FOR_SERVICE_WORKER = """async () => {
  await navigator.serviceWorker.ready;
  return !!navigator.serviceWorker.controller || await new Promise((resolve) => {
    navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true));
    setTimeout(() => resolve(false), 10000);
  });
}"""


def emulate(cdp, net):
    if NETWORKS[net] is not None:
        down, up, latency, _ = NETWORKS[net]
        cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": latency, "downloadThroughput": down, "uploadThroughput": up},
        )


def wait_live(page, timeout=180_000):
    """Wait until the controls are live (``<body data-live>``) or the page failed."""
    page.locator("body[data-live], body[data-state=error]").wait_for(state="attached", timeout=timeout)


def cold_visit(playwright, url, net, probes):
    """One first visit: ``{event: seconds}``, ``{file: (gzip bytes, raw bytes, seconds done)}`` before live,
    ``{url: times requested}``, ``{probe: ms}``."""
    with fresh_context(playwright, [RECORD], args=INSECURE_ARGS) as context:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        emulate(cdp, net)
        requested = {}
        cdp.on(
            "Network.requestWillBeSent",
            lambda event: requested.__setitem__(event["request"]["url"], requested.get(event["request"]["url"], 0) + 1),
        )
        cpu = browser_cpu()
        page.goto(url)
        wait_live(page)
        cpu = browser_cpu() - cpu
        wait_until_started(page, timeout=180_000)
        imports = {}
        if page.evaluate("typeof window.cleanlensImport === 'function'"):
            for name in probes:
                imports[name] = page.evaluate("(name) => window.cleanlensImport(name)", name)
        time.sleep(0.2)
        measured = page.evaluate(MEASURE)
    events = dict(measured["states"])
    events.pop("loading", None)
    events.update(measured["marks"])
    live = events.get("live", events.get("training", float("inf")))
    before = [t for t in measured["lcps"] if t < live]
    if before:
        events["results visible"] = max(before)
    files = {}
    for name, encoded, decoded, end in measured["files"]:
        if end <= live:
            files[site_path(name, url)] = (encoded, decoded, end / 1000)
    seconds = {k: v / 1000 for k, v in events.items()}
    seconds["cpu to live"] = cpu
    return seconds, files, {site_path(u, url): n for u, n in requested.items() if u.startswith(url)}, imports


def site_path(address, url):
    """The path of ``address`` inside the site served at ``url`` (the page itself: index.html)."""
    return urlsplit(address).path[len(urlsplit(url).path) :] or "index.html"


def warm_visit(playwright, url, net):
    """A return visit served by the service worker: ``{event: seconds}`` of the reload (empty if none)."""
    with fresh_context(playwright, [RECORD], service_workers="allow", args=INSECURE_ARGS) as context:
        page = context.new_page()
        page.goto(url)
        wait_until_started(page, timeout=180_000)
        if not page.evaluate(WAIT_FOR_SERVICE_WORKER):
            return {}
        cdp = context.new_cdp_session(page)
        emulate(cdp, net)
        page.reload()
        wait_live(page)
        wait_until_started(page, timeout=180_000)
        measured = page.evaluate(MEASURE)
    events = dict(measured["states"])
    events.update(measured["marks"])
    return {f"warm: {k}": v / 1000 for k, v in events.items() if k in ("live", "ready", "first paint")}


def run(runs, sites, net, gzip, probes, warm=True):
    """``{site: [(events, files, requested, imports), ...]}``, every run visiting each site in turn."""
    results = {str(site): [] for site in sites}
    with sync_playwright() as playwright, contextlib.ExitStack() as stack:
        urls = {str(site): stack.enter_context(served_like_pages(site, gzip)) for site in sites}
        for n in range(runs):
            for site in sites:
                events, files, requested, imports = cold_visit(playwright, urls[str(site)], net, probes)
                if warm:
                    events.update(warm_visit(playwright, urls[str(site)], net))
                results[str(site)].append((events, files, requested, imports))
                print(f"run {n + 1}/{runs} {site}: live {events.get('live', float('nan')):.2f} s", file=sys.stderr)
    return results


def summary(values, scale=1.0, digits=2):
    values = [v * scale for v in values]
    if not values:
        return "–"
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


ROWS = (
    ("first paint", "first paint"),
    ("results visible", "results visible"),
    ("runtime downloaded", "downloaded"),
    ("Python runs", "python"),
    ("controls live", "live"),
    ("CPU to live (browser, all processes)", "cpu to live"),
    ("ready (trained here)", "ready"),
    ("warm (service worker): live", "warm: live"),
    ("warm (service worker): ready", "warm: ready"),
)


def label(site):
    return Path(site).parent.name + "/" + Path(site).name


def table(results):
    """The summary rows, one column per site (Markdown)."""
    sites = list(results)
    lines = ["| | " + " | ".join(label(s) for s in sites) + " |", "| --- |" + " --- |" * len(sites)]
    for title, key in ROWS:
        cells = [summary([e[key] for e, *_ in results[s] if key in e]) for s in sites]
        lines.append(f"| {title}, s | " + " | ".join(cells) + " |")
    for title, start, end in (
        ("downloaded → Python runs", "downloaded", "python"),
        ("Python runs → live", "python", "live"),
    ):
        cells = [summary([e[end] - e[start] for e, *_ in results[s] if start in e and end in e]) for s in sites]
        lines.append(f"| {title}, s | " + " | ".join(cells) + " |")
    for title, index in (("MB before live, gzip", 0), ("MB before live, raw", 1)):
        cells = [summary([sum(f[index] for f in files.values()) for _, files, *_ in results[s]], 1e-6) for s in sites]
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    cells = [summary([len(files) for _, files, *_ in results[s]], digits=0) for s in sites]
    lines.append("| requests before live | " + " | ".join(cells) + " |")
    probes = sorted({name for s in sites for *_, imports in results[s] for name in imports})
    for name in probes:
        cells = [summary([i[name] for *_, i in results[s] if name in i], 1e-3) for s in sites]
        lines.append(f"| import {name} on demand, s | " + " | ".join(cells) + " |")
    return lines


def breakdown(runs):
    """Per file loaded before live: median kB gzip and raw, when it was done, and how often it was requested."""
    names = sorted({name for _, files, *_ in runs for name in files}, key=lambda n: -max(
        files.get(n, (0, 0, 0))[0] for _, files, *_ in runs))  # fmt: skip
    lines = ["| file | kB gzip | kB raw | done at, s | requests |", "| --- | ---: | ---: | ---: | ---: |"]
    for name in names:
        rows = [files[name] for _, files, *_ in runs if name in files]
        counts = [requested.get(name, 0) for _, _, requested, _ in runs]
        lines.append(
            f"| {name} | {statistics.median(r[0] for r in rows) / 1e3:.1f} | "
            f"{statistics.median(r[1] for r in rows) / 1e3:.1f} | {statistics.median(r[2] for r in rows):.2f} | "
            f"{max(counts)} |"
        )
    twice = sorted({u for *_, requested, _ in runs for u, n in requested.items() if n > 1})
    if twice:
        lines.append("")
        lines.append("Requested more than once in a cold visit: " + ", ".join(twice))
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sites", default=str(build.DIST), help="comma-separated built sites (default: dist/)")
    parser.add_argument("--net", choices=sorted(NETWORKS), default="local")
    parser.add_argument("--gzip", action="store_true", help="serve compressed responses, as GitHub Pages does")
    parser.add_argument("--probes", default=",".join(PROBES), help="modules to import on demand after ready")
    parser.add_argument("--no-warm", dest="warm", action="store_false", help="skip the service worker's warm start")
    args = parser.parse_args(argv)
    sites = [Path(s) for s in args.sites.split(",")]
    probes = [p for p in args.probes.split(",") if p]
    results = run(args.runs, sites, args.net, args.gzip, probes, args.warm)
    net = NETWORKS[args.net][3] if NETWORKS[args.net] else "no emulation"
    print(
        f"# page load, {time.strftime('%Y-%m-%d')}, {platform.machine()} {platform.processor() or ''}, headless "
        f"Chromium; {args.net} ({net}), {'gzip' if args.gzip else 'uncompressed'}, HTTP/2; {args.runs} cold runs, "
        "a fresh profile each; seconds from navigation start, medians (min–max)\n"
    )
    print("\n".join(table(results)))
    for site, runs in results.items():
        print(f"\n## {label(site)}: bytes received before live\n")
        print("\n".join(breakdown(runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
