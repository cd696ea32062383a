// Split Pyodide's standard library into what the page imports at start-up and the rest, on demand
// (build.py vendor runs this).
//
// Usage: node tools/stdlib.mjs REPO_ROOT SRC_ZIP OUT_DIR WHEEL MODULES [--form FORM] [--micropip WHEEL]
//
// SRC_ZIP is Pyodide's python_stdlib.zip (sources); WHEEL a wheel of our package, MODULES a comma-separated
// list of our modules the page can import (build.py computes both). This runs the same Pyodide under Node and
// does what the page's start-up does: Pyodide's own start, PyScript's bootstrap (its `pyscript` package, with
// stand-ins for the JavaScript modules only the browser has), unpacking WHEEL as PyScript's `files` does,
// importing MODULES, and, with --micropip (the page installs a vendored scientific stack with micropip),
// micropip installing a wheel and reading the installed metadata. It then writes:
//
//   OUT_DIR/python_stdlib.zip    the standard-library files those imports loaded, in the FORM asked for
//                                (below), and `on-demand.json`: {"chunks": {top-level name: file name}}
//   OUT_DIR/stdlib/NAME.zip      every other file of SRC_ZIP, one archive per top-level name (`email`,
//                                `xml`, `colorsys`...), as sources: cleanlens.web.stdlib fetches the archive
//                                of a module the page imports later and imports it from there.
//
// FORM: `compiled` (the default; bytecode, `name.pyc`, unchecked-hash so never revalidated),
// `compiled-nodoc` (the same without docstrings: `__doc__` is None, line numbers kept), `source` (as
// Pyodide ships them), `source-min` (sources without docstrings and comments, as ast.unparse writes them).
// Frozen modules (in the binary; their files in SRC_ZIP are never read) go into the on-demand archives.
// The result is checked by starting Pyodide on the new zip and doing the same again: every module the first
// pass imported from SRC_ZIP must come from the new zip. Prints one line.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args.splice(at, 2)[1];
};
const form = option("--form") || "compiled";
const micropip = option("--micropip");
const [root, src, out, wheel, modules] = args;
if (!modules || !["compiled", "compiled-nodoc", "source", "source-min"].includes(form)) {
  console.error("usage: node tools/stdlib.mjs REPO_ROOT SRC_ZIP OUT_DIR WHEEL MODULES [--form FORM] [--micropip WHEEL]");
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(root), "package.json"));
const { loadPyodide } = require("pyodide");

// Any failure: one line (Pyodide's errors otherwise print a line of its minified source).
process.on("uncaughtException", (error) => {
  const lines = String(error.message || error).trim().split("\n");
  const raised = lines.filter((line) => /^[\w.]+(Error|Exception|Exit)\b/.test(line));
  console.error(`stdlib: ${raised.length ? raised[raised.length - 1] : lines[0]}`);
  process.exit(1);
});

// Stand-ins for what only the browser has: any attribute is another stand-in, calling one returns one.
const standIn = (known = {}) => new Proxy(function () {}, {
  get: (target, key) =>
    key in known ? known[key] : key === Symbol.toPrimitive ? () => "" : key === "then" ? undefined : standIn(),
  apply: () => standIn(),
  construct: () => standIn(),
});

// The page's start-up, in Python. Returns the standard-library files (relative to the zip) it loaded.
const START_LIKE_THE_PAGE = `
import importlib, sys
sys.path.insert(0, pyscript_stdlib)
import pyscript  # PyScript's bootstrap imports it before running the page's script
for name in modules.split(","):
    importlib.import_module(name)
if with_micropip:
    import micropip
    await micropip.install("emfs:" + probe_wheel)
    import importlib.metadata, sysconfig
    [dist.metadata["Name"] for dist in importlib.metadata.distributions()]
    sysconfig.get_config_vars()
prefix = next(p for p in sys.path if p.endswith(".zip") and p.startswith("/lib/python")) + "/"
def from_the_zip(module):  # frozen modules (in the binary) also name a file in the zip: left out
    file = getattr(module, "__file__", None)  # (JavaScript modules: a JsProxy, not a str)
    return (isinstance(file, str) and file.startswith(prefix)
            and getattr(getattr(module, "__spec__", None), "origin", None) != "frozen")
sorted({m.__file__[len(prefix):] for m in list(sys.modules.values()) if from_the_zip(m)})
`;

