// Long notes fold after a few lines with a "Show more" button (the CSS clamps the lines of
// .note-text.folded). Without this script every note shows in full. Loaded with `defer` from
// the pages that list notes; no inline scripts (CSP).
"use strict";

(() => {
  const notes = document.querySelectorAll(".note-text[data-fold]");
  notes.forEach((note) => {
    note.classList.add("folded");
    if (note.scrollHeight <= note.clientHeight + 2) {
      note.classList.remove("folded");
      return;
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "show-more";
    button.textContent = "Show more";
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", () => {
      const folded = note.classList.toggle("folded");
      button.textContent = folded ? "Show more" : "Show less";
      button.setAttribute("aria-expanded", folded ? "false" : "true");
    });
    note.after(button);
  });
})();
