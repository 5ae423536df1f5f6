"""Middleware of the accounts app."""

from django.utils.cache import add_never_cache_headers


class SessionRenewalMiddleware:
    """Push a signed-in session's end back when it is due (accounts.sessions): at most
    one session write per SESSION_RENEW_AFTER seconds instead of one per request.

    Listed after SessionMiddleware, so that its response pass runs first and the
    session is saved by SessionMiddleware as any modified session is."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Not when the database was too busy to write (core.busy): this answer must not write.
        if (session is not None and session.accessed and not session.modified
                and not getattr(request, "database_busy", False)
                and not session.is_empty() and session.due_for_renewal()):
            session.modified = True
        return response


class PrivatePagesMiddleware:
    """Signed-in pages are never stored by the browser or a proxy (Django's never-cache
    headers): on a shared office computer, Back after signing out must not show them, and a
    page taken from the browser's cache would tell the idle-timeout script an old time left."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
