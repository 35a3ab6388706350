/* The import page while a large file is checked in a task (status "validating"): asks the batch's
   status (JSON, households:import-status) every two seconds, moves the progress bar and its text,
   and reloads the page, which then shows the report, once the check is over. Without JavaScript the
   page refreshes itself (<noscript> meta refresh). */
(function () {
  "use strict";
  var box = document.getElementById("import-check");
  if (!box || !window.fetch) { return; }
  var bar = document.getElementById("import-progress");
  var text = document.getElementById("import-progress-text");

  function show(state) {
    var done = Number(state.done).toLocaleString();
    if (state.total) {
      bar.max = state.total;
      bar.value = state.done;
      text.textContent = box.dataset.ofTotal.replace("%(done)s", done)
        .replace("%(total)s", Number(state.total).toLocaleString());
    } else {
      bar.removeAttribute("value");  // indeterminate: the sheet declares no size
      text.textContent = box.dataset.noTotal.replace("%(done)s", done);
    }
  }

  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (state) {
        if (state.finished) { window.location.reload(); return; }
        show(state);
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }

  window.setTimeout(poll, 2000);
}());
