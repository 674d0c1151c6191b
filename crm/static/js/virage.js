// Virage's one site-wide script (no inline script: the Content-Security-Policy forbids it).
//
// A form being sent disables its submit buttons, so a double click or an impatient Enter does not
// save twice. The browser fires "submit" only once its own validation passed, so a form blocked by
// a `required` field stays usable. A form that must stay usable while sending (a download, say)
// opts out with `data-keep-enabled`.
(function () {
  "use strict";

  var SUBMITS = "button[type=submit], button:not([type]), input[type=submit]";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || form.hasAttribute("data-keep-enabled")) {
      return;
    }
    form.setAttribute("aria-busy", "true");
    // Disable after the event: a disabled button would drop its own name=value from the data sent.
    window.setTimeout(function () {
      form.querySelectorAll(SUBMITS).forEach(function (button) {
        button.disabled = true;
      });
    }, 0);
  });

  // The header's menus (<details>, they work without this script): Escape closes the open one and
  // gives the focus back to its summary; a click elsewhere closes it.
  var MENUS = ".nav-group details[open]";
  document.addEventListener("keydown", function (event) {
    var menu = event.key === "Escape" && document.querySelector(MENUS);
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", function (event) {
    document.querySelectorAll(MENUS).forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.open = false;
      }
    });
  });

  // Back to a page from the browser's cache: its buttons must work again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) {
      return;
    }
    document.querySelectorAll("form[aria-busy=true]").forEach(function (form) {
      form.removeAttribute("aria-busy");
      form.querySelectorAll(SUBMITS).forEach(function (button) {
        button.disabled = false;
      });
    });
  });
})();
