// Map page: the cameras near the user as markers (Leaflet), coloured by what this user may
// do. Positions are WGS84 exactly as the nearby API gives them. Tiles are optional: with
// none configured the map is a plot of positions around the user on a plain background,
// with distance rings and a scale, and asks no other host for anything.
(function () {
  "use strict";
  var configNode = document.getElementById("map-config");
  var form = document.getElementById("map-form");
  var mapNode = document.getElementById("map");
  if (!configNode || !form || !mapNode || !window.L) return;

  var config = JSON.parse(configNode.textContent);
  var text = config.text;
  var statusNode = document.getElementById("map-status");
  var sheet = document.getElementById("map-sheet");
  var listTab = document.getElementById("tab-list");
  var EARTH_RADIUS_M = 6371008.8;
  // Ring spacings: the smallest that covers the farthest camera within four rings wins.
  var RING_STEPS = [25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000,
                    25000, 50000, 100000, 200000];
  var MOVED_M = 20;  // a new fix closer than this to the last one keeps the markers
  var EMPTY_RIM_M = 500;  // with no camera to show, still a readable neighbourhood

  var position = null;  // [lat, lon] the cameras were asked for
  var plotBounds = null;
  var selected = null;  // the marker whose camera the sheet shows
  var shown = [];  // {camera, marker} of every marker on the map
  var SAME_SPOT_PX = 14;  // markers closer than this on screen hide one another
  var requestSeq = 0;
  // The status line: what the map shows now, how the position was found, the base map.
  var notes = { main: "", position: "", tiles: statusNode.textContent };

  // No view until the first cameras arrive: tiles for a place the user is not at would
  // only cost them data (layers wait for the view before they load anything).
  // A plain plot may take any zoom so it fills the screen; tiles look sharp at whole levels.
  var map = L.map(mapNode, {
    minZoom: 3, maxZoom: config.max_zoom, zoomSnap: config.tiles ? 1 : 0.25,
    zoomControl: true, attributionControl: true
  });
  map.attributionControl.setPrefix("Leaflet");
  L.control.scale({ imperial: false, position: "bottomleft", maxWidth: 120 }).addTo(map);

  if (config.tiles) {
    var tileOptions = { maxZoom: config.max_zoom, attribution: escapeHtml(config.tiles.attribution) };
    if (config.tiles.subdomains.length) tileOptions.subdomains = config.tiles.subdomains;
    var baseLayer = L.tileLayer(config.tiles.url, tileOptions).addTo(map);
    if (config.tiles.label_url) {
      var labelOptions = { maxZoom: config.max_zoom, zIndex: 2 };
      if (config.tiles.subdomains.length) labelOptions.subdomains = config.tiles.subdomains;
      L.tileLayer(config.tiles.label_url, labelOptions).addTo(map);
    }
    var tilesFailed = false;
    baseLayer.on("tileerror", function () {
      if (tilesFailed) return;
      tilesFailed = true;  // the rings and markers still place every camera
      mapNode.classList.add("tiles-failed");
      notes.tiles = text["map.tiles_failed"];
      showStatus();
    });
  } else {
    mapNode.classList.add("no-tiles");
  }

  var ringLayer = L.layerGroup().addTo(map);
  var cameraLayer = L.layerGroup().addTo(map);
  var meMarker = null;

  var Recentre = L.Control.extend({
    options: { position: "bottomright" },
    onAdd: function () {
      var button = L.DomUtil.create("button", "map-recentre");
      button.type = "button";
      button.title = text["map.recentre"];
      button.setAttribute("aria-label", text["map.recentre"]);
      button.setAttribute("data-testid", "recentre");
      button.innerHTML = '<svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true"><circle cx="12" cy="12" r="4" fill="currentColor"/><circle cx="12" cy="12" r="8" fill="none" stroke="currentColor" stroke-width="2"/><path d="M12 1v4M12 19v4M1 12h4M19 12h4" stroke="currentColor" stroke-width="2"/></svg>';
      L.DomEvent.disableClickPropagation(button);
      L.DomEvent.on(button, "click", recentre);
      return button;
    }
  });
  new Recentre().addTo(map);
  var North = L.Control.extend({
    options: { position: "topright" },
    onAdd: function () {
      var node = L.DomUtil.create("div", "map-north");
      node.setAttribute("aria-hidden", "true");
      node.textContent = "↑ " + config.compass[0];
      return node;
    }
  });
  new North().addTo(map);

  // --- helpers ---------------------------------------------------------------------

  function escapeHtml(value) {
    return String(value || "").replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
    });
  }
  function format(template, params) {
    return template.replace(/\{(\w+)\}/g, function (all, key) { return key in params ? params[key] : all; });
  }
  function distanceText(metres) {
    if (metres == null) return "";
    return metres < 1000 ? Math.round(metres) + " m" : (metres / 1000).toFixed(1) + " km";
  }
  function compassText(bearing) {
    return config.compass[Math.floor((((bearing % 360) + 360) % 360 + 22.5) / 45) % 8];
  }
  // The point `north` metres north and `east` metres east of (lat, lon).
  function offset(lat, lon, north, east) {
    var dLat = (north / EARTH_RADIUS_M) * 180 / Math.PI;
    var dLon = (east / (EARTH_RADIUS_M * Math.cos(lat * Math.PI / 180))) * 180 / Math.PI;
    return [lat + dLat, lon + dLon];
  }
  function showStatus(main) {
    if (main !== undefined) notes.main = main;
    statusNode.textContent = [notes.main, notes.position, notes.tiles].filter(Boolean).join(" · ");
  }
  function filterParams() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) { if (value !== "") params.append(key, value); });
    return params;
  }

  // The list tab and this page's address carry the position and filters along.
  function syncLinks() {
    var params = filterParams();
    if (position) {
      params.set("lat", position[0].toFixed(6));
      params.set("lon", position[1].toFixed(6));
    }
    var query = params.toString();
    if (listTab) listTab.href = position ? "/nearby/list?" + query : "/";
    history.replaceState(history.state, "", "/map" + (query ? "?" + query : ""));
  }

  // --- position --------------------------------------------------------------------

  function setPosition(lat, lon) {
    position = [lat, lon];
    var icon = L.divIcon({ className: "me-marker", html: '<span class="me-dot" data-testid="me"></span>',
                           iconSize: [22, 22], iconAnchor: [11, 11] });
    if (meMarker) { meMarker.setLatLng(position); } else {
      meMarker = L.marker(position, { icon: icon, interactive: false, keyboard: false,
                                      zIndexOffset: 1000, title: text["map.you"] }).addTo(map);
    }
    load();
  }
  function useCentre(message) {
    notes.position = message || "";
    setPosition(config.centre[0], config.centre[1]);
  }
  function locate(quiet) {
    if (!("geolocation" in navigator)) { if (!position) useCentre(text["nearby.location_denied"]); return; }
    if (!quiet) showStatus(text["nearby.locating"]);
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        var lat = pos.coords.latitude, lon = pos.coords.longitude;
        if (position && map.distance(position, [lat, lon]) < MOVED_M) { fitPlot(true); return; }
        notes.position = "";
        setPosition(lat, lon);
      },
      function () { if (!position) useCentre(text["nearby.location_denied"]); },
      { enableHighAccuracy: true, timeout: 8000, maximumAge: 30000 }
    );
  }
  function recentre() {
    fitPlot(true);
    locate(true);  // and follow the phone if it has moved
  }

  // --- cameras ---------------------------------------------------------------------

  function load() {
    if (!position) return;
    var params = filterParams();
    params.set("lat", position[0].toFixed(6));
    params.set("lon", position[1].toFixed(6));
    params.set("limit", String(config.limit));
    syncLinks();
    var seq = ++requestSeq;
    mapNode.setAttribute("aria-busy", "true");
    fetch(config.api + "?" + params.toString(), { headers: { accept: "application/json" },
                                                  credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) { location.href = "/login"; return null; }
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body && body.message || text["map.load_failed"]);
          return body;
        });
      })
      .then(function (cameras) {
        if (cameras && seq === requestSeq) render(cameras);
      })
      .catch(function (error) {
        if (seq !== requestSeq) return;
        showStatus(error && error.message ? error.message : text["map.load_failed"]);
        mapNode.removeAttribute("aria-busy");
      });
  }

  function render(cameras) {
    closeSheet();
    shown = [];
    cameraLayer.clearLayers();
    ringLayer.clearLayers();
    var rim = 0;
    cameras.forEach(function (camera) { rim = Math.max(rim, camera.distance_m || 0); });
    var outer = drawRings(cameras.length ? rim : EMPTY_RIM_M);
    fitPlot(false);  // sets the first view, so the markers below exist at once
    cameras.forEach(function (camera) {
      var access = text["access." + camera.access] || camera.access;
      var marker = L.marker([camera.latitude, camera.longitude], {
        icon: L.divIcon({
          className: "cam-marker access-" + camera.access + (camera.online ? " online" : " offline"),
          html: '<span class="pin"></span>', iconSize: [44, 44], iconAnchor: [22, 22]
        }),
        title: camera.name + " · " + access, riseOnHover: true
      });
      var entry = { camera: camera, marker: marker };
      marker.on("click", function () { openSheet(entry); });
      marker.addTo(cameraLayer);
      shown.push(entry);
      var node = marker.getElement();
      node.setAttribute("data-device-id", camera.device_id);
      node.setAttribute("data-access", camera.access);
      node.setAttribute("aria-label", camera.name + " · " + access + " · " + distanceText(camera.distance_m));
    });
    showStatus(cameras.length
      ? format(text["nearby.count"], { count: cameras.length }) + " · " +
        format(text["nearby.radar_scale"], { distance: distanceText(outer) })
      : text["nearby.empty"]);
    mapNode.removeAttribute("aria-busy");
    mapNode.setAttribute("data-count", String(cameras.length));
  }

  // Distance rings and north-south / east-west axes around the user: with no tiles they
  // are what makes the plot readable; over tiles they still tell distance at a glance.
  function drawRings(rim) {
    var step = RING_STEPS[RING_STEPS.length - 1];
    for (var i = 0; i < RING_STEPS.length; i++) {
      if (rim <= RING_STEPS[i] * 4) { step = RING_STEPS[i]; break; }
    }
    var rings = Math.max(1, Math.ceil(rim / step));
    var outer = rings * step;
    var lat = position[0], lon = position[1];
    var line = { interactive: false, className: "map-axis", weight: 1 };
    L.polyline([offset(lat, lon, outer, 0), offset(lat, lon, -outer, 0)], line).addTo(ringLayer);
    L.polyline([offset(lat, lon, 0, -outer), offset(lat, lon, 0, outer)], line).addTo(ringLayer);
    for (var r = 1; r <= rings; r++) {
      var radius = r * step;
      L.circle(position, { radius: radius, interactive: false, className: "map-ring", weight: 1,
                           fill: false }).addTo(ringLayer);
      L.marker(offset(lat, lon, radius, 0), {
        icon: L.divIcon({ className: "ring-label", html: "<span>" + distanceText(radius) + "</span>",
                          iconSize: null }),
        interactive: false, keyboard: false
      }).addTo(ringLayer);
    }
    plotBounds = L.latLngBounds([offset(lat, lon, outer, outer), offset(lat, lon, -outer, -outer)]);
    return outer;
  }

  // New cameras jump into view (the plot is final when the markers are); the recentre
  // button glides.
  function fitPlot(animate) {
    var options = { padding: [8, 8], animate: !!animate };
    if (plotBounds) { map.fitBounds(plotBounds, options); } else if (position) { map.setView(position, 15, options); }
  }

  // --- the camera sheet ------------------------------------------------------------

  function openSheet(entry) {
    var camera = entry.camera, marker = entry.marker;
    if (selected && selected.getElement()) L.DomUtil.removeClass(selected.getElement(), "selected");
    selected = marker;
    L.DomUtil.addClass(marker.getElement(), "selected");
    sheet.querySelector(".sheet-name").textContent = camera.name;
    var badge = sheet.querySelector(".badge");
    badge.className = "badge badge-" + camera.access;
    badge.textContent = text["access." + camera.access] || camera.access;
    var state = sheet.querySelector(".state");
    state.className = "state " + (camera.online ? "on" : "off");
    state.textContent = camera.online ? text["camera.online"] : text["camera.offline"];
    sheet.querySelector(".sheet-dist").textContent =
      distanceText(camera.distance_m) + (camera.bearing_deg != null ? " · " + compassText(camera.bearing_deg) : "");
    sheet.querySelector(".sheet-owner").textContent =
      camera.dept_name + " · " + (text["camera.type." + camera.camera_type] || "");
    sheet.querySelector(".sheet-addr").textContent = camera.address;
    sheet.querySelector(".sheet-open").href = "/cameras/" + encodeURIComponent(camera.device_id);
    listSameSpot(entry);
    sheet.hidden = false;
    keepAboveSheet(marker);
  }
  // Cameras at one crossing overlap at city zoom levels: the sheet names the others, so
  // none is out of reach without zooming in.
  function listSameSpot(entry) {
    var here = map.latLngToContainerPoint(entry.marker.getLatLng());
    var others = shown.filter(function (other) {
      return other !== entry &&
        map.latLngToContainerPoint(other.marker.getLatLng()).distanceTo(here) < SAME_SPOT_PX;
    });
    var list = sheet.querySelector(".sheet-others");
    list.textContent = "";
    list.hidden = others.length === 0;
    if (!others.length) return;
    var title = document.createElement("li");
    title.className = "muted small";
    title.textContent = format(text["map.same_spot"], { count: others.length });
    list.appendChild(title);
    others.slice(0, 8).forEach(function (other) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sheet-other";
      var name = document.createElement("span");
      name.textContent = other.camera.name;
      var badge = document.createElement("span");
      badge.className = "badge badge-" + other.camera.access;
      badge.textContent = text["access." + other.camera.access] || other.camera.access;
      button.appendChild(name);
      button.appendChild(badge);
      button.addEventListener("click", function () { openSheet(other); });
      item.appendChild(button);
      list.appendChild(item);
    });
  }
  function keepAboveSheet(marker) {
    var point = map.latLngToContainerPoint(marker.getLatLng());
    var limit = sheet.offsetTop - 30;
    if (point.y > limit) map.panBy([0, point.y - limit]);
  }
  function closeSheet() {
    if (selected && selected.getElement()) L.DomUtil.removeClass(selected.getElement(), "selected");
    selected = null;
    sheet.hidden = true;
  }
  sheet.querySelector(".sheet-close").addEventListener("click", closeSheet);
  L.DomEvent.disableClickPropagation(sheet);
  L.DomEvent.disableScrollPropagation(sheet);
  map.on("click", closeSheet);
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") closeSheet(); });

  // --- filters ---------------------------------------------------------------------

  form.addEventListener("change", load);
  form.addEventListener("submit", function (event) { event.preventDefault(); load(); });
  document.getElementById("use-centre").addEventListener("click", function () { useCentre(""); });
  var clearSearch = document.getElementById("clear-search");
  if (clearSearch) {
    clearSearch.addEventListener("click", function () {
      var chip = document.getElementById("search-chip");
      chip.parentNode.removeChild(chip);
      load();
    });
  }

  if (config.start) { setPosition(config.start[0], config.start[1]); } else { locate(false); }
})();
