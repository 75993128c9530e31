/* KidsVoice — the child's pages.  Progressive enhancement only: every screen works without
   this file.  No eval, no inline code, nothing sent anywhere.

   1. Read aloud with the browser's speech synthesis, using on-device voices only
      (SpeechSynthesisVoice.localService) in the page's language; the button stays hidden when
      there is no such voice.  Nothing plays by itself.
   2. After htmx swaps in the next question: move focus to it and announce it.
   3. A live character count under free-text answers. */
(function () {
  "use strict";

  var lang = (document.documentElement.lang || "da").toLowerCase();
  var voice = null;

  function synth() {
    var s = window.speechSynthesis;
    return s && typeof s.getVoices === "function" && window.SpeechSynthesisUtterance ? s : null;
  }

  function localVoice() {
    if (!synth()) { return null; }
    var voices = synth().getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      var v = voices[i];
      if (v.localService && v.lang && v.lang.toLowerCase().indexOf(lang) === 0) { return v; }
    }
    return null;
  }

  function textOf(scope) {
    var parts = scope.querySelectorAll("[data-speak-part]");
    var texts = [];
    for (var i = 0; i < parts.length; i++) {
      var t = parts[i].textContent.replace(/\s+/g, " ").trim();
      if (t) { texts.push(t); }
    }
    return texts.join(". ");
  }

  function setUpSpeakButtons(root) {
    voice = voice || localVoice();
    var buttons = (root || document).querySelectorAll("[data-speak]");
    for (var i = 0; i < buttons.length; i++) {
      var button = buttons[i];
      button.hidden = !voice;
      if (button.dataset.ready) { continue; }
      button.dataset.ready = "1";
      button.addEventListener("click", function (event) {
        var scope = event.currentTarget.closest("[data-speak-scope]") || document.body;
        if (!synth() || !voice) { return; }
        synth().cancel();
        var utterance = new window.SpeechSynthesisUtterance(textOf(scope));
        utterance.voice = voice;
        utterance.lang = voice.lang;
        synth().speak(utterance);
      });
    }
  }

  function setUpCounters(root) {
    var areas = (root || document).querySelectorAll("textarea[data-max]");
    for (var i = 0; i < areas.length; i++) {
      var area = areas[i];
      var hint = document.getElementById(area.getAttribute("aria-describedby"));
      if (!hint || area.dataset.ready) { continue; }
      area.dataset.ready = "1";
      var base = hint.textContent;
      var update = function (a, h, b) {
        return function () { h.textContent = b + " (" + a.value.length + "/" + a.dataset.max + ")"; };
      }(area, hint, base);
      area.addEventListener("input", update);
      update();
    }
  }

  function announce(conversation) {
    // After an answer that matched the worry list, the help box comes first (see _worry_help.html).
    var heading = document.getElementById("worry-help-heading") || document.getElementById("question");
    var announcer = document.getElementById("announcer");
    if (heading) { heading.focus({ preventScroll: false }); }
    if (announcer && conversation) {
      announcer.textContent = (conversation.dataset.announce || "") + ": " +
        (heading ? heading.textContent.trim() : "");
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpSpeakButtons(document);
    setUpCounters(document);
    if (synth() && typeof synth().addEventListener === "function") {
      synth().addEventListener("voiceschanged", function () {
        voice = localVoice();
        setUpSpeakButtons(document);
      });
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.elt;
    if (synth()) { synth().cancel(); }
    setUpSpeakButtons(document);
    setUpCounters(document);
    announce(document.getElementById("conversation") || target);
  });
}());
