// Test and benchmark builds only (never in the published dist/): the browser-suite server
// serves a copy of the site with this file as the first script of the page (see site.py).
// WebKitWebDriver and Marionette cannot read the console, so it records into
// window.__cleanlens what a test must check and a benchmark must time:
//   errors:   console.error calls, uncaught errors, failed <script>/<link>/<img> loads,
//             rejected promises nobody handled, Content-Security-Policy violations;
//   warnings: console.warn calls (reported, not failed on);
//   marks:    [name, ms since navigation start] of the start-up stages: PyScript's
//             py:progress events, WebAssembly compile/instantiate, py:ready, the stage text,
//             the tools' live markup and every <body data-state>.
(function () {
  "use strict";
  const rec = (window.__cleanlens = { errors: [], warnings: [], marks: [] });
  const now = () => performance.now();
  const mark = (name) => rec.marks.push([name, now()]);
  const text = (value) => {
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    try { return typeof value === "string" ? value : String(value); } catch (e) { return "(unprintable)"; }
  };

  const consoleError = console.error;
  console.error = function (...args) {
    rec.errors.push("console.error: " + args.map(text).join(" "));
    return consoleError.apply(this, args);
  };
  const consoleWarn = console.warn;
  console.warn = function (...args) {
    rec.warnings.push(args.map(text).join(" "));
    return consoleWarn.apply(this, args);
  };
  window.addEventListener("error", (event) => {
    const target = event.target;
    if (target && target !== window && (target.src || target.href)) {
      rec.errors.push(`failed to load: ${target.src || target.href}`);
    } else {
      rec.errors.push(`uncaught: ${event.message || text(event.error)}`);
    }
  }, true);
  window.addEventListener("unhandledrejection", (event) => rec.errors.push("unhandled rejection: " + text(event.reason)));
  document.addEventListener("securitypolicyviolation", (event) =>
    rec.errors.push(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "(inline)"}`));

  // Start-up stages.
  window.addEventListener("py:progress", (event) => mark(text(event.detail)));
  document.addEventListener("py:ready", () => mark("py:ready"), true);
  for (const name of ["compile", "compileStreaming", "instantiate", "instantiateStreaming"]) {
    const original = WebAssembly[name];
    if (typeof original !== "function") continue;
    WebAssembly[name] = function (...args) {
      const started = now();
      const result = original.apply(this, args);
      result.then(() => rec.marks.push([`wasm ${name}`, started, now()]), () => {});
      return result;
    };
  }
  // Modules compiled synchronously (e.g. call trampolines built at run time): counted, with their time.
  const SyncModule = WebAssembly.Module;
  rec.syncModules = { count: 0, ms: 0 };
  WebAssembly.Module = new Proxy(SyncModule, {
    construct(target, args, newTarget) {
      const started = now();
      try { return Reflect.construct(target, args, newTarget); } finally {
        rec.syncModules.count += 1;
        rec.syncModules.ms += now() - started;
      }
    },
  });
  let lastState = null;
  let lastStage = null;
  let toolsLive = false;
  new MutationObserver(() => {
    const body = document.body;
    if (body && body.dataset.state !== lastState) {
      lastState = body.dataset.state;
      mark(`state ${lastState}`);
    }
    const stage = document.getElementById("stage");
    if (stage && stage.textContent !== lastStage) {
      lastStage = stage.textContent;
      mark(`stage ${lastStage}`);
    }
    const tools = document.getElementById("tools");
    if (!toolsLive && tools && tools.querySelector("button:not([disabled])")) {
      toolsLive = true;
      mark("tools live");
    }
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["data-state"] });
})();
