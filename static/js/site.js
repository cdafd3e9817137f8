// Site-wide behaviour. Loaded with `defer` from the base layout; no inline scripts (CSP).
"use strict";

// Buttons and links with data-confirm ask before they act.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const message = form.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
