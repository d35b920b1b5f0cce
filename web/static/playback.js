// Playback tab: pick a time (or tap the timeline) → a WebRTC playback of the recording,
// watermarked for this viewer by the server. The page keeps the recorded position the
// server reports (anchor + speed) and shows it under the video in the camera's time zone;
// it closes the stream when left. Seeks inside the played window go to the platform;
// outside it a new playback starts.
(function () {
  "use strict";
  var root = document.getElementById("pb");
  var deviceId = root.dataset.deviceId;
  var zone = root.dataset.timeZone;
  var iceServers = JSON.parse(root.dataset.iceServers || "[]");
  var video = document.getElementById("pb-video");
  var statusLine = document.getElementById("pb-status");
  var message = document.getElementById("pb-message");
  var recordedText = document.getElementById("pb-recorded");
  var speedShown = document.getElementById("pb-speed-shown");
  var toggle = document.getElementById("pb-toggle");
  var speedSelect = document.getElementById("pb-speed");
  var timeline = document.getElementById("pb-timeline");
  var track = document.getElementById("pb-track");
  var cursor = document.getElementById("pb-cursor");
  var dayInput = document.getElementById("pb-day");
  var timeInput = document.getElementById("pb-time");
  var pc = null, session = null, leaving = false, spanMs = 2 * 3600e3, windowStart = 0;
  var position = null; // {rec: ms, speed, paused, at: performance.now(), ended}
  var stats = window.__playbackStats = { startedAt: 0, firstFrameMs: null, frames: 0, sessionId: null, error: null, recordedShown: null };

  var formatter = new Intl.DateTimeFormat("sv-SE", { timeZone: zone, year: "numeric", month: "2-digit",
    day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  function fmt(ms) { return formatter.format(new Date(ms)).replace(",", ""); }
  // The camera zone's offset from UTC (ms), for times typed in that zone.
  function zoneOffset(ms) { return Date.parse(fmt(ms).replace(" ", "T") + "Z") - Math.floor(ms / 1000) * 1000; }
  function localToMs(text) { var guess = Date.parse(text + "Z"); return guess - zoneOffset(guess); }
  function iso(ms) { return new Date(ms).toISOString(); }
  function api(method, url, body) {
    return fetch(url, { method: method, credentials: "same-origin", keepalive: method === "DELETE",
      headers: { "content-type": "application/json", accept: "application/json", "x-csrftoken": window.csrfToken() },
      body: body ? JSON.stringify(body) : undefined });
  }
  function say(text) { message.textContent = text || ""; }

  // --- the recorded position ---------------------------------------------------------
  function adopt(state) {
    position = { rec: Date.parse(state.recorded_at), speed: state.speed, paused: state.paused,
                 at: performance.now(), ended: state.ended };
    toggle.textContent = state.paused ? root.dataset.msgResume : root.dataset.msgPause;
    speedSelect.value = String(state.speed);
    if (state.ended) statusLine.textContent = root.dataset.msgEnded;
  }
  function recordedNow() {
    if (!position) return null;
    if (position.paused || position.ended) return position.rec;
    return position.rec + (performance.now() - position.at) * position.speed;
  }
  function render() {
    var now = recordedNow();
    if (now !== null) {
      var text = fmt(now);
      recordedText.textContent = text;
      stats.recordedShown = text;
      speedShown.textContent = position.speed !== 1 ? "×" + position.speed : "";
      var x = (now - windowStart) / spanMs;
      cursor.hidden = x < 0 || x > 1;
      cursor.style.left = (x * 100) + "%";
      if ((x > 1.02 || x < -0.02) && !dragging) loadTimeline(now);
    }
  }
  setInterval(render, 200);
  setInterval(function () {
    if (!session || document.hidden) return;
    api("GET", "/api/streams/" + encodeURIComponent(session.id) + "/playback").then(function (r) {
      return r.ok ? r.json().then(adopt) : null;
    }).catch(function () {});
  }, 3000);

  // --- the timeline ------------------------------------------------------------------
  function loadTimeline(centre) {
    var now = Date.now();
    windowStart = Math.min(centre - spanMs / 2, now - spanMs);
    var end = windowStart + spanMs;
    document.getElementById("pb-scale-start").textContent = fmt(windowStart).slice(5, 16);
    document.getElementById("pb-scale-end").textContent = fmt(end).slice(5, 16);
    track.innerHTML = "";
    var asked = windowStart;
    api("GET", "/api/cameras/" + encodeURIComponent(deviceId) + "/recordings?start=" +
        encodeURIComponent(iso(windowStart)) + "&end=" + encodeURIComponent(iso(end)))
      .then(function (r) { return r.json().then(function (body) { return [r.ok, body]; }); })
      .then(function (result) {
        if (asked !== windowStart) return; // a newer window was asked for meanwhile
        if (!result[0]) { say(result[1].message); return; }
        result[1].segments.forEach(function (segment) {
          var left = (Date.parse(segment.start) - windowStart) / spanMs;
          var right = (Date.parse(segment.end) - windowStart) / spanMs;
          var bar = document.createElement("div");
          bar.className = "seg";
          bar.style.left = (Math.max(0, left) * 100) + "%";
          bar.style.width = (Math.max(0.002, Math.min(1, right) - Math.max(0, left)) * 100) + "%";
          track.appendChild(bar);
        });
      }).catch(function () {});
  }
  var dragging = false;
  function timeAt(event) {
    var box = timeline.getBoundingClientRect();
    var x = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
    return windowStart + x * spanMs;
  }
  timeline.addEventListener("pointerdown", function (event) {
    dragging = true; timeline.setPointerCapture(event.pointerId);
    cursor.hidden = false; cursor.style.left = ((timeAt(event) - windowStart) / spanMs * 100) + "%";
  });
  timeline.addEventListener("pointermove", function (event) {
    if (!dragging) return;
    var at = timeAt(event);
    cursor.style.left = ((at - windowStart) / spanMs * 100) + "%";
    recordedText.textContent = fmt(at);
  });
  timeline.addEventListener("pointerup", function (event) {
    if (!dragging) return;
    dragging = false;
    playAt(timeAt(event));
  });
  document.querySelectorAll("[data-span-h]").forEach(function (button) {
    button.addEventListener("click", function () {
      spanMs = parseFloat(button.dataset.spanH) * 3600e3;
      var now = recordedNow();
      loadTimeline(now !== null ? now : windowStart + spanMs / 2);
    });
  });

  // --- playing ---------------------------------------------------------------------
  function closeStream() {
    if (session) { api("DELETE", "/api/streams/" + encodeURIComponent(session.id)).catch(function () {}); session = null; }
    if (pc) { pc.close(); pc = null; }
  }
  function countFrames() {
    if (!video.requestVideoFrameCallback) return;
    video.requestVideoFrameCallback(function onFrame() {
      stats.frames += 1;
      if (stats.firstFrameMs === null) { stats.firstFrameMs = performance.now() - stats.startedAt; statusLine.textContent = ""; }
      if (!leaving) video.requestVideoFrameCallback(onFrame);
    });
  }
  function gatheringDone(connection, timeoutMs) {
    return new Promise(function (resolve) {
      if (connection.iceGatheringState === "complete") { resolve(); return; }
      var timer = setTimeout(resolve, timeoutMs);
      connection.addEventListener("icegatheringstatechange", function () {
        if (connection.iceGatheringState === "complete") { clearTimeout(timer); resolve(); }
      });
    });
  }
  async function startAt(ms) {
    closeStream();
    say("");
    statusLine.textContent = root.dataset.msgConnecting;
    stats.startedAt = performance.now(); stats.firstFrameMs = null; stats.error = null;
    pc = new RTCPeerConnection({ iceServers: iceServers });
    var transceiver = pc.addTransceiver("video", { direction: "recvonly" });
    if (transceiver.setCodecPreferences && window.RTCRtpReceiver && RTCRtpReceiver.getCapabilities) {
      var codecs = RTCRtpReceiver.getCapabilities("video").codecs.filter(function (c) {
        return c.mimeType === "video/H264" || c.mimeType === "video/VP8" || c.mimeType === "video/rtx";
      });
      try { transceiver.setCodecPreferences(codecs); } catch (e) { /* keep the browser's order */ }
    }
    pc.ontrack = function (event) {
      video.srcObject = event.streams[0] || new MediaStream([event.track]);
      countFrames();
      video.play().catch(function () {});
    };
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await gatheringDone(pc, 2000);
      var response = await api("POST", "/api/cameras/" + encodeURIComponent(deviceId) + "/playback",
                               { sdp: pc.localDescription.sdp, type: "offer", start: iso(ms) });
      var body = await response.json();
      if (!response.ok) {
        stats.error = body.error; closeStream(); statusLine.textContent = ""; say(body.message); return;
      }
      session = { id: body.session_id, start: Date.parse(body.start), end: Date.parse(body.end) };
      stats.sessionId = body.session_id;
      adopt({ recorded_at: body.recorded_at, speed: 1, paused: false, ended: false });
      await pc.setRemoteDescription({ type: body.type, sdp: body.sdp });
      if (speedSelect.value !== "1") control({ action: "speed", speed: parseFloat(speedSelect.value) });
    } catch (error) {
      stats.error = String(error); statusLine.textContent = root.dataset.msgFailed;
    }
  }
  function control(body) {
    if (!session) return Promise.resolve();
    return api("POST", "/api/streams/" + encodeURIComponent(session.id) + "/control", body)
      .then(function (r) { return r.json().then(function (answer) {
        if (r.ok) { adopt(answer); say(""); }
        else if (r.status === 404 || r.status === 409) { var at = recordedNow(); session = null; if (at !== null) startAt(at); }
        else say(answer.message);
      }); }).catch(function () {});
  }
  function playAt(ms) {
    ms = Math.min(ms, Date.now() - 5000);
    if (session && ms >= session.start && ms < session.end - 1000) {
      control({ action: "seek", at: iso(ms) });
    } else {
      startAt(ms);
    }
    if (ms < windowStart || ms > windowStart + spanMs) loadTimeline(ms);
  }

  // --- inputs ----------------------------------------------------------------------
  function fillInputs(ms) {
    var text = fmt(ms);
    dayInput.value = text.slice(0, 10);
    timeInput.value = text.slice(11, 19);
  }
  document.getElementById("pb-pick").addEventListener("submit", function (event) {
    event.preventDefault();
    var time = timeInput.value.length === 5 ? timeInput.value + ":00" : timeInput.value;
    var ms = localToMs(dayInput.value + "T" + time);
    loadTimeline(ms);
    playAt(ms);
  });
  document.querySelectorAll("[data-ago-min]").forEach(function (button) {
    button.addEventListener("click", function () {
      var ms = Date.now() - parseFloat(button.dataset.agoMin) * 60e3;
      fillInputs(ms); loadTimeline(ms); playAt(ms);
    });
  });
  toggle.addEventListener("click", function () {
    if (!position) return;
    control({ action: position.paused ? "resume" : "pause" });
  });
  document.getElementById("pb-back").addEventListener("click", function () {
    var now = recordedNow(); if (now !== null) playAt(now - 30e3);
  });
  document.getElementById("pb-forward").addEventListener("click", function () {
    var now = recordedNow(); if (now !== null) playAt(now + 30e3);
  });
  speedSelect.addEventListener("change", function () {
    control({ action: "speed", speed: parseFloat(speedSelect.value) });
  });
  window.addEventListener("pagehide", function () { leaving = true; closeStream(); });

  var first = root.dataset.start ? Date.parse(root.dataset.start) : Date.now() - 15 * 60e3;
  fillInputs(first);
  loadTimeline(first);
  if (root.dataset.start) playAt(first);
})();

// Clip download: a watermarked MP4 made in the background. The clip id is remembered per
// camera, so leaving the page and coming back shows its progress again.
(function () {
  "use strict";
  var box = document.getElementById("pb-clip");
  if (!box) return;
  var root = document.getElementById("pb");
  var deviceId = root.dataset.deviceId;
  var statusLine = document.getElementById("pb-clip-status");
  var link = document.getElementById("pb-clip-link");
  var key = "clip:" + deviceId, timer = null;
  function headers() { return { "content-type": "application/json", accept: "application/json", "x-csrftoken": window.csrfToken() }; }
  function show(clip) {
    link.hidden = clip.state !== "ready";
    if (clip.state === "ready") { link.href = clip.download_url; statusLine.textContent = box.dataset.msgReady; }
    else if (clip.state === "running") statusLine.textContent = box.dataset.msgRunning.replace("{percent}", Math.round(clip.progress * 100));
    else statusLine.textContent = box.dataset["msg" + clip.state.charAt(0).toUpperCase() + clip.state.slice(1)] || clip.state;
  }
  function poll(id) {
    clearTimeout(timer);
    fetch("/api/clips/" + encodeURIComponent(id), { credentials: "same-origin", headers: headers() })
      .then(function (r) { return r.json().then(function (body) { return [r.ok, body]; }); })
      .then(function (result) {
        if (!result[0]) { localStorage.removeItem(key); statusLine.textContent = result[1].message; return; }
        show(result[1]);
        if (result[1].state === "queued" || result[1].state === "running") timer = setTimeout(function () { poll(id); }, 1000);
      }).catch(function () { timer = setTimeout(function () { poll(id); }, 3000); });
  }
  function seconds(text) { return text.length === 5 ? text + ":00" : text; }
  document.getElementById("pb-clip-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var day = document.getElementById("pb-day").value;
    var body = { start: day + "T" + seconds(document.getElementById("pb-clip-start").value),
                 end: day + "T" + seconds(document.getElementById("pb-clip-end").value) };
    link.hidden = true;
    fetch("/api/cameras/" + encodeURIComponent(deviceId) + "/clips", { method: "POST", credentials: "same-origin",
      headers: headers(), body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (answer) { return [r.ok, answer]; }); })
      .then(function (result) {
        if (!result[0]) { statusLine.textContent = result[1].message; return; }
        localStorage.setItem(key, result[1].id);
        show(result[1]); poll(result[1].id);
      }).catch(function () {});
  });
  var time = document.getElementById("pb-time");
  function suggest() {
    if (!time.value) return;
    var parts = seconds(time.value).split(":").map(Number);
    var start = parts[0] * 3600 + parts[1] * 60 + parts[2];
    function hms(total) { total = Math.min(86399, total); return [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60].map(function (n) { return String(n).padStart(2, "0"); }).join(":"); }
    document.getElementById("pb-clip-start").value = hms(start);
    document.getElementById("pb-clip-end").value = hms(start + 60);
  }
  time.addEventListener("change", suggest);
  suggest();
  var remembered = localStorage.getItem(key);
  if (remembered) poll(remembered);
})();