async function startLikeThePage(stdlib) {
  const pyodide = await loadPyodide({ stdLibURL: path.resolve(stdlib) });
  globalThis.document = standIn(); // cleanlens.web.app binds js.document when imported
  pyodide.registerJsModule("polyscript", standIn({ config: {} }));
  pyodide.registerJsModule("_pyscript", standIn());
  // as PyScript's `files` does with our wheel: unpacked into the working directory (on sys.path)
  pyodide.unpackArchive(new Uint8Array(fs.readFileSync(wheel)), "whl", { extractDir: "." });
  if (micropip) await pyodide.loadPackage(path.resolve(micropip), { messageCallback: () => {} });
  pyodide.FS.writeFile("/tmp/probe-0.0.0-py3-none-any.whl", fs.readFileSync(wheel));
  pyodide.FS.mkdirTree("/host");
  pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: "/" }, "/host");
  pyodide.globals.set("pyscript_stdlib", "/host" + fs.realpathSync(path.resolve(root, "node_modules/@pyscript/core/src/stdlib")));
  pyodide.globals.set("modules", modules);
  pyodide.globals.set("with_micropip", Boolean(micropip));
  pyodide.globals.set("probe_wheel", "/tmp/probe-0.0.0-py3-none-any.whl");
  return [pyodide, (await pyodide.runPythonAsync(START_LIKE_THE_PAGE)).toJs()];
}

const [pyodide, wanted] = await startLikeThePage(src);

pyodide.FS.writeFile("/tmp/stdlib.zip", fs.readFileSync(src));
pyodide.globals.set("wanted", wanted);
pyodide.globals.set("form", form);
fs.mkdirSync(path.join(out, "stdlib"), { recursive: true });
const summary = pyodide.runPython(`
import ast, importlib.util, json, os, sys, zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

def without_docstrings(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                node.body[0:1] = [] if len(node.body) > 1 else [ast.copy_location(ast.Pass(), first)]
    return tree

def shipped(name, data):  # -> (file name, bytes) in the zip
    if form == "source" or not name.endswith(".py"):
        return name, data
    if form == "source-min":
        return name, ast.unparse(without_docstrings(ast.parse(data))).encode()
    tree = ast.parse(data) if form == "compiled" else without_docstrings(ast.parse(data))
    code = compile(tree, prefix + name, "exec", dont_inherit=True)
    return name[:-3] + ".pyc", bytes(_code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False))

def entry(name):
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info

prefix = next(p for p in sys.path if p.endswith(".zip") and p.startswith("/lib/python")) + "/"
wanted = set(wanted)
rest = {}  # top-level name -> [(file name, bytes)]
with zipfile.ZipFile("/tmp/stdlib.zip") as zin, zipfile.ZipFile("/tmp/out.zip", "w", zipfile.ZIP_DEFLATED) as zout:
    for info in zin.infolist():
        if info.is_dir():
            continue
        data = zin.read(info)
        if info.filename not in wanted:
            top = info.filename.split("/", 1)[0]
            rest.setdefault(top[:-3] if top.endswith(".py") else top, []).append((info.filename, data))
        else:
            name, data = shipped(info.filename, data)
            zout.writestr(entry(name), data)
    chunks = {top: top + ".zip" for top in sorted(rest)}
    zout.writestr(entry("on-demand.json"), json.dumps({"chunks": chunks}, sort_keys=True))
os.makedirs("/tmp/stdlib", exist_ok=True)
for top, files in rest.items():
    with zipfile.ZipFile("/tmp/stdlib/" + chunks[top], "w", zipfile.ZIP_DEFLATED) as chunk:
        for name, data in sorted(files):
            chunk.writestr(entry(name), data)
f"{len(wanted)} of {sum(1 for n in zin.namelist() if n.endswith('.py'))} files at start-up"
`);

// Check: Pyodide starts on the new zip and imports the same modules, all from it.
fs.writeFileSync(path.join(out, "python_stdlib.zip.tmp"), pyodide.FS.readFile("/tmp/out.zip"));
const [, again] = await startLikeThePage(path.join(out, "python_stdlib.zip.tmp"));
const fileOf = (name) => name.replace(/\.pyc$/, ".py");
const missing = wanted.filter((name) => !again.map(fileOf).includes(name));
if (missing.length) {
  fs.unlinkSync(path.join(out, "python_stdlib.zip.tmp"));
  console.error(`stdlib: the trimmed standard library does not start as the whole one did (missing: ${missing.join(", ")})`);
  process.exit(1);
}
for (const name of fs.readdirSync(path.join(out, "stdlib"))) fs.unlinkSync(path.join(out, "stdlib", name));
let restBytes = 0;
for (const name of pyodide.FS.readdir("/tmp/stdlib")) {
  if (name.startsWith(".")) continue;
  const data = pyodide.FS.readFile(`/tmp/stdlib/${name}`);
  restBytes += data.length;
  fs.writeFileSync(path.join(out, "stdlib", name), data);
}
fs.renameSync(path.join(out, "python_stdlib.zip.tmp"), path.join(out, "python_stdlib.zip"));
const mb = (bytes) => (bytes / 1e6).toFixed(2);
console.log(
  `standard library: ${summary} (${form}), ` +
  `${mb(fs.statSync(src).size)} -> ${mb(fs.statSync(path.join(out, "python_stdlib.zip")).size)} MB; ` +
  `the rest on demand: ${mb(restBytes)} MB`,
);
