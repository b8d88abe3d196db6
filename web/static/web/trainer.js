// The trainer's pages work without this file; it only adds conveniences.
(function () {
  "use strict";
  // Copy a read-only link (the calendar feed) with one click.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var input = document.getElementById(button.dataset.copy);
      var status = document.querySelector("[data-copy-status]");
      navigator.clipboard.writeText(input.value).then(
        function () { if (status) status.textContent = "Copied."; },
        function () { input.select(); if (status) status.textContent = "Select the link and copy it."; }
      );
    });
  });
})();

// The week editor: "Add a window" and "Remove" change the rows in the page itself instead of
// asking the server for the same page with one row more or less.
(function () {
  "use strict";
  var MAX_ROWS = 10;
  var week = document.querySelector("[data-week-editor]");
  if (!week) return;

  function clearRow(row) {
    row.querySelectorAll("input").forEach(function (input) {
      input.value = "";
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    });
    row.querySelectorAll("[id$=_error]").forEach(function (el) { el.remove(); });
    row.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
  }

  function renumber(row, day, n) {
    var from = new RegExp("^(id_)?w" + day + "_\\d+_");
    var to = "$1w" + day + "_" + n + "_";
    row.querySelectorAll("input").forEach(function (input) {
      input.name = input.name.replace(from, to);
      input.id = input.id.replace(from, to);
    });
    row.querySelectorAll("label").forEach(function (label) {
      label.htmlFor = label.htmlFor.replace(from, to);
    });
    row.dataset.row = day + "_" + n;
    row.querySelector("button[name=remove]").value = day + "_" + n;
  }

  function relabel(fieldset) {
    var name = fieldset.querySelector("legend").textContent.trim();
    var rows = fieldset.querySelectorAll(".window");
    rows.forEach(function (row, i) {
      // Rows numbered 0, 1, 2... again, as the server numbers them, however many came and went.
      renumber(row, fieldset.dataset.day, i);
      var labels = row.querySelectorAll("label .sr-only");
      labels[0].textContent = name + ", window " + (i + 1) + ", from";
      labels[1].textContent = name + ", window " + (i + 1) + ", to";
      row.querySelector("button[name=remove] .sr-only").textContent =
        " " + name + " window " + (i + 1);
    });
    var add = fieldset.querySelector("button[name=add]");
    if (add) add.hidden = rows.length >= MAX_ROWS;
  }

  week.addEventListener("click", function (event) {
    var button = event.target.closest("button[name=add], button[name=remove]");
    if (!button) return;
    event.preventDefault();
    var fieldset = button.closest(".weekday");
    var list = fieldset.querySelector(".windows");
    var rows = list.querySelectorAll(".window");
    if (button.name === "remove") {
      var row = button.closest(".window");
      if (rows.length === 1) clearRow(row); // a day off keeps one empty row to fill in
      else row.remove();
      relabel(fieldset);
      fieldset.querySelector("input").focus();
      return;
    }
    if (rows.length >= MAX_ROWS) return;
    var copy = rows[rows.length - 1].cloneNode(true);
    clearRow(copy);
    list.appendChild(copy);
    relabel(fieldset);
    copy.querySelector("input").focus();
  });
})();
