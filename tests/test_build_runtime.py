"""build_runtime: what the page imports, the split standard library, PyScript's files and the download plan."""

import ast
import json
import zipfile
from pathlib import Path

import pytest

import build
import build_runtime

PYSCRIPT = build.PYSCRIPT_DIST


def test_page_modules_follow_every_import_from_the_pages_script():
    modules = build_runtime.page_modules()
    assert {"cleanlens.web.app", "cleanlens.web.stdlib", "cleanlens.web.render.page"} <= set(modules)
    assert "cleanlens.rank" in modules  # imported inside a function of the glue (web/state.py)
    assert "cleanlens.cli" not in modules and "cleanlens.__main__" not in modules  # the page never imports them
    # an engine module's function-level imports are its CPython-only paths (the notebook API, explore, numpy)
    for name in ("cleanlens.api", "cleanlens.explore_server", "cleanlens.confident_arrays", "cleanlens.web.worker"):
        assert name not in modules, name


def test_worker_modules_start_from_the_workers_module():
    modules = build_runtime.worker_modules()
    assert {"cleanlens", "cleanlens.web", "cleanlens.web.worker", "cleanlens.crossval", "cleanlens.svm"} <= set(modules)
    assert "cleanlens.web.app" not in modules and "cleanlens.web.render" not in modules


def test_function_level_imports_are_followed_only_when_asked(tmp_path):
    path = tmp_path / "m.py"
    source = (
        "import a\nif x:\n    import b\ndef f():\n    import c\nclass C:\n    def g(self):\n        from . import d\n"
    )
    path.write_text(source)
    assert sorted(build_runtime.imported_names(path, "p.m")) == ["a", "b", "c", "p", "p.d"]
    assert sorted(build_runtime.imported_names(path, "p.m", in_functions=False)) == ["a", "b"]
    assert build_runtime.module_name(build.PACKAGE / "web" / "__init__.py") == "cleanlens.web"
    assert build_runtime.module_name(build.PACKAGE / "web" / "stdlib.py") == "cleanlens.web.stdlib"


def test_page_modules_start_from_the_script_of_the_page_given(tmp_path):
    page = tmp_path / "index.html"
    page.write_text('<script type="py" config="x.json">\nfrom cleanlens.web import session\nawait go()\n</script>')
    modules = build_runtime.page_modules(page)
    assert {"cleanlens", "cleanlens.web", "cleanlens.web.session"} <= set(modules)
    assert "cleanlens.web.app" not in modules and "cleanlens.web.stdlib" not in modules


def test_relative_imports_resolve_against_the_package():
    node = __import__("ast").parse("from ..state import ExplorerState\nfrom . import common").body
    assert build_runtime.alias_names(node[0], "cleanlens.web.render") == [
        "cleanlens.web.state",
        "cleanlens.web.state.ExplorerState",
    ]
    assert build_runtime.alias_names(node[1], "cleanlens.web.render") == [
        "cleanlens.web.render",
        "cleanlens.web.render.common",
    ]


def test_only_the_pyscript_files_the_page_loads_are_shipped():
    files = build_runtime.pyscript_files(PYSCRIPT)
    assert "core.js" in files
    assert {build_runtime.chunk_name(f) for f in files} == {"core", "error"}  # core.js, its chunk, the error plugin
    assert sorted(p.name for p in (build.VENDOR / "pyscript").iterdir()) == files  # (after build.py vendor)
    off = build_runtime.pyscript_plugins_off(PYSCRIPT)
    assert "!py-editor" in off and "!py-terminal" in off and "!error" not in off
    mpy = build_runtime.mpy_config(PYSCRIPT)
    assert mpy.startswith("<mpy-config hidden>") and mpy.endswith("</mpy-config>")
    assert json.loads(mpy.removeprefix("<mpy-config hidden>").removesuffix("</mpy-config>"))["plugins"] == off


def test_the_download_plan_names_every_file_with_its_size(tmp_path):
    names = [
        "static/vendor/pyscript/core.js",
        "static/vendor/pyscript/core-ABCDEFGH.js",
        "static/vendor/pyodide/pyodide.mjs",
        "static/vendor/pyodide/pyodide.asm.mjs",
        "static/vendor/pyodide/pyodide.asm.wasm",
        "static/vendor/pyodide/python_stdlib.zip",
        "static/vendor/pyodide/pyodide-lock.json",
        "static/pyscript.json",
        "static/wheels/w.whl",
        "embeddings/demo.json",
    ]
    for n, name in enumerate(names):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x" * (n + 1))
    html = build_runtime.early_downloads(tmp_path, "static/wheels/w.whl", "embeddings/demo.json", "static/sheet.png")
    plan = json.loads(html.removeprefix('<script type="application/json" id="downloads">').removesuffix("</script>"))
    assert plan["after"] == "./static/sheet.png"
    assert [url for url, _ in plan["modules"]] == [
        "./static/vendor/pyscript/core-ABCDEFGH.js",  # not core.js: the page's own script tag loads it
        "./static/vendor/pyodide/pyodide.mjs",
        "./static/vendor/pyodide/pyodide.asm.mjs",
    ]
    assert {url: size for url, size in plan["fetched"]} == {f"./{name}": names.index(name) + 1 for name in names[4:]}


