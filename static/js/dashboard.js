// The sync page's live parts: every ~2 s, read recruiter:sync_progress and update each
// contract's progress bar, state, lag and "Sync now" button in place (no page reload).
// Loaded with `defer` from the sync page only; no inline scripts (CSP).
"use strict";

(() => {
  const root = document.querySelector("[data-progress-url]");
  if (!root) {
    return;
  }
  const url = root.dataset.progressUrl;
  const INTERVAL_MS = 2000;
  let timer = null;
  let inFlight = false;

  const field = (article, name) => article.querySelector(`[data-field="${name}"]`);

  const setText = (element, text) => {
    if (element && element.textContent !== text) {
      element.textContent = text;
    }
  };

  const update = (contract) => {
    const article = root.querySelector(`[data-contract-id="${contract.id}"]`);
    if (!article) {
      return;
    }
    const progress = field(article, "progress");
    if (progress) {
      progress.value = contract.progress;
      progress.textContent = `${Math.round(contract.progress)}%`;
    }
    setText(field(article, "progress-label"), `${Math.round(contract.progress)}%`);
    const state = field(article, "state");
    if (state) {
      setText(state, contract.state);
      state.className = `badge state state-${contract.state}`;
    }
    setText(field(article, "lag"), contract.lag);
    setText(field(article, "last-success"), contract.last_success);
    const error = field(article, "last-error");
    if (error && contract.last_error) {
      setText(error, contract.last_error.slice(0, 300));
      error.className = "error";
    }
    const button = field(article, "sync-now");
    if (button) {
      button.disabled = contract.busy;
    }
    article.classList.toggle("busy", contract.busy);
    updateBackfill(article, contract.backfill);
  };

  // The first backfill's bar, notes so far and time left (recruiter/views/going_live.py).
  const updateBackfill = (article, backfill) => {
    if (!backfill) {
      return;
    }
    const bar = field(article, "backfill-progress");
    if (bar) {
      bar.value = backfill.percent;
      bar.textContent = `${Math.round(backfill.percent)}%`;
    }
    setText(field(article, "backfill-percent"), `${Math.round(backfill.percent)}%`);
    setText(field(article, "backfill-notes"), backfill.notes);
    if (backfill.time_left) {
      setText(field(article, "backfill-eta"), backfill.time_left);
    }
  };

  const poll = async () => {
    timer = null;
    if (inFlight) {
      return;
    }
    inFlight = true;
    try {
      const response = await fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.ok) {
        const body = await response.json();
        body.contracts.forEach(update);
      }
    } catch (error) {
      // A network blip: keep the last figures and try again at the next tick.
    } finally {
      inFlight = false;
    }
    schedule();
  };

  const schedule = () => {
    if (timer === null && !document.hidden) {
      timer = window.setTimeout(poll, INTERVAL_MS);
    }
  };

  // No polling from a background tab; catch up at once when it comes back.
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && timer === null && !inFlight) {
      poll();
    }
  });
  schedule();
})();
