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
  window.addEventListener("unhandledrejection", (event) => showError(String(event.reason)));
})();
