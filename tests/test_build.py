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
    assert not any("__pycache__" in name for name in names)
    version = build.package_version()
    assert first.name == f"cleanlens-{version}-py3-none-any.whl"
    assert f"cleanlens-{version}.dist-info/RECORD" in names


def test_pyscript_config_uses_local_files_only():
    config = build.pyscript_config("cleanlens-0.1.0-py3-none-any.whl")
    assert config["interpreter"].startswith("./static/vendor/")
    assert all(p.startswith("./") for p in config["packages"])


@pytest.mark.skipif(not (build.VENDOR / "VERSIONS.json").exists(), reason="static/vendor/ not built (python build.py vendor)")
def test_vendored_lock_lists_only_shipped_files_with_their_sha256():
    folder = build.VENDOR / "pyodide"
    lock = json.loads((folder / "pyodide-lock.json").read_text())
    assert "micropip" in lock["packages"]
    for entry in lock["packages"].values():
        path = folder / entry["file_name"]
        assert path.exists(), entry["file_name"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
    for name in build.PYODIDE_FILES:
        assert (folder / name).exists()
    assert (build.VENDOR / "pyscript" / "core.js").exists()


def test_vendored_versions_match_the_pins():
    lock = json.loads((build.ROOT / "package-lock.json").read_text())
    for name, version in build.pinned_npm_versions().items():
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
