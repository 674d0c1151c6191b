// Printable funder report: the "Print" button opens the browser's print dialog.
// Without JavaScript the button stays hidden and the page says to use the browser's Print command.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
