// Runs before the page paints: applies the theme the user chose last time, and
// hides the demo's pre-rendered results when the page is about to show other
// work (a saved session, or a link to another view): "Restoring your session…"
// until Python has restored it. On a first visit it opens the guide at once.
// Then it shows a readable error panel if the runtime fails before Python can
// do it itself (a missing file, a failed package install). No app logic here.
//
// Until the controls are live (Python's `cleanlens:live` mark) it also:
// - starts the runtime's downloads early and shows how far they are (below);
// - keeps what the user changes in the pre-rendered page (a slider, a label, a
//   filter: any input or change of a control in #app) and replays it, in order,
//   as the same events once Python's handlers run: nothing is lost;
// - disables the pre-rendered page's buttons (Python's first render replaces them).
(function () {
  const root = document.documentElement;
  let resume = null;
  try {
    const theme = localStorage.getItem("cleanlens-theme");
    if (theme === "light" || theme === "dark") root.dataset.theme = theme;
    resume = localStorage.getItem("cleanlens-resume");
  } catch (e) { /* storage disabled: follow the system theme */ }
  // A view change the page had not yet written into the URL when it was left (app.py: on_beforeunload):
  // a reload of that same URL shows the changed view.
  try {
    const left = JSON.parse(sessionStorage.getItem("cleanlens-unload-view") || "null");
    sessionStorage.removeItem("cleanlens-unload-view");
    if (left && left.from === location.hash && typeof left.to === "string") history.replaceState(null, "", left.to);
  } catch (e) { /* storage disabled or damaged: the URL as it is */ }
  // build.py writes the pre-rendered view into <html data-view>; a link asking for another one resumes too
  const shown = new URLSearchParams(root.dataset.view || "");
  const asked = new URLSearchParams(location.hash.slice(1));
  const otherView = [...shown].some(([key, value]) => asked.has(key) && asked.get(key) !== value) || asked.get("data") === "own";
  if (resume || otherView) root.dataset.resuming = "1";
  document.addEventListener("DOMContentLoaded", () => {
    const guide = document.getElementById("guide");
    if (!guide) return;
    guide.addEventListener("close", () => { try { localStorage.setItem("cleanlens-guide-seen", "1"); } catch (e) { /* not kept */ } });
    let seen = "1";
    try { seen = localStorage.getItem("cleanlens-guide-seen"); } catch (e) { /* storage disabled: no guide */ }
    if (!seen) guide.showModal();
  });
  const showError = (message) => {
    if (document.body.dataset.state !== "loading") return;
    document.getElementById("error-message").textContent = message;
    document.getElementById("error").hidden = false;
    document.getElementById("status").hidden = true;
    document.body.dataset.state = "error";
  };
  window.addEventListener("error", (event) => showError(String(event.message || event.error)));
  // PyScript keeps its own state in IndexedDB and cannot start without it: say so, rather than its error.
  let storage = null;
  try { storage = window.indexedDB; } catch (e) { /* blocked */ }
  if (!storage) {
    document.addEventListener("DOMContentLoaded", () => showError(
      "This browser does not let the page use its storage (IndexedDB), which the Python runtime needs to start. " +
      "Allow site data for this page (or leave private browsing) and reload."));
  }
  window.addEventListener("unhandledrejection", (event) => showError(String(event.reason)));

  // ---------------------------------------------------------------- early downloads
  // build.py lists the runtime's files in #downloads: {"after": the sprite sheet, "modules": [[url, bytes]],
  // "fetched": [[url, bytes]]}. Without it PyScript fetches them one after another. With it, once the sprite
  // sheet is in (the pre-rendered results need it first), the JavaScript modules that PyScript and Pyodide
  // import one after another are preloaded (modulepreload), and the files that they and Python fetch() (the
  // WebAssembly, the standard library, our wheel, the demo's data...) are fetched here, all at once. Each
  // response fetched here is handed to the first fetch() of its URL (nothing is fetched twice), and read here
  // as it arrives, for the progress bar.
  const plan = JSON.parse((document.getElementById("downloads") || {}).textContent || "null");
  const files = new Map(); // absolute URL -> {bytes, got, module, response (a promise, once started), taken}
  const absolute = (url) => new URL(url, document.baseURI).href;
  const pageFetch = window.fetch;
  const queued = new Map(); // changes made before Python runs (below)
  let phase = plan ? "downloading" : "python"; // then "starting" (all in), then "python" (Python writes the stage)
  let shownAt = -Infinity;
  const progress = (now) => {
    if (phase === "python" || (!now && performance.now() - shownAt < 100)) return;
    const bar = document.getElementById("load-progress");
    const stage = document.getElementById("stage");
    if (!bar || !stage) return;
    shownAt = performance.now();
    let got = 0, bytes = 0;
    for (const file of files.values()) { got += Math.min(file.got, file.bytes); bytes += file.bytes; }
    if (got >= bytes && phase === "downloading") {
      phase = "starting";
      performance.mark("cleanlens:downloaded");
    }
    bar.hidden = false;
    bar.value = bytes ? got / bytes : 1;
    bar.setAttribute("aria-valuetext", `${(got / 1e6).toFixed(1)} of ${(bytes / 1e6).toFixed(1)} MB`);
    stage.textContent = "These results were computed when this site was built. " + (phase === "starting"
      ? "Starting Python in your browser to make them live…"
      : `Downloading Python to make them live here: ${Math.floor(100 * bar.value)}%…`) +
      (queued.size ? " What you change now is applied as soon as it runs." : "");
  };
  const arrived = (file) => { file.got = file.bytes; progress(true); };
  const download = (url) => {
    const file = files.get(url);
    file.response = file.response || pageFetch(url).then((response) => {
      // a file the start-up needs is missing: say so (PyScript would write an error page into Python's files)
      if (!response.ok) { arrived(file); throw new Error(`${url.split("/").pop()} could not be downloaded (HTTP ${response.status})`); }
      if (!response.body) { arrived(file); return response; }
      // one branch is read here, at the network's pace, so the download completes whether or not a fetch()
      // has taken the response yet; the other keeps every chunk until its reader (Pyodide...) takes it
      const [here, theirs] = response.body.tee();
      const reader = here.getReader();
      const read = () => reader.read().then(({ done, value }) => {
        if (done) return arrived(file);
        file.got += value.byteLength;
        progress();
        return read();
      });
      read().catch(() => arrived(file));
      return new Response(theirs, { status: response.status, statusText: response.statusText, headers: response.headers });
    });
    return file.response;
  };
  const startDownloads = () => {
    for (const [url] of plan.modules) {
      const link = Object.assign(document.createElement("link"), { rel: "modulepreload", href: url });
      link.addEventListener("load", () => arrived(files.get(absolute(url))));
      link.addEventListener("error", () => arrived(files.get(absolute(url))));
      document.head.append(link);
    }
    for (const [url] of plan.fetched) download(absolute(url));
    progress(true);
  };
  if (plan) {
    for (const [url, bytes] of plan.modules) files.set(absolute(url), { bytes, got: 0, module: true });
    for (const [url, bytes] of plan.fetched) files.set(absolute(url), { bytes, got: 0 });
    window.fetch = function (input, init) {
      const url = input instanceof Request ? input.method === "GET" && input.url
        : typeof input === "string" || input instanceof URL ? absolute(input) : null;
      const file = url && files.get(url);
      // a plain GET (Pyodide's pyfetch always passes an abort signal: the download started here ignores it)
      const plain = !init || Object.entries(init).every(([key, value]) => key === "signal" || (key === "method" && value === "GET"));
      if (file && !file.module && !file.taken && plain) {
        file.taken = true; // a later fetch() of this URL goes to the network (or a cache) as usual
        return download(url);
      }
      return pageFetch.call(window, input, init);
    };
    // the sprite sheet first (the stylesheet asks for it once the page is parsed), painted: the pre-rendered
    // results need it, and the runtime's downloads (and compiling its code) would otherwise compete with it
    const afterPaint = () => requestAnimationFrame(() => setTimeout(startDownloads));
    document.addEventListener("DOMContentLoaded", () => {
      if (!plan.after || root.dataset.resuming) return startDownloads();
      const sheet = new Image();
      sheet.onload = sheet.onerror = afterPaint;
      sheet.src = plan.after;
    });
  }

  // ---------------------------------------------------------------- changes before Python runs
  // queued: control selector + event type -> value, in the order of the last change
  let queueing = !root.dataset.resuming;
  const selectorOf = (control) => `[data-action="${control.dataset.action}"]` + (control.dataset.i === undefined ? "" : `[data-i="${control.dataset.i}"]`);
  const keep = (event) => {
    const control = event.target;
    if (!queueing || !(control instanceof Element) || !control.matches("#app input[data-action], #app select[data-action]")) return;
    event.stopPropagation(); // Python's handlers, bound to the document, see it when it is replayed
    const key = `${event.type} ${selectorOf(control)}`;
    queued.delete(key);
    queued.set(key, control.type === "checkbox" ? control.checked : control.value);
    const readout = control.id && document.querySelector(`#app output[for="${control.id}"]`);
    if (readout) readout.textContent = control.value;
    progress(true);
  };
  window.addEventListener("input", keep, true);
  window.addEventListener("change", keep, true);
  const replay = () => {
    queueing = false;
    for (const [key, value] of queued) {
      const [type, selector] = [key.slice(0, key.indexOf(" ")), key.slice(key.indexOf(" ") + 1)];
      const control = document.querySelector(`#app ${selector}`);
      if (!control || control.disabled) continue;
      if (control.type === "checkbox") control.checked = value; else control.value = value;
      control.dispatchEvent(new Event(type, { bubbles: true }));
    }
    queued.clear();
  };
  // the pre-rendered page's buttons do nothing until Python runs (its first render replaces them)
  document.addEventListener("DOMContentLoaded", () => {
    for (const button of document.querySelectorAll("#app button")) if (!document.body.dataset.live) button.disabled = true;
  });

  // ---------------------------------------------------------------- Python runs, then is live
  new PerformanceObserver((list) => {
    for (const mark of list.getEntries()) {
      if (mark.name === "cleanlens:python") {
        phase = "python";
        const bar = document.getElementById("load-progress");
        if (bar) bar.hidden = true;
      } else if (mark.name === "cleanlens:live") {
        replay();
        window.fetch = pageFetch;
        // Offline use: cache the site (sw.js lists every file) once the page no longer needs the network
        // for itself. A refusal (private mode, service workers blocked) only means no offline copy.
        if ("serviceWorker" in navigator && location.protocol.startsWith("http")) {
          navigator.serviceWorker.register("./sw.js").catch(() => {});
        }
      }
    }
  }).observe({ type: "mark", buffered: true });
})();
