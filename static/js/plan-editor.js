/*
 * The plan editing page (計画の管理) with htmx: every form posts by htmx and the
 * server answers the redrawn tree, with the message where the change was made and
 * in the live region above the tree. A change that renumbers an adopted plan's
 * codes asks first (hx-confirm, htmx's window.confirm; hx-vals then sends
 * `confirm`). This script only looks after what htmx leaves to the page: where the
 * focus goes after a redraw and keeping the message in sight, closing a panel,
 * what to say when a request fails, a signed-out session, and telling the
 * idle-timeout script (session-timeout.js) that the session was just used.
 * Without JavaScript the same forms post the whole page.
 */
(function () {
  "use strict";

  var SESSION_KEY = "akishima-ict:last-request";  // shared with session-timeout.js

  // A failed request's message: read out by the live region, shown next to the
  // form that was sent (the status line may be far above it).
  function say(text, form) {
    var status = document.getElementById("editor-status");
    if (status) {
      status.innerHTML = "";
      var hidden = document.createElement("p");
      hidden.className = "visually-hidden";
      hidden.textContent = text;
      status.appendChild(hidden);
    }
    var old = document.querySelectorAll("#plan-editor [data-message]");
    for (var i = 0; i < old.length; i += 1) {
      old[i].remove();
    }
    var box = document.createElement("div");
    box.className = "editor-message editor-message--error";
    box.setAttribute("data-message", "");
    var line = document.createElement("p");
    line.textContent = text;
    box.appendChild(line);
    var row = form && form.closest ? form.closest(".editor-row") : null;
    var anchor = row || form;
    if (anchor && anchor.parentNode && document.getElementById("plan-editor").contains(anchor)) {
      anchor.parentNode.insertBefore(box, anchor.nextSibling);
    } else if (status) {
      status.innerHTML = "";
      var list = document.createElement("ul");
      list.className = "messages";
      var item = document.createElement("li");
      item.className = "error";
      item.textContent = text;
      list.appendChild(item);
      status.appendChild(list);
      return;
    }
    box.scrollIntoView({ block: "nearest" });
  }

  function focusWithoutScrollJump(element) {
    if (!element.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(element.tagName)) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus({ preventScroll: true });
    element.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    // A session that ended answers with the sign-in page (after a redirect):
    // load the page itself, which leads to the sign-in form and back here.
    if (xhr && xhr.responseURL && xhr.responseURL.indexOf("/accounts/login/") !== -1) {
      event.detail.shouldSwap = false;
      window.location.reload();
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.classList && target.classList.contains("editor-slot")) {
      var heading = target.querySelector("h3");
      if (heading) {
        focusWithoutScrollJump(heading);
      }
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    // After a redraw of the whole editor: if the button that was pressed is gone
    // (its item moved to an end, or was deleted), go to the changed row instead.
    if (!event.detail.target || event.detail.target.id !== "plan-editor") {
      return;
    }
    var editorPart = document.getElementById("plan-editor");
    var active = document.activeElement;
    var kept = active && active !== document.body && editorPart.contains(active) && !active.disabled;
    if (!kept) {
      var invalid = editorPart.querySelector("[aria-invalid=\"true\"]");
      var panelHeading = editorPart.querySelector(".editor-panel h3");
      var changed = editorPart.querySelector("[data-focus]");
      var to = invalid || panelHeading || changed;
      if (to) {
        focusWithoutScrollJump(to);
      }
    }
    // The message is shown where the change was made: keep it in sight.
    var message = editorPart.querySelector("[data-message]");
    if (message) {
      message.scrollIntoView({ block: "nearest" });
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    // The messages of the page's first load (「計画を作成しました」) are old news now:
    // the status line above the tree says what the last change did.
    var old = document.querySelector("main > div[role=status]:not(#editor-status)");
    if (old) {
      old.remove();
    }
    if (!event.detail.successful && !(event.detail.xhr && event.detail.xhr.status === 422)) {
      return;
    }
    // The server renews a session at most once a minute: a minute ago is a safe
    // lower bound for its last renewal.
    try {
      var shared = Number(window.localStorage.getItem(SESSION_KEY)) || 0;
      window.localStorage.setItem(SESSION_KEY, String(Math.max(shared, Date.now() - 60000)));
    } catch (error) {
      /* storage unavailable: the idle warning may come a little early */
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var form = event.detail.elt;
    if (status === 403) {
      say("保存できませんでした。この操作の権限がないか、画面を開いてから時間がたちすぎています。画面を読み込み直してください。", form);
    } else if (status === 503) {
      say("ただいま混み合っています。変更は保存されていません。しばらくしてからもう一度操作してください。", form);
    } else {
      say("保存できませんでした(エラー " + status + ")。変更は保存されていません。画面を読み込み直して、もう一度操作してください。", form);
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    say("サーバーに接続できませんでした。変更は保存されていません。ネットワークを確認して、もう一度操作してください。",
        event.detail.elt);
  });

  document.addEventListener("click", function (event) {
    var close = event.target.closest ? event.target.closest("[data-close-panel]") : null;
    if (!close) {
      return;
    }
    var slot = close.closest(".editor-slot");
    if (!slot) {
      return;
    }
    event.preventDefault();
    slot.innerHTML = "";
    var opener = document.getElementById(close.getAttribute("data-close-panel"));
    if (opener) {
      opener.focus();
    }
  });
}());
