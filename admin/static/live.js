/* Peyk live updates: one Server-Sent Events stream per page; the server sends only what this user may see.
   The inbox list and an open conversation refetch their server-rendered parts; calls pop up. */
(function () {
  "use strict";
  if (!window.EventSource) return;
  var inbox = document.querySelector('[data-live="inbox"]');
  var thread = document.querySelector('[data-live="conversation"]');
  var caseBox = document.querySelector('[data-live="case"]');
  var pending = null;
  var fetching = false;

  function get(url) {
    return fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.text();
    });
  }

  function refreshInbox() {
    if (!inbox) return;
    clearTimeout(pending);
    pending = setTimeout(function () {
      var url = inbox.getAttribute("data-refresh");
      url += (url.indexOf("?") < 0 ? "?" : "&") + "part=rows";
      get(url).then(function (html) { inbox.innerHTML = html; }).catch(function () {});
    }, 250);
  }

  function appendMessages() {
    if (!thread || fetching) return;
    fetching = true;
    var id = thread.getAttribute("data-conversation");
    var last = thread.getAttribute("data-last") || "0";
    get("/admin/conversations/" + id + "/messages?after=" + encodeURIComponent(last)).then(function (html) {
      var box = document.getElementById("thread");
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var items = holder.querySelectorAll("[data-message]");
      for (var i = 0; i < items.length; i++) {
        var mid = items[i].getAttribute("data-message");
        var old = document.getElementById("m" + mid);
        if (old) old.replaceWith(items[i]); else box.appendChild(items[i]);
        if (Number(mid) > Number(thread.getAttribute("data-last") || 0)) thread.setAttribute("data-last", mid);
      }
      if (items.length) items[items.length - 1].scrollIntoView({ block: "nearest" });
    }).catch(function () {}).then(function () { fetching = false; });
  }

  function refreshMessage(messageId) {
    var id = thread.getAttribute("data-conversation");
    get("/admin/conversations/" + id + "/messages?only=" + encodeURIComponent(messageId)).then(function (html) {
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var item = holder.querySelector("[data-message]");
      var old = document.getElementById("m" + messageId);
      if (item && old) old.replaceWith(item);
    }).catch(function () {});
  }

  function stale() {
    // Someone else changed this record: say so (the words are in the page) rather than reload under the user.
    var note = document.getElementById("stale-note");
    if (note) note.hidden = false;
  }

  function popups() {
    var box = document.getElementById("call-popups");
    if (!box) {
      box = document.createElement("div");
      box.id = "call-popups";
      box.className = "call-popups";
      box.setAttribute("aria-live", "assertive");
      document.body.appendChild(box);
    }
    return box;
  }

  function showCall(callId) {
    get("/admin/calldesk/popup/" + encodeURIComponent(callId)).then(function (html) {
      var box = popups();
      var old = box.querySelector('[data-call="' + callId + '"]');
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var card = holder.firstElementChild;
      if (!card) return;
      if (old) old.replaceWith(card); else box.prepend(card);
    }).catch(function () {});
  }

  document.addEventListener("click", function (e) {
    var t = e.target;
    if (t && t.hasAttribute && t.hasAttribute("data-dismiss")) {
      var card = t.closest(".call-popup");
      if (card) card.remove();
    }
  });

  function onEvent(e) {
    var ev;
    try { ev = JSON.parse(e.data); } catch (err) { return; }
    var name = ev.name || "";
    if (name.indexOf("call.") === 0 && ev.call_id) { showCall(ev.call_id); return; }
    if (inbox && ev.conversation_id) refreshInbox();
    if (thread && String(ev.conversation_id) === thread.getAttribute("data-conversation")) {
      if ((name === "message.status" || name === "message.files") && ev.message_id && document.getElementById("m" + ev.message_id)) refreshMessage(ev.message_id);
      else if (name.indexOf("message.") === 0 || name === "note.added") appendMessages();
      else if (name.indexOf("conversation.") === 0) stale();
    }
    if (caseBox && String(ev.case_id) === caseBox.getAttribute("data-case")) stale();
  }

  var source = new EventSource("/admin/events");
  source.addEventListener("peyk", onEvent);
  source.addEventListener("open", function () {
    document.documentElement.setAttribute("data-live-ready", "1");
    if (thread) appendMessages();  // catch up on anything that arrived while disconnected
  });
})();
