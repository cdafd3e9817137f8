// django-rq's dashboard pages, without the inline scripts and handlers our CSP refuses.
"use strict";

// The "select all" box of a job list (Django's admin/js/actions.js expects a change list
// layout these pages do not have).
document.addEventListener("change", (event) => {
  if (event.target.id !== "action-toggle") {
    return;
  }
  for (const box of document.querySelectorAll("input.action-select")) {
    box.checked = event.target.checked;
  }
});

// Result rows of a job open the result, as django-rq's inline onclick did.
document.addEventListener("click", (event) => {
  const row = event.target.closest("tr[data-href]");
  if (row && !event.target.closest("a, button, input")) {
    window.location.assign(row.dataset.href);
  }
});
