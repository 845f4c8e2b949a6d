// Integrity signals and the reading timer. The server re-checks the reading time itself.
(function () {
  "use strict";
  var focusLosses = 0;
  var pastes = 0;
  // Leaving the page (another tab or window) counts once per departure.
  window.addEventListener("blur", function () { focusLosses += 1; });
  document.addEventListener("paste", function () { pastes += 1; });

  var form = document.getElementById("reading");
  if (form) {
    var button = document.getElementById("continue");
    var wait = parseInt(form.getAttribute("data-wait-ms") || "0", 10);
    if (wait > 0) {
      window.setTimeout(function () {
        button.disabled = false;
        document.getElementById("wait-note").textContent = "";
      }, wait + 150);
    }
    form.addEventListener("submit", function () {
      form.elements.focus_losses.value = String(focusLosses);
      form.elements.pastes.value = String(pastes);
    });
  }

  // Heartbeat: while the page is open and visible, the participant's places stay held.
  var csrf = document.querySelector("form[action='/survey'] input[name=csrf]");
  if (csrf && window.fetch) {
    window.setInterval(function () {
      if (document.hidden) { return; }
      window.fetch("/survey/heartbeat", {
        method: "POST",
        credentials: "same-origin",
        body: new URLSearchParams({ csrf: csrf.value })
      }).catch(function () { return null; });
    }, 60000);
  }

  var writing = document.getElementById("writing");
  if (writing) {
    var box = document.getElementById("text");
    var counter = document.getElementById("word-count");
    var update = function () {
      var words = box.value.trim() ? box.value.trim().split(/\s+/).length : 0;
      counter.textContent = String(words);
    };
    box.addEventListener("input", update);
    writing.addEventListener("submit", function () { writing.elements.pastes.value = String(pastes); });
    update();
  }
}());
