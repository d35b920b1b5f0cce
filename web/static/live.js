// Live view: one WebRTC peer connection per page, receive-only, H.264 preferred (phones
// decode it in hardware), VP8 as fallback. The server sends each viewer a watermarked
// encode; this page only negotiates, shows status and closes the stream when left.
(function () {
  "use strict";
  var player = document.getElementById("player");
  var video = document.getElementById("live-video");
  var statusLine = document.getElementById("live-status");
  var retryButton = document.getElementById("live-retry");
  var deviceId = player.dataset.deviceId;
  var iceServers = JSON.parse(player.dataset.iceServers || "[]");
  var pc = null, sessionId = null, attempts = 0, leaving = false, retryTimer = null;
  var statusTimer = null, ended = false;
  var stats = window.__liveStats = { startedAt: 0, firstFrameMs: null, frames: 0, codec: null, error: null };

  function setStatus(text) { statusLine.textContent = text; }

  function preferCodecs(transceiver) {
    if (!transceiver.setCodecPreferences || !window.RTCRtpReceiver || !RTCRtpReceiver.getCapabilities) return;
    var codecs = RTCRtpReceiver.getCapabilities("video").codecs;
    function rank(c) {
      var fmtp = c.sdpFmtpLine || "";
      if (c.mimeType === "video/H264" && fmtp.indexOf("42e01f") >= 0 && fmtp.indexOf("packetization-mode=1") >= 0) return 0;
      if (c.mimeType === "video/H264" && fmtp.indexOf("profile-level-id=42") >= 0) return 1;
      if (c.mimeType === "video/VP8") return 2;
      if (c.mimeType === "video/rtx" || c.mimeType === "video/red" || c.mimeType === "video/ulpfec") return 3;
      return 9;
    }
    var preferred = codecs.filter(function (c) { return rank(c) < 9; })
      .sort(function (a, b) { return rank(a) - rank(b); });
    try { transceiver.setCodecPreferences(preferred); } catch (e) { /* keep the browser's order */ }
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

  function countFrames() {
    if (!video.requestVideoFrameCallback) return;
    video.requestVideoFrameCallback(function onFrame() {
      stats.frames += 1;
      if (stats.firstFrameMs === null) {
        stats.firstFrameMs = performance.now() - stats.startedAt;
        setStatus(player.dataset.msgPlaying);
      }
      if (!leaving) video.requestVideoFrameCallback(onFrame);
    });
  }

  function closeStream(keepalive) {
    if (sessionId) {
      fetch("/api/streams/" + encodeURIComponent(sessionId), {
        method: "DELETE", keepalive: !!keepalive, credentials: "same-origin",
        headers: { "x-csrftoken": window.csrfToken() }
      }).catch(function () {});
      sessionId = null;
    }
    if (pc) { pc.close(); pc = null; }
  }

  // The server ends a stream whose viewer lost access (a grant revoked or expired): ask
  // the stream's status now and then, and when the connection drops, to say why.
  function showEnded(message) {
    ended = true;
    clearInterval(statusTimer);
    clearTimeout(retryTimer);
    if (pc) { pc.close(); pc = null; }
    video.srcObject = null;
    video.hidden = true;
    retryButton.hidden = true;
    player.dataset.ended = "true";
    setStatus(message);
    statusLine.classList.add("live-ended");
  }

  async function checkEnded() {
    var id = sessionId;
    if (!id || ended) return false;
    try {
      var response = await fetch("/api/streams/" + encodeURIComponent(id), {
        credentials: "same-origin", headers: { accept: "application/json" }
      });
      if (!response.ok) return false;
      var body = await response.json();
      // Only an end for lost access is final; a dropped connection is retried.
      if (body.state === "ended" && String(body.reason || "").indexOf("access_") === 0 && id === sessionId) {
        sessionId = null;
        showEnded(body.message);
        return true;
      }
    } catch (error) { /* offline: the retry path handles it */ }
    return false;
  }

  function connectionLost() {
    checkEnded().then(function (isEnded) { if (!isEnded) scheduleRetry(); });
  }

  function scheduleRetry() {
    closeStream(false);
    if (leaving || ended) return;
    attempts += 1;
    if (attempts > 5) { setStatus(player.dataset.msgFailed); retryButton.hidden = false; return; }
    setStatus(player.dataset.msgLost);
    retryTimer = setTimeout(start, Math.min(8000, 500 * Math.pow(2, attempts)));
  }

  async function start() {
    retryButton.hidden = true;
    setStatus(player.dataset.msgConnecting);
    stats.startedAt = performance.now();
    stats.firstFrameMs = null;
    pc = new RTCPeerConnection({ iceServers: iceServers });
    var connection = pc;
    var transceiver = pc.addTransceiver("video", { direction: "recvonly" });
    preferCodecs(transceiver);
    pc.ontrack = function (event) {
      video.srcObject = event.streams[0] || new MediaStream([event.track]);
      countFrames();
      video.play().catch(function () {});
    };
    pc.onconnectionstatechange = function () {
      stats.connectionState = connection.connectionState;
      if (connection !== pc) return;
      if (pc.connectionState === "connected") { attempts = 0; stats.connectedMs = performance.now() - stats.startedAt; }
      if (pc.connectionState === "failed" || pc.connectionState === "disconnected" || pc.connectionState === "closed") { connectionLost(); }
    };
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await gatheringDone(pc, 2000);
      stats.gatheredMs = performance.now() - stats.startedAt;
      var response = await fetch("/api/cameras/" + encodeURIComponent(deviceId) + "/live", {
        method: "POST", credentials: "same-origin",
        headers: { "content-type": "application/json", "x-csrftoken": window.csrfToken() },
        body: JSON.stringify({ sdp: pc.localDescription.sdp, type: "offer" })
      });
      var body = await response.json();
      if (!response.ok) {
        stats.error = body.error;
        closeStream(false);
        setStatus(body.message || player.dataset.msgFailed);
        retryButton.hidden = false;
        return;
      }
      stats.answeredMs = performance.now() - stats.startedAt;
      sessionId = body.session_id;
      stats.codec = body.codec;
      clearInterval(statusTimer);
      statusTimer = setInterval(checkEnded, 2500);
      await pc.setRemoteDescription({ type: body.type, sdp: body.sdp });
    } catch (error) {
      stats.error = String(error);
      scheduleRetry();
    }
  }

  retryButton.addEventListener("click", function () { attempts = 0; start(); });
  window.addEventListener("pagehide", function () { leaving = true; clearTimeout(retryTimer); clearInterval(statusTimer); closeStream(true); });
  start();
})();
