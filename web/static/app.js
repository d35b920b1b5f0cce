// Shared page behaviour: service worker, language switch, CSRF token for fetch().
(function () {
  "use strict";
  window.csrfToken = function () {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  };
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
