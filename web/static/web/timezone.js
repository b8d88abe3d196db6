/* The browser's time zone (an IANA name such as "Asia/Tokyo"), read on every page:
 * - kept in the `tz` cookie, so a visitor without an account sees free times on their own
 *   clock from the next page on (web/viewer.py);
 * - sent with the sign-up form, so the new account starts with it.
 * Without JavaScript nothing is sent: times stay on the trainer's clock and an account in UTC,
 * which the account page can change. */
(function () {
  "use strict";
  var name = "";
  try {
    name = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) { return; /* an old browser */ }
  if (!/^[A-Za-z0-9_+\-\/]{1,64}$/.test(name)) { return; }
  // The name as it is: the pattern above leaves only characters a cookie value may hold.
  document.cookie = "tz=" + name + "; path=/; max-age=31536000; samesite=lax";
  var field = document.querySelector("input[name=timezone]");
  if (field && !field.value) { field.value = name; }
})();
