// Bina Sehat: the little script every page shares (no inline scripts: the Content-Security-Policy forbids them).
// A select or input marked data-autosubmit submits its form when changed; <noscript> buttons cover no-JS browsers.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el && el.form && el.hasAttribute("data-autosubmit")) {
    el.form.submit();
  }
});
