// Py-compile the part of Pyodide's standard library that the page imports (build.py vendor runs this).
//
// Usage: node tools/py_compile_stdlib.mjs REPO_ROOT SRC_ZIP DST_ZIP MICROPIP_WHEEL
//
// The npm package's python_stdlib.zip holds sources only (.py), so every start of the page
// compiles the modules it imports with CPython's compiler, running as cold WebAssembly: in
// WebKitGTK (JavaScriptCore interprets cold wasm, then tiers up on one compiler thread on a
// 2-core machine) that was most of its ~10 s longer start; Chromium and Firefox also gain
// (docs/browsers.md has the measurements). This runs the same Pyodide under Node, imports
// what the page's start-up imports — Pyodide's own start, micropip (the page uses it only to install a
// vendored scientific stack: it is imported here anyway, a superset costs little),
// PyScript's `pyscript` package and every module of `cleanlens` (import errors are ignored:
// the DOM is not there) — and writes DST_ZIP: SRC_ZIP with each of those stdlib modules
// replaced by its bytecode (`name.pyc`, unchecked-hash, so never revalidated), every other
// file as it was. Modules left as source still work, only compiled on import. Only the
// modules used are compiled because .pyc files are about twice the size of the sources
// (all 559: +2.0 MB; the ~200 used: about +0.9 MB). The result is checked by starting
// Pyodide on it and importing the same modules again. Prints one line.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const [root, src, dst, micropip] = process.argv.slice(2);
if (!micropip) {
  console.error("usage: node tools/py_compile_stdlib.mjs REPO_ROOT SRC_ZIP DST_ZIP MICROPIP_WHEEL");
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(root), "package.json"));
const { loadPyodide } = require("pyodide");

// Imports what the page imports; returns the stdlib files (relative to the zip) now in sys.modules.
const IMPORT_LIKE_THE_PAGE = `
import importlib, os, sys, zipfile
sys.path[:0] = [repo + "/py", repo + "/node_modules/@pyscript/core/src/stdlib"]
# as PyScript does: micropip installs a wheel (a small one made here, as build.py makes ours)
import micropip
probe = "/tmp/probe-0.0.0-py3-none-any.whl"
with zipfile.ZipFile(probe, "w") as wheel:
    wheel.writestr("probe/__init__.py", "")
    wheel.writestr("probe-0.0.0.dist-info/METADATA", "Metadata-Version: 2.1\\nName: probe\\nVersion: 0.0.0\\n")
    wheel.writestr("probe-0.0.0.dist-info/WHEEL", "Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
    wheel.writestr("probe-0.0.0.dist-info/RECORD", "")
await micropip.install("emfs:" + probe)
# in the page micropip also reads the installed distributions' metadata (email's parser, sysconfig)
import importlib.metadata, sysconfig
[dist.metadata["Name"] for dist in importlib.metadata.distributions()]
sysconfig.get_config_vars()
names = ["pyscript"]
for folder, _, files in os.walk(repo + "/py/cleanlens"):
    package = folder[len(repo) + 4:].replace("/", ".")
    names += [package + "." + f[:-3] if f != "__init__.py" else package
              for f in sorted(files) if f.endswith(".py") and f != "__main__.py"]
for name in names:
    try:
        importlib.import_module(name)
    except BaseException:  # noqa: BLE001 (no DOM under Node: keep what was imported before the failure)
        pass
prefix = next(p for p in sys.path if p.endswith(".zip") and p.startswith("/lib/python")) + "/"
def from_the_zip(module):  # frozen modules (in the binary) also name a file in the zip: left out
    return ((getattr(module, "__file__", None) or "").startswith(prefix)
            and getattr(getattr(module, "__spec__", None), "origin", None) != "frozen")
sorted({m.__file__[len(prefix):] for m in list(sys.modules.values()) if from_the_zip(m)})
`;

async function importLikeThePage(stdlib) {
  const pyodide = await loadPyodide({ stdLibURL: path.resolve(stdlib) });
  pyodide.FS.mkdirTree("/host");
  pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: "/" }, "/host");
  pyodide.globals.set("repo", "/host" + path.resolve(root));
  await pyodide.loadPackage(path.resolve(micropip), { messageCallback: () => {} });
  return [pyodide, (await pyodide.runPythonAsync(IMPORT_LIKE_THE_PAGE)).toJs()];
}

// Any failure: one line (Pyodide's errors otherwise print a line of its minified source).
process.on("uncaughtException", (error) => {
  const lines = String(error.message || error).trim().split("\n");
  // a Python traceback: its exception line (hints may follow it); anything else: its first line
  const raised = lines.filter((line) => /^[\w.]+(Error|Exception|Exit)\b/.test(line));
  console.error(`py_compile_stdlib: ${raised.length ? raised[raised.length - 1] : lines[0]}`);
  process.exit(1);
});

const [pyodide, wanted] = await importLikeThePage(src);

pyodide.FS.writeFile("/tmp/stdlib.zip", fs.readFileSync(src));
pyodide.globals.set("wanted", wanted);
const summary = pyodide.runPython(`
import importlib.util, sys, zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

prefix = next(p for p in sys.path if p.endswith(".zip") and p.startswith("/lib/python")) + "/"
wanted = set(wanted)
compiled = 0
with zipfile.ZipFile("/tmp/stdlib.zip") as zin, zipfile.ZipFile("/tmp/out.zip", "w", zipfile.ZIP_DEFLATED) as zout:
    for info in zin.infolist():
        data = zin.read(info)
        if info.filename in wanted and info.filename.endswith(".py"):
            code = compile(data, prefix + info.filename, "exec", dont_inherit=True)
            entry = zipfile.ZipInfo(info.filename[:-3] + ".pyc", date_time=(2020, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            zout.writestr(entry, bytes(_code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False)))
            compiled += 1
        else:
            zout.writestr(info, data)
f"{compiled} of {sum(1 for n in zin.namelist() if n.endswith('.py'))} modules"
`);
fs.writeFileSync(dst + ".tmp", pyodide.FS.readFile("/tmp/out.zip"));

// Check: Pyodide starts on the new zip and imports the same modules, from bytecode.
const [check, again] = await importLikeThePage(dst + ".tmp");
const fromSource = check.runPython(`
[m.__name__ for m in list(sys.modules.values()) if from_the_zip(m) and m.__file__.endswith(".py")]
`).toJs();
if (again.length < wanted.length || fromSource.length) {
  fs.unlinkSync(dst + ".tmp");
  console.error(`py_compile_stdlib: the compiled standard library does not import as the source did ` +
                `(${again.length} vs ${wanted.length} modules; still from source: ${fromSource.join(", ")})`);
  process.exit(1);
}
fs.renameSync(dst + ".tmp", dst);
const mb = (file) => (fs.statSync(file).size / 1e6).toFixed(2);
console.log(`py-compiled ${summary} of the standard library: ${mb(src)} -> ${mb(dst)} MB`);
