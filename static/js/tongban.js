// htmx requests carry the CSRF token from the page's meta tag.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
});

// No inline handlers (the Content Security Policy forbids them): a form with
// data-confirm asks before it is sent; a button with data-print prints.
document.addEventListener("submit", function (event) {
  var form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) { event.preventDefault(); event.stopImmediatePropagation(); }
}, true);
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});
