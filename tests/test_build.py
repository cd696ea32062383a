"""build.py: the wheel, the vendored runtime and the static server (no browser)."""

import hashlib
import json
import threading
import urllib.request
import zipfile

import pytest

import build
import build_runtime


def test_wheel_holds_the_package_and_is_reproducible(tmp_path):
    first = build.build_wheel(tmp_path / "a")
    second = build.build_wheel(tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()
    names = zipfile.ZipFile(first).namelist()
    assert "cleanlens/__init__.py" in names and "cleanlens/dataset.py" in names
    assert "cleanlens/web/app.py" in names
    assert "cleanlens/web/render/__init__.py" in names and "cleanlens/web/render/page.py" in names  # subpackages
    assert not any("__pycache__" in name for name in names)
    version = build.package_version()
    assert first.name == f"cleanlens-{version}-py3-none-any.whl"
    assert f"cleanlens-{version}.dist-info/RECORD" in names


def test_every_folder_of_the_package_is_a_package():
    """setuptools' find (pyproject.toml) only takes folders with an __init__.py; build_wheel takes every file."""
    folders = {path.parent for path in build.PACKAGE.rglob("*.py") if "__pycache__" not in path.parts}
    assert build.PACKAGE / "web" / "render" in folders
    assert [folder for folder in folders if not (folder / "__init__.py").exists()] == []


def test_pyscript_config_uses_local_files_only():
    config = build.pyscript_config("cleanlens-0.1.0-py3-none-any.whl")
    assert config["interpreter"].startswith("./static/vendor/")
    # written as it is, imported from by the page's script (no micropip, and not unpacked: no zip library)
    assert config["files"] == {"./wheels/cleanlens-0.1.0-py3-none-any.whl": "./cleanlens.whl"}
    assert "cleanlens.whl" in build_runtime.page_script() and "!py-editor" in config["plugins"]
    assert "packages" not in config  # the page loads no packages: the training worker loads the stack


@pytest.mark.skipif(
    not (build.VENDOR / "VERSIONS.json").exists(), reason="static/vendor/ not built (python build.py vendor)"
)
def test_vendored_lock_lists_the_verified_stack_with_the_official_sha256():
    folder = build.VENDOR / "pyodide"
    lock = json.loads((folder / "pyodide-lock.json").read_text())
    official = build.official_lock()
    assert set(lock["packages"]) == {"numpy", "scipy", "openblas", "scikit-learn", "joblib", "threadpoolctl"}
    for name, entry in lock["packages"].items():
        assert entry == official["packages"][name]
        assert hashlib.sha256((folder / entry["file_name"]).read_bytes()).hexdigest() == entry["sha256"]
    assert lock["info"] == official["info"]
    for name in build.runtime_files(build.ROOT / "node_modules" / "pyodide"):
        assert (folder / name).exists()
    shipped = {entry["file_name"] for entry in lock["packages"].values()}
    on_demand = {build_runtime.ON_DEMAND}  # the standard library's other files (build.py dist writes them)
    expected = shipped | {"pyodide-lock.json", *build.runtime_files(folder)}
    assert {p.name for p in folder.iterdir()} - on_demand == expected
    assert (build.VENDOR / "pyscript" / "core.js").exists()


def test_vendored_versions_match_the_pins():
    lock = json.loads((build.ROOT / "package-lock.json").read_text())
    for name, version in build.pinned_npm_versions(dev=True).items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
        assert not version.startswith(("^", "~")), "pins must be exact"


def test_server_sends_the_mime_types_pyodide_needs(tmp_path):
    (tmp_path / "a.mjs").write_text("export {}")
    (tmp_path / "b.wasm").write_bytes(b"\0asm")
    server = build.make_server(tmp_path)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        assert urllib.request.urlopen(base + "a.mjs").headers["Content-Type"] == "text/javascript"
        assert urllib.request.urlopen(base + "b.wasm").headers["Content-Type"] == "application/wasm"
    finally:
        server.shutdown()


def test_missing_npm_is_one_clear_sentence(monkeypatch, tmp_path):
    monkeypatch.setattr(build, "ROOT", tmp_path)
    (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"pyodide": "0.27.7"}}))
    monkeypatch.setattr(build.shutil, "which", lambda name: None)
    with pytest.raises(build.BuildError, match="Node.js and npm are needed"):
        build.npm_install_if_needed()


