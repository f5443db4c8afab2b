// Live public leaderboard: the page stays static (and cacheable); this script listens to the competition's event
// stream and, when the public version differs from the one the page was rendered at, re-fetches the page and swaps
// in its #leaderboard-live container. No framework. Loaded by App.razor on every page (Blazor's enhanced navigation
// does not run a new page's scripts), it does nothing on a page without #leaderboard-live and re-attaches after each
// enhanced navigation.
(function () {
  "use strict";
  let source = null;
  let streamUrl = null;
  let refreshing = false;
  let again = false;

  function status(text) {
    const badge = document.querySelector('[data-testid="live-status"]');
    if (badge) badge.textContent = text;
  }

  async function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    try {
      do {
        again = false;
        const response = await fetch(location.href, { headers: { "Accept": "text/html" }, cache: "no-store" });
        if (!response.ok) continue;
        const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("leaderboard-live");
        const current = document.getElementById("leaderboard-live");
        if (fresh && current) {
          // keep what the visitor is typing in the findings search
          for (const selector of ['[data-testid="findings-search"]', '[data-testid="findings-feature"]']) {
            const before = current.querySelector(selector), after = fresh.querySelector(selector);
            if (before && after) after.value = before.value;
          }
          const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.testid : null;
          current.replaceWith(document.importNode(fresh, true));
          if (focused) { const again = document.querySelector('[data-testid="' + focused + '"]'); if (again) again.focus(); }
        }
      } while (again);
    } catch (e) {
      status("reconnecting…");
    } finally {
      refreshing = false;
    }
  }

  function connect() {
    const container = document.getElementById("leaderboard-live");
    const url = container ? container.dataset.liveEvents : null;
    if (url === streamUrl) return;
    if (source) { source.close(); source = null; }
    streamUrl = url;
    if (!url || !window.EventSource) return;
    source = new EventSource(url);
    source.onopen = function () { status("live"); };
    source.onerror = function () {
      status("reconnecting…");
      // The browser retries a dropped stream by itself, but an answer other than 200 (a restart, the outage page)
      // closes an EventSource for good: open a new one after a pause.
      const failed = source;
      if (failed && failed.readyState === EventSource.CLOSED)
        setTimeout(function () { if (source === failed) { source = null; streamUrl = null; connect(); } }, 3000);
    };
    source.addEventListener("version", function (event) {
      status("live");
      const shown = document.getElementById("leaderboard-live");
      if (shown && shown.dataset.version !== event.data) refresh();
    });
  }

  connect();
  if (window.Blazor && window.Blazor.addEventListener) window.Blazor.addEventListener("enhancedload", connect);
  else document.addEventListener("DOMContentLoaded", function () {
    if (window.Blazor && window.Blazor.addEventListener) window.Blazor.addEventListener("enhancedload", connect);
  });
  window.addEventListener("pagehide", function () { if (source) { source.close(); source = null; streamUrl = null; } });
})();
