// Split Pyodide's standard library into what the page imports at start-up, what the training worker adds
// when it loads the scientific stack, and the rest, on demand (build.py dist runs this, through
// build_runtime.page_stdlib).
//
// Usage: node tools/stdlib.mjs JOB_JSON
//
// JOB_JSON: {"root": the repository, "src": Pyodide's python_stdlib.zip (sources), "out": the folder to write,
// "form": FORM (below), "wheel": a wheel of our package, "wheel_as": where PyScript's `files` writes it in
// Python's working directory, "page": our modules the page can import, and optionally "worker": {"index":
// the vendored Pyodide folder (its lock file and the stack's wheels), "packages": what the worker loads,
// "modules": our modules the worker can import, "archive": the file name of the worker's archive}.
//
// This runs the same Pyodide under Node and does what the page's start-up does: Pyodide's own start,
// PyScript's bootstrap (its `pyscript` package, with stand-ins for the JavaScript modules only the browser
// has), our wheel put on sys.path as the page's script does, and importing the page's modules. Then, in
// another Pyodide, what static/worker.js does: our wheel, the worker's modules, loadPackage of the stack and
// cleanlens.web.worker.warm_up() (scikit-learn's imports). Each pass records every standard-library file an
// import looked for and found, even when importing it then failed (an optional import: `try: import lzma`),
// so that such an import fails from the shipped files as it did here, without asking the network. It writes:
//
//   out/python_stdlib.zip   the page's files, in FORM, and `on-demand.json`: {"modules": {module name:
//                           archive file name}} for every module of the archives below, and "ahead":
//                           {archive file name: [module names]} for the worker's archive
//   out/stdlib/ARCHIVE      (the worker's "archive") the files the worker's pass added, in FORM: the worker
//                           fetches it when it starts, ahead of the stack (cleanlens.web.stdlib)
//   out/stdlib/NAME.zip     every other file of src, one archive per top-level name (`email`, `xml`,
//                           `colorsys`...), as sources: cleanlens.web.stdlib fetches the archive of a module
//                           imported later and imports it from there.
//
// FORM: `compiled` (bytecode, `name.pyc`, unchecked-hash so never revalidated), `compiled-nodoc` (the same
// without docstrings: `__doc__` is None), `compiled-lines` (the same without column positions either, as
// `python -X no_debug_ranges` compiles: a traceback still names every line, without the `^^^` under the
// expression; a quarter less), `source` (as Pyodide ships them), `source-min` (sources without docstrings
// and comments, as ast.unparse writes them). Frozen modules (in the binary;
// their files in src are never read) go into the on-demand archives. The page's zip is checked by starting
// Pyodide on it and doing the page's start-up again: every file the first pass loaded must come from it.
// Prints one line.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const job = JSON.parse(process.argv[2] || "null");
if (!job || !["compiled", "compiled-nodoc", "compiled-lines", "source", "source-min"].includes(job.form)) {
  console.error("usage: node tools/stdlib.mjs JOB_JSON (see the comment at its top)");
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(job.root), "package.json"));
const { loadPyodide } = require("pyodide");
const wheelAs = "/home/pyodide/" + job.wheel_as;

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

// Set up the recording and our wheel (both passes).
const RECORD = `
import importlib, sys
from importlib.machinery import PathFinder
prefix = next(p for p in sys.path if p.endswith(".zip") and p.startswith("/lib/python")) + "/"
tried = set()
class Record:  # before Python's path finder (after the frozen and built-in ones): what is looked for in the zip
    def find_spec(self, name, path=None, target=None):
        spec = PathFinder.find_spec(name, path)
        origin = spec and spec.origin
        if isinstance(origin, str) and origin.startswith(prefix):
            tried.add(origin[len(prefix):])
        return None
sys.meta_path.insert(sys.meta_path.index(PathFinder), Record())
def recorded():  # the standard-library files looked for, or loaded (frozen modules also name a file: left out)
    def from_the_zip(module):
        file = getattr(module, "__file__", None)  # (JavaScript modules: a JsProxy, not a str)
        return (isinstance(file, str) and file.startswith(prefix)
                and getattr(getattr(module, "__spec__", None), "origin", None) != "frozen")
    return sorted(tried | {m.__file__[len(prefix):] for m in list(sys.modules.values()) if from_the_zip(m)})
`;

