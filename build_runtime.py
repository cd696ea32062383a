"""What build.py ships of the runtime for a fast first visit: a standard library cut to what the page imports
(the rest on demand), only the PyScript files the page loads, and the tags that start the downloads early.

Standard library only, like build.py (which imports this module).

- :func:`page_modules`: the modules of our package the page can import (from the page's ``<script type="py">``,
  following every import statement, function-level ones included).
- :func:`page_stdlib`: runs ``tools/stdlib.mjs``, which starts Pyodide under Node as the page starts it and
  writes the standard library the start-up imports (``python_stdlib.zip``) and the rest, one archive per
  top-level name, fetched on demand by :mod:`cleanlens.web.stdlib`.
- :func:`pyscript_files`, :func:`pyscript_plugins_off`: the files of PyScript's ``dist/`` the page loads, and the
  plugins it is told not to load.
- :func:`early_downloads`: the ``<link>`` tags, in the page's head, that fetch the runtime in parallel with
  PyScript's own code instead of after it.
"""

from __future__ import annotations

import ast
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import textwrap
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent
PY = ROOT / "py"
PAGE = ROOT / "index.html"
"""The page: its ``<script type="py">`` is where everything the page imports starts."""
STDLIB_TOOL = ROOT / "tools" / "stdlib.mjs"
STDLIB_FORM = os.environ.get("CLEANLENS_STDLIB_FORM", "compiled-lines")
"""How the start-up standard library is shipped (tools/stdlib.mjs's forms): ``compiled-lines`` (bytecode without
docstrings, as ``python -OO`` has them but with asserts, and without column positions, as ``python -X
no_debug_ranges`` compiles: line numbers kept), or, to measure the others (docs/architecture.md),
``compiled-nodoc``, ``compiled``, ``source``, ``source-min``."""
ON_DEMAND = "stdlib"
"""The folder, beside ``python_stdlib.zip``, of the standard library's other files (one archive per top-level
name, e.g. ``stdlib/email.zip``); :mod:`cleanlens.web.stdlib` reads the same name from ``on-demand.json``."""
STACK_ARCHIVE = "scientific-stack.zip"
"""The archive, in :data:`ON_DEMAND`, of the standard-library files the training worker imports besides the
page's (loading numpy and scikit-learn): the worker fetches it when it starts, so that none of them is fetched
on demand while the stack's files are downloading (not a module name: no import asks for it)."""
STAMP = ROOT / "build" / "cache" / "stdlib-inputs.json"
"""What :func:`page_stdlib` last ran on (a hash of its inputs)."""
PAGE_WHEEL = "cleanlens.whl"
"""What PyScript's ``files`` names our wheel in Python's working directory (build.pyscript_config); the page's
script puts it on ``sys.path`` and imports our package from it as it is (zipimport): unpacking it, as ``files``
does for a target ending in ``/*``, would make PyScript load a 172 kB JavaScript zip library first."""
ALWAYS_LOADED_PLUGINS = ("error",)
"""PyScript plugins it loads even when told not to (it imports "error" to say that it is off)."""


class RuntimeBuildError(Exception):
    """A step failed; the message is one sentence for the user (build.py shows it as a BuildError)."""


# --------------------------------------------------------------------------- our modules the page imports


