// Shared page behaviour: service worker, language switch, CSRF token for fetch().
(function () {
  "use strict";
  window.csrfToken = function () {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  };
  // Error fragments (4xx/5xx) carry a message in the user's language: show them.
  // (htmx.min.js is loaded before this deferred script.)
  if (window.htmx) {
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "[45]..", swap: true, error: true }
    ];
  }
  // The live alert channel (SSE on <body>): its state as data-live, for styles and tests.
  document.addEventListener("htmx:sseOpen", function () { document.body.dataset.live = "open"; });
  document.addEventListener("htmx:sseError", function () { document.body.dataset.live = "lost"; });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* the app works without it */ });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.lang");
    if (!button) return;
    document.cookie = "lang=" + button.dataset.lang + "; path=/; max-age=31536000; samesite=lax";
    location.reload();
  });
})();
