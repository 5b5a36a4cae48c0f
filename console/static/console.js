// The console's little script (no build step, no other origin: the CSP allows only this file).
"use strict";

// A form that does something hard to undo asks first: <form data-confirm="...">.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