OFFICIAL_INFO = {"abi_version": "2024_0", "arch": "wasm32", "platform": "emscripten_3_1_58", "python": "3.12.7"}
STACK_DEPENDS = {
    "numpy": [],
    "scipy": ["numpy", "openblas"],
    "openblas": [],
    "joblib": [],
    "threadpoolctl": [],
    "scikit-learn": ["scipy", "joblib", "threadpoolctl"],
    "pandas": ["numpy"],
}


def fake_release(tmp_path, damage=None, drop=None):
    """A stand-in for the official lock and the files it names: ``(lock, {file_name: bytes})``. ``damage``: a
    package whose file's bytes differ from what the lock's SHA-256 says; ``drop``: a package whose file is absent."""
    packages, files = {}, {}
    for name, depends in STACK_DEPENDS.items():
        file_name = f"{name}-1.0-cp312-cp312-pyodide_2024_0_wasm32.{'zip' if name == 'openblas' else 'whl'}"
        data = f"official {name}".encode()
        packages[name] = {
            "name": name,
            "file_name": file_name,
            "depends": depends,
            "version": "1.0",
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        if name != drop:
            files[file_name] = data + (b" altered" if name == damage else b"")
    return {"info": dict(OFFICIAL_INFO, version="0.27.7"), "packages": packages}, files


def fake_carrier(tmp_path, files, extra=()):
    """A wheel like the carrier package, holding ``files`` under its Pyodide folder."""
    wheel = tmp_path / "carrier-0.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in {**files, **dict(extra)}.items():
            archive.writestr(build.CARRIER_FOLDER + name, data)
        archive.writestr("carrier/__init__.py", "")
    return wheel


def test_the_stack_is_copied_from_the_carrier_verified(tmp_path):
    lock, files = fake_release(tmp_path)
    dest = tmp_path / "vendor"
    dest.mkdir()
    entries = build.vendor_scientific_stack(fake_carrier(tmp_path, files), lock, dest)
    assert set(entries) == {"numpy", "scipy", "openblas", "joblib", "threadpoolctl", "scikit-learn"}  # not pandas
    assert {p.name for p in dest.iterdir()} == {entry["file_name"] for entry in entries.values()}
    for entry in entries.values():
        assert hashlib.sha256((dest / entry["file_name"]).read_bytes()).hexdigest() == entry["sha256"]


@pytest.mark.parametrize("source", ["carrier", "folder"])
def test_a_file_whose_hash_differs_from_the_official_lock_fails_the_build(tmp_path, source):
    lock, files = fake_release(tmp_path, damage="scipy")
    if source == "carrier":
        origin = fake_carrier(tmp_path, files)
    else:  # build.py vendor --from DIR: the same check
        origin = tmp_path / "release"
        origin.mkdir()
        for name, data in files.items():
            (origin / name).write_bytes(data)
    dest = tmp_path / "vendor"
    dest.mkdir()
    with pytest.raises(build.BuildError) as raised:
        build.vendor_scientific_stack(origin, lock, dest)
    assert "scipy-1.0-cp312-cp312-pyodide_2024_0_wasm32.whl" in str(raised.value)
    assert "does not match the SHA-256 in the official pyodide-lock.json" in str(raised.value)
    assert not any(p.name.startswith("scipy") for p in dest.iterdir())  # never shipped


def test_a_missing_file_fails_the_build_naming_it(tmp_path):
    lock, files = fake_release(tmp_path, drop="openblas")
    with pytest.raises(build.BuildError, match=r"openblas-1\.0.*is missing.*needed for openblas"):
        build.vendor_scientific_stack(fake_carrier(tmp_path, files), lock, tmp_path)


def test_a_folder_of_another_pyodide_is_refused(tmp_path):
    lock, files = fake_release(tmp_path)
    origin = tmp_path / "release"
    origin.mkdir()
    (origin / "pyodide-lock.json").write_text(json.dumps({"info": dict(OFFICIAL_INFO, abi_version="2026_0")}))
    with pytest.raises(build.BuildError, match="is for abi_version '2026_0'"):
        build.vendor_scientific_stack(origin, lock, tmp_path)


@pytest.mark.skipif(
    not (build.ROOT / "node_modules" / "pyodide").exists(), reason="node_modules/ not installed (npm ci)"
)
def test_vendor_writes_a_lock_that_names_every_shipped_file_and_nothing_else(tmp_path, monkeypatch):
    lock, files = fake_release(tmp_path)
    lock["info"] = build.official_lock()["info"]
    carrier = fake_carrier(tmp_path, files, extra={"pandas-2.2.3-cp312-cp312-pyodide_2024_0_wasm32.whl": b"x"})
    monkeypatch.setattr(build, "VENDOR", tmp_path / "vendor")
    monkeypatch.setattr(build, "official_lock", lambda: json.loads(json.dumps(lock)))
    monkeypatch.setattr(build, "pip_download", lambda requirement, what, python_version=None: carrier)
    stale = tmp_path / "vendor" / "pyodide" / "micropip-0.11.1-py3-none-any.whl"  # e.g. from a previous layout
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    build.vendor()
    folder = tmp_path / "vendor" / "pyodide"
    vendored = json.loads((folder / "pyodide-lock.json").read_text())
    assert set(vendored["packages"]) == {"numpy", "scipy", "openblas", "joblib", "threadpoolctl", "scikit-learn"}
    assert not stale.exists() and not any("pandas" in p.name for p in folder.iterdir())
    versions = json.loads((tmp_path / "vendor" / "VERSIONS.json").read_text())
    assert versions["scientific_stack"]["scikit-learn"] == "1.0" and versions["stack_source"] == build.CARRIER


def test_the_worker_manifest_and_the_service_worker_list_the_stack_apart(tmp_path, monkeypatch):
    lock, files = fake_release(tmp_path)
    site = tmp_path / "site"
    folder = site / "static" / "vendor" / "pyodide"
    folder.mkdir(parents=True)
    entries = build.vendor_scientific_stack(fake_carrier(tmp_path, files), lock, folder)
    (folder / "pyodide-lock.json").write_text(json.dumps(dict(lock, packages=entries)))
    (folder / "pyodide.asm.wasm").write_bytes(b"\0asm")
    (site / "index.html").write_text("<!doctype html>")
    wheel = site / "static" / "wheels" / "cleanlens-0.1.0-py3-none-any.whl"
    wheel.parent.mkdir()
    wheel.write_bytes(b"PK")
    manifest = build.worker_manifest(site, wheel)
    assert manifest["wheel"] == "wheels/cleanlens-0.1.0-py3-none-any.whl"
    assert (manifest["stdlib"], manifest["stdlib_ahead"]) == ("vendor/pyodide/stdlib/", "scientific-stack.zip")
    assert manifest["files"] == {
        f"vendor/pyodide/{name}": len(data) for name, data in files.items() if "pandas" not in name
    }
    assert manifest["versions"]["scikit-learn"] == "1.0"

    def written():
        build.write_service_worker(site)
        text = (site / "sw.js").read_text()
        value = lambda name: text.split(f'const {name} = "', 1)[1].split('"', 1)[0]  # noqa: E731
        precache = json.loads(text.split("const PRECACHE = ", 1)[1].split(";\n", 1)[0])
        on_demand = json.loads(text.split("const ON_DEMAND = ", 1)[1].split(";\n", 1)[0])
        return value("VERSION"), value("STACK_VERSION"), precache, on_demand

    version, stack, precache, on_demand = written()
    assert sorted(on_demand) == sorted(f"./static/{name}" for name in manifest["files"])
    assert not set(on_demand) & set(precache)  # not fetched at install
    assert "./static/vendor/pyodide/pyodide.asm.wasm" in precache and "./static/worker.json" in precache
    (site / "index.html").write_text("<!doctype html><p>changed")
    new_version, new_stack, _, _ = written()
    assert new_version != version and new_stack == stack  # a new site, the same stack: its cache stays
    (folder / next(iter(files))).write_bytes(b"another build")
    assert written()[1] != stack  # another stack: a new cache replaces it


def test_the_pip_wheel_holds_the_built_site(tmp_path):
    """`pip install cleanlens` is enough for `cleanlens explore`: the wheel carries the site build.py dist writes
    (tools/packaging/cleanlens_backend.py), and the checkout is left as it was."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-q", "-w", tmp_path]
    subprocess.run([str(part) for part in command], cwd=build.ROOT, check=True, capture_output=True)
    (wheel,) = tmp_path.glob("cleanlens-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    inner = f"static/wheels/cleanlens-{build.package_version()}-py3-none-any.whl"
    for name in ("index.html", "sw.js", "static/pyscript.json", "static/vendor/pyodide/pyodide.asm.wasm", inner):
        assert f"cleanlens/site/{name}" in names, name
    assert "cleanlens/explore_server.py" in names and "cleanlens/web/explore_link.py" in names
    assert not (build.PACKAGE / "site").exists()
