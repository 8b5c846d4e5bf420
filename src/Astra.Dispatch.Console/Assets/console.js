// Small progressive enhancements; every page works without this file.
// 1. [data-refresh="10"]: a live region re-fetched every N seconds while the tab is visible, with a pause button.
(() => {
  const live = document.querySelector("[data-refresh]");
  if (!live || !window.fetch) return;
  const seconds = Math.max(5, Number(live.dataset.refresh) || 10);
  let paused = false;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "secondary";
  button.setAttribute("aria-pressed", "false");
  button.textContent = `Pause auto-refresh (every ${seconds} s)`;
  button.addEventListener("click", () => {
    paused = !paused;
    button.setAttribute("aria-pressed", String(paused));
    button.textContent = paused ? "Resume auto-refresh" : `Pause auto-refresh (every ${seconds} s)`;
  });
  const bar = document.querySelector("[data-refresh-controls]");
  if (bar) bar.append(button);
  setInterval(async () => {
    if (paused || document.hidden) return;
    try {
      const response = await fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } });
      // A session that ended redirects to sign-in: stop and let the next click go there.
      if (!response.ok || response.redirected) return;
      const next = new DOMParser().parseFromString(await response.text(), "text/html").querySelector("[data-refresh]");
      if (next) live.replaceChildren(...next.childNodes);
    } catch { /* offline for a moment: try again next time */ }
  }, seconds * 1000);
})();

// 2. Forms with data-confirm ask first (a redrive of everything, say).
document.addEventListener("submit", (event) => {
  const message = event.submitter?.dataset.confirm ?? event.target.dataset?.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// 3. The editor: Tab inserts two spaces (YAML), Escape then Tab leaves the field, as keyboard users expect.
(() => {
  const editor = document.querySelector("textarea[data-yaml]");
  if (!editor) return;
  let escaped = false;
  editor.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { escaped = true; return; }
    if (event.key === "Tab" && !event.shiftKey && !escaped) {
      event.preventDefault();
      editor.setRangeText("  ", editor.selectionStart, editor.selectionEnd, "end");
    }
    if (event.key !== "Tab") escaped = false;
  });
})();
