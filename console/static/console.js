// The console's little script (no build step, no other origin: the CSP allows only this file).
"use strict";

// A form that does something hard to undo asks first: <form data-confirm="...">.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// ---- The fleet page and one kiosk's page: live updates (helper "pages") -------------------------
// The fleet table follows /fleet/stream (server-sent events): each `kiosk` event carries the row as
// the server renders it, which replaces the row shown (rows of other pages are not added); each
// `summary` event carries the fleet's counts. The browser reconnects by itself with Last-Event-ID.
(() => {
  const table = document.getElementById("fleet-table");
  if (!table || !table.dataset.stream || !window.EventSource) {
    return;
  }
  const since = encodeURIComponent(table.dataset.cursor || "");
  // Only the rows of this page are wanted (a fleet changes many rows a second).
  const ids = Array.from(table.querySelectorAll("tr[data-kiosk]"), (row) => row.dataset.kiosk);
  const only = encodeURIComponent(ids.join(","));
  const source = new EventSource(`${table.dataset.stream}?since=${since}&ids=${only}`);
  source.addEventListener("kiosk", (event) => {
    const data = JSON.parse(event.data);
    const shown = document.getElementById(`kiosk-${data.id}`);
    if (!shown) {
      return;
    }
    const template = document.createElement("template");
    template.innerHTML = data.html.trim();
    const row = template.content.firstElementChild;
    if (row) {
      // Marked only when what it says changed (a row may come again: the stream looks back a little).
      if (row.textContent.replace(/\s+/g, " ") !== shown.textContent.replace(/\s+/g, " ")) {
        row.classList.add("changed");
      }
      shown.replaceWith(row);
    }
  });
  // The browser reconnects by itself after a network error; a refused stream (signed out) is closed.
  source.addEventListener("error", () => {
    const notice = document.getElementById("fleet-live");
    if (source.readyState === EventSource.CLOSED && notice) {
      notice.textContent = table.dataset.stopped || "";
      notice.hidden = false;
    }
  });
  source.addEventListener("summary", (event) => {
    const counts = JSON.parse(event.data);
    for (const [name, value] of Object.entries(counts)) {
      const cell = document.querySelector(`#fleet-summary [data-count="${name}"]`);
      if (cell) {
        cell.textContent = String(value);
      }
    }
  });
})();

// One kiosk's commands follow their results: while one is unanswered (data-pending), the list is
// fetched again every 2 s and replaced, so a screenshot or the logs appear without reloading.
(() => {
  const poll = () => {
    const shown = document.getElementById("kiosk-commands");
    if (!shown || !shown.dataset.pending) {
      return;
    }
    fetch(shown.dataset.poll, {
      credentials: "same-origin",
      // A poll is not the administrator's activity: the session still ends when they leave the tab.
      headers: { Accept: "text/html", "X-Console-Background": "1" },
    })
      .then((answer) => (answer.ok ? answer.text() : Promise.reject(new Error(String(answer.status)))))
      .then((html) => {
        const template = document.createElement("template");
        template.innerHTML = html.trim();
        const fresh = template.content.firstElementChild;
        if (fresh) {
          shown.replaceWith(fresh);
        }
        window.setTimeout(poll, 2000);
      })
      .catch(() => window.setTimeout(poll, 5000));
  };
  window.setTimeout(poll, 2000);
})();

// -- Publishing (helper "publish"): the rollouts' progress, refreshed every 5 s without reloading. --
(() => {
  const table = document.querySelector("table.publications[data-progress]");
  if (!table) {
    return;
  }
  const words = { soak: table.dataset.soak || "soak", deadline: table.dataset.deadline || "deadline" };
  const refresh = async () => {
    let answer;
    try {
      answer = await fetch(table.dataset.progress, {
        // A poll is not the administrator's activity (the session's idle timeout still applies).
        headers: { Accept: "application/json", "X-Console-Background": "1" },
        credentials: "same-origin",
      });
    } catch {
      return;
    }
    if (!answer.ok) {
      return;
    }
    const rollouts = await answer.json();
    for (const row of table.querySelectorAll("tr[data-publication]")) {
      const found = rollouts[row.dataset.publication];
      if (!found) {
        continue;
      }
      const cell = (name) => row.querySelector(`[data-field="${name}"]`);
      const state = cell("state");
      if (state && state.classList.contains("canary") && !found.rolling) {
        window.location.reload(); // finished elsewhere: show its final state and drop its buttons
        return;
      }
      if (cell("canaries")) {
        cell("canaries").textContent = found.rolling ? `${found.ready}/${found.total}` : "–";
      }
      if (cell("left")) {
        let left = "–";
        if (found.soak_left !== null) {
          left = `${words.soak} ${Math.floor(found.soak_left)} s`;
        } else if (found.deadline_left !== null) {
          left = `${words.deadline} ${Math.floor(found.deadline_left)} s`;
        }
        cell("left").textContent = left;
      }
      if (cell("reason")) {
        cell("reason").textContent = found.reason;
      }
    }
  };
  window.setInterval(refresh, 5000);
})();
