// htmx requests carry the CSRF token from the page's meta tag.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
});

// No inline handlers (the Content Security Policy forbids them).
// Irreversible steps ask first: a form, or the button that submits it, with
// data-confirm is sent only when the person confirms the message it carries.
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var form = event.target.closest("form");
  var message = (button && button.getAttribute("data-confirm")) || (form && form.getAttribute("data-confirm"));
  if (message && !window.confirm(message)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
// A button with data-print prints the page.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});
// On narrow screens the console's side menu folds behind its button (the
// class js-nav, set by portal.js, turns folding on in the stylesheet).
document.addEventListener("DOMContentLoaded", function () {
  var button = document.querySelector(".console-menu-button");
  var nav = document.getElementById("console-menu");
  if (!button || !nav) { return; }
  button.addEventListener("click", function () {
    var open = nav.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
});
// A form sent back with errors: focus moves to its summary, which a screen
// reader then reads; each entry links to its field (templates/_form.html).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary && !document.querySelector("[autofocus]")) { summary.focus(); }
});
