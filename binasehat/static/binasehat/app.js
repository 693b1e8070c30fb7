// Bina Sehat: the little script every page shares (no inline scripts: the Content-Security-Policy forbids them).
// A select or input marked data-autosubmit submits its form when changed; <noscript> buttons cover no-JS browsers.
// A form that htmx submits in place (hx-get, triggered on change) is left to htmx.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el && el.form && el.hasAttribute("data-autosubmit") && !(window.htmx && el.form.hasAttribute("hx-get"))) {
    el.form.submit();
  }
});

// Maps: tapping or clicking a desa or a posyandu point (or Enter on it) shows its value in the panel below the
// map; the hover tooltip is not the only way to read it.
function bsShowMapDetail(el) {
  var figure = el.closest("[data-map]");
  var panel = figure && figure.querySelector("[data-map-detail]");
  if (!panel) {
    return;
  }
  panel.textContent = "";
  var title = document.createElement("strong");
  title.textContent = el.getAttribute("data-title");
  panel.appendChild(title);
  panel.appendChild(document.createTextNode(" · " + el.getAttribute("data-detail")));
  figure.querySelectorAll(".is-selected").forEach(function (other) { other.classList.remove("is-selected"); });
  el.classList.add("is-selected");
}
document.addEventListener("click", function (event) {
  var el = event.target && event.target.closest ? event.target.closest("[data-map] [data-detail]") : null;
  if (el) {
    bsShowMapDetail(el);
  }
});
document.addEventListener("keydown", function (event) {
  var el = event.target;
  if ((event.key === "Enter" || event.key === " ") && el && el.matches && el.matches("[data-map] [data-detail]")) {
    event.preventDefault();
    bsShowMapDetail(el);
  }
});

// Dashboard: after the ranking changed in place, mark the chosen indicator's row in the indicator table.
document.addEventListener("htmx:afterSettle", function () {
  var select = document.getElementById("ranking-indicator");
  var table = document.getElementById("indicator-table");
  if (!select || !table) {
    return;
  }
  table.querySelectorAll("tr[data-indicator]").forEach(function (row) {
    row.classList.toggle("selected", row.getAttribute("data-indicator") === select.value);
  });
});

// A search box marked data-filter-checks="<selector>" hides the labels (checkboxes) that do not contain its text.
document.addEventListener("input", function (event) {
  var box = event.target;
  if (!box || !box.hasAttribute || !box.hasAttribute("data-filter-checks")) {
    return;
  }
  var words = box.value.toLowerCase().trim();
  document.querySelectorAll(box.getAttribute("data-filter-checks")).forEach(function (label) {
    label.hidden = words !== "" && label.textContent.toLowerCase().indexOf(words) === -1;
  });
});

// Dashboard on a phone: the programme sections start folded; each summary shows the section's headline figures,
// so a programme is found without scrolling past every other one. Wider screens keep them open.
function bsFoldNarrow(root) {
  if (!window.matchMedia || !window.matchMedia("(max-width: 40rem)").matches || !root || !root.querySelectorAll) {
    return;
  }
  root.querySelectorAll("details[data-fold-narrow]").forEach(function (section) { section.open = false; });
}
document.addEventListener("DOMContentLoaded", function () { bsFoldNarrow(document); });
document.addEventListener("htmx:load", function (event) { bsFoldNarrow(event.target); });
