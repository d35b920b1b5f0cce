// PTZ pad (云台控制): press and hold a direction or zoom button to move the camera,
// release to stop. While a button is held the move is repeated (the server stops a camera
// by itself when neither a stop nor a repeat arrives in time); the hold ends, and a stop
// goes out, when the finger lifts or slides off, the touch is cancelled, the window loses
// focus, the page is hidden or left. Commands go out one after another, so a quick tap's
// stop cannot overtake its move; all are sent with keepalive so that a command once sent
// still arrives when the page goes away, and a stop still waiting its turn is sent at once
// when the page is hidden or left.
(function () {
  "use strict";
  var pad = document.getElementById("ptz-pad");
  if (!pad) return;
  var url = "/api/cameras/" + encodeURIComponent(pad.dataset.deviceId) + "/ptz";
  var statusLine = document.getElementById("ptz-status");
  var speedInput = pad.querySelector('input[name="speed"]');
  var held = null; // { button, command, pointerId, timer }
  var queue = Promise.resolve();
  var stopPending = false; // a stop is queued behind another command
  var trace = window.__ptz = { sent: [], done: [], errors: [] }; // read by the browser tests

  function ignore() {}

  function speed() {
    var value = parseInt(speedInput ? speedInput.value : "", 10);
    return value >= 1 && value <= 100 ? value : 50;
  }

  function post(command) {
    trace.sent.push(command);
    return fetch(url, {
      method: "POST", keepalive: true, credentials: "same-origin",
      headers: { "content-type": "application/json", "accept": "application/json",
                 "x-csrftoken": window.csrfToken() },
      body: JSON.stringify({ command: command, speed: speed() })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) throw body;
        trace.done.push(command);
        return body;
      });
    });
  }

  function send(command) {
    var result = queue.then(function () { return post(command); });
    queue = result.catch(ignore);
    return result;
  }

  function queueStop() {
    stopPending = true;
    var result = queue.then(function () {
      if (!stopPending) return null; // already sent: the page was going away
      stopPending = false;
      return post("stop");
    });
    queue = result.catch(ignore);
    return result;
  }

  function showError(body) {
    statusLine.textContent = (body && body.message) || pad.dataset.msgFailed;
    trace.errors.push((body && body.error) || String(body));
  }

  function endHold(hold) {
    clearInterval(hold.timer);
    hold.button.classList.remove("active");
    hold.button.removeAttribute("aria-pressed");
    if (held === hold) held = null;
  }

  function release() {
    if (!held) return;
    endHold(held);
    queueStop().catch(showError);
  }

  function leaving() {
    release();
    if (stopPending) { // no time to wait for the command ahead of it
      stopPending = false;
      post("stop").catch(ignore);
    }
  }

  function press(button, pointerId) {
    release();
    var command = button.dataset.command;
    statusLine.textContent = "";
    if (command === "stop") { send("stop").catch(showError); return; }
    var hold = held = { button: button, command: command, pointerId: pointerId, timer: null };
    button.classList.add("active");
    button.setAttribute("aria-pressed", "true");
    send(command).then(function (body) {
      if (held !== hold) return; // already released: its stop is queued behind this move
      hold.timer = setInterval(function () {
        send(command).catch(function (error) { showError(error); if (held === hold) release(); });
      }, body.repeat_ms || 1000);
    }, function (error) {
      showError(error);
      if (held === hold) endHold(hold); // refused: nothing moves, nothing to stop
    });
  }

  pad.addEventListener("pointerdown", function (event) {
    var button = event.target.closest(".ptz-btn");
    if (!button || event.button > 0) return;
    event.preventDefault();
    // Touch pointers are captured by the button they start on; let go of that capture so
    // sliding off the button ends the hold as it does with a mouse.
    if (button.hasPointerCapture && button.hasPointerCapture(event.pointerId)) {
      button.releasePointerCapture(event.pointerId);
    }
    press(button, event.pointerId);
  });
  function pointerEnded(event) {
    if (held && event.pointerId === held.pointerId) release();
  }
  window.addEventListener("pointerup", pointerEnded);
  window.addEventListener("pointercancel", pointerEnded);
  pad.querySelectorAll(".ptz-btn").forEach(function (button) {
    button.addEventListener("pointerleave", function (event) {
      if (held && held.button === button) pointerEnded(event);
    });
  });
  pad.addEventListener("contextmenu", function (event) { event.preventDefault(); }); // long press

  // Keyboard: Enter or Space held on a focused button works like a finger.
  pad.addEventListener("keydown", function (event) {
    var button = event.target.closest(".ptz-btn");
    if (!button || event.repeat || (event.key !== "Enter" && event.key !== " ")) return;
    event.preventDefault();
    press(button, "key");
  });
  pad.addEventListener("keyup", function (event) {
    if (held && held.pointerId === "key" && (event.key === "Enter" || event.key === " ")) release();
  });

  window.addEventListener("blur", release);
  // Leaving: beforeunload comes first, while the page is still whole (requests started
  // later, in pagehide, are sometimes lost as the page is torn down); phones that skip
  // beforeunload still give pagehide or a hidden visibility state.
  window.addEventListener("beforeunload", leaving);
  window.addEventListener("pagehide", leaving);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") leaving();
  });
})();
