/* Imports: while a long step runs (checking or importing thousands of rows), the form is sent
   normally and this script polls the step's progress, stored in the database by the server,
   so it works with several workers. Without JavaScript the page simply waits. */
(function () {
  "use strict";

  function poll(url, bar, text) {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        bar.value = state.percent;
        if (state.label) {
          text.textContent = state.label + " — " + state.done.toLocaleString() + " / " + state.total.toLocaleString();
        }
      })
      .catch(function () { /* the next poll will try again */ });
  }

  document.querySelectorAll("form[data-import-progress-url]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var box = document.querySelector("[data-import-progress]");
      var buttons = form.querySelectorAll("[data-disable-on-submit]");
      // Disabled after the submit has started, so the button's own value is still sent.
      window.setTimeout(function () {
        buttons.forEach(function (button) { button.disabled = true; });
      }, 0);
      if (!box) { return; }
      box.hidden = false;
      var bar = box.querySelector("progress");
      var text = box.querySelector("[data-import-progress-text]");
      var url = form.getAttribute("data-import-progress-url");
      window.setInterval(function () { poll(url, bar, text); }, 700);
    });
  });

  document.querySelectorAll("form:not([data-import-progress-url]) [data-disable-on-submit]").forEach(function (button) {
    button.form.addEventListener("submit", function () {
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  });
})();
