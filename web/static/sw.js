// Service worker: keeps the app shell (styles, scripts, icons) for fast and offline start.
// Pages and API answers are never cached: they depend on who is signed in.
// Leaflet (≈ 46 KB gzipped, needed only by the map page) stays out of the install list so a
// first visit does not download it; it is cached the first time the map page loads it (its
// path carries the release, so a cached copy never goes stale).
// The app replaces __SHELL_VERSION__ with a hash of the static files when it serves this file.
const SHELL_CACHE = "city-eye-shell-__SHELL_VERSION__";
const SHELL = [
  "/static/app.css",
  "/static/app.js",
  "/static/nearby.js",
  "/static/live.js",
  "/static/map.js",
  "/static/ptz.js",
  "/static/playback.js",
  "/static/vendor/htmx-2.0.8/htmx.min.js",
  "/static/icons/icon-192.png",
  "/static/icons/icon-512.png",
  "/static/offline.html",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== SHELL_CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetchStatic(event, url)));
  } else if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match("/static/offline.html")));
  }
});

// Versioned vendor files are kept on first use; other static files only via the install list.
function fetchStatic(event, url) {
  return fetch(event.request).then((response) => {
    if (response.ok && url.pathname.startsWith("/static/vendor/")) {
      const copy = response.clone();
      event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.put(event.request, copy)));
    }
    return response;
  });
}
