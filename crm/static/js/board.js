// The funnel board's drag and drop (crm/workqueue/views_board.py). A card moves by its own small
// form, which works with the keyboard and without this script; dropping a card on a column fills
// that form with the column's stage and sends it in the background, then the board is replaced by
// the page the server answered. Going back in the journey or withdrawing needs a comment: the
// form opens on it instead of being sent.
(function () {
  "use strict";

  var dragged = null;

  function column(element) {
    return element && element.closest ? element.closest(".board-column") : null;
  }

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var board = document.getElementById("board");
    var next = fresh.getElementById("board");
    if (board && next) {
      board.replaceWith(next);
    }
    var main = document.getElementById("main");
    var old = main.querySelector(".flashes");
    if (old) {
      old.remove();
    }
    var messages = fresh.querySelector("#main .flashes");
    if (messages) {
      main.insertBefore(messages, main.firstChild);
      messages.setAttribute("tabindex", "-1");
      messages.focus();
    }
    var invalid = next && next.querySelector("[aria-invalid=true]");
    if (invalid) {
      invalid.focus();
    }
  }

  function send(form) {
    form.setAttribute("aria-busy", "true");
    return fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                               headers: {"X-Requested-With": "fetch"}})
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if ((response.status !== 200 && response.status !== 400) || type.indexOf("text/html") !== 0) {
          throw new Error("status " + response.status);
        }
        return response.text();
      })
      .then(swap)
      .catch(function () {
        form.removeAttribute("data-board-move");
        form.submit();
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-board-move]") || !window.fetch) {
      return;
    }
    event.preventDefault();  // virage.js leaves a prevented submit alone
    send(form);
  }, true);

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".board-card[data-enterprise]");
    if (!card) {
      return;
    }
    dragged = card;
    card.classList.add("is-dragged");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-enterprise"));
  });

  document.addEventListener("dragend", function () {
    if (dragged) {
      dragged.classList.remove("is-dragged");
    }
    document.querySelectorAll(".board-column.is-target").forEach(function (el) { el.classList.remove("is-target"); });
    dragged = null;
  });

  document.addEventListener("dragover", function (event) {
    var target = column(event.target);
    if (dragged && target && target !== column(dragged)) {
      event.preventDefault();
      target.classList.add("is-target");
    }
  });

  document.addEventListener("dragleave", function (event) {
    var target = column(event.target);
    if (target && !target.contains(event.relatedTarget)) {
      target.classList.remove("is-target");
    }
  });

  document.addEventListener("drop", function (event) {
    var target = column(event.target);
    if (!dragged || !target || target === column(dragged)) {
      return;
    }
    event.preventDefault();
    var form = dragged.querySelector("form[data-board-move]");
    var stage = target.getAttribute("data-stage");
    var select = form.querySelector("select[name=stage]");
    select.value = stage;
    var from = Number(column(dragged).getAttribute("data-rank"));
    var to = Number(target.getAttribute("data-rank"));
    var comment = form.querySelector("textarea[name=comment]");
    if ((to < from || stage === "withdrawn") && !comment.value.trim()) {
      form.closest("details").open = true;
      comment.focus();
      return;
    }
    send(form);
  });
})();
