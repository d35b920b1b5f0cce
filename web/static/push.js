// Notification settings: enable Web Push on this device when the user taps the button
// (never a permission prompt on load), show which channel this device has, mark this
// device in the list. Without push the in-app live channel still brings alerts.
(function () {
  "use strict";
  var root = document.getElementById("push-settings");
  if (!root) return;
  var text = root.dataset;
  var channel = document.getElementById("push-channel");
  var reason = document.getElementById("push-reason");
  var button = document.getElementById("push-enable");

  function pushSupported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  function show(hasPush, why) {
    channel.textContent = hasPush ? text.textWebPush : text.textInApp;
    channel.dataset.channel = hasPush ? "web-push" : "in-app";
    reason.textContent = why || "";
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function digest(endpoint) {
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(endpoint)).then(function (hash) {
      return Array.from(new Uint8Array(hash)).map(function (b) { return b.toString(16).padStart(2, "0"); }).join("").slice(0, 32);
    });
  }

  function markThisDevice(subscription) {
    if (!subscription || !window.crypto || !crypto.subtle) return Promise.resolve(false);
    return digest(subscription.endpoint).then(function (mine) {
      var known = false;
      document.querySelectorAll("#push-devices li[data-endpoint-digest]").forEach(function (item) {
        var label = item.querySelector(".this-device");
        var isMine = item.dataset.endpointDigest === mine;
        known = known || isMine;
        if (label) { label.hidden = !isMine; label.textContent = isMine ? text.textThisDevice : ""; }
      });
      return known;
    });
  }

  function currentSubscription() {
    return navigator.serviceWorker.ready.then(function (registration) {
      return registration.pushManager.getSubscription();
    });
  }

  function refresh() {
    if (!pushSupported()) { show(false, text.textUnsupported); return; }
    if (Notification.permission === "denied") { show(false, text.textDenied); return; }
    button.hidden = false;
    currentSubscription().then(function (subscription) {
      return markThisDevice(subscription).then(function (known) {
        // Subscribed in the browser and kept by the server: push reaches this device.
        if (subscription && known) { show(true, ""); } else { show(false, text.textOff); }
      });
    }).catch(function () { show(false, text.textOff); });
  }

  function userError(message) {
    var error = new Error(message);
    error.userMessage = message;
    return error;
  }

  function sendToServer(subscription) {
    return fetch("/api/push/subscriptions", {
      method: "POST", credentials: "same-origin",
      headers: { "content-type": "application/json", "accept": "application/json", "x-csrftoken": window.csrfToken() },
      body: JSON.stringify(subscription.toJSON())
    }).then(function (response) {
      if (!response.ok) {
        return response.json().then(function (body) { throw userError(body.message); });
      }
    });
  }

  function enable() {
    button.disabled = true;
    reason.textContent = text.textEnabling;
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { throw userError(text.textDenied); }
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      return registration.pushManager.getSubscription().then(function (existing) {
        return existing || registration.pushManager.subscribe({
          userVisibleOnly: true, applicationServerKey: keyBytes(text.publicKey)
        });
      });
    }).then(sendToServer).then(function () {
      return htmx.ajax("GET", "/settings/notifications", { target: "#push-devices", swap: "outerHTML" });
    }).then(refresh).catch(function (error) {
      // Our own refusals carry their text; the browser's (push service unreachable) do not.
      show(false, (error && error.userMessage) || text.textFailed);
    }).finally(function () { button.disabled = false; });
  }

  button.addEventListener("click", enable);
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "push-devices") refresh();
  });
  refresh();
})();
