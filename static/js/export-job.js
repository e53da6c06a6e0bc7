// Export job page: follows the job while it runs, then shows the page again with its file
// (or its error). Without JavaScript the page refreshes itself (<noscript> meta refresh).
(function () {
  "use strict";
  var panel = document.getElementById("job");
  if (!panel) return;
  var state = panel.dataset.state;
  if (state !== "queued" && state !== "running") return;
  var url = panel.dataset.statusUrl;
  var progress = panel.querySelector("progress");
  var step = panel.querySelector("[data-role=step]");
  var percent = panel.querySelector("[data-role=percent]");
  var label = panel.querySelector("[data-role=state]");

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok || !(response.headers.get("Content-Type") || "").includes("json")) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (status) {
        if (status.state === "done" || status.state === "failed") {
          window.location.reload();
          return;
        }
        if (progress) progress.value = status.progress;
        if (percent) percent.textContent = status.progress + " %";
        if (step && status.step) step.textContent = status.step;
        if (label) label.textContent = status.state_label;
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        // Logged out or offline: the page itself will say which.
        window.setTimeout(function () { window.location.reload(); }, 5000);
      });
  }
  window.setTimeout(poll, 700);
})();
