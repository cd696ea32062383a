// Runs before the page paints: applies the theme the user chose last time, and
// hides the demo's pre-rendered results when the page is about to show other
// work (a saved session, or a link to another view): "Restoring your session…"
// until Python has restored it. On a first visit it opens the guide at once.
// Then it shows a readable error panel if the runtime fails before Python can
// do it itself (a missing file, a failed package install). No app logic here.
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
  // Offline use: cache the site on the first visit (sw.js lists every file). A refusal
  // (e.g. private mode, or a browser with service workers blocked) only means no offline copy.
  if ("serviceWorker" in navigator && location.protocol.startsWith("http")) {
    window.addEventListener("load", () => navigator.serviceWorker.register("./sw.js").catch(() => {}));
  }
  window.addEventListener("unhandledrejection", (event) => showError(String(event.reason)));
})();
