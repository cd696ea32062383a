// The training worker (a module Web Worker): cross-validation off the page's main thread.
//
// It starts Pyodide (the same files as the page, so the browser's cache serves them) with our package, which
// gives the built-in engine, and the page's standard library: cut to the page's start-up, the rest on demand
// (cleanlens.web.stdlib), plus the archive of what loading the stack imports besides, fetched as it starts
// (worker.json's stdlib_ahead: no module is then fetched on demand while the stack's files are downloading,
// which could stall both). On the page's {type: "stack"} it loads numpy and scikit-learn (the files listed in
// worker.json, which build.py writes), counting the bytes as they arrive; every other message goes to Python
// (cleanlens.web.worker.Trainer), which posts progress and results back. It tells the page how far it got with
// status messages:
//   {type: "status", state: "starting" | "ready" | "failed", stack: "none" | "loading" | "ready" | "failed",
//    loaded, total (bytes of the stack), versions (name -> version once loaded), reason (why it failed),
//    memory (bytes of Python's memory), start (seconds the start took), seconds (the stack's load took),
//    imported (of which importing scikit-learn took)}.
// No app logic here: docs/engine.md, "Training in a worker".
const here = new URL("./", import.meta.url);
const WHEEL = "/home/pyodide/cleanlens.whl";
const AHEAD = "/lib/stdlib-ahead.zip";
const status = { type: "status", state: "starting", stack: "none", loaded: 0, total: 0, versions: {}, reason: "" };
const waiting = [];
let pyodide = null;
let trainer = null;
let manifest = null;
let stackLoad = null;

const firstLine = (error) => String((error && error.message) || error).trim().split("\n").pop().slice(0, 300);

function report(changes) {
  Object.assign(status, changes);
  status.memory = pyodide ? pyodide._module.HEAP8.length : 0;
  self.postMessage({ ...status });
}

// Python's messages: dicts with bytes for the arrays; their buffers are transferred, not copied.
function post(message) {
  const data = message.toJs({ dict_converter: Object.fromEntries });
  message.destroy();
  const transfer = Object.values(data).filter((value) => ArrayBuffer.isView(value)).map((value) => value.buffer);
  self.postMessage(data, transfer);
}

function deliver(message) {
  const value = pyodide.toPy(message);
  try {
    trainer.handle(value);
  } finally {
    value.destroy();
  }
}

self.onmessage = (event) => {
  const message = event.data;
  if (message.type === "stack") loadStack();
  else if (trainer) deliver(message);
  else waiting.push(message);
};

async function fetchOk(url) {
  const response = await fetch(new URL(url, here));
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

async function start() {
  try {
    const started = performance.now();
    manifest = await (await fetchOk("worker.json")).json();
    const indexURL = new URL(manifest.indexURL, here).href;
    const { loadPyodide } = await import(indexURL + "pyodide.mjs");
    const wheel = fetchOk(manifest.wheel).then((response) => response.arrayBuffer());
    // the standard-library files the stack needs besides the page's, fetched now (a failure only means that
    // they are fetched on demand when imported)
    const ahead = fetchOk(manifest.stdlib + manifest.stdlib_ahead).then((response) => response.arrayBuffer(), () => null);
    pyodide = await loadPyodide({ indexURL, stdout: (line) => console.log(line), stderr: (line) => console.warn(line) });
    // as the page: our package imported from its wheel, the standard library's other modules on demand
    pyodide.FS.writeFile(WHEEL, new Uint8Array(await wheel));
    pyodide.runPython(`import sys; sys.path.insert(0, "${WHEEL}")`);
    const stdlib = pyodide.pyimport("cleanlens.web.stdlib");
    const finder = stdlib.install(new URL(manifest.stdlib, here).href);
    stdlib.destroy();
    const fetchedAhead = await ahead;
    if (finder && fetchedAhead) {
      pyodide.FS.writeFile(AHEAD, new Uint8Array(fetchedAhead));
      finder.provide(manifest.stdlib_ahead, AHEAD);
    }
    if (finder) finder.destroy();
    const module = pyodide.pyimport("cleanlens.web.worker");
    trainer = module.Trainer(post);
    module.destroy();
    const total = Object.values(manifest.files).reduce((sum, size) => sum + size, 0);
    report({ state: "ready", total, start: (performance.now() - started) / 1000 });
    for (const message of waiting.splice(0)) deliver(message);
  } catch (error) {
    console.warn(error);
    report({ state: "failed", reason: firstLine(error) });
  }
}

// Pyodide fetches each package with the lock file's SHA-256 as the request's integrity, so the browser would
// hand over nothing until a whole file had arrived. For the stack's files the worker fetches without it,
// counts the bytes as they arrive (the page shows MB), and checks the same SHA-256 itself before Pyodide sees
// the file (where crypto.subtle is missing, i.e. not a secure context, the browser checks it as usual).
const nativeFetch = self.fetch.bind(self);
let counted = 0;
let lastReport = 0;

async function countingFetch(input, init = {}) {
  const url = new URL(String(input.url || input), self.location.href);
  url.search = "";
  const size = manifest && manifest.files[url.href.slice(here.href.length)];
  if (size === undefined || !init.integrity || !self.crypto || !self.crypto.subtle) return nativeFetch(input, init);
  const { integrity, ...rest } = init;
  const response = await nativeFetch(input, rest);
  if (!response.ok || !response.body) return response;
  const reader = response.body.getReader();
  const chunks = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.length;
    counted += value.length;
    if (performance.now() - lastReport > 250) {
      lastReport = performance.now();
      report({ loaded: counted });
    }
  }
  report({ loaded: counted });
  const body = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  const digest = new Uint8Array(await self.crypto.subtle.digest("SHA-256", body));
  if (`sha256-${btoa(String.fromCharCode(...digest))}` !== integrity) {
    throw new TypeError(`${url.pathname.split("/").pop()} does not match the SHA-256 of the lock file`);
  }
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

function loadStack() {
  stackLoad = stackLoad || booted.then(async () => {
    if (status.state !== "ready") return;
    const started = performance.now();
    counted = 0;
    report({ stack: "loading", loaded: 0 });
    const problems = [];
    self.fetch = countingFetch;
    try {
      await pyodide.loadPackage(manifest.packages, { messageCallback: () => {}, errorCallback: (m) => problems.push(m) });
      const installed = performance.now();
      const module = pyodide.pyimport("cleanlens.web.worker");
      const versions = module.warm_up();
      const plain = versions.toJs({ dict_converter: Object.fromEntries });
      versions.destroy();
      module.destroy();
      const seconds = (performance.now() - started) / 1000;
      report({ stack: "ready", loaded: counted, versions: plain, seconds, imported: (performance.now() - installed) / 1000 });
    } catch (error) {
      console.warn(problems.join("\n"), error);
      report({ stack: "failed", reason: firstLine(problems[0] || error) });
      stackLoad = null; // asking again tries again
    } finally {
      self.fetch = nativeFetch;
    }
  });
  return stackLoad;
}

const booted = start();
