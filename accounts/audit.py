"""監査ログ: the one place that writes accounts.AuditEntry."""

import ipaddress

from django.conf import settings

from accounts.models import AuditEntry, User


def client_address(request):
    """The client's address, for the sign-in throttle (settings.AXES_CLIENT_IP_CALLABLE)
    and this log, or None without a request. Behind the TLS proxy (BEHIND_TLS_PROXY), the
    right-most X-Forwarded-For entry: the one our proxy appended, whatever the client sent
    before it; without a proxy, the connection's own address."""
    if request is None:
        return None
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass  # no header or a damaged one: the proxy's own address, never None
    return request.META.get("REMOTE_ADDR") or None


def record(kind, *, request=None, user=None, username="", detail=""):
    """Write one entry. Never stores a password: callers pass the user name only."""
    if user is not None and not user.is_authenticated:
        user = None
    if user is None and username:
        # A failed sign-in or a lockout of a real account names its owner in the log.
        user = User.objects.filter(username=username).first()
    return AuditEntry.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.get_username() if user else ""))[:150],
        ip_address=client_address(request),
        path=(request.get_full_path() if request is not None else "")[:300],
        detail=detail[:300],
    )