def module_file(name: str) -> Path | None:
    """The source file of our module ``name`` (a package's ``__init__.py``), or None if it is not ours."""
    base = PY.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def module_name(path: Path) -> str:
    """The module name of our source file ``path`` (the inverse of :func:`module_file`)."""
    parts = path.resolve().relative_to(PY).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def alias_names(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    """The absolute module names an import statement in ``package`` names: for ``from package import x``, both
    ``package`` and ``package.x`` (which is a module or not)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        parts = package.split(".")
        base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


GLUE = "cleanlens.web"
"""The page's glue: its function-level imports are followed (it imports some of our modules when first needed)."""
WORKER = "cleanlens.web.worker"
"""What the training worker (static/worker.js) imports; the rest follows from its imports."""


def imported_names(path: Path, name: str, in_functions: bool = True) -> list[str]:
    """The absolute names of every module the file ``path`` (module ``name``) imports: at module level (in
    ``if``/``try`` blocks too), and with ``in_functions`` also in functions and methods."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    names = []
    todo = list(ast.parse(path.read_text(encoding="utf-8"), str(path)).body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            names += alias_names(node, package)
        elif in_functions or not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            todo += ast.iter_child_nodes(node)
    return names


def our_modules(roots: list[str]) -> list[str]:
    """Our modules that importing ``roots`` can import (sorted): the roots, their packages, and, recursively,
    every module of ours an import statement in one of them names: at module level, and inside functions too
    in the page's glue (:data:`GLUE`), which imports some of our modules when first needed. An engine module's
    function-level imports are its optional paths that only run under CPython (numpy arrays, the notebook API,
    ``explore``): not followed. Modules of the standard library are found by running them (:func:`page_stdlib`)."""
    found, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        path = module_file(name)
        if name in found or path is None:
            continue
        found.add(name)
        parts = name.split(".")
        todo += [".".join(parts[:n]) for n in range(1, len(parts))]
        todo += imported_names(path, name, in_functions=name == GLUE or name.startswith(GLUE + "."))
    return sorted(found)


PY_SCRIPT = re.compile(r'<script type="py"[^>]*>(.*?)</script>', re.S)


def page_script(page: Path = PAGE) -> str:
    """The Python code of the page's ``<script type="py">``."""
    match = PY_SCRIPT.search(page.read_text(encoding="utf-8"))
    if match is None:
        raise RuntimeBuildError(f'{page.name} has no <script type="py">.')
    return match.group(1)


def page_modules(page: Path = PAGE) -> list[str]:
    """Our modules the page can import: :func:`our_modules` from those its ``<script type="py">`` imports."""
    code = textwrap.dedent(page_script(page))
    tree = compile(code, page.name, "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    roots = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            roots += alias_names(node, "")
    return our_modules(roots)


def worker_modules() -> list[str]:
    """Our modules the training worker can import: :func:`our_modules` from :data:`WORKER`."""
    return our_modules([WORKER])


def without_docs(source: str, name: str = "<module>") -> str:
    """``source`` without its docstrings (each becomes ``""``) and comments, every other line where it was (so
    tracebacks still point at the repository's lines). For the page's copy of our package: nothing in it reads a
    docstring. ``name``: the file, for a SyntaxError."""
    lines = source.splitlines(keepends=True)
    docstrings = []
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                docstrings.append(first)
    for doc in sorted(docstrings, key=lambda d: d.lineno, reverse=True):  # (offsets are in UTF-8 bytes)
        head = lines[doc.lineno - 1].encode()[: doc.col_offset].decode()
        tail = lines[doc.end_lineno - 1].encode()[doc.end_col_offset :].decode()
        blank = ["\n"] * (doc.end_lineno - doc.lineno)  # (code after it on its last line moves up to its first)
        lines[doc.lineno - 1 : doc.end_lineno] = [head + '""' + tail] + blank
    text = "".join(lines)
    lines = text.splitlines(keepends=True)
    for token in reversed(list(tokenize.generate_tokens(io.StringIO(text).readline))):
        if token.type == tokenize.COMMENT:
            row, col = token.start
            lines[row - 1] = lines[row - 1][:col].rstrip() + "\n"
    text = "".join(lines)
    compile(text, name, "exec", dont_inherit=True)  # (a bug here must not reach the page)
    return text


# --------------------------------------------------------------------------- the standard library


def stdlib_inputs_digest(src: Path, dest: Path, modules: list[str], packages: list[str] | None) -> str:
    """A hash of everything :func:`page_stdlib`'s result depends on (it is redone when this changes)."""
    digest = hashlib.sha256()
    files = [src, STDLIB_TOOL, *(module_file(m) for m in modules)]
    files += sorted((ROOT / "node_modules" / "@pyscript" / "core" / "src" / "stdlib").rglob("*.py"))
    files += [dest / "pyodide-lock.json"] if packages else []  # (it names the stack's files with their SHA-256)
    for path in files:
        digest.update(str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update(json.dumps([modules, packages, STDLIB_FORM, PAGE_WHEEL, STACK_ARCHIVE]).encode())
    return digest.hexdigest()


def page_stdlib(src: Path, dest: Path, wheel: Path, packages: list[str] | None = None) -> None:
    """Write ``dest/python_stdlib.zip`` (the standard library the page's start-up imports) and ``dest/stdlib/``
    (what the training worker adds, :data:`STACK_ARCHIVE`, and the rest, on demand) from Pyodide's ``src`` zip,
    with tools/stdlib.mjs (Node.js).

    ``wheel``: a wheel of our package (imported from as the page imports from it); ``packages``: what the worker
    loads with ``loadPackage`` from ``dest`` (the vendored Pyodide: its lock file and the stack's files), or None
    for no worker pass. Skipped when the inputs are those of the last run (recorded in :data:`STAMP`).
    """
    page, worker = page_modules(), worker_modules()
    stamp = STAMP
    digest = stdlib_inputs_digest(src, dest, sorted(set(page) | set(worker)), packages)
    done = (dest / "python_stdlib.zip").exists() and (dest / ON_DEMAND).is_dir() and stamp.exists()
    if done and json.loads(stamp.read_text()) == digest:
        return
    if shutil.which("node") is None:
        raise RuntimeBuildError(
            "Node.js is needed to prepare Python's standard library for the page: install it (e.g. `apt-get "
            "install nodejs npm`) and try again."
        )
    job = {"root": str(ROOT), "src": str(src), "out": str(dest), "form": STDLIB_FORM, "wheel": str(wheel)}
    job |= {"wheel_as": PAGE_WHEEL, "page": page}
    if packages:
        job["worker"] = {"index": str(dest), "packages": packages, "modules": worker, "archive": STACK_ARCHIVE}
    if subprocess.run(["node", str(STDLIB_TOOL), json.dumps(job)], cwd=ROOT, check=False).returncode != 0:
        raise RuntimeBuildError(
            f"{STDLIB_TOOL.relative_to(ROOT)} could not prepare Pyodide's standard library (its message is above)."
        )
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps(digest))


def on_demand_archives(dest: Path) -> list[Path]:
    """The on-demand archives :func:`page_stdlib` wrote into ``dest``."""
    return sorted((dest / ON_DEMAND).glob("*.zip"))


# --------------------------------------------------------------------------- PyScript


CHUNK_IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*|\bimport\(\s*)["']\./([\w.-]+\.js)["']""")
DYNAMIC_IMPORT = re.compile(r"""\bimport\(\s*["']\./([\w.-]+\.js)["']\s*\)""")


def chunk_name(file_name: str) -> str:
    """A bundle chunk's name without its content hash: ``error-D2315lOB.js`` -> ``error``."""
    return re.sub(r"-[\w]{8}\.js$", "", file_name).removesuffix(".js")


PLUGIN_KEY = re.compile(r"""^\s*(?:\[\s*["']([\w-]+)["']\s*\]|([\w-]+))\s*:""", re.M)


def pyscript_plugins(src: Path) -> list[str]:
    """The plugins PyScript can load (the keys of its ``src/plugins.js``; ``src`` is its ``dist/`` folder)."""
    return [a or b for a, b in PLUGIN_KEY.findall((src.parent / "src" / "plugins.js").read_text(encoding="utf-8"))]


def pyscript_plugins_off(src: Path) -> list[str]:
    """The ``plugins`` entry of the page's PyScript configuration: every plugin off (``"!name"``) but those
    PyScript loads anyway. The page uses none of them (editor, terminal, game, ...)."""
    return [f"!{name}" for name in pyscript_plugins(src) if name not in ALWAYS_LOADED_PLUGINS]


def mpy_config(src: Path) -> str:
    """A ``<mpy-config>`` element with PyScript's plugins off for MicroPython scripts too: PyScript loads the
    plugins once per script type it knows (``py`` and ``mpy``) unless that type's configuration says otherwise,
    and the page has no MicroPython script to configure otherwise."""
    return f"<mpy-config hidden>{json.dumps({'plugins': pyscript_plugins_off(src)})}</mpy-config>"


def pyscript_files(src: Path) -> list[str]:
    """The files of PyScript's ``dist/`` folder ``src`` that the page loads: ``core.js`` and every chunk it
    imports statically, and the always-loaded plugins' chunks, each with what it imports statically. Nothing
    else is shipped."""
    wanted = set(ALWAYS_LOADED_PLUGINS)
    found, todo = set(), ["core.js"]
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found.add(name)
        text = (src / name).read_text(encoding="utf-8")
        dynamic = set(DYNAMIC_IMPORT.findall(text))
        for target in CHUNK_IMPORT.findall(text):
            if target not in dynamic or chunk_name(target) in wanted:
                todo.append(target)
    missing = wanted - {chunk_name(name) for name in found}
    if missing:
        raise RuntimeBuildError(f"PyScript's {src} has no chunk for {', '.join(sorted(missing))}.")
    return sorted(found)


# --------------------------------------------------------------------------- early downloads


def pyodide_asm(site: Path) -> str:
    """The name of Pyodide's JavaScript half in ``site``: ``pyodide.asm.mjs`` (Pyodide 0.28 and later), or
    ``pyodide.asm.js`` (0.27, which imports it with import() too)."""
    folder = site / "static" / "vendor" / "pyodide"
    return next((name for name in ("pyodide.asm.mjs", "pyodide.asm.js") if (folder / name).exists()), "pyodide.asm.mjs")


def early_downloads(site: Path, wheel_url: str, demo_url: str, sheet_url: str | None) -> str:
    """``#downloads``, the plan static/boot.js follows to start the runtime's downloads early (paths relative to
    ``site``), as JSON:

    - ``modules``: the JavaScript modules PyScript and Pyodide import one after another (PyScript's chunks,
      ``pyodide.mjs``, :func:`pyodide_asm`; not ``core.js``, the page's own script tag): boot.js preloads
      them (``modulepreload``);
    - ``fetched``: the files the runtime and our start-up fetch (the WebAssembly, the standard library, the lock
      file, PyScript's configuration, our wheel, the demo's data): boot.js fetches them at the same time and
      hands each response to the first fetch() of its URL;
    - ``after``: the demo's sprite sheet (``sheet_url``, or null): boot.js starts the others once it is in (the
      pre-rendered results need it first).

    Each entry is ``[url, bytes]`` (the file's size here, for the progress bar).
    """

    def entry(path: str) -> list:
        return [f"./{path}", (site / path).stat().st_size]

    pyscript = sorted(p.name for p in (site / "static" / "vendor" / "pyscript").glob("*.js"))
    plan = {
        "after": f"./{sheet_url}" if sheet_url else None,
        "modules": [entry(f"static/vendor/pyscript/{name}") for name in pyscript if name != "core.js"]
        + [entry("static/vendor/pyodide/pyodide.mjs"), entry(f"static/vendor/pyodide/{pyodide_asm(site)}")],
        "fetched": [
            entry("static/vendor/pyodide/pyodide.asm.wasm"),
            entry("static/vendor/pyodide/python_stdlib.zip"),
            entry("static/vendor/pyodide/pyodide-lock.json"),
            entry("static/pyscript.json"),
            entry(wheel_url),
            entry(demo_url),
        ],
    }
    data = json.dumps(plan, separators=(",", ":")).replace("</", "<\\/")
    return f'<script type="application/json" id="downloads">{data}</script>'
