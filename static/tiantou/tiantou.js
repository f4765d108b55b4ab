// Small behaviours of every page, declared in the markup with data attributes, so that the
// pages need no inline script nor event handler attributes (the Content-Security-Policy
// allows scripts from the site's own files only).
//   <select data-autosubmit>         submits its form when changed
//   <form data-confirm="question">   asks before submitting
//   <input data-select-on-focus>     selects its text when focused
//   <button data-copy="#element-id"> copies that element's value to the clipboard
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    const field = event.target.closest && event.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
  });

  document.addEventListener("submit", function (event) {
    const form = event.target.closest && event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });

  document.addEventListener("focusin", function (event) {
    const field = event.target.closest && event.target.closest("[data-select-on-focus]");
    if (field && field.select) field.select();
  });

  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    const source = document.querySelector(button.dataset.copy);
    if (source && navigator.clipboard) navigator.clipboard.writeText(source.value);
  });
})();
