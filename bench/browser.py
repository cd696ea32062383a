"""What the Chromium benchmarks share: a local server for a built site, fresh browser profiles, percentiles.

Every page benchmark loads a site built by ``build.py dist`` from a static
server on 127.0.0.1, in Debian's Chromium with a new, empty profile per run
(nothing cached, no service worker), at 1440x900, the guide marked as seen.
"""

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, wait_until_started  # noqa: E402,F401


@contextlib.contextmanager
def served(site):
    """Serve the folder `site` on a free port of 127.0.0.1; yields its URL."""
    site = Path(site)
    if site == build.DIST and not (site / "index.html").exists():
        build.dist()
    server = build.make_server(site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


@contextlib.contextmanager
def served_like_pages(site, gzip=False):
    """Serve the folder `site` as GitHub Pages does (bench/static_server.mjs): HTTPS and HTTP/2 on a free port of
    127.0.0.1, a self-signed certificate (open it with :data:`INSECURE_ARGS`), with ``gzip`` compressed
    responses; yields its URL. Needs Node.js and the openssl command."""
    for program in ("node", "openssl"):
        if shutil.which(program) is None:
            raise SystemExit(f"bench: the HTTPS/HTTP2 server needs `{program}`: install it and try again")
    site = Path(site)
    if site == build.DIST and not (site / "index.html").exists():
        build.dist()
    with tempfile.TemporaryDirectory() as keys:
        key, cert = Path(keys) / "key.pem", Path(keys) / "cert.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert],
            check=True, capture_output=True,
        )  # fmt: skip
        command = ["node", str(ROOT / "bench" / "static_server.mjs"), str(site), str(key), str(cert)]
        server = subprocess.Popen([*command, *(["--gzip"] if gzip else [])], stdout=subprocess.PIPE, text=True)
        SERVERS.add(server.pid)
        try:
            url = server.stdout.readline().strip()
            if not url.startswith("https://"):
                raise SystemExit("bench: bench/static_server.mjs did not start (its message is above)")
            yield url
        finally:
            SERVERS.discard(server.pid)
            server.terminate()
            server.wait()


SERVERS = set()
"""The process ids of the servers :func:`served_like_pages` runs (their CPU time is not the browser's)."""


def browser_cpu():
    """CPU seconds used so far by the processes descended from this one (the browsers started here), the
    static servers excepted."""
    children, tick = {}, os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        children.setdefault(int(fields[1]), []).append((int(entry), (int(fields[11]) + int(fields[12])) / tick))
    total, todo = 0.0, [os.getpid()]
    while todo:
        for pid, seconds in children.get(todo.pop(), []):
            if pid not in SERVERS:
                total += seconds
                todo.append(pid)
    return total


INSECURE_ARGS = ["--ignore-certificate-errors"]
"""Chromium arguments for :func:`served_like_pages`' self-signed certificate (service workers included)."""


@contextlib.contextmanager
def fresh_context(playwright, init_scripts=(), service_workers="block", args=()):
    """A Chromium context with a new, empty profile (closed and deleted afterwards)."""
    with tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS + list(args),
            service_workers=service_workers,
            viewport={"width": 1440, "height": 900},
        )
        context.add_init_script("localStorage.setItem('cleanlens-guide-seen', '1')")
        for script in init_scripts:
            context.add_init_script(script)
        try:
            yield context
        finally:
            context.close()


def percentile(values, q):
    """The q-th percentile of values by the nearest-rank method (for reporting, not engine work)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


SLIDER_STEPS = """async (values) => {
  const slider = document.querySelector('[data-testid="class-percentile"]');
  const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const handler = [], painted = [];
  for (const v of values) {
    const t0 = performance.now();
    slider.value = String(v);
    slider.dispatchEvent(new Event('input', {bubbles: true}));
    handler.push(performance.now() - t0);
    await frame();
    painted.push(performance.now() - t0);
  }
  return {handler, painted};
}"""
"""Move the class slider through ``values`` (as a key press does: set the value, dispatch ``input``); per
step the milliseconds until the handler has updated every panel (it runs synchronously inside
dispatchEvent) and until the next frame has been painted."""
