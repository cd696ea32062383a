"""build.py: the wheel, the vendored runtime and the static server (no browser)."""

import hashlib
import json
import threading
import urllib.request
import zipfile

import pytest

import build


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
    assert config["files"] == {"./wheels/cleanlens-0.1.0-py3-none-any.whl": "./*"}  # unpacked: no micropip
    assert "packages" not in config
    assert build.pyscript_config("cleanlens-0.1.0-py3-none-any.whl", scientific_stack=True)["packages"] == [
        "scikit-learn"
    ]


@pytest.mark.skipif(
    not (build.VENDOR / "VERSIONS.json").exists(), reason="static/vendor/ not built (python build.py vendor)"
)
def test_vendored_lock_lists_only_shipped_files_with_their_sha256():
    folder = build.VENDOR / "pyodide"
    lock = json.loads((folder / "pyodide-lock.json").read_text())
    assert ("micropip" in lock["packages"]) == json.loads((build.VENDOR / "VERSIONS.json").read_text())[
        "scientific_stack"
    ]
    for entry in lock["packages"].values():
        path = folder / entry["file_name"]
        assert path.exists(), entry["file_name"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
    for name in build.PYODIDE_FILES:
        assert (folder / name).exists()
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
    (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"pyodide": "314.0.5"}}))
    monkeypatch.setattr(build.shutil, "which", lambda name: None)
    with pytest.raises(build.BuildError, match="Node.js and npm are needed"):
        build.npm_install_if_needed()


def fake_distribution(folder, info, damage=None, drop=None):
    """A tiny stand-in for a Pyodide full distribution: a lock file and dummy wheels."""
    folder.mkdir()
    depends = {
        "numpy": [],
        "scipy": ["numpy", "libopenblas"],
        "libopenblas": [],
        "joblib": [],
        "threadpoolctl": [],
        "scikit-learn": ["numpy", "scipy", "joblib", "threadpoolctl"],
        "pandas": ["numpy"],
    }
    packages = {}
    for name, deps in depends.items():
        file_name = f"{name}-1.0-cp314-cp314-pyodide_2026_0_wasm32.{'zip' if name.startswith('lib') else 'whl'}"
        data = f"fake {name}".encode()
        if name != drop:
            (folder / file_name).write_bytes(data + (b"!" if name == damage else b""))
        packages[name] = {
            "name": name,
            "file_name": file_name,
            "depends": deps,
            "version": "1.0",
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    (folder / "pyodide-lock.json").write_text(json.dumps({"info": info, "packages": packages}))
    return packages


INFO = {"abi_version": "2026_0", "arch": "wasm32", "platform": "emscripten_5_0_3", "python": "3.14.2"}


def test_scientific_stack_is_vendored_with_its_dependencies(tmp_path):
    fake_distribution(tmp_path / "full", INFO)
    dest = tmp_path / "vendor"
    dest.mkdir()
    entries = build.vendor_scientific_stack(tmp_path / "full", {"info": INFO}, dest)
    assert set(entries) == {"numpy", "scipy", "libopenblas", "joblib", "threadpoolctl", "scikit-learn"}
    for entry in entries.values():
        assert hashlib.sha256((dest / entry["file_name"]).read_bytes()).hexdigest() == entry["sha256"]
    assert not any("pandas" in p.name for p in dest.iterdir())


@pytest.mark.parametrize(
    "kwargs, lock_info, message",
    [
        ({"damage": "scipy"}, INFO, "does not match the SHA-256"),
        ({"drop": "libopenblas"}, INFO, "libopenblas.*is missing"),
        ({}, dict(INFO, abi_version="2025_0"), "is for abi_version"),
    ],
)
def test_scientific_stack_refuses_bad_distributions(tmp_path, kwargs, lock_info, message):
    fake_distribution(tmp_path / "full", INFO, **kwargs)
    with pytest.raises(build.BuildError, match=message):
        build.vendor_scientific_stack(tmp_path / "full", {"info": lock_info}, tmp_path)


def test_not_a_distribution_folder(tmp_path):
    with pytest.raises(build.BuildError, match="has no pyodide-lock.json"):
        build.vendor_scientific_stack(tmp_path, {"info": INFO}, tmp_path)


@pytest.mark.skipif(
    not (build.ROOT / "node_modules" / "pyodide").exists(), reason="node_modules/ not installed (npm ci)"
)
def test_vendor_with_sklearn_writes_a_lock_that_names_every_shipped_file(tmp_path, monkeypatch):
    full_lock = json.loads((build.ROOT / "node_modules" / "pyodide" / "pyodide-lock.json").read_text())
    fake_distribution(tmp_path / "full", full_lock["info"])
    monkeypatch.setattr(build, "VENDOR", tmp_path / "vendor")
    build.vendor(tmp_path / "full")
    lock = json.loads((tmp_path / "vendor" / "pyodide" / "pyodide-lock.json").read_text())
    assert set(lock["packages"]) == {
        "micropip",
        "numpy",
        "scipy",
        "libopenblas",
        "joblib",
        "threadpoolctl",
        "scikit-learn",
    }
    assert json.loads((tmp_path / "vendor" / "VERSIONS.json").read_text())["scientific_stack"] is True
    build.vendor()  # without the stack again: its files and entries are gone, micropip too (nothing installs)
    lock = json.loads((tmp_path / "vendor" / "pyodide" / "pyodide-lock.json").read_text())
    assert set(lock["packages"]) == set()
    assert sorted(p.name for p in (tmp_path / "vendor" / "pyodide").glob("*.whl")) == []
