// The console's little script (no build step, no other origin: the CSP allows only this file).
"use strict";

// A form that does something hard to undo asks first: <form data-confirm="...">.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

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
      answer = await fetch(table.dataset.progress, { headers: { Accept: "application/json" }, credentials: "same-origin" });
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
