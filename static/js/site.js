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

// Buttons with data-copy="<selector>" copy that element's text (push URLs).
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  const source = button && document.querySelector(button.dataset.copy);
  if (!source) {
    return;
  }
  const text = source.textContent.trim();
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // No clipboard API (plain-HTTP origin): select the text so that Ctrl+C copies it.
    window.getSelection().selectAllChildren(source);
    document.execCommand("copy");
  }
  const label = button.textContent;
  button.textContent = "Copied";
  window.setTimeout(() => { button.textContent = label; }, 1500);
});
