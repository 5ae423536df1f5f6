"""Rate limits (settings.API_ANON_RATE, API_USER_RATE), counted in the cache: anonymous
callers per client address (the one the audit log uses, right behind our TLS proxy),
token holders per user. Beyond the limit: 429 with a Japanese message and Retry-After."""

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from accounts.audit import client_address


class AnonymousThrottle(AnonRateThrottle):
    def get_ident(self, request):
        return client_address(request) or "unknown"


class TokenThrottle(UserRateThrottle):
    def allow_request(self, request, view):
        if not request.user.is_authenticated:
            return True  # anonymous callers are AnonymousThrottle's
        return super().allow_request(request, view)
