/* A job's page: follow its progress without reloading, then reload once it has finished. */
(function () {
  "use strict";
  var card = document.querySelector("[data-progress-url]");
  if (!card || !window.fetch) return;
  var bar = document.getElementById("job-progress");
  var text = document.getElementById("job-text");
  var url = card.getAttribute("data-progress-url");
  var status = card.getAttribute("data-status");

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (job) {
        if (job.finished || job.status !== status) {
          window.location.reload();  // the server draws the new state: the file's button or the error
          return;
        }
        if (bar && job.status === "running") {
          bar.max = job.total || 1;
          bar.value = job.done;
          bar.textContent = job.percent + " %";
        }
        if (text && job.status === "running") text.textContent = job.text;
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });  // offline for a moment: try again, slower
  }
  window.setTimeout(poll, 1000);
})();
