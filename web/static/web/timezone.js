/* Sign-up: the browser's time zone (an IANA name such as "Asia/Tokyo") goes with the form, so
 * session times can be shown on the new user's own clock. Without JavaScript it stays UTC,
 * which the account page can change. */
(function () {
  "use strict";
  var field = document.querySelector("input[name=timezone]");
  if (!field || field.value) { return; }
  try {
    field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) { /* an old browser: the server keeps UTC */ }
})();
