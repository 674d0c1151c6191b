// Enterprises: disable a form's submit buttons while it is being sent, so a double click does not
// save twice. No inline script: the page's Content-Security-Policy forbids it.
(function () {
  "use strict";
  document.querySelectorAll("form[data-disable-on-submit]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        window.setTimeout(function () { button.disabled = true; }, 0);
      });
    });
  });
})();
