// Nearby page: find the phone's position (or fall back to the city centre) and ask the
// server for the list around it.
(function () {
  "use strict";
  var form = document.getElementById("nearby-form");
  var status = document.getElementById("locate-status");
  var mapTab = document.getElementById("tab-map");
  if (!form) return;

  // The map tab opens the map on the same position and filters.
  function syncMapTab() {
    if (!mapTab) return;
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) { if (value !== "") params.append(key, value); });
    var query = params.toString();
    mapTab.href = "/map" + (query ? "?" + query : "");
  }
  form.addEventListener("change", syncMapTab);
  form.addEventListener("input", syncMapTab);

  function search(lat, lon) {
    document.getElementById("lat").value = lat.toFixed(6);
    document.getElementById("lon").value = lon.toFixed(6);
    syncMapTab();
    htmx.trigger(form, "locate");
  }
  function useCentre(message) {
    status.textContent = message || "";
    search(parseFloat(form.dataset.cityLat), parseFloat(form.dataset.cityLon));
  }
  function locate() {
    if (!("geolocation" in navigator)) { useCentre(status.dataset.denied); return; }
    status.textContent = status.dataset.locating;
    navigator.geolocation.getCurrentPosition(
      function (pos) { status.textContent = ""; search(pos.coords.latitude, pos.coords.longitude); },
      function () { useCentre(status.dataset.denied); },
      { enableHighAccuracy: true, timeout: 8000, maximumAge: 30000 }
    );
  }
  document.getElementById("locate").addEventListener("click", locate);
  document.getElementById("use-centre").addEventListener("click", function () { useCentre(""); });
  // htmx would send the form before a position is known: only "locate" fills lat/lon.
  form.addEventListener("htmx:confirm", function (event) {
    if (!document.getElementById("lat").value) { event.preventDefault(); }
  });
  syncMapTab();
  if (document.getElementById("lat").value) { htmx.trigger(form, "locate"); } else { locate(); }
})();
