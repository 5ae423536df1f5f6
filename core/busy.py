"""A database busy for longer than its timeout: a 503 with the user's input kept.

On SQLite a write waits for another process's write lock up to the busy timeout
(DATABASES OPTIONS "timeout", 20 s), then fails with "database is locked"; on
PostgreSQL a lock_timeout or statement_timeout, if one is set, fails the same way.
Without this, the user gets a 500 and loses what they typed.

`BusyDatabaseMiddleware` turns such an error, raised by any view, into a 503 with
the message `MSG_BUSY` and a Retry-After header. Nothing is half-written: the
writes run in transactions (services, import, sign-in), which the error rolled back.
What the user sees:

- on a view that called `keep_input(request, render)` before writing, ``render()``:
  its own form, bound to the posted data, with the message above it — the input stays
  in the form where it was typed (one line in the view, e.g.
  ``keep_input(request, lambda: self.render_form(edit, seen_version=seen_version))``);
- on any other POST, templates/busy.html: the message, what was typed (read only) and
  a button that posts the same input again (passwords are never sent back).
"""

import logging

from django.contrib import messages
from django.db import OperationalError
from django.shortcuts import render

logger = logging.getLogger(__name__)

MSG_BUSY = "ただいま混み合っています。入力内容は残っています。しばらくしてからもう一度保存してください。"
MSG_BUSY_LOGIN = "ただいま混み合っています。しばらくしてからもう一度ログインしてください。"
RETRY_AFTER_SECONDS = 30
# PostgreSQL: lock_not_available (lock_timeout), query_canceled (statement_timeout).
BUSY_SQLSTATES = {"55P03", "57014"}
_RENDER_ATTRIBUTE = "_render_when_busy"
_MESSAGE_ATTRIBUTE = "_message_when_busy"


def is_busy(error: BaseException) -> bool:
    """Whether ``error`` is the database refusing to wait any longer for a lock."""
    if not isinstance(error, OperationalError):
        return False
    if getattr(error.__cause__, "sqlstate", None) in BUSY_SQLSTATES:
        return True
    text = str(error).lower()
    return "database is locked" in text or "database table is locked" in text


def keep_input(request, render_form, *, message: str = MSG_BUSY) -> None:
    """Before a write: if the database is busy, answer ``render_form()`` (the view's form
    bound to the posted data) with ``message`` (what to do again: save, sign in…),
    instead of the generic busy page."""
    setattr(request, _RENDER_ATTRIBUTE, render_form)
    setattr(request, _MESSAGE_ATTRIBUTE, message)


def _kept_fields(request) -> list[tuple[str, str]]:
    return [(name, value) for name, values in request.POST.lists() for value in values
            if name != "csrfmiddlewaretoken" and "password" not in name.lower()]


class BusyDatabaseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_busy(exception):
            return None
        logger.warning("database busy on %s %s: %s", request.method, request.path, exception)
        # This answer must not write: the session is left as it was before the request.
        request.database_busy = True
        session = getattr(request, "session", None)
        if session is not None:
            session.modified = False
        messages.error(request, getattr(request, _MESSAGE_ATTRIBUTE, MSG_BUSY))
        response = None
        render_form = getattr(request, _RENDER_ATTRIBUTE, None)
        if render_form is not None:
            try:
                response = render_form()
            except Exception:  # the generic page below still keeps the input
                logger.exception("database busy: the form of %s could not be shown again", request.path)
        if response is None:
            response = render(request, "busy.html", {"fields": _kept_fields(request)})
        response.status_code = 503
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
