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
  // The chat: typing and paste telemetry per message; with JavaScript the message is posted
  // in the background and the reply streamed (server-sent events), else the form posts.
  var chat = document.getElementById("chat");
  var chatForm = document.getElementById("chat-form");
  var reload = function () { window.location.reload(); };
  var addMessage = function (role, turn, text) {
    var li = document.createElement("li");
    li.className = "msg msg-" + role;
    li.setAttribute("data-role", role);
    li.setAttribute("data-turn", String(turn));
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = role === "participant" ? "You" : "Assistant";
    var p = document.createElement("p");
    p.textContent = text;
    li.appendChild(who);
    li.appendChild(p);
    chat.appendChild(li);
    return p;
  };
  var streamReply = function (turn) {
    var target = addMessage("model", turn, "");
    var source = new window.EventSource("/survey/chat/stream");
    source.addEventListener("chunk", function (event) {
      target.textContent += JSON.parse(event.data).text;
    });
    source.addEventListener("done", function () { source.close(); reload(); });
    source.addEventListener("failed", function () { source.close(); reload(); });
    source.onerror = function () { source.close(); window.setTimeout(reload, 1000); };
  };
  if (chat && window.fetch && window.EventSource) {
    var pending = parseInt(chat.getAttribute("data-pending") || "0", 10);
    var wait = document.getElementById("chat-wait");
    if (pending > 0) {
      if (wait) { wait.hidden = true; }
      streamReply(pending);
    }
  }
  if (chatForm) {
    var message = document.getElementById("message");
    var keys = 0;
    var chatPastes = 0;
    var firstKey = 0;
    message.addEventListener("keydown", function () {
      keys += 1;
      if (!firstKey) { firstKey = Date.now(); }
    });
    message.addEventListener("paste", function () { chatPastes += 1; });
    var fill = function () {
      chatForm.elements.keystrokes.value = String(keys);
      chatForm.elements.pastes.value = String(chatPastes);
      chatForm.elements.typing_ms.value = String(firstKey ? Date.now() - firstKey : 0);
    };
    chatForm.addEventListener("submit", function (event) {
      fill();
      if (!(window.fetch && window.EventSource)) { return; }
      event.preventDefault();
      var body = new URLSearchParams(new window.FormData(chatForm));
      body.set("mode", "js");
      document.getElementById("send").disabled = true;
      window.fetch("/survey/chat", {
        method: "POST", credentials: "same-origin", body: body,
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (response.status !== 202) { reload(); return null; }
        return response.json().then(function (data) {
          addMessage("participant", data.turn, message.value.trim());
          chatForm.hidden = true;
          streamReply(data.turn);
        });
      }).catch(reload);
    });
  }
}());
