"""The security headers of Django's SecurityMiddleware on every response."""

from django.middleware.security import SecurityMiddleware


class SecurityHeadersMiddleware(SecurityMiddleware):
    """SecurityMiddleware's headers (HSTS, nosniff, Referrer-Policy, COOP) only, on the
    way out of the whole stack. With SECURE_SSL_REDIRECT, Django's middleware reads the
    Host first and, when it is not allowed, its own headers never reach the 400; listed
    first, this one adds them to that answer too. Django's middleware stays in the list
    for the redirect (and for `check --deploy`, which looks for it by name)."""

    def process_request(self, request):
        return None
