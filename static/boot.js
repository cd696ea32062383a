// Runs before the page paints: applies the theme the user chose last time.
// Then shows a readable error panel if the runtime fails before Python can do
// it itself (a missing file, a failed package install). No app logic here.
(function () {
  try {
    const theme = localStorage.getItem("cleanlens-theme");
    if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
  } catch (e) { /* storage disabled: follow the system theme */ }
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
