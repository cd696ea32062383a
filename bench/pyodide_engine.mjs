// Run bench/bench_engine.py's measurements inside Pyodide under Node.
//
// Usage: node bench/pyodide_engine.mjs REPO_ROOT SPEC_JSON
// Mounts the host's / at /host (NODEFS), so host paths work with a /host
// prefix; puts REPO_ROOT/py and REPO_ROOT on sys.path, calls
// bench.bench_engine.run_tasks(spec) and prints one JSON line:
// {"pyodide": version, "python": version, "results": {row: [seconds, ...]}}.
import { createRequire } from "node:module";
import path from "node:path";

const [root, spec] = process.argv.slice(2);
if (!root || !spec) {
  console.error("usage: node bench/pyodide_engine.mjs REPO_ROOT SPEC_JSON");
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(root), "package.json"));
const { loadPyodide, version } = require("pyodide");

const pyodide = await loadPyodide();
pyodide.FS.mkdirTree("/host");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: "/" }, "/host");
pyodide.globals.set("repo", "/host" + path.resolve(root));
pyodide.globals.set("spec_json", spec);
const out = await pyodide.runPythonAsync(`
import json, os, platform, sys
sys.path[:0] = [repo + "/py", repo]
os.chdir(repo)
from bench.bench_engine import run_tasks
json.dumps({"python": platform.python_version(), "results": run_tasks(json.loads(spec_json))})
`);
const parsed = JSON.parse(out);
parsed.pyodide = version;
console.log(JSON.stringify(parsed));
