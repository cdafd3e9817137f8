// Tell the server the browser's time zone (the `tz` cookie), so that times are shown in it
// until the user picks one in their settings. A signed-in page rendered before the server knew
// the zone is reloaded once, in it. Loaded with `defer` from the base layout (CSP: no inline).
"use strict";

(() => {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone || !/^[A-Za-z0-9_+\-/]+$/.test(zone)) {
    return;
  }
  const current = document.cookie
    .split("; ")
    .find((part) => part.startsWith("tz="));
  if (current !== `tz=${zone}`) {
    const secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie = `tz=${zone}; path=/; max-age=31536000; SameSite=Lax${secure}`;
  }
  const body = document.body;
  const known = body.hasAttribute("data-time-zone-known");
  if (!known && body.hasAttribute("data-signed-in") && body.dataset.timeZone !== zone) {
    // Once per tab: if the server refuses the zone, do not reload for ever.
    if (!window.sessionStorage.getItem("tz-reloaded")) {
      window.sessionStorage.setItem("tz-reloaded", "1");
      window.location.reload();
    }
  }
})();
