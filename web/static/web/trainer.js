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