def vendored(name):
    path = build.VENDOR / "pyodide" / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run `python build.py dist` first")
    return path


def test_the_shipped_and_the_on_demand_standard_library_hold_every_file_once():
    source = zipfile.ZipFile(build.ROOT / "node_modules" / "pyodide" / "python_stdlib.zip")
    shipped = zipfile.ZipFile(vendored("python_stdlib.zip"))
    index = json.loads(shipped.read("on-demand.json"))
    on_demand = {}
    for archive in sorted(vendored(build_runtime.ON_DEMAND).glob("*.zip")):
        if archive.name == build_runtime.STACK_ARCHIVE:
            continue
        for member in zipfile.ZipFile(archive).namelist():
            assert member.split("/")[0].removesuffix(".py") == archive.stem
            on_demand[member] = archive.name
    in_zip = {n.removesuffix("c") for n in shipped.namelist() if n != "on-demand.json"}  # name.pyc -> name.py
    assert in_zip.isdisjoint(on_demand)
    assert in_zip | set(on_demand) == {n for n in source.namelist() if not n.endswith("/")}
    # the index names every module of the archives, and only those
    modules = {n[:-3].removesuffix("/__init__").replace("/", "."): a for n, a in on_demand.items() if n.endswith(".py")}
    assert index["modules"] == modules
    # what Pyodide, PyScript and the page import at start-up, as bytecode; not what they do not
    for module in ("asyncio/__init__", "json/__init__", "csv", "hashlib", "_pyodide/_base", "html/__init__"):
        assert f"{module}.pyc" in shipped.namelist(), module
    assert int.from_bytes(shipped.read("json/__init__.pyc")[4:8], "little") == 1  # unchecked-hash (PEP 552)
    for module in ("unittest/__init__.py", "xml/dom/minidom.py", "email/mime/text.py", "colorsys.py", "http/server.py"):
        assert module in on_demand, module
    assert Path(build_runtime.STAMP).exists()


def test_the_workers_archive_holds_what_loading_the_stack_imports_besides_the_pages():
    shipped = zipfile.ZipFile(vendored("python_stdlib.zip"))
    ahead = json.loads(shipped.read("on-demand.json"))["ahead"]
    archive = zipfile.ZipFile(vendored(build_runtime.ON_DEMAND) / build_runtime.STACK_ARCHIVE)
    names = {n.removesuffix("c") for n in archive.namelist()}
    assert names.isdisjoint(n.removesuffix("c") for n in shipped.namelist())
    assert ahead == {
        build_runtime.STACK_ARCHIVE: sorted(n[:-3].removesuffix("/__init__").replace("/", ".") for n in names)
    }
    # scikit-learn, scipy and joblib import these; Pyodide's package loader reads the wheels' metadata
    for module in ("pickle", "ctypes", "multiprocessing", "unittest", "importlib.metadata", "encodings.cp437"):
        assert module in ahead[build_runtime.STACK_ARCHIVE], module


def emptied_docstrings(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                first.value.value = ""
    return ast.dump(tree)


def statement_lines(tree):
    return [(type(node).__name__, node.lineno) for node in ast.walk(tree) if isinstance(node, ast.stmt)]


def test_the_pages_wheel_has_the_same_code_without_docstrings_and_comments_on_the_same_lines(tmp_path):
    wheel = zipfile.ZipFile(build.build_wheel(tmp_path, for_the_page=True))
    wanted = set(build_runtime.page_modules()) | set(build_runtime.worker_modules())
    shipped_modules = {build_runtime.module_name(build_runtime.PY / n) for n in wheel.namelist() if n.endswith(".py")}
    assert shipped_modules == wanted  # not the command line's, the notebook API's or explore's modules
    for path in sorted(build.PACKAGE.rglob("*.py")):
        if build_runtime.module_name(path) not in wanted:
            continue
        original = path.read_text(encoding="utf-8")
        shipped = wheel.read(f"cleanlens/{path.relative_to(build.PACKAGE).as_posix()}").decode("utf-8")
        assert emptied_docstrings(ast.parse(shipped)) == emptied_docstrings(ast.parse(original)), path
        assert statement_lines(ast.parse(shipped)) == statement_lines(ast.parse(original)), path
        assert shipped.count("\n") == original.count("\n") and "#" not in "".join(
            line for line in shipped.splitlines() if line.lstrip().startswith("#")
        )
    assert len(wheel.read("cleanlens/web/app.py")) < 0.8 * len((build.PACKAGE / "web" / "app.py").read_bytes())
