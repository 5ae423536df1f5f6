/*
 * The plan editing page (計画の管理) with htmx: every form posts by htmx and the
 * server answers the redrawn tree and a status line. This script only looks after
 * what htmx leaves to the page: where the focus goes after a redraw, closing a
 * panel, what to say when a request fails, a signed-out session, and telling the
 * idle-timeout script (session-timeout.js) that the session was just used.
 * Without JavaScript the same forms post the whole page.
 */
(function () {
  "use strict";

  var SESSION_KEY = "akishima-ict:last-request";  // shared with session-timeout.js

  function say(text) {
    var status = document.getElementById("editor-status");
    if (!status) {
      return;
    }
    status.innerHTML = "";
    var list = document.createElement("ul");
    list.className = "messages";
    var line = document.createElement("li");
    line.className = "error";
    line.textContent = text;
    list.appendChild(line);
    status.appendChild(list);
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
    var active = document.activeElement;
    if (active && active !== document.body && document.getElementById("plan-editor").contains(active)
        && !active.disabled) {
      return;
    }
    var invalid = document.querySelector("#plan-editor [aria-invalid=\"true\"]");
    var panelHeading = document.querySelector("#plan-editor .editor-panel h3");
    var changed = document.querySelector("#plan-editor [data-focus]");
    var to = invalid || panelHeading || changed;
    if (to) {
      focusWithoutScrollJump(to);
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
    if (status === 403) {
      say("保存できませんでした。この操作の権限がないか、画面を開いてから時間がたちすぎています。画面を読み込み直してください。");
    } else if (status === 503) {
      say("ただいま混み合っています。変更は保存されていません。しばらくしてからもう一度操作してください。");
    } else {
      say("保存できませんでした(エラー " + status + ")。変更は保存されていません。画面を読み込み直して、もう一度操作してください。");
    }
  });

  document.addEventListener("htmx:sendError", function () {
    say("サーバーに接続できませんでした。変更は保存されていません。ネットワークを確認して、もう一度操作してください。");
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
