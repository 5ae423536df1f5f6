"""Middleware of the accounts app."""


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
        if (session is not None and session.accessed and not session.modified
                and not session.is_empty() and session.due_for_renewal()):
            session.modified = True
        return response
