/* Tablet mode: back to the lock screen after the idle time without a touch, a key or a
   new question.  Loaded only in tablet mode (templates/tablet/_idle.html); without
   JavaScript a <noscript> meta refresh does the same on every full page load. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var seconds = parseInt(script.getAttribute("data-idle-seconds"), 10);
  var url = script.getAttribute("data-lock-url");
  if (!seconds || seconds < 1 || !url) { return; }
  var timer = null;
  var lastActivity = Date.now();

  function lock() { window.location.replace(url); }

  function restart() {
    lastActivity = Date.now();
    if (timer !== null) { window.clearTimeout(timer); }
    timer = window.setTimeout(lock, seconds * 1000);
  }

  ["pointerdown", "keydown", "input", "touchstart", "scroll"].forEach(function (name) {
    window.addEventListener(name, restart, { passive: true, capture: true });
  });
  document.addEventListener("htmx:afterSettle", restart);
  /* A tablet that slept past the idle time (timers paused) locks as soon as it wakes. */
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && Date.now() - lastActivity > seconds * 1000) {
      lock();
    }
  });
  restart();
})();
