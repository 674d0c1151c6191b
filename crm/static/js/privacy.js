// Disable the submit buttons of a form once it is sent, so a double click does not send it twice.
document.querySelectorAll("form[data-disable-on-submit]").forEach(function (form) {
  form.addEventListener("submit", function () {
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = true;
    });
  });
});
