// Behaviour the pages ask for by class, so that no page needs inline handlers (the CSP forbids them).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select.submit-on-change").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  document.querySelectorAll("button.print-page").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
});
// A form sent by htmx that starts empty again once it is answered (hx-on would need eval).
document.addEventListener("htmx:afterRequest", function (event) {
  var form = event.target.closest && event.target.closest("form.reset-after-request");
  if (form && event.detail.successful) { form.reset(); }
});
// The ☰ menu on narrow screens (a file, not an inline script: the CSP allows none without a nonce).
document.addEventListener("DOMContentLoaded", function () {
  var toggle = document.querySelector(".menu-toggle");
  if (!toggle) { return; }
  toggle.addEventListener("click", function () {
    var nav = document.getElementById("topnav"), open = nav.classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
});
