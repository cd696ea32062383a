// Run bench/bench_userdata.py's measurements inside Pyodide under Node.
//
// Usage: node bench/pyodide_userdata.mjs REPO_ROOT SPEC_JSON
// SPEC: {"task": "times" | "refused" | "features", "root": DIR with cleanlens, "data": DIR, "case": name (features: a
// CSV path), "copy": bool}.
// Mounts the host's / at /host (NODEFS). Prints one JSON line.
// "refused": the case's files are read by Node into ArrayBuffers (JavaScript memory, as the page's
// File.arrayBuffer() gives them); Python gets them as one bytes copy ("copy": true, how the page read
// files before) or through a source that copies one slice per read; the wasm memory size
// (pyodide._module.HEAP8.length) is reported before and after the load attempt.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const [root, specJson] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(root), "package.json"));
const { loadPyodide } = require("pyodide");

const pyodide = await loadPyodide();
pyodide.FS.mkdirTree("/host");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: "/" }, "/host");
pyodide.globals.set("repo", "/host" + path.resolve(root));
pyodide.globals.set("spec_json", specJson);
pyodide.globals.set("wasm_bytes", () => pyodide._module.HEAP8.length);
pyodide.globals.set("read_host_file", (p) => {
  const b = fs.readFileSync(p);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
});
const out = await pyodide.runPythonAsync(`
import gc, json, sys, time
from types import SimpleNamespace
import js
spec = json.loads(spec_json)
sys.path[:0] = ["/host" + spec["root"], repo]
from bench.bench_userdata import case_files, run_cases, CASES
import cleanlens.userdata
from cleanlens.userdata import UserDataError, load_files
if spec["task"] == "times":
    result = run_cases("/host" + spec["data"], CASES, 1)
elif spec["task"] == "features":
    from cleanlens import crossval
    data = open("/host" + spec["case"], "rb").read()
    gc.collect()
    before = wasm_bytes()
    start = time.perf_counter()
    loaded = load_files([("features.csv", data)], max_embedding_rows=10**6, max_feature_values=10**9)
    seconds = time.perf_counter() - start
    after_load = wasm_bytes()
    start = time.perf_counter()
    crossval.out_of_sample_probabilities(loaded.dataset.features, loaded.dataset.given, len(loaded.dataset.classes), engine="builtin")
    result = {"load": seconds, "train": time.perf_counter() - start, "before": before, "loaded": after_load, "trained": wasm_bytes()}
else:
    files = []
    for name, p in case_files(spec["data"], spec["case"]):
        files.append((name, read_host_file(str(p))))
    gc.collect()
    before = wasm_bytes()
    start = time.perf_counter()
    pairs = []
    for name, buf in files:
        if spec["copy"]:
            data = js.Uint8Array.new(buf).to_bytes()
        else:
            data = SimpleNamespace(size=buf.byteLength, read=lambda s, e, buf=buf: js.Uint8Array.new(buf, s, e - s).to_bytes())
        pairs.append((name, data))
    try:
        load_files(pairs, max_embedding_rows=2000)
        outcome = "loaded"
    except UserDataError as exc:
        outcome = str(exc)
    seconds = time.perf_counter() - start
    del pairs, data
    gc.collect()
    result = {"seconds": seconds, "before": before, "after": wasm_bytes(), "outcome": outcome}
json.dumps(result)
`);
console.log(out);
