// Alert detail: the distance from the phone to the alert's camera, computed here from the
// browser's position (it never leaves the phone); says so when the position is unknown.
(function () {
  "use strict";
  var slot = document.getElementById("alert-distance");
  if (!slot) return;
  var EARTH_RADIUS_M = 6371008.8;

  function radians(deg) { return deg * Math.PI / 180; }

  function metresBetween(lat1, lon1, lat2, lon2) {
    var dLat = radians(lat2 - lat1), dLon = radians(lon2 - lon1);
    var a = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
            Math.cos(radians(lat1)) * Math.cos(radians(lat2)) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
  }

  function words(m) { return m < 1000 ? Math.round(m) + " m" : (m / 1000).toFixed(1) + " km"; }

  function unknown() { slot.textContent = slot.dataset.unknown; slot.dataset.state = "unknown"; }

  if (!("geolocation" in navigator)) { unknown(); return; }
  navigator.geolocation.getCurrentPosition(function (pos) {
    var m = metresBetween(pos.coords.latitude, pos.coords.longitude,
                          parseFloat(slot.dataset.lat), parseFloat(slot.dataset.lon));
    slot.textContent = slot.dataset.template.replace("{distance}", words(m));
    slot.dataset.state = "known";
  }, unknown, { enableHighAccuracy: true, timeout: 8000, maximumAge: 30000 });
})();
