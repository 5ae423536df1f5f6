/*
 * Idle timeout warning. The server ends a session SESSION_IDLE_TIMEOUT seconds
 * after it was last written (a sliding expiry; requests write it at most once a
 * minute, and the page says how long it has left); this script only tells the person
 * beforehand, offers to stay signed in, and says clearly when the session ended.
 * Loaded as a static file (the Content-Security-Policy allows no inline script).
 * The last request time is shared between tabs through localStorage, so a tab
 * left open does not warn while the person works in another one.
 */
(function () {
  "use strict";

  var config = document.getElementById("session-timeout");
  if (!config) {
    return;
  }
  var timeoutMs = Number(config.dataset.timeout) * 1000;
  var warningMs = Number(config.dataset.warning) * 1000;
  var storageKey = "akishima-ict:last-request";
  var lastHere = Date.now();
  var typed = false;
  var ended = false;
  var shownMinutes = null;

  // The session ends timeoutMs after it was last written; a page is told how long
  // it has left (the server writes the session at most once a minute).
  function remember(msLeft) {
    lastHere = Date.now() - (timeoutMs - msLeft);
    try {
      // Another tab may have renewed the session later: keep the latest time.
      var shared = Number(window.localStorage.getItem(storageKey)) || 0;
      window.localStorage.setItem(storageKey, String(Math.max(shared, lastHere)));
    } catch (error) {
      /* storage unavailable: this tab's own time is used */
    }
  }

  function lastRequest() {
    var shared = 0;
    try {
      shared = Number(window.localStorage.getItem(storageKey)) || 0;
    } catch (error) {
      shared = 0;
    }
    return Math.max(shared, lastHere);
  }

  function loginUrl() {
    var next = window.location.pathname + window.location.search;
    return config.dataset.loginUrl + "?next=" + encodeURIComponent(next) + "&reason=idle";
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  var box = document.createElement("div");
  box.className = "session-warning";
  box.setAttribute("role", "alert");
  box.hidden = true;
  var text = document.createElement("p");
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button";
  button.textContent = "ログインを続ける";
  box.appendChild(text);
  box.appendChild(button);
  document.body.appendChild(box);

  function showWarning(msLeft) {
    var minutes = Math.max(1, Math.ceil(msLeft / 60000));
    if (minutes !== shownMinutes) {
      shownMinutes = minutes;
      text.textContent = "操作がないため、あと約" + minutes + "分で自動的にログアウトします。" +
        "続ける場合は「ログインを続ける」を押してください。入力中の内容はまだ保存されていません。";
    }
    box.hidden = false;
  }

  function hideWarning() {
    shownMinutes = null;
    box.hidden = true;
  }

  function sessionEnded() {
    if (ended) {
      return;
    }
    ended = true;
    if (!typed) {
      window.location.assign(loginUrl());
      return;
    }
    // Keep the page, so that what was typed can still be copied before signing in again.
    text.textContent = "一定時間操作がなかったため、ログアウトしました。入力中の内容は送信できません。" +
      "必要な内容を控えてから、もう一度ログインしてください。";
    var link = document.createElement("a");
    link.className = "button";
    link.href = loginUrl();
    link.textContent = "ログイン画面へ";
    box.replaceChild(link, button);
    box.hidden = false;
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    window.fetch(config.dataset.keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: {"X-CSRFToken": csrfToken()}
    }).then(function (response) {
      button.disabled = false;
      if (response.status === 204) {
        remember(timeoutMs);
        hideWarning();
      } else {
        sessionEnded();
      }
    }).catch(function () {
      button.disabled = false;
      text.textContent = "サーバーに接続できませんでした。ネットワークを確認して、もう一度押してください。";
    });
  });

  function check() {
    if (ended) {
      return;
    }
    var msLeft = timeoutMs - (Date.now() - lastRequest());
    if (msLeft <= 0) {
      sessionEnded();
    } else if (msLeft <= warningMs) {
      showWarning(msLeft);
    } else {
      hideWarning();
    }
  }

  document.addEventListener("input", function () { typed = true; }, true);
  document.addEventListener("visibilitychange", check);
  // Without a number of seconds left (an empty or missing attribute), a full timeout.
  var left = /^\d+$/.test(config.dataset.left || "") ? Number(config.dataset.left) * 1000 : timeoutMs;
  remember(Math.min(left, timeoutMs));
  check();  // a page opened close to the end warns at once
  window.setInterval(check, 5000);
}());
