// Service worker: keeps the app shell (styles, scripts, icons) for fast and offline start.
// Pages and API answers are never cached: they depend on who is signed in.
// Leaflet (≈ 46 KB gzipped, needed only by the map page) stays out of the install list so a
// first visit does not download it; it is cached the first time the map page loads it (its
// path carries the release, so a cached copy never goes stale).
// The app replaces __SHELL_VERSION__ with a hash of the static files when it serves this file.
const SHELL_CACHE = "city-eye-shell-__SHELL_VERSION__";
// Alert ids already shown (delivery is at-least-once): survives worker restarts, not versions.
const SEEN_CACHE = "city-eye-push-seen";
const SEEN_KEEP = 200;
const SHELL = [
  "/static/app.css",
  "/static/app.js",
  "/static/nearby.js",
  "/static/live.js",
  "/static/map.js",
  "/static/ptz.js",
  "/static/push.js",
  "/static/playback.js",
  "/static/vendor/htmx-2.0.8/htmx.min.js",
  "/static/vendor/htmx-ext-sse-2.2.4/sse.min.js",
  "/static/alerts.js",
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
      .then((keys) => Promise.all(keys.filter((k) => k !== SHELL_CACHE && k !== SEEN_CACHE).map((k) => caches.delete(k))))
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

// Web Push: one notification per alert (and per escalation), replaced by the next one of the
// same camera and type (tag), never shown twice for a repeated delivery.
const ENGLISH = (self.navigator.language || "").toLowerCase().startsWith("en");
const PUSH_TEXT = ENGLISH
  ? { view: "View live", acknowledge: "Acknowledge", escalated: "[Escalated] ", alert: "Alert" }
  : { view: "查看实况", acknowledge: "确认", escalated: "【升级】", alert: "预警" };

self.addEventListener("push", (event) => {
  let alert;
  try {
    alert = event.data ? event.data.json() : null;
  } catch (error) {
    alert = null;
  }
  if (!alert || !alert.alert_id) return;
  event.waitUntil(firstDelivery(alert).then((first) => (first ? showAlert(alert) : undefined)));
});

// True the first time an (alert, kind) arrives; remembers it in Cache storage.
function firstDelivery(alert) {
  const key = `/__push_seen/${encodeURIComponent(alert.alert_id)}/${encodeURIComponent(alert.kind || "new")}`;
  return caches.open(SEEN_CACHE).then((cache) => cache.match(key).then((hit) => {
    if (hit) return false;
    return cache.put(key, new Response(String(Date.now())))
      .then(() => cache.keys())
      .then((keys) => Promise.all(keys.slice(0, Math.max(0, keys.length - SEEN_KEEP)).map((k) => cache.delete(k))))
      .then(() => true);
  }));
}

function showAlert(alert) {
  const label = (ENGLISH && alert.label_en) || alert.label || PUSH_TEXT.alert;
  const title = (alert.kind === "escalation" ? PUSH_TEXT.escalated : "") + label;
  const when = alert.occurred_at ? new Date(alert.occurred_at) : null;
  const time = when && !isNaN(when) ? when.toLocaleString(ENGLISH ? "en" : "zh-CN", { hour12: false }) : "";
  const place = [alert.camera, alert.place].filter(Boolean).join(" · ");
  return self.registration.showNotification(title, {
    body: [place, time].filter(Boolean).join("\n"),
    tag: `${alert.device_id}:${alert.type}`,
    renotify: true,
    requireInteraction: alert.urgency === "high",
    icon: "/static/icons/icon-192.png",
    badge: "/static/icons/icon-192.png",
    timestamp: when && !isNaN(when) ? when.getTime() : Date.now(),
    data: { alert_id: alert.alert_id, url: alert.url || `/alerts/${alert.alert_id}` },
    actions: [
      { action: "view", title: PUSH_TEXT.view },
      { action: "acknowledge", title: PUSH_TEXT.acknowledge },
    ],
  });
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const data = event.notification.data || {};
  const base = data.url || "/";
  const target = event.action === "acknowledge" ? `${base}?action=acknowledge`
    : event.action === "view" ? `${base}?action=live` : base;
  event.waitUntil(openOrFocus(new URL(target, self.location.origin).href));
});

function openOrFocus(url) {
  return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
    const open = windows.find((client) => client.url === url) || windows[0];
    if (open) {
      return open.focus()
        .then((client) => (client.url === url ? client : client.navigate(url)))
        .catch(() => self.clients.openWindow(url));  // navigate() needs a controlled page
    }
    return self.clients.openWindow(url);
  });
}