async function pyodideWith(options) {
  // compiled-lines: Python compiles without column positions, as `python -X no_debug_ranges` does
  const env = job.form === "compiled-lines" ? { PYTHONNODEBUGRANGES: "1" } : {};
  const pyodide = await loadPyodide({ ...options, env });
  pyodide.runPython(RECORD);
  pyodide.FS.writeFile(wheelAs, fs.readFileSync(job.wheel)); // as PyScript's `files` (the worker: the same)
  pyodide.globals.set("wheel", wheelAs);
  return pyodide;
}

// The page's start-up: the standard-library files (relative to the zip) it looked for.
async function startLikeThePage(stdlib) {
  const pyodide = await pyodideWith({ stdLibURL: path.resolve(stdlib) });
  globalThis.document = standIn(); // cleanlens.web.app binds js.document when imported
  pyodide.registerJsModule("polyscript", standIn({ config: {} }));
  pyodide.registerJsModule("_pyscript", standIn());
  pyodide.FS.mkdirTree("/host");
  pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: "/" }, "/host");
  const pyscript = fs.realpathSync(path.resolve(job.root, "node_modules/@pyscript/core/src/stdlib"));
  pyodide.globals.set("pyscript_stdlib", "/host" + pyscript);
  pyodide.globals.set("modules", job.page);
  await pyodide.runPythonAsync(`
sys.path.insert(0, pyscript_stdlib)
import pyscript  # PyScript's bootstrap imports it before running the page's script
sys.path.insert(0, wheel)  # as the page's script does
for name in modules:
    importlib.import_module(name)
`);
  return [pyodide, pyodide.runPython("recorded()").toJs()];
}

// What the training worker does (static/worker.js): the standard-library files it looked for.
async function startLikeTheWorker() {
  const worker = job.worker;
  const pyodide = await pyodideWith({ indexURL: path.resolve(worker.index) + "/", stdLibURL: path.resolve(job.src) });
  pyodide.globals.set("modules", worker.modules);
  pyodide.runPython(`
sys.path.insert(0, wheel)
for name in modules:
    importlib.import_module(name)
`);
  await pyodide.loadPackage(worker.packages, { messageCallback: () => {} });
  pyodide.runPython("import cleanlens.web.worker; cleanlens.web.worker.warm_up()");
  return pyodide.runPython("recorded()").toJs();
}

const [pyodide, wanted] = await startLikeThePage(job.src);
const workerFiles = job.worker ? await startLikeTheWorker() : [];

