// A <select data-autosubmit> submits its form when changed (no inline handlers: the CSP forbids them).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
    target.form.submit();
  }
});
