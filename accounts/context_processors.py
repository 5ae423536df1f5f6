"""Template values every page needs for the signed-in user's session."""

from django.conf import settings

from accounts.permissions import can_view_audit_log


def session_timeout(request):
    user = getattr(request, "user", None)
    return {
        "session_idle_timeout": settings.SESSION_IDLE_TIMEOUT,
        # The session may end a little sooner than a full timeout from now (it is not
        # written on every request): the script counts from its real end.
        "session_seconds_left": lambda: _seconds_left(request),
        "session_idle_warning": min(settings.SESSION_IDLE_WARNING, settings.SESSION_IDLE_TIMEOUT // 2),
        # Evaluated only where the menu asks (templates call callables).
        "can_view_audit_log": lambda: user is not None and can_view_audit_log(user),
    }


def _seconds_left(request):
    session = getattr(request, "session", None)
    if session is None or not hasattr(session, "seconds_left"):
        return settings.SESSION_COOKIE_AGE  # what accounts.sessions.SessionStore counts in
    return session.seconds_left()