pyodide.FS.writeFile("/tmp/stdlib.zip", fs.readFileSync(job.src));
pyodide.globals.set("wanted", wanted);
pyodide.globals.set("worker_files", workerFiles);
pyodide.globals.set("ahead", job.worker ? job.worker.archive : null);
pyodide.globals.set("form", job.form);
const summary = pyodide.runPython(`
import ast, importlib.util, json, os, zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

def without_docstrings(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                node.body[0:1] = [] if len(node.body) > 1 else [ast.copy_location(ast.Pass(), first)]
    return tree

def shipped(name, data):  # -> (file name, bytes) in FORM
    if form == "source" or not name.endswith(".py"):
        return name, data
    if form == "source-min":
        return name, ast.unparse(without_docstrings(ast.parse(data))).encode()
    tree = ast.parse(data) if form == "compiled" else without_docstrings(ast.parse(data))  # (-nodoc, -lines)
    code = compile(tree, prefix + name, "exec", dont_inherit=True)
    return name[:-3] + ".pyc", bytes(_code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False))

def entry(name):
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info

def module_name(file):
    return file[:-3].removesuffix("/__init__").replace("/", ".")

def write(archive, files, form_of):
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in sorted(files):
            out.writestr(entry(form_of(name, data)[0]), form_of(name, data)[1])

wanted = set(wanted)
ahead_files = set(worker_files) - wanted
page, worker, rest = [], [], {}  # rest: top-level name -> [(file name, bytes)]
with zipfile.ZipFile("/tmp/stdlib.zip") as zin:
    for info in zin.infolist():
        if info.is_dir():
            continue
        data = zin.read(info)
        if info.filename in wanted:
            page.append((info.filename, data))
            continue
        if info.filename in ahead_files:
            worker.append((info.filename, data))
        top = info.filename.split("/", 1)[0]
        rest.setdefault(top[:-3] if top.endswith(".py") else top, []).append((info.filename, data))
chunks = {top: top + ".zip" for top in sorted(rest)}
index = {module_name(name): chunks[top] for top, files in rest.items() for name, _ in files if name.endswith(".py")}
on_demand = {"modules": index, "ahead": {ahead: sorted(module_name(n) for n, _ in worker if n.endswith(".py"))} if ahead else {}}
os.makedirs("/tmp/stdlib", exist_ok=True)
write("/tmp/out.zip", page, shipped)
with zipfile.ZipFile("/tmp/out.zip", "a", zipfile.ZIP_DEFLATED) as zout:
    zout.writestr(entry("on-demand.json"), json.dumps(on_demand, sort_keys=True, separators=(",", ":")))
for top, files in rest.items():
    write("/tmp/stdlib/" + chunks[top], files, lambda name, data: (name, data))
if ahead:
    write("/tmp/stdlib/" + ahead, worker, shipped)
(f"{len(wanted)} of {sum(1 for n in zin.namelist() if n.endswith('.py'))} files at start-up"
 + (f", {len(worker)} more for the worker's stack" if ahead else ""))
`);

// Check: Pyodide starts on the new zip and imports the same modules, all from it.
fs.mkdirSync(path.join(job.out, "stdlib"), { recursive: true });
fs.writeFileSync(path.join(job.out, "python_stdlib.zip.tmp"), pyodide.FS.readFile("/tmp/out.zip"));
const [, again] = await startLikeThePage(path.join(job.out, "python_stdlib.zip.tmp"));
const fileOf = (name) => name.replace(/\.pyc$/, ".py");
const missing = wanted.filter((name) => !again.map(fileOf).includes(name));
if (missing.length) {
  fs.unlinkSync(path.join(job.out, "python_stdlib.zip.tmp"));
  console.error(`stdlib: the trimmed standard library does not start as the whole one did (missing: ${missing.join(", ")})`);
  process.exit(1);
}
for (const name of fs.readdirSync(path.join(job.out, "stdlib"))) fs.unlinkSync(path.join(job.out, "stdlib", name));
let restBytes = 0;
for (const name of pyodide.FS.readdir("/tmp/stdlib")) {
  if (name.startsWith(".")) continue;
  const data = pyodide.FS.readFile(`/tmp/stdlib/${name}`);
  if (!job.worker || name !== job.worker.archive) restBytes += data.length;
  fs.writeFileSync(path.join(job.out, "stdlib", name), data);
}
fs.renameSync(path.join(job.out, "python_stdlib.zip.tmp"), path.join(job.out, "python_stdlib.zip"));
const mb = (bytes) => (bytes / 1e6).toFixed(2);
const size = (name) => fs.statSync(path.join(job.out, name)).size;
console.log(
  `standard library: ${summary} (${job.form}), ${mb(fs.statSync(job.src).size)} -> ${mb(size("python_stdlib.zip"))} MB` +
  (job.worker ? ` + ${mb(size("stdlib/" + job.worker.archive))} MB for the worker` : "") +
  `; the rest on demand: ${mb(restBytes)} MB`,
);
