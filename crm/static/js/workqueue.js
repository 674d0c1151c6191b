// The work queue's row actions without leaving the page (crm/workqueue). Each is a plain form that
// posts and comes back to the queue; here the same request is sent in the background, and the
// queue and its messages are replaced by those of the page the server answered. Without this
// script, or if the request fails, the form simply posts.
(function () {
  "use strict";

  function replace(selector, fresh) {
    var current = document.querySelector(selector);
    var next = fresh.querySelector(selector);
    if (current && next) {
      current.replaceWith(next);
    }
    return next;
  }

  function showMessages(fresh) {
    var main = document.getElementById("main");
    var old = main.querySelector(".flashes");
    var messages = fresh.querySelector("#main .flashes");
    if (old) {
      old.remove();
    }
    if (messages) {
      main.insertBefore(messages, main.firstChild);
      messages.setAttribute("tabindex", "-1");
      messages.focus();
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-queue-action]") || !window.fetch) {
      return;
    }
    event.preventDefault();  // virage.js leaves a prevented submit alone
    form.setAttribute("aria-busy", "true");
    form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
    fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                        headers: {"X-Requested-With": "fetch"}})
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if ((response.status !== 200 && response.status !== 400) || type.indexOf("text/html") !== 0) {
          throw new Error("status " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var queue = replace("#work-queue", fresh);
        showMessages(fresh);
        var invalid = queue && queue.querySelector("[aria-invalid=true]");
        if (invalid) {
          invalid.focus();
        }
      })
      .catch(function () {
        form.removeAttribute("data-queue-action");
        form.submit();  // the plain way: the server's page says what happened
      });
  }, true);
})();
